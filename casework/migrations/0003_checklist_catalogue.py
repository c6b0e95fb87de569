"""Load the checklist catalogue of seeds 004 and 000 (word for word); editable afterwards in the admin."""

import json
from pathlib import Path

from django.conf import settings
from django.db import migrations


def load(apps, schema_editor):
    """Load the checklist catalogue of seeds 004 and 000 (fixtures/checklist_catalogue.json); editable afterwards.

    The migration's own loader, on historical models: a later change to casework.catalogue never changes
    what a fresh database gets. Only what is missing is created.
    """
    ChecklistCategory = apps.get_model("casework", "ChecklistCategory")
    ChecklistItem = apps.get_model("casework", "ChecklistItem")
    path = Path(settings.BASE_DIR) / "fixtures" / "checklist_catalogue.json"

    def add_items(category, items, parent=None):
        for entry in items:
            item, _ = ChecklistItem.objects.get_or_create(
                category=category,
                parent=parent,
                number=entry["number"],
                defaults={
                    "text": entry["text"],
                    "hazard_category": entry["hazard_category"],
                    "position": entry["position"],
                },
            )
            add_items(category, entry.get("items", ()), parent=item)

    for spec in json.loads(path.read_text(encoding="utf-8"))["categories"]:
        category, _ = ChecklistCategory.objects.get_or_create(
            code=spec["code"],
            defaults={
                "number": spec["number"],
                "name": spec["name"],
                "hazard_category": spec["hazard_category"],
                "source": spec["source"],
                "position": spec["position"],
            },
        )
        add_items(category, spec["items"])


class Migration(migrations.Migration):
    dependencies = [
        ("casework", "0002_campaigns"),
    ]

    operations = [
        migrations.RunPython(load, migrations.RunPython.noop),
    ]
