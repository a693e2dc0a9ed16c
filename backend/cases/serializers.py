"""Case representations. Localised text (stored as {"zh", "en"}) is rendered in the request's language."""

from __future__ import annotations

from typing import Any, cast

from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from backend.core.i18n import is_english, localize, pick
from backend.core.ids import IdField
from backend.core.inputs import Judged
from backend.core.masking import mask_name
from backend.workflow import clock

from . import actors, identifiers, outcomes, services, transitions
from .certificates import VERIFY_PATH, qr_png_data_uri
from .discovery import get_service
from .models import Case, Certificate, FollowUp

# ``localize`` keeps the shape of what it is given (a stored dict stays a dict): the casts below say so.


def masked_form(case: Case) -> dict[str, Any]:
    """The form as shown (DESIGN §3.2): identifiers are stored masked already (see identifiers.py)."""
    return identifiers.mask(get_service(case.service_code), case.form)


_DATETIME = serializers.DateTimeField()  # formats like every other timestamp in the API (ISO 8601, local zone)


def timeline_entry(event: Any, applicant_id: int | None = None) -> dict[str, Any]:
    """One timeline line as :class:`TimelineEntrySerializer` documents it, built directly: a nested serializer per
    case deep-copies its fields every time, which was ~40 % of the CPU of ``GET /cases`` (docs/PERFORMANCE.md).

    The actor and system notes are rendered in the reader's language (the stored ``actor_label`` is the record)."""
    return {
        "at": _DATETIME.to_representation(event.at),
        "status": event.status,
        "action": event.action,
        "actor": actor_label(event, applicant_id),
        "note": (event.note_en or event.note) if is_english() else event.note,
    }


def actor_label(event: Any, applicant_id: int | None = None) -> str:
    """Who acted, in the reader's language: the system, the applicant, or a clerk with their department (loaded
    only for clerks' lines, and with the events by the list views' prefetch)."""
    if event.actor_id is not None and event.actor_id == applicant_id:
        return str(actors.APPLICANT)  # no need to load the user
    return str(actors.describe(event.actor, applicant_id))


def rating_data(rating: Any) -> dict[str, Any]:
    """A rating as :class:`RatingSerializer` documents it (built directly, for the same reason)."""
    return {
        "score": rating.score,
        "comment": rating.comment,
        "created_at": _DATETIME.to_representation(rating.created_at),
    }


class TimelineEntrySerializer(serializers.Serializer[Any]):
    at = serializers.DateTimeField()
    status = serializers.CharField()
    action = serializers.CharField()
    actor = serializers.CharField(source="actor_label")
    note = serializers.CharField()


class RuleTraceEntrySerializer(serializers.Serializer[Any]):
    """One rule of a decision or an eligibility dry run (cases/evaluation.py), rendered in the reader's language."""

    code = serializers.CharField(help_text="the rule's reason_code")
    # A declared field named like a Field attribute: the serializer metaclass pops it off the class, the stubs
    # only see the clash (also ``data`` below). The names are the contract (docs/API.md).
    label = serializers.CharField()  # type: ignore[assignment]
    passed = serializers.BooleanField(allow_null=True, help_text="null: not applicable")
    values = serializers.DictField(help_text="the registry values the rule used")
    message = serializers.CharField(allow_null=True, help_text="why it failed")


class DecisionRowSerializer(serializers.Serializer[Any]):
    """One display row of an outcome (cases/outcomes.py), in the reader's language."""

    label = serializers.CharField()  # type: ignore[assignment]  # see RuleTraceEntrySerializer.label
    value = serializers.CharField()


class RatingSerializer(serializers.Serializer[Any]):
    score = serializers.IntegerField(min_value=1, max_value=5)
    comment = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")
    created_at = serializers.DateTimeField(read_only=True)


