"""The school's return (附件1): the school fills and submits, its police station confirms; counts from the ledger."""

from datetime import timedelta

import pytest
from django.utils import timezone

from casework import errors
from casework.errors import TransitionRefused
from casework.models import HazardState, SchoolReturn
from casework.selectors.campaigns import return_hazard_counts, school_hazard_counts
from casework.selectors.ledger import LedgerFilters, ledger_for
from casework.services import campaigns as svc
from tests.factories import FULL_POLICE_PART, FULL_SCHOOL_PART, Clock, make_campaign, make_hazard


def submitted_return(world, campaign=None, school="school_a1", staff="staff_a1"):
    campaign = campaign or make_campaign(world)
    ret = svc.return_start(actor=world.users[staff], campaign_id=campaign.pk, school_id=world.units[school].pk)
    return svc.return_submit(actor=world.users[staff], return_id=ret.pk, fields=FULL_SCHOOL_PART)


def row(ret) -> tuple:
    return (SchoolReturn.objects.filter(pk=ret.pk).values().get(), ret.history.count())


def test_the_school_fills_and_submits_and_its_own_station_confirms_and_both_sign(world):
    ret = submitted_return(world)
    assert ret.status == "submitted" and ret.principal_name == "张校长"
    assert ret.filled_on == timezone.localdate()
    svc.return_confirm(actor=world.police_a1, return_id=ret.pk, fields=FULL_POLICE_PART)
    ret.refresh_from_db()
    assert ret.status == "confirmed"
    assert (ret.principal_name, ret.police_chief_name) == ("张校长", "李所长")
    assert ret.police_station == world.station_a1 and ret.confirmed_by == world.police_a1
    assert [h.history_change_reason for h in ret.history.order_by("history_date")] == [
        "return_start",
        "return_submit",
        "return_confirm",
    ]
    assert ret.get_panic_button_dormitory_display() == "/"


@pytest.mark.parametrize("police", ["police_a2", "police_b1"])
def test_a_return_cannot_be_confirmed_by_a_police_station_that_is_not_the_schools(world, police):
    ret = submitted_return(world)
    before = row(ret)
    with pytest.raises(TransitionRefused, match="不属于您所在的派出所") as refused:
        svc.return_confirm(actor=world.users[police], return_id=ret.pk, fields=FULL_POLICE_PART)
    assert refused.value.code == errors.OUT_OF_SCOPE
    assert row(ret) == before


@pytest.mark.parametrize("actor", ["staff_a1", "officer_a", "city_admin", "auditor"])
def test_only_a_police_station_confirms(world, actor):
    ret = submitted_return(world)
    before = row(ret)
    with pytest.raises(TransitionRefused) as refused:
        svc.return_confirm(actor=world.users[actor], return_id=ret.pk, fields=FULL_POLICE_PART)
    assert refused.value.code == errors.FORBIDDEN_ROLE
    assert row(ret) == before


def test_the_police_station_cannot_confirm_a_draft_nor_leave_its_part_unsigned(world):
    campaign = make_campaign(world)
    draft = svc.return_start(actor=world.staff_a1, campaign_id=campaign.pk, school_id=world.school_a1.pk)
    with pytest.raises(TransitionRefused) as refused:
        svc.return_confirm(actor=world.police_a1, return_id=draft.pk, fields=FULL_POLICE_PART)
    assert refused.value.code == errors.WRONG_STATE
    ret = svc.return_submit(actor=world.staff_a1, return_id=draft.pk, fields=FULL_SCHOOL_PART)
    with pytest.raises(TransitionRefused) as refused:
        svc.return_confirm(
            actor=world.police_a1, return_id=ret.pk, fields={**FULL_POLICE_PART, "police_chief_name": ""}
        )
    assert refused.value.code == errors.MISSING_FIELD and "police_chief_name" in refused.value.fields


