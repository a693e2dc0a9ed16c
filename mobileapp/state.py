"""Session, settings and the controllers the screens call. Plain Python: no Flet import here.

Screens stay thin: they draw what a controller holds and call its async methods. Controllers talk to the API
through :class:`mobileapp.api.ApiClient` and hold no business rules (the server decides; its messages and rule
trace are shown as they come).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from mobileapp import forms, i18n
from mobileapp.api import ApiClient, ApiError, Case, Challenge, Profile, ServiceDetail, new_idempotency_key

TOKEN_KEY = "yiwang.session_token"
LANGUAGE_KEY = "yiwang.language"
ELDER_KEY = "yiwang.elder_mode"

FINAL_STATUSES = {"approved", "rejected", "withdrawn", "revoked"}
OPEN_STATUSES = {"pending_face", "in_review", "returned"}


class Storage(Protocol):
    """Where the session token and settings live: secure storage on phones, the browser's storage on the web."""

    async def get(self, key: str) -> str | None: ...

    async def set(self, key: str, value: str) -> None: ...

    async def remove(self, key: str) -> None: ...


class MemoryStorage:
    """A storage for tests and for clients without persistent storage."""

    def __init__(self) -> None:
        self.data: dict[str, str] = {}

    async def get(self, key: str) -> str | None:
        return self.data.get(key)

    async def set(self, key: str, value: str) -> None:
        self.data[key] = value

    async def remove(self, key: str) -> None:
        self.data.pop(key, None)


# ---- session and settings ----


class AppState:
    """One resident's session: token, profile, language, elder mode, unread count."""

    def __init__(self, api: ApiClient, storage: Storage) -> None:
        self.api = api
        self.storage = storage
        self.profile: Profile | None = None
        self.elder_mode = False
        self.unread = 0
        self.pending_phone: str | None = None  # sign-up waiting for its SMS code
        self._listeners: list[Callable[[], Any]] = []
        self.t = i18n.Translator(lambda: self.language)

    @property
    def language(self) -> str:
        return self.api.language

    @property
    def logged_in(self) -> bool:
        return bool(self.api.token) and self.profile is not None

    @property
    def real_name_verified(self) -> bool:
        return bool(self.profile and self.profile.get("real_name_verified"))

    async def restore(self) -> None:
        """Settings and session from storage. A stale token is dropped quietly; a network failure keeps it."""
        language = await self.storage.get(LANGUAGE_KEY)
        if language in i18n.LANGUAGES:
            self.api.language = language
        self.elder_mode = (await self.storage.get(ELDER_KEY)) == "1"
        token = await self.storage.get(TOKEN_KEY)
        if token:
            self.api.token = token
            try:
                await self.refresh_profile()
            except ApiError as exc:
                if exc.status in (401, 403):
                    await self._forget_session()
                else:
                    raise

    async def login(self, phone: str, password: str) -> Profile:
        token = await self.api.login(phone.strip(), password)
        await self.storage.set(TOKEN_KEY, token)
        return await self.refresh_profile()

    async def start_signup(self, phone: str, password: str) -> list[str]:
        pending = await self.api.signup(phone.strip(), password)
        self.pending_phone = phone.strip()
        return pending

    async def verify_phone(self, code: str) -> Profile:
        token = await self.api.verify_phone(code.strip())
        self.pending_phone = None
        await self.storage.set(TOKEN_KEY, token)
        return await self.refresh_profile()

    async def logout(self) -> None:
        await self.api.logout()
        await self._forget_session()

    async def _forget_session(self) -> None:
        self.api.token = None
        self.profile = None
        self.unread = 0
        await self.storage.remove(TOKEN_KEY)

    async def session_expired(self) -> None:
        await self._forget_session()

    async def refresh_profile(self) -> Profile:
        self.profile = await self.api.me()
        await self._sync_push_language()
        return self.profile

    async def _sync_push_language(self) -> None:
        """Pushes arrive outside the app: the server writes them in the language the app is set to. Best effort — a
        failure here must not stop a login or a language switch (the next refresh tries again)."""
        if self.profile is None or self.profile.get("language", "zh-hans")[:2] == self.language[:2]:
            return
        try:
            self.profile = await self.api.set_push_language(self.language)
        except ApiError:  # NetworkError included
            return

    async def refresh_unread(self) -> int:
        page = await self.api.notifications(unread_only=True)
        self.unread = int(page.get("unread", page.get("count", 0)))
        return self.unread

    async def set_language(self, language: str) -> None:
        if language not in i18n.LANGUAGES:
            raise ValueError(language)
        self.api.language = language
        await self.storage.set(LANGUAGE_KEY, language)
        if self.logged_in:
            await self._sync_push_language()
        self._notify()

    async def set_elder_mode(self, on: bool) -> None:
        self.elder_mode = bool(on)
        await self.storage.set(ELDER_KEY, "1" if on else "0")
        self._notify()

    async def bind_real_name(self, name: str, id_number: str) -> Profile:
        self.profile = await self.api.bind_real_name(name.strip(), id_number.strip().upper())
        return self.profile

    async def enrol_face(self, image: bytes, filename: str = "selfie.jpg") -> Profile:
        await self.api.face_enrol(image, filename)
        return await self.refresh_profile()

    def on_change(self, listener: Callable[[], Any]) -> None:
        self._listeners.append(listener)

    def _notify(self) -> None:
        for listener in list(self._listeners):
            listener()


