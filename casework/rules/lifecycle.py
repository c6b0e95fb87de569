"""The hazard's lifecycle, declared once.

Every action a person (or the system) takes on a hazard is a row of ``ACTIONS``: its Chinese label, the
states it may start from, the state it leads to, who performs it on an ordinary and on a sensitive
hazard, who is told, which of the flow's human tasks offers it and which form asks for its input.
The model's django-fsm transitions (``fsm``), the services' state and role checks, ``can()``, the
notification audience, the flow's nodes, the web forms and every label are read from here. Listing
events and the due checks' notices are rows of ``LISTING_EVENTS`` and ``NOTICES``: the same log, the
same labels.

Pure: imports no model, so the models can build their state machines from it.
"""

from dataclasses import dataclass
from datetime import date

from django.db import models
from django.db.models import Q
from django_fsm import RETURN_VALUE, transition

from .roles import SENSITIVE_STAND_IN, Role


class HazardState(models.TextChoices):
    REPORTED = "reported", "已上报"
    ASSIGNED = "assigned", "整改中"
    TEMPORARY_MEASURES = "temporary_measures", "临时防范中"
    RECTIFIED = "rectified", "待验收"
    VERIFIED = "verified", "已验收销号"
    ESCALATED = "escalated", "已提请党委政府协调"
    CLOSED_INVALID = "closed_invalid", "已作废"


S = HazardState
OPEN_STATES = (S.REPORTED, S.ASSIGNED, S.TEMPORARY_MEASURES, S.ESCALATED)
# Overdue: the deadline has passed and the fix is not yet reported. Derived, never stored.
OVERDUE_STATES = (S.ASSIGNED, S.TEMPORARY_MEASURES, S.ESCALATED)


def is_overdue(state: str, deadline: date | None, today: date) -> bool:
    """The one definition of overdue, for a hazard in memory (``overdue_q`` is its SQL twin)."""
    return deadline is not None and state in OVERDUE_STATES and deadline < today


def overdue_q(today: date, *, state: str | None = None) -> Q:
    """The one definition of overdue as a filter on hazards; ``state``: the overdue ones in that state only
    (one equality, which the ledger's (district, state, …) indexes walk in order, instead of an IN)."""
    if state is None:
        return Q(state__in=OVERDUE_STATES, deadline__lt=today)
    if state not in OVERDUE_STATES:
        return Q(pk__in=[])
    return Q(state=state, deadline__lt=today)


@dataclass(frozen=True)
class Node:
    """One of the flow's human tasks: its label and the action that decides who may take it."""

    label: str
    primary: str


# The flow's human tasks. Which task waits in which state follows from the actions they offer.
NODES = {
    "assign": Node("交办整改", primary="assign"),
    "rectify": Node("落实整改", primary="report_rectified"),
    "verify": Node("验收销号", primary="verify"),
    "coordinate": Node("协调决定", primary="record_coordination"),
}


@dataclass(frozen=True)
class Action:
    """One row of the lifecycle table."""

    label: str
    sources: frozenset
    # The state it leads to; a tuple: one of these, chosen by the input; None: the state stays (an edit).
    target: str | tuple | None
    roles: frozenset
    # Who acts on a sensitive hazard (education-side users never see one); None: the stand-ins of ``roles``.
    sensitive_roles: frozenset | None = None
    audience: tuple = ()
    notice: str = ""  # the notification's title
    node: str | None = None  # the flow's human task offering it (None: from the hazard's page only)
    form: str | None = None  # the web form asking for its input (casework.web.hazards.forms)
    api_input: str | None = None  # the API's input serializer (casework.api.hazards.serializers)
    # The hazard's fields the transition writes (the model's FSM method refuses any other).
    sets: tuple = ()
    # The performer may not sign off the same hazard (separation of duty).
    excludes_sign_off: bool = False
    # Those who reported or fixed the hazard may not perform it.
    needs_independence: bool = False

    def allowed_roles(self, *, sensitive: bool) -> frozenset:
        if not sensitive:
            return self.roles
        if self.sensitive_roles is not None:
            return self.sensitive_roles
        return frozenset(SENSITIVE_STAND_IN.get(r, r) for r in self.roles)

    def allowed_from(self, state: str) -> bool:
        return state in self.sources

    @property
    def sets_deadline(self) -> bool:
        return "deadline" in self.sets

    def fsm(self) -> dict:
        """The keywords of django-fsm's ``@transition`` for this action."""
        target = RETURN_VALUE(*self.target) if isinstance(self.target, tuple) else self.target
        return {"source": sorted(self.sources), "target": target}


def _roles(*roles) -> frozenset:
    return frozenset(roles)


