"""E-mail through Django's e-mail backend (the console backend in the embedded default)."""

from django.conf import settings
from django.core.mail import EmailMessage

from .base import Channel, DeliveryError, OutgoingMessage


class EmailChannel(Channel):
    name = "email"
    label = "电子邮件"
    # The key travels in a header, but mail servers do not drop repeats: at least once.
    supports_idempotency = False
    address_kind = "email"

    def default_address(self, user) -> str:
        return user.email or ""

    def send(self, message: OutgoingMessage) -> None:
        if not message.address:
            raise DeliveryError("未设置邮箱地址", permanent=True)
        mail = EmailMessage(
            subject=message.title,
            body="\n\n".join(p for p in (message.body, message.link) if p),
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[message.address],
            headers={"X-Idempotency-Key": message.idempotency_key},
        )
        try:
            mail.send(fail_silently=False)
        except (OSError, ValueError) as exc:  # smtplib's errors are OSErrors
            raise DeliveryError(f"邮件发送失败：{exc}") from None
