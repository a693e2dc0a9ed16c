"""Seal the identifiers of forms submitted before they were encrypted at rest, and index their subjects.

It uses today's service modules (their ``x-identifier`` fields and ``subject_field``) and the deployment's keys:
FIELD_ENCRYPTION_KEYS and ID_INDEX_KEYS must be set before it runs in production (docs/SECURITY.md).
"""

from django.db import migrations

BATCH = 500


def seal(apps, schema_editor) -> None:
    from backend.cases import identifiers
    from backend.cases.discovery import get_service

    Case = apps.get_model("cases", "Case")
    for code in Case.objects.values_list("service_code", flat=True).distinct():
        service = get_service(code)
        if service is None or not (identifiers.identifier_fields(service) or service.subject_field):
            continue
        todo = Case.objects.filter(service_code=code, sealed_identifiers="", subject_index="").order_by("pk")
        last = 0
        while batch := list(todo.filter(pk__gt=last)[:BATCH]):
            for case in batch:
                identifiers.store_form(case, service, case.form or {})
            Case.objects.bulk_update(batch, ["form", "sealed_identifiers", "subject_index"])
            last = batch[-1].pk


class Migration(migrations.Migration):
    dependencies = [("cases", "0002_case_form_identifiers_at_rest")]

    operations = [migrations.RunPython(seal, migrations.RunPython.noop, elidable=True)]
