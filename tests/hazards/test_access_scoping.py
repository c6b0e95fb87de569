"""What each role sees: its own unit's hazards, never a foreign unit's, never sensitive ones on the
education side; and the SQL rule (hazards_visible_to) equals the in-memory rule (can_view)."""

import pytest

from casework.access import can_view, hazards_visible_to, org_units_visible_to, schools_reportable_by
from casework.models import Hazard
from tests.factories import Clock, make_hazard

USERS = [
    "staff_a1",
    "staff_a2",
    "staff_b1",
    "police_a1",
    "police_a2",
    "police_b1",
    "officer_a",
    "officer_b",
    "supervisor_a",
    "supervisor_b",
    "supervisor_city",
    "party_a",
    "party_b",
    "city_admin",
    "auditor",
]


@pytest.fixture
def cases(world):
    clock = Clock()
    return {
        "a1": make_hazard(world, school="school_a1", clock=clock, title="a1"),
        "a2": make_hazard(world, school="school_a2", clock=clock, title="a2"),
        "b1": make_hazard(world, school="school_b1", clock=clock, title="b1"),
        "a1_sensitive": make_hazard(world, school="school_a1", sensitive=True, clock=clock, title="a1s"),
        "a1_escalated": make_hazard(world, school="school_a1", state="escalated", clock=clock, title="a1e"),
        "b1_escalated": make_hazard(world, school="school_b1", state="escalated", clock=clock, title="b1e"),
    }


EXPECTED = {
    "staff_a1": {"a1", "a1_escalated"},
    "staff_a2": {"a2"},
    "staff_b1": {"b1", "b1_escalated"},
    "police_a1": {"a1", "a1_sensitive", "a1_escalated"},
    "police_a2": {"a2"},
    "police_b1": {"b1", "b1_escalated"},
    "officer_a": {"a1", "a2", "a1_escalated"},
    "officer_b": {"b1", "b1_escalated"},
    "supervisor_a": {"a1", "a2", "a1_escalated"},
    "supervisor_b": {"b1", "b1_escalated"},
    "supervisor_city": {"a1", "a2", "b1", "a1_escalated", "b1_escalated"},
    "party_a": {"a1_escalated"},
    "party_b": {"b1_escalated"},
    "city_admin": {"a1", "a2", "b1", "a1_sensitive", "a1_escalated", "b1_escalated"},
    "auditor": {"a1", "a2", "b1", "a1_sensitive", "a1_escalated", "b1_escalated"},
}


@pytest.mark.parametrize("user", USERS)
def test_each_role_sees_exactly_the_hazards_of_its_unit(world, cases, user):
    names = {pk: name for name, pk in ((n, h.pk) for n, h in cases.items())}
    visible = {names[pk] for pk in hazards_visible_to(world.users[user]).values_list("pk", flat=True)}
    assert visible == EXPECTED[user]


@pytest.mark.parametrize("user", USERS)
def test_the_sql_rule_and_the_in_memory_rule_agree(world, cases, user):
    actor = world.users[user]
    visible = set(hazards_visible_to(actor).values_list("pk", flat=True))
    for hazard in Hazard.objects.all():
        assert can_view(actor, hazard) == (hazard.pk in visible), (user, hazard.title)


def test_an_anonymous_user_sees_nothing(db):
    from django.contrib.auth.models import AnonymousUser

    assert not hazards_visible_to(AnonymousUser()).exists()


def test_a_user_without_membership_sees_nothing(world, cases):
    from tests.factories import UserFactory

    assert not hazards_visible_to(UserFactory(username="nobody")).exists()


def test_an_inactive_membership_grants_nothing(world, cases):
    world.officer_a.memberships.update(active=False)
    world.officer_a.__dict__.pop("_casework_memberships", None)
    assert not hazards_visible_to(world.officer_a).exists()


def test_a_school_may_report_only_at_itself_and_a_station_at_its_schools(world):
    assert set(schools_reportable_by(world.staff_a1)) == {world.school_a1}
    assert set(schools_reportable_by(world.police_a2)) == {world.school_a2}
    assert set(schools_reportable_by(world.officer_a)) == {world.school_a1, world.school_a2}
    assert not schools_reportable_by(world.auditor).exists()
    assert not schools_reportable_by(world.party_a).exists()


def test_filter_choices_stay_inside_the_users_subtree(world):
    assert world.school_b1 not in set(org_units_visible_to(world.officer_a))
    assert world.school_a2 in set(org_units_visible_to(world.officer_a))
    assert set(org_units_visible_to(world.staff_a1)) == {world.school_a1}


def test_the_party_committee_keeps_seeing_a_case_it_decided_and_never_another_districts(world):
    from datetime import timedelta

    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from casework.access import hazards_actionable_by
    from casework.services import transitions as svc

    clock = Clock()
    decided = make_hazard(world, school="school_a1", state="escalated", clock=clock, title="decided")
    svc.hazard_record_coordination(
        hazard_id=decided.pk,
        actor=world.party_a,
        decision="由城管牵头",
        units_charged="城管局",
        back_to="assigned",
        occurred_at=clock(),
        deadline=timezone.localdate() + timedelta(days=20),
    )
    waiting = make_hazard(world, school="school_a2", state="escalated", clock=clock, title="waiting")
    make_hazard(world, school="school_b1", state="escalated", clock=clock, title="foreign")
    make_hazard(world, school="school_a1", state="assigned", clock=clock, title="ordinary")

    with CaptureQueriesContext(connection) as queries:
        seen = set(hazards_visible_to(world.party_a).values_list("title", flat=True))

    assert seen == {"decided", "waiting"}
    assert set(hazards_actionable_by(world.party_a, "record_coordination")) == {waiting, decided}
    # The rule is a semi-join on the district's escalation records, not a probe per hazard.
    (sql,) = [q["sql"] for q in queries.captured_queries if "casework_hazard" in q["sql"]]
    assert "EXISTS" not in sql.upper() and "escalate" in sql
