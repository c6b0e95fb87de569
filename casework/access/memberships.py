"""Who the user is, and the refusals every writing path shares."""

from django.db.models import Q

from casework import errors
from casework.errors import TransitionRefused
from casework.models import Membership
from casework.rules.roles import READ_ONLY_ROLES, SENSITIVE_ROLES, role_labels
from casework.rules.scope import memberships_of, roles_of

__all__ = [
    "allowed",
    "can_see_sensitive",
    "ensure_writer",
    "is_read_only",
    "memberships_of",
    "memberships_with_role",
    "roles_of",
    "union_of_memberships",
]

READ_ONLY_REFUSAL = "审计角色只读，不能进行任何修改。"


def can_see_sensitive(user) -> bool:
    return bool(roles_of(user) & SENSITIVE_ROLES)


def is_read_only(user) -> bool:
    """Auditors read everything and change nothing."""
    roles = roles_of(user)
    return bool(roles) and roles <= READ_ONLY_ROLES


def ensure_writer(user) -> None:
    """Refuse a read-only (auditor) actor before anything else is looked at."""
    if is_read_only(user):
        raise TransitionRefused(READ_ONLY_REFUSAL, code=errors.FORBIDDEN_ROLE)


def memberships_with_role(user, roles, *, refusal: str | None = None) -> list[Membership]:
    """The user's memberships holding one of ``roles``, or the refusal naming who may (``refusal`` overrides)."""
    found = [m for m in memberships_of(user) if m.role in roles]
    if not found:
        raise TransitionRefused(refusal or f"此操作仅限{role_labels(roles)}办理。", code=errors.FORBIDDEN_ROLE)
    return found


def union_of_memberships(user, rule) -> Q | None:
    """The OR of ``rule(membership)`` over the user's memberships; None when none grants anything."""
    query = None
    for m in memberships_of(user):
        q = rule(m)
        if q is not None:
            query = q if query is None else query | q
    return query


def allowed(check, *args, **kwargs) -> bool:
    """A refusing check as a predicate, for buttons."""
    try:
        check(*args, **kwargs)
    except TransitionRefused:
        return False
    return True
