"""Each event reaches exactly the right people (the lifecycle table's audiences), nobody outside the hazard's scope."""

from datetime import timedelta

import pytest
from django.utils import timezone

from casework.access import can_view
from casework.models import Membership, Role
from casework.rules.lifecycle import ACTIONS
from casework.services import transitions as svc
from tests.factories import make_hazard, member, photo, plan
from tests.notifications.helpers import last_id, new_notifications, usernames

SENSITIVE_SIDE = {"police_a1", "city_admin"}


def step(action, hazard, actor, clock):
    at = clock()
    deadline = timezone.localdate() + timedelta(days=40)
    calls = {
        "assign": lambda: svc.hazard_assign(hazard_id=hazard.pk, actor=actor, occurred_at=at, **plan()),
        "record_temporary_measures": lambda: svc.hazard_record_temporary_measures(
            hazard_id=hazard.pk, actor=actor, occurred_at=at, measures="设置围挡"
        ),
        "change_deadline": lambda: svc.hazard_change_deadline(
            hazard_id=hazard.pk, actor=actor, occurred_at=at, deadline=deadline, reason="施工排期"
        ),
        "escalate": lambda: svc.hazard_escalate(hazard_id=hazard.pk, actor=actor, occurred_at=at, reason="需协调"),
        "record_coordination": lambda: svc.hazard_record_coordination(
            hazard_id=hazard.pk,
            actor=actor,
            occurred_at=at,
            decision="城管牵头",
            units_charged="城管局",
            deadline=deadline,
            back_to="assigned",
        ),
        "report_rectified": lambda: svc.hazard_report_rectified(
            hazard_id=hazard.pk, actor=actor, occurred_at=at, description="已清理", evidence=[photo()]
        ),
        "reject": lambda: svc.hazard_reject(hazard_id=hazard.pk, actor=actor, occurred_at=at, reason="未清理干净"),
        "verify": lambda: svc.hazard_verify(hazard_id=hazard.pk, actor=actor, occurred_at=at, result="整改到位"),
        "close_invalid": lambda: svc.hazard_close_invalid(
            hazard_id=hazard.pk, actor=actor, occurred_at=at, reason="重复上报"
        ),
    }
    before = last_id()
    calls[action]()
    hazard.refresh_from_db()
    return new_notifications(before)


@pytest.fixture
def crowd(world):
    """Bystanders who must hear nothing of school A1's hazards: a colleague elsewhere, a deactivated one."""
    member("staff_a1_second", Role.SCHOOL_STAFF, world.school_a1)  # a second safety officer at A1: told
    gone = member("staff_a1_gone", Role.SCHOOL_STAFF, world.school_a1)
    Membership.objects.filter(user=gone).update(active=False)
    return world


ORDINARY_WALK = [
    # (action, actor, who is told)
    ("assign", "officer_a", {"staff_a1", "staff_a1_second"}),
    ("record_temporary_measures", "staff_a1", {"officer_a"}),
    ("change_deadline", "officer_a", {"staff_a1", "staff_a1_second"}),
    ("escalate", "officer_a", {"party_a"}),
    ("record_coordination", "party_a", {"staff_a1", "staff_a1_second", "officer_a"}),
    ("report_rectified", "staff_a1", {"supervisor_a", "supervisor_city"}),
    ("reject", "supervisor_a", {"staff_a1", "staff_a1_second", "officer_a"}),
    ("report_rectified", "staff_a1_second", {"supervisor_a", "supervisor_city"}),
    ("verify", "supervisor_city", {"staff_a1", "staff_a1_second", "officer_a"}),
]

SENSITIVE_WALK = [
    ("assign", "police_a1", set()),  # the station acts for the district and the school: nobody else to tell
    ("record_temporary_measures", "police_a1", set()),
    ("change_deadline", "police_a1", set()),
    ("escalate", "police_a1", {"city_admin"}),
    ("record_coordination", "city_admin", {"police_a1"}),
    ("report_rectified", "police_a1", {"city_admin"}),
    ("reject", "city_admin", {"police_a1"}),
    ("report_rectified", "police_a1", {"city_admin"}),
    ("verify", "city_admin", {"police_a1"}),
]


def test_every_transition_of_an_ordinary_hazard_tells_exactly_its_audience(crowd, clock):
    w = crowd
    before = last_id()
    hazard = make_hazard(w, clock=clock)
    assert usernames(new_notifications(before)) == {"officer_a"}  # report
    for action, actor, expected in ORDINARY_WALK:
        told = step(action, hazard, w.users.get(actor) or _user(actor), clock)
        assert usernames(told) == expected, action
        assert {n.event for n in told} <= {f"hazard.{action}"}
        assert all(can_view(n.recipient, hazard) for n in told), action
    assert hazard.state == "verified"


def test_every_transition_of_a_sensitive_hazard_tells_only_the_police_station_and_the_city(crowd, clock):
    w = crowd
    before = last_id()
    hazard = make_hazard(w, clock=clock, sensitive=True)  # reported by the station itself
    assert usernames(new_notifications(before)) == set()  # report: the station is the assignee
    for action, actor, expected in SENSITIVE_WALK:
        told = step(action, hazard, w.users[actor], clock)
        assert usernames(told) == expected, action
        assert usernames(told) <= SENSITIVE_SIDE
        assert all(can_view(n.recipient, hazard) for n in told), action
    assert hazard.state == "verified"


def test_closing_a_report_as_invalid_tells_the_reporter_only(world, clock):
    hazard = make_hazard(world, clock=clock, school="school_b1")
    assert usernames(step("close_invalid", hazard, world.officer_b, clock)) == {"staff_b1"}
    before = last_id()
    sensitive = make_hazard(world, clock=clock, sensitive=True, reporter=world.city_admin)
    assert usernames(new_notifications(before)) == {"police_a1"}  # the city reports: the station is told
    assert usernames(step("close_invalid", sensitive, world.police_a1, clock)) == {"city_admin"}


def test_a_hazard_in_district_b_tells_nobody_in_district_a(world, clock):
    before = last_id()
    hazard = make_hazard(world, clock=clock, school="school_b1", state="rectified")
    told = new_notifications(before)
    assert usernames(told) == {"officer_b", "staff_b1", "supervisor_b", "supervisor_city"}
    assert not any(name.endswith("_a") or name.endswith("_a1") or name.endswith("_a2") for name in usernames(told))
    assert all(can_view(n.recipient, hazard) for n in told)


def test_auditors_and_unrelated_stations_never_receive_a_notification(world, clock):
    make_hazard(world, clock=clock, state="verified")
    make_hazard(world, clock=clock, state="escalated", sensitive=True)
    make_hazard(world, clock=clock, state="closed_invalid", school="school_a2")
    told = usernames(new_notifications(0))
    assert told and not told & {"auditor", "police_b1", "party_b", "staff_b1", "officer_b", "supervisor_b"}


def test_the_audience_table_names_every_transition():
    # Listing events (list, delist, …) name their recipients in casework/services/listings.py.
    transitions = {
        "report",
        "assign",
        "record_temporary_measures",
        "report_rectified",
        "verify",
        "reject",
        "escalate",
        "record_coordination",
        "close_invalid",
        "change_deadline",
    }  # DESIGN.md's table
    assert transitions <= set(ACTIONS)
    assert all(ACTIONS[name].audience for name in transitions - {"close_invalid"})  # the reporter is told of that


def _user(name):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username=name)
