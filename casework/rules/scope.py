"""The scope rule, written once: which schools a membership covers in the org tree.

A membership covers a school when it is held in the school itself, in the school's police station
(属地派出所), in its district or in its city — each role only in the kinds of unit it may be held in
(``ROLE_UNIT_KINDS``) — or, for the party committee, in an office of the school's district. Hazards,
inspections, school returns and reporting rights build on this (casework.access); the notification
audience asks it the other way round (``memberships_covering_q``).

Every rule comes twice: a ``Q`` for the database and a predicate for a row in memory. The twins are held
equal by a property test (tests/hazards/test_scope_twins.py).
"""

from dataclasses import dataclass

from django.db.models import Q

from casework.models import Membership

from .roles import ROLE_UNIT_KINDS, OrgKind, Role


@dataclass(frozen=True)
class Placement:
    """Where a kind of row keeps its school's place in the tree (field names for ``Q``)."""

    school: str
    police_station: str
    district: str
    city: str


# Rows that belong to a school (hazards, inspections, returns): the district and city are copied onto them.
SCHOOL_PLACED = Placement(
    school="school_id", police_station="school__police_station_id", district="district_id", city="city_id"
)
# School units themselves (OrgUnit rows of kind school).
SCHOOL_UNIT = Placement(school="pk", police_station="police_station_id", district="district_id", city="city_id")


@dataclass(frozen=True)
class Place:
    """A school's place in the tree, as values (for the in-memory twin)."""

    school_id: int | None
    police_station_id: int | None
    district_id: int | None
    city_id: int | None

    @classmethod
    def of_row(cls, row) -> "Place":
        """A school-placed row in memory (reads ``row.school`` for its police station)."""
        return cls(row.school_id, row.school.police_station_id, row.district_id, row.city_id)

    @classmethod
    def of_school(cls, school) -> "Place":
        return cls(school.pk, school.police_station_id, school.district_id, school.city_id)


# The unit kind whose id a covered school's place carries, by field.
_KIND_FIELD = {
    OrgKind.SCHOOL: "school",
    OrgKind.POLICE_STATION: "police_station",
    OrgKind.DISTRICT: "district",
    OrgKind.CITY: "city",
}
# The roles whose in-memory rule reads the membership's unit row (the others compare ids).
UNIT_READING_ROLES = frozenset({Role.PARTY_COMMITTEE})


def membership_scope_q(m: Membership, placement: Placement = SCHOOL_PLACED) -> Q | None:
    """The rows under ``m``'s unit, as a filter; None when the membership covers nothing."""
    unit = m.org_unit
    if unit.kind not in ROLE_UNIT_KINDS.get(m.role, ()):
        return None
    if unit.kind == OrgKind.PARTY_COMMITTEE:
        return Q(**{placement.district: unit.district_id}) if unit.district_id else None
    return Q(**{getattr(placement, _KIND_FIELD[unit.kind]): unit.pk})


def membership_scope_covers(m: Membership, place: Place) -> bool:
    """The twin of ``membership_scope_q`` for one place in memory.

    Only the party committee's rule reads the unit row; the others compare ids (a school's district id is
    a district's id and nothing else's), so a membership loaded without its unit costs no query here.
    """
    kinds = ROLE_UNIT_KINDS.get(m.role, ())
    if OrgKind.PARTY_COMMITTEE in kinds:
        unit = m.org_unit
        return (
            unit.kind == OrgKind.PARTY_COMMITTEE
            and unit.district_id is not None
            and (unit.district_id == place.district_id)
        )
    return any(getattr(place, f"{_KIND_FIELD[kind]}_id") == m.org_unit_id for kind in kinds if kind in _KIND_FIELD)


def memberships_covering_q(place: Place, roles) -> Q:
    """The memberships holding one of ``roles`` whose unit covers ``place``: the audience's query.

    A superset filter on ids (the roles' unit kinds); ``membership_scope_covers`` decides each row.
    """
    query = Q(pk__in=[])
    for role in roles:
        kinds = ROLE_UNIT_KINDS.get(role, ())
        ids = [getattr(place, f"{_KIND_FIELD[k]}_id") for k in kinds if k in _KIND_FIELD]
        ids = [i for i in ids if i is not None]
        if ids:
            query |= Q(role=role, org_unit_id__in=ids)
        if OrgKind.PARTY_COMMITTEE in kinds and place.district_id is not None:
            query |= Q(role=role, org_unit__kind=OrgKind.PARTY_COMMITTEE, org_unit__district_id=place.district_id)
    return query


def city_id_of(unit) -> int | None:
    """The city a unit belongs to (itself for a city)."""
    return unit.pk if unit.kind == OrgKind.CITY else unit.city_id


def units_within_q(unit) -> Q:
    """The org units a membership in ``unit`` may pick in filters: its own subtree (and, for a police station,
    its district; for a party committee, its district and the district's schools)."""
    if unit.kind == OrgKind.CITY:
        return Q(pk=unit.pk) | Q(city_id=unit.pk)
    if unit.kind == OrgKind.DISTRICT:
        return Q(pk=unit.pk) | Q(district_id=unit.pk)
    if unit.kind == OrgKind.POLICE_STATION:
        return Q(pk=unit.pk) | Q(police_station_id=unit.pk) | Q(pk=unit.district_id)
    if unit.kind == OrgKind.PARTY_COMMITTEE:
        return Q(pk=unit.district_id) | Q(district_id=unit.district_id, kind=OrgKind.SCHOOL)
    return Q(pk=unit.pk)


# ---- who the user is -----------------------------------------------------------------------------
def memberships_of(user) -> list[Membership]:
    """The user's active memberships, cached on the user object for the request."""
    if not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, "_casework_memberships", None)
    if cached is None:
        cached = list(Membership.objects.filter(user=user, active=True).select_related("org_unit").order_by("id"))
        user._casework_memberships = cached
    return cached


def roles_of(user) -> set[str]:
    return {m.role for m in memberships_of(user)}
