"""Hazards: what a user may see, and under which membership they may act on one.

Every hazard list, page, export, report and task queue starts from ``hazards_visible_to``; every
transition service asks ``acting_membership``. Both are built on the scope rule (casework.rules.scope)
and the lifecycle table (casework.rules.lifecycle).
"""

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from casework import errors
from casework.errors import TransitionRefused
from casework.models import Evidence, Hazard, HazardTransition, Membership, OrgKind, OrgUnit
from casework.rules.lifecycle import ACTIONS, SIGN_OFF_EXCLUDED_BY
from casework.rules.roles import SENSITIVE_ROLES, Role
from casework.rules.scope import (
    SCHOOL_UNIT,
    Place,
    membership_scope_covers,
    membership_scope_q,
    memberships_of,
    units_within_q,
)
from casework.security import log_security_event

from .memberships import can_see_sensitive, ensure_writer, memberships_with_role, union_of_memberships

REPORT = ACTIONS["report"]


# ---- what the user may see --------------------------------------------------------------------
def _escalated_in(district_id: int) -> Q:
    """The district's hazards ever escalated: a semi-join on the few escalation records of its chain
    (partial index ``transition_escalations``), not a probe into the log for every hazard of the district."""
    return Q(pk__in=HazardTransition.objects.filter(district_id=district_id, name="escalate").values("hazard_id"))


def hazard_scope_q(m: Membership) -> Q | None:
    """The hazards one membership covers: its part of the tree, the party committee only the escalated ones,
    sensitive ones only for the police, the city and auditors."""
    q = membership_scope_q(m)
    if q is None:
        return None
    if m.role == Role.PARTY_COMMITTEE:
        q &= _escalated_in(m.org_unit.district_id)
    if m.role not in SENSITIVE_ROLES:
        q &= Q(sensitive=False)
    return q


def membership_covers(m: Membership, hazard: Hazard) -> bool:
    """``hazard_scope_q`` for one hazard in memory."""
    if hazard.sensitive and m.role not in SENSITIVE_ROLES:
        return False
    if not membership_scope_covers(m, Place.of_row(hazard)):
        return False
    if m.role == Role.PARTY_COMMITTEE:
        return hazard.transitions.filter(name="escalate").exists()
    return True


def hazards_visible_to(user) -> QuerySet[Hazard]:
    """Every hazard list, page, export, report and task queue starts here."""
    query = union_of_memberships(user, hazard_scope_q)
    if query is None:
        return Hazard.objects.none()
    return Hazard.objects.filter(query)


def hazard_get_for_user_or_404(user, pk: int) -> Hazard:
    """'Not yours' and 'does not exist' look the same: 404 (the security log tells them apart)."""
    hazard = hazards_visible_to(user).select_related("school", "district").filter(pk=pk).first()
    if hazard is None:
        if Hazard.objects.filter(pk=pk).exists():
            log_security_event("permission_refused", user=user, obj=f"casework.Hazard:{pk}")
        raise Http404("隐患不存在或不在您的管辖范围内。")
    if hazard.sensitive:
        log_security_event("sensitive_viewed", user=user, obj=hazard)
    return hazard


def evidence_visible_to(user) -> QuerySet[Evidence]:
    """Evidence files of the hazards the user may see (and no others)."""
    return Evidence.objects.filter(hazard__in=hazards_visible_to(user).values("pk"))


def can_view(user, hazard: Hazard) -> bool:
    return any(membership_covers(m, hazard) for m in memberships_of(user))


def org_units_visible_to(user) -> QuerySet[OrgUnit]:
    """The org units a user may pick in filters: their own subtree."""
    query = Q(pk__in=[])
    for m in memberships_of(user):
        query |= units_within_q(m.org_unit)
    return OrgUnit.objects.filter(query)


# ---- reporting ------------------------------------------------------------------------------
def _reporting_memberships(user, *, sensitive: bool) -> list[Membership]:
    allowed = REPORT.allowed_roles(sensitive=sensitive)
    return [m for m in memberships_of(user) if m.role in allowed]


