"""API infrastructure: per-device tokens and stored responses of idempotent requests."""

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords


class DeviceToken(models.Model):
    """One revocable token per device; only a SHA-256 of the key is stored."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="用户", on_delete=models.PROTECT, related_name="device_tokens"
    )
    device_name = models.CharField("设备名称", max_length=100)
    key_hash = models.CharField("密钥摘要", max_length=64, unique=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True)
    revoked_at = models.DateTimeField("吊销时间", null=True, blank=True)

    # last_used_at is written with QuerySet.update() (no history row per request); issue and
    # revocation are saves, so the history shows who held which device token when.
    history = HistoricalRecords(excluded_fields=["last_used_at"])

    class Meta:
        verbose_name = "设备令牌"
        verbose_name_plural = "设备令牌"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "device_name"],
                condition=models.Q(revoked_at__isnull=True),
                name="devicetoken_one_active_per_device",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.device_name}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class IdempotencyRecord(models.Model):
    """The response to a request sent with an Idempotency-Key, replayed when the request is retried."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    key = models.CharField(max_length=255)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=300)
    fingerprint = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(null=True)
    body = models.JSONField(null=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "幂等请求记录"
        verbose_name_plural = "幂等请求记录"
        constraints = [
            # Two concurrent requests with one key: the second insert waits for the first and fails.
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_unique_user_key"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.key}"


def device_tokens_of(user) -> models.QuerySet[DeviceToken]:
    """The user's own API device tokens."""
    if not getattr(user, "is_authenticated", False):
        return DeviceToken.objects.none()
    return DeviceToken.objects.filter(user=user)
