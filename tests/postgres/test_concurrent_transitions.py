"""Two people acting on one hazard at the same moment, on PostgreSQL's real row locks."""

import threading
import time
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from casework import errors
from casework.errors import TransitionRefused
from casework.models import Role
from casework.services import transitions as svc
from tests.factories import make_hazard, member

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def race(monkeypatch, *calls):
    """Run the calls at once; each holds the hazard's lock a moment so they really overlap."""
    original = svc.acting_membership

    def slow_check(*args, **kwargs):
        result = original(*args, **kwargs)
        time.sleep(0.3)  # inside the transaction, after the row lock: the other caller must wait
        return result

    monkeypatch.setattr(svc, "acting_membership", slow_check)
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def run(i, call):
        barrier.wait()
        try:
            outcomes[i] = ("ok", call())
        except TransitionRefused as refused:
            outcomes[i] = ("refused", refused)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return outcomes


def test_two_supervisors_verifying_at_once_one_succeeds_and_the_other_is_told_why(world, monkeypatch):
    hazard = make_hazard(world, state="rectified")
    now = timezone.now()
    outcomes = race(
        monkeypatch,
        lambda: svc.hazard_verify(hazard_id=hazard.pk, actor=world.supervisor_a, result="到位", occurred_at=now),
        lambda: svc.hazard_verify(hazard_id=hazard.pk, actor=world.supervisor_city, result="到位", occurred_at=now),
    )
    kinds = sorted(kind for kind, _ in outcomes)
    assert kinds == ["ok", "refused"]
    refusal = next(value for kind, value in outcomes if kind == "refused")
    assert refusal.code == errors.WRONG_STATE and "已验收销号" in refusal.message
    assert hazard.transitions.filter(name="verify").count() == 1
    assert hazard.history.filter(state="verified").count() == 1


def test_a_deadline_changed_by_two_officers_at_once_loses_no_update(world, monkeypatch):
    second_officer = member("officer_a_deputy", Role.DISTRICT_OFFICER, world.district_a)
    hazard = make_hazard(world, state="assigned")
    original = hazard.deadline
    first, second = original + timedelta(days=3), original + timedelta(days=7)
    now = timezone.now()
    outcomes = race(
        monkeypatch,
        lambda: svc.hazard_change_deadline(
            hazard_id=hazard.pk, actor=world.officer_a, deadline=first, reason="甲", occurred_at=now
        ),
        lambda: svc.hazard_change_deadline(
            hazard_id=hazard.pk, actor=second_officer, deadline=second, reason="乙", occurred_at=now
        ),
    )
    assert [kind for kind, _ in outcomes] == ["ok", "ok"]
    records = list(hazard.transitions.filter(name="change_deadline").order_by("seq"))
    assert len(records) == 2
    # The later writer saw the earlier one's deadline: neither change was lost.
    assert records[1].payload["previous_deadline"] == records[0].payload["deadline"]
    assert records[0].payload["previous_deadline"] == original.isoformat()
    hazard.refresh_from_db()
    assert hazard.deadline.isoformat() == records[1].payload["deadline"]
    assert hazard.history.count() == 4  # report, assign, two changes
