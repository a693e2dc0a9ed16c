"""The push outbox moves from ``core`` to ``notifications`` (issue 12: core imports no app above it).

The rows are kept: the model enters this app's state on the table it already has (``core_pushreceipt``, created by
``core.0001``), then a real ``AlterModelTable`` renames the table to this app's name. ``core.0003`` removes the
model from core's state only, after this migration, so no database step ever drops the table.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0002_audit_event"),
        ("notifications", "0002_notification_english_text"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="PushReceipt",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("notification_id", models.PositiveBigIntegerField(unique=True)),
                        ("claimed_at", models.DateTimeField(auto_now_add=True)),
                        ("attempts", models.PositiveSmallIntegerField(default=0)),
                        ("sent_at", models.DateTimeField(blank=True, null=True)),
                    ],
                    options={
                        "verbose_name": "推送回执 Push receipt",
                        "verbose_name_plural": "推送回执 Push receipts",
                        "db_table": "core_pushreceipt",
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.AlterModelTable(name="pushreceipt", table=None),
    ]
