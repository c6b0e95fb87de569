"""Every listing endpoint × every role × an own, a foreign and a sensitive listing: the expected status,
nothing changed by a refusal, and a refused body that tells nothing about the listing or its hazard."""

from datetime import timedelta

import pytest
from django.utils import timezone

from casework.models import Listing, ListingProgressReport, ListingReminder
from tests.api.builders import DESCRIPTION, KINDS, LISTING_MEASURES, ROLES, VISIBLE, listed
from tests.api.conftest import client_for
from tests.factories import listing_snapshot, make_hazard, photo, snapshot

TITLE = "挂牌矩阵隐患"


def today():
    return timezone.localdate().isoformat()


# action → (url part, hazard state the listing needs, body, format, who may do it on own / foreign / sensitive, ok)
ACTIONS = {
    "progress": (
        "progress",
        "assigned",
        lambda: {"work_done": "已拆除", "percent_complete": 50, "evidence": [photo()]},
        "multipart",
        {"own": "staff_a1", "foreign": None, "sensitive": "police_a1"},
        201,
    ),
    "remind": (
        "remind",
        "assigned",
        lambda: {"message": "请加快进度"},
        "json",
        {"own": "officer_a", "foreign": None, "sensitive": "city_admin"},
        201,
    ),
    "delist": (
        "delist",
        "verified",
        lambda: {"decision_number": "常教督〔2026〕摘1号", "delisted_on": today(), "reason": "验收合格"},
        "json",
        {"own": "officer_a", "foreign": None, "sensitive": "city_admin"},
        200,
    ),
}


def assert_tells_nothing(response, listing):
    body = response.content.decode()
    for secret in (listing.hazard.title, DESCRIPTION, listing.decision_number, LISTING_MEASURES):
        assert secret not in body
    assert set(response.json()) == {"code", "message", "fields"}


def expected(role, kind, allowed, ok):
    if kind not in VISIBLE[role]:
        return 404
    return ok if allowed[kind] == role else 403


@pytest.mark.parametrize("action", list(ACTIONS))
def test_each_listing_action_answers_every_role_on_own_foreign_and_sensitive_listings(world, action):
    part, state, body, fmt, allowed, ok = ACTIONS[action]
    mismatches = []
    for role in ROLES:
        for kind in KINDS:
            listing = listed(world, kind, state=state, title=f"{TITLE}-{action}-{role}-{kind}")
            before = listing_snapshot(listing)
            response = client_for(world.users[role]).post(f"/api/listings/{listing.pk}/{part}/", body(), format=fmt)
            want = expected(role, kind, allowed, ok)
            if response.status_code != want:
                mismatches.append((role, kind, response.status_code, want, response.content.decode()[:200]))
                continue
            if want == ok:
                continue
            assert listing_snapshot(listing) == before, (role, kind)
            assert_tells_nothing(response, listing)
            if want == 404:
                assert response.json()["code"] == "not_found"
            else:
                assert response.json()["code"] in {"forbidden_role", "out_of_scope"}, response.json()
    assert mismatches == []


# Listing a hazard: own (district level), foreign (district level, district B), sensitive (city level).
CREATE = {
    "own": ("school_a1", False, "district", "officer_a"),
    "foreign": ("school_b1", False, "district", None),
    "sensitive": ("school_a1", True, "city", "city_admin"),
}


def create_body(world, hazard, level):
    listed_on = timezone.localdate()
    officer = world.officer_a if level == "district" else world.city_admin
    return {
        "hazard": hazard.pk,
        "level": level,
        "decision_number": "常教督〔2026〕矩阵号",
        "listed_on": listed_on.isoformat(),
        "required_by": (listed_on + timedelta(days=30)).isoformat(),
        "measures": "拆除重建",
        "responsible_person": "李校长",
        "funding": "专项经费",
        "contingency_plan": "封闭区域",
        "supervising_officer": officer.pk,
    }


def test_listing_a_hazard_answers_every_role_on_own_foreign_and_sensitive_hazards(world):
    mismatches = []
    for role in ROLES:
        for kind, (school, sensitive, level, allowed) in CREATE.items():
            hazard = make_hazard(
                world,
                state="assigned",
                major=True,
                sensitive=sensitive,
                school=school,
                title=f"{TITLE}-挂牌-{role}-{kind}",
            )
            before, count = snapshot(hazard), Listing.objects.count()
            response = client_for(world.users[role]).post(
                "/api/listings/", create_body(world, hazard, level), format="json"
            )
            # A hazard the user may not see is an invalid choice (as reporting at a foreign school is).
            want = 400 if kind not in VISIBLE[role] else 201 if role == allowed else 403
            if response.status_code != want:
                mismatches.append((role, kind, response.status_code, want, response.content.decode()[:200]))
                continue
            if want == 201:
                assert Listing.objects.filter(hazard=hazard, level=level).count() == 1
                continue
            assert snapshot(hazard) == before and Listing.objects.count() == count, (role, kind)
            assert hazard.title not in response.content.decode()
            assert set(response.json()) == {"code", "message", "fields"}
            if want == 400:
                assert set(response.json()["fields"]) == {"hazard"}
    assert mismatches == []


READS = ["", "progress-reports/", "reminders/"]


@pytest.mark.parametrize("part", READS)
def test_each_listing_read_shows_a_listing_exactly_to_those_who_may_see_it(world, part):
    listings = {kind: listed(world, kind, title=f"{TITLE}-只读-{kind}") for kind in KINDS}
    mismatches = []
    for role in ROLES:
        client = client_for(world.users[role])
        for kind, listing in listings.items():
            response = client.get(f"/api/listings/{listing.pk}/{part}")
            want = 200 if kind in VISIBLE[role] else 404
            if response.status_code != want:
                mismatches.append((role, kind, response.status_code, want))
            elif want == 404:
                assert_tells_nothing(response, listing)
            elif part == "":
                assert response.json()["decision_number"] == listing.decision_number
    assert mismatches == []


def test_the_listings_ledger_lists_only_what_each_role_may_see(world):
    listings = {kind: listed(world, kind, title=f"{TITLE}-台账-{kind}") for kind in KINDS}
    for role in ROLES:
        response = client_for(world.users[role]).get("/api/listings/")
        assert response.status_code == 200
        assert {row["id"] for row in response.json()["results"]} == {listings[k].pk for k in VISIBLE[role]}, role


def test_progress_reports_and_reminders_are_read_only(world):
    listing = listed(world, "own")
    counts = (ListingProgressReport.objects.count(), ListingReminder.objects.count())
    client = client_for(world.city_admin)
    for part in ("progress-reports", "reminders"):
        for method in ("post", "put", "patch", "delete"):
            response = getattr(client, method)(f"/api/listings/{listing.pk}/{part}/", {}, format="json")
            assert response.status_code == 405, (part, method)
            assert response.json()["code"] == "method_not_allowed"
    assert (ListingProgressReport.objects.count(), ListingReminder.objects.count()) == counts
