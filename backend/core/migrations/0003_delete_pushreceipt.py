"""The push outbox now belongs to ``notifications`` (its ``0003`` took over and renamed the table): remove the model
from core's state only; the table and its rows stay."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0002_audit_event"),
        ("notifications", "0003_pushreceipt"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="PushReceipt")],
            database_operations=[],
        ),
    ]
