"""明查暗访: an unannounced visit is invisible to the school (and its station) until its results are recorded."""

from django.utils import timezone

from casework.access import inspections_visible_to
from casework.services import campaigns as svc
from notifications.models import Notification
from tests.factories import checklist_item, make_campaign


def plan_visit(world, campaign, *, actor=None, kind="unannounced_visit"):
    return svc.inspection_plan(
        actor=actor or world.supervisor_city,
        campaign_id=campaign.pk,
        school_id=world.school_a1.pk,
        kind=kind,
        inspectors="市督查组",
        inspected_on=timezone.localdate(),
        key_places=["gate"],
    )


def visible(user, inspection) -> bool:
    return inspections_visible_to(user).filter(pk=inspection.pk).exists()


def test_a_planned_unannounced_visit_is_invisible_to_the_school_until_recorded(world, client):
    campaign = make_campaign(world)
    visit = plan_visit(world, campaign)
    for user in (world.staff_a1, world.police_a1, world.officer_a, world.supervisor_a):
        assert not visible(user, visit), user.username
    for user in (world.supervisor_city, world.city_admin, world.auditor):
        assert visible(user, visit), user.username
    client.force_login(world.staff_a1)
    assert client.get(visit.get_absolute_url()).status_code == 404
    assert "市督查组" not in client.get(campaign.get_absolute_url()).content.decode()
    assert not Notification.objects.filter(recipient=world.staff_a1, event__startswith="inspection").exists()

    svc.inspection_record(
        actor=world.supervisor_city,
        inspection_id=visit.pk,
        results=[svc.ResultInput(checklist_item("门前是否设置硬质防冲撞设施").pk, "fail", "无防冲撞设施")],
    )

    for user in (world.staff_a1, world.police_a1, world.officer_a, world.supervisor_a):
        assert visible(user, visit), user.username
    page = client.get(visit.get_absolute_url())
    assert page.status_code == 200 and "无防冲撞设施" in page.content.decode()
    assert Notification.objects.filter(recipient=world.staff_a1, event="inspection.recorded").exists()


def test_a_district_supervisor_sees_the_unannounced_visit_it_planned_but_the_school_does_not(world):
    campaign = make_campaign(world)
    visit = plan_visit(world, campaign, actor=world.supervisor_a)
    assert visible(world.supervisor_a, visit)
    assert not visible(world.staff_a1, visit)
    assert not visible(world.supervisor_b, visit)


def test_an_announced_supervision_inspection_is_visible_to_the_school_and_announced_to_it(world):
    campaign = make_campaign(world)
    inspection = plan_visit(world, campaign, actor=world.supervisor_a, kind="supervision_inspection")
    assert visible(world.staff_a1, inspection)
    assert Notification.objects.filter(recipient=world.staff_a1, event="inspection.planned").exists()
    assert not visible(world.staff_a2, inspection)
