"""What one transition writes: the changed columns of the locked row, a whole history row, few statements."""

import re

from django.db import connection
from django.test.utils import CaptureQueriesContext

from casework.models import Hazard
from casework.services import transitions as svc
from tests.factories import Clock, make_hazard, plan
from workflows.models import HazardProcess
from workflows.nodes import NODE_FOR_STATE
from workflows.sync import open_tasks

COLUMNS = [f.attname for f in Hazard._meta.concrete_fields if f.attname != "updated_at"]


def row(hazard_id: int) -> dict:
    return Hazard.objects.filter(pk=hazard_id).values(*COLUMNS).get()


def test_an_assignment_writes_the_plan_and_the_state_and_leaves_every_other_column_as_it_was(world):
    clock = Clock()
    hazard = make_hazard(world, clock=clock)
    before, updated_before = row(hazard.pk), hazard.updated_at
    returned = svc.hazard_assign(hazard_id=hazard.pk, actor=world.officer_a, occurred_at=clock(), **plan())
    after = row(hazard.pk)
    moved = {name for name in COLUMNS if after[name] != before[name]}
    assert moved == {"state", "responsible_person", "responsible_phone", "measures", "deadline"}
    assert after == {name: getattr(returned, name) for name in COLUMNS}
    assert Hazard.objects.get(pk=hazard.pk).updated_at > updated_before


def test_the_history_row_of_a_transition_holds_the_whole_row_not_only_the_columns_that_moved(world):
    clock = Clock()
    hazard = make_hazard(world, clock=clock)
    svc.hazard_assign(hazard_id=hazard.pk, actor=world.officer_a, occurred_at=clock(), **plan())
    latest = Hazard.history.filter(id=hazard.pk).latest("history_date")
    history_columns = {name: getattr(latest, name) for name in COLUMNS}
    assert history_columns == row(hazard.pk)
    assert latest.history_type == "~" and latest.history_change_reason == "assign"
    assert latest.history_user_id == world.officer_a.pk


def test_one_assignment_takes_sixteen_statements_at_most_with_the_actors_memberships_read_once(world):
    """A regression guard: before the direct flow step and the one-query chain head it took 28."""
    clock = Clock()
    hazard = make_hazard(world, clock=clock)
    officer = world.officer_a
    officer.__dict__.pop("_casework_memberships", None)  # as in a request: not read yet
    with CaptureQueriesContext(connection) as queries:
        svc.hazard_assign(hazard_id=hazard.pk, actor=officer, occurred_at=clock(), **plan())
    statements = [
        q["sql"]
        for q in queries.captured_queries
        if not q["sql"].upper().startswith(("SAVEPOINT", "RELEASE SAVEPOINT", "BEGIN", "COMMIT"))
    ]
    assert len(statements) <= 16, "\n".join(statements)
    own = re.compile(rf'"casework_membership"\."user_id" = {officer.pk}\b')
    assert sum(bool(own.search(s)) for s in statements) == 1
    assert [t.flow_task.name for t in open_tasks(HazardProcess.objects.get(hazard_id=hazard.pk))] == [
        NODE_FOR_STATE[Hazard.objects.get(pk=hazard.pk).state]
    ]
