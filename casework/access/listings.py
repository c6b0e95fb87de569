"""Listed supervision (挂牌督办): who sees a listing and who acts on it.

Listing, reminding and delisting belong to the listing authority of the listing's level; progress
reports to the school (the police station for a sensitive hazard, which the school never sees).
"""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from casework import errors
from casework.errors import TransitionRefused
from casework.models import Hazard, HazardState, Listing, Membership
from casework.rules.lifecycle import LISTING_AUTHORITY, LISTING_PROGRESS_ROLES
from casework.rules.roles import SENSITIVE_STAND_IN, Role

from .hazards import hazards_visible_to, membership_covers
from .memberships import allowed, ensure_writer, memberships_with_role

# Kept under its first name for the web layer's readers.
LISTING_AUTHORITY_ROLES = LISTING_AUTHORITY


def listings_visible_to(user) -> QuerySet[Listing]:
    """Every listing list, page and export starts here: the listings of the hazards the user may see."""
    return Listing.objects.filter(hazard_id__in=hazards_visible_to(user).values("pk"))


def listing_get_for_user_or_404(user, pk: int) -> Listing:
    """'Not yours' and 'does not exist' look the same: 404."""
    return get_object_or_404(
        listings_visible_to(user).select_related(
            "hazard", "hazard__school", "district", "authority", "supervising_officer"
        ),
        pk=pk,
    )


def _listing_roles(action: str, hazard: Hazard, level: str, *, raised: bool) -> frozenset:
    if action == "listing_progress":
        if hazard.sensitive:
            return frozenset(SENSITIVE_STAND_IN.get(r, r) for r in LISTING_PROGRESS_ROLES)
        return LISTING_PROGRESS_ROLES
    role = LISTING_AUTHORITY.get(level)
    if role is None:
        raise TransitionRefused("督办层级无效。", code=errors.INVALID_VALUE, fields={"level": "请选择区级或市级"})
    roles = {role}
    if action == "listing_reminder" and raised:
        roles.add(Role.CITY_ADMIN)
    return frozenset(roles)


def listing_acting_membership(user, action: str, hazard: Hazard, level: str, *, raised: bool = False) -> Membership:
    """The membership under which ``user`` may perform the listing ``action`` at ``level`` on ``hazard``.

    A district listing raised to the city (overdue) may also be reminded (催办) by the city admin.
    """
    ensure_writer(user)
    candidates = memberships_with_role(user, _listing_roles(action, hazard, level, raised=raised))
    in_scope = [m for m in candidates if membership_covers(m, hazard)]
    if not in_scope:
        raise TransitionRefused("该隐患不在您的管辖范围内。", code=errors.OUT_OF_SCOPE)
    return in_scope[0]


def can_on_listing(user, action: str, listing: Listing) -> bool:
    """For buttons: may the user perform ``action`` on this listing now (role, scope, state)?"""
    if not listing.is_active:
        return False
    if action == "delist" and listing.hazard.state != HazardState.VERIFIED:
        return False
    return allowed(
        listing_acting_membership, user, action, listing.hazard, listing.level, raised=listing.raised_at is not None
    )


def listing_levels_for(user, hazard: Hazard) -> list[str]:
    """The levels at which ``user`` may list ``hazard`` (role and scope only)."""
    return [level for level in LISTING_AUTHORITY if allowed(listing_acting_membership, user, "list", hazard, level)]
