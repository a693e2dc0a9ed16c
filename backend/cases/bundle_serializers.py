"""How a bundle application (一件事) is shown to its applicant: members with their results, what failed and why, the
resident's choices and one timeline merged from the bundle's lines and every member case's. Localised text is
rendered in the request's language. The representation is built directly (like the case timeline); the serializer
classes describe it for the schema and docs/API.md."""

from __future__ import annotations

from typing import Any, cast

from django.db.models import Prefetch
from rest_framework import serializers

from backend.accounts.departments import departments_by_code
from backend.accounts.models import Department
from backend.core.i18n import Text, is_english, localize
from backend.workflow import clock

from . import outcomes
from .discovery import get_bundle, get_service
from .models import Bundle, BundleEvent, BundleMember, BundleStatus, CaseEvent, MemberState, Status
from .serializers import DecisionRowSerializer, actor_label

_DATETIME = serializers.DateTimeField()

MEMBER_STATE_LABELS = {
    MemberState.WAITING: Text("等待前序事项办结", "Waiting for the services it needs"),
    MemberState.HELD: Text("前序事项未通过，暂缓办理", "Held: a service it needs was not approved"),
    MemberState.SKIPPED: Text("不再办理", "Not pursued"),
}
STATUS_LABELS = {
    BundleStatus.PENDING_FACE: Text("待刷脸核验", "Face check needed"),
    BundleStatus.IN_PROGRESS: Text("办理中", "In progress"),
    BundleStatus.ACTION_REQUIRED: Text("有事项未办成，待您确认", "A service was not approved: your choice"),
    BundleStatus.COMPLETED: Text("已办结", "Completed"),
    BundleStatus.PARTIALLY_COMPLETED: Text("部分办结", "Partly completed"),
    BundleStatus.WITHDRAWN: Text("已撤回", "Withdrawn"),
}


def _time(value: Any) -> str | None:
    return _DATETIME.to_representation(value) if value is not None else None


def _name(code: str, fallback_kind: str = "service") -> Text:
    found = get_bundle(code) if fallback_kind == "bundle" else get_service(code)
    return found.name if found is not None else Text(code, code)


def member_data(row: BundleMember, after: list[str], departments: dict[str, Department]) -> dict[str, Any]:
    case = row.case
    service = get_service(row.service_code)
    decision = case.decision if case is not None else None
    failed = row.failed
    code = case.department.code if case is not None else (service.department if service else "")
    department = case.department if case is not None else departments.get(code)
    data: dict[str, Any] = {
        "service": row.service_code,
        "service_name": str(_name(row.service_code)),
        "department": department.name if department else code,
        "department_code": code,
        "after": after,
        "status": case.status if case is not None else row.state,
        "status_label": str(case.get_status_display())
        if case is not None
        else str(MEMBER_STATE_LABELS[MemberState(row.state)]),
        "case_id": case.pk if case is not None else None,
        "reference_no": case.reference_no if case is not None else None,
        "due_at": _time(case.due_at) if case is not None else None,
        "working_days_left": clock.working_days_left(case.due_at)
        if case is not None and case.is_running and case.due_at
        else None,
        "decision": cast("dict[str, Any]", localize(decision)) if decision is not None else None,
        "decision_rows": outcomes.decision_rows(case.outcomes, decision)
        if case is not None and case.status == Status.APPROVED
        else [],
        "reason_code": (decision or {}).get("reason_code") if failed else None,
        "reason": localize((decision or {}).get("reason")) if failed else None,
    }
    return data


def timeline(record: Bundle, rows: list[BundleMember]) -> list[dict[str, Any]]:
    """The bundle's own lines and every member case's, in time order, each naming its service (from what
    :data:`BUNDLE_PREFETCH` loaded: a page of bundles costs the same queries as one)."""
    entries: list[tuple[Any, int, dict[str, Any]]] = []
    for event in record.events.all():
        entries.append(
            (
                event.at,
                0,
                {
                    "at": _time(event.at),
                    "service": event.service_code or None,
                    "status": event.status,
                    "action": event.action,
                    "actor": str(_actor(event, record.applicant_id)),
                    "note": (event.note_en or event.note) if is_english() else event.note,
                },
            )
        )
    for row in rows:
        if row.case is None:
            continue
        for line in row.case.events.all():
            entries.append(
                (
                    line.at,
                    1,
                    {
                        "at": _time(line.at),
                        "service": row.service_code,
                        "status": line.status,
                        "action": line.action,
                        "actor": actor_label(line, record.applicant_id),
                        "note": (line.note_en or line.note) if is_english() else line.note,
                    },
                )
            )
    return [entry for _at, _order, entry in sorted(entries, key=lambda e: (e[0], e[1]))]


def _actor(event: Any, applicant_id: int) -> str:
    from .actors import describe

    return str(describe(event.actor, applicant_id))


