"""Typed async client of the Yiwang API (DESIGN.md §3).

The client is plain Python over ``httpx.AsyncClient``: no Flet import, so controllers and tests use it directly.
Every failure becomes an :class:`ApiError` carrying the server's ``code``/``message``/``fields`` (the server's
words are shown to the resident as they are: the app holds no business rules). A network failure or timeout is a
:class:`NetworkError` with a plain "check your connection and retry" message in the current language.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any, Generic, Literal, NotRequired, TypedDict, TypeVar, cast

import httpx

from mobileapp import i18n

ALLAUTH = "/_allauth/app/v1"
API = "/api/v1"


class ApiError(Exception):
    """An error answer of the API (``{"error": {"code", "message", "fields"?}}``) or a transport failure."""

    def __init__(
        self,
        code: str,
        message: str,
        fields: dict[str, Any] | None = None,
        status: int = 0,
        advice: FaceAdvice | None = None,
    ) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.code = code
        self.message = message
        self.fields = fields or {}
        self.status = status
        self.advice = advice  # a face photo that could not be judged (422): what to change

    @property
    def retryable(self) -> bool:
        """Worth a "try again" button: the network, a timeout, or a server-side failure."""
        return self.status == 0 or self.status >= 500 or self.code in {"throttled", "face_locked"}

    def field_messages(self) -> dict[str, str]:
        """``fields`` flattened to one message per field (DRF gives lists of strings)."""
        out: dict[str, str] = {}
        for key, value in self.fields.items():
            if isinstance(value, list):
                out[key] = "；".join(str(v) for v in value)
            elif isinstance(value, dict):
                out[key] = "；".join(f"{k}: {v}" for k, v in value.items())
            else:
                out[key] = str(value)
        return out


class NetworkError(ApiError):
    """The server could not be reached (or did not answer in time)."""

    def __init__(self, language: str, detail: str = "") -> None:
        super().__init__("network_error", i18n.translate("error.network", language), status=0)
        self.detail = detail


class NotAvailable(ApiError):
    """The endpoint does not exist on this server (404 on a collection path): a feature not deployed yet."""


# ---- answers: what the server returns (OpenAPI schema at /api/v1/schema/ and the serializers behind it) ----
#
# One shape per answer, as the server sends it today; the app reads nothing else. Answers may carry more members
# later (additions are allowed by the contract): the app ignores what it does not know. tests/mobileapp checks
# these types against the live backend's answers (``test_api_client.test_answers_have_the_types_of_api_py``).

T = TypeVar("T")

ServiceMode = Literal["instant", "review", "commitment"]
CaseStatus = Literal["pending_face", "in_review", "returned", "approved", "rejected", "withdrawn", "revoked"]
CaseAction = Literal["face_check", "withdraw", "resubmit", "rate"]
EventStatus = Literal["received", "dispatched", "in_progress", "resolved", "closed"]
BookingStatus = Literal["booked", "cancelled", "no_show", "attended"]
#: ``identity_check``: an in-person identity check for a case whose face check the resident could not pass.
BookingPurpose = Literal["service", "identity_check"]


class Page(TypedDict, Generic[T]):
    """A paginated list (``?page=``, 20 a page)."""

    count: int
    next: str | None
    previous: str | None
    results: list[T]


class Department(TypedDict):
    code: str
    name: str
    name_en: str


class Profile(TypedDict):
    """``GET /me``: identifiers masked; ``language`` is the language of push notifications (zh-hans or en)."""

    id: int
    phone: str
    role: str
    department: Department | None
    real_name_verified: bool
    name: str
    id_number: str | None
    face_enrolled: bool
    language: str


class Service(TypedDict):
    """A catalogue entry: ``department`` and ``category`` are display names in the request's language."""

    code: str
    name: str
    name_en: str
    department: str
    department_code: str
    category: str
    mode: ServiceMode
    requires_face: bool
    time_limit_days: int | None
    summary: str


class DataItem(TypedDict):
    """A registry item a service reads (``department``: its name)."""

    key: str
    label: str
    department: str
    department_code: str
    purpose: str


class ServiceDetail(Service):
    post_check_days: int | None
    steps: list[str]
    form: dict[str, Any]  # JSON Schema (mobileapp.forms reads it)
    data_items: list[DataItem]
    issues_certificate: bool


class PrefillItem(DataItem):
    value: Any  # masked by the server: a string, number, bool, record or list of records
    updated_at: str | None


class Prefill(TypedDict):
    """``GET /services/{code}/prefill``: the consent screen."""

    service: str
    items: list[PrefillItem]
    consent_text: str


