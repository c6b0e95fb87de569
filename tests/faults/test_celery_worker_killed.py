"""A Celery worker killed with SIGKILL in the middle of delivering SMS: nothing is lost, and the
gateway, which drops a repeated Idempotency-Key, delivers every message exactly once.

Real processes on loopback only: a private PostgreSQL and Redis, `celery -A config worker` and
`celery -A config beat`, and a fake SMS gateway in a thread of this test. Bounded in count and time.
"""

import json
import os
import signal
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.faults.test_database_restart import ROOT, free_port, pg_ctl

pytestmark = pytest.mark.postgres

NOTIFICATIONS = 8  # queued, one SMS delivery each
KILL_AFTER = 3  # the worker dies while the gateway holds request KILL_AFTER + 1
GATEWAY_DELAY = 0.4  # seconds each gateway request takes: a delivery is in flight when the kill comes
LEASE_SECONDS = 4  # NOTIFY_LEASE_SECONDS: how long a dead worker's claim blocks a retry

QUEUE = """
import json
from django.contrib.auth import get_user_model
from django.db import transaction
from notifications.models import Delivery
from notifications.services import channel_preferences_update, notify

users = []
for i in range(4):
    user = get_user_model().objects.create_user(f"sms_user_{i}", password="x" * 12)
    channel_preferences_update(user=user, choices={"sms": (True, f"1380000000{i}")})
    users.append(user)
with transaction.atomic():  # committed together; on commit a Celery task is asked to deliver
    for round in range(%d):
        notify(recipients=users, event="fault_test", title=f"故障测试通知{round}", body="请查看")
print(json.dumps(sorted(Delivery.objects.filter(channel="sms").values_list("idempotency_key", flat=True))))
""" % (NOTIFICATIONS // 4)

REPORT = """
import json
from notifications.models import Delivery, Notification
print(json.dumps({
    "notifications": Notification.objects.filter(event="fault_test").count(),
    "deliveries": [
        {"key": d.idempotency_key, "status": d.status, "attempts": d.attempts,
         "log": [(a.number, a.outcome) for a in d.attempt_log.order_by("number", "id")]}
        for d in Delivery.objects.filter(channel="sms").order_by("id")
    ],
}))
"""


class FakeSmsGateway:
    """Records every request; delivers a key once, answers a repeated key 'ok' without delivering."""

    def __init__(self, *, delay: float, signal_at: int):
        self.requests: list[str] = []  # idempotency keys, in arrival order
        self.delivered: dict[str, dict] = {}
        self.lock = threading.Lock()
        self.in_flight = threading.Event()  # set when request number `signal_at` arrives
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                key = self.headers.get("Idempotency-Key", "")
                with gateway.lock:
                    gateway.requests.append(key)
                    duplicate = key in gateway.delivered
                    if not duplicate:
                        gateway.delivered[key] = body  # handed to the phone network
                    if len(gateway.requests) == signal_at:
                        gateway.in_flight.set()
                time.sleep(delay)
                answer = json.dumps({"ok": True, "code": 0, "duplicate": duplicate}).encode()
                try:
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(answer)))
                    self.end_headers()
                    self.wfile.write(answer)
                except OSError:
                    pass  # the worker died waiting for this answer

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/sms"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)


def stop_group(process: subprocess.Popen | None, sig=signal.SIGTERM, timeout: float = 20) -> None:
    """Stop a process started in its own session, and every child it has."""
    if process is None or process.poll() is not None:
        return
    try:
        os.killpg(process.pid, sig)
        process.wait(timeout=timeout)
    except ProcessLookupError:
        return
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


@pytest.fixture
def private_services():
    """A private PostgreSQL and Redis on free loopback ports, stopped and removed afterwards."""
    pg_dir = Path("/tmp") / f"hazards-celery-pg-{os.getpid()}"
    redis_dir = Path("/tmp") / f"hazards-celery-redis-{os.getpid()}"
    database_url = redis_url = None
    try:
        database_url = subprocess.run(
            ["bash", str(ROOT / "scripts/postgres.sh"), str(pg_dir), str(free_port())],
            check=True,
            capture_output=True,
            text=True,
            timeout=120,
        ).stdout.split()[-1]
        redis_url = subprocess.run(
            ["bash", str(ROOT / "scripts/redis.sh"), str(redis_dir), str(free_port())],
            check=True,
            capture_output=True,
            text=True,
            timeout=60,
        ).stdout.split()[-1]
        yield database_url, redis_url
    finally:
        if redis_url:
            subprocess.run(
                ["redis-cli", "-p", redis_url.rsplit(":", 1)[1].split("/")[0], "shutdown", "nosave"],
                check=False,
                capture_output=True,
                timeout=20,
            )
        try:
            pg_ctl(pg_dir, "stop", "-m", "immediate")
        except subprocess.CalledProcessError:
            pass
        subprocess.run(["rm", "-rf", str(pg_dir), str(redis_dir)], check=False)


