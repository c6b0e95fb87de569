"""Writing notifications. Called inside the caller's transaction: a rollback takes them back too.

``notify`` writes the outbox: one ``Notification`` per recipient (which is also the in-app inbox
entry) and one ``Delivery`` per external channel the recipient chose. Nothing leaves the process
here; the delivery worker (``notifications.delivery``) sends after commit.
"""

import logging
import re
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone

from .channels import CHANNELS, EXTERNAL
from .models import ChannelPreference, Delivery, DeliveryAttempt, DeliveryStatus, Notification

log = logging.getLogger(__name__)

MOBILE = re.compile(r"^1\d{10}$")


class PreferenceRefused(Exception):
    """Bad input on the settings page: a Chinese message per field, nothing saved."""

    def __init__(self, fields: dict[str, str]):
        super().__init__("；".join(fields.values()))
        self.fields = fields


def notify(
    *, recipients: Iterable, event: str, title: str, body: str = "", url: str = "", dedupe_key: str | None = None
) -> list[Notification]:
    """Queue one notification per distinct recipient, and its deliveries; return the rows created.

    With a ``dedupe_key`` a recipient gets the notification at most once, ever: the unique
    (recipient, dedupe_key) constraint decides, also between two workers running the same check at once.
    """
    seen, rows = set(), []
    for user in recipients:
        if user.pk in seen:
            continue
        seen.add(user.pk)
        rows.append(Notification(recipient=user, event=event, title=title, body=body, url=url, dedupe_key=dedupe_key))
    if not rows:
        return []
    if dedupe_key is None:
        created = Notification.objects.bulk_create(rows)
    else:
        created = []
        for row in rows:
            try:
                with transaction.atomic():  # a savepoint: a duplicate undoes only itself
                    row.save(force_insert=True)
            except IntegrityError:
                continue  # queued already (an earlier run, or another worker right now)
            created.append(row)
    queue_deliveries(created)
    return created


def queue_deliveries(notifications: list[Notification]) -> list[Delivery]:
    """One pending delivery per (notification, chosen and configured external channel)."""
    if not notifications:
        return []
    configured = [name for name in EXTERNAL if CHANNELS[name].is_configured()]
    recipient_ids = {n.recipient_id for n in notifications}
    # The recipients the caller handed over are at hand (``notify``): join the users only for the others.
    users = {n.recipient_id: n.recipient for n in notifications if Notification.recipient.is_cached(n)}
    prefs = ChannelPreference.objects.filter(user_id__in=recipient_ids, channel__in=configured, enabled=True)
    if len(users) < len(recipient_ids):
        prefs = prefs.select_related("user")
    chosen: dict[int, list[ChannelPreference]] = {}
    for pref in prefs:
        chosen.setdefault(pref.user_id, []).append(pref)
    now = timezone.now()
    deliveries = [
        Delivery(
            notification=n,
            channel=pref.channel,
            next_attempt_at=now,
            created_at=now,
            address=pref.address or CHANNELS[pref.channel].default_address(users.get(pref.user_id) or pref.user),
        )
        for n in notifications
        for pref in chosen.get(n.recipient_id, ())
    ]
    if deliveries:
        Delivery.objects.bulk_create(deliveries, ignore_conflicts=True)
        transaction.on_commit(_wake_worker)
    return deliveries


def _wake_worker() -> None:
    """In production, ask a Celery worker to deliver now rather than at the next beat."""
    from django.conf import settings

    if not getattr(settings, "CELERY_BROKER_URL", ""):
        return  # the embedded default: `deliver_notifications --loop` polls
    try:
        from .tasks import deliver_notifications_task

        deliver_notifications_task.apply_async(ignore_result=True, retry=False)
    except Exception:
        log.warning("could not wake the delivery worker; the next beat will deliver", exc_info=True)


@transaction.atomic
def notification_mark_read(*, user, notification_id: int) -> None:
    """Mark one of the user's own notifications read."""
    Notification.objects.filter(recipient=user, pk=notification_id, read_at__isnull=True).update(read_at=timezone.now())


