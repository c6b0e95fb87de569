"""Small helpers for the notification tests."""

from notifications.models import Notification


def choose(user, channel: str, address: str = "", enabled: bool = True):
    """The user picks a channel (through the service, as the settings page does)."""
    from notifications.services import channel_preferences_update

    channel_preferences_update(user=user, choices={channel: (enabled, address)})


def usernames(notifications) -> set[str]:
    return {n.recipient.username for n in notifications}


def new_notifications(before_id: int, event: str | None = None):
    qs = Notification.objects.filter(pk__gt=before_id).select_related("recipient")
    return list(qs.filter(event=event) if event else qs)


def last_id() -> int:
    return Notification.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
