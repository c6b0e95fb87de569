"""The listing, campaign, inspection and return endpoints answer every error in the one shape
{code, message (Chinese), fields}, with the status the code implies."""

import re

import pytest
from rest_framework.test import APIClient

from tests.api.builders import listed
from tests.api.conftest import client_for
from tests.factories import make_campaign

ENDPOINTS = [
    ("get", "/api/listings/"),
    ("post", "/api/listings/"),
    ("get", "/api/listings/1/"),
    ("post", "/api/listings/1/progress/"),
    ("post", "/api/listings/1/remind/"),
    ("post", "/api/listings/1/delist/"),
    ("get", "/api/listings/1/progress-reports/"),
    ("get", "/api/listings/1/reminders/"),
    ("get", "/api/campaigns/"),
    ("get", "/api/campaigns/1/"),
    ("get", "/api/inspections/"),
    ("post", "/api/inspections/"),
    ("get", "/api/inspections/1/"),
    ("post", "/api/inspections/1/record/"),
    ("get", "/api/school-returns/"),
    ("get", "/api/school-returns/1/"),
    ("post", "/api/school-returns/1/submit/"),
    ("post", "/api/school-returns/1/confirm/"),
]
CHINESE = re.compile(r"[\u4e00-\u9fff]")


def assert_shape(response, status, code=None):
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"code", "message", "fields"}
    assert CHINESE.search(body["message"])
    if code:
        assert body["code"] == code


@pytest.mark.parametrize(("method", "url"), ENDPOINTS)
def test_without_credentials_each_new_endpoint_answers_401_in_the_error_shape(db, method, url):
    assert_shape(getattr(APIClient(), method)(url, {}, format="json"), 401, "not_authenticated")


@pytest.mark.parametrize(("method", "url"), [(m, u.replace("/1/", "/999999/")) for m, u in ENDPOINTS if "/1/" in u])
def test_an_unknown_object_is_404_in_the_error_shape(world, method, url):
    assert_shape(getattr(client_for(world.city_admin), method)(url, {}, format="json"), 404, "not_found")


def test_a_bad_filter_names_the_field(world):
    client = client_for(world.city_admin)
    for url, field in (
        ("/api/listings/?state=gone", "state"),
        ("/api/inspections/?kind=spy", "kind"),
        ("/api/school-returns/?campaign=abc", "campaign"),
        ("/api/listings/?district=-1", "district"),
    ):
        response = client.get(url)
        assert_shape(response, 400, "invalid")
        assert field in response.json()["fields"], url


def test_a_refusal_from_a_listing_service_keeps_its_code_and_reason(world):
    listing = listed(world, "own")
    response = client_for(world.officer_a).post(
        f"/api/listings/{listing.pk}/delist/",
        {"decision_number": "x", "reason": "y", "delisted_on": "2026-01-01"},
        format="json",
    )
    assert_shape(response, 409, "not_verified")
    assert "验收销号" in response.json()["message"]


def test_a_malformed_body_on_an_inspection_is_a_400_in_the_error_shape(world):
    campaign = make_campaign(world)
    response = client_for(world.supervisor_a).post(
        "/api/inspections/",
        {"campaign": campaign.pk, "school": "A1", "kind": "visit", "results": [{"item": 0}]},
        format="json",
    )
    assert_shape(response, 400, "invalid")
    assert {"school", "kind", "results"} <= set(response.json()["fields"])


def test_an_unparseable_body_is_a_400_in_the_error_shape(world):
    listing = listed(world, "own")
    response = client_for(world.officer_a).generic(
        "POST", f"/api/listings/{listing.pk}/remind/", "{not json", content_type="application/json"
    )
    assert_shape(response, 400, "parse_error")
