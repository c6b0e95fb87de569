"""Inspections: each failed checklist item becomes exactly one hazard, in the same transaction; who may inspect whom."""

from datetime import timedelta

import pytest
from django.utils import timezone

from casework import errors
from casework.errors import TransitionRefused
from casework.models import Hazard, HazardTransition, Inspection, InspectionResult
from casework.services import campaigns as svc
from notifications.models import Notification
from tests.factories import checklist_item, make_campaign

R = svc.ResultInput


def conduct(world, campaign, *, actor=None, school="school_a1", kind="self_inspection", results=()):
    return svc.inspection_conduct(
        actor=actor or world.staff_a1,
        campaign_id=campaign.pk,
        school_id=world.units[school].pk,
        kind=kind,
        inspectors="安全工作领导小组",
        inspected_on=timezone.localdate(),
        key_places=["laboratory", "canteen"],
        results=list(results),
    )


def counts():
    return (
        Inspection.objects.count(),
        InspectionResult.objects.count(),
        Hazard.objects.count(),
        HazardTransition.objects.count(),
    )


def test_a_failed_item_becomes_exactly_one_reported_hazard_linked_to_its_item_and_inspection(world):
    campaign = make_campaign(world)
    failed = checklist_item("危险源的采购")
    passed = checklist_item("实验室安全责任体系是否健全")
    na = checklist_item("陪餐制度")
    inspection = conduct(
        world,
        campaign,
        results=[
            R(passed.pk, "pass"),
            R(failed.pk, "fail", "危化品使用台帐记录不全", "laboratory"),
            R(na.pk, "not_applicable"),
        ],
    )
    hazards = list(Hazard.objects.filter(inspection=inspection))
    assert len(hazards) == 1
    hazard = hazards[0]
    assert hazard.state == "reported"
    assert hazard.checklist_item == failed
    assert hazard.school == world.school_a1
    assert hazard.category == "lab_chemicals"
    assert hazard.key_place == "laboratory"
    assert hazard.description == "危化品使用台帐记录不全"
    assert hazard.reported_by == world.staff_a1
    assert list(hazard.transitions.values_list("name", flat=True)) == ["report"]
    assert hazard.transitions.get().payload["checklist_item"] == failed.pk
    result = InspectionResult.objects.get(inspection=inspection, item=failed)
    assert result.hazard == hazard
    assert InspectionResult.objects.filter(inspection=inspection, hazard__isnull=True).count() == 2
    assert inspection.status == "recorded" and inspection.recorded_by == world.staff_a1
    assert inspection.history.count() == 2  # planned, recorded


def test_two_failed_items_make_two_hazards_and_a_seed_000_item_takes_its_own_category(world):
    campaign = make_campaign(world)
    bollards = checklist_item("升降柱有无")
    unrest = checklist_item("涉校不稳定因素情况")
    inspection = conduct(
        world,
        campaign,
        actor=world.supervisor_a,
        kind="supervision_inspection",
        results=[
            R(bollards.pk, "fail", "校门口未安装升降柱", "gate"),
            R(unrest.pk, "fail", "家长聚集"),
        ],
    )
    hazards = {h.checklist_item_id: h for h in inspection.hazards.all()}
    assert set(hazards) == {bollards.pk, unrest.pk}
    assert hazards[bollards.pk].category == "security"
    assert hazards[unrest.pk].category == "stability"
    assert hazards[unrest.pk].key_place == "other"  # two places covered, none named for the item


def test_recording_an_inspection_twice_is_refused_and_makes_no_second_hazard(world):
    campaign = make_campaign(world)
    item = checklist_item("疏散通道是否畅通")
    inspection = conduct(world, campaign, results=[R(item.pk, "fail", "通道堆物")])
    before = counts()
    with pytest.raises(TransitionRefused) as refused:
        svc.inspection_record(
            actor=world.staff_a1, inspection_id=inspection.pk, results=[R(item.pk, "fail", "通道堆物")]
        )
    assert refused.value.code == errors.WRONG_STATE
    assert counts() == before
    assert Hazard.objects.filter(checklist_item=item).count() == 1


def test_a_bad_result_rolls_back_the_whole_inspection_and_the_hazards_of_the_other_items(world):
    campaign = make_campaign(world, sources=("seed_004",))
    good = checklist_item("疏散通道是否畅通")
    not_in_campaign = checklist_item("升降柱有无")  # seed 000's form, not used by this campaign
    before = counts()
    with pytest.raises(TransitionRefused) as refused:
        conduct(world, campaign, results=[R(good.pk, "fail", "通道堆物"), R(not_in_campaign.pk, "fail", "无升降柱")])
    assert f"item_{not_in_campaign.pk}" in refused.value.fields
    assert counts() == before


@pytest.mark.parametrize(
    "result, message",
    [
        (lambda item: [R(item.pk, "fail", "  ")], "不合格项请写明存在的问题"),
        (lambda item: [R(item.pk, "maybe")], "无效的检查结果"),
        (lambda item: [R(item.pk, "pass"), R(item.pk, "fail", "x")], "同一条目只能有一个结果"),
        (lambda item: [], None),
    ],
)
def test_a_result_without_a_note_an_unknown_outcome_a_duplicate_or_no_result_is_refused(world, result, message):
    campaign = make_campaign(world)
    item = checklist_item("疏散通道是否畅通")
    before = counts()
    with pytest.raises(TransitionRefused) as refused:
        conduct(world, campaign, results=result(item))
    if message:
        assert message in refused.value.fields[f"item_{item.pk}"]
    assert counts() == before


