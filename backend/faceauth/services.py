"""Face enrolment, challenges and verification: the domain functions behind the face API (DESIGN §3.3).

Shape of every face request: cheap checks first (who, which challenge, locked?), then the CPU-heavy engine work
(decode, detect, encode: 0.2-0.4 s per image, holding the GIL) with NO database transaction open, then one short
transaction that re-checks the state under row locks, consumes the challenge or counts the failure, writes the
audit row and (on success) runs the purpose's ``on_verified``. Nothing derived from a photo is kept except the
enrolled template (encrypted) and, for active liveness, SHA-256 digests of frames that passed.
"""

from __future__ import annotations

import hashlib
import logging
import math
import secrets
import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import numpy as np
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import status

from backend.accounts import permissions
from backend.accounts.models import User
from backend.core.errors import Conflict, DomainError, Forbidden, NotFound, Unprocessable
from backend.registries.identity import resident_of
from backend.registries.models import Resident

from . import conf, crypto, engine
from .models import (
    ChallengeOutcome,
    FaceChallenge,
    FaceEvent,
    FaceEventKind,
    FaceLock,
    FaceTemplate,
    SeenFrame,
)
from .purposes import FaceCheck, Purpose, Target, UnknownPurpose, get_purpose, purpose_names

logger = logging.getLogger(__name__)

_random = secrets.SystemRandom()


# --- errors --------------------------------------------------------------------------------------------------------


class FaceLocked(DomainError):
    status_code = status.HTTP_429_TOO_MANY_REQUESTS

    def __init__(self, locked_until: datetime) -> None:
        seconds = max(1, math.ceil((locked_until - timezone.now()).total_seconds()))
        super().__init__(
            "face_locked",
            _("人脸核验失败次数过多，已暂时锁定，请稍后再试或到窗口办理。"),
            headers={"Retry-After": str(seconds)},
        )
        self.locked_until = locked_until


class ChallengeUsed(Conflict):
    def __init__(self) -> None:
        super().__init__("challenge_used", _("该核验请求已使用，请重新发起人脸核验。"))


class ChallengeExpired(DomainError):
    status_code = status.HTTP_410_GONE

    def __init__(self) -> None:
        super().__init__("challenge_expired", _("该核验请求已过期，请重新发起人脸核验。"))


_ENGINE_MESSAGES = {
    "invalid_image": _("无法识别的图片，请上传清晰的 JPEG、PNG 或 WebP 照片。"),
    "no_face": _("照片中未检测到人脸，请正对镜头、光线充足后重拍。"),
    "multiple_faces": _("照片中有多张人脸，请确保画面中只有本人。"),
}


def _engine_error(exc: engine.FaceEngineError, image: np.ndarray | None = None) -> DomainError:
    """422 for a photo that cannot be judged, with advice on what to change (attempts are not counted)."""
    code = exc.code if exc.code in _ENGINE_MESSAGES else "invalid_image"
    quality = engine.assess(image) if image is not None and code == "no_face" else None
    hint = advice(code, quality, attempts_left=None)
    return Unprocessable(code, _ENGINE_MESSAGES[code], extra={"advice": hint})


# --- what a refused resident is told ---------------------------------------------------------------------------------

#: Advice per code: one concrete thing to change, in plain words. Never a score or a distance (a score lets an
#: attacker hill-climb, and tells a resident nothing they can act on). Codes are part of the contract
#: (docs/API.md, Enum FaceAdviceCodeEnum).
ADVICE_MESSAGES = {
    "too_dark": _("光线太暗：请面向窗户或打开灯，让脸上光线充足后再拍。"),
    "too_bright": _("光线太强：请避开直射的阳光或灯光，不要背对窗户，再拍一次。"),
    "blurry": _("照片模糊：请把手机拿稳，等画面清晰后再拍。"),
    "too_far": _("离得太远：把手机拿近一些，让脸占满框。"),
    "no_face": _("没有找到人脸：请正对镜头，把手机拿近一些，让整张脸都在框内。"),
    "one_person": _("画面中不止一个人：请确保只有本人在画面中。"),
    "retake": _("照片无法读取：请直接用相机重新拍一张。"),
    "follow_actions": _("没有看清动作：请按提示现场完成动作，动作慢一些。"),
    "not_matched": _("未能确认是本人：请正对镜头，在光线均匀的地方重拍一次。"),
}
#: What the resident can do next, machine-readable (docs/API.md, Enum FaceAdviceNextEnum). Issue 14 builds the
#: counter fallback in the app; here it is the hint that it exists (PIPL: face is never the only way).
NEXT_RETRY = "retry"
NEXT_COUNTER = "counter_appointment"
ADVICE_CODES = tuple(ADVICE_MESSAGES)
NEXT_PATHS = (NEXT_RETRY, NEXT_COUNTER)
_OTHER_PATHS = {
    NEXT_RETRY: _("如果多次不成功，也可以在本页预约窗口，带上身份证原件，由工作人员当面核验身份。"),
    NEXT_COUNTER: _("本次核验的机会已用完：请在本页预约窗口，带上身份证原件，由工作人员当面核验身份。"),
}


