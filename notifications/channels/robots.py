"""WeCom (企业微信) and DingTalk (钉钉) group robots: a webhook per group, the user @-mentioned by mobile.

Neither robot takes an idempotency key: a retry after a crash may post twice (at least once).
"""

import base64
import hashlib
import hmac
import time
import urllib.parse

from django.conf import settings

from .base import Channel, DeliveryError, OutgoingMessage, post_json


def _check_errcode(answer: dict, name: str) -> None:
    code = answer.get("errcode", 0)
    if code not in (0, "0"):
        raise DeliveryError(f"{name}返回错误 {code}：{answer.get('errmsg', '')}")


class WeComChannel(Channel):
    name = "wecom"
    label = "企业微信群机器人"
    address_kind = "mobile"

    def is_configured(self) -> bool:
        return bool(settings.WECOM_WEBHOOK_URL)

    def send(self, message: OutgoingMessage) -> None:
        if not self.is_configured():
            raise DeliveryError("企业微信机器人未配置（WECOM_WEBHOOK_URL）", permanent=True)
        text = {"content": message.text()}
        if message.address:
            text["mentioned_mobile_list"] = [message.address]
        _check_errcode(post_json(settings.WECOM_WEBHOOK_URL, {"msgtype": "text", "text": text}), "企业微信")


def dingtalk_signed_url(url: str, secret: str, *, now_ms: int | None = None) -> str:
    """DingTalk's 加签: HMAC-SHA256 over "timestamp\\nsecret", base64, appended to the webhook URL."""
    timestamp = str(now_ms if now_ms is not None else int(time.time() * 1000))
    digest = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
    sign = urllib.parse.quote_plus(base64.b64encode(digest))
    return f"{url}{'&' if '?' in url else '?'}timestamp={timestamp}&sign={sign}"


class DingTalkChannel(Channel):
    name = "dingtalk"
    label = "钉钉群机器人"
    address_kind = "mobile"

    def is_configured(self) -> bool:
        return bool(settings.DINGTALK_WEBHOOK_URL)

    def send(self, message: OutgoingMessage) -> None:
        if not self.is_configured():
            raise DeliveryError("钉钉机器人未配置（DINGTALK_WEBHOOK_URL）", permanent=True)
        url = settings.DINGTALK_WEBHOOK_URL
        if settings.DINGTALK_SECRET:
            url = dingtalk_signed_url(url, settings.DINGTALK_SECRET)
        payload = {"msgtype": "text", "text": {"content": message.text()}}
        if message.address:
            payload["at"] = {"atMobiles": [message.address], "isAtAll": False}
        _check_errcode(post_json(url, payload), "钉钉")
