"""The database goes away while requests are served and writes run: the service answers with errors
while it is down, recovers by itself, and nothing is half-written. Loopback only, bounded in time."""

import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.postgres


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pg_ctl(data_dir: Path, *args):
    bin_dir = sorted(Path("/usr/lib/postgresql").glob("*/bin"))[-1]
    command = [str(bin_dir / "pg_ctl"), "-D", str(data_dir), *args]
    if os.geteuid() == 0:
        command = ["runuser", "-u", "postgres", "--", *command]
    subprocess.run(command, check=True, capture_output=True, timeout=60)


def status(url: str, opener=None) -> int:
    try:
        return (opener or urllib.request.build_opener()).open(url, timeout=3).status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return 0


def logged_in_opener(base: str, username: str, password: str):
    """A browser-like client: cookies, the CSRF token from the login form, then the login POST."""
    import http.cookiejar
    import urllib.parse

    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{base}/login/", timeout=5).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    data = urllib.parse.urlencode({"username": username, "password": password, "csrfmiddlewaretoken": token})
    opener.open(
        urllib.request.Request(f"{base}/login/", data=data.encode(), headers={"Referer": f"{base}/login/"}), timeout=5
    )
    return opener


@pytest.fixture
def private_cluster(tmp_path_factory):
    data_dir = Path("/tmp") / f"hazards-fault-pg-{os.getpid()}"
    output = subprocess.run(
        ["bash", str(ROOT / "scripts/postgres.sh"), str(data_dir), str(free_port())],
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    ).stdout
    yield data_dir, output.strip().splitlines()[-1]
    try:
        pg_ctl(data_dir, "stop", "-m", "immediate")
    except subprocess.CalledProcessError:
        pass
    subprocess.run(["rm", "-rf", str(data_dir)], check=False)


def test_a_database_restart_under_load_gives_errors_then_recovers_with_nothing_half_written(private_cluster, tmp_path):
    data_dir, database_url = private_cluster
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECRET_KEY": "fault-test-" + "x" * 50,
        "MEDIA_ROOT": str(tmp_path / "media"),
        "WRITER_SECONDS": "14",
    }
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "--no-input", "-v0"], env=env, cwd=ROOT, check=True, timeout=300)
    subprocess.run([*manage, "seed_demo"], env=env, cwd=ROOT, check=True, timeout=300, capture_output=True)

    port = free_port()
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "config.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--timeout",
            "20",
        ],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=open(tmp_path / "server.log", "w"),
    )
    writer = subprocess.Popen(
        [*manage, "shell", "-c", (ROOT / "tests/faults/writer.py").read_text()],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    url = f"{base}/hazards/"  # the ledger: session, memberships and hazards read on every request
    seen = {"before": set(), "down": set(), "after": set()}
    phase = {"name": "before"}
    stop = threading.Event()

    def poll():
        for _ in range(2000):  # bounded
            if stop.is_set():
                return
            code = status(url, client)
            seen[phase["name"]].add(code)  # the phase when the answer came
            time.sleep(0.05)

    poller = threading.Thread(target=poll)
    try:
        for _ in range(100):
            if status(f"{base}/login/") == 200:
                break
            time.sleep(0.2)
        from casework.demo.changzhou import DEMO_PASSWORD

        client = logged_in_opener(base, "tianning_officer", DEMO_PASSWORD)
        poller.start()
        time.sleep(3)
        phase["name"] = "down"
        pg_ctl(data_dir, "stop", "-m", "immediate")  # a crash, not a polite shutdown
        time.sleep(3)
        port_of_db = database_url.rsplit(":", 1)[1].split("/")[0]
        pg_ctl(
            data_dir,
            "start",
            "-w",
            "-t",
            "60",
            "-l",
            str(data_dir / "server.log"),
            "-o",
            f"-p {port_of_db} -k /tmp -c listen_addresses=127.0.0.1 -c fsync=off",
        )
        phase["name"] = "after"
        recovered = False
        for _ in range(100):
            if status(url, client) == 200:
                recovered = True
                break
            time.sleep(0.2)
        time.sleep(1)
    finally:
        stop.set()
        if poller.is_alive():
            poller.join(timeout=10)
        out, _ = writer.communicate(timeout=120)
        server.terminate()
        server.wait(timeout=20)

    assert seen["before"] == {200}
    assert seen["down"] - {200}, "while the database was down the service answered errors"
    assert seen["down"] <= {200, 500}, "errors, not hung or refused connections"
    assert recovered, f"the service came back by itself: {seen}\n{(tmp_path / 'server.log').read_text()[-3000:]}"

    written = json.loads(out.strip().splitlines()[-1])
    assert written["failures"] > 0 and written["committed"], written
    check = subprocess.run(
        [*manage, "shell", "-c", (ROOT / "tests/faults/check_integrity.py").read_text()],
        env=env,
        cwd=ROOT,
        check=True,
        timeout=120,
        capture_output=True,
        text=True,
    )
    result = json.loads(check.stdout.strip().splitlines()[-1])
    assert result["inconsistent"] == [] and result["chain_breaks"] == []
    # Every hazard the writer saw committed is there, assigned; an interrupted one never half-exists.
    assert result["hazards"] >= len(written["committed"])
    assert not re.search(r"Traceback", check.stderr or "")
