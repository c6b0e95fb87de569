"""Listed supervision (挂牌督办) on the hazard page, the role home page and the ledger's ``listed=1`` filter."""

from django.urls import reverse
from django.utils import timezone

from casework.selectors.ledger import LedgerFilters, ledger_for
from casework.services import listings as listing_svc
from casework.services import transitions as svc
from tests.factories import Clock, make_hazard, make_listing, photo


def hazard_page(client, user, hazard):
    client.force_login(user)
    return client.get(hazard.get_absolute_url())


def delisted_hazard(world):
    """A major hazard that was listed, fixed, verified and delisted: its listing is no longer active."""
    clock = Clock()
    hazard = make_hazard(world, state="assigned", major=True, clock=clock, title="已摘牌隐患")
    listing = make_listing(world, hazard, clock=clock)
    svc.hazard_report_rectified(
        hazard_id=hazard.pk, actor=world.staff_a1, description="已完成", evidence=[photo()], occurred_at=clock()
    )
    svc.hazard_verify(hazard_id=hazard.pk, actor=world.supervisor_a, result="合格", occurred_at=clock())
    listing_svc.listing_delist(
        listing_id=listing.pk,
        actor=world.officer_a,
        occurred_at=timezone.now(),
        decision_number="常教督〔2026〕99号",
        delisted_on=timezone.localdate(),
        reason="验收合格",
    )
    return hazard


def test_the_hazard_page_links_the_listings_of_the_hazard(client, world):
    clock = Clock()
    hazard = make_hazard(world, state="assigned", major=True, clock=clock)
    listing = make_listing(world, hazard, clock=clock)
    page = hazard_page(client, world.staff_a1, hazard).content.decode()
    assert 'data-testid="listings"' in page
    assert listing.get_absolute_url() in page and listing.decision_number in page
    assert 'data-testid="list-hazard"' not in page  # the school does not list


def test_the_district_officer_gets_the_listing_button_for_an_open_major_hazard(client, world):
    hazard = make_hazard(world, state="assigned", major=True)
    page = hazard_page(client, world.officer_a, hazard).content.decode()
    assert f"/listings/new/?hazard={hazard.pk}" in page and "挂牌督办" in page


def test_the_button_leads_to_the_listing_form_with_the_hazard_chosen(client, world):
    hazard = make_hazard(world, state="assigned", major=True)
    client.force_login(world.officer_a)
    response = client.get(f"/listings/new/?hazard={hazard.pk}")
    assert response.status_code == 200
    assert f'value="{hazard.pk}" selected' in response.content.decode()


def test_no_listing_button_for_a_general_hazard_the_wrong_role_or_the_foreign_district(client, world):
    general = make_hazard(world, state="assigned")
    assert 'data-testid="list-hazard"' not in hazard_page(client, world.officer_a, general).content.decode()
    major = make_hazard(world, state="assigned", major=True)
    for user in (world.staff_a1, world.supervisor_a, world.auditor, world.party_a):
        assert 'data-testid="list-hazard"' not in hazard_page(client, user, major).content.decode(), user
    assert hazard_page(client, world.officer_b, major).status_code == 404


def test_no_button_once_the_only_level_the_user_may_list_is_taken(client, world):
    clock = Clock()
    hazard = make_hazard(world, state="assigned", major=True, clock=clock)
    make_listing(world, hazard, clock=clock)
    assert 'data-testid="list-hazard"' not in hazard_page(client, world.officer_a, hazard).content.decode()
    # The city may still list it at its own level.
    assert 'data-testid="list-hazard"' in hazard_page(client, world.city_admin, hazard).content.decode()


def test_the_ledger_filter_listed_keeps_only_hazards_with_an_active_listing(client, world):
    clock = Clock()
    listed = make_hazard(world, state="assigned", major=True, clock=clock, title="挂牌中的隐患")
    make_listing(world, listed, clock=clock)
    make_listing(world, listed, level="city", clock=clock)  # two listings: still one row
    make_hazard(world, state="assigned", major=True, title="未挂牌的隐患")
    delisted_hazard(world)
    ids = list(ledger_for(world.officer_a, LedgerFilters(listed=True)).values_list("pk", flat=True))
    assert ids == [listed.pk]
    assert ledger_for(world.officer_a, LedgerFilters()).count() == 3
    client.force_login(world.officer_a)
    page = client.get(reverse("casework:ledger"), {"listed": "1"}).content.decode()
    assert 'data-testid="ledger-count">1<' in page
    assert "挂牌中的隐患" in page and "未挂牌的隐患" not in page and "已摘牌隐患" not in page
    assert ledger_for(world.officer_b, LedgerFilters(listed=True)).count() == 0


def test_the_ledger_export_names_the_listed_filter(client, world):
    from casework.selectors.ledger_export import describe_filters

    assert ("挂牌督办", "仅挂牌督办中") in describe_filters(LedgerFilters(listed=True))
    assert all(label != "挂牌督办" for label, _ in describe_filters(LedgerFilters()))


def test_the_home_page_counts_the_listed_cases_in_scope(client, world):
    clock = Clock()
    listed = make_hazard(world, state="assigned", major=True, clock=clock)
    make_listing(world, listed, clock=clock)
    delisted_hazard(world)
    for user, expected in ((world.officer_a, 1), (world.staff_a1, 1), (world.staff_a2, 0), (world.officer_b, 0)):
        client.force_login(user)
        page = client.get(reverse("workflows:home")).content.decode()
        assert f'data-testid="count-listed"><span class="n">{expected}<' in page, user
        assert "?listed=1" in page


def test_the_api_ledger_takes_the_same_listed_filter(client, world):
    clock = Clock()
    listed = make_hazard(world, state="assigned", major=True, clock=clock)
    make_listing(world, listed, clock=clock)
    make_hazard(world, state="assigned", major=True)
    from tests.api.conftest import client_for

    api = client_for(world.officer_a)
    everything = api.get("/api/hazards/").json()
    only_listed = api.get("/api/hazards/", {"listed": "true"}).json()
    assert len(everything["results"]) == 2
    assert [row["id"] for row in only_listed["results"]] == [listed.pk]
