"""The departments of 新生儿出生一件事: health (birth medical certificates), medical insurance, social security."""

from django.db import migrations

DEPARTMENTS = [
    ("health", "卫生健康委员会", "Health Commission"),
    ("medical_insurance", "医疗保障局", "Healthcare Security Administration"),
    ("social_security", "人力资源和社会保障局", "Human Resources and Social Security Bureau"),
]


def create(apps, schema_editor):
    Department = apps.get_model("accounts", "Department")
    for code, name_zh, name_en in DEPARTMENTS:
        Department.objects.get_or_create(code=code, defaults={"name_zh": name_zh, "name_en": name_en})


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_user_language")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