def advice_code(failure: str, quality: engine.Quality | None) -> str:
    """The one thing to change first, from the failure and what was measured on the photo.

    ``failure`` is ``mismatch``, ``no_face``, ``multiple_faces``, ``invalid_image`` or ``liveness``. Light comes
    first (a dark face also measures blurry), then sharpness, then distance; without a measurable cause the
    failure itself decides.
    """
    if failure == "multiple_faces":
        return "one_person"
    if failure == "invalid_image":
        return "retake"
    if quality is not None:
        if quality.too_dark:
            return "too_dark"
        if quality.too_bright:
            return "too_bright"
        if quality.blurry:
            return "blurry"
        if quality.too_far:
            return "too_far"
    if failure == "no_face":
        return "no_face"
    if failure == "liveness":
        return "follow_actions"
    return "not_matched"


def advice(failure: str, quality: engine.Quality | None, attempts_left: int | None) -> dict[str, Any]:
    """``{"code", "message", "next", "other_paths"}`` for a refused face check, in the request's language.

    ``attempts_left=None``: the photo could not be judged and no attempt was counted, so a retry is always open.
    """
    code = advice_code(failure, quality)
    can_retry = attempts_left is None or attempts_left > 0
    nexts = [NEXT_RETRY, NEXT_COUNTER] if can_retry else [NEXT_COUNTER]
    return {
        "code": code,
        "message": str(ADVICE_MESSAGES[code]),
        "next": nexts,
        "other_paths": str(_OTHER_PATHS[NEXT_RETRY if can_retry else NEXT_COUNTER]),
    }


def _engine_unavailable(exc: engine.EngineUnavailable) -> DomainError:
    logger.error("face engine unavailable: %s", exc)
    return DomainError(
        "face_engine_unavailable",
        _("人脸核验服务暂时不可用，请稍后再试或到窗口办理。"),
        status_code=status.HTTP_503_SERVICE_UNAVAILABLE,
    )


# --- engine calls (outside transactions) ---------------------------------------------------------------------------


def _decode(data: bytes) -> np.ndarray:
    try:
        return engine.load_image(data)
    except engine.FaceEngineError as exc:
        raise _engine_error(exc) from None


def _encode(image: np.ndarray) -> engine.Encoding:
    try:
        return engine.encode_single(image)
    except engine.FaceEngineError as exc:
        raise _engine_error(exc, image) from None
    except engine.EngineUnavailable as exc:
        raise _engine_unavailable(exc) from None


class _RegistryEncodings:
    """Process-local LRU of registry-photo encodings keyed by (photo SHA-256, model version).

    Only enrolment needs them, and a resident often retries a selfie a few times; keeping the vector in memory
    (never on disk, never in a shared cache) saves one encoding per retry. Keyed by the hash of the bytes actually
    read, so a replaced registry photo can never hit a stale entry.
    """

    def __init__(self) -> None:
        self._items: OrderedDict[tuple[str, str], np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[str, str]) -> np.ndarray | None:
        with self._lock:
            vector = self._items.get(key)
            if vector is not None:
                self._items.move_to_end(key)
            return vector

    def put(self, key: tuple[str, str], vector: np.ndarray) -> None:
        size = conf.registry_cache_size()
        if size <= 0:
            return
        with self._lock:
            self._items[key] = vector
            self._items.move_to_end(key)
            while len(self._items) > size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


registry_encodings = _RegistryEncodings()


