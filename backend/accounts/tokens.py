"""allauth's session-token strategy, with one session query per request instead of two.

allauth 65's ``SessionTokenStrategy.lookup_session`` asks the session store whether the key exists (a query) and
then hands back a lazy store that loads the same row again on first use (a second query) — on every authenticated
API call. Loading once is enough to know both: every session backend resets ``session_key`` to ``None`` when the
key is unknown or expired, which is what the existence check answered.
"""

from __future__ import annotations

from importlib import import_module

from allauth.headless.tokens.strategies.sessions import SessionTokenStrategy
from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase


class SingleLookupSessionTokenStrategy(SessionTokenStrategy):
    def lookup_session(self, session_token: str) -> SessionBase | None:
        store = import_module(settings.SESSION_ENGINE).SessionStore(session_key=session_token)
        if not store.session_key:  # malformed: Django's validation refused it, nothing to query
            return None
        store.keys()  # loads the session (the only query); an unknown or expired key clears session_key
        return store if store.session_key else None