# ---- catalogue ----


def label_of(value: Any) -> str:
    """Department/category may come as a code string or as ``{"code", "name"}``."""
    if isinstance(value, dict):
        return str(value.get("name") or value.get("label") or value.get("code") or "")
    return "" if value is None else str(value)


def key_of(value: Any) -> str:
    if isinstance(value, dict):
        return str(value.get("code") or value.get("key") or value.get("name") or "")
    return "" if value is None else str(value)


class CatalogueController:
    def __init__(self, api: ApiClient) -> None:
        self.api = api
        self.services: list[dict[str, Any]] = []
        self.eligible: list[dict[str, Any]] = []
        self.query = ""

    async def load(self, q: str = "", category: str | None = None, department: str | None = None) -> list:
        self.query = q
        self.services = list(await self.api.services(q=q or None, category=category, department=department))
        return self.services

    async def load_eligible(self) -> list:
        self.eligible = list(await self.api.services(eligible=True))
        return self.eligible

    def groups(self, by: str = "category") -> list[tuple[str, str, list[dict[str, Any]]]]:
        """``[(key, label, services)]`` in first-seen order, for the catalogue's topic/department views."""
        out: dict[str, tuple[str, list[dict[str, Any]]]] = {}
        for service in self.services:
            value = service.get(by)
            key = key_of(value)
            out.setdefault(key, (label_of(value), []))[1].append(service)
        return [(key, label, items) for key, (label, items) in out.items()]


# ---- applying ----


@dataclass
class ConsentItem:
    key: str
    label: str
    value: str
    department: str
    updated_at: str | None
    purpose: str = ""


def format_value(value: Any, language: str = "zh-CN") -> str:
    """A registry value (masked by the server) as lines of text: records one per line, fields labelled."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return i18n.translate("common.yes" if value else "common.no", language)
    if isinstance(value, dict):
        parts = []
        for k, v in value.items():
            label = i18n.field_label(k, language)
            parts.append(f"{label}：{format_value(v, language)}" if label else format_value(v, language))
        return "；".join(parts)
    if isinstance(value, list):
        if not value:
            return i18n.translate("consent.none", language)
        return "\n".join(format_value(v, language) for v in value)
    return str(value)


def consent_text(prefill: Any) -> str:
    return str(prefill.get("consent_text") or "") if isinstance(prefill, dict) else ""


def consent_items(prefill: Any, detail: ServiceDetail | None = None, language: str = "zh-CN") -> list[ConsentItem]:
    """The consent screen's rows from ``/prefill`` (list of items, or ``{"items": [...]}``/``{key: {...}}``)."""
    if isinstance(prefill, dict):
        rows = prefill.get("items") or prefill.get("data_items") or prefill.get("results")
        if rows is None:
            rows = [dict(v, key=k) if isinstance(v, dict) else {"key": k, "value": v} for k, v in prefill.items()]
    else:
        rows = prefill or []
    labels = {i.get("key"): i for i in (detail or {}).get("data_items", []) or []}
    items = []
    for row in rows:
        key = str(row.get("key", ""))
        declared = labels.get(key, {})
        value = row.get("value", row.get("masked_value", row.get("masked", "")))
        items.append(
            ConsentItem(
                key=key,
                label=str(row.get("label") or declared.get("label") or key),
                value=format_value(value, language),
                department=label_of(row.get("department") or declared.get("department")),
                updated_at=row.get("updated_at") or row.get("last_updated") or row.get("as_of"),
                purpose=str(row.get("purpose") or declared.get("purpose") or ""),
            )
        )
    return items