R = Role
DEADLINE_FIELDS = ("deadline", "deadline_basis", "deadline_working_days")
ACTIONS: dict[str, Action] = {
    "report": Action(
        "上报隐患",
        sources=frozenset(),
        target=S.REPORTED,
        excludes_sign_off=True,
        roles=_roles(R.SCHOOL_STAFF, R.POLICE_STATION, R.DISTRICT_OFFICER, R.SUPERVISOR, R.CITY_ADMIN),
        sensitive_roles=_roles(R.POLICE_STATION, R.CITY_ADMIN),
        audience=(R.DISTRICT_OFFICER,),
        notice="新上报隐患待交办",
    ),
    "assign": Action(
        "交办整改",
        sources=frozenset({S.REPORTED}),
        target=S.ASSIGNED,
        roles=_roles(R.DISTRICT_OFFICER),
        audience=(R.SCHOOL_STAFF,),
        notice="隐患已交办，请落实整改",
        node="assign",
        form="AssignForm",
        api_input="AssignInput",
        sets=("responsible_person", "responsible_phone", "measures", "funding", "contingency_plan", *DEADLINE_FIELDS),
    ),
    "record_temporary_measures": Action(
        "落实临时防范措施",
        sources=frozenset({S.ASSIGNED}),
        target=S.TEMPORARY_MEASURES,
        roles=_roles(R.SCHOOL_STAFF),
        excludes_sign_off=True,
        audience=(R.DISTRICT_OFFICER,),
        notice="学校已落实临时防范措施",
        node="rectify",
        form="TemporaryMeasuresForm",
        api_input="TemporaryMeasuresInput",
        sets=("temporary_measures",),
    ),
    "report_rectified": Action(
        "报告整改完成",
        sources=frozenset({S.ASSIGNED, S.TEMPORARY_MEASURES}),
        target=S.RECTIFIED,
        roles=_roles(R.SCHOOL_STAFF),
        excludes_sign_off=True,
        audience=(R.SUPERVISOR,),
        notice="隐患已整改，待验收",
        node="rectify",
        form="RectifiedForm",
        api_input="ReportRectifiedInput",
        sets=("rectification",),
    ),
    "verify": Action(
        "验收销号",
        sources=frozenset({S.RECTIFIED}),
        target=S.VERIFIED,
        roles=_roles(R.SUPERVISOR),
        needs_independence=True,
        audience=(R.SCHOOL_STAFF, R.DISTRICT_OFFICER),
        notice="隐患已验收销号",
        node="verify",
        form="VerifyForm",
        api_input="VerifyInput",
        sets=("verification_result",),
    ),
    "reject": Action(
        "验收不通过（返工）",
        sources=frozenset({S.RECTIFIED}),
        target=S.ASSIGNED,
        roles=_roles(R.SUPERVISOR),
        needs_independence=True,
        audience=(R.SCHOOL_STAFF, R.DISTRICT_OFFICER),
        notice="整改验收未通过，请返工",
        node="verify",
        form="RejectForm",
        api_input="RejectInput",
        sets=("verification_result",),
    ),
    "escalate": Action(
        "提请党委政府协调",
        sources=frozenset({S.ASSIGNED, S.TEMPORARY_MEASURES}),
        target=S.ESCALATED,
        roles=_roles(R.DISTRICT_OFFICER),
        audience=(R.PARTY_COMMITTEE,),
        notice="隐患提请党委政府协调",
        form="EscalateForm",
        api_input="EscalateInput",
        sets=("temporary_measures",),
    ),
    "record_coordination": Action(
        "记录协调决定",
        sources=frozenset({S.ESCALATED}),
        target=(S.ASSIGNED, S.TEMPORARY_MEASURES),
        roles=_roles(R.PARTY_COMMITTEE),
        audience=(R.SCHOOL_STAFF, R.DISTRICT_OFFICER),
        notice="党委政府已作出协调决定",
        node="coordinate",
        form="CoordinationForm",
        api_input="CoordinationInput",
        sets=DEADLINE_FIELDS,
    ),
    "close_invalid": Action(
        # Told: the reporter (casework.services.notify), not a role.
        "作废",
        sources=frozenset({S.REPORTED}),
        target=S.CLOSED_INVALID,
        roles=_roles(R.DISTRICT_OFFICER),
        notice="隐患已作废",
        node="assign",
        form="CloseInvalidForm",
        api_input="CloseInvalidInput",
    ),
    "change_deadline": Action(
        "调整整改时限",
        sources=frozenset({S.ASSIGNED, S.TEMPORARY_MEASURES, S.ESCALATED, S.RECTIFIED}),
        target=None,
        roles=_roles(R.DISTRICT_OFFICER),
        audience=(R.SCHOOL_STAFF,),
        notice="整改时限已调整",
        form="ChangeDeadlineForm",
        api_input="ChangeDeadlineInput",
        sets=DEADLINE_FIELDS,
    ),
}


