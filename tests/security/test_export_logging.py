"""Exports and rendered reports are security events: logged with user, time, address and what was taken,
and recorded on the city's hash-chained audit record, so that they cannot be made to disappear unseen."""

import json
import logging
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from casework.audit.chain import verify_all_chains
from casework.models import AuditEvent, AuditEventKind
from tests.factories import make_campaign, make_hazard, make_listing


def security_events(caplog, event: str) -> list[dict]:
    return [
        e for e in (json.loads(r.getMessage()) for r in caplog.records if r.name == "security") if e["event"] == event
    ]


@pytest.fixture
def logged(caplog):
    caplog.set_level(logging.INFO, logger="security")
    return caplog


def assert_chains_intact():
    assert [s.broken for s in verify_all_chains() if s.broken] == []


def test_a_ledger_export_is_logged_with_user_address_and_filters_and_recorded_on_the_audit_chain(client, world, logged):
    make_hazard(world, title="导出日志隐患")
    client.force_login(world.officer_a)
    response = client.get(
        reverse("casework:ledger_export"), {"school": world.school_a1.pk, "category": "fire"}, REMOTE_ADDR="10.1.2.3"
    )
    assert response.status_code == 200
    (entry,) = security_events(logged, "export")
    assert (entry["user"], entry["address"], entry["object"]) == ("officer_a", "10.1.2.3", "hazard-ledger")
    assert entry["params"]["school"] == world.school_a1.pk and entry["params"]["category"] == "fire"
    assert entry["at"]
    (event,) = AuditEvent.objects.filter(kind=AuditEventKind.LEDGER_EXPORTED)
    assert (event.actor, event.actor_unit, event.subject) == (world.officer_a, world.district_a, "hazard-ledger")
    assert event.params["school"] == world.school_a1.pk and event.params["address"] == "10.1.2.3"
    assert_chains_intact()


def test_a_listing_export_is_logged_and_recorded(client, world, logged):
    make_listing(world, make_hazard(world, state="assigned", major=True))
    client.force_login(world.city_admin)
    response = client.get(reverse("listings:export"), {"level": "district"}, REMOTE_ADDR="10.1.2.4")
    assert response.status_code == 200
    (entry,) = security_events(logged, "export")
    assert (entry["user"], entry["address"], entry["object"], entry["kind"]) == (
        "city_admin",
        "10.1.2.4",
        "listing-ledger",
        AuditEventKind.LISTINGS_EXPORTED,
    )
    assert entry["params"]["level"] == "district"
    (event,) = AuditEvent.objects.filter(kind=AuditEventKind.LISTINGS_EXPORTED)
    assert event.actor == world.city_admin and event.params["level"] == "district"
    assert_chains_intact()


def test_a_report_downloaded_from_the_web_is_logged_with_unit_campaign_and_fingerprint(client, world, logged):
    campaign = make_campaign(world)
    client.force_login(world.officer_a)
    response = client.get(
        reverse("reports:render"),
        {"campaign": campaign.pk, "form": "district", "unit": world.district_a.pk, "format": "xlsx"},
        REMOTE_ADDR="10.1.2.5",
    )
    assert response.status_code == 200
    (entry,) = security_events(logged, "report_rendered")
    assert (entry["user"], entry["address"], entry["object"]) == (
        "officer_a",
        "10.1.2.5",
        f"org_unit:{world.district_a.pk}",
    )
    params = entry["params"]
    assert (params["form"], params["format"], params["unit"], params["campaign"], params["side"]) == (
        "district",
        "xlsx",
        world.district_a.pk,
        campaign.pk,
        "education",
    )
    assert params["fingerprint"] == response["X-Report-Fingerprint"]
    (event,) = AuditEvent.objects.filter(kind=AuditEventKind.REPORT_RENDERED)
    assert event.actor == world.officer_a and event.params["fingerprint"] == response["X-Report-Fingerprint"]
    assert_chains_intact()


def test_a_refused_report_or_export_leaves_no_export_record(client, world, logged):
    campaign = make_campaign(world)
    client.force_login(world.party_a)  # the party committee draws up no reports
    refused = client.get(
        reverse("reports:render"),
        {"campaign": campaign.pk, "form": "district", "unit": world.district_a.pk, "format": "xlsx"},
    )
    assert refused.status_code == 403
    client.force_login(world.officer_a)  # a foreign district's table
    foreign = client.get(
        reverse("reports:render"),
        {"campaign": campaign.pk, "form": "district", "unit": world.district_b.pk, "format": "xlsx"},
    )
    assert foreign.status_code == 404
    client.logout()
    anonymous = client.get(reverse("casework:ledger_export"))
    assert anonymous.status_code == 302
    assert security_events(logged, "report_rendered") == security_events(logged, "export") == []
    assert not AuditEvent.objects.exists()


def test_the_render_report_command_logs_what_the_operator_took(world, logged, tmp_path):
    campaign = make_campaign(world)
    target = tmp_path / "tianning.xlsx"
    call_command(
        "render_report",
        "--form",
        "district",
        "--unit",
        "天宁区",
        "--campaign",
        str(campaign.pk),
        "--format",
        "xlsx",
        "--out",
        str(target),
        stdout=StringIO(),
    )
    assert target.exists()
    (entry,) = security_events(logged, "report_rendered")
    assert entry["object"] == f"org_unit:{world.district_a.pk}" and entry["user"] is None
    assert (entry["params"]["via"], entry["params"]["out"], entry["params"]["campaign"]) == (
        "render_report",
        str(target),
        campaign.pk,
    )
    assert "operator" in entry["params"]
    # No person of the service asked for it: the log line is the record (the audit chain names people).
    assert not AuditEvent.objects.filter(kind=AuditEventKind.REPORT_RENDERED).exists()


def test_an_accountability_review_export_is_logged_as_an_export_too(client, world, logged):
    hazard = make_hazard(world, state="verified")
    client.force_login(world.auditor)
    response = client.get(reverse("audit:review_xlsx"), {"kind": "hazard", "id": hazard.pk}, REMOTE_ADDR="10.1.2.6")
    assert response.status_code == 200
    (entry,) = security_events(logged, "export")
    assert (entry["user"], entry["address"], entry["object"], entry["kind"]) == (
        "auditor",
        "10.1.2.6",
        f"hazard:{hazard.pk}",
        AuditEventKind.REVIEW_EXPORTED_XLSX,
    )
    assert AuditEvent.objects.filter(kind=AuditEventKind.REVIEW_EXPORTED_XLSX, actor=world.auditor).count() == 1
