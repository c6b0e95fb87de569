"""The campaign and return pages link to the 附件1/附件2 downloads; the statistics page shows listed cases."""

from datetime import timedelta

from django.utils import timezone

from casework.services import campaigns as campaign_svc
from tests.factories import FULL_SCHOOL_PART, Clock, make_campaign, make_hazard, make_listing


def page(client, user, url):
    client.force_login(user)
    response = client.get(url)
    return response.status_code, response.content.decode()


def school_return(world, campaign):
    ret = campaign_svc.return_start(actor=world.staff_a1, campaign_id=campaign.pk, school_id=world.school_a1.pk)
    return campaign_svc.return_submit(actor=world.staff_a1, return_id=ret.pk, fields=FULL_SCHOOL_PART)


def test_the_campaign_page_links_the_report_downloads_and_statistics_for_the_campaign(client, world):
    campaign = make_campaign(world)
    status, body = page(client, world.officer_a, campaign.get_absolute_url())
    assert status == 200
    assert f"/reports/?campaign={campaign.pk}" in body and 'data-testid="report-downloads"' in body
    assert f"/reports/statistics/?campaign={campaign.pk}" in body
    # The link leads to the campaign's report page.
    status, body = page(client, world.officer_a, f"/reports/?campaign={campaign.pk}")
    assert status == 200 and campaign.name in body


def test_roles_that_draw_up_no_reports_get_no_report_links(client, world):
    campaign = make_campaign(world)
    status, body = page(client, world.party_a, campaign.get_absolute_url())
    assert status == 200, "the party committee sees the campaign"
    assert 'data-testid="report-downloads"' not in body and "/reports/?campaign=" not in body
    status, body = page(client, world.officer_a, campaign.get_absolute_url())
    assert 'data-testid="report-downloads"' in body


def test_the_return_list_links_the_report_downloads(client, world):
    campaign = make_campaign(world)
    status, body = page(client, world.officer_a, f"/campaigns/{campaign.pk}/returns/")
    assert status == 200
    assert f"/reports/?campaign={campaign.pk}" in body


def test_the_return_page_links_the_schools_own_form_and_the_download_works(client, world):
    campaign = make_campaign(world)
    ret = school_return(world, campaign)
    status, body = page(client, world.staff_a1, ret.get_absolute_url())
    assert status == 200
    assert 'data-testid="school-report-pdf"' in body and 'data-testid="school-report-xlsx"' in body
    assert f"unit={world.school_a1.pk}" in body and "form=school" in body
    assert 'data-testid="district-report-pdf"' not in body  # the school does not render the district form
    url = body.split('data-testid="school-report-xlsx"')[0].rsplit('href="', 1)[1].split('"')[0].replace("&amp;", "&")
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    # The district officer sees both forms for the return's school and district.
    status, body = page(client, world.officer_a, ret.get_absolute_url())
    assert 'data-testid="school-report-pdf"' in body and 'data-testid="district-report-pdf"' in body
    # A foreign school's staff still gets nothing.
    assert page(client, world.staff_a2, ret.get_absolute_url())[0] == 404


def listed_cases(world):
    """An active district listing past its required date, an active city listing, and a sensitive one."""
    clock = Clock(timezone.now() - timedelta(days=50))
    late = make_hazard(world, state="assigned", major=True, clock=clock, title="超期挂牌隐患")
    listed_on = timezone.localdate(clock.now)
    make_listing(world, late, clock=clock, listed_on=listed_on, required_by=listed_on + timedelta(days=5))
    clock = Clock()
    city = make_hazard(world, state="assigned", major=True, clock=clock, school="school_a2")
    make_listing(world, city, level="city", clock=clock)
    clock = Clock()
    secret = make_hazard(world, state="assigned", major=True, sensitive=True, clock=clock, title="涉密挂牌隐患")
    make_listing(world, secret, level="city", clock=clock)


def figures(body, testid):
    import re

    return [int(n) for n in re.findall(rf'data-testid="{testid}">(\d+)<', body)]


def test_the_statistics_page_shows_the_listed_cases_by_level_and_the_overdue_ones(client, world):
    campaign = make_campaign(world)
    listed_cases(world)
    status, body = page(client, world.city_admin, f"/reports/statistics/?campaign={campaign.pk}&side=education")
    assert status == 200
    assert 'data-testid="listed-cases"' in body
    assert figures(body, "listed-level") == [1, 1]  # district, city; the sensitive one is not on this side
    assert figures(body, "listed-active") == [2] and figures(body, "listed-overdue") == [1]
    assert "超期挂牌隐患" in body and "/listings/?overdue=1" in body and "涉密挂牌隐患" not in body
    status, body = page(client, world.city_admin, f"/reports/statistics/?campaign={campaign.pk}&side=police")
    assert figures(body, "listed-active") == [3]


def test_the_district_sees_only_its_own_listed_cases_on_the_statistics_page(client, world):
    campaign = make_campaign(world)
    listed_cases(world)
    status, body = page(client, world.officer_b, f"/reports/statistics/?campaign={campaign.pk}")
    assert status == 200
    assert figures(body, "listed-active") == [0] and "超期挂牌隐患" not in body
