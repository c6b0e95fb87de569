"""The channels, by name. ``inapp`` is always on; the others are chosen by each user and configured by env."""

from .base import Channel, DeliveryError, OutgoingMessage
from .email import EmailChannel
from .inapp import InAppChannel
from .robots import DingTalkChannel, WeComChannel
from .sms import SmsChannel

CHANNELS: dict[str, Channel] = {
    c.name: c
    for c in (
        InAppChannel(),
        EmailChannel(),
        SmsChannel(),
        WeComChannel(),
        DingTalkChannel(),
    )
}
# The channels that need a delivery row (the in-app inbox is delivered by the notification row itself).
EXTERNAL = tuple(name for name in CHANNELS if name != "inapp")


def get_channel(name: str) -> Channel:
    return CHANNELS[name]


__all__ = ["CHANNELS", "EXTERNAL", "Channel", "DeliveryError", "OutgoingMessage", "get_channel"]