@transaction.atomic
def notifications_mark_all_read(*, user) -> int:
    """Mark every unread notification of the user read; return how many."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(read_at=timezone.now())


def unread_count(user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def channel_preferences_of(user) -> list[dict]:
    """Every channel with the user's choice, for the settings page."""
    prefs = {p.channel: p for p in ChannelPreference.objects.filter(user=user)}
    rows = []
    for name, channel in CHANNELS.items():
        pref = prefs.get(name)
        rows.append(
            {
                "name": name,
                "label": channel.label,
                "always": name == "inapp",
                "configured": channel.is_configured(),
                "address_kind": channel.address_kind,
                "enabled": name == "inapp" or bool(pref and pref.enabled),
                "address": pref.address if pref else "",
                "default_address": channel.default_address(user),
                "supports_idempotency": channel.supports_idempotency,
            }
        )
    return rows


def _check_address(kind: str, address: str) -> str | None:
    if kind == "mobile" and address and not MOBILE.match(address):
        return "手机号应为 11 位数字，以 1 开头"
    if kind == "email" and address:
        try:
            validate_email(address)
        except ValidationError:
            return "邮箱地址格式不正确"
    return None


@transaction.atomic
def channel_preferences_update(*, user, choices: dict[str, tuple[bool, str]]) -> list[ChannelPreference]:
    """Save the user's own channel choices: {channel: (enabled, address)}. Refuses bad input whole."""
    errors = {}
    cleaned = {}
    for name, (enabled, address) in choices.items():
        if name not in EXTERNAL:
            continue
        channel = CHANNELS[name]
        address = (address or "").strip()
        problem = _check_address(channel.address_kind, address)
        if problem:
            errors[name] = f"{channel.label}：{problem}"
        elif enabled and not channel.is_configured():
            errors[name] = f"{channel.label}：系统未配置该渠道，暂不能启用"
        elif enabled and channel.address_kind == "mobile" and not address:
            errors[name] = f"{channel.label}：请填写手机号"
        elif enabled and channel.address_kind == "email" and not (address or channel.default_address(user)):
            errors[name] = f"{channel.label}：请填写邮箱地址"
        cleaned[name] = (bool(enabled), address)
    if errors:
        raise PreferenceRefused(errors)
    existing = {p.channel: p for p in ChannelPreference.objects.select_for_update().filter(user=user)}
    saved = []
    for name, (enabled, address) in cleaned.items():
        pref = existing.get(name)
        if pref is None:
            pref = ChannelPreference(user=user, channel=name)
        elif (pref.enabled, pref.address) == (enabled, address):
            saved.append(pref)
            continue
        pref.enabled, pref.address = enabled, address
        pref._history_user = user
        pref.save()
        saved.append(pref)
    return saved


@transaction.atomic
def deliveries_requeue(*, actor, delivery_ids: Iterable[int]) -> int:
    """Put failed deliveries back in the queue (an operator's decision, e.g. after fixing a webhook)."""
    if not (actor.is_staff or actor.is_superuser):
        raise PermissionError("只有系统管理员可以重新投递。")
    now = timezone.now()
    rows = list(
        Delivery.objects.select_for_update()
        .filter(pk__in=list(delivery_ids), status=DeliveryStatus.FAILED)
        .order_by("pk")
    )
    DeliveryAttempt.objects.bulk_create(
        [
            DeliveryAttempt(
                delivery=row,
                number=row.attempts,
                worker=f"user:{actor.pk}",
                started_at=now,
                finished_at=now,
                outcome="requeued",
                error=f"{actor} 重新投递（此前 {row.attempts} 次）",
            )
            for row in rows
        ]
    )
    # attempts restarts so the worker gets its N tries again; the attempt log keeps the earlier ones.
    return Delivery.objects.filter(pk__in=[r.pk for r in rows]).update(
        status=DeliveryStatus.PENDING,
        attempts=0,
        next_attempt_at=now,
        lease_until=None,
        claim_token="",
    )
