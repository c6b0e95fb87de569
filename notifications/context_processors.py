from .services import unread_count as count_unread


def unread_count(request) -> dict:
    """The unread count in the header."""
    if not request.user.is_authenticated:
        return {}
    return {"unread_notifications": count_unread(request.user)}
