"""Generic notifications: the outbox row is the inbox entry. Knows users and messages, not hazards."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="接收人", on_delete=models.PROTECT, related_name="notifications"
    )
    event = models.CharField("事件", max_length=60)
    title = models.CharField("标题", max_length=200)
    body = models.TextField("内容", blank=True)
    url = models.CharField("链接", max_length=300, blank=True)
    # The same event for the same recipient is queued once (a reminder once per deadline, …).
    # NULL, not "": the unique (recipient, dedupe_key) constraint must let any number of plain messages through.
    dedupe_key = models.CharField(max_length=200, null=True, blank=True)  # noqa: DJ001
    created_at = models.DateTimeField("时间", default=timezone.now)
    read_at = models.DateTimeField("已读时间", null=True, blank=True)

    class Meta:
        verbose_name = "通知"
        verbose_name_plural = "通知"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "read_at", "-created_at"], name="notification_inbox"),
            # The due checks ask "was this reminder queued already?" by key, for a batch of hazards.
            models.Index(fields=["dedupe_key"], name="notification_dedupe_key"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "dedupe_key"],
                name="notification_once_per_key",
                condition=models.Q(dedupe_key__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class Channel(models.TextChoices):
    """Where a notification goes. The in-app inbox is the notification row itself, always."""

    INAPP = "inapp", "站内通知"
    EMAIL = "email", "电子邮件"
    SMS = "sms", "短信"
    WECOM = "wecom", "企业微信群机器人"
    DINGTALK = "dingtalk", "钉钉群机器人"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "待发送"
    SENDING = "sending", "发送中"
    SENT = "sent", "已发送"
    FAILED = "failed", "发送失败"


def new_idempotency_key() -> str:
    return uuid.uuid4().hex


class Delivery(models.Model):
    """One notification on one external channel: the unit the delivery worker claims, sends and retries.

    Written in the same transaction as its notification (a rolled-back event sends nothing). The
    worker changes it only by compare-and-set updates; ``DeliveryAttempt`` is its append-only history.
    """

    notification = models.ForeignKey(
        Notification, verbose_name="通知", on_delete=models.PROTECT, related_name="deliveries"
    )
    channel = models.CharField("渠道", max_length=20, choices=Channel.choices)
    address = models.CharField("发送地址", max_length=200, blank=True)
    status = models.CharField("状态", max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveIntegerField("尝试次数", default=0)
    next_attempt_at = models.DateTimeField("下次尝试", default=timezone.now)
    # A 'sending' row whose lease has run out belongs to a worker that died: it is taken again.
    lease_until = models.DateTimeField("租约到期", null=True, blank=True)
    claim_token = models.CharField(max_length=32, blank=True)
    last_error = models.TextField("最近错误", blank=True)
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)
    # Sent with every attempt where the channel supports it, so a retry after a crash is not a second message.
    idempotency_key = models.CharField("幂等键", max_length=64, unique=True, default=new_idempotency_key)
    created_at = models.DateTimeField("创建时间", default=timezone.now)

    class Meta:
        verbose_name = "通知投递"
        verbose_name_plural = "通知投递"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="delivery_due")]
        constraints = [
            models.UniqueConstraint(fields=["notification", "channel"], name="delivery_once_per_channel"),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} · {self.get_status_display()}"


class DeliveryAttempt(models.Model):
    """One try at sending a delivery (append-only): when, by which worker, and how it ended."""

    delivery = models.ForeignKey(Delivery, on_delete=models.PROTECT, related_name="attempt_log")
    number = models.PositiveIntegerField("第几次")
    worker = models.CharField("投递进程", max_length=100, blank=True)
    started_at = models.DateTimeField("开始时间")
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)
    outcome = models.CharField("结果", max_length=10, blank=True)
    error = models.TextField("错误", blank=True)

    class Meta:
        verbose_name = "投递尝试"
        verbose_name_plural = "投递尝试"
        ordering = ["delivery", "number", "id"]

    def __str__(self) -> str:
        return f"#{self.delivery_id} 第{self.number}次 {self.outcome}"


class ChannelPreference(models.Model):
    """A user's choice of one external channel, and where to reach them on it (e-mail, mobile)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="用户", on_delete=models.PROTECT, related_name="notification_channels"
    )
    channel = models.CharField("渠道", max_length=20, choices=Channel.choices)
    enabled = models.BooleanField("启用", default=False)
    address = models.CharField("地址", max_length=200, blank=True, help_text="邮箱或手机号")
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = "通知渠道设置"
        verbose_name_plural = "通知渠道设置"
        ordering = ["user", "channel"]
        constraints = [models.UniqueConstraint(fields=["user", "channel"], name="channel_preference_once")]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_channel_display()}"
