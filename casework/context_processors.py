from .access import can_review_accountability, memberships_of


def current_roles(request) -> dict:
    """The user's roles and units, for the header."""
    if not request.user.is_authenticated:
        return {}
    return {
        "current_memberships": memberships_of(request.user),
        "can_review_accountability": can_review_accountability(request.user),
    }
