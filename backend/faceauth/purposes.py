"""What a face check is *for*: a plug-in registry, so faceauth never imports the apps that use it.

An app registers a purpose once, typically in its ``AppConfig.ready()``::

    from backend.faceauth.purposes import register_purpose

    register_purpose("case", resolve=resolve_case, on_verified=case_face_verified)

``resolve(user, payload) -> target`` runs when a challenge is created, before the caller's enrolment and lockout
are checked (another user's target must be 404 whatever the caller's state). ``payload`` is the request's JSON object
(e.g. ``{"purpose": "case", "case": 12}``). It validates the target and returns a JSON scalar that identifies it
(an int id, a string) or ``None`` when the purpose has no target. It raises ``backend.core.errors`` exceptions:
``NotFound`` for a missing *or another user's* target (404, never 403: do not confirm that it exists),
``Conflict`` (409) when the target is in a state that takes no face check, ``DomainError`` (400) for a missing
or malformed field.

``on_verified(user, target) -> dict`` runs after a successful verification, inside the same database transaction
that consumes the challenge; if it raises, the transaction (the consumption and the audit row included) rolls
back and the client gets the error, so the challenge can be used again once the problem is solved. Time passes
between the challenge and the verification, so it must re-check the target's state. It returns extra members for
the verify response (the case engine returns ``{"case": {...}}``); ``verified`` and ``attempts_left`` cannot be
overridden. The same callback runs when a clerk verifies the resident in person at a counter
(``service.mark_identity_verified_in_person``).

A purpose registered with ``receives_check=True`` is called ``on_verified(user, target, check=FaceCheck(...))``:
whose face passed and who held the phone (亲情代办: the case engine needs to know whether the delegate's or the
principal's face passed, because a service that wants the principal in person takes both, one after the other).
At the counter ``check`` is ``None`` (a clerk saw the person, no face was compared).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

Target = int | str | None
ResolveFn = Callable[[Any, Mapping[str, Any]], Target]
OnVerifiedFn = Callable[..., "dict[str, Any] | None"]


@dataclass(frozen=True)
class FaceCheck:
    """The face check that passed: ``face_of`` is whose face was compared (against their own template),
    ``operator`` who held the phone when that is someone else (a delegate checking the principal), else ``None``."""

    face_of: Any
    operator: Any = None


@dataclass(frozen=True)
class Purpose:
    name: str
    resolve: ResolveFn
    on_verified: OnVerifiedFn
    label: str = ""
    receives_check: bool = False

    def verified(self, user: Any, target: Target, check: FaceCheck | None) -> dict[str, Any]:
        """Run ``on_verified``, handing it the check when the purpose asked for it."""
        if self.receives_check:
            return dict(self.on_verified(user, target, check=check) or {})
        return dict(self.on_verified(user, target) or {})


_registry: dict[str, Purpose] = {}
_lock = threading.Lock()


class UnknownPurpose(KeyError):
    pass


def register_purpose(
    name: str,
    *,
    resolve: ResolveFn,
    on_verified: OnVerifiedFn,
    label: str = "",
    replace: bool = False,
    receives_check: bool = False,
) -> Purpose:
    """Register (or, with ``replace=True``, re-register) a purpose under ``name``.

    Registering the very same callables again is a no-op, so ``ready()`` may run more than once. A different
    registration under a taken name raises ``ValueError`` unless ``replace`` is true: two apps silently fighting
    over a purpose would send face checks to the wrong code.
    """
    if not name or not isinstance(name, str) or len(name) > 40 or not name.replace("_", "").isalnum():
        raise ValueError(f"purpose name must be a short identifier, got {name!r}")
    if not callable(resolve) or not callable(on_verified):
        raise TypeError("resolve and on_verified must be callables")
    purpose = Purpose(
        name=name, resolve=resolve, on_verified=on_verified, label=label or name, receives_check=receives_check
    )
    with _lock:
        existing = _registry.get(name)
        if existing is not None and not replace:
            if existing.resolve is resolve and existing.on_verified is on_verified:
                return existing
            raise ValueError(f"face purpose {name!r} is already registered")
        _registry[name] = purpose
    return purpose


def unregister_purpose(name: str) -> None:
    """Remove a purpose (tests, or an app being unloaded). Unknown names are ignored."""
    with _lock:
        _registry.pop(name, None)


def get_purpose(name: str) -> Purpose:
    try:
        return _registry[name]
    except KeyError:
        raise UnknownPurpose(name) from None


def purpose_names() -> list[str]:
    return sorted(_registry)


# --- the built-in "login" purpose ------------------------------------------------------------------------------


def _resolve_login(user: Any, payload: Mapping[str, Any]) -> Target:
    return None


def _login_verified(user: Any, target: Target) -> dict[str, Any]:
    return {}


def register_builtin_purposes() -> None:
    register_purpose("login", resolve=_resolve_login, on_verified=_login_verified, label="登录核验")
