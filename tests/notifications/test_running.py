"""Running delivery: the management command, the --loop worker, and the Celery app and tasks."""

import os
import subprocess
import sys
import threading

from django.conf import settings
from django.core.management import call_command

from notifications import delivery
from notifications.models import Delivery, DeliveryStatus
from notifications.services import notify
from tests.notifications.helpers import choose


def test_the_command_delivers_what_is_due_and_says_so(world, sms_gateway, capsys):
    choose(world.staff_a1, "sms", "13800000001")
    notify(recipients=[world.staff_a1], event="x", title="一")
    call_command("deliver_notifications")
    assert "已发送 1，待重试 0，失败 0" in capsys.readouterr().out
    assert len(sms_gateway.delivered) == 1


def test_the_loop_delivers_runs_the_due_checks_and_stops_when_told(world, sms_gateway, monkeypatch):
    choose(world.staff_a1, "sms", "13800000001")
    notify(recipients=[world.staff_a1], event="x", title="一")
    stop = threading.Event()
    checks = []
    monkeypatch.setattr("notifications.due.run_due_checks", lambda: checks.append(1) or {})
    real = delivery.deliver_pending

    def deliver_then_stop(**kwargs):
        run = real(**kwargs)
        if run.claimed == 0:
            stop.set()
        return run

    monkeypatch.setattr(delivery, "deliver_pending", deliver_then_stop)
    # Same thread, inside the test's transaction: the loop must not recycle this connection.
    monkeypatch.setattr(delivery, "close_old_connections", lambda: None)
    bound = threading.Timer(20, stop.set)  # a broken loop fails the test instead of hanging it
    bound.start()
    try:
        delivery.run_forever(poll_seconds=0.01, due_checks_every=3600, stop=stop)
    finally:
        bound.cancel()
    assert Delivery.objects.get().status == DeliveryStatus.SENT and checks == [1]


def test_the_celery_app_takes_its_broker_from_the_environment_and_schedules_both_jobs():
    # A fresh interpreter, as `celery -A config worker` would start: only REDIS_URL is set.
    env = {**os.environ, "REDIS_URL": "redis://127.0.0.1:6390/3", "DEBUG": "1"}
    env.pop("CELERY_BROKER_URL", None)
    script = (
        "import django; django.setup(); from config.celery import app; app.loader.import_default_modules(); "
        "print(app.conf.broker_url); print(sorted(e['task'] for e in app.conf.beat_schedule.values())); "
        "print(sorted(t for t in app.tasks if t.startswith('notifications.')))"
    )
    out = subprocess.run(
        [sys.executable, "-c", script],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=settings.BASE_DIR,
        check=True,
    ).stdout.splitlines()
    assert out == [
        "redis://127.0.0.1:6390/3",
        "['notifications.deliver', 'notifications.run_due_checks']",
        "['notifications.deliver', 'notifications.run_due_checks']",
    ]


def test_the_celery_tasks_run_the_same_code(world, sms_gateway):
    from notifications.tasks import deliver_notifications_task, run_due_checks_task

    choose(world.staff_a1, "sms", "13800000001")
    notify(recipients=[world.staff_a1], event="x", title="一")
    assert deliver_notifications_task.apply().get()["sent"] == 1
    assert "hazard_deadlines" in run_due_checks_task.apply().get()


def test_a_committed_delivery_wakes_a_celery_worker_when_a_broker_is_configured(
    world, sms_gateway, settings, monkeypatch, django_capture_on_commit_callbacks
):
    from notifications import tasks

    woken = []
    monkeypatch.setattr(tasks.deliver_notifications_task, "apply_async", lambda **kw: woken.append(kw))
    choose(world.staff_a1, "sms", "13800000001")
    settings.CELERY_BROKER_URL = ""
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[world.staff_a1], event="x", title="一")
    assert woken == []  # the embedded default polls instead
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:6399/0"
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[world.staff_a1], event="x", title="二")
    assert len(woken) == 1


def test_an_unreachable_broker_does_not_break_the_committed_event(
    world, sms_gateway, settings, django_capture_on_commit_callbacks
):
    choose(world.staff_a1, "sms", "13800000001")
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[world.staff_a1], event="x", title="一")
    assert Delivery.objects.get().status == DeliveryStatus.PENDING  # beat (or the loop) will deliver it


def test_operators_see_failed_deliveries_in_the_admin_and_can_requeue_them(world, wecom_robot, client, settings):
    from tests.factories import UserFactory

    settings.NOTIFY_MAX_ATTEMPTS = 1
    wecom_robot.default = (500, {})
    choose(world.staff_a1, "wecom", "13800000001")
    notify(recipients=[world.staff_a1], event="x", title="一")
    delivery.deliver_pending()
    row = Delivery.objects.get()
    assert row.status == DeliveryStatus.FAILED
    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(admin)
    page = client.get("/admin/notifications/delivery/?status__exact=failed").content.decode()
    assert "HTTP 500" in page and "staff_a1" in page
    response = client.post("/admin/notifications/delivery/", {"action": "requeue", "_selected_action": [row.pk]})
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.status == DeliveryStatus.PENDING and row.attempts == 0
