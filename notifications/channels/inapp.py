"""The in-app inbox: the notification row itself. Always on; nothing to send."""

from .base import Channel, OutgoingMessage


class InAppChannel(Channel):
    name = "inapp"
    label = "站内通知"
    supports_idempotency = True

    def send(self, message: OutgoingMessage) -> None:
        # Written in the event's own transaction (notifications.services.notify): delivered by committing.
        return None
