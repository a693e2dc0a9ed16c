"""Cases (办件) and what hangs off them: timeline, rating, follow-ups, payouts, claims, certificates."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar, Self

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from backend.accounts import permissions
from backend.accounts.models import Department
from backend.registries.models import Property, Resident

from .plugins import Mode


class Status(models.TextChoices):
    PENDING_FACE = "pending_face", _("待刷脸核验")
    IN_REVIEW = "in_review", _("审核中")
    RETURNED = "returned", _("退回补正")
    APPROVED = "approved", _("已办结(通过)")
    REJECTED = "rejected", _("未通过")
    WITHDRAWN = "withdrawn", _("已撤回")
    REVOKED = "revoked", _("已撤销")


FINAL_STATUSES = {Status.APPROVED, Status.REJECTED, Status.WITHDRAWN, Status.REVOKED}
OPEN_STATUSES = {Status.PENDING_FACE, Status.IN_REVIEW, Status.RETURNED}


# -- the rules every screen and sweep asks of the case list, each written once ------------------------------------
# "Running": the statutory clock is counting (in review, a due date, not paused by a return for correction).
# "Overdue": running past its due date. Returned cases (clock paused) and final cases are never overdue.
# "Awaiting post-check": a commitment-based (告知承诺制) approval that no clerk has post-checked yet.
# Each rule is a Q here (for querysets, filters and annotations) and, where a screen asks it of one case already in
# memory, a predicate on :class:`Case` right below it; ``tests/cases/test_selectors.py`` holds the two to agreement.


def running_q() -> models.Q:
    return models.Q(status=Status.IN_REVIEW, due_at__isnull=False, paused_at__isnull=True)


def overdue_q(now: dt.datetime) -> models.Q:
    return running_q() & models.Q(due_at__lt=now)


def awaiting_post_check_q() -> models.Q:
    return models.Q(status=Status.APPROVED, mode=Mode.COMMITMENT, post_checked_at__isnull=True)


class CaseQuerySet(models.QuerySet["Case"]):
    def open(self) -> Self:
        return self.filter(status__in=OPEN_STATUSES)

    def for_department(self, department: Department | None) -> Self:
        return self.filter(department=department) if department else self.none()

    def running(self) -> Self:
        """Cases whose statutory clock is counting (what the deadline sweep looks at)."""
        return self.filter(running_q())

    def overdue(self, now: dt.datetime | None = None) -> Self:
        """Cases past their statutory due date at ``now`` (default: now)."""
        return self.filter(overdue_q(now or timezone.now()))

    def not_overdue(self, now: dt.datetime | None = None) -> Self:
        return self.exclude(overdue_q(now or timezone.now()))

    def with_overdue(self, now: dt.datetime | None = None, name: str = "is_overdue") -> Self:
        """Annotate each case with a boolean ``name``: overdue at ``now`` (for ordering the queue overdue first)."""
        return self.annotate(
            **{
                name: models.Case(
                    models.When(overdue_q(now or timezone.now()), then=models.Value(True)),
                    default=models.Value(False),
                    output_field=models.BooleanField(),
                )
            }
        )

    def awaiting_post_check(self) -> Self:
        """The post-check queue: commitment approvals not yet post-checked."""
        return self.filter(awaiting_post_check_q())

    def post_check_due(self, by: dt.date) -> Self:
        """Awaiting their post-check with a post-check deadline on or before ``by``."""
        return self.awaiting_post_check().filter(post_check_due__lte=by)

    def staff_queue(
        self,
        user: Any,
        *,
        status: str | None = None,
        service: str | None = None,
        overdue: bool = False,
        post_check: bool = False,
        now: dt.datetime | None = None,
    ) -> Self:
        """The clerk's queue (staff API): their own department's cases, by statutory due date (overdue ones come
        first among the cases in review), no due date last; with ``post_check`` the post-check queue by its
        deadline. Anyone but a department clerk gets no rows."""
        qs = permissions.actionable_by(self, user)
        if status:
            qs = qs.filter(status=status)
        if service:
            qs = qs.filter(service_code=service)
        if overdue:
            qs = qs.overdue(now)
        if post_check:
            return qs.awaiting_post_check().order_by("post_check_due", "pk")
        return qs.order_by(models.F("due_at").asc(nulls_last=True), "submitted_at", "pk")


CaseManager = models.Manager.from_queryset(CaseQuerySet)


class Case(models.Model):
    reference_no = models.CharField(_("办件编号"), max_length=40, unique=True)
    service_code = models.CharField(_("事项"), max_length=80, db_index=True)
    department = models.ForeignKey(Department, verbose_name=_("承办部门"), on_delete=models.PROTECT)
    mode = models.CharField(_("办理方式"), max_length=20)
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("申请人账户"), on_delete=models.PROTECT, related_name="cases"
    )
    resident = models.ForeignKey(Resident, verbose_name=_("申请人"), on_delete=models.PROTECT, related_name="cases")
    household_id = models.CharField(_("户号"), max_length=40, db_index=True)
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, db_index=True)
    # Identifiers in the form are stored masked; the full values sealed (see identifiers.py).
    form = models.JSONField(_("申请表"), default=dict, blank=True)
    sealed_identifiers = models.TextField(blank=True, default="", editable=False)
    # Blind index of the ID number of the person the application is for (ServiceModule.subject_field).
    subject_index = models.CharField(max_length=64, blank=True, default="", editable=False)
    consent_at = models.DateTimeField(_("授权时间"))
    # 亲情代办: the delegate who filed (and consented) for the applicant; 帮办代办: the counter clerk who filed for the
    # applicant present at the counter (backend/assisted/); null when the applicant filed themselves.
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("代办人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases_filed_for_others",
    )
    submitted_at = models.DateTimeField(_("提交时间"), auto_now_add=True)
    due_at = models.DateTimeField(_("法定办结时限"), null=True, blank=True, db_index=True)
    paused_at = models.DateTimeField(_("计时暂停于"), null=True, blank=True)
    rule_trace = models.JSONField(_("规则核验记录"), default=list, blank=True)
    proposal = models.JSONField(_("拟办结果"), default=dict, blank=True)
    decision = models.JSONField(_("办理结果"), null=True, blank=True)
    # The typed outcomes behind `decision` ([{"kind", "data"}], cases/outcomes.py): display rows render from them in
    # the reader's language. Empty for cases decided before outcomes were typed (rendered from `decision`).
    outcomes = models.JSONField(_("办理结果明细"), default=list, blank=True)
    decided_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    post_check_due = models.DateField(_("核查期限"), null=True, blank=True)
    post_checked_at = models.DateTimeField(_("核查时间"), null=True, blank=True)
    # When the clock sweep found the post-check deadline passed and told the module (on_post_check_expired): once.
    post_check_expired_at = models.DateTimeField(null=True, blank=True, editable=False)
    identity_verified_by = models.CharField(_("身份核验方式"), max_length=20, blank=True)  # face / counter
    idempotency_key = models.CharField(max_length=100, null=True, blank=True)
    request_fingerprint = models.CharField(max_length=64, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects: ClassVar[CaseManager[Case]] = CaseManager()

    class Meta:
        ordering = ["-submitted_at", "-id"]
        verbose_name = _("办件")
        verbose_name_plural = _("办件")
        constraints = [
            models.UniqueConstraint(
                fields=["applicant", "idempotency_key"],
                condition=models.Q(idempotency_key__isnull=False),
                name="case_idempotency_key_per_user",
            )
        ]
        indexes = [
            models.Index(fields=["department", "status", "due_at"]),
            models.Index(fields=["applicant", "-submitted_at"]),
            models.Index(fields=["household_id", "service_code", "status"]),
            models.Index(
                fields=["service_code", "subject_index"],
                condition=~models.Q(subject_index=""),
                name="case_service_subject_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.reference_no

    @property
    def is_final(self) -> bool:
        return self.status in FINAL_STATUSES

    @property
    def is_running(self) -> bool:
        """:func:`running_q` for one case in memory."""
        return self.status == Status.IN_REVIEW and self.due_at is not None and self.paused_at is None

    def is_overdue(self, now: dt.datetime | None = None) -> bool:
        """:func:`overdue_q` for one case in memory."""
        return self.is_running and self.due_at is not None and self.due_at < (now or timezone.now())

    @property
    def is_awaiting_post_check(self) -> bool:
        """:func:`awaiting_post_check_q` for one case in memory."""
        return self.status == Status.APPROVED and self.mode == Mode.COMMITMENT and self.post_checked_at is None


class CaseEvent(models.Model):
    """One line of the case timeline; written by every transition, never edited."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=20, choices=Status.choices)
    action = models.CharField(max_length=40)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    actor_label = models.CharField(max_length=100)  # as it was when written (the record); screens render the actor
    note = models.TextField(blank=True)
    note_en = models.TextField(blank=True, default="")  # system notes in English; a clerk's free text has none

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("办理记录")
        verbose_name_plural = _("办理记录")

    def __str__(self) -> str:
        return f"{self.case_id} {self.action} → {self.status}"


