"""The clerks' back office (DESIGN §1, §3.9): the department's queue, the case page, and the post-check queue.

Who sees what is decided in querysets and permissions (``backend/accounts/permissions.py``, the same functions the
staff API and the case engine call), not by hiding menu entries:

* a clerk (``role == "clerk"``) sees only the cases of their own department; another department's case is a 404,
  also by URL;
* supervisors and superusers see every department, read-only;
* nobody adds, edits or deletes a case in the admin: residents create cases, and a case changes only through the
  case engine. The action buttons on the case page post to small admin views that call the same domain functions
  as the staff API (``services.clerk_decide``, ``services.verify_identity_at_counter``), so the transition table, the
  rules, payouts, the timeline and the notifications apply unchanged, and a refused action (409 in the API)
  becomes an error message with nothing changed.

Model permissions come from the staff groups of ``backend/accounts/groups.py``.
"""

from __future__ import annotations

import datetime as dt
import json
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.db.models import Case as Switch
from django.db.models import F, Model, QuerySet, Value, When
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from backend.accounts import permissions
from backend.accounts.authentication import signed_in_user
from backend.accounts.models import User
from backend.core.errors import DomainError
from backend.core.generics import ModelAdmin
from backend.core.i18n import localize
from backend.core.masking import mask_account, mask_id_number, mask_name, mask_phone
from backend.registries.admin import IdNumberSearchMixin
from backend.registries.items import ITEMS
from backend.registries.models import DataAccessLog
from backend.workflow import clock

from . import outcomes, services, transitions
from .discovery import all_services, get_bundle, get_service
from .models import (
    OPEN_STATUSES,
    Bundle,
    BundleEvent,
    BundleMember,
    Case,
    CaseEvent,
    CaseQuerySet,
    Certificate,
    FollowUp,
    Payout,
    PostCheckCase,
    Rating,
    Status,
    SubsidyClaim,
)
from .plugins import Mode

if TYPE_CHECKING:  # a typing-only package: not a runtime dependency (backend/core/generics.py)
    from django_stubs_ext import StrPromise

M = TypeVar("M", bound=Model)

# -- who may see and do what: backend/accounts/permissions.py ------------------------------------------------------


def may_act(user: User, case: Case) -> bool:
    """Only a clerk of the case's own department acts on it, while their group grants it (the engine checks the
    department again)."""
    return permissions.may_act(user, case, "cases.change_case")