#: What :func:`bundle_data` reads, for a queryset of bundles (``Bundle.objects.prefetch_related(*BUNDLE_PREFETCH)``).
BUNDLE_PREFETCH = (
    Prefetch("events", queryset=BundleEvent.objects.select_related("actor__department").order_by("at", "id")),
    Prefetch("members", queryset=BundleMember.objects.select_related("case__department").order_by("position")),
    Prefetch("members__case__events", queryset=CaseEvent.objects.select_related("actor__department")),
)


def with_prefetch(record: Bundle) -> Bundle:
    """The bundle again with what :func:`bundle_data` reads (after a change, so nothing stale is shown)."""
    return Bundle.objects.prefetch_related(*BUNDLE_PREFETCH).get(pk=record.pk)


def bundle_data(record: Bundle, departments: dict[str, Department] | None = None) -> dict[str, Any]:
    """The applicant's view (``departments``: the city's, by code, when the caller has them: a list page)."""
    rows = list(record.members.all())
    bundle = get_bundle(record.bundle_code)
    after = {m.service: list(m.after) for m in bundle.members} if bundle else {}
    if departments is None:
        departments = departments_by_code() if any(row.case_id is None for row in rows) else {}
    members = [member_data(row, after.get(row.service_code, []), departments) for row in rows]
    failed = [
        {key: m[key] for key in ("service", "service_name", "reason_code", "reason")}
        for row, m in zip(rows, members, strict=True)
        if row.failed and row.acknowledged_at is None
    ]
    actions = []
    if record.status == BundleStatus.PENDING_FACE:
        actions.append("face_check")
    if record.status == BundleStatus.ACTION_REQUIRED:
        actions.append("continue")
    if not record.is_final:
        actions.append("withdraw")
    data: dict[str, Any] = {
        "reference_no": record.reference_no,
        "bundle": record.bundle_code,
        "name": str(_name(record.bundle_code, "bundle")),
        "status": record.status,
        "status_label": str(STATUS_LABELS[BundleStatus(record.status)]),
        "submitted_at": _time(record.submitted_at),
        "completed_at": _time(record.completed_at),
        "face_verified": record.face_verified_at is not None,
        "members": members,
        "failed": failed,
        "actions": actions,
        "timeline": timeline(record, rows),
    }
    return data


# -- shapes for the schema ---------------------------------------------------------------------------------------
class BundleMemberSerializer(serializers.Serializer[Any]):
    service = serializers.CharField()
    service_name = serializers.CharField()
    department = serializers.CharField(help_text="the department's name")
    department_code = serializers.CharField()
    after = serializers.ListField(child=serializers.CharField(), help_text="members whose approval it waits for")
    status = serializers.CharField(help_text="its case's status, or waiting / held / skipped before it has one")
    status_label = serializers.CharField()
    case_id = serializers.IntegerField(allow_null=True)
    reference_no = serializers.CharField(allow_null=True, help_text="the member case's own reference")
    due_at = serializers.DateTimeField(allow_null=True)
    working_days_left = serializers.IntegerField(allow_null=True)
    decision = serializers.JSONField(allow_null=True)
    decision_rows = DecisionRowSerializer(many=True)
    reason_code = serializers.CharField(allow_null=True, help_text="why it failed (rejected, revoked, withdrawn)")
    reason = serializers.CharField(allow_null=True)


class BundleFailureSerializer(serializers.Serializer[Any]):
    service = serializers.CharField()
    service_name = serializers.CharField()
    reason_code = serializers.CharField(allow_null=True)
    reason = serializers.CharField(allow_null=True)


class BundleTimelineEntrySerializer(serializers.Serializer[Any]):
    at = serializers.DateTimeField()
    service = serializers.CharField(allow_null=True, help_text="the member it is about; null for the bundle")
    status = serializers.CharField()
    action = serializers.CharField()
    actor = serializers.CharField()
    note = serializers.CharField()


class BundleApplicationSerializer(serializers.Serializer[Any]):
    """Describes :func:`bundle_data` (and renders it: ``to_representation`` is the dict itself)."""

    reference_no = serializers.CharField()
    bundle = serializers.CharField(help_text="the bundle's code")
    name = serializers.CharField()
    status = serializers.CharField(
        help_text="pending_face, in_progress, action_required, completed, partially_completed, withdrawn"
    )
    status_label = serializers.CharField()
    submitted_at = serializers.DateTimeField()
    completed_at = serializers.DateTimeField(allow_null=True)
    face_verified = serializers.BooleanField()
    members = BundleMemberSerializer(many=True)
    failed = BundleFailureSerializer(many=True, help_text="members that failed and wait for your choice")
    actions = serializers.ListField(child=serializers.CharField(), help_text="face_check, continue, withdraw")
    timeline = BundleTimelineEntrySerializer(many=True)

    def to_representation(self, instance: Bundle) -> dict[str, Any]:
        # the list view prefetches BUNDLE_PREFETCH and hands the departments in once
        return bundle_data(instance, self.context.get("departments"))


class BundleApplyRequestSerializer(serializers.Serializer[Any]):
    form = serializers.JSONField(required=False, default=dict, help_text="the shared form (GET /bundles/{code})")
    consent = serializers.JSONField(required=False, default=False, help_text="must be the JSON literal true")  # type: ignore[arg-type]
