"""The one place that decides what a user may see (querysets) and do (named predicates).

Every list, page, export, report, admin change list and API endpoint starts from
``hazards_visible_to``; every service asks ``ensure_can`` before it writes. The Python predicate
``membership_covers`` and the queryset ``_membership_q`` state the same rule twice, once for a row
in memory and once for SQL; a test holds them equal.
"""
from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.shortcuts import get_object_or_404

from . import errors
from .errors import TransitionRefused
from .models import Evidence, Hazard, HazardState, HazardTransition, Membership, OrgKind, OrgUnit, Role
from .models.org import SENSITIVE_ROLES

EDUCATION_ROLES = frozenset(set(Role) - SENSITIVE_ROLES)

# Who performs each action. The first set acts on ordinary hazards; the second on sensitive
# ones, which education-side users never see: the police station stands in for the district
# and the school, the city for verification and coordination.
ACTION_ROLES: dict[str, tuple[frozenset, frozenset]] = {
    "assign": (frozenset({Role.DISTRICT_OFFICER}), frozenset({Role.POLICE_STATION})),
    "change_deadline": (frozenset({Role.DISTRICT_OFFICER}), frozenset({Role.POLICE_STATION})),
    "escalate": (frozenset({Role.DISTRICT_OFFICER}), frozenset({Role.POLICE_STATION})),
    "close_invalid": (frozenset({Role.DISTRICT_OFFICER}), frozenset({Role.POLICE_STATION})),
    "record_temporary_measures": (frozenset({Role.SCHOOL_STAFF}), frozenset({Role.POLICE_STATION})),
    "report_rectified": (frozenset({Role.SCHOOL_STAFF}), frozenset({Role.POLICE_STATION})),
    "verify": (frozenset({Role.SUPERVISOR}), frozenset({Role.CITY_ADMIN})),
    "reject": (frozenset({Role.SUPERVISOR}), frozenset({Role.CITY_ADMIN})),
    "record_coordination": (frozenset({Role.PARTY_COMMITTEE}), frozenset({Role.CITY_ADMIN})),
}
REPORT_ROLES = frozenset({Role.SCHOOL_STAFF, Role.POLICE_STATION, Role.DISTRICT_OFFICER, Role.SUPERVISOR,
                          Role.CITY_ADMIN})
# The people who reported or fixed a hazard may not sign it off (separation of duty).
CHAIN_ACTIONS = ("report", "record_temporary_measures", "report_rectified")


# ---- who the user is --------------------------------------------------------------------------
def memberships_of(user) -> list[Membership]:
    """The user's active memberships, cached on the user object for the request."""
    if not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, "_casework_memberships", None)
    if cached is None:
        cached = list(
            Membership.objects.filter(user=user, active=True)
            .select_related("org_unit")
            .order_by("id")
        )
        user._casework_memberships = cached
    return cached


def roles_of(user) -> set[str]:
    return {m.role for m in memberships_of(user)}


def can_see_sensitive(user) -> bool:
    return bool(roles_of(user) & SENSITIVE_ROLES)


def is_read_only(user) -> bool:
    """Auditors read everything and change nothing."""
    roles = roles_of(user)
    return bool(roles) and roles <= {Role.AUDITOR}


# ---- what the user may see --------------------------------------------------------------------
def _escalated_ever() -> Exists:
    return Exists(HazardTransition.objects.filter(hazard=OuterRef("pk"), name="escalate"))


def _membership_q(m: Membership) -> Q | None:
    unit = m.org_unit
    if m.role == Role.SCHOOL_STAFF:
        q = Q(school_id=unit.pk)
    elif m.role == Role.POLICE_STATION:
        q = Q(school__police_station_id=unit.pk)
    elif m.role == Role.DISTRICT_OFFICER:
        q = Q(district_id=unit.pk)
    elif m.role == Role.SUPERVISOR:
        q = Q(city_id=unit.pk) if unit.kind == OrgKind.CITY else Q(district_id=unit.pk)
    elif m.role == Role.PARTY_COMMITTEE:
        q = Q(district_id=unit.district_id) & Q(escalated_ever=True)
    elif m.role in (Role.CITY_ADMIN, Role.AUDITOR):
        q = Q(city_id=unit.pk)
    else:
        return None
    if m.role not in SENSITIVE_ROLES:
        q &= Q(sensitive=False)
    return q