class StaffScopedAdmin(ModelAdmin[M]):
    """Department-scoped, read-only by default: no adding or deleting anywhere in the case engine's admin."""

    department_field = "department"

    def get_queryset(self, request: HttpRequest) -> QuerySet[M]:
        return permissions.visible_to(super().get_queryset(request), request.user, self.department_field)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return super().has_module_permission(request) and permissions.is_staff_member(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if not permissions.is_staff_member(request.user):
            return False
        return super().has_view_permission(request, obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_object(self, request: HttpRequest, object_id: str, from_field: str | None = None) -> M:
        """Another department's object is not "deleted, perhaps" (Django's redirect): it does not exist. 404."""
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404(_("未找到该记录。"))
        return obj


# -- small display helpers -----------------------------------------------------------------------------------------


def badge(text: str, tone: str) -> str:
    return format_html('<span class="yw-badge yw-{}">{}</span>', tone, text)


STATUS_TONES = {
    Status.PENDING_FACE: "wait",
    Status.IN_REVIEW: "info",
    Status.RETURNED: "wait",
    Status.APPROVED: "ok",
    Status.REJECTED: "bad",
    Status.WITHDRAWN: "muted",
    Status.REVOKED: "bad",
}

ACTION_LABELS = {
    "approve": _("批准 Approve"),
    "reject": _("不予批准 Reject"),
    "return": _("退回补正 Return for correction"),
    "revoke": _("撤销 Revoke"),
    "post_check": _("核查属实 Post-check passed"),
}
ACTION_TONES = {"approve": "default", "post_check": "default", "reject": "bad", "return": "wait", "revoke": "bad"}
MODE_LABELS = {"instant": "即办 instant", "review": "审核 review", "commitment": "告知承诺 commitment"}
EVENT_LABELS = {
    "submitted": "提交申请 Submitted",
    "accepted": "受理 Accepted",
    "decided": "系统决定 Decided",
    "face_verified": "刷脸核验 Face verified",
    "counter_verified": "窗口核验 Verified at counter",
    "counter_booked": "预约窗口核验 Counter check booked",
    "delegate_face_verified": "代办人刷脸核验 Delegate's face verified",
    "approve": "批准 Approved",
    "reject": "不予批准 Rejected",
    "return": "退回补正 Returned",
    "resubmit": "重新提交 Resubmitted",
    "withdraw": "撤回 Withdrawn",
    "revoke": "撤销 Revoked",
    "post_checked": "核查属实 Post-checked",
    "rated": "评价 Rated",
    "follow_up_closed": "差评整改完成 Follow-up closed",
}


def bundle_panel(user: User, case: Case) -> dict[str, Any] | None:
    """A member case of a bundle (一件事): the bundle and the sibling cases, linked where the reader may see them
    (another department's case is named, not opened: its page would be 404 for a clerk)."""
    member = BundleMember.objects.filter(case=case).select_related("bundle").first()
    if member is None:
        return None
    siblings = []
    for row in member.bundle.members.select_related("case").order_by("position"):
        sibling = row.case
        siblings.append(
            {
                "service": service_name(row.service_code),
                "reference_no": sibling.reference_no if sibling else "—",
                "status": str(sibling.get_status_display()) if sibling else str(row.get_state_display()),
                "url": reverse("admin:cases_case_change", args=[sibling.pk])
                if sibling and permissions.may_see(user, sibling)
                else None,
                "this": sibling is not None and sibling.pk == case.pk,
            }
        )
    return {
        "reference_no": member.bundle.reference_no,
        "name": bundle_name(member.bundle.bundle_code),
        "status": str(member.bundle.get_status_display()),
        "url": reverse("admin:cases_bundle_change", args=[member.bundle.pk]),
        "siblings": siblings,
    }


def bundle_name(code: str) -> str:
    bundle = get_bundle(code)
    return str(bundle.name) if bundle else code


def service_name(code: str) -> str:
    service = get_service(code)
    return str(service.name) if service else code


def looks_like_id_number(value: Any) -> bool:
    return isinstance(value, str) and len(value) == 18 and value[:17].isdigit()


def show(value: Any) -> str:
    """A JSON value as a clerk reads it: localized, ID numbers masked, compact."""
    value = localize(value)
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "是 yes" if value else "否 no"
    if looks_like_id_number(value):
        return mask_id_number(value)
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def form_rows(case: Case) -> list[tuple[str, str]]:
    """The form as filled in, labelled from the service's JSON Schema (``title``, ``x-labels`` for enums)."""
    service = get_service(case.service_code)
    properties = service.form.get("properties", {}) if service else {}
    rows = []
    for key, value in (case.form or {}).items():
        spec = properties.get(key, {})
        labels = spec.get("x-labels", {})
        shown = f"{labels[value]} ({value})" if isinstance(value, str) and value in labels else show(value)
        rows.append((spec.get("title", key), shown))
    return rows


def trace_rows(case: Case) -> list[dict[str, Any]]:
    rows = []
    for entry in localize(case.rule_trace or []):
        outcome = entry.get("passed")
        rows.append(
            {
                "code": entry.get("code", ""),
                "label": entry.get("label", ""),
                "passed": outcome,
                "mark": "✓" if outcome is True else ("✗" if outcome is False else "—"),
                "tone": "ok" if outcome is True else ("bad" if outcome is False else "muted"),
                "values": [(k, show(v)) for k, v in (entry.get("values") or {}).items()],
                "message": entry.get("message") or "",
            }
        )
    return rows


def dict_rows(value: dict[str, Any] | None) -> list[tuple[str, str]]:
    return [(k, show(v)) for k, v in localize(value or {}).items()]


def access_rows(case: Case) -> list[dict[str, Any]]:
    logs = DataAccessLog.objects.filter(case_id=case.pk).select_related("department", "actor").order_by("at", "pk")
    return [
        {
            "at": log.at,
            "department": log.department.name_zh,
            "items": [str(ITEMS[key].label) if key in ITEMS else key for key in log.items],
            "purpose": log.purpose,
            "actor": str(log.actor) if log.actor_id else log.get_actor_type_display(),
        }
        for log in logs
    ]


# -- filters ---------------------------------------------------------------------------------------------------------


def case_rows(queryset: QuerySet[Any]) -> CaseQuerySet:
    """The admin's case querysets come from ``Case.objects`` (also through the ``PostCheckCase`` proxy): a
    :class:`CaseQuerySet`, which Django's signatures (filters, ``get_queryset``) only call a ``QuerySet``."""
    if not isinstance(queryset, CaseQuerySet):
        raise TypeError(f"expected the cases' queryset, got {type(queryset).__name__}")
    return queryset


class ServiceFilter(admin.SimpleListFilter):
    title = _("事项 service")
    parameter_name = "service"

    def lookups(self, request: HttpRequest, model_admin: ModelAdmin[Any]) -> list[tuple[str, str]]:
        clerk = request.user if permissions.is_department_clerk(request.user) else None
        department = clerk.department.code if isinstance(clerk, User) and clerk.department else None
        modes = getattr(model_admin, "service_modes", None)
        return [
            (code, str(service.name))
            for code, service in all_services().items()
            if (department is None or service.department == department) and (modes is None or service.mode in modes)
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.filter(service_code=self.value()) if self.value() else queryset


class OverdueFilter(admin.SimpleListFilter):
    title = _("是否逾期 overdue")
    parameter_name = "overdue"

    def lookups(self, request: HttpRequest, model_admin: ModelAdmin[Any]) -> list[tuple[str, StrPromise]]:
        return [("yes", _("已逾期 overdue")), ("no", _("未逾期 on time"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() == "yes":
            return case_rows(queryset).overdue()
        if self.value() == "no":
            return case_rows(queryset).not_overdue()
        return queryset


class ModeFilter(admin.SimpleListFilter):
    title = _("办理方式 mode")
    parameter_name = "mode"

    def lookups(self, request: HttpRequest, model_admin: ModelAdmin[Any]) -> list[tuple[str, str]]:
        return list(MODE_LABELS.items())

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.filter(mode=self.value()) if self.value() else queryset


class StageFilter(admin.SimpleListFilter):
    title = _("办理阶段 stage")
    parameter_name = "stage"

    def lookups(self, request: HttpRequest, model_admin: ModelAdmin[Any]) -> list[tuple[str, StrPromise]]:
        return [("open", _("待办 open")), ("final", _("已办结 final"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() == "open":
            return queryset.filter(status__in=OPEN_STATUSES)
        if self.value() == "final":
            return queryset.exclude(status__in=OPEN_STATUSES)
        return queryset


# -- cases -----------------------------------------------------------------------------------------------------------


class CaseDisplayMixin:
    """Columns shared by the queue and the post-check queue."""

    @admin.display(description=_("事项 Service"), ordering="service_code")
    def service(self, case: Case) -> str:
        return service_name(case.service_code)

    @admin.display(description=_("申请人 Applicant"))
    def applicant_masked(self, case: Case) -> str:
        return mask_name(case.resident.name)

    @admin.display(description=_("状态 Status"), ordering="status")
    def status_badge(self, case: Case) -> str:
        return badge(case.get_status_display(), STATUS_TONES.get(Status(case.status), "muted"))

    @admin.display(description=_("办结时限 Due"), ordering=F("due_at").asc(nulls_last=True))
    def due(self, case: Case) -> str:
        if case.due_at is None:
            return "—"
        day = timezone.localdate(case.due_at).isoformat()
        if case.status not in OPEN_STATUSES:
            return day
        if case.paused_at:
            return format_html("{}<br><small>补正中，计时暂停 paused</small>", day)
        left = clock.working_days_left(case.due_at)
        if left < 0:
            return format_html("{}<br><small>超期 {} 个工作日 over</small>", day, -left)
        return format_html("{}<br><small>剩 {} 个工作日 left</small>", day, left)

    @admin.display(description=_("逾期 Overdue"), boolean=False)
    def overdue_badge(self, case: Case) -> str:
        return badge("逾期 overdue", "bad") if case.is_overdue() else ""


@admin.register(Case)
class CaseAdmin(IdNumberSearchMixin, CaseDisplayMixin, StaffScopedAdmin[Case]):
    """办件队列 The queue: own department only, overdue first, then by statutory due date."""

    list_display = [
        "reference_no",
        "service",
        "applicant_masked",
        "status_badge",
        "due",
        "overdue_badge",
        "submitted_at",
    ]
    list_display_links = ["reference_no"]
    list_filter = [StageFilter, "status", ServiceFilter, OverdueFilter, ModeFilter]
    search_fields = ["reference_no"]
    id_number_owner = "resident"
    search_help_text = _("办件编号，或申请人完整身份证号 Reference number, or the applicant's full ID number")
    list_select_related = ["resident", "department"]
    list_per_page = 50
    actions = None
    fields = ["reference_no", "status"]
    change_form_template = "admin/cases/case/change_form.html"
    change_list_template = "admin/cases/case/change_list.html"

    def get_queryset(self, request: HttpRequest) -> CaseQuerySet:
        return case_rows(super().get_queryset(request)).with_overdue(name="queue_overdue")

    def get_ordering(self, request: HttpRequest) -> list[Any]:  # expressions, which Django takes (not only names)
        # The statutory queue: overdue first, then open cases by due date (no due date last), then the rest.
        is_open = Switch(When(status__in=OPEN_STATUSES, then=Value(1)), default=Value(0))
        return [
            F("queue_overdue").desc(),
            is_open.desc(),
            F("due_at").asc(nulls_last=True),
            F("submitted_at").asc(),
        ]

    def get_urls(self) -> list[URLPattern]:
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "<path:object_id>/decide/",
                self.admin_site.admin_view(self.decide_view),
                name="{}_{}_decide".format(*info),
            ),
            path(
                "<path:object_id>/verify-identity/",
                self.admin_site.admin_view(self.verify_identity_view),
                name="{}_{}_verify_identity".format(*info),
            ),
            *super().get_urls(),
        ]

    # -- the case page -------------------------------------------------------------------------------------------
    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        case = self.get_object(request, unquote(object_id))
        return super().change_view(request, object_id, form_url, {**(extra_context or {}), **self.panel(request, case)})

    def panel(self, request: HttpRequest, case: Case) -> dict[str, Any]:
        service = get_service(case.service_code)
        acting = may_act(signed_in_user(request), case)
        actions = []
        if acting:
            for action in transitions.clerk_actions(case):
                if action == "verify_identity":
                    continue  # offered by the counter identity-check form below the decision buttons
                if transitions.clerk_action(case, action) != action:
                    continue  # an alias (``approve`` awaiting a post-check): its own button is already there
                actions.append({"action": action, "label": ACTION_LABELS[action], "tone": ACTION_TONES[action]})
        rating = Rating.objects.filter(case=case).first()
        follow_up = FollowUp.objects.filter(case=case).first()
        left = None
        if case.is_running and case.due_at is not None:
            left = clock.working_days_left(case.due_at)
        return {
            "case": case,
            "service_name": service_name(case.service_code),
            "service_mode": MODE_LABELS.get(case.mode, case.mode),
            "requires_face": bool(service and (service.requires_face or services.needs_principal_face(case, service))),
            "status_badge": self.status_badge(case),
            "overdue": case.is_overdue(),
            "working_days_left": left,
            "applicant": {
                "name": mask_name(case.resident.name),
                "id_number": case.resident.id_number_masked,
                "phone": mask_phone(case.applicant.phone),
                "household_id": case.household_id,
            },
            "form_rows": form_rows(case),
            "trace": trace_rows(case),
            "proposal_rows": dict_rows(case.proposal),
            # the result as the resident's app shows it (any module's outcomes, a new one's too), then the stored
            # decision as data, for the clerk who needs the exact values
            "decision_rows": outcomes.decision_rows(case.outcomes, case.decision),
            "decision_data_rows": dict_rows(case.decision) if case.decision else [],
            "access_rows": access_rows(case),
            "timeline": [
                {"event": event, "label": EVENT_LABELS.get(event.action, event.action)}
                for event in CaseEvent.objects.filter(case=case).select_related("actor")
            ],
            "rating": rating,
            "follow_up": follow_up,
            "follow_up_url": reverse("admin:cases_followup_change", args=[follow_up.pk]) if follow_up else None,
            "may_act": acting,
            "actions": actions,
            "can_verify_identity": acting and transitions.allows(case, "counter_verified"),
            "decide_url": reverse("admin:cases_case_decide", args=[case.pk]),
            "verify_url": reverse("admin:cases_case_verify_identity", args=[case.pk]),
            "read_only_reason": None if acting else self.read_only_reason(signed_in_user(request), case),
            "bundle": bundle_panel(signed_in_user(request), case),
        }

    @staticmethod
    def read_only_reason(user: User, case: Case) -> str:
        if case.is_final and not transitions.allows(case, "post_check"):
            return ""
        if permissions.sees_all_departments(user) and not permissions.is_department_clerk(user):
            return "督查人员只读：办件由承办部门窗口工作人员办理。 Supervisors have read-only access."
        return "您没有办理该办件的权限。 You may not act on this case."

    # -- actions: the same domain functions as the staff API -----------------------------------------------------
    def _case_for_action(self, request: HttpRequest, object_id: str) -> Case:
        case = self.get_object(request, unquote(object_id))  # another department's case: 404
        if not may_act(signed_in_user(request), case):
            raise PermissionDenied
        return case

    def _back_to_case(self, case_id: int) -> HttpResponseRedirect:
        return HttpResponseRedirect(reverse("admin:cases_case_change", args=[case_id]) + "#timeline")

    @staticmethod
    def _refused(request: HttpRequest, error: DomainError) -> None:
        detail = ""
        if error.fields:
            detail = "；".join(f"{k}: {', '.join(map(str, v))}" for k, v in error.fields.items())
            detail = f"（{detail}）"
        messages.error(request, f"{error.message}{detail} [{error.code}]")

    def decide_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        case = self._case_for_action(request, object_id)
        action = request.POST.get("action", "")
        meant = transitions.clerk_action(case, action)
        try:
            case = services.clerk_decide(signed_in_user(request), case.pk, action, request.POST.get("reason", ""))
        except DomainError as error:
            self._refused(request, error)
        else:
            label = ACTION_LABELS[meant]
            self.log_change(request, case, f"{label}: {request.POST.get('reason', '').strip()}".rstrip(": "))
            messages.success(request, f"{case.reference_no}：{label} → {case.get_status_display()}")
        return self._back_to_case(case.pk)

    def verify_identity_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        case = self._case_for_action(request, object_id)
        try:
            case = services.verify_identity_at_counter(
                signed_in_user(request),
                case.pk,
                request.POST.get("note", "").strip(),
                id_card_checked=request.POST.get("id_card_checked") in {"on", "true", "1"},
            )
        except DomainError as error:
            self._refused(request, error)
        else:
            self.log_change(request, case, "窗口核验身份 Identity verified at the counter")
            messages.success(
                request, f"{case.reference_no}：窗口核验身份完成 identity verified → {case.get_status_display()}"
            )
        return self._back_to_case(case.pk)


@admin.register(PostCheckCase)
class PostCheckCaseAdmin(IdNumberSearchMixin, CaseDisplayMixin, StaffScopedAdmin[Case]):
    """承诺制核查 The post-check queue: commitment-based approvals not yet post-checked, earliest deadline first."""

    list_display = ["reference_no", "service", "applicant_masked", "decided_at", "post_check", "overdue_post_check"]
    list_display_links = ["reference_no"]
    list_filter = [ServiceFilter]
    search_fields = ["reference_no"]
    id_number_owner = "resident"
    list_select_related = ["resident", "department"]
    actions = None
    fields = ["reference_no", "status"]
    change_form_template = "admin/cases/case/change_form.html"
    change_list_template = "admin/cases/case/change_list.html"
    ordering = ["post_check_due", "pk"]
    service_modes = (Mode.COMMITMENT,)

    def get_queryset(self, request: HttpRequest) -> CaseQuerySet:
        return case_rows(super().get_queryset(request)).awaiting_post_check()

    @admin.display(description=_("核查期限 Post-check due"), ordering="post_check_due")
    def post_check(self, case: Case) -> str:
        if case.post_check_due is None:
            return "—"
        days = (case.post_check_due - timezone.localdate()).days
        hint = f"剩 {days} 天 days left" if days >= 0 else f"超期 {-days} 天 days over"
        return format_html("{}<br><small>{}</small>", case.post_check_due.isoformat(), hint)

    @admin.display(description=_("逾期 Overdue"))
    def overdue_post_check(self, case: Case) -> str:
        due = case.post_check_due
        return badge("逾期 overdue", "bad") if due and due < timezone.localdate() else ""

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        case = self.get_object(request, unquote(object_id))
        case_admin = self.admin_site.get_model_admin(Case)
        if not isinstance(case_admin, CaseAdmin):
            raise ImproperlyConfigured("the post-check queue shows the case page of CaseAdmin")
        context = {**(extra_context or {}), **case_admin.panel(request, case), "post_check_queue": True}
        return super().change_view(request, object_id, form_url, context)


# -- 差评整改 follow-ups of bad ratings ----------------------------------------------------------------------------


@admin.register(FollowUp)
class FollowUpAdmin(StaffScopedAdmin[FollowUp]):
    """差评整改: every rating of 1–2 stars opens a task for the department; close it with what was done."""

    list_display = ["case_link", "service", "score", "comment", "opened", "state"]
    list_filter = [("closed_at", admin.EmptyFieldListFilter)]
    list_select_related = ["case", "case__rating"]
    search_fields = ["case__reference_no"]
    actions = None
    fields = ["case_link", "service", "score", "comment", "opened", "closed", "resolution"]
    readonly_fields = ["case_link", "service", "score", "comment", "opened", "closed"]
    # an expression, which Django takes in ``ordering`` (the stubs declare names only)
    ordering: ClassVar[list[Any]] = [F("closed_at").asc(nulls_first=True), "opened_at"]

    def has_change_permission(self, request: HttpRequest, obj: FollowUp | None = None) -> bool:
        user = request.user
        if obj is None:
            return permissions.is_department_clerk(user) and user.has_perm("cases.change_followup")
        return permissions.may_act(user, obj, "cases.change_followup") and obj.closed_at is None

    def get_form(self, request: HttpRequest, obj: FollowUp | None = None, change: bool = False, **kwargs: Any) -> Any:
        form = super().get_form(request, obj, change, **kwargs)
        if "resolution" in form.base_fields:
            field = form.base_fields["resolution"]
            field.required = True
            field.label = "整改情况 Resolution"
            field.help_text = "提交即关闭该整改任务，并记入办件时间线（申请人可见）。 Saving closes the task."
        return form

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        extra_context = {**(extra_context or {}), "show_save_and_continue": False}
        return super().change_view(request, object_id, form_url, extra_context)

    def save_model(self, request: HttpRequest, obj: FollowUp, form: Any, change: bool) -> None:
        try:
            services.close_follow_up(signed_in_user(request), obj.pk, form.cleaned_data["resolution"])
        except DomainError as error:
            raise PermissionDenied(str(error.message)) from error

    @admin.display(description=_("办件 Case"), ordering="case__reference_no")
    def case_link(self, follow_up: FollowUp) -> str:
        url = reverse("admin:cases_case_change", args=[follow_up.case_id])
        return format_html('<a href="{}">{}</a>', url, follow_up.case.reference_no)

    @admin.display(description=_("事项 Service"))
    def service(self, follow_up: FollowUp) -> str:
        return service_name(follow_up.case.service_code)

    @admin.display(description=_("评分 Score"))
    def score(self, follow_up: FollowUp) -> str:
        rating = getattr(follow_up.case, "rating", None)
        return "★" * rating.score + "☆" * (5 - rating.score) if rating else "—"

    @admin.display(description=_("评价内容 Comment"))
    def comment(self, follow_up: FollowUp) -> str:
        rating = getattr(follow_up.case, "rating", None)
        return rating.comment if rating else ""

    @admin.display(description=_("差评时间 Opened"), ordering="opened_at")
    def opened(self, follow_up: FollowUp) -> dt.datetime:
        return follow_up.opened_at

    @admin.display(description=_("整改完成 Closed"), ordering="closed_at")
    def closed(self, follow_up: FollowUp) -> dt.datetime | None:
        return follow_up.closed_at

    @admin.display(description=_("状态 State"), ordering="closed_at")
    def state(self, follow_up: FollowUp) -> str:
        return badge("已整改 closed", "ok") if follow_up.closed_at else badge("待整改 open", "wait")


# -- read-only records -----------------------------------------------------------------------------------------------


class CaseRecordAdmin(StaffScopedAdmin[M]):
    """Records an approval produced: scoped through the case's department, never edited here."""

    department_field = "case__department"
    actions = None

    @admin.display(description=_("办件 Case"), ordering="case__reference_no")
    def case_link(self, obj: Any) -> str:
        url = reverse("admin:cases_case_change", args=[obj.case_id])
        return format_html('<a href="{}">{}</a>', url, obj.case.reference_no)


@admin.register(Certificate)
class CertificateAdmin(CaseRecordAdmin[Certificate]):
    list_display = ["code", "title_zh", "case_link", "holder_masked", "issued_at", "valid_until", "validity"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    list_select_related = ["case", "holder"]
    search_fields = ["code", "case__reference_no"]
    fields = ("code", "title_zh", "title_en", "case_link", "holder_masked", "data", "issued_at", "valid_until")
    readonly_fields = fields

    @admin.display(description=_("持证人 Holder"))
    def holder_masked(self, cert: Certificate) -> str:
        return mask_name(cert.holder.name)

    @admin.display(description=_("状态 Validity"), ordering="revoked_at")
    def validity(self, cert: Certificate) -> str:
        return badge("有效 valid", "ok") if cert.revoked_at is None else badge("已撤销 revoked", "bad")


@admin.register(Payout)
class PayoutAdmin(CaseRecordAdmin[Payout]):
    list_display = ["case_link", "service", "amount", "account_masked", "paid_at"]
    list_select_related = ["case"]
    search_fields = ["case__reference_no"]
    fields = ("case_link", "service", "amount", "account_masked", "paid_at")
    readonly_fields = fields

    @admin.display(description=_("事项 Service"))
    def service(self, payout: Payout) -> str:
        return service_name(payout.case.service_code)

    @admin.display(description=_("收款账户 To account"))
    def account_masked(self, payout: Payout) -> str:
        return mask_account(payout.to_account)


@admin.register(SubsidyClaim)
class SubsidyClaimAdmin(CaseRecordAdmin[SubsidyClaim]):
    list_display = ["case_link", "service", "property_masked", "created_at"]
    list_select_related = ["case", "property"]
    search_fields = ["case__reference_no"]
    fields = ("case_link", "service", "property_masked", "created_at")
    readonly_fields = fields

    @admin.display(description=_("事项 Service"), ordering="service_code")
    def service(self, claim: SubsidyClaim) -> str:
        return service_name(claim.service_code)

    @admin.display(description=_("不动产 Property"))
    def property_masked(self, claim: SubsidyClaim) -> str:
        return mask_account(claim.property.certificate_no)


#: Who is reading the bundle page (a read-only field links only the member cases the reader may open).
_BUNDLE_READER: ContextVar[Any] = ContextVar("yiwang_bundle_admin_reader", default=None)


@admin.register(Bundle)
class BundleAdmin(StaffScopedAdmin[Bundle]):
    """一件事 Bundle applications, read-only: a clerk sees those with a member case of their department, a
    supervisor all; the decisions are taken on the member cases, each by its own department."""

    department_field = "members__case__department"
    list_display = ["reference_no", "bundle", "applicant_masked", "status", "submitted_at", "completed_at"]
    list_display_links = ["reference_no"]
    list_filter = ["status", "bundle_code"]
    search_fields = ["reference_no"]
    list_select_related = ["resident"]
    actions = None
    fields = ("reference_no", "bundle", "applicant_masked", "status", "submitted_at", "completed_at", "members_table")
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[Bundle]:
        return super().get_queryset(request).distinct()

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return permissions.is_staff_member(request.user) and request.user.has_perm("cases.view_case")

    @admin.display(description=_("一件事 Bundle"), ordering="bundle_code")
    def bundle(self, record: Bundle) -> str:
        return bundle_name(record.bundle_code)

    @admin.display(description=_("申请人 Applicant"))
    def applicant_masked(self, record: Bundle) -> str:
        return mask_name(record.resident.name)

    @admin.display(description=_("成员事项 Member services"))
    def members_table(self, record: Bundle) -> str:
        user = _BUNDLE_READER.get()
        rows = []
        for row in record.members.select_related("case__department").order_by("position"):
            case = row.case
            link = (
                format_html(
                    '<a href="{}">{}</a>', reverse("admin:cases_case_change", args=[case.pk]), case.reference_no
                )
                if case is not None and permissions.may_see(user, case)
                else (case.reference_no if case is not None else "—")
            )
            rows.append(
                format_html(
                    "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                    service_name(row.service_code),
                    case.department.name if case is not None else "—",
                    link,
                    case.get_status_display() if case is not None else row.get_state_display(),
                )
            )
        events = "".join(
            format_html(
                "<li>{} {} {}</li>",
                e.at.strftime("%Y-%m-%d %H:%M:%S"),
                service_name(e.service_code) if e.service_code else "",
                e.note,
            )
            for e in BundleEvent.objects.filter(bundle=record)
        )
        head = "<tr><th>事项 Service</th><th>部门 Department</th><th>办件 Case</th><th>状态 Status</th></tr>"
        return format_html(
            '<table class="yw-grid">{}{}</table><ul class="yw-bundle-events">{}</ul>',
            format_html(head),
            format_html("".join(rows)),
            format_html(events),
        )

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        token = _BUNDLE_READER.set(signed_in_user(request))
        try:
            response = super().change_view(request, object_id, form_url, extra_context)
            if isinstance(response, TemplateResponse):
                response.render()  # here, while the reader is known (a template response renders late)
            return response
        finally:
            _BUNDLE_READER.reset(token)