class RuleCheck(TypedDict):
    """One line of a rule trace. ``passed`` is None for a rule that could not be judged yet (eligibility)."""

    code: str
    label: str
    passed: bool | None
    values: dict[str, Any]
    message: str | None


class Eligibility(TypedDict):
    service: str
    eligible: bool
    reason_code: str | None
    rule_trace: list[RuleCheck]


class Decision(TypedDict, total=False):
    """A case's outcome. Each service module writes its own members; these are the seed services' (DESIGN §3.7):
    payout ``amount``/``to_account_masked``, assignment ``school``/``category``/``enrolment_year``, waitlist
    ``waitlist_number``, subsidy ``monthly_amount``/``months``/``total``, an issued certificate's ``certificate_id``/
    ``certificate_code``; a rejection ``reason_code``/``reason``; a revocation adds ``revoked_reason``."""

    type: str
    amount: str
    to_account_masked: str
    reason: str  # a rejection's words (the provident-fund payout also records the form's reason code here)
    school: str
    category: str
    enrolment_year: int
    waitlist_number: int
    monthly_amount: str
    months: int
    total: str
    certificate_id: int
    certificate_code: str
    reason_code: str
    revoked_reason: str


class DecisionRow(TypedDict):
    """One display row of a case's outcome, rendered by the server in the request's language: shown as it is."""

    label: str
    value: str


class TimelineEntry(TypedDict):
    at: str
    status: str
    action: str
    actor: str
    note: str


class Rating(TypedDict):
    score: int
    comment: str
    created_at: str


class Case(TypedDict):
    """A case (``service``: the service's code; ``department``: its name). ``actions``: what the resident may do
    now (the server decides); ``working_days_left`` is None while the clock is stopped or the case is final."""

    id: int
    reference_no: str
    service: str
    service_name: str
    department: str
    mode: ServiceMode
    status: CaseStatus
    status_label: str
    submitted_at: str
    due_at: str | None
    working_days_left: int | None
    overdue: bool
    form: dict[str, Any]
    decision: Decision | None
    # The outcome as rows (issue 13): any service's result, a new one's too, without knowing its keys. Absent from
    # servers before it; mobileapp.decisions then falls back to reading the seed services' members.
    decision_rows: NotRequired[list[DecisionRow]]
    rule_trace: list[RuleCheck]
    post_check_due: str | None
    timeline: list[TimelineEntry]
    rating: Rating | None
    requires_face: bool
    # 亲情代办, a service that wants the applicant in person: the delegate's face passed, the applicant's is next.
    principal_face_required: NotRequired[bool]
    actions: list[CaseAction]


class Draft(TypedDict):
    """A saved, unsubmitted application (``form``: the answers so far, identifiers masked). ``updated_at`` is sent
    back as ``base_updated_at`` so a save from a stale device is refused (409 ``draft_changed``)."""

    id: int
    service: str
    service_name: str
    form: dict[str, Any]
    created_at: str
    updated_at: str
    expires_at: str


class Challenge(TypedDict):
    challenge_id: str
    expires_at: str
    actions: list[str]


class FaceAdvice(TypedDict):
    """What a refused resident is told: plain words, never a score (docs/API.md, Object: FaceAdvice)."""

    code: str
    message: str
    next: list[str]  # "retry", "counter_appointment"
    other_paths: str


class BundleMemberService(TypedDict):
    """A member service of a bundle (一件事), as the catalogue lists it."""

    service: str
    name: str
    department: str
    department_code: str
    mode: ServiceMode
    time_limit_days: int
    requires_face: bool
    after: list[str]


class Bundle(TypedDict):
    """``GET /bundles``: one entry for several departments' services applied for once."""

    code: str
    name: str
    name_en: str
    category: str
    summary: str
    requires_face: bool
    members: list[BundleMemberService]


class BundleConsentItem(TypedDict):
    key: str
    label: str
    purposes: list[str]
    services: list[str]


class BundleConsentDepartment(TypedDict):
    department: str
    department_code: str
    items: list[BundleConsentItem]


class BundleDetail(Bundle):
    form: dict[str, Any]  # JSON Schema of the shared form
    consent: list[BundleConsentDepartment]


class BundlePrefillDepartment(TypedDict):
    department: str
    department_code: str
    items: list[PrefillItem]


class BundlePrefill(TypedDict):
    bundle: str
    departments: list[BundlePrefillDepartment]
    consent_text: str