def test_a_school_cannot_submit_with_fields_missing_and_is_told_which(world):
    campaign = make_campaign(world)
    ret = svc.return_start(actor=world.staff_a1, campaign_id=campaign.pk, school_id=world.school_a1.pk)
    partial = {k: v for k, v in FULL_SCHOOL_PART.items() if k not in ("camera_count", "principal_name")}
    with pytest.raises(TransitionRefused, match="视频探头数量") as refused:
        svc.return_submit(actor=world.staff_a1, return_id=ret.pk, fields=partial)
    assert set(refused.value.fields) == {"camera_count", "principal_name"}
    ret.refresh_from_db()
    assert ret.status == "draft" and ret.camera_count is None


@pytest.mark.parametrize(
    "fields, name",
    [
        ({"guards_count": 2, "certified_guards_count": 3}, "certified_guards_count"),
        ({"camera_count": -1}, "camera_count"),
        ({"panic_button_gate": "na"}, "panic_button_gate"),  # "/" only where there are no dormitories
        ({"task_force_established": "maybe"}, "task_force_established"),
    ],
)
def test_inconsistent_or_invalid_answers_are_refused(world, fields, name):
    campaign = make_campaign(world)
    ret = svc.return_start(actor=world.staff_a1, campaign_id=campaign.pk, school_id=world.school_a1.pk)
    with pytest.raises(TransitionRefused) as refused:
        svc.return_save(actor=world.staff_a1, return_id=ret.pk, fields=fields)
    assert name in refused.value.fields


def test_the_school_and_the_station_each_write_only_their_own_part(world):
    campaign = make_campaign(world)
    ret = svc.return_start(actor=world.staff_a1, campaign_id=campaign.pk, school_id=world.school_a1.pk)
    with pytest.raises(TransitionRefused) as refused:
        svc.return_save(actor=world.staff_a1, return_id=ret.pk, fields={"sensitive_notes": "x"})
    assert refused.value.code == errors.FORBIDDEN_ROLE
    ret = svc.return_submit(actor=world.staff_a1, return_id=ret.pk, fields=FULL_SCHOOL_PART)
    with pytest.raises(TransitionRefused):
        svc.return_confirm(actor=world.police_a1, return_id=ret.pk, fields={**FULL_POLICE_PART, "camera_count": 1})
    with pytest.raises(TransitionRefused) as refused:
        svc.return_save(actor=world.staff_a1, return_id=ret.pk, fields={"camera_count": 1})
    assert refused.value.code == errors.WRONG_STATE


@pytest.mark.parametrize(
    "actor, code",
    [
        ("staff_a2", errors.OUT_OF_SCOPE),
        ("police_a1", errors.FORBIDDEN_ROLE),
        ("officer_a", errors.FORBIDDEN_ROLE),
        ("auditor", errors.FORBIDDEN_ROLE),
    ],
)
def test_only_the_schools_own_staff_open_and_fill_its_return(world, actor, code):
    campaign = make_campaign(world)
    with pytest.raises(TransitionRefused) as refused:
        svc.return_start(actor=world.users[actor], campaign_id=campaign.pk, school_id=world.school_a1.pk)
    assert refused.value.code == code
    assert not SchoolReturn.objects.exists()


def test_the_station_can_send_a_return_back_to_the_school_with_a_reason(world):
    ret = submitted_return(world)
    svc.return_send_back(actor=world.police_a1, return_id=ret.pk, reason="保安员人数与实际不符")
    ret.refresh_from_db()
    assert ret.status == "draft"
    svc.return_save(actor=world.staff_a1, return_id=ret.pk, fields={"guards_count": 5})


