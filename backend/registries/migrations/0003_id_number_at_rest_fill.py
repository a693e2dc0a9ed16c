"""Identity numbers at rest, step 2 of 3: seal and index every existing number (in batches, restartable).

It calls the same functions the model uses (backend.registries.idnumbers): the keys are the deployment's, so
FIELD_ENCRYPTION_KEYS and ID_INDEX_KEYS must be set *before* this migration runs in production (docs/SECURITY.md).
"""

from django.db import migrations

BATCH = 1000


def fill(apps, schema_editor) -> None:
    from backend.core.masking import mask_id_number
    from backend.registries import idnumbers

    Resident = apps.get_model("registries", "Resident")
    todo = Resident.objects.filter(id_number_index__isnull=True).order_by("pk")
    while batch := list(todo[:BATCH]):
        for resident in batch:
            number = idnumbers.normalise(resident.id_number)
            resident.id_number_index = idnumbers.id_index(number)
            resident.id_number_sealed = idnumbers.seal(number, resident.id_number_index)
            resident.id_number_masked = mask_id_number(number)
        Resident.objects.bulk_update(batch, ["id_number_index", "id_number_sealed", "id_number_masked"])


def unfill(apps, schema_editor) -> None:
    from backend.registries import idnumbers

    Resident = apps.get_model("registries", "Resident")
    for resident in Resident.objects.exclude(id_number_sealed="").iterator(chunk_size=BATCH):
        resident.id_number = idnumbers.unseal(resident.id_number_sealed, resident.id_number_index)
        resident.save(update_fields=["id_number"])


class Migration(migrations.Migration):
    dependencies = [("registries", "0002_id_number_at_rest_add")]

    operations = [migrations.RunPython(fill, unfill, elidable=True)]