class BundleMember(TypedDict):
    """One member of a bundle application: its case's status and result, or ``waiting``/``held``/``skipped``."""

    service: str
    service_name: str
    department: str
    department_code: str
    after: list[str]
    status: str
    status_label: str
    case_id: int | None
    reference_no: str | None
    due_at: str | None
    working_days_left: int | None
    decision: Decision | None
    decision_rows: list[DecisionRow]
    reason_code: str | None
    reason: str | None


class BundleFailure(TypedDict):
    service: str
    service_name: str
    reason_code: str | None
    reason: str | None


class BundleTimelineEntry(TypedDict):
    at: str
    service: str | None
    status: str
    action: str
    actor: str
    note: str


class BundleApplication(TypedDict):
    """``GET /me/bundles/{ref}``: one reference, every member's result, what failed, the resident's choices."""

    reference_no: str
    bundle: str
    name: str
    status: str
    status_label: str
    submitted_at: str
    completed_at: str | None
    face_verified: bool
    members: list[BundleMember]
    failed: list[BundleFailure]
    actions: list[str]
    timeline: list[BundleTimelineEntry]


class FaceResult(TypedDict):
    verified: bool
    attempts_left: int
    case: NotRequired[Case]  # a verified challenge for a case: the case, moved on
    bundle: NotRequired[BundleApplication]  # a verified challenge for a bundle (一件事): the bundle, moved on
    advice: NotRequired[FaceAdvice]  # not verified: what to change, and the counter as another way


class FaceEnrolled(TypedDict):
    face_enrolled: bool
    enrolled_at: str
    model_version: str


class NoticeTarget(TypedDict, total=False):
    """What a notice is about: ``{"type": "case", "id", "reference_no"}``, ``{"type": "event"|"appointment", "id"}``,
    ``{"type": "bundle", "reference_no"}`` (一件事)."""

    type: str
    id: int
    reference_no: str


class Notification(TypedDict):
    id: int
    kind: str
    title: str
    body: str
    target: NoticeTarget
    created_at: str
    read: bool
    read_at: str | None


class NotificationPage(Page[Notification]):
    unread: int  # all unread notices of the resident, not only this page's


class ReadAll(TypedDict):
    updated: int


class CaseRef(TypedDict):
    id: int
    reference_no: str


class DataAccess(TypedDict):
    """One registry read about the resident. ``items`` are registry keys, ``item_labels`` their names."""

    id: int
    at: str
    department: str
    department_code: str
    items: list[str]
    item_labels: list[str]
    purpose: str
    actor_type: Literal["system", "clerk", "resident"]
    actor: str
    case: CaseRef | None
    # 免申即享: a read by the city's scan, nobody asked (absent from servers before it)
    proactive_scan: NotRequired[bool]


OfferStatus = Literal["offered", "confirmed", "declined", "expired"]


class OfferDataUsed(TypedDict):
    """The registry items a 免申即享 scan read, of one department."""

    department: str
    department_code: str
    items: list[str]
    item_labels: list[str]


class OfferCase(TypedDict):
    id: int
    reference_no: str
    status: CaseStatus
    status_label: str


class Offer(TypedDict):
    """免申即享: a service the city offers without an application. ``rule_trace`` is why; ``data_used`` what the
    scan read; ``proposal`` what the rules lead to (``amount``, ``monthly_amount`` and ``months``…)."""

    id: int
    service: str
    service_name: str
    summary: str
    status: OfferStatus
    status_label: str
    period_key: str
    proposal: dict[str, Any]
    requires_face: bool
    rule_trace: list[RuleCheck]
    data_used: list[OfferDataUsed]
    created_at: str
    decided_at: str | None
    expired_at: str | None
    case: OfferCase | None


class OfferConfirmed(TypedDict):
    offer: Offer
    case: Case


class Certificate(TypedDict):
    """An e-certificate: ``code`` is the verification code, ``qr`` a PNG data URI of ``verify_url``."""

    id: int
    code: str
    title: str
    reference_no: str
    issued_at: str
    valid_until: str | None
    valid: bool
    data: dict[str, Any]  # the decision it certifies (e.g. school, category, enrolment_year)
    verify_url: str
    qr: str


class CertificateVerification(TypedDict):
    code: str
    title: str
    title_en: str
    valid: bool
    status: str
    holder: str
    issued_at: str
    valid_until: str | None


class DepartmentName(TypedDict):
    code: str
    name: str


class EventCategory(TypedDict):
    code: str
    name: str
    description: str
    group: str
    department: DepartmentName | None
    response_hours: int
    resolution_hours: int
    attributes: Any


