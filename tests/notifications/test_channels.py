"""Each channel's wire format, against the fake server on 127.0.0.1 (or Django's test mailbox)."""

import base64
import hashlib
import hmac
import urllib.parse

import pytest
from django.core import mail

from notifications.channels import CHANNELS, DeliveryError, OutgoingMessage
from notifications.channels.robots import dingtalk_signed_url


def message(address="13800000001"):
    return OutgoingMessage(
        idempotency_key="k-123",
        address=address,
        event="hazard.assign",
        title="隐患已交办",
        body="局前街小学",
        link="http://127.0.0.1:8000/hazards/1/",
    )


def test_wecom_posts_a_text_message_mentioning_the_user_by_mobile(wecom_robot):
    CHANNELS["wecom"].send(message())
    [request] = wecom_robot.requests
    assert request.path == "/cgi-bin/webhook/send?key=abc"
    assert request.json == {
        "msgtype": "text",
        "text": {
            "content": "隐患已交办\n局前街小学\nhttp://127.0.0.1:8000/hazards/1/",
            "mentioned_mobile_list": ["13800000001"],
        },
    }


def test_dingtalk_signs_the_webhook_and_mentions_the_user(dingtalk_robot):
    CHANNELS["dingtalk"].send(message())
    [request] = dingtalk_robot.requests
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(request.path).query)
    timestamp, sign = query["timestamp"][0], query["sign"][0]
    expected = base64.b64encode(hmac.new(b"SECtest", f"{timestamp}\nSECtest".encode(), hashlib.sha256).digest())
    assert sign == expected.decode() and query["access_token"] == ["xyz"]
    assert request.json["msgtype"] == "text" and "隐患已交办" in request.json["text"]["content"]
    assert request.json["at"] == {"atMobiles": ["13800000001"], "isAtAll": False}


def test_dingtalk_signature_matches_its_documented_recipe():
    url = dingtalk_signed_url("https://oapi.dingtalk.com/robot/send?access_token=t", "SEC1", now_ms=1700000000000)
    digest = hmac.new(b"SEC1", b"1700000000000\nSEC1", hashlib.sha256).digest()
    assert url == (
        "https://oapi.dingtalk.com/robot/send?access_token=t&timestamp=1700000000000&sign="
        + urllib.parse.quote_plus(base64.b64encode(digest))
    )


def test_the_sms_gateway_refusing_in_its_answer_is_an_error(sms_gateway):
    sms_gateway.script = [(200, {"ok": False, "code": 17, "message": "余额不足"})]
    with pytest.raises(DeliveryError, match="余额不足"):
        CHANNELS["sms"].send(message())


def test_email_goes_through_djangos_backend_with_the_key_in_a_header():
    CHANNELS["email"].send(message(address="a1@example.cn"))
    [sent] = mail.outbox
    assert sent.to == ["a1@example.cn"] and sent.subject == "隐患已交办"
    assert "http://127.0.0.1:8000/hazards/1/" in sent.body and sent.extra_headers["X-Idempotency-Key"] == "k-123"


@pytest.mark.parametrize("name", ["sms", "wecom", "dingtalk"])
def test_an_unconfigured_http_channel_refuses_permanently(name, settings):
    settings.SMS_GATEWAY_URL = settings.WECOM_WEBHOOK_URL = settings.DINGTALK_WEBHOOK_URL = ""
    assert not CHANNELS[name].is_configured()
    with pytest.raises(DeliveryError) as refused:
        CHANNELS[name].send(message())
    assert refused.value.permanent and "未配置" in str(refused.value)


def test_only_the_sms_gateway_and_the_inbox_promise_exactly_once():
    assert {name for name, c in CHANNELS.items() if c.supports_idempotency} == {"inapp", "sms"}
