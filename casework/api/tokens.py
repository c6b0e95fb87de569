"""Issuing and revoking device tokens: one service each, one transaction, the history keeps both."""

import secrets

from django.contrib.auth import authenticate
from django.db import transaction
from django.utils import timezone

from casework import errors
from casework.errors import TransitionRefused
from casework.locks import lock_object, lock_objects
from notifications.services import notify

from .authentication import hash_key
from .models import DeviceToken


@transaction.atomic
def device_token_issue(*, request, username: str, password: str, device_name: str) -> tuple[DeviceToken, str]:
    """Check the password and issue a new key for the device; an older key of the same device is revoked."""
    device_name = (device_name or "").strip()
    if not device_name:
        raise TransitionRefused(
            "缺少必填内容：设备名称。", code=errors.MISSING_FIELD, fields={"device_name": "请填写设备名称"}
        )
    user = authenticate(request, username=username, password=password)
    if user is None or not user.is_active:
        raise TransitionRefused("用户名或密码不正确。", code="invalid_credentials")
    now = timezone.now()
    # Lock the user's active tokens of this device so two logins from one device cannot both win.
    for old in lock_objects(DeviceToken.objects.filter(user=user, device_name=device_name, revoked_at__isnull=True)):
        old.revoked_at = now
        old._change_reason = "replaced"
        old.save()
    key = secrets.token_urlsafe(32)
    token = DeviceToken(user=user, device_name=device_name, key_hash=hash_key(key))
    token._history_user = user
    token._change_reason = "issued"
    token.save()
    notify(
        recipients=[user],
        event="api.token_issued",
        title=f"您的账号已在设备“{device_name}”上登录",
        body="如非本人操作，请在设备列表中吊销该设备并修改密码。",
    )
    return token, key


@transaction.atomic
def device_token_revoke(*, actor, token_id: int) -> DeviceToken:
    """Revoke one of the actor's own device tokens (revoking twice changes nothing)."""
    token = lock_object(DeviceToken.objects.filter(user=actor, pk=token_id))
    if token is None:
        raise TransitionRefused("设备令牌不存在。", code="not_found")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token._history_user = actor
        token._change_reason = "revoked"
        token.save()
    return token
