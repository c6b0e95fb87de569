"""Each role's home page counts, and the task queue / inbox / archive: scoped, taken, released, handed over."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from casework.errors import TransitionRefused
from casework.services import transitions as svc
from tests.factories import Clock, make_hazard
from workflows.models import HazardProcess
from workflows.selectors import task_archive, task_inbox, task_queue
from workflows.services import task_reassign, task_release, task_take
from workflows.sync import open_tasks


def counts(client, user) -> dict:
    client.force_login(user)
    page = client.get(reverse("workflows:home")).content.decode()
    return {name: int(n) for name, n in re.findall(r'data-testid="count-([a-z-]+)"><span class="n">(\d+)</span>', page)}


def task_of(hazard):
    return open_tasks(HazardProcess.objects.get(hazard_id=hazard.pk)).get()


@pytest.fixture
def cases(world):
    """District A: reported, assigned (due in 3 days), rectified, escalated; district B: one reported."""
    return {
        "reported": make_hazard(world, state="reported"),
        "assigned": make_hazard(world, state="assigned", school="school_a2"),
        "rectified": make_hazard(world, state="rectified"),
        "escalated": make_hazard(world, state="escalated"),
        "b_reported": make_hazard(world, state="reported", school="school_b1"),
    }


def test_each_roles_home_page_counts_its_own_tasks_and_deadlines(client, world, cases):
    soon = timezone.localdate() + timedelta(days=3)
    svc.hazard_change_deadline(
        hazard_id=cases["assigned"].pk, actor=world.officer_a, deadline=soon, reason="提前", occurred_at=timezone.now()
    )
    assert counts(client, world.officer_a) == {
        "inbox": 0,
        "queue": 1,
        "overdue": 0,
        "due-soon": 1,
        "escalated": 1,
        "listed": 0,
    }
    assert counts(client, world.officer_b) == {
        "inbox": 0,
        "queue": 1,
        "overdue": 0,
        "due-soon": 0,
        "escalated": 0,
        "listed": 0,
    }
    assert counts(client, world.staff_a1) == {
        "inbox": 0,
        "queue": 0,
        "overdue": 0,
        "due-soon": 0,
        "escalated": 1,
        "listed": 0,
    }
    assert counts(client, world.staff_a2) == {
        "inbox": 0,
        "queue": 1,
        "overdue": 0,
        "due-soon": 1,
        "escalated": 0,
        "listed": 0,
    }
    assert counts(client, world.supervisor_a) == {
        "inbox": 0,
        "queue": 1,
        "overdue": 0,
        "due-soon": 1,
        "escalated": 1,
        "listed": 0,
    }
    assert counts(client, world.supervisor_b)["queue"] == 0
    assert counts(client, world.party_a) == {
        "inbox": 0,
        "queue": 1,
        "overdue": 0,
        "due-soon": 0,
        "escalated": 1,
        "listed": 0,
    }
    assert counts(client, world.party_b) == {
        "inbox": 0,
        "queue": 0,
        "overdue": 0,
        "due-soon": 0,
        "escalated": 0,
        "listed": 0,
    }
    assert counts(client, world.auditor) == {
        "inbox": 0,
        "queue": 0,
        "overdue": 0,
        "due-soon": 1,
        "escalated": 1,
        "listed": 0,
    }
    # Taking a task moves it from the queue to the inbox.
    task_take(task_id=task_of(cases["reported"]).pk, actor=world.officer_a)
    assert counts(client, world.officer_a)["queue"] == 0
    assert counts(client, world.officer_a)["inbox"] == 1


def test_overdue_hazards_are_counted_and_shown_in_red(client, world):
    clock = Clock(start=timezone.now() - timedelta(days=40))
    hazard = make_hazard(world, state="assigned", clock=clock)
    # The deadline was set 30 days after the assignment, 40 days ago: ten days overdue.
    svc.hazard_change_deadline(
        hazard_id=hazard.pk,
        actor=world.officer_a,
        reason="按原计划",
        deadline=timezone.localdate(clock.now) + timedelta(days=5),
        occurred_at=clock(),
    )
    hazard.refresh_from_db()
    assert hazard.is_overdue()
    assert counts(client, world.staff_a1)["overdue"] == 1
    page = client.get(reverse("workflows:home")).content.decode()
    assert re.search(r'class="overdue">\d{4}-\d\d-\d\d 逾期', page)
    assert counts(client, world.staff_b1)["overdue"] == 0


def test_the_queue_offers_a_task_only_to_the_role_and_scope_that_may_take_it(world, cases):
    reported = task_of(cases["reported"])
    assert reported in task_queue(world.officer_a)
    for user in (world.officer_b, world.staff_a1, world.supervisor_a, world.police_a1, world.auditor, world.city_admin):
        assert reported not in task_queue(user)
    verify = task_of(cases["rectified"])
    assert verify in task_queue(world.supervisor_a) and verify in task_queue(world.supervisor_city)
    assert verify not in task_queue(world.supervisor_b)


def test_the_reporter_or_rectifier_never_sees_the_verification_task(world):
    hazard = make_hazard(world, state="rectified", reporter=world.supervisor_a)
    assert task_of(hazard) not in task_queue(world.supervisor_a)
    assert task_of(hazard) in task_queue(world.supervisor_city)


def test_sensitive_tasks_go_to_the_police_station_and_the_city_only(world):
    hazard = make_hazard(world, state="reported", sensitive=True)
    task = task_of(hazard)
    assert task in task_queue(world.police_a1)
    assert task not in task_queue(world.officer_a) and task not in task_queue(world.police_a2)


def test_a_task_is_taken_released_and_handed_over_only_by_those_allowed(world, cases):
    task = task_of(cases["rectified"])
    with pytest.raises(TransitionRefused):
        task_take(task_id=task.pk, actor=world.supervisor_b)
    with pytest.raises(TransitionRefused):
        task_take(task_id=task.pk, actor=world.auditor)
    task_take(task_id=task.pk, actor=world.supervisor_a)
    assert task in task_inbox(world.supervisor_a) and task not in task_queue(world.supervisor_city)
    with pytest.raises(TransitionRefused, match="已由"):
        task_take(task_id=task.pk, actor=world.supervisor_city)
    with pytest.raises(TransitionRefused):
        task_release(task_id=task.pk, actor=world.supervisor_city)
    with pytest.raises(TransitionRefused, match="接收人"):
        task_reassign(task_id=task.pk, actor=world.supervisor_a, to_user_id=world.supervisor_b.pk)
    task_reassign(task_id=task.pk, actor=world.supervisor_a, to_user_id=world.supervisor_city.pk)
    assert task in task_inbox(world.supervisor_city) and task not in task_inbox(world.supervisor_a)
    task_release(task_id=task.pk, actor=world.supervisor_city)
    assert task in task_queue(world.supervisor_a)


def test_finished_tasks_are_in_the_archive_of_who_finished_them(world):
    make_hazard(world, state="verified")
    names = [t.flow_task.name for t in task_archive(world.supervisor_a)]
    assert names == ["verify"]
    assert [t.flow_task.name for t in task_archive(world.staff_a1)] == ["rectify"]


def test_task_pages_of_another_district_are_404(client, world, cases):
    task = task_of(cases["reported"])
    client.force_login(world.officer_b)
    assert client.get(reverse("workflows:task", args=[task.pk])).status_code == 404
    assert client.post(reverse("workflows:take", args=[task.pk])).status_code == 404
    assert client.get(reverse("workflows:task_open", args=[task.pk])).status_code == 404
    client.force_login(world.officer_a)
    assert client.get(reverse("workflows:task", args=[task.pk])).status_code == 200
    response = client.post(reverse("workflows:take", args=[task.pk]))
    assert response.status_code == 302
    response = client.get(reverse("workflows:task_open", args=[task.pk]))
    assert response["Location"] == reverse("casework:hazard_action", args=[cases["reported"].pk, "assign"])