class CaseSerializer(serializers.ModelSerializer[Case]):
    service = serializers.CharField(source="service_code")
    service_name = serializers.SerializerMethodField()
    status_label = serializers.SerializerMethodField()
    decision = serializers.SerializerMethodField()
    decision_rows = serializers.SerializerMethodField()
    timeline = serializers.SerializerMethodField()
    rule_trace = serializers.SerializerMethodField()
    rating = serializers.SerializerMethodField()
    working_days_left = serializers.SerializerMethodField()
    overdue = serializers.SerializerMethodField()
    actions = serializers.SerializerMethodField()
    requires_face = serializers.SerializerMethodField()
    principal_face_required = serializers.SerializerMethodField(
        help_text="亲情代办: the delegate's face passed and the applicant's own face is the check still due"
    )
    department = serializers.CharField(source="department.name")
    form = serializers.SerializerMethodField()

    class Meta:
        model = Case
        fields = [
            "id",
            "reference_no",
            "service",
            "service_name",
            "department",
            "mode",
            "status",
            "status_label",
            "submitted_at",
            "due_at",
            "working_days_left",
            "overdue",
            "form",
            "decision",
            "decision_rows",
            "rule_trace",
            "post_check_due",
            "timeline",
            "rating",
            "requires_face",
            "principal_face_required",
            "actions",
        ]

    def get_service_name(self, case: Case) -> str:
        service = get_service(case.service_code)
        return str(service.name) if service else case.service_code

    def get_status_label(self, case: Case) -> str:
        # A method field, not source="get_status_display": DRF inspects the signature of a callable source on
        # every row (~5 % of GET /cases).
        return str(case.get_status_display())

    def get_form(self, case: Case) -> dict[str, Any]:
        return masked_form(case)

    def get_requires_face(self, case: Case) -> bool:
        service = get_service(case.service_code)
        return bool(service and (service.requires_face or services.needs_principal_face(case, service)))

    def get_principal_face_required(self, case: Case) -> bool:
        return services.principal_face_awaited(case)

    def get_decision(self, case: Case) -> dict[str, Any] | None:
        return cast("dict[str, Any]", localize(case.decision)) if case.decision is not None else None

    @extend_schema_field(DecisionRowSerializer(many=True))
    def get_decision_rows(self, case: Case) -> list[dict[str, str]]:
        return outcomes.decision_rows(case.outcomes, case.decision)

    @extend_schema_field(RuleTraceEntrySerializer(many=True))
    def get_rule_trace(self, case: Case) -> list[dict[str, Any]]:
        return cast("list[dict[str, Any]]", localize(case.rule_trace))

    @extend_schema_field(TimelineEntrySerializer(many=True))
    def get_timeline(self, case: Case) -> list[dict[str, Any]]:
        return [timeline_entry(event, case.applicant_id) for event in case.events.all()]

    @extend_schema_field(RatingSerializer(allow_null=True))
    def get_rating(self, case: Case) -> dict[str, Any] | None:
        rating = getattr(case, "rating", None)
        return rating_data(rating) if rating else None

    def get_working_days_left(self, case: Case) -> int | None:
        if not case.is_running or case.due_at is None:
            return None
        return clock.working_days_left(case.due_at)

    def get_overdue(self, case: Case) -> bool:
        return case.is_overdue()

    def get_actions(self, case: Case) -> list[str]:
        return transitions.resident_actions(case)


class CaseCreateSerializer(serializers.Serializer[Any]):
    service = serializers.CharField(max_length=80)
    form = serializers.JSONField(required=False, default=dict)
    # any JSON value may be the default (the stubs expect a mapping); the domain judges it (services.submit)
    consent = serializers.JSONField(
        required=False,
        default=False,  # type: ignore[arg-type]
        help_text="must be the JSON literal true",
    )
    draft = IdField(required=False, allow_null=True, help_text="the caller's draft it resumes: deleted with the case")


class CaseUpdateSerializer(serializers.Serializer[Any]):
    # Correct a returned case. Only ``form`` is read (``status`` and the rest are ignored: mass assignment); the
    # engine judges it against the service's schema after it has found the case to be the caller's.

    form = Judged(serializers.JSONField())


# -- inputs judged by the engine ---------------------------------------------------------------------------------
# The engine looks the case up before it judges these values (another's case is 404 whatever the body), and its
# checks carry the contract's codes (``validation_error`` for a score outside 1..5, ``reason_required``...): the
# serializers below describe the bodies and hand the values on (backend/core/inputs.py).


@extend_schema_serializer(component_name="Rating")  # request component "RatingRequest", as before
class RatingCreateSerializer(serializers.Serializer[Any]):
    score = Judged(serializers.IntegerField(min_value=1, max_value=5))
    comment = Judged(
        serializers.CharField(required=False, allow_blank=True, max_length=500, default=""),
        text=True,
    )