def _registry_photo_bytes(resident: Resident) -> bytes:
    with resident.photo.open("rb") as fh:
        data: bytes = fh.read()  # a FieldFile opened "rb": bytes (the stubs say Any)
        return data


def registry_encoding(resident: Resident) -> np.ndarray:
    """Encoding of the resident's registry photo (cached); 422 ``registry_photo_unusable`` if it has no one face."""
    try:
        data = _registry_photo_bytes(resident)
    except OSError:
        logger.exception("registry photo of resident %s cannot be read", resident.pk)
        raise Unprocessable("no_registry_photo", _("户籍信息中没有可用的照片，请到窗口办理。")) from None
    key = (hashlib.sha256(data).hexdigest(), engine.MODEL_VERSION)
    cached = registry_encodings.get(key)
    if cached is not None:
        return cached
    try:
        vector = engine.encode_single(engine.load_image(data)).vector
    except engine.FaceEngineError as exc:
        logger.warning("registry photo of resident %s is unusable for face checks: %s", resident.pk, exc.reason)
        raise Unprocessable(
            "registry_photo_unusable", _("户籍照片无法用于人脸比对，请到窗口更新照片或办理。")
        ) from None
    except engine.EngineUnavailable as exc:
        raise _engine_unavailable(exc) from None
    registry_encodings.put(key, vector)
    return vector


# --- lockout ---------------------------------------------------------------------------------------------------------


def _lock_row(user: User) -> FaceLock:
    """The user's FaceLock row, locked FOR UPDATE (created on first use). Call inside transaction.atomic()."""
    lock = FaceLock.objects.select_for_update().filter(user=user).first()
    if lock is None:
        try:
            with transaction.atomic():
                FaceLock.objects.create(user=user)
        except IntegrityError:  # a concurrent request created it first
            pass
        lock = FaceLock.objects.select_for_update().get(user=user)
    return lock


def locked_until(user: User, now: datetime | None = None) -> datetime | None:
    now = now or timezone.now()
    return FaceLock.objects.filter(user=user, locked_until__gt=now).values_list("locked_until", flat=True).first()


def _ensure_not_locked(user: User) -> None:
    until = locked_until(user)
    if until is not None:
        raise FaceLocked(until)


def _user_attempts_left(lock: FaceLock, now: datetime) -> int:
    if lock.locked_until and lock.locked_until > now:
        return 0
    failures = lock.failures
    if lock.window_started_at is None or now - lock.window_started_at > timedelta(seconds=conf.lock_window_seconds()):
        failures = 0
    return max(0, conf.lock_max_failures() - failures)


def _record_failure(lock: FaceLock, now: datetime) -> bool:
    """Count one failed face check on a row locked by ``_lock_row``; True if it locked the user."""
    window = timedelta(seconds=conf.lock_window_seconds())
    if lock.window_started_at is None or now - lock.window_started_at > window:
        lock.failures = 0
        lock.window_started_at = now
    lock.failures += 1
    locked = lock.failures >= conf.lock_max_failures()
    if locked:
        lock.locked_until = now + timedelta(seconds=conf.lock_seconds())
        lock.failures = 0
        lock.window_started_at = None
    lock.save(update_fields=["failures", "window_started_at", "locked_until"])
    return locked


def _reset_failures(lock: FaceLock) -> None:
    if lock.failures or lock.window_started_at:
        lock.failures = 0
        lock.window_started_at = None
        lock.save(update_fields=["failures", "window_started_at"])


# --- templates -------------------------------------------------------------------------------------------------------


def _current_template(user: User) -> tuple[FaceTemplate, np.ndarray]:
    template = FaceTemplate.objects.filter(user=user).first()
    if template is None:
        raise Conflict("face_not_enrolled", _("尚未录入人脸，请先完成人脸录入。"))
    if template.model_version != engine.MODEL_VERSION:
        raise Conflict("face_reenrol_required", _("人脸识别模型已升级，请重新录入人脸。"))
    try:
        return template, template.vector()
    except (crypto.TemplateUnreadable, ValueError):
        logger.error("face template of user %s cannot be decrypted: check FIELD_ENCRYPTION_KEYS", user.pk)
        raise Conflict("face_reenrol_required", _("人脸模板不可用，请重新录入人脸。")) from None


