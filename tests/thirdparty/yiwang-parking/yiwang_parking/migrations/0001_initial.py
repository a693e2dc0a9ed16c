from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True
    dependencies: list[tuple[str, str]] = []

    operations = [
        migrations.CreateModel(
            name="ParkingPermit",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("case_reference", models.CharField(max_length=40, unique=True)),
                ("plate", models.CharField(max_length=10)),
                ("number", models.CharField(max_length=20, unique=True)),
                ("issued_at", models.DateTimeField(auto_now_add=True)),
            ],
        ),
    ]
