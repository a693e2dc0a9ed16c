"""Face templates, challenges, the audit trail, per-user lockout and replay digests.

No model here has a file, image or binary field: photos and frames are decoded in memory and dropped; what is
kept is the encrypted 128-d template, hashes, counters and the audit trail (never a distance or score).
"""

from __future__ import annotations

import numpy as np
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from . import crypto
from .engine import vector_from_bytes, vector_to_bytes


def _context(user_id: int) -> bytes:
    return f"face-template:{user_id}".encode()


class FaceTemplate(models.Model):
    """The resident's enrolled face: one encrypted encoding per user. Re-enrolment replaces it (and is logged)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="face_template"
    )
    # Fernet token of the 128 float64 values, bound to the user id (see crypto.py). Never shown anywhere.
    encoding_encrypted = models.TextField(editable=False)
    model_version = models.CharField(_("模型版本"), max_length=80)
    enrolled_at = models.DateTimeField(_("录入时间"))
    enrol_count = models.PositiveIntegerField(_("录入次数"), default=1)

    class Meta:
        verbose_name = _("人脸模板")
        verbose_name_plural = _("人脸模板")

    def __str__(self) -> str:
        return f"{self.user} ({self.enrolled_at:%Y-%m-%d})"

    def set_vector(self, vector: np.ndarray) -> None:
        if self.user_id is None:
            raise ValueError("assign the user before the encoding: the ciphertext is bound to it")
        self.encoding_encrypted = crypto.encrypt(vector_to_bytes(vector), context=_context(self.user_id))

    def vector(self) -> np.ndarray:
        """The decrypted encoding; raises crypto.TemplateUnreadable if no configured key opens it."""
        return vector_from_bytes(crypto.decrypt(self.encoding_encrypted, context=_context(self.user_id)))


class ChallengeOutcome(models.TextChoices):
    PASSED = "passed", _("通过")
    FAILED = "failed", _("失败次数用尽")


class FaceChallenge(models.Model):
    """A single-use permission to verify a face for one purpose and target, for a few minutes.

    The client's ``challenge_id`` is a random token; only its SHA-256 is stored, so a database leak does not
    hand out usable challenges.
    """

    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="face_challenges"
    )
    purpose = models.CharField(_("用途"), max_length=40)
    # What the purpose resolved the request to (e.g. a case id), JSON so that ints stay ints; null for login.
    target = models.JSONField(_("对象"), null=True, blank=True)
    actions = models.JSONField(_("活体动作"), default=list, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    expires_at = models.DateTimeField(_("过期时间"))
    used_at = models.DateTimeField(_("使用时间"), null=True, blank=True)
    outcome = models.CharField(_("结果"), max_length=10, choices=ChallengeOutcome.choices, blank=True)
    attempts = models.PositiveIntegerField(_("失败次数"), default=0)
    # 亲情代办: the face is ``user``'s (the delegate), the target is this person's (the principal); null otherwise.
    on_behalf_of = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("代办的委托人"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    # 亲情代办, a service that wants the principal in person: the face is ``user``'s (the principal), the phone and
    # session are this person's (the delegate), who alone may send the photo. Null when the face's owner operates.
    operator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("人脸核验挑战")
        verbose_name_plural = _("人脸核验挑战")
        indexes = [models.Index(fields=["user", "-created_at"]), models.Index(fields=["expires_at"])]

    def __str__(self) -> str:
        return f"{self.purpose}:{self.target} ({self.user})"


class FaceEventKind(models.TextChoices):
    ENROL = "enrol", _("录入")
    RE_ENROL = "re_enrol", _("重新录入")
    ENROL_FAIL = "enrol_fail", _("录入比对不一致")
    WITHDRAWN = "withdrawn", _("本人删除人脸模板")
    VERIFY_PASS = "verify_pass", _("核验通过")
    VERIFY_FAIL = "verify_fail", _("核验未通过")
    LOCKED = "locked", _("失败过多已锁定")
    COUNTER_VERIFIED = "counter_verified", _("窗口人工核验")


class FaceEvent(models.Model):
    """Append-only audit trail of face operations. Deliberately no distance, score or image."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="face_events"
    )
    kind = models.CharField(_("事件"), max_length=20, choices=FaceEventKind.choices)
    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    purpose = models.CharField(_("用途"), max_length=40, blank=True)
    target = models.JSONField(_("对象"), null=True, blank=True)
    challenge = models.ForeignKey(
        FaceChallenge, verbose_name=_("挑战"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Who operated when it was not the face's owner: the clerk who checked the resident in person at a counter, or
    # the delegate whose phone took the principal's face (亲情代办). Null when the person checked their own face.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.CharField(_("备注"), max_length=200, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("人脸核验记录")
        verbose_name_plural = _("人脸核验记录")
        indexes = [models.Index(fields=["user", "-at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.user} {self.kind}"


class FaceLock(models.Model):
    """Per-user failure counter and lock. Updated only under ``select_for_update`` (see service._lock_row)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="face_lock")
    failures = models.PositiveIntegerField(default=0)
    window_started_at = models.DateTimeField(null=True, blank=True)
    locked_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("人脸核验锁定")
        verbose_name_plural = _("人脸核验锁定")

    def __str__(self) -> str:
        return f"{self.user}: {self.failures} failures, locked until {self.locked_until}"


class SeenFrame(models.Model):
    """Digest of a liveness frame that passed a verification: the same pixels are refused afterwards."""

    digest = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    seen_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("已用活体帧")
        verbose_name_plural = _("已用活体帧")

    def __str__(self) -> str:
        return self.digest[:12]