def status_of(user: User) -> dict[str, Any]:
    template = FaceTemplate.objects.filter(user=user).only("enrolled_at", "model_version").first()
    return {
        "enrolled": template is not None,
        "enrolled_at": template.enrolled_at if template else None,
        "model_version": template.model_version if template else None,
        "reenrol_required": bool(template and template.model_version != engine.MODEL_VERSION),
        "locked_until": locked_until(user),
        "liveness": conf.liveness_mode(),
    }


def enrol(user: User, image: bytes) -> FaceTemplate:
    """Compare a selfie with the registry photo and store its encoding as the user's template (encrypted).

    403 ``real_name_required`` before real-name binding; 422 ``no_registry_photo`` / ``registry_photo_unusable``
    when the registry cannot vouch for the face; 422 ``invalid_image`` / ``no_face`` / ``multiple_faces`` for the
    selfie; 422 ``face_mismatch`` (counted toward the lock) when it is not the registry's person; 429
    ``face_locked``. Re-enrolment replaces the template and is logged as ``re_enrol``.
    """
    resident = resident_of(user)
    if resident is None:
        raise Forbidden("real_name_required", _("请先完成实名认证。"))
    if not resident.photo:
        raise Unprocessable("no_registry_photo", _("户籍信息中没有照片，无法录入人脸，请到窗口办理。"))
    _ensure_not_locked(user)

    selfie = _encode(_decode(image))
    reference = registry_encoding(resident)
    same_person = engine.distance(reference, selfie.vector) <= conf.match_threshold()

    now = timezone.now()
    with transaction.atomic():
        lock = _lock_row(user)
        if lock.locked_until and lock.locked_until > now:
            raise FaceLocked(lock.locked_until)
        if not same_person:
            locked = _record_failure(lock, now)
            FaceEvent.objects.create(user=user, kind=FaceEventKind.ENROL_FAIL, purpose="enrol")
            if locked:
                FaceEvent.objects.create(user=user, kind=FaceEventKind.LOCKED, purpose="enrol")
        else:
            template = FaceTemplate.objects.filter(user=user).first()
            kind = FaceEventKind.RE_ENROL if template else FaceEventKind.ENROL
            if template is None:
                template = FaceTemplate(user=user)
            else:
                template.enrol_count += 1
            template.set_vector(selfie.vector)
            template.model_version = engine.MODEL_VERSION
            template.enrolled_at = now
            template.save()
            FaceEvent.objects.create(user=user, kind=kind, purpose="enrol")
    if not same_person:
        raise Unprocessable("face_mismatch", _("照片与户籍照片不是同一人，请本人重新拍摄。"))
    assert template is not None  # saved above for the same person
    return template


def withdraw(user: User) -> bool:
    """Delete the user's template (PIPL: consent to biometric processing can be withdrawn). Logged."""
    with transaction.atomic():
        deleted, _detail = FaceTemplate.objects.filter(user=user).delete()
        if deleted:
            FaceEvent.objects.create(user=user, kind=FaceEventKind.WITHDRAWN)
            FaceChallenge.objects.filter(user=user, used_at__isnull=True).update(used_at=timezone.now())
    return bool(deleted)


# --- challenges ------------------------------------------------------------------------------------------------------


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def pick_actions() -> list[str]:
    """A blink and a turn to a random side, in random order (empty when liveness is off)."""
    if not conf.liveness_active():
        return []
    actions = ["blink", _random.choice(["turn_left", "turn_right"])]
    _random.shuffle(actions)
    return actions


def _purpose(name: Any) -> Purpose:
    try:
        return get_purpose(name if isinstance(name, str) else "")
    except UnknownPurpose:
        raise DomainError(
            "validation_error",
            _("提交的数据有误，请检查后重试。"),
            fields={"purpose": [f"unknown purpose; one of: {', '.join(purpose_names())}"]},
        ) from None


@dataclass(frozen=True)
class IssuedChallenge:
    challenge_id: str  # the raw token: shown to the client once, never stored
    challenge: FaceChallenge


