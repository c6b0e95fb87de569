"""The assign, coordination and change-deadline forms take a date or N working days; the page then
shows the resulting date and, for a year the calendar does not cover, the warning."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from casework.models import DeadlineBasis, FormSubmission, Hazard
from casework.workdays import WorkingCalendar
from tests.factories import make_hazard, report_at, shanghai, snapshot

TOKEN = "w" * 24


def url(hazard, action):
    return reverse("casework:hazard_action", args=[hazard.pk, action])


def post(client, user, hazard, action, data):
    client.force_login(user)
    return client.post(url(hazard, action), {"form_token": TOKEN, **data}, follow=True)


def shown_messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_the_assign_form_offers_both_ways_to_give_the_deadline(client, world):
    hazard = make_hazard(world, state="reported")
    client.force_login(world.officer_a)
    page = client.get(url(hazard, "assign")).content.decode()
    assert 'name="deadline"' in page and 'name="deadline_working_days"' in page
    assert "工作日数" in page


def test_assigning_with_n_working_days_stores_the_date_and_shows_it(client, world):
    hazard = report_at(world, shanghai(2019, 9, 25))
    response = post(
        client,
        world.officer_a,
        hazard,
        "assign",
        {
            "responsible_person": "王主任",
            "measures": "清理通道",
            "deadline_working_days": "15",
            "occurred_at": "2019-09-27T10:00",
        },
    )
    hazard = Hazard.objects.get(pk=hazard.pk)
    expected = WorkingCalendar().add_working_days(date(2019, 9, 27), 15)
    assert hazard.state == "assigned"
    assert hazard.deadline == expected
    assert hazard.deadline_basis == DeadlineBasis.WORKING_DAYS and hazard.deadline_working_days == 15
    texts = shown_messages(response)
    assert any(f"整改时限为 {expected:%Y-%m-%d}" in t and "15 个工作日" in t for t in texts)
    assert not any("暂按周一至周五" in t for t in texts)


def test_assigning_with_a_date_keeps_the_date_basis_and_shows_the_date(client, world):
    hazard = make_hazard(world, state="reported")
    day = timezone.localdate() + timedelta(days=20)
    response = post(
        client,
        world.officer_a,
        hazard,
        "assign",
        {"responsible_person": "王主任", "measures": "清理", "deadline": day.isoformat()},
    )
    hazard = Hazard.objects.get(pk=hazard.pk)
    assert hazard.deadline == day and hazard.deadline_basis == DeadlineBasis.DATE
    assert hazard.deadline_working_days is None
    assert any(f"整改时限为 {day:%Y-%m-%d}" in t and "工作日" not in t for t in shown_messages(response))


def test_a_deadline_reaching_into_an_uncovered_year_is_set_and_the_warning_is_shown(client, world):
    # chinese_calendar starts in 2004: 2003 is uncovered.
    hazard = report_at(world, shanghai(2003, 12, 20))
    response = post(
        client,
        world.officer_a,
        hazard,
        "assign",
        {
            "responsible_person": "王主任",
            "measures": "清理",
            "deadline_working_days": "10",
            "occurred_at": "2003-12-22T10:00",
        },
    )
    hazard = Hazard.objects.get(pk=hazard.pk)
    assert hazard.state == "assigned"
    warnings = [t for t in shown_messages(response) if "2003年" in t]
    assert warnings and "暂按周一至周五为工作日计算" in warnings[0]
    assert 'class="warning"' in response.content.decode()


def test_changing_the_deadline_by_working_days(client, world):
    hazard = make_hazard(world, state="assigned")
    response = post(
        client, world.officer_a, hazard, "change_deadline", {"deadline_working_days": "20", "reason": "施工延期"}
    )
    hazard = Hazard.objects.get(pk=hazard.pk)
    assert hazard.deadline_basis == DeadlineBasis.WORKING_DAYS and hazard.deadline_working_days == 20
    assert hazard.deadline == WorkingCalendar().add_working_days(timezone.localdate(), 20)
    assert any(f"整改时限为 {hazard.deadline:%Y-%m-%d}" in t for t in shown_messages(response))


def test_recording_the_coordination_with_working_days(client, world):
    hazard = make_hazard(world, state="escalated")
    response = post(
        client,
        world.party_a,
        hazard,
        "record_coordination",
        {"decision": "由街道牵头", "units_charged": "街道办", "deadline_working_days": "30", "back_to": "assigned"},
    )
    hazard = Hazard.objects.get(pk=hazard.pk)
    assert hazard.state == "assigned"
    assert hazard.deadline_working_days == 30
    assert hazard.deadline == WorkingCalendar().add_working_days(timezone.localdate(), 30)
    assert any("30 个工作日" in t for t in shown_messages(response))


BAD = [
    ({}, "deadline", "请填写"),
    ({"deadline_working_days": "0"}, "deadline_working_days", "1 至 365"),
    ({"deadline_working_days": "366"}, "deadline_working_days", "1 至 365"),
    ({"deadline_working_days": "三天"}, "deadline_working_days", "请填写整数"),
    ({"deadline_working_days": "5", "deadline": "2099-01-01"}, "deadline_working_days", "只能选其一"),
    ({"deadline": "2099-02-30"}, "deadline", ""),
]


@pytest.mark.parametrize(
    "action,state,actor,base",
    [
        ("assign", "reported", "officer_a", {"responsible_person": "李老师", "measures": "清理"}),
        ("change_deadline", "assigned", "officer_a", {"reason": "施工延期"}),
        (
            "record_coordination",
            "escalated",
            "party_a",
            {"decision": "由街道牵头", "units_charged": "街道办", "back_to": "assigned"},
        ),
    ],
)
@pytest.mark.parametrize("bad,field,text", BAD)
def test_invalid_deadline_input_is_refused_on_the_field_and_nothing_changes(
    client, world, action, state, actor, base, bad, field, text
):
    hazard = make_hazard(world, state=state)
    before = snapshot(hazard)
    client.force_login(world.users[actor])
    response = client.post(url(hazard, action), {"form_token": TOKEN, **base, **bad})
    assert response.status_code == 400
    page = response.content.decode()
    assert f'data-testid="error-{field}"' in page
    assert text in page
    assert snapshot(hazard) == before
    assert not FormSubmission.objects.exists()


def test_the_wrong_role_and_the_foreign_district_cannot_set_a_deadline_by_working_days(client, world):
    hazard = make_hazard(world, state="assigned")
    before = snapshot(hazard)
    for user in (world.staff_a1, world.officer_b):
        client.force_login(user)
        response = client.post(
            url(hazard, "change_deadline"),
            {"form_token": TOKEN + user.username, "deadline_working_days": "10", "reason": "延期"},
        )
        assert response.status_code in (400, 403, 404)
    assert snapshot(hazard) == before
