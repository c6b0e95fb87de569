"""Login lockout, idle sessions, CSP and the production deploy check; security events are logged."""

import json
import logging
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import make_hazard

ROOT = Path(__file__).resolve().parents[2]


def security_events(caplog) -> list[dict]:
    return [json.loads(r.getMessage()) for r in caplog.records if r.name == "security"]


def test_the_production_settings_pass_the_deploy_check_without_a_warning(tmp_path):
    inherited = {
        k: v for k, v in os.environ.items() if not k.startswith(("SECURE_", "SESSION_", "CSRF_", "DJANGO_ALLOW_ASYNC"))
    }
    env = {
        **inherited,
        "DEBUG": "0",
        "SECRET_KEY": "k7#Qz!p2" * 8,
        "ALLOWED_HOSTS": "hazards.example.gov.cn",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'deploy.sqlite3'}",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr + result.stdout
    assert "System check identified no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"} | {"DEBUG": "0"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_repeated_failed_logins_lock_the_account_and_are_logged(client, world, caplog, settings):
    caplog.set_level(logging.INFO, logger="security")
    url = reverse("login")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(url, {"username": "officer_a", "password": "wrong"})
    locked = client.post(url, {"username": "officer_a", "password": "Secret-pass-123"})
    assert "登录失败次数过多" in locked.content.decode()
    assert "_auth_user_id" not in client.session
    events = [e["event"] for e in security_events(caplog)]
    assert events.count("login_failed") >= settings.AXES_FAILURE_LIMIT
    assert "lockout" in events


def test_a_successful_login_is_logged_with_the_address(client, world, caplog):
    caplog.set_level(logging.INFO, logger="security")
    response = client.post(
        reverse("login"), {"username": "officer_a", "password": "Secret-pass-123"}, REMOTE_ADDR="127.0.0.9"
    )
    assert response.status_code == 302
    (login,) = [e for e in security_events(caplog) if e["event"] == "login"]
    assert (login["user"], login["address"]) == ("officer_a", "127.0.0.9")


def test_a_session_expires_after_the_idle_period(client, world, settings):
    client.force_login(world.officer_a)
    client.get(reverse("casework:ledger"))
    assert client.session.get_expiry_age() == settings.SESSION_COOKIE_AGE == 30 * 60


def _stored_session(client):
    from django.contrib.sessions.models import Session

    return Session.objects.get(session_key=client.session.session_key)


def _age_the_session(client, seconds):
    """Move the stored session back in time: as if its last save was ``seconds`` ago."""
    from django.contrib.sessions.models import Session

    from casework.security import IdleSessionMiddleware

    stored = _stored_session(client)
    session = client.session
    session[IdleSessionMiddleware.KEY] = session.get(IdleSessionMiddleware.KEY, 0) - seconds
    session.save()
    Session.objects.filter(pk=stored.pk).update(expire_date=stored.expire_date - timedelta(seconds=seconds))


def test_a_request_after_the_refresh_minute_pushes_the_idle_expiry_on(client, world, settings):
    client.force_login(world.officer_a)
    client.get(reverse("casework:ledger"))
    _age_the_session(client, 20 * 60)
    aged = _stored_session(client).expire_date

    assert client.get(reverse("casework:ledger")).status_code == 200

    pushed = _stored_session(client).expire_date
    assert pushed - aged >= timedelta(minutes=19)
    assert abs((pushed - timezone.now()).total_seconds() - settings.SESSION_COOKIE_AGE) < 60


def test_requests_within_the_refresh_minute_do_not_write_the_session(client, world):
    client.force_login(world.officer_a)
    client.get(reverse("casework:ledger"))
    before = _stored_session(client)

    client.get(reverse("casework:ledger"))
    client.get(reverse("notifications:inbox"))

    after = _stored_session(client)
    assert (after.expire_date, after.session_data) == (before.expire_date, before.session_data)


def test_a_short_idle_period_is_refreshed_within_half_of_it(client, world, settings):
    settings.SESSION_COOKIE_AGE = 40  # shorter than the one-minute refresh interval
    client.force_login(world.officer_a)
    client.get(reverse("casework:ledger"))
    _age_the_session(client, 25)  # past half the idle period, still inside it
    aged = _stored_session(client).expire_date

    assert client.get(reverse("casework:ledger")).status_code == 200

    assert _stored_session(client).expire_date - aged >= timedelta(seconds=20)


def test_a_session_idle_for_the_whole_period_is_logged_out(client, world, settings):
    client.force_login(world.officer_a)
    client.get(reverse("casework:ledger"))
    _age_the_session(client, settings.SESSION_COOKIE_AGE + 1)

    response = client.get(reverse("casework:ledger"))

    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_every_page_carries_a_content_security_policy(client, db):
    policy = client.get(reverse("login"))["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "object-src 'none'" in policy and "frame-ancestors 'none'" in policy


def test_a_refused_hazard_and_a_sensitive_view_are_logged(client, world, caplog):
    caplog.set_level(logging.INFO, logger="security")
    sensitive = make_hazard(world, sensitive=True)
    client.force_login(world.staff_b1)
    assert client.get(sensitive.get_absolute_url(), REMOTE_ADDR="127.0.0.7").status_code == 404
    client.force_login(world.police_a1)
    assert client.get(sensitive.get_absolute_url()).status_code == 200
    events = {(e["event"], e["user"]): e for e in security_events(caplog)}
    refused = events[("permission_refused", "staff_b1")]
    assert refused["object"] == f"casework.Hazard:{sensitive.pk}" and refused["address"] == "127.0.0.7"
    assert events[("sensitive_viewed", "police_a1")]["object"] == f"casework.Hazard:{sensitive.pk}"


@pytest.mark.parametrize("url_name", ["casework:ledger", "notifications:inbox"])
def test_csrf_is_enforced_on_posts(world, url_name):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(world.officer_a)
    response = strict.post(reverse("logout"))
    assert response.status_code == 403