class Rating(models.Model):
    """好差评: one rating per case, after a final status."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="rating")
    score = models.PositiveSmallIntegerField()
    comment = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("评价")
        verbose_name_plural = _("评价")
        constraints = [models.CheckConstraint(condition=models.Q(score__gte=1, score__lte=5), name="rating_1_to_5")]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.score}"


class FollowUp(models.Model):
    """A bad rating (差评) opens a follow-up task for the department, as the 好差评 system requires."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="follow_up")
    department = models.ForeignKey(Department, on_delete=models.PROTECT)
    opened_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    resolution = models.TextField(blank=True)

    class Meta:
        ordering = ["closed_at", "opened_at"]
        verbose_name = _("差评整改")
        verbose_name_plural = _("差评整改")

    def __str__(self) -> str:
        return f"follow-up {self.case_id}"


class Payout(models.Model):
    """Money paid by an approval. One per case: a case can never pay twice."""

    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="payout")
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    to_account = models.CharField(max_length=40)
    paid_at = models.DateTimeField(auto_now_add=True)
    # A revoked approval (告知承诺 found false) takes its money back: the payout is marked for recovery (追回), with
    # the clerk's reason; the finance side collects it. The row stays: a payout is never deleted.
    reversed_at = models.DateTimeField(_("追回登记时间"), null=True, blank=True)
    reversal_reason = models.TextField(_("追回原因"), blank=True, default="")

    class Meta:
        verbose_name = _("拨付")
        verbose_name_plural = _("拨付")
        constraints = [models.CheckConstraint(condition=models.Q(amount__gt=0), name="payout_positive")]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.amount}"


