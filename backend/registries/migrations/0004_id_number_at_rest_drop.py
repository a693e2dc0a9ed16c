"""Identity numbers at rest, step 3 of 3: the index becomes the unique key and the plaintext column goes.

On PostgreSQL the old values stay in dead tuples until the table is rewritten: run ``VACUUM FULL
registries_resident`` (or pg_repack) after this migration, and let backups from before it age out
(docs/SECURITY.md, "Identity numbers at rest").
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("registries", "0003_id_number_at_rest_fill")]

    operations = [
        migrations.AlterModelOptions(
            name="resident",
            options={"ordering": ["pk"], "verbose_name": "户籍人口", "verbose_name_plural": "户籍人口"},
        ),
        migrations.RemoveField(model_name="resident", name="id_number"),
        migrations.AlterField(
            model_name="resident",
            name="id_number_index",
            field=models.CharField(editable=False, max_length=64, unique=True, verbose_name="身份证号索引"),
        ),
    ]
