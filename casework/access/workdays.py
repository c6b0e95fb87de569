"""The working-day calendar: who maintains the holidays and make-up workdays."""

from casework import errors
from casework.errors import TransitionRefused
from casework.rules.roles import Role
from casework.rules.scope import roles_of

from .memberships import ensure_writer, is_read_only


def can_maintain_calendar(user) -> bool:
    """City admins maintain the holidays and make-up workdays (auditors read only)."""
    return not is_read_only(user) and Role.CITY_ADMIN in roles_of(user)


def ensure_can_maintain_calendar(user) -> None:
    ensure_writer(user)
    if not can_maintain_calendar(user):
        raise TransitionRefused("节假日安排仅限市级管理员维护。", code=errors.FORBIDDEN_ROLE)