def schools_reportable_by(user) -> QuerySet[OrgUnit]:
    """The schools for which the user may report a hazard."""
    query = Q(pk__in=[])
    for m in _reporting_memberships(user, sensitive=False):
        q = membership_scope_q(m, SCHOOL_UNIT)
        if q is not None:
            query |= q
    return OrgUnit.objects.filter(query, kind=OrgKind.SCHOOL)


def reporting_membership(user, school: OrgUnit, *, sensitive: bool) -> Membership:
    """The membership under which ``user`` may report a hazard at ``school``."""
    ensure_writer(user)
    if school.kind != OrgKind.SCHOOL:
        raise TransitionRefused("隐患必须归属到一所学校。", code=errors.INVALID_VALUE, fields={"school": "请选择学校"})
    if sensitive and not can_see_sensitive(user):
        raise TransitionRefused("涉密/敏感隐患只能由公安机关或市级管理员上报。", code=errors.FORBIDDEN_ROLE)
    memberships = _reporting_memberships(user, sensitive=sensitive)
    if not memberships:
        raise TransitionRefused("您的角色不能上报隐患。", code=errors.FORBIDDEN_ROLE)
    place = Place.of_school(school)
    for m in memberships:
        if membership_scope_covers(m, place):
            return m
    raise TransitionRefused("该学校不在您的管辖范围内。", code=errors.OUT_OF_SCOPE)


# ---- what the user may do ---------------------------------------------------------------------
def _in_hazard_chain(user, hazard: Hazard) -> bool:
    return (
        hazard.reported_by_id == user.pk
        or hazard.transitions.filter(actor=user, name__in=SIGN_OFF_EXCLUDED_BY).exists()
    )


def acting_membership(user, action: str, hazard: Hazard) -> Membership:
    """The membership under which ``user`` may perform ``action`` on ``hazard``, or the refusal."""
    ensure_writer(user)
    spec = ACTIONS[action]
    candidates = memberships_with_role(user, spec.allowed_roles(sensitive=hazard.sensitive))
    in_scope = [m for m in candidates if membership_covers(m, hazard)]
    if not in_scope:
        raise TransitionRefused("该隐患不在您的管辖范围内。", code=errors.OUT_OF_SCOPE)
    if spec.needs_independence and _in_hazard_chain(user, hazard):
        raise TransitionRefused("报告人或整改人不得验收本隐患（职责分离）。", code=errors.SEPARATION_OF_DUTY)
    return in_scope[0]


def action_allowed_from(action: str, state: str) -> bool:
    """May ``action`` start from ``state`` (the lifecycle table; the model's FSM is built from the same row)?"""
    return ACTIONS[action].allowed_from(state)


def can(user, action: str, hazard: Hazard) -> bool:
    """For buttons: may the user perform the action now (role, scope, and the hazard's state)?"""
    if not action_allowed_from(action, hazard.state):
        return False
    try:
        acting_membership(user, action, hazard)
    except TransitionRefused:
        return False
    return True


def hazards_actionable_by(user, action: str) -> QuerySet[Hazard]:
    """The hazards on which ``user`` holds a role for ``action`` in scope (the state aside): task queues."""
    spec = ACTIONS[action]
    try:
        ensure_writer(user)
    except TransitionRefused:
        return Hazard.objects.none()
    education_roles, sensitive_roles = spec.allowed_roles(sensitive=False), spec.allowed_roles(sensitive=True)
    query = None
    for m in memberships_of(user):
        if m.role not in education_roles | sensitive_roles:
            continue
        q = hazard_scope_q(m)
        if q is None:
            continue
        kinds = Q(pk__in=[])
        if m.role in education_roles:
            kinds |= Q(sensitive=False)
        if m.role in sensitive_roles:
            kinds |= Q(sensitive=True)
        q &= kinds
        query = q if query is None else query | q
    if query is None:
        return Hazard.objects.none()
    qs = Hazard.objects.filter(query)
    if spec.needs_independence:
        # Separation of duty, as in acting_membership: reporters and rectifiers never sign off.
        qs = qs.exclude(reported_by=user).exclude(
            Exists(HazardTransition.objects.filter(hazard=OuterRef("pk"), actor=user, name__in=SIGN_OFF_EXCLUDED_BY))
        )
    return qs