@pytest.mark.parametrize(
    "actor, school, kind, code",
    [
        ("staff_a1", "school_a2", "self_inspection", errors.OUT_OF_SCOPE),  # another school
        ("staff_a1", "school_a1", "supervision_inspection", errors.FORBIDDEN_ROLE),  # a school does not supervise
        ("officer_a", "school_a1", "unannounced_visit", errors.FORBIDDEN_ROLE),
        ("supervisor_a", "school_b1", "supervision_inspection", errors.OUT_OF_SCOPE),  # another district
        ("police_a1", "school_a1", "self_inspection", errors.FORBIDDEN_ROLE),
        ("party_a", "school_a1", "supervision_inspection", errors.FORBIDDEN_ROLE),
        ("auditor", "school_a1", "supervision_inspection", errors.FORBIDDEN_ROLE),
    ],
)
def test_the_wrong_role_or_a_foreign_school_cannot_inspect(world, actor, school, kind, code):
    campaign = make_campaign(world)
    item = checklist_item("疏散通道是否畅通")
    before = counts()
    with pytest.raises(TransitionRefused) as refused:
        conduct(
            world,
            campaign,
            actor=world.users[actor],
            school=school,
            kind=kind,
            results=[R(item.pk, "fail", "通道堆物")],
        )
    assert refused.value.code == code
    assert counts() == before


@pytest.mark.parametrize(
    "actor, school, kind",
    [
        ("supervisor_city", "school_b1", "unannounced_visit"),
        ("city_admin", "school_a2", "supervision_inspection"),
        ("officer_a", "school_a2", "supervision_inspection"),
        ("staff_b1", "school_b1", "self_inspection"),
    ],
)
def test_the_right_roles_inspect_in_their_scope(world, actor, school, kind):
    campaign = make_campaign(world)
    item = checklist_item("校园视频监控是否实现全覆盖")
    inspection = conduct(
        world, campaign, actor=world.users[actor], school=school, kind=kind, results=[R(item.pk, "fail", "操场无监控")]
    )
    assert inspection.hazards.get().reported_by == world.users[actor]


def test_a_campaign_of_another_city_or_a_future_inspection_date_is_refused(world):
    from tests.factories import OrgUnitFactory

    campaign = make_campaign(world)
    other_city = OrgUnitFactory(name="无锡市", kind="city")
    campaign.city = other_city
    campaign.save()
    with pytest.raises(TransitionRefused) as refused:
        conduct(world, campaign, results=[R(checklist_item("疏散通道是否畅通").pk, "pass")])
    assert refused.value.code == errors.OUT_OF_SCOPE

    campaign.city = world.city
    campaign.save()
    planned = svc.inspection_plan(
        actor=world.supervisor_a,
        campaign_id=campaign.pk,
        school_id=world.school_a1.pk,
        kind="supervision_inspection",
        inspectors="督导组",
        inspected_on=timezone.localdate() + timedelta(days=3),
    )
    with pytest.raises(TransitionRefused) as refused:
        svc.inspection_record(
            actor=world.supervisor_a,
            inspection_id=planned.pk,
            results=[R(checklist_item("疏散通道是否畅通").pk, "pass")],
        )
    assert refused.value.code == errors.INVALID_TIME


def test_the_district_officer_hears_of_each_hazard_an_inspection_found(world):
    campaign = make_campaign(world)
    conduct(
        world,
        campaign,
        results=[
            R(checklist_item("疏散通道是否畅通").pk, "fail", "通道堆物"),
            R(checklist_item("陪餐制度").pk, "fail", "无陪餐记录"),
        ],
    )
    assert Notification.objects.filter(recipient=world.officer_a, event="hazard.report").count() == 2


def test_the_inspection_form_records_results_and_links_the_hazard(world, client):
    campaign = make_campaign(world)
    item = checklist_item("疏散通道是否畅通")
    other = checklist_item("陪餐制度")
    client.force_login(world.staff_a1)
    page = client.get(f"/campaigns/{campaign.pk}/inspections/new/")
    assert page.status_code == 200 and "疏散通道是否畅通" in page.content.decode()
    response = client.post(
        f"/campaigns/{campaign.pk}/inspections/new/",
        {
            "school": world.school_a1.pk,
            "kind": "self_inspection",
            "inspectors": "王老师",
            "inspected_on": timezone.localdate().isoformat(),
            "key_places": ["dormitory"],
            f"outcome_{item.pk}": "fail",
            f"note_{item.pk}": "宿舍楼道堆物",
            f"outcome_{other.pk}": "pass",
            "action": "record",
        },
    )
    inspection = Inspection.objects.get()
    assert response.status_code == 302 and response["Location"] == inspection.get_absolute_url()
    hazard = inspection.hazards.get()
    assert hazard.key_place == "dormitory"
    detail = client.get(inspection.get_absolute_url()).content.decode()
    assert f"/hazards/{hazard.pk}/" in detail


def test_the_inspection_form_is_not_open_to_a_role_that_does_not_inspect(world, client):
    campaign = make_campaign(world)
    client.force_login(world.party_a)
    assert client.get(f"/campaigns/{campaign.pk}/inspections/new/").status_code == 404
    client.force_login(world.auditor)
    assert client.get(f"/campaigns/{campaign.pk}/inspections/new/").status_code == 404
