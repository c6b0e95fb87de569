"""Who is calling: a session for the browser, a per-device token for the app and machine clients.

Throttling is per user (per address for anonymous callers); the rates come from the settings,
read at each request (``API_THROTTLE_RATES``, from the environment).
"""

import hashlib
from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from rest_framework import authentication, exceptions, throttling

from .models import DeviceToken

KEYWORDS = (b"bearer", b"token")
# last_used_at is a hint for the user's device list, not an audit record: write it at most this often.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


class DeviceTokenAuthentication(authentication.BaseAuthentication):
    """``Authorization: Bearer <key>`` (or ``Token <key>``) with a key issued for one device."""

    keyword = "Bearer"

    def authenticate(self, request):
        parts = authentication.get_authorization_header(request).split()
        if not parts or parts[0].lower() not in KEYWORDS:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed("令牌格式不正确。")
        try:
            key = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed("令牌格式不正确。") from None
        token = (
            DeviceToken.objects.select_related("user").filter(key_hash=hash_key(key), revoked_at__isnull=True).first()
        )
        if token is None or not token.user.is_active:
            raise exceptions.AuthenticationFailed("令牌无效或已吊销，请重新登录。")
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
            DeviceToken.objects.filter(pk=token.pk).update(last_used_at=now)
        request.device_token = token
        return token.user, token

    def authenticate_header(self, request):
        return self.keyword


class _SettingsRateMixin:
    def get_rate(self):
        return settings.API_THROTTLE_RATES.get(self.scope)


class UserThrottle(_SettingsRateMixin, throttling.UserRateThrottle):
    scope = "user"


class AnonThrottle(_SettingsRateMixin, throttling.AnonRateThrottle):
    scope = "anon"


class TokenIssueThrottle(_SettingsRateMixin, throttling.AnonRateThrottle):
    """Password guessing through the token endpoint: limited per client address, signed in or not."""

    scope = "token_issue"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
