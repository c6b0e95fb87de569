"""The outbox: notifications and their deliveries are written in the event's transaction, or not at all."""

from datetime import timedelta

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from casework.errors import TransitionRefused
from casework.services import transitions as svc
from notifications.delivery import deliver_pending
from notifications.models import Delivery, DeliveryStatus, Notification
from notifications.services import notify
from tests.factories import make_hazard, plan
from tests.notifications.helpers import choose


class Boom(Exception):
    pass


def test_a_rolled_back_transition_leaves_no_notification_no_delivery_and_sends_nothing(world, clock, sms_gateway):
    choose(world.staff_a1, "sms", "13800000001")
    choose(world.staff_a1, "email", "staff@example.cn")
    hazard = make_hazard(world, clock=clock)
    before = (Notification.objects.count(), Delivery.objects.count())

    with pytest.raises(Boom), transaction.atomic():
        svc.hazard_assign(hazard_id=hazard.pk, actor=world.officer_a, occurred_at=clock(), **plan())
        assert Notification.objects.filter(recipient=world.staff_a1, event="hazard.assign").exists()
        assert Delivery.objects.filter(notification__recipient=world.staff_a1).count() == 2
        raise Boom  # e.g. a later step of the same request fails

    assert (Notification.objects.count(), Delivery.objects.count()) == before
    run = deliver_pending(now=timezone.now() + timedelta(days=1))
    assert run.claimed == 0
    assert sms_gateway.requests == [] and mail.outbox == []


def test_a_refused_transition_queues_nothing(world, clock, sms_gateway):
    choose(world.staff_a1, "sms", "13800000001")
    hazard = make_hazard(world, clock=clock)
    before = (Notification.objects.count(), Delivery.objects.count())
    with pytest.raises(TransitionRefused):
        svc.hazard_assign(hazard_id=hazard.pk, actor=world.officer_b, occurred_at=clock(), **plan())  # foreign district
    with pytest.raises(TransitionRefused):
        svc.hazard_assign(hazard_id=hazard.pk, actor=world.staff_a1, occurred_at=clock(), **plan())  # wrong role
    assert (Notification.objects.count(), Delivery.objects.count()) == before


def test_a_committed_transition_queues_one_pending_delivery_per_chosen_channel(world, clock, sms_gateway):
    choose(world.staff_a1, "sms", "13800000001")
    world.staff_a1.email = "a1@example.cn"
    world.staff_a1.save()
    choose(world.staff_a1, "email", "")  # falls back to the account's e-mail
    hazard = make_hazard(world, clock=clock)
    svc.hazard_assign(hazard_id=hazard.pk, actor=world.officer_a, occurred_at=clock(), **plan())

    note = Notification.objects.get(recipient=world.staff_a1, event="hazard.assign")
    rows = {d.channel: d for d in note.deliveries.all()}
    assert set(rows) == {"sms", "email"}
    assert rows["sms"].address == "13800000001" and rows["email"].address == "a1@example.cn"
    assert {d.status for d in rows.values()} == {DeliveryStatus.PENDING}
    assert rows["sms"].idempotency_key != rows["email"].idempotency_key
    # The officer chose nothing: the in-app inbox only, no delivery rows.
    assert not Delivery.objects.filter(notification__recipient=world.officer_a).exists()


def test_a_channel_the_server_has_not_configured_gets_no_delivery(world, clock, settings, sms_gateway):
    choose(world.staff_a1, "sms", "13800000001")
    settings.SMS_GATEWAY_URL = ""  # switched off after the user chose it
    hazard = make_hazard(world, clock=clock)
    svc.hazard_assign(hazard_id=hazard.pk, actor=world.officer_a, occurred_at=clock(), **plan())
    assert Notification.objects.filter(recipient=world.staff_a1, event="hazard.assign").exists()
    assert not Delivery.objects.exists()


def test_a_dedupe_key_queues_a_notification_and_its_deliveries_once_per_recipient(world, sms_gateway):
    choose(world.staff_a1, "sms", "13800000001")
    first = notify(recipients=[world.staff_a1, world.staff_a1, world.officer_a], event="x", title="t", dedupe_key="k1")
    again = notify(recipients=[world.staff_a1, world.officer_a], event="x", title="t", dedupe_key="k1")
    assert len(first) == 2 and again == []
    assert Notification.objects.filter(dedupe_key="k1").count() == 2
    assert Delivery.objects.filter(notification__dedupe_key="k1").count() == 1
