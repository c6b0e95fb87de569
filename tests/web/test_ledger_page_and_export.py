"""The ledger: scoped, filtered, searched, sorted, paginated, and exported to Excel with its filters."""
import io

from django.urls import reverse
from openpyxl import load_workbook

from tests.factories import make_hazard


def sheet_rows(response):
    data = b"".join(response.streaming_content)
    ws = load_workbook(io.BytesIO(data), read_only=True).active
    return [list(r) for r in ws.iter_rows(values_only=True)]


def test_the_export_holds_the_filtered_ledger_and_names_the_filters_in_its_header(client, world):
    make_hazard(world, state="assigned", title="围墙裂缝")
    make_hazard(world, state="reported", title="消防通道堵塞")
    make_hazard(world, state="assigned", school="school_b1", title="钟楼区围墙")
    client.force_login(world.officer_a)
    response = client.get(reverse("casework:ledger_export"), {"state": "assigned", "q": "围墙"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert response.streaming
    rows = sheet_rows(response)
    assert rows[0][0] == "学校及周边安全隐患台账"
    assert "状态：整改中" in rows[2][1] and "关键词：围墙" in rows[2][1]
    header = rows.index([c for c in rows if c and c[0] == "编号"][0])
    titles = [r[3] for r in rows[header + 1:]]
    assert titles == ["围墙裂缝"]


def test_sensitive_hazards_never_reach_an_education_side_export(client, world):
    make_hazard(world, state="assigned", sensitive=True, title="涉校矛盾线索")
    make_hazard(world, state="assigned", title="普通隐患")
    client.force_login(world.officer_a)
    titles = [r[3] for r in sheet_rows(client.get(reverse("casework:ledger_export"))) if r and len(r) > 3]
    assert "普通隐患" in titles and "涉校矛盾线索" not in titles
    client.force_login(world.police_a1)
    titles = [r[3] for r in sheet_rows(client.get(reverse("casework:ledger_export"))) if r and len(r) > 3]
    assert "涉校矛盾线索" in titles


def test_the_ledger_searches_title_and_description_and_filters_by_reporter(client, world):
    make_hazard(world, title="灭火器过期")
    make_hazard(world, title="围墙", reporter=world.officer_a)
    client.force_login(world.officer_a)
    page = client.get(reverse("casework:ledger"), {"q": "消防通道"}).content.decode()  # in every description
    assert "灭火器过期" in page and "围墙" in page
    page = client.get(reverse("casework:ledger"), {"reporter": "officer_a"}).content.decode()
    assert "围墙" in page and "灭火器过期" not in page


def test_the_ledger_paginates_and_keeps_the_filters_in_the_page_links(client, world):
    for i in range(51):
        make_hazard(world, title=f"隐患{i:02d}")
    client.force_login(world.officer_a)
    page = client.get(reverse("casework:ledger"), {"severity": "general"}).content.decode()
    assert "第 1 / 2 页" in page and "?severity=general&page=2" in page
    page = client.get(reverse("casework:ledger"), {"severity": "general", "sort": "reported_asc", "page": 2}).content.decode()
    assert "隐患50" in page and "隐患00" not in page


def test_a_school_ledger_shows_only_its_own_school(client, world):
    make_hazard(world, title="本校隐患")
    make_hazard(world, school="school_a2", title="他校隐患")
    client.force_login(world.staff_a1)
    page = client.get(reverse("casework:ledger")).content.decode()
    assert "本校隐患" in page and "他校隐患" not in page
