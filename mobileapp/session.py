"""One resident's session on this device: token, profile, language, elder mode, unread count, and listeners that
redraw the app when a setting changes. Plain Python: no Flet import here.

The profile lives here (not in a controller) because every screen reads it: real-name binding and face enrolment
return the new profile, so they are session operations too.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal, Protocol, get_args

from mobileapp import i18n
from mobileapp.api import ApiClient, ApiError, Profile

TOKEN_KEY = "yiwang.session_token"
LANGUAGE_KEY = "yiwang.language"
ELDER_KEY = "yiwang.elder_mode"
TEXT_SIZE_KEY = "yiwang.text_size"

TextSize = Literal["standard", "large", "xlarge"]  # 标准 / 大 / 超大 (theme.TEXT_SIZES: the factors)
TEXT_SIZE_CHOICES: tuple[TextSize, ...] = get_args(TextSize)


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


class AppState:
    """One resident's session: token, profile, language, elder mode, unread count."""

    def __init__(self, api: ApiClient, storage: Storage) -> None:
        self.api = api
        self.storage = storage
        self.profile: Profile | None = None
        self.elder_mode = False
        self.text_size: TextSize = "standard"
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
        return bool(self.profile and self.profile["real_name_verified"])

    async def restore(self) -> None:
        """Settings and session from storage. A stale token is dropped quietly; a network failure keeps it."""
        language = await self.storage.get(LANGUAGE_KEY)
        if language in i18n.LANGUAGES:
            self.api.language = language
        self.elder_mode = (await self.storage.get(ELDER_KEY)) == "1"
        text_size = await self.storage.get(TEXT_SIZE_KEY)
        self.text_size = next((s for s in TEXT_SIZE_CHOICES if s == text_size), "standard")
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
        self.api.acting_for, self.api.acting_name = None, ""  # the next person on this phone acts for themselves
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
        if self.profile is None or self.profile["language"][:2] == self.language[:2]:
            return
        try:
            self.profile = await self.api.set_push_language(self.language)
        except ApiError:  # NetworkError included
            return

    async def refresh_unread(self) -> int:
        page = await self.api.notifications(unread_only=True)
        self.unread = page["unread"]
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

    async def set_text_size(self, size: TextSize) -> None:
        """The resident's text size (标准 / 大 / 超大), in either look; remembered on the device like elder mode."""
        if size not in TEXT_SIZE_CHOICES:
            raise ValueError(size)
        self.text_size = size
        await self.storage.set(TEXT_SIZE_KEY, size)
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
