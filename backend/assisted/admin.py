"""帮办代办 in the back office: the counter clerk's screens, custom admin views on the existing admin site.

*增加* (add) is the start of a session: ID number, name and the ticked 已查验身份证原件. The session page then offers,
while the session is the clerk's and open: a face photo from the counter camera, the choice of a service and its
form (built from the service's JSON Schema, judged by the case engine), the SMS code to the registry phone and its
entry, the counter-face confirmation, cancelling; and, once confirmed, the resulting case. Every form posts to a
small view that calls :mod:`backend.assisted.services`, so a refusal is an error message with nothing changed, and
the audit trail below is read-only for everyone (no add, change or delete anywhere).

Who sees: a clerk the sessions of their department (acting only on their own), a supervisor all, read-only.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from backend.accounts import permissions
from backend.accounts.authentication import signed_in_user
from backend.cases.actors import describe
from backend.cases.discovery import all_services, get_service
from backend.cases.models import Case
from backend.core.errors import DomainError, NotFound
from backend.core.generics import ModelAdmin
from backend.core.masking import mask_name, mask_phone

from . import conf, services
from .forms import CodeForm, FaceForm, StartForm, application_form, form_values
from .models import AssistedEvent, AssistedSession, SessionStatus


def _refusal(error: DomainError) -> str:
    detail = ""
    if error.fields:
        detail = "（" + "；".join(f"{k}: {', '.join(map(str, v))}" for k, v in error.fields.items()) + "）"
    return f"{error.message}{detail} [{error.code}]"


class ReadOnlyAdmin(ModelAdmin[Any]):
    def has_module_permission(self, request: HttpRequest) -> bool:
        return permissions.is_staff_member(request.user) and super().has_module_permission(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return permissions.is_staff_member(request.user) and super().has_view_permission(request, obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AssistedSession)
class AssistedSessionAdmin(ReadOnlyAdmin):
    list_display = ["id", "started_at", "clerk_name", "resident_masked", "service", "status", "case_reference"]
    list_filter = ["status"]
    list_select_related = ["clerk", "resident", "case"]
    actions = None

    def get_queryset(self, request: HttpRequest) -> QuerySet[AssistedSession]:
        return permissions.visible_to(super().get_queryset(request), request.user, "department")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return services.may_assist(request.user)

    @admin.display(description=_("帮办人员 Clerk"))
    def clerk_name(self, session: AssistedSession) -> str:
        return str(describe(session.clerk))

    @admin.display(description=_("居民 Resident"))
    def resident_masked(self, session: AssistedSession) -> str:
        return mask_name(session.resident.name)

    @admin.display(description=_("事项 Service"))
    def service(self, session: AssistedSession) -> str:
        service = get_service(session.service_code) if session.service_code else None
        return str(service.name) if service else "—"

    @admin.display(description=_("办件 Case"))
    def case_reference(self, session: AssistedSession) -> str:
        return session.case.reference_no if session.case else "—"

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        services.expire_due()
        return super().changelist_view(request, extra_context)

    # -- urls ----------------------------------------------------------------------------------------------------
    def get_urls(self) -> list[URLPattern]:
        def route(suffix: str, view: Any, name: str) -> URLPattern:
            return path(f"<path:object_id>/{suffix}/", self.admin_site.admin_view(view), name=f"assisted_{name}")

        return [
            route("face", self.face_view, "face"),
            route("application", self.application_view, "application"),
            route("send-code", self.send_code_view, "send_code"),
            route("confirm", self.confirm_view, "confirm"),
            route("cancel", self.cancel_view, "cancel"),
            *super().get_urls(),
        ]

    def _context(self, request: HttpRequest, **values: Any) -> dict[str, Any]:
        return {**self.admin_site.each_context(request), "opts": self.opts, **values}

    def _page(self, session_id: int) -> HttpResponseRedirect:
        return HttpResponseRedirect(reverse("admin:assisted_assistedsession_change", args=[session_id]))

    # -- start: the admin's "add" --------------------------------------------------------------------------------
    def add_view(
        self, request: HttpRequest, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        if not services.may_assist(request.user):
            raise PermissionDenied
        form = StartForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                session = services.start(
                    signed_in_user(request),
                    form.cleaned_data["id_number"],
                    form.cleaned_data["name"],
                    id_card_checked=form.cleaned_data["id_card_checked"],
                )
            except DomainError as error:
                form.add_error(None, _refusal(error))
            else:
                self.log_addition(request, session, "开始帮办 Assisted session started")
                messages.success(request, "身份核验一致，帮办开始 Identity matches: the session has started")
                return self._page(session.pk)
        return TemplateResponse(
            request,
            "admin/assisted/start.html",
            self._context(
                request,
                form=form,
                title="帮办代办：核验身份 Assisted filing: identity check",
                minutes=conf.session_minutes(),
            ),
        )

    # -- the session page ----------------------------------------------------------------------------------------
    def _visible(self, request: HttpRequest, object_id: str) -> AssistedSession:
        session = self.get_queryset(request).filter(pk=_pk(object_id)).first()
        if session is None:
            raise Http404(_("未找到该记录。"))
        if session.status == SessionStatus.OPEN and session.expires_at <= timezone.now():
            services.expire_due()
            session.refresh_from_db()
        return session

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        session = self._visible(request, object_id)
        return TemplateResponse(request, "admin/assisted/session.html", self.panel(request, session))

    def panel(self, request: HttpRequest, session: AssistedSession, **extra: Any) -> dict[str, Any]:
        user = signed_in_user(request)
        mine = session.clerk_id == user.pk and services.may_assist(user) and session.status == SessionStatus.OPEN
        case = services.case_of(session)
        resident = session.resident
        return self._context(
            request,
            title=f"帮办代办 #{session.pk} Assisted session",
            session=session,
            original=session,
            resident={
                "name": mask_name(resident.name),
                "id_number": resident.id_number_masked,
                "phone": mask_phone(resident.phone) if resident.phone else "",
            },
            clerk=str(describe(session.clerk)),
            mine=mine,
            summary=services.summary(session),
            services=sorted(all_services().values(), key=lambda s: s.code),
            face_attempts_left=services.face_attempts_left(session),
            code_attempts_left=services.code_attempts_left(session),
            codes_left=max(0, conf.max_codes() - session.codes_sent),
            face_form=FaceForm(),
            code_form=CodeForm(),
            case=case,
            case_url=_case_url(user, case),
            events=[
                {"event": event, "actor": str(describe(event.actor))}
                for event in session.events.select_related("actor__department")
            ],
            **extra,
        )

    # -- actions -------------------------------------------------------------------------------------------------
    def _own(self, request: HttpRequest, object_id: str) -> AssistedSession:
        """The caller's own session for an action: another clerk's (or none) 404; without the permission 403."""
        if not services.may_assist(request.user):
            raise PermissionDenied
        try:
            return services.get(signed_in_user(request), _pk(object_id))
        except NotFound as exc:
            raise Http404(_("未找到该记录。")) from exc

    def face_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        session = self._own(request, object_id)
        form = FaceForm(request.POST, request.FILES)
        if not form.is_valid():
            messages.error(request, "请上传一张窗口摄像头拍摄的照片 Upload one photo from the counter camera")
            return self._page(session.pk)
        try:
            session, passed = services.check_face(
                signed_in_user(request), session.pk, form.cleaned_data["image"].read()
            )
        except DomainError as error:
            messages.error(request, _refusal(error))
        else:
            if passed:
                messages.success(request, "人脸比对通过 Face matches")
            else:
                messages.error(
                    request,
                    f"人脸比对未通过，剩余 {services.face_attempts_left(session)} 次 Face does not match",
                )
        return self._page(session.pk)

    def application_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        session = self._own(request, object_id)
        code = request.POST.get("service") or request.GET.get("service") or ""
        service = get_service(code)
        if service is None:
            messages.error(request, f"没有这项服务 No such service [unknown_service]: {code}")
            return self._page(session.pk)
        form = application_form(service, request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            try:
                services.fill(
                    signed_in_user(request),
                    session.pk,
                    service.code,
                    form_values(service, form),
                    form.cleaned_data.get("consent") is True,
                )
            except DomainError as error:
                for field, problems in (error.fields or {}).items():
                    form.add_error(field if field in form.fields else None, "；".join(map(str, problems)))
                form.add_error(None, f"{error.message} [{error.code}]")
            else:
                messages.success(request, f"已填写“{service.name}”，请居民核对 Filled: let the resident review it")
                return self._page(session.pk)
        return TemplateResponse(
            request,
            "admin/assisted/application.html",
            self._context(
                request,
                title=f"帮办代办 #{session.pk}：{service.name}",
                session=session,
                original=session,
                service=service,
                data=services.consent_items(service),
                form=form,
            ),
        )

    def send_code_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        session = self._own(request, object_id)
        try:
            services.send_code(signed_in_user(request), session.pk)
        except DomainError as error:
            messages.error(request, _refusal(error))
        else:
            messages.success(request, "确认码已发送到居民户籍登记的手机 Code sent to the registry phone")
        return self._page(session.pk)

    def confirm_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        session = self._own(request, object_id)
        method = request.POST.get("method", "")
        try:
            session = services.confirm(signed_in_user(request), session.pk, method, request.POST.get("code", ""))
        except DomainError as error:
            left = error.extra.get("attempts_left")
            suffix = f"（剩余 {left} 次 attempts left）" if left is not None else ""
            messages.error(request, _refusal(error) + suffix)
        else:
            case = services.case_of(session)
            assert case is not None  # a confirmed session has its case
            self.log_change(request, session, f"居民确认，已提交 {case.reference_no}")
            messages.success(request, f"已提交 Submitted {case.reference_no} → {case.get_status_display()}")
        return self._page(session.pk)

    def cancel_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        session = self._own(request, object_id)
        try:
            services.cancel(signed_in_user(request), session.pk, request.POST.get("reason", ""))
        except DomainError as error:
            messages.error(request, _refusal(error))
        else:
            messages.success(request, "已取消，未提交任何申请 Cancelled: nothing was submitted")
        return self._page(session.pk)


def _pk(object_id: str) -> int:
    try:
        return int(unquote(object_id))
    except ValueError as exc:
        raise Http404(_("未找到该记录。")) from exc


def _case_url(user: Any, case: Case | None) -> str:
    """The case page, for a clerk of the case's department (or a supervisor); others see the reference only."""
    if case is None or not permissions.may_see(user, case):
        return ""
    return reverse("admin:cases_case_change", args=[case.pk])


@admin.register(AssistedEvent)
class AssistedEventAdmin(ReadOnlyAdmin):
    """The audit trail of every session, searchable by kind: nobody adds, changes or deletes a row."""

    list_display = ["at", "session", "kind", "actor_name", "note"]
    list_filter = ["kind"]
    list_select_related = ["session", "actor__department"]
    actions = None

    def get_queryset(self, request: HttpRequest) -> QuerySet[AssistedEvent]:
        return permissions.visible_to(super().get_queryset(request), request.user, "session__department")

    @admin.display(description=_("操作人 Actor"))
    def actor_name(self, event: AssistedEvent) -> str:
        return str(describe(event.actor))
