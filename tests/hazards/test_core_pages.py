"""The login page, the scoped ledger, the hazard page with its timeline, evidence and the admin."""

import pytest
from django.urls import reverse

from casework.models import Evidence
from tests.factories import Clock, make_hazard


@pytest.fixture
def cases(world):
    clock = Clock()
    return {
        "own": make_hazard(world, school="school_a1", state="rectified", clock=clock, title="本校消防通道堵塞"),
        "foreign": make_hazard(world, school="school_b1", clock=clock, title="外校围墙破损"),
        "sensitive": make_hazard(world, school="school_a1", sensitive=True, clock=clock, title="涉校矛盾线索"),
    }


def login(client, user):
    client.force_login(user)
    return client


def test_the_login_page_is_in_chinese(client, db):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert "登录" in response.content.decode()


def test_pages_require_login(client, world, cases):
    response = client.get(reverse("casework:ledger"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_the_ledger_lists_only_what_the_school_may_see(client, world, cases):
    body = login(client, world.staff_a1).get(reverse("casework:ledger")).content.decode()
    assert "本校消防通道堵塞" in body
    assert "外校围墙破损" not in body
    assert "涉校矛盾线索" not in body


def test_the_police_station_sees_the_sensitive_hazard_of_its_school(client, world, cases):
    body = login(client, world.police_a1).get(reverse("casework:ledger")).content.decode()
    assert "涉校矛盾线索" in body and "外校围墙破损" not in body


def test_the_ledger_marks_overdue_hazards_and_filters_them(client, world, clock):
    from datetime import timedelta

    from django.utils import timezone

    from casework.services.transitions import hazard_assign
    from tests.factories import plan

    start = timezone.now() - timedelta(days=40)
    hazard = make_hazard(world, clock=Clock(start), title="逾期的隐患")
    hazard_assign(
        hazard_id=hazard.pk,
        actor=world.officer_a,
        occurred_at=start + timedelta(days=1),
        **plan(deadline=timezone.localdate() - timedelta(days=5)),
    )
    make_hazard(world, state="assigned", title="未逾期的隐患")
    body = login(client, world.officer_a).get(reverse("casework:ledger") + "?overdue=1").content.decode()
    assert "逾期的隐患" in body and "未逾期的隐患" not in body
    assert 'class="overdue"' in body


def test_malformed_ledger_filters_are_ignored_not_an_error(client, world, cases):
    response = login(client, world.officer_a).get(reverse("casework:ledger") + "?district=abc&state=bogus&page=zz")
    assert response.status_code == 200


def test_the_hazard_page_shows_the_timeline(client, world, cases):
    body = login(client, world.officer_a).get(cases["own"].get_absolute_url()).content.decode()
    assert "上报隐患" in body and "交办整改" in body and "报告整改完成" in body


@pytest.mark.parametrize("user", ["staff_a2", "staff_b1", "officer_b", "supervisor_b", "party_a"])
def test_a_hazard_outside_the_users_scope_is_a_404_that_shows_nothing(client, world, cases, user):
    response = login(client, world.users[user]).get(cases["own"].get_absolute_url())
    assert response.status_code == 404
    assert "本校消防通道堵塞" not in response.content.decode()


@pytest.mark.parametrize("user", ["staff_a1", "officer_a", "supervisor_a", "supervisor_city"])
def test_a_sensitive_hazard_is_a_404_for_the_education_side(client, world, cases, user):
    assert login(client, world.users[user]).get(cases["sensitive"].get_absolute_url()).status_code == 404


def test_evidence_is_served_only_to_users_who_may_see_its_hazard(client, world, cases):
    evidence = Evidence.objects.get(hazard=cases["own"])
    url = reverse("casework:evidence_file", args=[evidence.pk])
    ok = login(client, world.staff_a1).get(url)
    assert ok.status_code == 200 and ok["Content-Type"] == "image/png"
    assert login(client, world.staff_b1).get(url).status_code == 404


def test_the_admin_change_list_is_scoped_like_every_other_path(client, world, cases):
    world.officer_a.is_staff = True
    world.officer_a.save()
    from django.contrib.auth.models import Permission

    world.officer_a.user_permissions.add(*Permission.objects.filter(codename__in=["view_hazard", "change_hazard"]))
    body = login(client, world.officer_a).get(reverse("admin:casework_hazard_changelist")).content.decode()
    assert "本校消防通道堵塞" in body and "外校围墙破损" not in body
    foreign = reverse("admin:casework_hazard_change", args=[cases["foreign"].pk])
    assert client.get(foreign).status_code in (302, 404)


def test_the_admin_shows_the_state_read_only(client, world, cases):
    world.city_admin.is_staff = True
    world.city_admin.is_superuser = True
    world.city_admin.save()
    body = (
        login(client, world.city_admin)
        .get(reverse("admin:casework_hazard_change", args=[cases["own"].pk]))
        .content.decode()
    )
    assert 'name="state"' not in body
    assert "待验收" in body