def create_challenge(
    user: User, payload: Mapping[str, Any], *, on_behalf_of: User | None = None, operator: User | None = None
) -> IssuedChallenge:
    """Issue a single-use challenge for ``payload["purpose"]`` after the purpose resolved and checked the target.

    The target is resolved first: another user's case is 404 whatever the caller's own state, so that a caller who
    has not enrolled (409 ``face_not_enrolled``) or is locked out (429) cannot tell another user's case from a
    missing one by the answer. ``on_behalf_of`` (亲情代办): the target is that person's, the face is ``user``'s.
    ``operator`` (亲情代办, the principal in person): the face and the target are ``user``'s (the principal), the
    photo comes from the operator's phone; a principal without a usable template is 409
    ``principal_face_not_enrolled``, which sends them to the counter.
    """
    purpose = _purpose(payload.get("purpose"))
    target = purpose.resolve(on_behalf_of or user, payload)
    if operator is not None:
        _principal_template(user)
    _current_template(user)
    _ensure_not_locked(user)
    if target is not None and (isinstance(target, bool) or not isinstance(target, (int, str))):
        raise TypeError(f"purpose {purpose.name!r} resolved to {type(target).__name__}; expected int, str or None")
    token = secrets.token_urlsafe(32)
    challenge = FaceChallenge.objects.create(
        token_hash=_hash_token(token),
        user=user,
        purpose=purpose.name,
        target=target,
        actions=pick_actions(),
        expires_at=timezone.now() + timedelta(seconds=conf.challenge_ttl_seconds()),
        on_behalf_of=on_behalf_of,
        operator=operator,
    )
    return IssuedChallenge(token, challenge)


def _principal_template(user: User) -> None:
    """The face of someone who is not holding the phone must be enrolled and current: said in words for them."""
    try:
        _current_template(user)
    except Conflict:
        raise Conflict(
            "principal_face_not_enrolled",
            _("被代办人尚未录入可用的人脸，不能在此刷脸。请被代办人本人录入人脸后再试，或本人携带身份证到窗口核验。"),
        ) from None


def _find_challenge(caller: User, token: Any) -> FaceChallenge:
    """The caller's challenge: one for their own face that no one else operates, or one they operate for another's
    face (亲情代办). The face's owner cannot answer a challenge someone else operates, nor the other way round."""
    if not isinstance(token, str) or not token or len(token) > 200:
        raise NotFound(_("未找到该核验请求。"))
    mine = Q(user=caller, operator__isnull=True) | Q(operator=caller)
    challenge = FaceChallenge.objects.filter(mine, token_hash=_hash_token(token)).select_related("user").first()
    if challenge is None:  # unknown, or another user's: the same answer
        raise NotFound(_("未找到该核验请求。"))
    return challenge


def _ensure_usable(challenge: FaceChallenge, now: datetime) -> None:
    if challenge.used_at is not None:
        raise ChallengeUsed()
    if challenge.expires_at <= now:
        raise ChallengeExpired()


# --- verification ----------------------------------------------------------------------------------------------------


@dataclass
class _Analysis:
    passed: bool
    reason: str = ""  # for logs only: never sent to the client (no hints for an attacker)
    digests: list[str] = field(default_factory=list)
    failure: str = "mismatch"  # "mismatch" or "liveness": picks the advice
    quality: engine.Quality | None = None  # measured on the refused photo, for the advice


def _analyse_still(data: bytes, template: np.ndarray) -> _Analysis:
    image = _decode(data)
    probe = _encode(image)
    if engine.distance(template, probe.vector) <= conf.match_threshold():
        return _Analysis(True)
    return _Analysis(False, "mismatch", quality=engine.assess(image, probe.box))


