"""Every transition form: invalid input is shown in Chinese with the typed fields kept; a double
submit performs once; the wrong role and the foreign school get nothing."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from casework.models import FormSubmission, Hazard, HazardTransition
from tests.factories import make_hazard, photo, snapshot

TOKEN = "t" * 24


def url(hazard, action):
    return reverse("casework:hazard_action", args=[hazard.pk, action])


def post(client, user, path, data, files=None):
    client.force_login(user)
    return client.post(path, {"form_token": TOKEN, **data, **(files or {})})


# (action, state, actor key, invalid data, the field that must show the error, a typed value to be kept)
INVALID = [
    (
        "assign",
        "reported",
        "officer_a",
        {"responsible_person": "李老师", "measures": "", "deadline": ""},
        "measures",
        "李老师",
    ),
    (
        "record_temporary_measures",
        "assigned",
        "staff_a1",
        {"measures": "", "comment": "先报备注"},
        "measures",
        "先报备注",
    ),
    ("report_rectified", "assigned", "staff_a1", {"description": "已清理完毕"}, "evidence", "已清理完毕"),
    ("verify", "rectified", "supervisor_a", {"result": "", "comment": "现场查看"}, "result", "现场查看"),
    ("reject", "rectified", "supervisor_a", {"reason": "", "comment": "返工备注"}, "reason", "返工备注"),
    (
        "escalate",
        "assigned",
        "officer_a",
        {"reason": "涉及城管执法", "temporary_measures": ""},
        "temporary_measures",
        "涉及城管执法",
    ),
    (
        "record_coordination",
        "escalated",
        "party_a",
        {"decision": "由街道牵头", "units_charged": "", "deadline": "2099-13-40", "back_to": "assigned"},
        "deadline",
        "由街道牵头",
    ),
    ("close_invalid", "reported", "officer_a", {"reason": "", "comment": "重复"}, "reason", "重复"),
    ("change_deadline", "assigned", "officer_a", {"deadline": "", "reason": "施工延期"}, "deadline", "施工延期"),
]


@pytest.mark.parametrize("action,state,actor,data,field,kept", INVALID, ids=[row[0] for row in INVALID])
def test_each_form_shows_invalid_input_in_chinese_keeps_what_was_typed_and_changes_nothing(
    client, world, action, state, actor, data, field, kept
):
    hazard = make_hazard(world, state=state)
    before = snapshot(hazard)
    response = post(client, world.users[actor], url(hazard, action), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "提交未成功" in page
    assert f'data-testid="error-{field}"' in page
    assert kept in page
    assert snapshot(hazard) == before
    assert not FormSubmission.objects.exists()


def test_the_services_refusal_lands_on_the_field_and_the_form_keeps_the_typed_plan(client, world):
    hazard = make_hazard(world, state="reported", major=True)
    response = post(
        client,
        world.officer_a,
        url(hazard, "assign"),
        {
            "responsible_person": "王主任",
            "measures": "加装护栏",
            "deadline": str(timezone.localdate() + timedelta(days=9)),
            "funding": "",
            "contingency_plan": "",
        },
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert 'data-testid="error-funding"' in page and 'data-testid="error-contingency_plan"' in page
    assert "加装护栏" in page and "王主任" in page
    assert Hazard.objects.get(pk=hazard.pk).state == "reported"


def test_a_refusal_from_the_service_is_shown_in_chinese(client, world):
    hazard = make_hazard(world, state="reported")
    past = str(timezone.localdate() - timedelta(days=3))
    response = post(
        client,
        world.officer_a,
        url(hazard, "assign"),
        {"responsible_person": "王主任", "measures": "清理", "deadline": past},
    )
    assert response.status_code == 400
    assert "整改时限不能早于交办日期" in response.content.decode()
    assert Hazard.objects.get(pk=hazard.pk).state == "reported"


def test_a_valid_form_performs_the_transition_and_redirects_to_the_hazard(client, world):
    hazard = make_hazard(world, state="assigned")
    response = post(
        client,
        world.staff_a1,
        url(hazard, "report_rectified"),
        {"description": "已清理"},
        {"evidence": [photo("a.png"), photo("b.png")]},
    )
    assert response.status_code == 302 and response["Location"] == hazard.get_absolute_url()
    hazard.refresh_from_db()
    assert hazard.state == "rectified"
    assert hazard.evidence.count() == 2


def test_a_double_submit_performs_the_transition_once(client, world):
    hazard = make_hazard(world, state="assigned")
    data = {"deadline": str(timezone.localdate() + timedelta(days=40)), "reason": "施工延期"}
    first = post(client, world.officer_a, url(hazard, "change_deadline"), data)
    second = post(client, world.officer_a, url(hazard, "change_deadline"), data)
    assert first.status_code == 302 and second.status_code == 302
    assert HazardTransition.objects.filter(hazard=hazard, name="change_deadline").count() == 1
    assert "该表单已提交过" in client.get(second["Location"]).content.decode()


def test_a_double_submitted_report_creates_one_hazard(client, world):
    data = {
        "school": world.school_a1.pk,
        "hazard_title": "围墙破损",
        "description": "东侧围墙倒塌一段",
        "key_place": "surroundings",
        "category": "security",
        "severity": "general",
        "urgency": "normal",
    }
    count = Hazard.objects.count()
    for _ in range(2):
        post(client, world.staff_a1, reverse("casework:hazard_report"), data, {"evidence": [photo()]})
    assert Hazard.objects.count() == count + 1
    hazard = Hazard.objects.latest("pk")
    assert hazard.title == "围墙破损" and hazard.evidence.count() == 1 and hazard.key_place == "surroundings"


def test_an_invalid_report_keeps_every_typed_field(client, world):
    data = {
        "school": world.school_a1.pk,
        "hazard_title": "围墙破损",
        "description": "东侧围墙倒塌一段",
        "key_place": "",
        "category": "security",
        "severity": "major",
        "urgency": "urgent",
    }
    response = post(client, world.staff_a1, reverse("casework:hazard_report"), data)
    page = response.content.decode()
    assert response.status_code == 400
    assert 'data-testid="error-key_place"' in page and "字段是必填项" in page
    assert 'value="围墙破损"' in page and "东侧围墙倒塌一段" in page
    assert '<option value="major" selected>' in page and '<option value="urgent" selected>' in page


def test_a_school_cannot_report_for_another_school(client, world):
    data = {
        "school": world.school_b1.pk,
        "hazard_title": "x",
        "description": "y",
        "key_place": "gate",
        "category": "security",
        "severity": "general",
        "urgency": "normal",
    }
    count = Hazard.objects.count()
    response = post(client, world.staff_a1, reverse("casework:hazard_report"), data)
    assert response.status_code == 400
    assert Hazard.objects.count() == count


def test_the_wrong_role_is_refused_in_chinese_and_nothing_changes(client, world):
    hazard = make_hazard(world, state="reported")
    before = snapshot(hazard)
    client.force_login(world.staff_a1)
    response = client.get(url(hazard, "assign"))
    assert response.status_code == 403 and "此操作仅限" in response.content.decode()
    response = post(
        client,
        world.staff_a1,
        url(hazard, "assign"),
        {"responsible_person": "王", "measures": "m", "deadline": str(timezone.localdate())},
    )
    assert response.status_code == 400 and "此操作仅限" in response.content.decode()
    assert snapshot(hazard) == before


def test_an_auditor_can_open_no_form(client, world):
    hazard = make_hazard(world, state="rectified")
    client.force_login(world.auditor)
    response = client.get(url(hazard, "verify"))
    assert response.status_code == 403 and "审计角色只读" in response.content.decode()


def test_the_foreign_school_and_district_get_a_404_on_every_form(client, world):
    hazard = make_hazard(world, state="assigned")
    for user in (world.staff_a2, world.officer_b, world.supervisor_b, world.party_b):
        client.force_login(user)
        for action in ("assign", "report_rectified", "escalate", "change_deadline", "verify"):
            assert client.get(url(hazard, action)).status_code == 404
            assert client.post(url(hazard, action), {"form_token": TOKEN}).status_code == 404


def test_a_form_in_the_wrong_state_says_so(client, world):
    hazard = make_hazard(world, state="verified")
    client.force_login(world.officer_a)
    response = client.get(url(hazard, "escalate"))
    assert response.status_code == 403 and "已验收销号" in response.content.decode()


def test_the_hazard_page_offers_only_the_actions_the_user_may_take(client, world):
    hazard = make_hazard(world, state="assigned")
    client.force_login(world.staff_a1)
    page = client.get(hazard.get_absolute_url()).content.decode()
    assert 'data-testid="action-report_rectified"' in page
    assert 'data-testid="action-escalate"' not in page
    client.force_login(world.officer_a)
    page = client.get(hazard.get_absolute_url()).content.decode()
    assert 'data-testid="action-escalate"' in page and 'data-testid="action-report_rectified"' not in page
