import os
import secrets

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from casework.api.authentication import hash_key

# pytest-django's live server (the schemathesis run) listens on 127.0.0.1, never on a public address.
os.environ.setdefault("DJANGO_LIVE_TEST_SERVER_ADDRESS", "127.0.0.1")
from casework.api.models import DeviceToken


def issue_token(user, device: str | None = None) -> str:
    """A device token for ``user`` without the password round trip (the token tests do that one)."""
    key = secrets.token_urlsafe(32)
    device = device or f"测试设备-{secrets.token_hex(4)}"
    DeviceToken.objects.create(user=user, device_name=device, key_hash=hash_key(key))
    return key


def client_for(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {issue_token(user)}")
    return client


@pytest.fixture(autouse=True)
def fresh_throttle_counts():
    # The throttles count in the cache; each test starts with none spent.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def as_user():
    return client_for