def _analyse_frames(frames: Sequence[bytes], template: np.ndarray, actions: Sequence[str]) -> _Analysis:
    """Every frame with a face must be the template's person; the asked actions must appear in order; no frame
    may have been accepted before. Frames without a face are allowed (motion blur) but prove nothing.

    Frames are handled one at a time (decode, digest, encode, compare, drop the pixels), so a request holds one
    decoded frame in memory, and the first replayed or foreign frame ends the work."""
    threshold = conf.match_threshold()
    digests: list[str] = []
    landmarks: list[dict[str, Any] | None] = []
    for data in frames:
        image = _decode(data)
        if actions:
            digest = engine.frame_digest(image)
            if SeenFrame.objects.filter(digest=digest).exists():
                return _Analysis(False, "replayed frame", failure="liveness")
            digests.append(digest)
        try:
            probe = engine.encode_single(image)
        except engine.NoFace:
            landmarks.append(None)
            continue
        except engine.FaceEngineError as exc:
            raise _engine_error(exc, image) from None
        except engine.EngineUnavailable as exc:
            raise _engine_unavailable(exc) from None
        if engine.distance(template, probe.vector) > threshold:
            return _Analysis(False, "a frame shows another person", quality=engine.assess(image, probe.box))
        landmarks.append(probe.landmarks)
    if all(lm is None for lm in landmarks):
        raise _engine_error(engine.NoFace("no face in any frame"), image)
    if actions:
        try:
            result = engine.check_actions(landmarks, actions, mirrored=conf.frames_mirrored())
        except ValueError as exc:  # degenerate landmarks (e.g. an extreme profile): no evidence, not a 500
            return _Analysis(False, f"liveness geometry unusable: {exc}", failure="liveness")
        if not result.passed:
            return _Analysis(False, result.reason or "liveness failed", failure="liveness")
    return _Analysis(True, digests=digests)


def _inputs(challenge: FaceChallenge, image: bytes | None, frames: Sequence[bytes] | None) -> tuple[str, Any]:
    frames = list(frames or [])
    if challenge.actions:
        if not frames:
            raise DomainError(
                "frames_required",
                _("需要按提示完成动作的连续画面（frames）。"),
                fields={"frames": ["required when liveness actions are asked"]},
            )
        if len(frames) < conf.min_frames():
            raise DomainError(
                "validation_error",
                _("提交的数据有误，请检查后重试。"),
                fields={"frames": [f"at least {conf.min_frames()} frames"]},
            )
    if len(frames) > conf.max_frames():
        raise DomainError(
            "validation_error",
            _("提交的数据有误，请检查后重试。"),
            fields={"frames": [f"at most {conf.max_frames()} frames"]},
        )
    if frames:
        return "frames", frames
    if image is None:
        raise DomainError(
            "validation_error",
            _("提交的数据有误，请检查后重试。"),
            fields={"image": ["an image (or frames) is required"]},
        )
    return "image", image


def verify(
    user: User, challenge_id: Any, *, image: bytes | None = None, frames: Sequence[bytes] | None = None
) -> dict[str, Any]:
    """Check a face against the user's template for a challenge; on success run the purpose's ``on_verified``.

    Returns ``{"verified": bool, "attempts_left": int, **purpose_extra}``, and when refused ``advice`` (see
    :func:`advice`: what to change, and the counter as another path; never a score). A failed check does not consume the
    challenge but counts toward its own limit (``FACE_CHALLENGE_MAX_ATTEMPTS``, then it is spent) and the user's
    lock (``FACE_LOCK_MAX_FAILURES``). 404 unknown/another user's challenge, 409 ``challenge_used``, 410
    ``challenge_expired``, 429 ``face_locked``, 422 for unusable images (not counted).
    """
    challenge = _find_challenge(user, challenge_id)
    operator = user if challenge.operator_id is not None else None
    user = challenge.user  # whose face: the caller's own, or the principal's under a delegate's operation
    _ensure_not_locked(user)
    _ensure_usable(challenge, timezone.now())
    if conf.liveness_active() and not challenge.actions:
        raise ChallengeExpired()  # issued while liveness was off: ask for a new one
    _template, vector = _current_template(user)
    kind, data = _inputs(challenge, image, frames)

    # CPU-heavy part, no transaction open.
    analysis = _analyse_frames(data, vector, challenge.actions) if kind == "frames" else _analyse_still(data, vector)

    now = timezone.now()
    with transaction.atomic():
        lock = _lock_row(user)  # serialises this user's face writes
        if lock.locked_until and lock.locked_until > now:
            raise FaceLocked(lock.locked_until)
        current = FaceChallenge.objects.select_for_update().get(pk=challenge.pk)
        _ensure_usable(current, now)
        if analysis.passed and SeenFrame.objects.filter(digest__in=analysis.digests).exists():
            analysis = _Analysis(False, "replayed frame", failure="liveness")  # the same frames passed concurrently
        if analysis.passed:
            return _passed(user, current, lock, analysis, now, operator)
        return _failed(user, current, lock, analysis, now, operator)


