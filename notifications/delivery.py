"""The delivery worker: claim due deliveries, send each on its channel, record the outcome.

Safe with many workers on PostgreSQL (``select_for_update(skip_locked=True)`` picks disjoint rows)
and correct on SQLite too: every change of a delivery is a compare-and-set ``UPDATE`` on its claim
token, so two workers can never both own a row. Nothing is sent inside a transaction.

A worker killed after sending and before recording leaves the row 'sending' with a lease; when the
lease runs out another worker takes it and sends again with the same idempotency key, so a channel
that honours the key delivers exactly once and any other channel at least once, never zero times.
"""

import logging
import os
import socket
import threading
import time
import uuid
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import close_old_connections, transaction
from django.db.models import F, Q
from django.utils import timezone

from .channels import CHANNELS, DeliveryError, OutgoingMessage
from .models import Delivery, DeliveryAttempt, DeliveryStatus

log = logging.getLogger(__name__)

WORKER_ID = f"{socket.gethostname()}:{os.getpid()}"
S = DeliveryStatus


@dataclass
class DeliveryRun:
    claimed: int = 0
    sent: int = 0
    retrying: int = 0
    failed: int = 0

    def add(self, other: "DeliveryRun") -> None:
        for name, value in asdict(other).items():
            setattr(self, name, getattr(self, name) + value)

    def as_dict(self) -> dict:
        return asdict(self)


def backoff(attempts: int) -> timedelta:
    """Exponential: base, 2×base, 4×base, … capped."""
    seconds = settings.NOTIFY_RETRY_BASE_SECONDS * (2 ** max(attempts - 1, 0))
    return timedelta(seconds=min(seconds, settings.NOTIFY_RETRY_MAX_SECONDS))


def absolute(url: str) -> str:
    if url.startswith("/"):
        return settings.SITE_URL.rstrip("/") + url
    return url


# ---- claiming ---------------------------------------------------------------------------------
def due_candidates(*, now: datetime, limit: int) -> list[Delivery]:
    """The due rows, locked where the database can (call inside a transaction)."""
    due = Q(status=S.PENDING, next_attempt_at__lte=now) | Q(status=S.SENDING, lease_until__lt=now)
    # SKIP LOCKED on PostgreSQL: concurrent workers take different rows instead of queueing up.
    # (SQLite ignores it; its IMMEDIATE transactions serialise the claim instead.)
    return list(
        Delivery.objects.select_for_update(skip_locked=True).filter(due).order_by("next_attempt_at", "id")[:limit]
    )


def take(rows: list[Delivery], *, now: datetime, worker: str) -> list[Delivery]:
    """Claim ``rows`` as read: a compare-and-set per row, so of two workers holding the same stale
    copy only one wins, whatever the database's locking. Call inside a transaction."""
    lease_until = now + timedelta(seconds=settings.NOTIFY_LEASE_SECONDS)
    claimed = []
    for row in rows:
        lost = row.status == S.SENDING  # its worker died between send and record
        if lost and row.attempts >= settings.NOTIFY_MAX_ATTEMPTS:
            if Delivery.objects.filter(pk=row.pk, claim_token=row.claim_token, status=S.SENDING).update(
                status=S.FAILED, lease_until=None, last_error="投递进程多次中断，已达最大尝试次数"
            ):
                _close_lost_attempts(row, now)
                log.warning("delivery %s failed: worker lost after %s attempts", row.pk, row.attempts)
            continue
        token = uuid.uuid4().hex
        won = Delivery.objects.filter(
            pk=row.pk,
            status=row.status,
            claim_token=row.claim_token,
            attempts=row.attempts,
        ).update(status=S.SENDING, attempts=F("attempts") + 1, lease_until=lease_until, claim_token=token)
        if not won:
            continue
        if lost:
            _close_lost_attempts(row, now)
        row.status, row.attempts, row.lease_until, row.claim_token = S.SENDING, row.attempts + 1, lease_until, token
        DeliveryAttempt.objects.create(delivery=row, number=row.attempts, worker=worker[:100], started_at=now)
        claimed.append(row)
    return claimed


def _close_lost_attempts(row: Delivery, now: datetime) -> None:
    DeliveryAttempt.objects.filter(delivery=row, outcome="").update(
        outcome="lost", finished_at=now, error="投递进程中断（租约过期）"
    )


def claim_deliveries(*, now: datetime | None = None, limit: int = 50, worker: str = WORKER_ID) -> list[Delivery]:
    """Take up to ``limit`` due deliveries: pending and due, or 'sending' with an expired lease."""
    now = now or timezone.now()
    with transaction.atomic():
        return take(due_candidates(now=now, limit=limit), now=now, worker=worker)


