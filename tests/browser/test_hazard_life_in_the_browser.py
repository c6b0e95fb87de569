"""A hazard's whole life, in the browser, by four people; an escalated case; a foreign school's URL."""

from datetime import timedelta

import pytest
from django.utils import timezone

from casework.models import Hazard
from tests.factories import PNG, make_hazard, make_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHOTO = {"name": "现场.png", "mimeType": "image/png", "buffer": PNG}


def submit(page):
    page.click("[data-testid=submit]")
    page.wait_for_load_state()


def test_one_hazard_is_taken_from_report_to_verification_by_four_people(login, live_server):
    world = make_world()
    deadline = str(timezone.localdate() + timedelta(days=20))

    # 1. The school's local police officer reports it, with a photo and the key place.
    police = login(world.police_a1)
    police.click("text=上报隐患")
    police.select_option("#id_school", str(world.school_a1.pk))
    police.fill("#id_hazard_title", "实验楼二楼灭火器过期")
    police.fill("#id_description", "实验楼二楼走廊 3 具灭火器压力不足、已过期")
    police.select_option("#id_key_place", "laboratory")
    police.select_option("#id_category", "fire")
    police.set_input_files("#id_evidence", files=[PHOTO])
    submit(police)
    assert "已上报隐患" in police.content()
    hazard = Hazard.objects.get(title="实验楼二楼灭火器过期")
    assert hazard.key_place == "laboratory" and hazard.evidence.count() == 1 and not hazard.sensitive

    # 2. The district officer finds it in the queue, takes it, and assigns the rectification.
    officer = login(world.officer_a)
    assert officer.inner_text("[data-testid=count-queue] .n") == "1"
    officer.click(f"[data-testid=take-{hazard.pk}]")
    assert officer.inner_text("[data-testid=count-inbox] .n") == "1"
    officer.click(f"[data-testid=open-{hazard.pk}]")
    officer.fill("#id_measures", "更换过期灭火器并建立月检制度")
    officer.fill("#id_responsible_person", "陈老师")
    officer.fill("#id_deadline", deadline)
    submit(officer)
    assert officer.inner_text("[data-testid=state]") == "整改中"

    # 3. The school reports the fix with evidence — after one try without it, which keeps what was typed.
    school = login(world.staff_a1)
    assert school.inner_text("[data-testid=count-queue] .n") == "1"
    school.click(f"[data-testid=take-{hazard.pk}]")
    school.click(f"[data-testid=open-{hazard.pk}]")
    school.fill("#id_description", "已更换 3 具灭火器")
    submit(school)
    assert "提交未成功" in school.content()
    assert school.input_value("#id_description") == "已更换 3 具灭火器"
    school.set_input_files("#id_evidence", files=[PHOTO])
    submit(school)
    assert school.inner_text("[data-testid=state]") == "待验收"

    # 4. A supervisor of the district verifies it on site.
    supervisor = login(world.supervisor_a)
    assert supervisor.inner_text("[data-testid=count-queue] .n") == "1"
    supervisor.click(f"[data-testid=take-{hazard.pk}]")
    supervisor.click(f"[data-testid=open-{hazard.pk}]")
    supervisor.fill("#id_result", "现场核查，灭火器已更换，同意销号")
    submit(supervisor)
    assert supervisor.inner_text("[data-testid=state]") == "已验收销号"
    timeline = supervisor.inner_text("[data-testid=timeline]")
    for step in ("上报隐患", "交办整改", "报告整改完成", "验收销号"):
        assert step in timeline
    assert supervisor.locator(".thumbs img").count() == 2
    hazard.refresh_from_db()
    assert hazard.state == "verified"
    supervisor.goto(f"{live_server.url}/tasks/archive/")
    assert supervisor.locator(f"[data-testid=task-row][data-hazard='{hazard.pk}']").count() == 1


def test_an_escalated_case_goes_to_the_party_committee_and_back_to_the_school(login, live_server):
    world = make_world()
    hazard = make_hazard(world, state="temporary_measures", major=True, title="校门口占道经营")

    officer = login(world.officer_a)
    officer.goto(f"{live_server.url}{hazard.get_absolute_url()}")
    officer.click("[data-testid=action-escalate]")
    officer.fill("#id_reason", "涉及城管、交警多部门执法，教育部门无法独立解决")
    submit(officer)
    assert officer.inner_text("[data-testid=state]") == "已提请党委政府协调"

    party = login(world.party_a)
    assert party.inner_text("[data-testid=count-escalated] .n") == "1"
    assert party.inner_text("[data-testid=count-queue] .n") == "1"
    party.click(f"[data-testid=take-{hazard.pk}]")
    party.click(f"[data-testid=open-{hazard.pk}]")
    party.fill("#id_decision", "由街道牵头，城管、交警联合整治")
    party.fill("#id_units_charged", "街道办、城管中队、交警大队")
    party.fill("#id_deadline", str(timezone.localdate() + timedelta(days=30)))
    party.select_option("#id_back_to", "assigned")
    submit(party)
    assert party.inner_text("[data-testid=state]") == "整改中"

    school = login(world.staff_a1)
    assert school.inner_text("[data-testid=count-queue] .n") == "1"
    hazard.refresh_from_db()
    assert hazard.state == "assigned"


def test_a_school_typing_another_schools_hazard_url_gets_a_404_and_sees_nothing(login, live_server):
    world = make_world()
    hazard = make_hazard(world, state="assigned", school="school_a1", title="宿舍楼消防通道堵塞")
    other = login(world.staff_a2)
    for path in (hazard.get_absolute_url(), f"{hazard.get_absolute_url()}report_rectified/"):
        response = other.goto(f"{live_server.url}{path}")
        assert response.status == 404
        assert "宿舍楼消防通道堵塞" not in other.content()
    other.goto(f"{live_server.url}/hazards/")
    assert "宿舍楼消防通道堵塞" not in other.content()
    assert other.inner_text("[data-testid=ledger-count]") == "0"
