"""End to end: the Flet web app in headless Chromium against the live backend with the demo city, one test per
journey of a resident.

One Chromium and one ``python -m mobileapp`` serve every journey of this package (they start once, ~20 s, and stop
when the package is done); each journey gets a fresh browser context (a new device: nothing in its storage), a
freshly loaded demo city, and its screenshots. Screenshots land in a temporary folder, or in
``docs/app-screenshots/`` with ``YW_APP_SCREENSHOTS=docs`` (that is how the documentation's pictures are refreshed).

Run only these: ``.venv/bin/python -m pytest -m e2e tests/mobileapp``.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.mobileapp.flet_browser import CHROMIUM, CHROMIUM_ARGS, REPO, AppProcess, FletPage, chromium_missing
from tests.personas import PHOTOS, Persona

DOC_SHOTS = REPO / "docs" / "app-screenshots"


@pytest.fixture(scope="package")
def browser() -> Iterator[Any]:
    """One headless Chromium for every journey.

    Playwright's sync API keeps an event loop running in this thread while the browser is open, so Django's
    async-safety check (which sees that loop) is relaxed for this package only: the journeys' own database work
    (loading the demo city, flushing it afterwards) runs in this thread, never concurrently with the loop.
    """
    reason = chromium_missing()
    if reason:
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                yield chromium
            finally:
                chromium.close()


@pytest.fixture(scope="package")
def app(browser: Any, live_server: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppProcess]:
    """``python -m mobileapp`` as a web app against the live server, shared by the journeys."""
    process = AppProcess(live_server.url, tmp_path_factory.mktemp("app") / "app.log")
    try:
        process.wait_ready()
        yield process
    finally:
        process.stop()


@pytest.fixture(scope="package")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = DOC_SHOTS if os.environ.get("YW_APP_SCREENSHOTS") == "docs" else tmp_path_factory.mktemp("shots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def ui(city: dict[str, Any], app: AppProcess, browser: Any, shots: Path) -> Iterator[FletPage]:
    """The app on a new phone (a fresh browser context), opened on its first screen, with the demo city loaded."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(30_000)
    try:
        ui = FletPage(page, shots)
        ui.open(app.url)
        ui.wait("login_phone", timeout=60_000)
        yield ui
    finally:
        context.close()


class ResidentHttp:
    """The resident's own view through the API, beside the app (one login: allauth rate-limits repeated logins);
    also what a journey needs done before its screens (binding the real name, an earlier application)."""

    def __init__(self, base_url: str, persona: Persona) -> None:
        self.persona = persona
        self.http = httpx.Client(base_url=base_url, timeout=30)
        response = self.http.post(
            "/_allauth/app/v1/auth/login", json={"phone": persona.phone, "password": persona.password}
        )
        assert response.status_code == 200, response.text
        self.http.headers["X-Session-Token"] = response.json()["meta"]["session_token"]

    def cases(self) -> list[dict]:
        return self.http.get("/api/v1/cases").json()["results"]

    def get(self, path: str) -> dict:
        response = self.http.get(path)
        assert response.status_code == 200, response.text
        return response.json()

    def post(self, path: str, **kwargs: Any) -> dict:
        response = self.http.post(path, **kwargs)
        assert response.status_code in (200, 201), response.text
        return response.json()

    def bookings(self) -> int:
        response = self.http.get("/api/v1/appointments")
        if response.status_code == 404:
            return 0
        body = response.json()
        rows = body["results"] if isinstance(body, dict) else body
        return len([b for b in rows if b.get("status") not in ("cancelled", "canceled")])

    def bind_real_name(self) -> None:
        record = self.persona.record()
        self.post("/api/v1/me/real-name", json={"name": record["name"], "id_number": record["id_number"]})

    def enrol(self, photo: str) -> None:
        self.post("/api/v1/face/enrol", files={"image": (photo, (PHOTOS / photo).read_bytes())})

    def apply_with_face(self, service: str, form: dict[str, Any], selfie: str) -> dict:
        """An application and its face check, as an earlier visit of the app would have left them."""
        case = self.post("/api/v1/cases", json={"service": service, "form": form, "consent": True})
        challenge = self.post("/api/v1/face/challenges", json={"purpose": "case", "case": case["id"]})
        verified = self.post(
            "/api/v1/face/verify",
            data={"challenge_id": challenge["challenge_id"]},
            files={"image": (selfie, (PHOTOS / selfie).read_bytes())},
        )
        assert verified["verified"] is True, verified
        return verified["case"]


@pytest.fixture
def me(city: dict[str, Any]) -> Callable[[Persona], ResidentHttp]:
    """``me(persona)``: that resident's own API session against the live server."""
    return lambda persona: ResidentHttp(city["url"], persona)


def log_in(ui: FletPage, persona: Persona) -> None:
    """Log in on the app's first screen and wait for the home screen."""
    ui.fill("login_phone", str(persona.phone))
    ui.fill("login_password", persona.password)
    ui.click("login_submit")
    ui.wait("quick_cases")


def wait_for(condition: Callable[[], bool], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.5)
    raise AssertionError("condition not met in time")
