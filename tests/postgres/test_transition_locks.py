"""What a transition locks on PostgreSQL: its hazard's row, not the rows of the school and district it joins."""

import threading

import pytest
from django.db import DatabaseError, connection, transaction

from casework.models import Hazard, OrgUnit
from casework.services import transitions as svc
from tests.factories import Clock, make_hazard, plan

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def while_assigning(world, monkeypatch, hazard, probe):
    """Run ``probe`` on another connection while an assignment holds its locks (inside its check)."""
    inside, done = threading.Event(), threading.Event()
    original = svc.acting_membership

    def held(*args, **kwargs):
        result = original(*args, **kwargs)
        inside.set()
        done.wait(10)
        return result

    monkeypatch.setattr(svc, "acting_membership", held)
    clock_time = Clock()(hours=24 * 29)

    def assign():
        try:
            svc.hazard_assign(hazard_id=hazard.pk, actor=world.officer_a, occurred_at=clock_time, **plan())
        finally:
            connection.close()

    worker = threading.Thread(target=assign)
    worker.start()
    try:
        assert inside.wait(10)
        return probe()
    finally:
        done.set()
        worker.join(30)


def locked_elsewhere(model, pk) -> bool:
    try:
        with transaction.atomic():
            list(model.objects.select_for_update(nowait=True).filter(pk=pk))
    except DatabaseError:
        return True
    return False


def test_an_assignment_locks_its_hazard_but_leaves_its_school_and_district_free(world, monkeypatch):
    hazard = make_hazard(world)
    locks = while_assigning(
        world,
        monkeypatch,
        hazard,
        lambda: (
            locked_elsewhere(Hazard, hazard.pk),
            locked_elsewhere(OrgUnit, hazard.school_id),
            locked_elsewhere(OrgUnit, hazard.district_id),
        ),
    )
    assert locks == (True, False, False)
    assert Hazard.objects.get(pk=hazard.pk).state == "assigned"