class EventCategoryName(TypedDict):
    code: str
    name: str


class EventReport(TypedDict):
    """A city problem report as the list shows it (``GET /events``; the detail adds ``timeline``)."""

    id: int
    category: EventCategoryName
    status: EventStatus
    description: str
    lat: float
    long: float
    address: str
    district: str
    department: DepartmentName | None
    attributes: Any
    photo_url: str | None
    media_url: str
    duplicate_of: int | None
    notice: str
    source: str
    created_at: str
    updated_at: str
    response_due_at: str
    resolution_due_at: str
    responded_at: str | None
    resolved_at: str | None
    closed_at: str | None
    overdue: bool
    rating: EventRating | None


class EventRating(TypedDict):
    score: int
    comment: str
    at: str | None


class EventTimelineEntry(TypedDict):
    at: str
    action: str
    status: str
    actor: str  # by role for the resident: 本人 / the department / 系统
    department: DepartmentName | None
    note: str


class EventDetail(EventReport):
    timeline: list[EventTimelineEntry]


class Slot(TypedDict):
    id: int
    venue: int
    venue_name: str
    service: str
    service_name: str
    starts_at: str
    ends_at: str
    capacity: int
    remaining: int


class VenueRef(TypedDict):
    id: int
    name: str
    address: str
    kind: str


class Booking(TypedDict):
    id: int
    status: BookingStatus
    slot: Slot
    venue: VenueRef
    created_at: str
    cancelled_at: str | None
    purpose: BookingPurpose
    case: int | None
    bring: list[str]  # what to bring, in the reader's language (an identity check: the original ID card)


MandateStatus = Literal["invited", "active", "ended", "expired", "declined"]
MandateRelation = Literal["household", "clerk_confirmed", "guardian"]


class Person(TypedDict):
    """The other side of a mandate: masked name and phone only."""

    name: str
    phone: str


class Mandate(TypedDict):
    """亲情代办: ``principal`` lets ``delegate`` act for them; ``scope`` is ``["all"]`` or service codes."""

    id: int
    principal: Person
    delegate: Person
    relation: MandateRelation
    scope: list[str]
    status: MandateStatus
    created_at: str
    starts_at: str
    ends_at: str
    accepted_at: str | None
    ended_at: str | None


class MandateList(TypedDict):
    as_principal: list[Mandate]
    as_delegate: list[Mandate]


#: The endpoints a delegate may call for the principal (docs/API.md "Family delegation"): the header goes to these
#: only, so the rest of the app (inbox, profile, the delegations screen) keeps working while acting for someone.
ACTING_PATHS = (
    f"{API}/services",
    f"{API}/cases",
    f"{API}/face/challenges",
    f"{API}/face/verify",
    f"{API}/me/offers",  # 免申即享: a family member confirms what the city offered the principal
)


def new_idempotency_key() -> str:
    """One key per submission attempt: a retry of the same attempt reuses it, a new attempt gets a new one."""
    return str(uuid.uuid4())