def _passed(
    user: User, challenge: FaceChallenge, lock: FaceLock, analysis: _Analysis, now: datetime, operator: User | None
) -> dict[str, Any]:
    consumed = FaceChallenge.objects.filter(pk=challenge.pk, used_at__isnull=True).update(
        used_at=now, outcome=ChallengeOutcome.PASSED
    )
    if consumed != 1:  # belt and braces: the row lock above already excludes this
        raise ChallengeUsed()
    if analysis.digests:
        SeenFrame.objects.bulk_create(
            [SeenFrame(digest=d, user=user, seen_at=now) for d in dict.fromkeys(analysis.digests)]
        )
        SeenFrame.objects.filter(seen_at__lt=now - timedelta(seconds=conf.seen_frame_ttl_seconds())).delete()
    _reset_failures(lock)
    FaceEvent.objects.create(
        user=user,
        kind=FaceEventKind.VERIFY_PASS,
        purpose=challenge.purpose,
        target=challenge.target,
        challenge=challenge,
        actor=operator,
    )
    check = FaceCheck(face_of=user, operator=operator)
    extra = get_purpose(challenge.purpose).verified(challenge.on_behalf_of or user, challenge.target, check)
    attempts_left = min(conf.challenge_max_attempts() - challenge.attempts, _user_attempts_left(lock, now))
    return {**extra, "verified": True, "attempts_left": max(0, attempts_left)}


def _failed(
    user: User, challenge: FaceChallenge, lock: FaceLock, analysis: _Analysis, now: datetime, operator: User | None
) -> dict[str, Any]:
    logger.info("face verification failed for user %s (%s): %s", user.pk, challenge.purpose, analysis.reason)
    challenge.attempts += 1
    fields = ["attempts"]
    if challenge.attempts >= conf.challenge_max_attempts():
        challenge.used_at = now
        challenge.outcome = ChallengeOutcome.FAILED
        fields += ["used_at", "outcome"]
    challenge.save(update_fields=fields)
    locked = _record_failure(lock, now)
    common = {
        "user": user,
        "purpose": challenge.purpose,
        "target": challenge.target,
        "challenge": challenge,
        "actor": operator,
    }
    FaceEvent.objects.create(kind=FaceEventKind.VERIFY_FAIL, **common)
    if locked:
        FaceEvent.objects.create(kind=FaceEventKind.LOCKED, **common)
    attempts_left = max(0, min(conf.challenge_max_attempts() - challenge.attempts, _user_attempts_left(lock, now)))
    return {
        "verified": False,
        "attempts_left": attempts_left,
        "advice": advice(analysis.failure, analysis.quality, attempts_left),
    }


def passed_check(user: User, token: Any, purpose: str, target: Target, *, max_age_seconds: int) -> FaceEvent:
    """The ``verify_pass`` event of ``user``'s challenge ``token`` for ``purpose``/``target``, passed at most
    ``max_age_seconds`` ago: for an action that needs a fresh face check but is not the purpose's ``on_verified``
    (accepting a mandate). 404 for an unknown, another user's, another target's or an unpassed challenge; 410
    ``challenge_expired`` when it passed too long ago. Whether the event was already used is the caller's rule."""
    if not isinstance(token, str) or not token or len(token) > 200:
        raise NotFound(_("未找到该核验请求。"))
    event = (
        FaceEvent.objects.filter(
            user=user,
            kind=FaceEventKind.VERIFY_PASS,
            purpose=purpose,
            challenge__token_hash=_hash_token(token),
        )
        .select_related("challenge")
        .first()
    )
    if event is None or event.target != target:
        raise NotFound(_("未找到该核验请求。"))
    if event.at < timezone.now() - timedelta(seconds=max_age_seconds):
        raise ChallengeExpired()
    return event


# --- counter alternative (PIPL: face is never the only way) ----------------------------------------------------------


def mark_identity_verified_in_person(
    clerk: User, user: User, purpose: str, target_id: Any, note: str
) -> dict[str, Any]:
    """A clerk checked the resident's identity in person (ID card at the counter) instead of a face check.

    Logs a ``counter_verified`` FaceEvent with the clerk and the note, then runs the purpose's ``on_verified`` in
    the same transaction and returns its extra members (the case engine: ``{"case": {...}}``). Department checks
    (may this clerk act on this case?) belong to the caller, which knows the target.
    """
    handler = _purpose(purpose)
    with transaction.atomic():
        record_in_person_check(clerk, user, purpose, target_id, note)
        return handler.verified(user, target_id, None)