class ApplyController:
    """One application: detail → consent → form → submit (idempotent) → face → decision.

    ``submit`` sends nothing unless ``consent`` is ticked, ignores a second call while one is in flight (double
    taps), and reuses the attempt's ``Idempotency-Key`` when retrying after a network failure, so a request that
    reached the server but whose answer was lost does not create a second case.
    """

    def __init__(self, api: ApiClient, code: str) -> None:
        self.api = api
        self.code = code
        self.detail: ServiceDetail | None = None
        self.fields: list[forms.FieldSpec] = []
        self.prefill: list[ConsentItem] = []
        self.consent_text = ""
        self.consent = False
        self.values: dict[str, Any] = {}
        self.errors: dict[str, str] = {}
        self.case: Case | None = None
        self.in_flight = False
        self.attempt_key: str | None = None
        self.submissions = 0  # requests actually sent (tests read it)
        self.challenge: Challenge | None = None
        self.face_result: dict[str, Any] | None = None
        self.eligibility: dict[str, Any] | None = None

    async def load(self) -> ServiceDetail:
        self.detail = await self.api.service(self.code)
        self.fields = forms.parse_schema(self.detail.get("form"))
        for spec in self.fields:
            if spec.default is not None and spec.name not in self.values:
                self.values[spec.name] = spec.default
        return self.detail

    async def load_prefill(self) -> list[ConsentItem]:
        raw = await self.api.prefill(self.code)
        self.prefill = consent_items(raw, self.detail, self.api.language)
        self.consent_text = consent_text(raw)
        return self.prefill

    async def check_eligibility(self) -> dict[str, Any]:
        self.eligibility = await self.api.eligibility(self.code)
        return self.eligibility

    @property
    def requires_face(self) -> bool:
        return bool(self.detail and self.detail.get("requires_face"))

    def validate(self, language: str = "zh-CN") -> dict[str, Any] | None:
        values, self.errors = forms.collect(self.fields, self.values, language)
        return None if self.errors else values

    async def submit(self, language: str = "zh-CN") -> Case | None:
        """Create the case. Returns None when nothing was sent (no consent, invalid form, already in flight)."""
        if self.in_flight:
            return None
        if not self.consent:
            self.errors = {"consent": i18n.translate("consent.need", language)}
            return None
        values = self.validate(language)
        if values is None:
            return None
        self.in_flight = True
        if self.attempt_key is None:
            self.attempt_key = new_idempotency_key()
        try:
            self.submissions += 1
            self.case = await self.api.create_case(self.code, values, consent=True, idempotency_key=self.attempt_key)
        except ApiError as exc:
            if exc.status != 0:  # the server answered: the next attempt is a new one
                self.attempt_key = None
            if exc.fields:
                self.errors = {k: v for k, v in exc.field_messages().items() if k != "non_field_errors"}
            raise
        finally:
            self.in_flight = False
        self.attempt_key = None
        return self.case


class FaceController:
    """A face check for a case (or login): challenge, then one still or several frames (liveness actions)."""

    def __init__(self, api: ApiClient, case_id: int | None = None, purpose: str = "case") -> None:
        self.api = api
        self.case_id = case_id
        self.purpose = purpose
        self.challenge: Challenge | None = None
        self.frames: list[tuple[str, bytes]] = []
        self.in_flight = False
        self.result: dict[str, Any] | None = None

    async def start(self) -> Challenge:
        self.challenge = await self.api.face_challenge(self.purpose, self.case_id)
        self.frames = []
        return self.challenge

    @property
    def actions(self) -> list[str]:
        return list((self.challenge or {}).get("actions") or [])

    @property
    def frames_needed(self) -> int:
        """One photo per action (at least one): the server reads the moves from the sequence."""
        return max(1, len(self.actions))

    def add_frame(self, name: str, data: bytes) -> None:
        if len(self.frames) >= self.frames_needed:
            self.frames = []
        self.frames.append((name, data))

    @property
    def ready(self) -> bool:
        return len(self.frames) >= self.frames_needed

    async def verify(self) -> dict[str, Any] | None:
        if self.in_flight or not self.ready:
            return None
        if self.challenge is None:
            await self.start()
        assert self.challenge is not None
        self.in_flight = True
        try:
            if self.actions:
                result = await self.api.face_verify(self.challenge["challenge_id"], frames=[f for _, f in self.frames])
            else:
                name, data = self.frames[0]
                result = await self.api.face_verify(self.challenge["challenge_id"], image=data, filename=name)
        except ApiError as exc:
            if exc.code in ("challenge_used", "challenge_expired"):
                self.challenge = None  # a fresh challenge next time
            raise
        finally:
            self.in_flight = False
        self.result = dict(result)
        # a challenge is single-use: verified or not, the next try needs a new one
        self.challenge = None
        self.frames = []
        return self.result


# ---- cases ----