def hazards_visible_to(user) -> QuerySet[Hazard]:
    """Every hazard list, page, export, report and task queue starts here."""
    query = None
    needs_escalation = False
    for m in memberships_of(user):
        q = _membership_q(m)
        if q is None:
            continue
        needs_escalation |= m.role == Role.PARTY_COMMITTEE
        query = q if query is None else query | q
    if query is None:
        return Hazard.objects.none()
    qs = Hazard.objects.all()
    if needs_escalation:
        qs = qs.annotate(escalated_ever=_escalated_ever())
    return qs.filter(query)


def hazard_get_for_user_or_404(user, pk: int) -> Hazard:
    """'Not yours' and 'does not exist' look the same: 404."""
    return get_object_or_404(hazards_visible_to(user).select_related("school", "district"), pk=pk)


def evidence_visible_to(user) -> QuerySet[Evidence]:
    """Evidence files of the hazards the user may see (and no others)."""
    return Evidence.objects.filter(hazard__in=hazards_visible_to(user).values("pk"))


def notifications_of(user) -> QuerySet:
    """The user's own inbox: nobody reads another person's notifications."""
    from notifications.models import Notification

    if not getattr(user, "is_authenticated", False):
        return Notification.objects.none()
    return Notification.objects.filter(recipient=user)


def device_tokens_of(user) -> QuerySet:
    """The user's own API device tokens (casework.api)."""
    from casework.api.models import DeviceToken

    if not getattr(user, "is_authenticated", False):
        return DeviceToken.objects.none()
    return DeviceToken.objects.filter(user=user)


def membership_covers(m: Membership, hazard: Hazard) -> bool:
    """The rule of ``_membership_q`` for one hazard in memory."""
    unit = m.org_unit
    if hazard.sensitive and m.role not in SENSITIVE_ROLES:
        return False
    if m.role == Role.SCHOOL_STAFF:
        return hazard.school_id == unit.pk
    if m.role == Role.POLICE_STATION:
        return hazard.school.police_station_id == unit.pk
    if m.role == Role.DISTRICT_OFFICER:
        return hazard.district_id == unit.pk
    if m.role == Role.SUPERVISOR:
        return hazard.city_id == unit.pk if unit.kind == OrgKind.CITY else hazard.district_id == unit.pk
    if m.role == Role.PARTY_COMMITTEE:
        return hazard.district_id == unit.district_id and hazard.transitions.filter(name="escalate").exists()
    if m.role in (Role.CITY_ADMIN, Role.AUDITOR):
        return hazard.city_id == unit.pk
    return False


def can_view(user, hazard: Hazard) -> bool:
    return any(membership_covers(m, hazard) for m in memberships_of(user))


def org_units_visible_to(user) -> QuerySet[OrgUnit]:
    """The org units a user may pick in filters: their own subtree."""
    query = Q(pk__in=[])
    for m in memberships_of(user):
        unit = m.org_unit
        if unit.kind == OrgKind.CITY:
            query |= Q(pk=unit.pk) | Q(city_id=unit.pk)
        elif unit.kind == OrgKind.DISTRICT:
            query |= Q(pk=unit.pk) | Q(district_id=unit.pk)
        elif unit.kind == OrgKind.POLICE_STATION:
            query |= Q(pk=unit.pk) | Q(police_station_id=unit.pk) | Q(pk=unit.district_id)
        elif unit.kind == OrgKind.PARTY_COMMITTEE:
            query |= Q(pk=unit.district_id) | Q(district_id=unit.district_id, kind=OrgKind.SCHOOL)
        else:
            query |= Q(pk=unit.pk)
    return OrgUnit.objects.filter(query)


