"""allauth adapter: phone numbers live on our User model and codes go out through :mod:`backend.accounts.sms`."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django import forms
from django.utils.translation import gettext as _

from backend.core.masking import mask_phone

from .models import User, new_username
from .phones import is_mainland_mobile, to_e164
from .sms import send_sms


class AccountAdapter(DefaultAccountAdapter):
    def clean_phone(self, phone: str) -> str:
        phone = to_e164(phone)
        if not is_mainland_mobile(phone):
            raise forms.ValidationError(_("请输入有效的中国大陆手机号。"), code="invalid_phone")
        return phone

    def send_verification_code_sms(self, user: User, phone: str, code: str, **kwargs: Any) -> None:
        send_sms(phone, _("【一网】您的验证码是 %(code)s，15分钟内有效。") % {"code": code}, purpose="verify_phone")

    def set_phone(self, user: User, phone: str, verified: bool) -> None:
        user.phone = phone
        user.phone_verified = verified
        if user.pk:
            user.save(update_fields=["phone", "phone_verified"])

    def get_phone(self, user: User) -> tuple[str, bool] | None:
        return (user.phone, user.phone_verified) if user.phone else None

    def set_phone_verified(self, user: User, phone: str) -> None:
        user.phone_verified = True
        user.save(update_fields=["phone_verified"])

    def get_user_by_phone(self, phone: str) -> User | None:
        return User.objects.get_by_phone(to_e164(phone))

    def populate_username(self, request: Any, user: User) -> None:
        """Residents never see a username. A random one keeps the phone number out of allauth's user payload."""
        if not user.username:
            user.username = new_username()

    def get_user_display(self, user: User) -> str:
        return mask_phone(user.phone) if user.phone else user.username