def test_a_worker_killed_mid_delivery_loses_nothing_and_the_gateway_gets_each_message_once(private_services, tmp_path):
    database_url, redis_url = private_services
    with FakeSmsGateway(delay=GATEWAY_DELAY, signal_at=KILL_AFTER + 1) as gateway:
        env = {key: value for key, value in os.environ.items() if "proxy" not in key.lower()}
        env.update(
            {
                "DATABASE_URL": database_url,
                "REDIS_URL": redis_url,
                "CELERY_BROKER_URL": redis_url,
                "SMS_GATEWAY_URL": gateway.url,
                "NOTIFY_LEASE_SECONDS": str(LEASE_SECONDS),
                "NOTIFY_POLL_SECONDS": "1",
                "NOTIFY_HTTP_TIMEOUT": "5",
                "NOTIFY_RETRY_BASE_SECONDS": "1",
                "DUE_CHECKS_EVERY_SECONDS": "3600",
                "DEBUG": "0",
                "ALLOWED_HOSTS": "127.0.0.1",
                "SECRET_KEY": "fault-test-" + "x" * 50,
                "MEDIA_ROOT": str(tmp_path / "media"),
                "NO_PROXY": "127.0.0.1,localhost",
                "no_proxy": "127.0.0.1,localhost",
            }
        )
        manage = [sys.executable, str(ROOT / "manage.py")]
        celery = str(Path(sys.executable).parent / "celery")
        subprocess.run([*manage, "migrate", "--no-input", "-v0"], env=env, cwd=ROOT, check=True, timeout=300)

        def start(*args, log: str) -> subprocess.Popen:
            return subprocess.Popen(
                [celery, "-A", "config", *args],
                env=env,
                cwd=ROOT,
                start_new_session=True,
                stdout=subprocess.DEVNULL,
                stderr=open(tmp_path / log, "w"),
            )

        def logs() -> str:
            return "\n".join(f"--- {p.name}\n{p.read_text()[-2500:]}" for p in sorted(tmp_path.glob("*.log")))

        first = second = beat = None
        try:
            # One task at a time; beat asks for a delivery run every second (NOTIFY_POLL_SECONDS).
            first = start("worker", "--concurrency=1", "--loglevel=INFO", "-n", "first@%h", log="first.log")
            beat = start("beat", "--loglevel=INFO", f"--schedule={tmp_path / 'beat-schedule'}", log="beat.log")
            queued = subprocess.run(
                [*manage, "shell", "-c", QUEUE],
                env=env,
                cwd=ROOT,
                check=True,
                timeout=120,
                capture_output=True,
                text=True,
            )
            keys = json.loads(queued.stdout.strip().splitlines()[-1])
            assert len(keys) == NOTIFICATIONS

            # Some delivered, one in flight at the gateway, the rest claimed but not yet tried.
            assert gateway.in_flight.wait(timeout=90), f"the first worker never got going\n{logs()}"
            os.killpg(first.pid, signal.SIGKILL)
            first.wait(timeout=10)
            with gateway.lock:
                before_kill = list(gateway.requests)
            assert len(before_kill) == KILL_AFTER + 1
            assert len(set(gateway.delivered)) < NOTIFICATIONS, "killed in the middle, not after the end"

            second = start("worker", "--concurrency=1", "--loglevel=INFO", "-n", "second@%h", log="second.log")
            for _ in range(300):  # bounded: ≤ 60 s; the lease must run out before the retry
                with gateway.lock:
                    if len(gateway.delivered) == NOTIFICATIONS and len(gateway.requests) > NOTIFICATIONS:
                        break
                time.sleep(0.2)
            time.sleep(GATEWAY_DELAY * 3)  # let the last answer be recorded
            report = subprocess.run(
                [*manage, "shell", "-c", REPORT],
                env=env,
                cwd=ROOT,
                check=True,
                timeout=120,
                capture_output=True,
                text=True,
            )
            state = json.loads(report.stdout.strip().splitlines()[-1])
        finally:
            for process in (first, second, beat):
                stop_group(process)

    # None lost: every queued message reached the gateway, and each key was delivered exactly once.
    assert set(gateway.delivered) == set(keys), logs()
    assert sorted(set(gateway.requests)) == sorted(keys)
    in_flight_key = before_kill[-1]
    assert gateway.requests.count(in_flight_key) == 2, "the in-flight message was sent again with the same key"
    assert len(gateway.requests) == NOTIFICATIONS + 1, "only the interrupted send was repeated"

    deliveries = {d["key"]: d for d in state["deliveries"]}
    assert state["notifications"] == NOTIFICATIONS
    assert {d["status"] for d in deliveries.values()} == {"sent"}, state
    for key in before_kill[:-1]:  # sent and recorded before the kill: one attempt
        assert deliveries[key]["log"] == [[1, "sent"]], deliveries[key]
    # The attempt the dead worker held is in the log as lost, then the new worker's send.
    assert deliveries[in_flight_key]["log"] == [[1, "lost"], [2, "sent"]], deliveries[in_flight_key]
    for delivery in deliveries.values():
        outcomes = [outcome for _, outcome in delivery["log"]]
        assert outcomes.count("sent") == 1 and set(outcomes) <= {"lost", "sent"}, delivery
