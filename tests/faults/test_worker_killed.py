"""A Celery worker process killed mid-task: the task is redelivered and the push goes out once.

Payouts never run in a worker (they are part of the decision's transaction, and ``Payout`` is one per case), so the
background work at risk is the push of notifications. The settings set ``acks_late`` and
``reject_on_worker_lost``: a task whose pool process dies is requeued, not lost. The push task is made idempotent by
:class:`backend.notifications.push.IdempotentPushBackend` (a receipt per notification), so a redelivery after a
successful push sends nothing.

The kill test runs a real worker (prefork, one process) on a private queue of the local Redis against the test
database: PostgreSQL only (the worker is another process; SQLite's test database is in memory).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from backend.accounts.models import User
from backend.notifications.models import Notification, PushReceipt
from backend.notifications.tasks import push_notification
from tests.faults.probe import RecordingPush

ROOT = Path(__file__).resolve().parents[2]


def _wait_for(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.mark.django_db
def test_a_redelivered_push_is_not_sent_twice(settings) -> None:
    settings.PUSH_PROVIDER = "tests.faults.probe.RecordingPush"
    RecordingPush.sent.clear()
    user = User.objects.create(username="push-probe", phone="+8616600000999")
    notification = Notification.objects.create(user=user, kind="case.approved", title="已办结")
    push_notification(notification.pk)  # first delivery
    push_notification(notification.pk)  # the broker delivers it again (worker died before the ack)
    assert RecordingPush.sent == [notification.pk]
    receipt = PushReceipt.objects.get(notification_id=notification.pk)
    assert receipt.sent_at is not None and receipt.attempts == 1


@pytest.mark.postgres
@pytest.mark.needs_redis
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the worker process needs a shared database")
def test_worker_killed_mid_push_is_retried_and_pushes_once(redis_url, broker, tmp_path: Path) -> None:
    queue = f"yw-fault-{os.getpid()}"
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        "REDIS_URL": redis_url,
        "PUSH_PROVIDER": "tests.faults.probe.HangOnFirstAttemptPush",
        "YW_PROBE_DIR": str(tmp_path),
        "PYTHONPATH": str(ROOT),
    }
    log = open(tmp_path / "worker.log", "w")  # noqa: SIM115
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "backend", "worker", "-P", "prefork", "-c", "1", "-Q", queue,
         "--without-heartbeat", "--without-gossip", "--without-mingle", "-l", "info"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    try:
        user = User.objects.create(username="push-kill", phone="+8616600000998")
        notification = Notification.objects.create(user=user, kind="case.approved", title="已办结")
        broker(redis_url)
        push_notification.apply_async(args=[notification.pk], queue=queue)

        running = tmp_path / f"running-{notification.pk}"
        _wait_for(running.exists, 60, "the worker to start the push")
        child = int(running.read_text())
        assert child != worker.pid
        os.kill(child, signal.SIGKILL)  # the pool process dies mid-task, before the provider accepted the push

        sent = tmp_path / "sent"
        _wait_for(sent.exists, 60, "the redelivered task to push")
        time.sleep(1.0)  # would a third delivery push again?
        assert sent.read_text().split() == [str(notification.pk)]
        assert (tmp_path / f"attempts-{notification.pk}").read_text() == "2"
        receipt = PushReceipt.objects.get(notification_id=notification.pk)
        assert receipt.sent_at is not None
        assert "WorkerLostError" in (tmp_path / "worker.log").read_text()
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait(timeout=10)
        log.close()
