"""A push provider for the worker-kill test: records each attempt and hangs on the first one (to be killed there)."""

from __future__ import annotations

import os
import time
from pathlib import Path


class HangOnFirstAttemptPush:
    def send(self, notification) -> None:
        folder = Path(os.environ["YW_PROBE_DIR"])
        attempts = folder / f"attempts-{notification.pk}"
        n = int(attempts.read_text()) + 1 if attempts.exists() else 1
        attempts.write_text(str(n))
        (folder / f"running-{notification.pk}").write_text(str(os.getpid()))
        if n == 1:
            time.sleep(120)  # the test kills this pool process here
        with open(folder / "sent", "a") as sent:
            sent.write(f"{notification.pk}\n")


class RecordingPush:
    sent: list[int] = []

    def send(self, notification) -> None:
        RecordingPush.sent.append(notification.pk)
