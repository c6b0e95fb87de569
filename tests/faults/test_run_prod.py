"""`make run-prod` (scripts/run-prod.sh) really serves: a private PostgreSQL and Redis, migrations,
collectstatic with the manifest, the demo, gunicorn, a Celery worker and Celery beat. Loopback only,
bounded in time, and everything it started is stopped afterwards."""

import os
import re
import signal
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from tests.faults.test_database_restart import ROOT, free_port, logged_in_opener, pg_ctl, status

pytestmark = pytest.mark.postgres

STARTUP_SECONDS = 600  # migrations, collectstatic (compressing every file) and the demo, on a busy machine


def processes_in_group(pgid: int) -> list[str]:
    """The command lines of the live processes in one process group (read from /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            fields = stat[stat.rindex(")") + 2 :].split()  # after "pid (comm) ": state ppid pgrp …
            if fields[0] != "Z" and int(fields[2]) == pgid:
                found.append((entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace"))
        except (OSError, ValueError, IndexError):
            continue
    return found


def test_run_prod_serves_the_demo_with_static_files_celery_worker_and_beat(tmp_path):
    # Under /tmp itself: the cluster belongs to 'postgres', who cannot enter pytest's private tmp_path.
    pg_dir, redis_dir = Path("/tmp") / f"hazards-run-prod-pg-{os.getpid()}", tmp_path / "redis"
    redis_port = free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if "proxy" not in key.lower() and key not in ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL")
    }
    port = free_port()
    env.update(
        {
            "ENV_FILE": "",
            "PY": sys.executable,
            "BIND": f"127.0.0.1:{port}",
            "ALLOWED_HOSTS": "127.0.0.1",
            "PGDATA_DIR": str(pg_dir),
            "PGPORT": str(free_port()),
            "REDIS_DIR": str(redis_dir),
            "REDIS_PORT": str(redis_port),
            "STATIC_ROOT": str(tmp_path / "static"),
            "MEDIA_ROOT": str(tmp_path / "media"),
            "CELERY_BEAT_SCHEDULE": str(tmp_path / "beat-schedule"),
            "WEB_CONCURRENCY": "2",
            "CELERY_CONCURRENCY": "1",
            "SECRET_KEY": "run-prod-test-" + "x" * 50,
            "NO_PROXY": "127.0.0.1,localhost",
            "no_proxy": "127.0.0.1,localhost",
        }
    )
    log = tmp_path / "run-prod.log"
    base = f"http://127.0.0.1:{port}"
    service = subprocess.Popen(
        ["bash", str(ROOT / "scripts/run-prod.sh")],
        env=env,
        cwd=ROOT,
        start_new_session=True,
        stdout=open(log, "w"),
        stderr=subprocess.STDOUT,
    )
    group_after_stop = None
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline and service.poll() is None and status(f"{base}/login/") != 200:
            time.sleep(1)
        assert status(f"{base}/login/") == 200, f"not serving (exit {service.poll()}):\n{log.read_text()[-4000:]}"

        # The demo is loaded and a demo official can log in and read the ledger.
        from casework.demo.changzhou import DEMO_PASSWORD

        client = logged_in_opener(base, "tianning_officer", DEMO_PASSWORD)
        ledger = client.open(f"{base}/hazards/", timeout=10)
        assert ledger.status == 200 and ledger.url.endswith("/hazards/"), ledger.url
        assert "login" not in ledger.url

        # The stylesheet is WhiteNoise's: the manifest's hashed name, cached for ever, precompressed.
        page = urllib.request.urlopen(f"{base}/login/", timeout=10).read().decode()
        css = re.search(r'href="(/static/casework/site\.[0-9a-f]{12}\.css)"', page)
        assert css, "the page links the hashed stylesheet from the manifest"
        answer = urllib.request.urlopen(
            urllib.request.Request(f"{base}{css.group(1)}", headers={"Accept-Encoding": "gzip"}), timeout=10
        )
        assert answer.status == 200 and answer.headers["Content-Type"].startswith("text/css")
        assert "immutable" in answer.headers["Cache-Control"]
        assert answer.headers["Content-Encoding"] == "gzip"
        # A stylesheet that references other files (the admin's) resolves them too.
        admin_css = (tmp_path / "static/staticfiles.json").read_text()
        hashed_admin = re.search(r'"admin/css/base\.css": "([^"]+)"', admin_css).group(1)
        body = urllib.request.urlopen(f"{base}/static/{hashed_admin}", timeout=10).read().decode()
        for ref in re.findall(r'url\("?([^")]+)"?\)', body):
            if not ref.startswith(("data:", "#")):
                target = urllib.parse.urljoin(f"{base}/static/{hashed_admin}", ref)
                assert status(target) == 200, target

        # gunicorn, a Celery worker and Celery beat run in the service's process group, and the worker answers.
        commands = processes_in_group(service.pid)
        assert any("gunicorn" in c for c in commands), commands
        assert any("celery" in c and " worker" in c for c in commands), commands
        assert any("celery" in c and " beat" in c for c in commands), commands
        ping = subprocess.run(
            [str(Path(sys.executable).parent / "celery"), "-A", "config", "inspect", "ping", "--timeout", "10"],
            env={**env, "CELERY_BROKER_URL": f"redis://127.0.0.1:{redis_port}/0"},
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert ping.returncode == 0 and "pong" in ping.stdout, ping.stdout + ping.stderr
    finally:
        if service.poll() is None:
            os.killpg(service.pid, signal.SIGTERM)  # what Ctrl-C does: the script stops its children
            try:
                service.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(service.pid, signal.SIGKILL)
                service.wait(timeout=10)
        for _ in range(50):
            group_after_stop = processes_in_group(service.pid)
            if not group_after_stop:
                break
            time.sleep(0.2)
        subprocess.run(
            ["redis-cli", "-p", str(redis_port), "shutdown", "nosave"], check=False, capture_output=True, timeout=20
        )
        if (pg_dir / "postmaster.pid").exists():
            try:
                pg_ctl(pg_dir, "stop", "-m", "fast")
            except subprocess.CalledProcessError:
                pass
        subprocess.run(["rm", "-rf", str(pg_dir)], check=False)
    assert group_after_stop == [], f"left running after the stop: {group_after_stop}"
