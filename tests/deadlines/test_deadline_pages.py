"""The pages: the time-to-fix statistics, the deadline preview, and the deadline on the hazard page."""

from datetime import date

import pytest

from casework.models import HolidayOverride
from casework.services import transitions as svc
from tests.factories import report_at, shanghai

URL = "/statistics/time-to-fix/"
QUERY = {"start": "2019-09-21", "end": "2019-10-20", "cutoff": "2019-10-22"}


@pytest.fixture
def two_districts(world):
    for school, officer in (("school_a1", world.officer_a), ("school_b1", world.officer_b)):
        h = report_at(world, shanghai(2019, 9, 25), school=school)
        svc.hazard_assign(
            hazard_id=h.pk,
            actor=officer,
            occurred_at=shanghai(2019, 9, 27),
            responsible_person="王",
            measures="清理",
            deadline_working_days=15,
        )
    return world


def test_the_statistics_page_shows_the_figures_in_chinese_for_the_city(two_districts, client):
    client.force_login(two_districts.supervisor_city)
    page = client.get(URL, QUERY).content.decode()
    assert 'data-testid="hazard-count">2<' in page
    for text in (
        "整改用时统计",
        "按辖市区",
        "按学校类型",
        "按类别",
        "天宁区",
        "钟楼区",
        "上报 → 交办",
        "90%分位（工作日）",
    ):
        assert text in page


def test_a_district_officer_sees_only_the_own_district_on_the_statistics_page(two_districts, client):
    client.force_login(two_districts.officer_a)
    page = client.get(URL, QUERY).content.decode()
    assert 'data-testid="hazard-count">1<' in page
    assert "天宁区" in page
    assert "钟楼区" not in page


def test_the_statistics_page_survives_malformed_dates_and_needs_a_login(two_districts, client):
    assert client.get(URL).status_code == 302
    client.force_login(two_districts.supervisor_city)
    response = client.get(URL, {"start": "2019-13-01", "end": "2019-01-01", "cutoff": "x"})
    assert response.status_code == 200
    assert "日期格式不正确" in response.content.decode()


def test_the_preview_gives_the_date_n_working_days_later(db, client, world):
    client.force_login(world.officer_a)
    data = client.get("/deadlines/preview/", {"start": "2019-09-25", "working_days": "15"}).json()
    assert data == {
        "start": "2019-09-25",
        "working_days": 15,
        "deadline": "2019-10-21",
        "weekday": "星期一",
        "warning": "",
    }


def test_the_preview_warns_for_an_uncovered_year_and_refuses_bad_counts(db, client, world):
    client.force_login(world.officer_a)
    data = client.get("/deadlines/preview/", {"start": "2026-12-24", "working_days": "10"}).json()
    assert data["deadline"] == "2027-01-07"
    assert "2027年" in data["warning"]
    assert client.get("/deadlines/preview/", {"working_days": "0"}).status_code == 400
    assert client.get("/deadlines/preview/", {"working_days": "abc"}).status_code == 400
    client.logout()
    assert client.get("/deadlines/preview/", {"working_days": "3"}).status_code == 302


def test_the_hazard_page_shows_the_date_and_how_it_was_given(two_districts, client):
    hazard = report_at(two_districts, shanghai(2019, 9, 24))
    svc.hazard_assign(
        hazard_id=hazard.pk,
        actor=two_districts.officer_a,
        occurred_at=shanghai(2019, 9, 25),
        responsible_person="王",
        measures="清理",
        deadline_working_days=15,
    )
    client.force_login(two_districts.staff_a1)
    page = client.get(f"/hazards/{hazard.pk}/").content.decode()
    assert "2019-10-21（15 个工作日，自 2019-09-25 次日起算，按法定节假日和调休安排计）" in page
    assert "deadline-warning" not in page


def test_the_hazard_page_warns_while_the_year_is_uncovered_and_says_so_once_it_is_maintained(world, client):
    hazard = report_at(world, shanghai(2003, 12, 20))
    svc.hazard_assign(
        hazard_id=hazard.pk,
        actor=world.officer_a,
        occurred_at=shanghai(2003, 12, 22),
        responsible_person="王",
        measures="清理",
        deadline_working_days=10,
    )
    client.force_login(world.officer_a)
    page = client.get(f"/hazards/{hazard.pk}/").content.decode()
    assert 'data-testid="deadline-warning"' in page
    assert "系统尚无2003年的法定节假日和调休安排" in page
    HolidayOverride.objects.create(
        date=date(2003, 10, 1),
        is_workday=False,
        name="国庆节",
        created_by=world.city_admin,
        updated_by=world.city_admin,
    )
    page = client.get(f"/hazards/{hazard.pk}/").content.decode()
    assert 'data-testid="deadline-warning"' not in page
    assert 'data-testid="deadline-warning-resolved"' in page


def test_a_date_deadline_is_shown_as_a_given_date(world, client):
    hazard = report_at(world, shanghai(2019, 9, 24))
    svc.hazard_assign(
        hazard_id=hazard.pk,
        actor=world.officer_a,
        occurred_at=shanghai(2019, 9, 25),
        responsible_person="王",
        measures="清理",
        deadline=date(2019, 10, 31),
    )
    client.force_login(world.officer_a)
    assert "2019-10-31（指定日期）" in client.get(f"/hazards/{hazard.pk}/").content.decode()
