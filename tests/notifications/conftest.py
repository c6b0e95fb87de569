import pytest

from tests.notifications.fake_server import FakeServer, start


@pytest.fixture
def fake_server():
    """A fresh fake HTTP endpoint on 127.0.0.1, stopped after the test (bounded: 5 s join)."""
    fake = FakeServer()
    server, thread = start(fake)
    yield fake
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)
    assert not thread.is_alive()


@pytest.fixture
def sms_gateway(fake_server, settings):
    fake_server.dedupe_header = "Idempotency-Key"
    fake_server.default = (200, {"ok": True, "code": 0})
    settings.SMS_GATEWAY_URL = f"{fake_server.url}/sms/send"
    settings.SMS_GATEWAY_TOKEN = "test-token"
    return fake_server


@pytest.fixture
def wecom_robot(fake_server, settings):
    settings.WECOM_WEBHOOK_URL = f"{fake_server.url}/cgi-bin/webhook/send?key=abc"
    return fake_server


@pytest.fixture
def dingtalk_robot(fake_server, settings):
    settings.DINGTALK_WEBHOOK_URL = f"{fake_server.url}/robot/send?access_token=xyz"
    settings.DINGTALK_SECRET = "SECtest"
    return fake_server


@pytest.fixture
def fast_retries(settings):
    settings.NOTIFY_MAX_ATTEMPTS = 3
    settings.NOTIFY_RETRY_BASE_SECONDS = 10
    settings.NOTIFY_RETRY_MAX_SECONDS = 60
    settings.NOTIFY_LEASE_SECONDS = 120
    settings.NOTIFY_HTTP_TIMEOUT = 1