def test_a_returns_hazard_counts_equal_the_ledgers(world):
    campaign = make_campaign(world)
    clock = Clock(timezone.now() - timedelta(days=20))
    for state in ("reported", "assigned", "rectified", "verified", "verified", "closed_invalid", "escalated"):
        make_hazard(world, state=state, clock=clock)
    make_hazard(world, state="verified", school="school_a2", clock=clock)
    make_hazard(world, state="assigned", sensitive=True, clock=clock)
    ret = submitted_return(world, campaign)

    ledger = ledger_for(world.staff_a1, LedgerFilters(school=world.school_a1.pk))
    counted = ledger.exclude(state=HazardState.CLOSED_INVALID)
    school_side = return_hazard_counts(world.staff_a1, ret)
    assert school_side.total == counted.count() == 6
    assert school_side.rectified == counted.filter(state=HazardState.VERIFIED).count() == 2
    assert school_side.unrectified == counted.exclude(state=HazardState.VERIFIED).count() == 4
    assert school_side.pending_verification == counted.filter(state=HazardState.RECTIFIED).count() == 1

    # The police side's copy counts the sensitive hazard too; its ledger shows it.
    police_side = return_hazard_counts(world.police_a1, ret)
    police_ledger = ledger_for(world.police_a1, LedgerFilters(school=world.school_a1.pk)).exclude(
        state=HazardState.CLOSED_INVALID
    )
    assert police_side.total == police_ledger.count() == 7


def test_the_counts_are_as_of_the_statistics_cut_off_not_today(world):
    today = timezone.localdate()
    campaign = make_campaign(world, starts_on=today - timedelta(days=30), ends_on=today - timedelta(days=5))
    clock = Clock(timezone.now() - timedelta(days=20))
    hazard = make_hazard(world, state="rectified", clock=clock)
    make_hazard(world, state="reported", clock=Clock(timezone.now() - timedelta(days=2)))  # after the cut-off
    make_hazard(world, state="reported", clock=Clock(timezone.now() - timedelta(days=40)))  # before the period
    from casework.services import transitions as t

    t.hazard_verify(hazard_id=hazard.pk, actor=world.supervisor_a, result="整改到位", occurred_at=timezone.now())
    counts = school_hazard_counts(campaign, world.school_a1)
    assert (counts.total, counts.rectified, counts.pending_verification) == (1, 0, 1)


def test_the_return_page_shows_computed_counts_and_keeps_sensitive_notes_off_the_school_side(world, client):
    campaign = make_campaign(world)
    make_hazard(world, state="assigned")
    ret = submitted_return(world, campaign)
    svc.return_confirm(
        actor=world.police_a1, return_id=ret.pk, fields={**FULL_POLICE_PART, "sensitive_notes": "涉校矛盾人员王某线索"}
    )
    client.force_login(world.staff_a1)
    page = client.get(ret.get_absolute_url()).content.decode()
    assert 'data-testid="count-total">1<' in page
    assert "涉校矛盾人员王某线索" not in page
    client.force_login(world.police_a1)
    assert "涉校矛盾人员王某线索" in client.get(ret.get_absolute_url()).content.decode()
    client.force_login(world.staff_a2)
    assert client.get(ret.get_absolute_url()).status_code == 404
    client.force_login(world.police_a2)
    assert client.get(ret.get_absolute_url()).status_code == 404


def test_the_school_fills_and_submits_and_the_station_confirms_through_the_pages(world, client):
    campaign = make_campaign(world)
    client.force_login(world.staff_a1)
    response = client.post(f"/campaigns/{campaign.pk}/returns/open/", {"school": world.school_a1.pk})
    ret = SchoolReturn.objects.get()
    assert response["Location"] == ret.get_absolute_url()
    data = {k: ("" if v is None else v) for k, v in FULL_SCHOOL_PART.items()}
    response = client.post(ret.get_absolute_url(), {**data, "filled_on": "", "action": "submit"})
    assert response.status_code == 302
    ret.refresh_from_db()
    assert ret.status == "submitted"
    client.force_login(world.police_a2)
    assert client.post(ret.get_absolute_url(), {**FULL_POLICE_PART, "action": "confirm"}).status_code == 404
    client.force_login(world.police_a1)
    response = client.post(ret.get_absolute_url(), {**FULL_POLICE_PART, "action": "confirm"})
    assert response.status_code == 302
    ret.refresh_from_db()
    assert ret.status == "confirmed"
