"""The scope rule is written once, as a query and as its in-memory twin: they agree for every role held in every
unit (valid or not), on every hazard and every school, and both say what DESIGN.md's roles table says."""

import pytest

from casework.access import hazard_scope_q, membership_covers
from casework.models import Hazard, Membership, OrgUnit, Role
from casework.rules.scope import (
    SCHOOL_UNIT,
    Place,
    membership_scope_covers,
    membership_scope_q,
    memberships_covering_q,
)
from tests.factories import make_hazard


@pytest.fixture
def cases(world):
    for school in ("school_a1", "school_a2", "school_b1"):
        for state in ("reported", "escalated"):
            for sensitive in (False, True):
                make_hazard(world, school=school, state=state, sensitive=sensitive)
    return list(Hazard.objects.select_related("school"))


def every_membership(world):
    """Every role in every unit of the test world, the combinations the org tree does not allow included."""
    return [Membership(role=role, org_unit=unit, org_unit_id=unit.pk) for unit in world.units.values() for role in Role]


def test_the_hazard_query_and_the_in_memory_rule_agree_for_every_role_in_every_unit(world, cases):
    for m in every_membership(world):
        q = hazard_scope_q(m)
        by_query = set(Hazard.objects.filter(q).values_list("pk", flat=True)) if q is not None else set()
        in_memory = {h.pk for h in cases if membership_covers(m, h)}
        assert by_query == in_memory, (m.role, m.org_unit.name)


def test_the_school_query_and_the_in_memory_rule_agree_for_every_role_in_every_unit(world):
    schools = list(OrgUnit.objects.filter(kind="school"))
    for m in every_membership(world):
        q = membership_scope_q(m, SCHOOL_UNIT)
        by_query = set(OrgUnit.objects.filter(q, kind="school").values_list("pk", flat=True)) if q else set()
        in_memory = {s.pk for s in schools if membership_scope_covers(m, Place.of_school(s))}
        assert by_query == in_memory, (m.role, m.org_unit.name)


def test_the_audience_query_finds_every_membership_that_covers_a_hazard(world, cases):
    saved = list(Membership.objects.select_related("org_unit"))
    for hazard in cases:
        found = set(
            Membership.objects.filter(memberships_covering_q(Place.of_row(hazard), Role)).values_list("pk", flat=True)
        )
        covering = {m.pk for m in saved if membership_scope_covers(m, Place.of_row(hazard))}
        assert covering <= found, hazard.pk


# DESIGN.md, "Organisations and people": who sees which school's ordinary hazards, in the test world.
SEES = {
    "staff_a1": {"school_a1"},
    "police_a1": {"school_a1"},
    "police_a2": {"school_a2"},
    "officer_a": {"school_a1", "school_a2"},
    "supervisor_a": {"school_a1", "school_a2"},
    "supervisor_city": {"school_a1", "school_a2", "school_b1"},
    "party_a": {"school_a1", "school_a2"},  # escalated cases only
    "city_admin": {"school_a1", "school_a2", "school_b1"},
    "auditor": {"school_a1", "school_a2", "school_b1"},
    "officer_b": {"school_b1"},
}
SEES_SENSITIVE = {"police_a1", "police_a2", "city_admin", "auditor"}


@pytest.mark.parametrize("username", sorted(SEES))
def test_each_role_sees_what_the_design_says(world, cases, username):
    membership = Membership.objects.select_related("org_unit").get(user__username=username)
    school_names = {unit.pk: name for name, unit in world.units.items()}
    seen = [h for h in cases if membership_covers(membership, h)]
    expected = {
        h.pk
        for h in cases
        if school_names[h.school_id] in SEES[username]
        and (not h.sensitive or username in SEES_SENSITIVE)
        and (h.state == "escalated" or not username.startswith("party"))
    }
    assert {h.pk for h in seen} == expected
