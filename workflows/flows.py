"""The hazard case flow (django-viewflow 2): wiring only — who gets which task.

The flow never writes the hazard's state. Every transition goes through
``casework.services.transitions``; after each one the service calls the hook that
``workflows.sync.sync_hazard_process`` registers, which completes the task that no longer
matches the state and lets ``route`` create the one that does. So the web, the admin, the API
and the management commands all leave the flow's open tasks matching the hazard.

    start → route ─ reported ───────────→ assign ─────┐   (district officer / police station)
                  ├ assigned, temp. meas. → rectify ──┤   (school staff / police station)
                  ├ rectified ──────────→ verify ─────┤   (supervisor / city admin, never reporter or rectifier)
                  ├ escalated ──────────→ coordinate ─┤   (party committee / city admin)
                  └ verified, invalid ──→ end         │
                     ↑────────────────────────────────┘
"""

from viewflow import this
from viewflow.workflow import flow, lock

from casework.access import can_view, hazards_actionable_by
from casework.models import Hazard

from .models import HazardProcess
from .nodes import NODE_FOR_STATE, primary_action
from .task_views import TaskView


def remember_hazard(process: HazardProcess, hazard: Hazard) -> None:
    """Hand ``route`` the hazard as this transaction locked and saved it (its state is the new one)."""
    process._hazard_in_transaction = hazard


def _state_of(activation) -> str:
    hazard = getattr(activation.process, "_hazard_in_transaction", None)
    if hazard is not None and hazard.pk == activation.process.hazard_id:
        return hazard.state
    # Otherwise read the state from the database: inside the transition's transaction it is the new one.
    return Hazard.objects.values_list("state", flat=True).get(pk=activation.process.hazard_id)


def _node_is(name: str):
    return lambda activation: NODE_FOR_STATE.get(_state_of(activation)) == name


class HazardTask(flow.View):
    """A human task offered to every user who holds the role for its action in the hazard's scope."""

    def _hazard(self, task):
        return task.process.coerced.hazard

    def user_may_act(self, user, task) -> bool:
        if user is None or not user.is_authenticated:
            return False
        action = primary_action(self.name)
        return hazards_actionable_by(user, action).filter(pk=task.process.coerced.hazard_id).exists()

    def can_assign(self, user, task):
        return not task.owner_id and self.user_may_act(user, task)

    def can_execute(self, user, task):
        return task.owner_id == getattr(user, "pk", None) and self.user_may_act(user, task)

    def can_unassign(self, user, task):
        if task.owner_id is None or user is None or not user.is_authenticated:
            return False
        return task.owner_id == user.pk or (
            can_view(user, self._hazard(task))
            and hazards_actionable_by(user, "change_deadline").filter(pk=task.process.coerced.hazard_id).exists()
        )


class HazardFlow(flow.Flow):
    """隐患整改流程

    上报 → 交办 → 整改（临时防范措施）→ 验收或返工；提请党委政府协调 → 协调决定 → 回到学校；作废。
    """

    process_class = HazardProcess
    lock_impl = lock.select_for_update_lock

    start = flow.StartHandle(this.start_case).Next(this.route)

    route = (
        flow.Switch()
        .Case(this.assign, _node_is("assign"))
        .Case(this.rectify, _node_is("rectify"))
        .Case(this.verify, _node_is("verify"))
        .Case(this.coordinate, _node_is("coordinate"))
        .Default(this.end)
    )

    assign = HazardTask(TaskView.as_view()).Next(this.route)
    rectify = HazardTask(TaskView.as_view()).Next(this.route)
    verify = HazardTask(TaskView.as_view()).Next(this.route)
    coordinate = HazardTask(TaskView.as_view()).Next(this.route)

    end = flow.End()

    def start_case(self, activation, hazard):
        activation.process.hazard = hazard
        remember_hazard(activation.process, hazard)
        return activation.process
