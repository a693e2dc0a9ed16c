"""Driving the Flet web app in headless Chromium (system Chromium, never a downloaded browser).

Flutter web draws on a canvas; its accessibility tree is switched on by clicking ``flt-semantics-placeholder``,
after which every control wrapped in ``ft.Semantics(identifier=...)`` is a DOM node
``[flt-semantics-identifier="..."]`` (DESIGN §3.8).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
REPO = Path(__file__).resolve().parents[2]


def chromium_missing() -> str | None:
    """Why the browser tests cannot run here, or None."""
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        return f"Chromium not installed at {CHROMIUM} (apt-get install -y chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright Python package is not installed"
    return None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class AppProcess:
    """``python -m mobileapp`` as a web app (no CDN) against the given API, on a free port."""

    def __init__(self, api_url: str, log_path: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        env = {
            **os.environ,
            "YIWANG_API_URL": api_url,
            "FLET_SERVER_IP": "127.0.0.1",
            "FLET_SERVER_PORT": str(self.port),
            "FLET_FORCE_WEB_SERVER": "1",
            "FLET_WEB_NO_CDN": "1",
        }
        self.log = open(log_path, "wb")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "mobileapp"], cwd=REPO, env=env, stdout=self.log, stderr=subprocess.STDOUT
        )

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the app exited with {self.proc.returncode}")
            try:
                with urllib.request.urlopen(self.url, timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.3)
        raise TimeoutError(f"the app did not answer on {self.url}")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=5)
        self.log.close()


class FletPage:
    """A Playwright page on the Flet app, addressed by automation identifiers."""

    def __init__(self, page, shots: Path | None = None) -> None:
        self.page = page
        self.shots = shots

    def open(self, url: str) -> None:
        self.page.goto(url)
        self.page.wait_for_selector("flt-semantics-placeholder", state="attached", timeout=60_000)
        time.sleep(0.3)
        self.page.evaluate("document.querySelector('flt-semantics-placeholder')?.click()")

    @staticmethod
    def sel(identifier: str) -> str:
        return f'[flt-semantics-identifier="{identifier}"]'

    def wait(self, identifier: str, timeout: float = 30_000):
        try:
            self.page.wait_for_selector(self.sel(identifier), state="attached", timeout=timeout)
        except Exception:
            self.failure_shot()
            raise
        return self.page.locator(self.sel(identifier)).first

    def failure_shot(self) -> Path:
        """What the screen showed when a step failed (path in $E2E_FAILURE_SHOT, default in /tmp)."""
        failure = Path(os.environ.get("E2E_FAILURE_SHOT", "/tmp/yiwang-e2e-failure.png"))
        self.page.screenshot(path=str(failure))
        return failure

    def has(self, identifier: str) -> bool:
        return self.page.locator(self.sel(identifier)).count() > 0

    def settle(self, timeout: float = 30.0) -> None:
        """Wait until no screen is loading (a tap on a control that is being replaced would be lost)."""
        deadline = time.monotonic() + timeout
        while self.has("screen_loading") and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(0.3)

    def click(self, identifier: str, timeout: float = 30_000) -> None:
        node = self.wait(identifier, timeout)
        self.settle()
        node = self.page.locator(self.sel(identifier)).first
        node.click()
        time.sleep(0.3)

    def fill(self, identifier: str, value: str) -> None:
        self.wait(identifier).click()
        field = self.page.locator(f"{self.sel(identifier)} input, {self.sel(identifier)} textarea").first
        field.wait_for(state="attached", timeout=10_000)
        field.fill(value)
        time.sleep(0.2)

    def text(self, identifier: str) -> str:
        node = self.wait(identifier)
        return node.evaluate(
            "e => [e.getAttribute('aria-label'), e.textContent, ...Array.from(e.querySelectorAll('[aria-label]'))"
            ".map(x => x.getAttribute('aria-label'))].filter(Boolean).join(' ')"
        )

    def wait_text(self, identifier: str, wanted: str, timeout: float = 30.0) -> str:
        deadline = time.monotonic() + timeout
        seen = ""
        while time.monotonic() < deadline:
            if self.has(identifier):
                seen = self.text(identifier)
                if wanted in seen:
                    return seen
            time.sleep(0.3)
        failure = self.failure_shot()
        raise AssertionError(f"{identifier!r} never showed {wanted!r} (last: {seen!r}); screenshot: {failure}")

    def ids(self, prefix: str = "") -> list[str]:
        found = self.page.evaluate(
            "Array.from(document.querySelectorAll('[flt-semantics-identifier]'))"
            ".map(e => e.getAttribute('flt-semantics-identifier'))"
        )
        return [i for i in found if i.startswith(prefix)]

    def upload(self, identifier: str, path: Path) -> None:
        with self.page.expect_file_chooser(timeout=30_000) as chooser:
            self.click(identifier)
        chooser.value.set_files(str(path))

    def shot(self, name: str) -> None:
        """A screenshot after the frame has painted (the semantics tree can update before it)."""
        if self.shots is None:
            return
        time.sleep(1.2)
        self.page.screenshot(path=str(self.shots / f"{name}.png"))