# ---- recording --------------------------------------------------------------------------------
def _finish_attempt(row: Delivery, *, now: datetime, outcome: str, error: str = "") -> None:
    DeliveryAttempt.objects.filter(delivery=row, number=row.attempts, outcome="").update(
        outcome=outcome, finished_at=now, error=error
    )


@transaction.atomic
def _mark_sent(row: Delivery, now: datetime) -> None:
    # A send that went through is the truth, whoever holds the claim now: no further retry.
    Delivery.objects.filter(pk=row.pk).exclude(status=S.SENT).update(
        status=S.SENT, sent_at=now, lease_until=None, last_error=""
    )
    _finish_attempt(row, now=now, outcome="sent")


@transaction.atomic
def _mark_failure(row: Delivery, now: datetime, error: str, *, permanent: bool) -> str:
    error = error[:2000]
    give_up = permanent or row.attempts >= settings.NOTIFY_MAX_ATTEMPTS
    status = S.FAILED if give_up else S.PENDING
    updated = Delivery.objects.filter(pk=row.pk, claim_token=row.claim_token, status=S.SENDING).update(
        status=status,
        last_error=error,
        lease_until=None,
        next_attempt_at=now if give_up else now + backoff(row.attempts),
    )
    _finish_attempt(row, now=now, outcome="failed" if give_up else "retry", error=error)
    if not updated:
        return ""  # someone else owns it now (our lease ran out): their outcome stands
    if give_up:
        log.warning("delivery %s (%s) failed after %s attempts: %s", row.pk, row.channel, row.attempts, error)
    return status


# ---- sending ----------------------------------------------------------------------------------
def message_for(row: Delivery) -> OutgoingMessage:
    n = row.notification
    return OutgoingMessage(
        idempotency_key=row.idempotency_key,
        address=row.address,
        event=n.event,
        title=n.title,
        body=n.body,
        link=absolute(n.url),
    )


def deliver_one(row: Delivery, *, now: datetime | None = None) -> str:
    """Send one claimed delivery and record the outcome; return the new status."""
    channel = CHANNELS.get(row.channel)
    try:
        if channel is None:
            raise DeliveryError(f"未知渠道 {row.channel}", permanent=True)
        channel.send(message_for(row))
    except DeliveryError as exc:
        return _mark_failure(row, now or timezone.now(), str(exc), permanent=exc.permanent)
    except Exception as exc:
        log.exception("delivery %s: unexpected error", row.pk)
        return _mark_failure(row, now or timezone.now(), f"{type(exc).__name__}: {exc}", permanent=False)
    _mark_sent(row, now or timezone.now())
    return S.SENT


def deliver_pending(
    *, now: datetime | None = None, limit: int = 50, max_batches: int = 100, worker: str = WORKER_ID
) -> DeliveryRun:
    """Deliver everything due now, batch by batch; ``now`` is for tests that move the clock."""
    total = DeliveryRun()
    for _ in range(max_batches):
        rows = claim_deliveries(now=now, limit=limit, worker=worker)
        if not rows:
            break
        rows = Delivery.objects.select_related("notification").in_bulk([r.pk for r in rows])
        run = DeliveryRun(claimed=len(rows))
        for row in rows.values():
            status = deliver_one(row, now=now)
            if status == S.SENT:
                run.sent += 1
            elif status == S.PENDING:
                run.retrying += 1
            elif status == S.FAILED:
                run.failed += 1
        total.add(run)
    return total


def run_forever(
    *, poll_seconds: float | None = None, due_checks_every: float | None = None, stop: threading.Event | None = None
) -> None:
    """The embedded worker (``deliver_notifications --loop``): deliver, and run the due checks now and then."""
    from .due import run_due_checks

    poll_seconds = settings.NOTIFY_POLL_SECONDS if poll_seconds is None else poll_seconds
    due_checks_every = settings.DUE_CHECKS_EVERY_SECONDS if due_checks_every is None else due_checks_every
    stop = stop or threading.Event()
    next_due_check = time.monotonic()
    log.info("delivery worker %s started (poll %ss, due checks every %ss)", WORKER_ID, poll_seconds, due_checks_every)
    while not stop.is_set():
        close_old_connections()
        busy = False
        try:
            if due_checks_every and time.monotonic() >= next_due_check:
                next_due_check = time.monotonic() + due_checks_every
                log.info("due checks: %s", run_due_checks())
            run = deliver_pending()
            busy = run.claimed > 0
            if busy:
                log.info("delivered: %s", run.as_dict())
        except Exception:
            log.exception("delivery loop iteration failed")
        if not busy:
            stop.wait(poll_seconds)