class ApiClient:
    """One resident's connection to the API. ``token`` is the allauth session token (``X-Session-Token``)."""

    def __init__(
        self,
        base_url: str,
        *,
        token: str | None = None,
        language: str = i18n.DEFAULT_LANGUAGE,
        timeout: float = 30.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        #: 亲情代办: the mandate id sent as ``X-Acting-For`` on the catalogue, case and face-check calls; None: oneself.
        self.acting_for: int | None = None
        #: The principal's name as the server shows it (张*国), for the "acting for" banner on every screen.
        self.acting_name: str = ""
        self.language = language
        self._timeout = timeout
        self._transport = transport
        self._http = self._new_http()

    def _new_http(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(base_url=self.base_url, timeout=self._timeout, transport=self._transport)

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> ApiClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    # ---- transport ----

    def _headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        headers = {"Accept": "application/json", "Accept-Language": "en" if self.language == "en" else "zh-CN"}
        if self.token:
            headers["X-Session-Token"] = self.token
        if extra:
            headers.update(extra)
        return headers

    async def _send(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: dict[str, Any] | None = None,
        data: dict[str, Any] | None = None,
        files: Sequence[tuple[str, tuple[str, bytes, str]]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        if params:
            params = {k: v for k, v in params.items() if v not in (None, "")}
        if self._http.is_closed:  # closed with a previous connection of the same session: open again
            self._http = self._new_http()
        if self.acting_for is not None and path.startswith(ACTING_PATHS):
            headers = {**(headers or {}), "X-Acting-For": str(self.acting_for)}
        try:
            return await self._http.request(
                method, path, json=json, params=params, data=data, files=files, headers=self._headers(headers)
            )
        except (httpx.TransportError, httpx.TimeoutException) as exc:
            raise NetworkError(self.language, repr(exc)) from exc

    def _error(self, response: httpx.Response) -> ApiError:
        status = response.status_code
        try:
            body = response.json()
        except ValueError:
            body = None
        if isinstance(body, dict) and isinstance(body.get("error"), dict):
            err = body["error"]
            advice = err.get("advice") if isinstance(err.get("advice"), dict) else None
            return ApiError(
                err.get("code", "error"), str(err.get("message", "")), err.get("fields"), status, advice=advice
            )
        if isinstance(body, dict) and isinstance(body.get("errors"), list) and body["errors"]:
            # allauth headless: {"status", "errors": [{"message", "code", "param"}]}
            first = body["errors"][0]
            fields: dict[str, Any] = {}
            for item in body["errors"]:
                if item.get("param"):
                    fields.setdefault(item["param"], []).append(item.get("message", ""))
            return ApiError(first.get("code", "error"), first.get("message", ""), fields, status)
        key = "error.server" if status >= 500 else "error.unexpected"
        return ApiError(
            "server_error" if status >= 500 else "http_error", i18n.translate(key, self.language), None, status
        )

    async def _json(self, method: str, path: str, **kwargs: Any) -> Any:
        response = await self._send(method, path, **kwargs)
        if response.status_code >= 400:
            raise self._error(response)
        if response.status_code == 204 or not response.content:
            return None
        return response.json()

    async def _optional(self, method: str, path: str, **kwargs: Any) -> Any:
        """For endpoints of features that may not be deployed yet: a plain 404 becomes :class:`NotAvailable`."""
        try:
            return await self._json(method, path, **kwargs)
        except ApiError as exc:
            if exc.status == 404 and exc.code == "not_found":
                raise NotAvailable(exc.code, exc.message, exc.fields, exc.status) from None
            raise

    async def _answer(self, answer: type[T], method: str, path: str, **kwargs: Any) -> T:
        """The JSON answer typed as the contract's shape ``answer`` (a TypedDict above).

        No run-time check: the shapes are the server's (OpenAPI schema), and
        ``tests/mobileapp/test_api_client.py::test_answers_have_the_types_of_api_py`` checks every answer of the live
        backend against its type, so a drift fails a test rather than being papered over here.
        """
        return cast(T, await self._json(method, path, **kwargs))

    async def _answer_if_deployed(self, answer: type[T], method: str, path: str, **kwargs: Any) -> T:
        """:meth:`_answer` for a feature that may not be deployed yet (a plain 404 raises :class:`NotAvailable`)."""
        return cast(T, await self._optional(method, path, **kwargs))

    # ---- authentication (allauth headless, app client) ----

    async def login(self, phone: str, password: str) -> str:
        body = await self._json("POST", f"{ALLAUTH}/auth/login", json={"phone": phone, "password": password})
        self.token = body["meta"]["session_token"]
        return self.token

    async def signup(self, phone: str, password: str) -> list[str]:
        """Start a sign-up. Returns the pending flows (``verify_phone``); keeps the flow's session token."""
        response = await self._send("POST", f"{ALLAUTH}/auth/signup", json={"phone": phone, "password": password})
        body = response.json() if response.content else {}
        if response.status_code not in (200, 401) or "meta" not in body:
            raise self._error(response)
        self.token = body["meta"].get("session_token", self.token)
        flows = body.get("data", {}).get("flows", [])
        return [f["id"] for f in flows if f.get("is_pending")]

    async def verify_phone(self, code: str) -> str:
        body = await self._json("POST", f"{ALLAUTH}/auth/phone/verify", json={"code": code})
        self.token = body["meta"].get("session_token", self.token)
        if not body["meta"].get("is_authenticated"):
            raise ApiError("not_authenticated", i18n.translate("error.unexpected", self.language), status=401)
        return self.token

    async def logout(self) -> None:
        if self.token:
            try:
                response = await self._send("DELETE", f"{ALLAUTH}/auth/session")
                del response  # allauth answers 401 "logged out": nothing to read
            except NetworkError:
                pass
        self.token = None

    # ---- profile, real name, data access ----

    async def me(self) -> Profile:
        return await self._answer(Profile, "GET", f"{API}/me")

    async def set_push_language(self, language: str) -> Profile:
        """The language the server writes this resident's push notifications in (the app's own language)."""
        return await self._answer(
            Profile, "PATCH", f"{API}/me", json={"language": "en" if language == "en" else "zh-hans"}
        )

    async def bind_real_name(self, name: str, id_number: str) -> Profile:
        return await self._answer(Profile, "POST", f"{API}/me/real-name", json={"name": name, "id_number": id_number})

    async def data_access(self, page: int = 1) -> Page[DataAccess]:
        return await self._answer(Page[DataAccess], "GET", f"{API}/me/data-access", params={"page": page})

    # ---- 免申即享 offers ----

    async def offers(self, status: OfferStatus | None = None, page: int = 1) -> Page[Offer]:
        """The resident's offers (a server without 免申即享 raises :class:`NotAvailable`)."""
        params = {"page": page, "status": status}
        return await self._answer_if_deployed(Page[Offer], "GET", f"{API}/me/offers", params=params)

    async def offer(self, offer_id: int) -> Offer:
        return await self._answer(Offer, "GET", f"{API}/me/offers/{offer_id}")

    async def confirm_offer(self, offer_id: int) -> OfferConfirmed:
        """确认领取: the case it files (again the same case on a repeated tap)."""
        return await self._answer(OfferConfirmed, "POST", f"{API}/me/offers/{offer_id}/confirm")

    async def decline_offer(self, offer_id: int) -> Offer:
        return await self._answer(Offer, "POST", f"{API}/me/offers/{offer_id}/decline")

    # ---- notifications ----

    async def notifications(self, page: int = 1, unread_only: bool = False) -> NotificationPage:
        params = {"page": page, "unread": "true" if unread_only else None}
        return await self._answer(NotificationPage, "GET", f"{API}/notifications", params=params)

    async def mark_read(self, notification_id: int) -> Notification:
        return await self._answer(Notification, "POST", f"{API}/notifications/{notification_id}/read")

    async def mark_all_read(self) -> ReadAll:
        return await self._answer(ReadAll, "POST", f"{API}/notifications/read-all")

    # ---- catalogue ----

    async def services(
        self, q: str | None = None, category: str | None = None, department: str | None = None, eligible: bool = False
    ) -> list[Service]:
        params = {"q": q, "category": category, "department": department, "eligible": "true" if eligible else None}
        return await self._answer_if_deployed(list[Service], "GET", f"{API}/services", params=params)

    async def service(self, code: str) -> ServiceDetail:
        return await self._answer(ServiceDetail, "GET", f"{API}/services/{code}")

    async def prefill(self, code: str) -> Prefill:
        return await self._answer(Prefill, "GET", f"{API}/services/{code}/prefill")

    async def eligibility(self, code: str) -> Eligibility:
        return await self._answer(Eligibility, "GET", f"{API}/services/{code}/eligibility")

    # ---- bundles (一件事一次办) ----

    async def bundles(self) -> list[Bundle]:
        return await self._answer_if_deployed(list[Bundle], "GET", f"{API}/bundles")

    async def bundle(self, code: str) -> BundleDetail:
        return await self._answer(BundleDetail, "GET", f"{API}/bundles/{code}")

    async def bundle_prefill(self, code: str) -> BundlePrefill:
        return await self._answer(BundlePrefill, "GET", f"{API}/bundles/{code}/prefill")

    async def apply_bundle(
        self, code: str, form: dict[str, Any], *, consent: bool, idempotency_key: str | None = None
    ) -> BundleApplication:
        key = idempotency_key or new_idempotency_key()
        return await self._answer(
            BundleApplication,
            "POST",
            f"{API}/bundles/{code}/apply",
            json={"form": form, "consent": consent},
            headers={"Idempotency-Key": key},
        )

    async def my_bundles(self, page: int = 1) -> Page[BundleApplication]:
        return await self._answer_if_deployed(
            Page[BundleApplication], "GET", f"{API}/me/bundles", params={"page": page}
        )

    async def my_bundle(self, reference_no: str) -> BundleApplication:
        return await self._answer(BundleApplication, "GET", f"{API}/me/bundles/{reference_no}")

    async def continue_bundle(self, reference_no: str) -> BundleApplication:
        return await self._answer(BundleApplication, "POST", f"{API}/me/bundles/{reference_no}/continue")

    async def withdraw_bundle(self, reference_no: str) -> BundleApplication:
        return await self._answer(BundleApplication, "POST", f"{API}/me/bundles/{reference_no}/withdraw")

    # ---- cases ----

    async def create_case(
        self,
        service: str,
        form: dict[str, Any],
        *,
        consent: bool,
        idempotency_key: str | None = None,
        draft: int | None = None,
    ) -> Case:
        key = idempotency_key or new_idempotency_key()
        payload: dict[str, Any] = {"service": service, "form": form, "consent": consent}
        if draft is not None:  # resumed from a draft: the server deletes it with the case
            payload["draft"] = draft
        return await self._answer(Case, "POST", f"{API}/cases", json=payload, headers={"Idempotency-Key": key})

    async def cases(self, page: int = 1, status: str | None = None) -> Page[Case]:
        return await self._answer_if_deployed(
            Page[Case], "GET", f"{API}/cases", params={"page": page, "status": status}
        )

    async def case(self, case_id: int) -> Case:
        return await self._answer(Case, "GET", f"{API}/cases/{case_id}")

    async def withdraw_case(self, case_id: int, reason: str = "") -> Case:
        return await self._answer(
            Case, "POST", f"{API}/cases/{case_id}/withdraw", json={"reason": reason} if reason else {}
        )

    async def update_case_form(self, case_id: int, form: dict[str, Any]) -> Case:
        return await self._answer(Case, "PATCH", f"{API}/cases/{case_id}", json={"form": form})

    async def rate_case(self, case_id: int, score: int, comment: str = "") -> Rating:
        return await self._answer(
            Rating, "POST", f"{API}/cases/{case_id}/rating", json={"score": score, "comment": comment}
        )

    # ---- drafts (save and resume) ----

    async def drafts(self, page: int = 1) -> Page[Draft]:
        return await self._answer_if_deployed(Page[Draft], "GET", f"{API}/drafts", params={"page": page})

    async def draft(self, draft_id: int) -> Draft:
        return await self._answer(Draft, "GET", f"{API}/drafts/{draft_id}")

    async def create_draft(self, service: str, form: dict[str, Any]) -> Draft:
        return await self._answer(Draft, "POST", f"{API}/drafts", json={"service": service, "form": form})

    async def update_draft(self, draft_id: int, form: dict[str, Any], base_updated_at: str | None = None) -> Draft:
        payload: dict[str, Any] = {"form": form}
        if base_updated_at:
            payload["base_updated_at"] = base_updated_at
        return await self._answer(Draft, "PUT", f"{API}/drafts/{draft_id}", json=payload)

    async def delete_draft(self, draft_id: int) -> None:
        await self._json("DELETE", f"{API}/drafts/{draft_id}")

    # ---- face ----

    async def face_enrol(self, image: bytes, filename: str = "selfie.jpg") -> FaceEnrolled:
        files = [("image", (filename, image, _mime(filename)))]
        return await self._answer(FaceEnrolled, "POST", f"{API}/face/enrol", files=files)

    async def face_challenge(
        self,
        purpose: str = "case",
        case: int | None = None,
        mandate: int | None = None,
        face: str | None = None,
        bundle: str | None = None,
    ) -> Challenge:
        payload: dict[str, Any] = {"purpose": purpose}
        if case is not None:
            payload["case"] = case
        if bundle is not None:  # purpose "bundle": one face check for every member of a 一件事
            payload["bundle"] = bundle
        if mandate is not None:  # purpose "delegation": accepting an invitation
            payload["mandate"] = mandate
        if face is not None:  # "principal": the face of the person acted for, on this (the delegate's) phone
            payload["face"] = face
        return await self._answer(Challenge, "POST", f"{API}/face/challenges", json=payload)

    async def face_verify(
        self, challenge_id: str, image: bytes | None = None, frames: Sequence[bytes] = (), filename: str = "face.jpg"
    ) -> FaceResult:
        files: list[tuple[str, tuple[str, bytes, str]]] = []
        if frames:
            files = [("frames", (f"frame{i}.jpg", frame, "image/jpeg")) for i, frame in enumerate(frames)]
        elif image is not None:
            files = [("image", (filename, image, _mime(filename)))]
        return await self._answer(
            FaceResult, "POST", f"{API}/face/verify", data={"challenge_id": challenge_id}, files=files
        )

    # ---- family delegation (亲情代办) ----

    async def delegations(self) -> MandateList:
        return await self._answer_if_deployed(MandateList, "GET", f"{API}/delegations")

    async def invite_delegate(self, phone: str, scope: list[str] | None = None, ends_at: str | None = None) -> Mandate:
        payload: dict[str, Any] = {"phone": phone, "scope": scope or "all"}
        if ends_at:
            payload["ends_at"] = ends_at
        return await self._answer(Mandate, "POST", f"{API}/delegations", json=payload)

    async def accept_delegation(self, mandate_id: int, face_token: str) -> Mandate:
        return await self._answer(
            Mandate, "POST", f"{API}/delegations/{mandate_id}/accept", json={"face_token": face_token}
        )

    async def decline_delegation(self, mandate_id: int) -> Mandate:
        return await self._answer(Mandate, "POST", f"{API}/delegations/{mandate_id}/decline")

    async def end_delegation(self, mandate_id: int) -> Mandate:
        return await self._answer(Mandate, "POST", f"{API}/delegations/{mandate_id}/end")

    async def guardianship(self, id_number: str) -> Mandate:
        return await self._answer(Mandate, "POST", f"{API}/delegations/guardianship", json={"id_number": id_number})

    # ---- certificates ----

    async def certificates(self, page: int = 1) -> Page[Certificate]:
        return await self._answer_if_deployed(Page[Certificate], "GET", f"{API}/certificates", params={"page": page})

    async def verify_certificate(self, code: str) -> CertificateVerification:
        return await self._answer(CertificateVerification, "GET", f"{API}/certificates/verify/{code}")

    # ---- city events (一网统管) ----

    async def event_categories(self) -> list[EventCategory]:
        return await self._answer_if_deployed(list[EventCategory], "GET", f"{API}/events/categories")

    async def my_events(self, page: int = 1) -> Page[EventReport]:
        return await self._answer_if_deployed(Page[EventReport], "GET", f"{API}/events", params={"page": page})

    async def report_event(
        self,
        category: str,
        description: str,
        *,
        lat: float | None = None,
        long: float | None = None,
        address: str = "",
        district: str = "",
        photo: bytes | None = None,
        photo_name: str = "photo.jpg",
        idempotency_key: str | None = None,
    ) -> EventDetail:
        """A city problem report (multipart: the photo goes as ``media``; its GPS can stand in for lat/long)."""
        data: dict[str, Any] = {"category": category, "description": description}
        if lat is not None and long is not None:
            data.update(lat=f"{lat:.6f}", long=f"{long:.6f}")
        if address:
            data["address"] = address
        if district:
            data["district"] = district
        files = [("media", (photo_name, photo, _mime(photo_name)))] if photo else None
        headers = {"Idempotency-Key": idempotency_key or new_idempotency_key()}
        if files is None:
            return await self._answer(EventDetail, "POST", f"{API}/events", json=data, headers=headers)
        return await self._answer(EventDetail, "POST", f"{API}/events", data=data, files=files, headers=headers)

    # ---- appointments ----

    async def appointment_slots(
        self,
        venue: int | None = None,
        service: str | None = None,
        date: str | None = None,
        available: bool = True,
        case: int | None = None,
    ) -> Page[Slot]:
        """Open slots; with ``case``, those where that case of the caller can have its identity checked in person."""
        params = {"venue": venue, "service": service, "date": date, "available": "true" if available else None}
        if case is not None:
            params["case"] = case
        return await self._answer_if_deployed(Page[Slot], "GET", f"{API}/appointments/slots", params=params)

    async def appointments(self, page: int = 1, case: int | None = None) -> Page[Booking]:
        params: dict[str, int] = {"page": page} if case is None else {"page": page, "case": case}
        return await self._answer_if_deployed(Page[Booking], "GET", f"{API}/appointments", params=params)

    async def book_identity_check(self, slot: int, case: int, idempotency_key: str | None = None) -> Booking:
        """Book the in-person identity check (窗口核验身份) of a case waiting for its face check."""
        headers = {"Idempotency-Key": idempotency_key or new_idempotency_key()}
        body = {"slot": slot, "case": case, "purpose": "identity_check"}
        return await self._answer(Booking, "POST", f"{API}/appointments", json=body, headers=headers)

    async def book(self, slot: int, idempotency_key: str | None = None) -> Booking:
        headers = {"Idempotency-Key": idempotency_key or new_idempotency_key()}
        return await self._answer(Booking, "POST", f"{API}/appointments", json={"slot": slot}, headers=headers)

    async def cancel_appointment(self, appointment_id: int) -> Booking:
        return await self._answer(Booking, "POST", f"{API}/appointments/{appointment_id}/cancel")


def _mime(filename: str) -> str:
    lower = filename.lower()
    if lower.endswith(".png"):
        return "image/png"
    if lower.endswith(".webp"):
        return "image/webp"
    return "image/jpeg"
