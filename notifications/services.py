"""Writing notifications. Called inside the caller's transaction: a rollback takes them back too."""
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from .models import Notification


def notify(*, recipients: Iterable, event: str, title: str, body: str = "", url: str = "",
           dedupe_key: str | None = None) -> list[Notification]:
    """Queue one notification per distinct recipient (the outbox row doubles as the inbox entry)."""
    seen, rows = set(), []
    for user in recipients:
        if user.pk in seen:
            continue
        seen.add(user.pk)
        rows.append(Notification(recipient=user, event=event, title=title, body=body, url=url, dedupe_key=dedupe_key))
    if not rows:
        return []
    if dedupe_key is None:
        return Notification.objects.bulk_create(rows)
    # ignore_conflicts: a second run of the same reminder is a no-op, also across workers.
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    return rows


@transaction.atomic
def notification_mark_read(*, user, notification_id: int) -> None:
    """Mark one of the user's own notifications read."""
    Notification.objects.filter(recipient=user, pk=notification_id, read_at__isnull=True).update(read_at=timezone.now())


def unread_count(user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()