class SubsidyClaim(models.Model):
    """A one-per-property-ever subsidy; the unique constraint is what stops a second claim in a race."""

    service_code = models.CharField(max_length=80)
    property = models.ForeignKey(Property, on_delete=models.PROTECT, related_name="subsidy_claims")
    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="subsidy_claim")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("补贴领取记录")
        verbose_name_plural = _("补贴领取记录")
        constraints = [models.UniqueConstraint(fields=["service_code", "property"], name="one_subsidy_per_property")]

    def __str__(self) -> str:
        return f"{self.service_code} {self.property_id}"


class Sequence(models.Model):
    """Gap-tolerant counters (reference numbers per year, waitlist numbers per service), taken under a row lock."""

    name = models.CharField(max_length=100, unique=True)
    value = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.name}={self.value}"


class Certificate(models.Model):
    """电子证照 issued by an approval; verifiable by anyone with its code, revoked with the case."""

    code = models.CharField(max_length=40, unique=True)
    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="certificate")
    holder = models.ForeignKey(Resident, on_delete=models.PROTECT, related_name="certificates")
    title_zh = models.CharField(max_length=100)
    title_en = models.CharField(max_length=100)
    data = models.JSONField(default=dict)
    issued_at = models.DateTimeField(auto_now_add=True)
    valid_until = models.DateField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-issued_at"]
        verbose_name = _("电子证照")
        verbose_name_plural = _("电子证照")

    def __str__(self) -> str:
        return f"{self.title_zh} {self.code}"


class PostCheckCase(Case):
    """Proxy for the admin's post-check queue (告知承诺制 cases awaiting the clerk's verification)."""

    class Meta:
        proxy = True
        verbose_name = _("承诺制核查")
        verbose_name_plural = _("承诺制核查")


# -- bundles (一件事一次办, cases/bundles.py) --------------------------------------------------------------------------
class BundleStatus(models.TextChoices):
    PENDING_FACE = "pending_face", _("待刷脸核验")
    IN_PROGRESS = "in_progress", _("办理中")
    ACTION_REQUIRED = "action_required", _("待您确认")  # a member failed: continue with the rest, or withdraw
    COMPLETED = "completed", _("已办结")  # every member approved
    PARTIALLY_COMPLETED = "partially_completed", _("部分办结")  # the resident continued without a failed member
    WITHDRAWN = "withdrawn", _("已撤回")


