"""The checklist catalogue holds the seeds' checks word for word: counted and compared against the seed texts."""

import re
from pathlib import Path

import pytest

from casework.catalogue import load_catalogue
from casework.models import ChecklistCategory, ChecklistItem

SEEDS = Path(__file__).resolve().parents[2] / "docs" / "seeds"


def seed_004_items() -> dict[str, list[str]]:
    """Parse seed 004's 一、整治重点: each "（一）name。1.…；2.…" line, numbered items split at their numbers."""
    text = (SEEDS / "004_15eec978f5b17448.txt").read_text(encoding="utf-8")
    categories = {}
    for line in text.splitlines():
        m = re.match(r"^（([一二三四五六七八九十])）([^。]+)。(1\..*)$", line)
        if not m:
            continue
        parts = re.split(r"(?:^|[；。])\s*(\d+)\.", m.group(3))
        numbers, texts = parts[1::2], [t.rstrip("。；") for t in parts[2::2]]
        assert numbers == [str(i) for i in range(1, len(numbers) + 1)]
        categories[m.group(2)] = texts
    return categories


def seed_000_work_items() -> list[tuple[str, str, list[tuple[str, str]]]]:
    """Parse seed 000's 三、工作内容: numbered items, their （n） sub-items, continuation lines joined to the item."""
    text = (SEEDS / "000_6613789c0a15856c.txt").read_text(encoding="utf-8")
    section = text.split("三、工作内容\n", 1)[1].split("四、保障措施", 1)[0]
    items: list = []
    for line in filter(None, (raw.strip() for raw in section.splitlines())):
        if m := re.match(r"^(\d+)\.(.*)$", line):
            items.append([m.group(1), m.group(2), []])
        elif m := re.match(r"^(（\d+）)(.*)$", line):
            items[-1][2].append((m.group(1), m.group(2)))
        else:
            items[-1][1] += "\n" + line
    return [tuple(i) for i in items]


def seed_000_form_checks() -> list[str]:
    """Parse 附件1's cells (tab-separated, wrapped lines joined): the checks are the cells asking 是否/有无/情况."""
    text = (SEEDS / "000_6613789c0a15856c.txt").read_text(encoding="utf-8")
    form = text.split("附件1\n", 1)[1].split("附件2", 1)[0]
    body = form.split("填表日期：", 1)[1].split("排查出的总隐患数", 1)[0]
    cells: list[str] = []
    for cell in (c.strip() for c in body.replace("\n", "").split("\t")):
        if not cell:
            continue
        if cell.startswith("（") and cells:  # a remark printed under its cell, e.g. （无校车等用“/”）
            cells[-1] += cell
        else:
            cells.append(cell)
    return cells


def catalogue(code: str) -> list[ChecklistItem]:
    return list(ChecklistItem.objects.filter(category__code=code, parent__isnull=True).order_by("position"))


def test_seed_004_has_seven_categories_and_fifty_items_and_the_catalogue_has_the_same(db):
    seed = seed_004_items()
    assert len(seed) == 7
    assert sum(len(items) for items in seed.values()) == 50
    categories = ChecklistCategory.objects.filter(source="seed_004").order_by("position")
    assert [c.name for c in categories] == list(seed)
    for category in categories:
        items = list(category.items.order_by("position"))
        assert len(items) == len(seed[category.name]), category.name
        assert [i.number for i in items] == [str(n) for n in range(1, len(items) + 1)]
        assert [i.text for i in items] == seed[category.name]
    assert ChecklistItem.objects.filter(category__source="seed_004").count() == 50


def test_seed_000_work_items_one_to_ten_are_in_the_catalogue_word_for_word_with_the_sub_items_of_item_one(db):
    seed = seed_000_work_items()
    assert [n for n, _, _ in seed] == [str(i) for i in range(1, 11)]
    items = catalogue("s000_work")
    assert [(i.number, i.text) for i in items] == [(n, text) for n, text, _ in seed]
    for item, (_, _, subs) in zip(items, seed):
        assert [(c.number, c.text) for c in item.children.order_by("position")] == subs
    assert [c.number for c in items[0].children.order_by("position")] == ["（1）", "（2）", "（3）"]


def test_the_checks_of_attachment_1_are_in_the_catalogue_with_the_one_button_alarm_places_as_sub_items(db):
    cells = seed_000_form_checks()
    checks = [c for c in cells if re.search("是否|有无|情况", c)]
    items = catalogue("s000_form")
    assert [i.text for i in items] == checks
    alarm = next(i for i in items if i.text == "一键报警有无")
    following = cells[cells.index("一键报警有无") + 1 : cells.index("一键报警有无") + 3]
    assert [c.text for c in alarm.children.order_by("position")] == following == ["门卫", "学生宿舍（无宿舍填“/”）"]


def test_loading_the_catalogue_again_creates_nothing_and_keeps_the_city_administrators_edits(db):
    item = ChecklistItem.objects.get(category__code="s004_fire", number="8")
    item.text = "疏散通道、安全出口是否畅通"
    item.save()
    before = ChecklistItem.objects.count()
    assert load_catalogue(ChecklistCategory, ChecklistItem) == 0
    assert ChecklistItem.objects.count() == before
    item.refresh_from_db()
    assert item.text == "疏散通道、安全出口是否畅通"


@pytest.mark.parametrize(
    "username, allowed", [("city_admin", True), ("officer_a", False), ("auditor", False), ("staff_a1", False)]
)
def test_only_the_city_administrator_edits_the_catalogue_in_the_admin(world, client, username, allowed):
    user = world.users[username]
    user.is_staff = True
    user.save()
    client.force_login(user)
    item = ChecklistItem.objects.get(category__code="s004_food", number="6")
    url = f"/admin/casework/checklistitem/{item.pk}/change/"
    response = client.post(
        url,
        {
            "category": item.category_id,
            "number": "6",
            "position": 6,
            "text": "陪餐制度是否按规定落实（含校领导陪餐）",
            "hazard_category": "",
            "key_place": "",
            "active": "on",
        },
    )
    item.refresh_from_db()
    if allowed:
        assert response.status_code == 302
        assert item.text == "陪餐制度是否按规定落实（含校领导陪餐）"
        assert item.history.latest().history_user == user
    else:
        assert response.status_code in (302, 403)
        assert item.text == "陪餐制度是否按规定落实"