def _fsm_method(name: str, action: Action, field: str):
    def move(self, *, to=None, **values):
        """Write the action's fields; ``to``: the target when the action's input chooses it."""
        unknown = set(values) - set(action.sets)
        if unknown:
            raise TypeError(f"{name} does not write {sorted(unknown)}")
        for key, value in values.items():
            setattr(self, key, value)
        return to  # django-fsm's RETURN_VALUE reads it; other targets ignore it

    move.__name__ = move.__qualname__ = name
    move.__doc__ = f"{action.label}（casework.rules.lifecycle）: writes {', '.join(action.sets) or 'nothing'}."
    return transition(field=field, **action.fsm())(move)


def fsm_transitions(field: str = "state") -> type:
    """A mixin with one django-fsm transition method per action that moves a hazard (report creates it)."""
    methods = {name: _fsm_method(name, a, field) for name, a in ACTIONS.items() if a.sources}
    return type("HazardTransitions", (), methods)


# What a person does to a hazard after it was reported (the transitions the services offer).
HAZARD_ACTIONS = tuple(name for name, a in ACTIONS.items() if a.sources)
DEADLINE_ACTIONS = frozenset(name for name, a in ACTIONS.items() if a.sets_deadline)
# Whoever performed one of these on a hazard may not sign it off.
SIGN_OFF_EXCLUDED_BY = tuple(name for name, a in ACTIONS.items() if a.excludes_sign_off)


@dataclass(frozen=True)
class Notice:
    """A reminder about a hazard, sent by the due checks (not a transition)."""

    label: str
    audience: tuple


NOTICES = {
    "deadline_approaching": Notice("整改时限临近", audience=(R.SCHOOL_STAFF,)),
    "overdue": Notice("隐患整改已超期", audience=(R.SCHOOL_STAFF, R.DISTRICT_OFFICER)),
}


@dataclass(frozen=True)
class ListingEvent:
    """An event of a listed supervision (挂牌督办), recorded in the hazard's log; the hazard's state stays."""

    label: str
    # Who performs it: "authority" (the listing level's authority), "progress" (the school, the police
    # station for a sensitive hazard) or "system" (the due checks).
    by: str


LISTING_EVENTS = {
    "list": ListingEvent("挂牌督办", by="authority"),
    "delist": ListingEvent("摘牌", by="authority"),
    "listing_reminder": ListingEvent("督办催办", by="authority"),
    "listing_progress": ListingEvent("报送督办进展", by="progress"),
    "listing_raised": ListingEvent("逾期上提督办", by="system"),
    "listing_report_missed": ListingEvent("督办进展逾期未报", by="system"),
}
# The listing authority of each level; a district listing raised to the city may also be reminded by the city.
LISTING_AUTHORITY = {"district": R.DISTRICT_OFFICER, "city": R.CITY_ADMIN}
LISTING_PROGRESS_ROLES = _roles(R.SCHOOL_STAFF)
# A hazard can be listed while its fix is still outstanding.
LISTABLE_STATES = frozenset(OPEN_STATES)


def record_label(name: str) -> str:
    """The Chinese label of an entry of the hazard's log (a transition, an edit or a listing event)."""
    if name in ACTIONS:
        return ACTIONS[name].label
    if name in LISTING_EVENTS:
        return LISTING_EVENTS[name].label
    return name


def is_record_name(name: str) -> bool:
    return name in ACTIONS or name in LISTING_EVENTS


RECORD_NAMES = frozenset(ACTIONS) | frozenset(LISTING_EVENTS)


def node_of_state(state: str) -> str | None:
    """The human task that waits while a hazard is in ``state`` (None: nothing waits, the case is finished)."""
    return NODE_FOR_STATE.get(state)


def _node_for_state() -> dict:
    table = {}
    for state in HazardState:
        nodes = {a.node for a in ACTIONS.values() if a.node and state in a.sources}
        if len(nodes) > 1:
            raise ValueError(f"state {state} is offered by two tasks: {sorted(nodes)}")
        table[state] = nodes.pop() if nodes else None
    return table


NODE_FOR_STATE = _node_for_state()
# Each task's actions, the one that decides who may take it first.
NODE_ACTIONS = {
    node: (spec.primary, *(n for n, a in ACTIONS.items() if a.node == node and n != spec.primary))
    for node, spec in NODES.items()
}
