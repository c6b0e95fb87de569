"""The Changzhou demo loads twice without duplicates, and `make run`'s server answers its login page."""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from django.core.management import call_command

from casework.models import Hazard, HazardState, HazardTransition, Membership, OrgKind, OrgUnit, Role

ROOT = Path(__file__).resolve().parent.parent


def test_the_demo_loads_twice_without_duplicates(db, settings, tmp_path):
    call_command("seed_demo", stdout=open(os.devnull, "w"))
    counts = (
        OrgUnit.objects.count(),
        Membership.objects.count(),
        Hazard.objects.count(),
        HazardTransition.objects.count(),
    )
    call_command("seed_demo", stdout=open(os.devnull, "w"))
    assert (
        OrgUnit.objects.count(),
        Membership.objects.count(),
        Hazard.objects.count(),
        HazardTransition.objects.count(),
    ) == counts


def test_the_demo_has_every_district_school_kind_role_and_state(db):
    call_command("seed_demo", stdout=open(os.devnull, "w"))
    districts = set(OrgUnit.objects.filter(kind=OrgKind.DISTRICT).values_list("name", flat=True))
    assert districts == {"天宁区", "钟楼区", "新北区", "武进区", "金坛区", "溧阳市", "常州经开区"}
    for district in OrgUnit.objects.filter(kind=OrgKind.DISTRICT):
        assert OrgUnit.objects.filter(kind=OrgKind.SCHOOL, district=district).count() >= 5
    kinds = set(OrgUnit.objects.filter(kind=OrgKind.SCHOOL).values_list("school_kind", flat=True))
    assert kinds == {"kindergarten", "primary", "junior", "senior", "vocational", "university"}
    assert set(Membership.objects.values_list("role", flat=True)) == set(Role.values)
    assert set(Hazard.objects.values_list("state", flat=True)) == set(HazardState.values)
    assert not OrgUnit.objects.filter(kind=OrgKind.SCHOOL, police_station__isnull=True).exists()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_the_served_demo_answers_its_login_page(tmp_path):
    env = {
        **os.environ,
        "DEBUG": "1",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'run.sqlite3'}",
        "MEDIA_ROOT": str(tmp_path / "media"),
    }
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "--no-input", "-v0"], env=env, check=True, cwd=ROOT, timeout=300)
    subprocess.run([*manage, "seed_demo"], env=env, check=True, cwd=ROOT, timeout=300, capture_output=True)
    port = _free_port()
    server = subprocess.Popen(
        [*manage, "runserver", f"127.0.0.1:{port}", "--noreload"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        body = ""
        for _ in range(60):
            try:
                body = urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=2).read().decode()
                break
            except OSError:
                time.sleep(0.5)
        assert "登录" in body
    finally:
        server.terminate()
        server.wait(timeout=10)
