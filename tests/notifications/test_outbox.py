"""The push outbox lives in one app, notifications: the receipt model, the idempotent backend and the sweep.

It moved there from ``core`` in issue 12; the migration keeps every receipt (a lost receipt would push a notice a
second time), and the periodic jobs keep their beat entries and queues under their new names.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from backend.celery import app as celery_app

BEFORE = [("core", "0002_audit_event"), ("notifications", "0002_notification_english_text")]
AFTER = [("core", "0003_delete_pushreceipt"), ("notifications", "0003_pushreceipt")]


def _migrate(targets: list[tuple[str, str]]) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor


@pytest.mark.django_db(transaction=True)
def test_moving_the_receipts_to_notifications_keeps_every_row_and_back() -> None:
    """Runs the real migrations on the test database (SQLite and PostgreSQL in CI): a receipt written by the old
    ``core`` model is read by the new ``notifications`` model, and migrating back gives the old table again."""
    try:
        old_state = _migrate(BEFORE).loader.project_state(BEFORE).apps
        OldReceipt = old_state.get_model("core", "PushReceipt")
        assert OldReceipt._meta.db_table == "core_pushreceipt"
        OldReceipt.objects.create(notification_id=41, attempts=1)
        OldReceipt.objects.create(notification_id=42, attempts=2)

        new_state = _migrate(AFTER).loader.project_state(AFTER).apps
        NewReceipt = new_state.get_model("notifications", "PushReceipt")
        assert NewReceipt._meta.db_table == "notifications_pushreceipt"
        assert sorted(NewReceipt.objects.values_list("notification_id", "attempts")) == [(41, 1), (42, 2)]
        tables = connection.introspection.table_names()
        assert "notifications_pushreceipt" in tables and "core_pushreceipt" not in tables
        with pytest.raises(LookupError):
            new_state.get_model("core", "PushReceipt")
        # The unique constraint came along: it is what serializes two deliveries of one push.
        from django.db import IntegrityError, transaction

        with pytest.raises(IntegrityError), transaction.atomic():
            NewReceipt.objects.create(notification_id=41)

        back = _migrate(BEFORE).loader.project_state(BEFORE).apps
        assert sorted(back.get_model("core", "PushReceipt").objects.values_list("notification_id", flat=True)) == [
            41,
            42,
        ]
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())


def test_the_sweeps_keep_their_beat_entries_and_queues() -> None:
    beat = {name: entry["task"] for name, entry in settings.CELERY_BEAT_SCHEDULE.items()}
    assert beat["statutory-clock-sweep"] == "backend.cases.tasks.sweep_statutory_clock"
    assert beat["repush-pending"] == "backend.notifications.tasks.repush_pending"
    celery_app.loader.import_default_modules()
    for task in beat.values():
        assert task in celery_app.tasks
    router = celery_app.amqp.router
    queue = {name: router.route({}, name)["queue"].name for name in celery_app.tasks if name.startswith("backend.")}
    assert queue["backend.cases.tasks.sweep_statutory_clock"] == "periodic"
    assert queue["backend.notifications.tasks.repush_pending"] == "periodic"
    assert queue["backend.notifications.tasks.push_notification"] == "push"
    # The names before issue 12 still run the same code, on the same queue, for messages queued before a deploy.
    for old, new in [
        ("backend.core.tasks.sweep_statutory_clock", "backend.cases.tasks.sweep_statutory_clock"),
        ("backend.core.tasks.repush_pending", "backend.notifications.tasks.repush_pending"),
    ]:
        assert celery_app.tasks[old].run is celery_app.tasks[new].run
        assert queue[old] == "periodic"