def parse_time(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        try:
            parsed = dt.datetime.combine(dt.date.fromisoformat(value[:10]), dt.time())
        except ValueError:
            return None
    return parsed


def days_left(due_at: str | None, now: dt.datetime | None = None) -> int | None:
    """Whole days from today to the due date (negative when overdue), in the due date's time zone."""
    due = parse_time(due_at)
    if due is None:
        return None
    if now is None:
        now = dt.datetime.now(due.tzinfo) if due.tzinfo else dt.datetime.now()
    elif due.tzinfo and now.tzinfo:
        now = now.astimezone(due.tzinfo)
    return (due.date() - now.date()).days


def short_date(value: str | None) -> str:
    parsed = parse_time(value)
    if parsed is None:
        return value or ""
    if parsed.tzinfo:
        parsed = parsed.astimezone(dt.timezone(dt.timedelta(hours=8)))  # the city's time (Asia/Shanghai)
    return parsed.strftime("%Y-%m-%d")


def short_datetime(value: str | None) -> str:
    parsed = parse_time(value)
    if parsed is None:
        return value or ""
    if parsed.tzinfo:
        parsed = parsed.astimezone(dt.timezone(dt.timedelta(hours=8)))
    return parsed.strftime("%Y-%m-%d %H:%M")


@dataclass
class DecisionView:
    """What the decision screen shows, derived from the case's ``decision`` and ``status`` only."""

    status: str
    headline_key: str
    rows: list[tuple[str, str]] = field(default_factory=list)  # (i18n key, value)
    reason: str = ""
    reason_code: str = ""
    certificate: Any = None


def _pick(data: dict[str, Any], *names: str) -> Any:
    for name in names:
        if data.get(name) not in (None, ""):
            return data[name]
    return None


def describe_decision(case: Case) -> DecisionView:
    status = case.get("status", "")
    decision = dict(case.get("decision") or {})
    view = DecisionView(status=status, headline_key=f"decision.{status}" if status else "status.submitted")
    # the outcome may be flat or nested ({"payout": {...}}, {"assignment": {...}})
    flat: dict[str, Any] = dict(decision)
    for nested in ("payout", "assignment", "outcome", "subsidy"):
        if isinstance(decision.get(nested), dict):
            flat.update(decision[nested])
    amount = _pick(flat, "amount", "payout_amount")
    if amount is not None:
        view.rows.append(("decision.payout", f"¥{amount}"))
        account = _pick(flat, "to_account_masked", "account_masked", "to_account")
        if account:
            view.rows.append(("decision.to_account", str(account)))
    monthly = _pick(flat, "monthly_amount", "amount_per_month", "monthly")
    if monthly is not None:
        view.rows.append(("decision.monthly", f"¥{monthly}"))
        months = _pick(flat, "months", "duration_months")
        if months is not None:
            view.rows.append(("decision.months", str(months)))
        total = _pick(flat, "total")
        if total is not None:
            view.rows.append(("decision.total", f"¥{total}"))
    school = _pick(flat, "school")
    if school:
        view.rows.append(("decision.school", str(school)))
        category = _pick(flat, "category")
        if category:
            view.rows.append(("decision.category", str(category)))
    waitlist = _pick(flat, "waitlist_number", "waitlist_no", "waitlist", "queue_number")
    if waitlist is not None:
        view.rows.append(("decision.waitlist", str(waitlist)))
    view.certificate = _pick(flat, "certificate", "certificate_id", "certificate_code")
    view.reason = str(_pick(flat, "reason", "message") or "")
    view.reason_code = str(_pick(flat, "reason_code", "code") or "")
    return view


def failed_rules(trace: Any) -> list[dict[str, Any]]:
    """The failed checks of a rule trace (``/eligibility`` or a decision's ``trace``), each with words to show."""
    if isinstance(trace, dict):
        trace = _pick(trace, "rule_trace", "rules", "trace", "checks", "results") or []
    out = []
    for rule in trace or []:
        if not isinstance(rule, dict):
            continue
        passed = rule.get("passed", rule.get("ok", rule.get("result")))
        if passed is False or passed == "failed":
            out.append(rule)
    return out


def rule_text(rule: dict[str, Any]) -> str:
    return str(_pick(rule, "message", "reason", "explanation", "label", "description", "name", "code") or "")


def case_actions(case: dict[str, Any]) -> list[str]:
    """What the resident may do now. The server lists it (``actions``); older servers: derived from the status."""
    if "actions" in case:
        return list(case.get("actions") or [])
    status = case.get("status")
    actions = []
    if status == "pending_face":
        actions.append("face_check")
    if status in OPEN_STATUSES:
        actions.append("withdraw")
    if status == "returned":
        actions.append("resubmit")
    if status in FINAL_STATUSES and not case.get("rating"):
        actions.append("rate")
    return actions


def returned_note(case: Case) -> str:
    """The clerk's note of the latest return for correction (from the timeline)."""
    for entry in reversed(case.get("timeline") or []):
        if entry.get("status") == "returned":
            return str(entry.get("note") or "")
    return ""


class CasesController:
    def __init__(self, api: ApiClient) -> None:
        self.api = api
        self.cases: list[Case] = []
        self.count = 0
        self.next: str | None = None
        self.page = 1

    async def load(self, status: str | None = None) -> list[Case]:
        self.page = 1
        page = await self.api.cases(page=1, status=status)
        self.cases = list(page.get("results", []))
        self.count = int(page.get("count", len(self.cases)))
        self.next = page.get("next")
        return self.cases

    async def load_more(self) -> list[Case]:
        if not self.next:
            return self.cases
        self.page += 1
        page = await self.api.cases(page=self.page)
        self.cases.extend(page.get("results", []))
        self.next = page.get("next")
        return self.cases


class CaseController:
    """One case: detail, withdraw, resubmit after a return, rating. Double taps are ignored while in flight."""

    def __init__(self, api: ApiClient, case_id: int) -> None:
        self.api = api
        self.case_id = case_id
        self.case: Case | None = None
        self.detail: ServiceDetail | None = None
        self.fields: list[forms.FieldSpec] = []
        self.values: dict[str, Any] = {}
        self.errors: dict[str, str] = {}
        self.in_flight = False

    @property
    def status(self) -> str:
        return (self.case or {}).get("status", "")

    @property
    def service_code(self) -> str:
        service = (self.case or {}).get("service")
        return key_of(service)

    def allows(self, action: str) -> bool:
        return action in case_actions(self.case or {})

    @property
    def can_withdraw(self) -> bool:
        return self.allows("withdraw")

    @property
    def can_rate(self) -> bool:
        return self.allows("rate")

    @property
    def can_resubmit(self) -> bool:
        return self.allows("resubmit")

    @property
    def needs_face(self) -> bool:
        return self.allows("face_check")

    async def load(self) -> Case:
        self.case = await self.api.case(self.case_id)
        return self.case

    async def load_form(self) -> list[forms.FieldSpec]:
        """The service's form schema with the case's submitted values, for a resubmission."""
        self.detail = await self.api.service(self.service_code)
        self.fields = forms.parse_schema(self.detail.get("form"))
        self.values = dict((self.case or {}).get("form") or {})
        return self.fields

    async def _guarded(self, call) -> Case | None:
        if self.in_flight:
            return None
        self.in_flight = True
        try:
            result = await call()
        finally:
            self.in_flight = False
        if isinstance(result, dict) and "status" in result and "id" in result:
            self.case = result  # type: ignore[assignment]
        else:
            await self.load()
        return self.case

    async def withdraw(self) -> Case | None:
        return await self._guarded(lambda: self.api.withdraw_case(self.case_id))

    async def resubmit(self, language: str = "zh-CN") -> Case | None:
        values, self.errors = forms.collect(self.fields, self.values, language)
        if self.errors:
            return None
        try:
            return await self._guarded(lambda: self.api.update_case_form(self.case_id, values))
        except ApiError as exc:
            if exc.fields:
                self.errors = {k: v for k, v in exc.field_messages().items() if k != "non_field_errors"}
            raise

    async def rate(self, score: int, comment: str = "") -> Case | None:
        if not 1 <= score <= 5:
            raise ValueError(score)
        return await self._guarded(lambda: self.api.rate_case(self.case_id, score, comment))


# ---- lists of the profile ----


class PagedList:
    """A paginated list endpoint (``{count, next, previous, results}``) with "load more"."""

    def __init__(self, fetch: Callable[[int], Any]) -> None:
        self.fetch = fetch
        self.items: list[dict[str, Any]] = []
        self.page = 0
        self.next: str | None = None
        self.count = 0
        self.extra: dict[str, Any] = {}

    async def load(self) -> list[dict[str, Any]]:
        self.items, self.page = [], 0
        return await self.load_more()

    async def load_more(self) -> list[dict[str, Any]]:
        self.page += 1
        page = await self.fetch(self.page)
        self.items.extend(page.get("results", []))
        self.next = page.get("next")
        self.count = int(page.get("count", len(self.items)))
        self.extra = {k: v for k, v in page.items() if k not in ("results", "next", "previous", "count")}
        return self.items

    @property
    def has_more(self) -> bool:
        return bool(self.next)