def schools_reportable_by(user) -> QuerySet[OrgUnit]:
    """The schools for which the user may report a hazard."""
    query = Q(pk__in=[])
    for m in memberships_of(user):
        if m.role not in REPORT_ROLES:
            continue
        unit = m.org_unit
        if m.role == Role.SCHOOL_STAFF:
            query |= Q(pk=unit.pk)
        elif m.role == Role.POLICE_STATION:
            query |= Q(police_station_id=unit.pk)
        elif unit.kind == OrgKind.DISTRICT:
            query |= Q(district_id=unit.pk)
        elif unit.kind == OrgKind.CITY:
            query |= Q(city_id=unit.pk)
    return OrgUnit.objects.filter(query, kind=OrgKind.SCHOOL)


# ---- what the user may do ---------------------------------------------------------------------
def _in_hazard_chain(user, hazard: Hazard) -> bool:
    return hazard.reported_by_id == user.pk or hazard.transitions.filter(
        actor=user, name__in=CHAIN_ACTIONS
    ).exists()


def acting_membership(user, action: str, hazard: Hazard) -> Membership:
    """The membership under which ``user`` may perform ``action`` on ``hazard``, or the refusal."""
    if is_read_only(user):
        raise TransitionRefused("审计角色只读，不能进行任何修改。", code=errors.FORBIDDEN_ROLE)
    education_roles, sensitive_roles = ACTION_ROLES[action]
    allowed = sensitive_roles if hazard.sensitive else education_roles
    candidates = [m for m in memberships_of(user) if m.role in allowed]
    if not candidates:
        names = "、".join(Role(r).label for r in sorted(allowed))
        raise TransitionRefused(f"此操作仅限{names}办理。", code=errors.FORBIDDEN_ROLE)
    in_scope = [m for m in candidates if membership_covers(m, hazard)]
    if not in_scope:
        raise TransitionRefused("该隐患不在您的管辖范围内。", code=errors.OUT_OF_SCOPE)
    if action in ("verify", "reject") and _in_hazard_chain(user, hazard):
        raise TransitionRefused("报告人或整改人不得验收本隐患（职责分离）。", code=errors.SEPARATION_OF_DUTY)
    return in_scope[0]


def can(user, action: str, hazard: Hazard) -> bool:
    """For buttons: may the user perform the action now (role, scope, and the hazard's state)?"""
    from .services.transitions import action_allowed_from

    if not action_allowed_from(action, hazard.state):
        return False
    try:
        acting_membership(user, action, hazard)
    except TransitionRefused:
        return False
    return True


def reporting_membership(user, school: OrgUnit, *, sensitive: bool) -> Membership:
    """The membership under which ``user`` may report a hazard at ``school``."""
    if is_read_only(user):
        raise TransitionRefused("审计角色只读，不能进行任何修改。", code=errors.FORBIDDEN_ROLE)
    if school.kind != OrgKind.SCHOOL:
        raise TransitionRefused("隐患必须归属到一所学校。", code=errors.INVALID_VALUE, fields={"school": "请选择学校"})
    if sensitive and not can_see_sensitive(user):
        raise TransitionRefused("涉密/敏感隐患只能由公安机关或市级管理员上报。", code=errors.FORBIDDEN_ROLE)
    memberships = [m for m in memberships_of(user) if m.role in REPORT_ROLES]
    if sensitive:
        memberships = [m for m in memberships if m.role in SENSITIVE_ROLES]
    if not memberships:
        raise TransitionRefused("您的角色不能上报隐患。", code=errors.FORBIDDEN_ROLE)
    for m in memberships:
        unit = m.org_unit
        if (
            (m.role == Role.SCHOOL_STAFF and school.pk == unit.pk)
            or (m.role == Role.POLICE_STATION and school.police_station_id == unit.pk)
            or (unit.kind == OrgKind.DISTRICT and m.role != Role.SCHOOL_STAFF and school.district_id == unit.pk)
            or (unit.kind == OrgKind.CITY and school.city_id == unit.pk)
        ):
            return m
    raise TransitionRefused("该学校不在您的管辖范围内。", code=errors.OUT_OF_SCOPE)


__all__ = [
    "acting_membership",
    "can",
    "can_see_sensitive",
    "can_view",
    "device_tokens_of",
    "evidence_visible_to",
    "hazard_get_for_user_or_404",
    "hazards_visible_to",
    "memberships_of",
    "notifications_of",
    "org_units_visible_to",
    "reporting_membership",
    "schools_reportable_by",
]
