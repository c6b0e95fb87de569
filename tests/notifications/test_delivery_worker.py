"""The delivery worker: claims, sends, records attempts, retries with back-off, fails visibly, loses nothing."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from notifications import delivery as worker
from notifications.delivery import backoff, claim_deliveries, deliver_pending
from notifications.models import Delivery, DeliveryAttempt
from notifications.models import DeliveryStatus as S
from notifications.services import deliveries_requeue, notify
from tests.concurrency import run_concurrently
from tests.factories import UserFactory
from tests.notifications.helpers import choose


class WorkerKilled(BaseException):
    """Stands for SIGKILL: nothing after the send runs, no except clause catches it."""


def queue(user, title="隐患已交办"):
    return notify(recipients=[user], event="hazard.assign", title=title, body="局前街小学", url="/hazards/1/")[0]


def later(seconds: float):
    return timezone.now() + timedelta(seconds=seconds)


def test_an_sms_is_posted_to_the_gateway_with_its_idempotency_key_and_marked_sent(world, sms_gateway, fast_retries):
    choose(world.staff_a1, "sms", "13800000001")
    note = queue(world.staff_a1)

    run = deliver_pending()

    row = Delivery.objects.get(notification=note)
    assert run.sent == 1 and row.status == S.SENT and row.attempts == 1 and row.sent_at is not None
    [request] = sms_gateway.requests
    assert request.path == "/sms/send"
    assert request.headers["idempotency-key"] == row.idempotency_key == request.json["idempotency_key"]
    assert request.headers["authorization"] == "Bearer test-token"
    assert request.json["mobile"] == "13800000001"
    assert "隐患已交办" in request.json["content"] and "http://127.0.0.1:8000/hazards/1/" in request.json["content"]
    assert list(DeliveryAttempt.objects.filter(delivery=row).values_list("number", "outcome")) == [(1, "sent")]
    assert deliver_pending().claimed == 0  # nothing left


def test_a_worker_killed_between_send_and_record_delivers_exactly_once_where_the_channel_takes_a_key(
    world, sms_gateway, fast_retries, monkeypatch
):
    choose(world.staff_a1, "sms", "13800000001")
    note = queue(world.staff_a1)

    def killed(*args, **kwargs):
        raise WorkerKilled

    with monkeypatch.context() as m:
        m.setattr(worker, "_mark_sent", killed)
        with pytest.raises(WorkerKilled):
            deliver_pending()
    row = Delivery.objects.get(notification=note)
    assert row.status == S.SENDING and len(sms_gateway.requests) == 1  # sent, but not recorded

    # Within the lease nobody touches it (the worker might still be alive) ...
    assert deliver_pending(now=later(60)).claimed == 0
    # ... after it, another worker takes it and sends again with the same key.
    run = deliver_pending(now=later(121))

    row.refresh_from_db()
    assert run.sent == 1 and row.status == S.SENT and row.attempts == 2
    assert len(sms_gateway.requests) == 2
    assert {r.headers["idempotency-key"] for r in sms_gateway.requests} == {row.idempotency_key}
    assert len(sms_gateway.delivered) == 1  # the gateway dropped the repeat: the phone got one message
    assert list(DeliveryAttempt.objects.filter(delivery=row).values_list("outcome", flat=True)) == ["lost", "sent"]


def test_a_worker_killed_between_send_and_record_delivers_an_email_at_least_once_and_loses_none(
    world, fast_retries, monkeypatch
):
    world.staff_a1.email = "a1@example.cn"
    world.staff_a1.save()
    choose(world.staff_a1, "email")
    notes = [queue(world.staff_a1, title=f"通知{i}") for i in range(3)]

    calls = {"n": 0}
    real = worker._mark_sent

    def killed_on_second(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise WorkerKilled
        return real(*args, **kwargs)

    with monkeypatch.context() as m:
        m.setattr(worker, "_mark_sent", killed_on_second)
        with pytest.raises(WorkerKilled):
            deliver_pending(limit=10)
    deliver_pending(now=later(121))

    statuses = set(Delivery.objects.filter(notification__in=notes).values_list("status", flat=True))
    assert statuses == {S.SENT}  # none lost
    subjects = [m.subject for m in mail.outbox]
    assert sorted(set(subjects)) == ["通知0", "通知1", "通知2"]
    assert len(subjects) in (4, 5)  # the interrupted one at least once (twice here); none of the others twice
    assert max(subjects.count(s) for s in set(subjects)) == 2
    assert all(m.to == ["a1@example.cn"] for m in mail.outbox)


def test_a_failing_webhook_is_retried_with_back_off_then_marked_failed_visibly(
    world, wecom_robot, fast_retries, client
):
    choose(world.staff_a1, "wecom", "13800000001")
    note = queue(world.staff_a1)
    wecom_robot.default = (500, {"errcode": -1, "errmsg": "busy"})

    start = timezone.now()
    assert deliver_pending(now=start).retrying == 1
    row = Delivery.objects.get(notification=note)
    assert (row.status, row.attempts, row.last_error) == (S.PENDING, 1, "HTTP 500")
    assert row.next_attempt_at == start + timedelta(seconds=10)
    assert deliver_pending(now=start + timedelta(seconds=9)).claimed == 0  # not before its time

    assert deliver_pending(now=start + timedelta(seconds=10)).retrying == 1
    row.refresh_from_db()
    assert row.next_attempt_at == start + timedelta(seconds=10 + 20)  # doubled

    assert deliver_pending(now=start + timedelta(seconds=30)).failed == 1
    row.refresh_from_db()
    assert (row.status, row.attempts) == (S.FAILED, 3)
    assert len(wecom_robot.requests) == 3
    assert deliver_pending(now=start + timedelta(days=1)).claimed == 0  # failed stays failed
    assert list(DeliveryAttempt.objects.filter(delivery=row).values_list("outcome", flat=True)) == [
        "retry",
        "retry",
        "failed",
    ]

    # Visible: on the user's settings page, and an operator can put it back in the queue.
    client.force_login(world.staff_a1)
    page = client.get("/notifications/settings/").content.decode()
    assert "投递失败的通知" in page and "HTTP 500" in page and "隐患已交办" in page
    client.force_login(world.officer_a)
    assert "投递失败的通知" not in client.get("/notifications/settings/").content.decode()

    with pytest.raises(PermissionError):
        deliveries_requeue(actor=world.staff_a1, delivery_ids=[row.pk])
    operator = UserFactory(username="ops", is_staff=True)
    wecom_robot.default = (200, {"errcode": 0, "errmsg": "ok"})
    assert deliveries_requeue(actor=operator, delivery_ids=[row.pk]) == 1
    assert deliver_pending().sent == 1
    row.refresh_from_db()
    assert row.status == S.SENT
    assert DeliveryAttempt.objects.filter(delivery=row, outcome="requeued").count() == 1


def test_a_webhook_that_answers_ok_over_http_but_an_error_code_is_retried(world, dingtalk_robot, fast_retries):
    choose(world.staff_a1, "dingtalk", "13800000001")
    note = queue(world.staff_a1)
    dingtalk_robot.script = [(200, {"errcode": 130101, "errmsg": "send too fast"})]
    assert deliver_pending().retrying == 1
    assert "130101" in Delivery.objects.get(notification=note).last_error
    assert deliver_pending(now=later(11)).sent == 1


def test_a_refusal_that_retrying_cannot_fix_fails_at_once(world, sms_gateway, fast_retries):
    choose(world.staff_a1, "sms", "13800000001")
    note = queue(world.staff_a1)
    sms_gateway.script = [(400, {"ok": False, "message": "bad mobile"})]
    assert deliver_pending().failed == 1
    row = Delivery.objects.get(notification=note)
    assert (row.status, row.attempts, row.last_error) == (S.FAILED, 1, "HTTP 400")


def test_an_unreachable_gateway_is_a_retry_not_a_loss(world, settings, fast_retries):
    settings.SMS_GATEWAY_URL = "http://127.0.0.1:9/nothing-listens-here"
    choose(world.staff_a1, "sms", "13800000001")
    note = queue(world.staff_a1)
    assert deliver_pending().retrying == 1
    row = Delivery.objects.get(notification=note)
    assert row.status == S.PENDING and row.last_error.startswith("连接失败")


def test_a_stalled_gateway_is_abandoned_after_the_timeout(world, sms_gateway, fast_retries, settings):
    settings.NOTIFY_HTTP_TIMEOUT = 0.3
    sms_gateway.stall_seconds = 1.5
    choose(world.staff_a1, "sms", "13800000001")
    note = queue(world.staff_a1)
    started = timezone.now()
    assert deliver_pending().retrying == 1
    assert (timezone.now() - started).total_seconds() < 1.4
    assert Delivery.objects.get(notification=note).status == S.PENDING


def test_a_worker_that_stays_dead_past_the_last_attempt_leaves_a_failed_row_not_a_lost_one(
    world, sms_gateway, fast_retries, monkeypatch
):
    choose(world.staff_a1, "sms", "13800000001")
    note = queue(world.staff_a1)

    def killed(*args, **kwargs):
        raise WorkerKilled

    monkeypatch.setattr(worker, "_mark_sent", killed)
    for minutes in (0, 3, 6):
        with pytest.raises(WorkerKilled):
            deliver_pending(now=later(minutes * 60))
    assert deliver_pending(now=later(9 * 60)).claimed == 0
    row = Delivery.objects.get(notification=note)
    assert row.status == S.FAILED and "中断" in row.last_error


def test_back_off_doubles_up_to_its_cap(settings):
    settings.NOTIFY_RETRY_BASE_SECONDS = 30
    settings.NOTIFY_RETRY_MAX_SECONDS = 100
    assert [backoff(n).total_seconds() for n in (1, 2, 3, 4)] == [30, 60, 100, 100]


@pytest.mark.django_db(transaction=True)
def test_two_workers_claiming_at_once_never_take_the_same_delivery(sms_gateway, fast_retries):
    # Real threads on PostgreSQL (SKIP LOCKED); one after the other on SQLite (tests/concurrency.py).
    users = [UserFactory(username=f"u{i}") for i in range(6)]
    for user in users:
        choose(user, "sms", "13800000001")
        for _ in range(4):
            queue(user)

    def drain(name):
        def job():
            ids = []
            while rows := claim_deliveries(limit=3, worker=name):
                ids += [r.pk for r in rows]
            return ids

        return job

    first, second = run_concurrently(drain("w0"), drain("w1"))
    assert len(first + second) == len(set(first + second)) == Delivery.objects.count() == 24
    assert Delivery.objects.filter(status=S.SENDING, attempts=1).count() == 24
    assert DeliveryAttempt.objects.count() == 24


def test_two_workers_holding_the_same_stale_rows_claim_each_row_once(world, sms_gateway, fast_retries):
    # The interleaving SQLite cannot produce by itself: both read the same due rows, then both claim.
    choose(world.staff_a1, "sms", "13800000001")
    for _ in range(3):
        queue(world.staff_a1)
    now = timezone.now()
    stale = worker.due_candidates(now=now, limit=10)
    also_stale = [Delivery.objects.get(pk=r.pk) for r in stale]

    won = worker.take(stale, now=now, worker="w0")
    lost = worker.take(also_stale, now=now, worker="w1")

    assert len(won) == 3 and lost == []
    assert set(DeliveryAttempt.objects.values_list("worker", flat=True)) == {"w0"}