def record_in_person_check(clerk: User, user: User, purpose: str, target_id: Any, note: str) -> FaceEvent:
    """Only the audit entry of an in-person identity check (a ``counter_verified`` FaceEvent with the clerk and the
    note), for a caller that runs its own consequence: the case engine decides the case as verified *at the
    counter*, not by face (``cases.services.verify_identity_at_counter``). Call it inside the caller's transaction."""
    if not permissions.is_staff_member(clerk):
        raise Forbidden("permission_denied", _("只有工作人员可以进行窗口人工核验。"))
    if clerk.pk == user.pk:
        raise Forbidden("permission_denied", _("工作人员不能为本人进行人工核验。"))
    note = (note or "").strip()
    if not note:
        raise DomainError(
            "validation_error",
            _("请填写核验说明（例如：已查验身份证原件）。"),
            fields={"note": ["required"]},
        )
    handler = _purpose(purpose)
    return FaceEvent.objects.create(
        user=user,
        kind=FaceEventKind.COUNTER_VERIFIED,
        purpose=handler.name,
        target=target_id,
        actor=clerk,
        note=note[:200],
    )


def compare_in_person(resident: Resident, image: bytes) -> bool:
    """Is the person on a counter camera's photo ``resident``? For a clerk at the counter (帮办代办), where the
    resident answers no challenge of their own: the photo is compared with the resident's enrolled template when
    they have a current one, else with their registry photo.

    No lockout and no FaceEvent here: a clerk is present, the caller limits the attempts of its session and keeps
    its own audit trail. 422 ``invalid_image`` / ``no_face`` / ``multiple_faces`` for a photo that cannot be judged,
    ``no_registry_photo`` / ``registry_photo_unusable`` when there is nothing to compare with. Runs the engine: call
    it with no transaction open."""
    probe = _encode(_decode(image))
    reference: np.ndarray | None = None
    template = (
        FaceTemplate.objects.filter(user_id=resident.account_id, model_version=engine.MODEL_VERSION).first()
        if resident.account_id
        else None
    )
    if template is not None:
        try:
            reference = template.vector()
        except (crypto.TemplateUnreadable, ValueError):
            logger.error("face template of user %s cannot be decrypted: check FIELD_ENCRYPTION_KEYS", template.user_id)
    if reference is None:
        if not resident.photo:
            raise Unprocessable("no_registry_photo", _("户籍信息中没有照片，无法进行人脸比对。"))
        reference = registry_encoding(resident)
    return bool(engine.distance(reference, probe.vector) <= conf.match_threshold())


# --- housekeeping ----------------------------------------------------------------------------------------------------


def prune(now: datetime | None = None, *, challenge_retention_days: int = 30) -> dict[str, int]:
    """Delete replay digests past their TTL and challenges expired long ago (audit events are kept)."""
    now = now or timezone.now()
    frames, _d = SeenFrame.objects.filter(seen_at__lt=now - timedelta(seconds=conf.seen_frame_ttl_seconds())).delete()
    challenges, _d = FaceChallenge.objects.filter(
        expires_at__lt=now - timedelta(days=challenge_retention_days)
    ).delete()
    return {"seen_frames": frames, "challenges": challenges}


def rotate_template_keys(*, from_secret_key: bool = False) -> int:
    """Re-encrypt every template under the first key of FIELD_ENCRYPTION_KEYS; returns how many were rewritten.

    ``from_secret_key``: also accept the SECRET_KEY-derived development keys as old keys (first configuration of
    FIELD_ENCRYPTION_KEYS on a database that already has templates)."""
    count = 0
    for pk in FaceTemplate.objects.values_list("pk", flat=True).iterator():
        with transaction.atomic():
            template = FaceTemplate.objects.select_for_update().get(pk=pk)
            rotated = crypto.rotate(template.encoding_encrypted, with_secret_derived=from_secret_key)
            if rotated != template.encoding_encrypted:
                template.encoding_encrypted = rotated
                template.save(update_fields=["encoding_encrypted"])
                count += 1
    return count
