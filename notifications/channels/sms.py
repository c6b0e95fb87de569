"""An SMS gateway spoken to in HTTP JSON.

``POST $SMS_GATEWAY_URL`` with ``{"mobile", "content", "idempotency_key"}``, the key also in the
``Idempotency-Key`` header and ``Authorization: Bearer $SMS_GATEWAY_TOKEN`` when set. A 2xx answer
is success unless its JSON says ``"ok": false`` or a nonzero ``"code"``. The gateway is expected to
drop a repeated key, which makes a retry after a crash harmless.
"""

from django.conf import settings

from .base import Channel, DeliveryError, OutgoingMessage, post_json


class SmsChannel(Channel):
    name = "sms"
    label = "短信"
    supports_idempotency = True
    address_kind = "mobile"

    def is_configured(self) -> bool:
        return bool(settings.SMS_GATEWAY_URL)

    def send(self, message: OutgoingMessage) -> None:
        if not self.is_configured():
            raise DeliveryError("短信网关未配置（SMS_GATEWAY_URL）", permanent=True)
        if not message.address:
            raise DeliveryError("未设置手机号", permanent=True)
        headers = {"Idempotency-Key": message.idempotency_key}
        if settings.SMS_GATEWAY_TOKEN:
            headers["Authorization"] = f"Bearer {settings.SMS_GATEWAY_TOKEN}"
        answer = post_json(
            settings.SMS_GATEWAY_URL,
            {
                "mobile": message.address,
                "content": message.text(),
                "idempotency_key": message.idempotency_key,
            },
            headers=headers,
        )
        if answer.get("ok") is False or answer.get("code") not in (None, 0, "0", "OK", "ok"):
            raise DeliveryError(f"短信网关拒绝：{answer.get('message') or answer.get('code')}")