BUNDLE_FINAL_STATUSES = {BundleStatus.COMPLETED, BundleStatus.PARTIALLY_COMPLETED, BundleStatus.WITHDRAWN}


class MemberState(models.TextChoices):
    WAITING = "waiting", _("等待前序事项")  # not submitted yet: waits for the members it needs
    STARTED = "started", _("已提交")  # a case exists; its status is the case's
    HELD = "held", _("暂缓办理")  # a member it needs failed: it will not run unless that is solved
    SKIPPED = "skipped", _("不再办理")  # the resident continued without it, or withdrew the bundle before it ran


class Bundle(models.Model):
    """One application for a bundle of services: one reference, one consent, one face check; a member case per
    service (``BundleMember.case``), each decided by its own department."""

    reference_no = models.CharField(_("一件事编号"), max_length=40, unique=True)
    bundle_code = models.CharField(_("一件事"), max_length=80, db_index=True)
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("申请人账户"), on_delete=models.PROTECT, related_name="bundles"
    )
    resident = models.ForeignKey(Resident, verbose_name=_("申请人"), on_delete=models.PROTECT, related_name="bundles")
    status = models.CharField(_("状态"), max_length=20, choices=BundleStatus.choices, db_index=True)
    # The shared form: identifiers masked here and sealed beside it (as on a case), for members submitted later.
    form = models.JSONField(_("申请表"), default=dict, blank=True)
    sealed_identifiers = models.TextField(blank=True, default="", editable=False)
    consent_at = models.DateTimeField(_("授权时间"))
    face_verified_at = models.DateTimeField(_("刷脸核验时间"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("提交时间"), auto_now_add=True)
    completed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    idempotency_key = models.CharField(max_length=100, null=True, blank=True)
    request_fingerprint = models.CharField(max_length=64, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        verbose_name = _("一件事")
        verbose_name_plural = _("一件事")
        constraints = [
            models.UniqueConstraint(
                fields=["applicant", "idempotency_key"],
                condition=models.Q(idempotency_key__isnull=False),
                name="bundle_idempotency_key_per_user",
            )
        ]

    def __str__(self) -> str:
        return self.reference_no

    @property
    def is_final(self) -> bool:
        return self.status in BUNDLE_FINAL_STATUSES


class BundleMember(models.Model):
    """One service of a bundle application; its case once submitted."""

    bundle = models.ForeignKey(Bundle, on_delete=models.CASCADE, related_name="members")
    service_code = models.CharField(_("事项"), max_length=80)
    position = models.PositiveSmallIntegerField()
    state = models.CharField(_("状态"), max_length=20, choices=MemberState.choices, default=MemberState.WAITING)
    case = models.OneToOneField(
        Case, null=True, blank=True, on_delete=models.PROTECT, related_name="bundle_member", verbose_name=_("办件")
    )
    # A failed member the resident has seen and chosen to continue without (POST .../continue).
    acknowledged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["position"]
        verbose_name = _("一件事成员事项")
        verbose_name_plural = _("一件事成员事项")
        constraints = [models.UniqueConstraint(fields=["bundle", "service_code"], name="one_member_per_service")]

    def __str__(self) -> str:
        return f"{self.bundle_id} {self.service_code}"

    @property
    def failed(self) -> bool:
        """Submitted and ended without an approval (rejected, withdrawn on its own, revoked)."""
        return self.case is not None and self.case.is_final and self.case.status != Status.APPROVED


class BundleEvent(models.Model):
    """A line of the bundle's own timeline (submitted, face check, a member started or held, the resident's
    choice, completed); the members' case timelines are merged into it when shown."""

    bundle = models.ForeignKey(Bundle, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(auto_now_add=True)
    action = models.CharField(max_length=40)
    service_code = models.CharField(max_length=80, blank=True)
    status = models.CharField(max_length=20, choices=BundleStatus.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    note = models.TextField(blank=True)
    note_en = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("一件事办理记录")
        verbose_name_plural = _("一件事办理记录")

    def __str__(self) -> str:
        return f"{self.bundle_id} {self.action}"
