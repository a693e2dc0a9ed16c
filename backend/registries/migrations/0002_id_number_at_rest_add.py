"""Identity numbers at rest, step 1 of 3: the sealed, index and masked columns (nullable while they are filled)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("registries", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="resident",
            name="id_number_index",
            field=models.CharField(editable=False, max_length=64, null=True, verbose_name="身份证号索引"),
        ),
        migrations.AddField(
            model_name="resident",
            name="id_number_sealed",
            field=models.TextField(default="", editable=False, verbose_name="身份证号密文"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="resident",
            name="id_number_masked",
            field=models.CharField(default="", editable=False, max_length=18, verbose_name="身份证号"),
            preserve_default=False,
        ),
    ]
