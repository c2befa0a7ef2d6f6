"""Units of measure every company starts with (the list lives in kern/catalog/reference.py)."""

from django.db import migrations


def seed_units(apps, schema_editor):
    from kern.catalog.reference import seed_units as seed

    seed(
        schema_editor.connection.alias,
        apps.get_model("catalog", "UomCategory"),
        apps.get_model("catalog", "Uom"),
    )


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial")]

    operations = [migrations.RunPython(seed_units, migrations.RunPython.noop)]
