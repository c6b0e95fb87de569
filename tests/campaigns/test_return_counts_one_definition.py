"""The return page's counts and the 附件1 report's come from one function (casework.reports.asof), so they
agree: a rejected fix is not 待验收, the campaign's last day bounds the count, and the education side's
copy never counts a sensitive hazard, whoever reads it."""

from datetime import timedelta

from django.utils import timezone

from casework.access import ReportSide, hazards_for_report, report_units_for
from casework.reports.layouts import build_report
from casework.selectors.campaigns import campaign_moment, return_hazard_counts, school_hazard_counts
from casework.services import campaigns as campaign_svc
from casework.services import transitions as svc
from tests.factories import FULL_SCHOOL_PART, Clock, make_campaign, make_hazard, photo


def the_return(world, campaign):
    ret = campaign_svc.return_start(actor=world.staff_a1, campaign_id=campaign.pk, school_id=world.school_a1.pk)
    return campaign_svc.return_submit(actor=world.staff_a1, return_id=ret.pk, fields=FULL_SCHOOL_PART)


def report_counts(user, campaign, school, side=ReportSide.EDUCATION) -> dict:
    """The 附件1 report's counts for the school, as the reports page draws it up for ``user``."""
    report = build_report(
        form="school",
        unit=school,
        campaign=campaign,
        moment=campaign_moment(campaign),
        side=side,
        hazards=hazards_for_report(user, side),
        units=report_units_for(user),
    )
    return report.figures["counts"]


def as_dict(counts) -> dict:
    return {"total": counts.total, "rectified": counts.rectified, "unrectified": counts.unrectified}


def test_a_rejected_fix_is_not_pending_verification_and_the_return_agrees_with_the_report(world):
    campaign = make_campaign(world)
    clock = Clock(timezone.now() - timedelta(days=20))
    rejected = make_hazard(world, state="rectified", clock=clock)
    svc.hazard_reject(hazard_id=rejected.pk, actor=world.supervisor_a, reason="未整改到位", occurred_at=clock())
    make_hazard(world, state="rectified", clock=clock)
    make_hazard(world, state="verified", clock=clock)
    ret = the_return(world, campaign)
    counts = return_hazard_counts(world.staff_a1, ret)
    # Before: the rejected fix was still counted 待验收 (a report_rectified record existed).
    assert (counts.total, counts.rectified, counts.pending_verification) == (3, 1, 1)
    assert as_dict(counts) == report_counts(world.officer_a, campaign, world.school_a1)


def test_the_campaigns_last_day_bounds_the_count_even_with_a_later_cut_off(world):
    today = timezone.localdate()
    campaign = make_campaign(
        world,
        starts_on=today - timedelta(days=40),
        ends_on=today - timedelta(days=10),
        statistics_cutoff=today - timedelta(days=1),
        report_due=today + timedelta(days=3),
    )
    make_hazard(world, state="assigned", clock=Clock(timezone.now() - timedelta(days=20)))  # within the period
    make_hazard(world, state="assigned", clock=Clock(timezone.now() - timedelta(days=5)))  # after its last day
    counts = school_hazard_counts(campaign, world.school_a1)
    assert counts.total == 1
    assert as_dict(counts) == report_counts(world.officer_a, campaign, world.school_a1)


def test_the_education_side_return_never_counts_a_sensitive_hazard_even_for_the_city_admin(world, client):
    campaign = make_campaign(world)
    clock = Clock(timezone.now() - timedelta(days=20))
    make_hazard(world, state="assigned", clock=clock)
    make_hazard(world, state="assigned", sensitive=True, clock=clock)
    ret = the_return(world, campaign)
    assert return_hazard_counts(world.city_admin, ret).total == 1
    assert return_hazard_counts(world.auditor, ret).total == 1
    assert return_hazard_counts(world.staff_a1, ret).total == 1
    assert return_hazard_counts(world.police_a1, ret).total == 2  # the police station's copy
    assert report_counts(world.city_admin, campaign, world.school_a1)["total"] == 1
    assert report_counts(world.city_admin, campaign, world.school_a1, ReportSide.POLICE)["total"] == 2
    client.force_login(world.city_admin)
    page = client.get(ret.get_absolute_url()).content.decode()
    assert 'data-testid="count-total">1<' in page and "不含涉密" in page
    client.force_login(world.police_a1)
    page = client.get(ret.get_absolute_url()).content.decode()
    assert 'data-testid="count-total">2<' in page and "含涉密" in page


def test_the_return_page_and_the_school_report_download_show_the_same_figures(world, client):
    campaign = make_campaign(world)
    clock = Clock(timezone.now() - timedelta(days=20))
    for state in ("reported", "assigned", "rectified", "verified", "closed_invalid"):
        make_hazard(world, state=state, clock=clock)
    hazard = make_hazard(world, state="assigned", clock=clock)
    svc.hazard_report_rectified(
        hazard_id=hazard.pk, actor=world.staff_a1, description="已完成", evidence=[photo()], occurred_at=clock()
    )
    ret = the_return(world, campaign)
    client.force_login(world.staff_a1)
    page = client.get(ret.get_absolute_url()).content.decode()
    expected = report_counts(world.staff_a1, campaign, world.school_a1)
    assert expected == {"total": 5, "rectified": 1, "unrectified": 4}
    for key, value in expected.items():
        assert f'data-testid="count-{key}">{value}<' in page
