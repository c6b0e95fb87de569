"""The checklist catalogue from the two seed documents, word for word (``fixtures/checklist_catalogue.json``),
and its idempotent loader.

Seed 004 (全市学校安全风险隐患专项整治工作方案): seven categories, 50 numbered items.
Seed 000 (全面开展学校及周边安全排查整改…工作方案): 三、工作内容 1–10 (item 1 with its sub-items
（1）–（3）) and the checks printed on its Attachment 1 (学校及周边安全排查整改情况报表).

The loader only creates what is missing: the city administrator's later edits in the admin are
never overwritten. The demo's campaigns call it. The data migration (``0003_checklist_catalogue``, and
the squashed ``0001_squashed``) reads the same file with its own copy of this loader, so that a change
here never changes what a fresh database gets.
"""

import json
from functools import cache
from pathlib import Path

CATALOGUE_FILE = Path(__file__).resolve().parent.parent / "fixtures" / "checklist_catalogue.json"


@cache
def catalogue() -> list[dict]:
    """The categories as the data file lists them, each with its items (and their sub-items)."""
    return json.loads(CATALOGUE_FILE.read_text(encoding="utf-8"))["categories"]


def load_catalogue(ChecklistCategory, ChecklistItem) -> int:
    """Create the seed catalogue's categories and items that do not exist yet; return how many items were created.

    Takes the model classes so that a data migration can pass its historical models.
    """
    created = 0

    def add_items(category, items, parent=None):
        nonlocal created
        for entry in items:
            obj, was_created = ChecklistItem.objects.get_or_create(
                category=category,
                parent=parent,
                number=entry["number"],
                defaults={
                    "text": entry["text"],
                    "hazard_category": entry["hazard_category"],
                    "position": entry["position"],
                },
            )
            created += was_created
            add_items(category, entry.get("items", ()), parent=obj)

    for spec in catalogue():
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
    return created
