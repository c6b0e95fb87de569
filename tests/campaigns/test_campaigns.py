"""Campaigns: the city administrator opens them; progress per district and school, late returns marked; the demo."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from casework import errors
from casework.access import campaigns_visible_to
from casework.errors import TransitionRefused
from casework.models import Campaign, CampaignPhase, Inspection
from casework.selectors.campaigns import campaign_progress, current_phase
from casework.services import campaigns as svc
from tests.factories import FULL_SCHOOL_PART, checklist_item, make_campaign

SEED_004_PHASES = [
    svc.PhaseInput("动员部署阶段", date(2019, 4, 30)),
    svc.PhaseInput("隐患排查阶段", date(2019, 5, 31)),
    svc.PhaseInput("整改落实阶段", date(2019, 7, 31)),
    svc.PhaseInput("总结巩固阶段", date(2019, 9, 30)),
]


def create(world, actor="city_admin", **overrides):
    values = dict(
        name="全市学校安全风险隐患专项整治",
        issuing_document="全市学校安全风险隐患专项整治工作方案",
        starts_on=date(2019, 4, 1),
        ends_on=date(2019, 9, 30),
        phases=SEED_004_PHASES,
    )
    return svc.campaign_create(actor=world.users[actor], **{**values, **overrides})


def test_the_city_administrator_opens_a_campaign_with_its_phases_and_dates(world):
    campaign = create(world, statistics_cutoff=date(2019, 7, 31), report_due=date(2019, 8, 7))
    assert campaign.city == world.city
    assert [(p.name, p.due_date) for p in campaign.phases.all()] == [(p.name, p.due_date) for p in SEED_004_PHASES]
    assert campaign.checklist_categories.count() == 9  # every active category by default
    assert {h.history_user for h in campaign.history.all()} == {world.city_admin}
    assert current_phase(campaign, date(2019, 5, 10)).name == "隐患排查阶段"
    assert current_phase(campaign, date(2019, 10, 1)) is None


@pytest.mark.parametrize("actor", ["officer_a", "supervisor_city", "staff_a1", "police_a1", "auditor"])
def test_no_one_else_opens_a_campaign(world, actor):
    with pytest.raises(TransitionRefused) as refused:
        create(world, actor=actor)
    assert refused.value.code == errors.FORBIDDEN_ROLE
    assert not Campaign.objects.exists() and not CampaignPhase.objects.exists()


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"ends_on": date(2019, 3, 1)}, "ends_on"),
        (
            {
                "phases": [
                    svc.PhaseInput("隐患排查阶段", date(2019, 5, 31)),
                    svc.PhaseInput("动员部署阶段", date(2019, 4, 30)),
                ]
            },
            "phase_2_due",
        ),
        ({"phases": [svc.PhaseInput("动员部署阶段", None)]}, "phase_1_due"),
        ({"statistics_cutoff": date(2019, 8, 7), "report_due": date(2019, 7, 31)}, "report_due"),
        ({"name": " "}, "name"),
    ],
)
def test_inconsistent_dates_or_missing_names_are_refused(world, overrides, field):
    with pytest.raises(TransitionRefused) as refused:
        create(world, **overrides)
    assert field in refused.value.fields
    assert not Campaign.objects.exists()


def test_campaigns_are_seen_within_their_city_only(world):
    from tests.factories import OrgUnitFactory, member

    campaign = create(world)
    other_admin = member("wuxi_admin", "city_admin", OrgUnitFactory(name="无锡市", kind="city"))
    assert campaigns_visible_to(world.staff_a1).filter(pk=campaign.pk).exists()
    assert campaigns_visible_to(world.party_a).filter(pk=campaign.pk).exists()
    assert not campaigns_visible_to(other_admin).filter(pk=campaign.pk).exists()


def test_progress_shows_per_district_and_school_inspections_and_returns_with_late_ones_marked(world):
    today = timezone.localdate()
    campaign = make_campaign(
        world,
        starts_on=today - timedelta(days=40),
        ends_on=today - timedelta(days=10),
        report_due=today - timedelta(days=3),
    )
    svc.inspection_conduct(
        actor=world.staff_a1,
        campaign_id=campaign.pk,
        school_id=world.school_a1.pk,
        kind="self_inspection",
        inspectors="王老师",
        inspected_on=today - timedelta(days=20),
        results=[svc.ResultInput(checklist_item("疏散通道是否畅通").pk, "pass")],
    )
    on_time = svc.return_start(actor=world.staff_a1, campaign_id=campaign.pk, school_id=world.school_a1.pk)
    svc.return_submit(
        actor=world.staff_a1,
        return_id=on_time.pk,
        fields=FULL_SCHOOL_PART,
        occurred_at=timezone.now() - timedelta(days=5),
    )

    city = {d.district.name: d for d in campaign_progress(world.city_admin, campaign)}
    assert set(city) == {"天宁区", "钟楼区"}
    a = {s.school.name: s for s in city["天宁区"].schools}
    assert (a["局前街小学"].inspections, a["局前街小学"].submitted, a["局前街小学"].late) == (1, True, False)
    assert (a["第二十四中学"].inspections, a["第二十四中学"].submitted, a["第二十四中学"].late) == (0, False, True)
    assert (city["天宁区"].inspected, city["天宁区"].submitted, city["天宁区"].confirmed, city["天宁区"].late) == (
        1,
        1,
        0,
        1,
    )

    district = campaign_progress(world.officer_a, campaign)
    assert [d.district.name for d in district] == ["天宁区"]
    school = campaign_progress(world.staff_a2, campaign)
    assert [s.school.name for d in school for s in d.schools] == ["第二十四中学"]


def test_a_return_submitted_after_the_due_date_is_late(world):
    today = timezone.localdate()
    campaign = make_campaign(
        world,
        starts_on=today - timedelta(days=40),
        ends_on=today - timedelta(days=10),
        report_due=today - timedelta(days=3),
    )
    ret = svc.return_start(actor=world.staff_a1, campaign_id=campaign.pk, school_id=world.school_a1.pk)
    ret = svc.return_submit(actor=world.staff_a1, return_id=ret.pk, fields=FULL_SCHOOL_PART)
    assert ret.is_late()


def test_the_campaign_pages_render_for_each_role_and_only_the_city_administrator_may_create(world, client):
    campaign = make_campaign(world)
    for user in (world.city_admin, world.officer_a, world.staff_a1, world.police_a1, world.auditor, world.party_a):
        client.force_login(user)
        assert client.get("/campaigns/").status_code == 200
        page = client.get(campaign.get_absolute_url())
        assert page.status_code == 200 and campaign.name in page.content.decode()
        assert client.get(f"/campaigns/{campaign.pk}/returns/").status_code == 200
        expected = 200 if user == world.city_admin else 404
        assert client.get("/campaigns/new/").status_code == expected
    client.force_login(world.officer_a)
    assert "西横街小学" not in client.get(campaign.get_absolute_url()).content.decode()


def test_the_city_administrator_creates_a_campaign_through_the_page(world, client):
    client.force_login(world.city_admin)
    response = client.post(
        "/campaigns/new/",
        {
            "name": "暑期校园安全排查",
            "issuing_document": "关于开展暑期校园安全排查的通知",
            "starts_on": "2026-07-01",
            "ends_on": "2026-08-31",
            "statistics_cutoff": "2026-08-25",
            "report_due": "2026-08-31",
            "phase_1_name": "排查",
            "phase_1_due": "2026-07-31",
            "phase_2_name": "整改",
            "phase_2_due": "2026-08-31",
        },
    )
    campaign = Campaign.objects.get()
    assert response["Location"] == campaign.get_absolute_url()
    assert [p.name for p in campaign.phases.all()] == ["排查", "整改"]


def test_the_demo_ships_both_seed_campaigns_and_loading_it_twice_adds_nothing(db):
    from casework.demo.campaigns import build_campaigns
    from casework.demo.changzhou import build_organisation

    _city, _accounts, people = build_organisation()
    assert build_campaigns(people) == 2
    campaigns = {c.code: c for c in Campaign.objects.all()}
    risks = campaigns["changzhou-2019-school-safety-risks"]
    assert [(p.name, p.due_date) for p in risks.phases.all()] == [
        ("动员部署阶段", date(2019, 4, 30)),
        ("隐患排查阶段", date(2019, 5, 31)),
        ("整改落实阶段", date(2019, 7, 31)),
        ("总结巩固阶段", date(2019, 9, 30)),
    ]
    surroundings = campaigns["changzhou-2019-school-surroundings"]
    assert (surroundings.statistics_cutoff, surroundings.report_due) == (date(2019, 7, 31), date(2019, 8, 7))
    before = (Campaign.objects.count(), Inspection.objects.count())
    assert build_campaigns(people) == 0
    assert (Campaign.objects.count(), Inspection.objects.count()) == before
