"""Load the checklist catalogue of seeds 004 and 000 (word for word); editable afterwards in the admin."""

from django.db import migrations


def load(apps, schema_editor):
    from casework.catalogue import load_catalogue

    load_catalogue(apps.get_model("casework", "ChecklistCategory"), apps.get_model("casework", "ChecklistItem"))


class Migration(migrations.Migration):
    dependencies = [
        ("casework", "0002_campaigns"),
    ]

    operations = [
        migrations.RunPython(load, migrations.RunPython.noop),
    ]
