"""The city's departments. Services, registries and event categories refer to them by code."""

from django.db import migrations

DEPARTMENTS = [
    ("housing", "住房保障局", "Housing Security Bureau"),
    ("education", "教育局", "Education Bureau"),
    ("provident_fund", "住房公积金管理中心", "Housing Provident Fund Center"),
    ("city_management", "城市管理局", "City Management Bureau"),
    ("public_security", "公安局", "Public Security Bureau"),
    ("natural_resources", "自然资源和规划局", "Natural Resources and Planning Bureau"),
    ("civil_affairs", "民政局", "Civil Affairs Bureau"),
    ("tax", "税务局", "Tax Bureau"),
]


def create(apps, schema_editor):
    Department = apps.get_model("accounts", "Department")
    for code, name_zh, name_en in DEPARTMENTS:
        Department.objects.update_or_create(code=code, defaults={"name_zh": name_zh, "name_en": name_en})


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