class StaffDecideSerializer(serializers.Serializer[Any]):
    action = Judged(
        serializers.CharField(required=False, help_text=", ".join(transitions.CLERK_ACTIONS)),
    )
    reason = Judged(
        serializers.CharField(
            required=False, allow_blank=True, help_text="shown to the applicant; required to reject, return, revoke"
        ),
        text=True,
    )


class CounterIdentitySerializer(serializers.Serializer[Any]):
    note = Judged(serializers.CharField(required=False, allow_blank=True), text=True)
    id_card_checked = serializers.BooleanField(
        required=False, default=True, help_text="the clerk checked the original ID card (false: 400 id_card_required)"
    )


class FollowUpCloseSerializer(serializers.Serializer[Any]):
    resolution = Judged(
        serializers.CharField(required=False, allow_blank=True, help_text="what the department did"), text=True
    )


class FollowUpSerializer(serializers.ModelSerializer[FollowUp]):
    reference_no = serializers.CharField(source="case.reference_no")
    case_id = serializers.IntegerField(source="case.pk")
    score = serializers.IntegerField(source="case.rating.score")
    comment = serializers.CharField(source="case.rating.comment")

    class Meta:
        model = FollowUp
        fields = ["id", "case_id", "reference_no", "score", "comment", "opened_at", "closed_at", "resolution"]


class StaffCaseSerializer(CaseSerializer):
    """What a clerk sees: the applicant (masked), the proposal, and the actions the clerk may take."""

    applicant = serializers.SerializerMethodField()
    proposal = serializers.SerializerMethodField()
    follow_up = serializers.SerializerMethodField()

    class Meta(CaseSerializer.Meta):
        fields = [*CaseSerializer.Meta.fields, "applicant", "proposal", "post_checked_at", "follow_up"]

    def get_applicant(self, case: Case) -> dict[str, Any]:
        return {"name": mask_name(case.resident.name), "id_number": case.resident.id_number_masked}

    def get_proposal(self, case: Case) -> dict[str, Any]:
        return cast("dict[str, Any]", localize(case.proposal))

    def get_actions(self, case: Case) -> list[str]:
        return transitions.clerk_actions(case)

    def get_follow_up(self, case: Case) -> dict[str, Any] | None:
        follow_up: FollowUp | None = getattr(case, "follow_up", None)
        return {"opened_at": follow_up.opened_at, "closed_at": follow_up.closed_at} if follow_up else None


class CertificateSerializer(serializers.ModelSerializer[Certificate]):
    title = serializers.SerializerMethodField()
    reference_no = serializers.CharField(source="case.reference_no")
    valid = serializers.SerializerMethodField()
    verify_url = serializers.SerializerMethodField()
    qr = serializers.SerializerMethodField()
    data = serializers.SerializerMethodField()  # type: ignore[assignment]  # see RuleTraceEntrySerializer.label

    class Meta:
        model = Certificate
        fields = [
            "id",
            "code",
            "title",
            "reference_no",
            "issued_at",
            "valid_until",
            "valid",
            "data",
            "verify_url",
            "qr",
        ]

    def get_title(self, cert: Certificate) -> str:
        return pick(cert.title_zh, cert.title_en)

    def get_valid(self, cert: Certificate) -> bool:
        return cert.revoked_at is None

    def get_data(self, cert: Certificate) -> dict[str, Any]:
        return cast("dict[str, Any]", localize(cert.data))

    def get_verify_url(self, cert: Certificate) -> str:
        request = self.context.get("request")
        path = f"{VERIFY_PATH}{cert.code}"
        return request.build_absolute_uri(path) if request else path

    def get_qr(self, cert: Certificate) -> str:
        return qr_png_data_uri(self.get_verify_url(cert))


class CertificateVerificationSerializer(serializers.ModelSerializer[Certificate]):
    """Public: enough to trust the paper (or screen) in front of you, nothing more."""

    title = serializers.CharField(source="title_zh")
    title_en = serializers.CharField()
    valid = serializers.SerializerMethodField()
    status = serializers.SerializerMethodField()
    holder = serializers.SerializerMethodField()

    class Meta:
        model = Certificate
        fields = ["code", "title", "title_en", "valid", "status", "holder", "issued_at", "valid_until"]

    def get_valid(self, cert: Certificate) -> bool:
        return cert.revoked_at is None

    def get_status(self, cert: Certificate) -> str:
        return "valid" if cert.revoked_at is None else "revoked"

    def get_holder(self, cert: Certificate) -> str:
        return mask_name(cert.holder.name)
