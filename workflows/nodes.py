"""Which node stands for which state, and which casework actions each human task offers."""
from casework.models import HazardState

S = HazardState

# The human task that waits while the hazard is in each state (None: the case is finished).
NODE_FOR_STATE = {
    S.REPORTED: "assign",
    S.ASSIGNED: "rectify",
    S.TEMPORARY_MEASURES: "rectify",
    S.RECTIFIED: "verify",
    S.ESCALATED: "coordinate",
    S.VERIFIED: None,
    S.CLOSED_INVALID: None,
}

# The casework actions offered by each task; the first decides who may take it.
NODE_ACTIONS = {
    "assign": ("assign", "close_invalid"),
    "rectify": ("report_rectified", "record_temporary_measures"),
    "verify": ("verify", "reject"),
    "coordinate": ("record_coordination",),
}

NODE_LABELS = {
    "assign": "交办整改",
    "rectify": "落实整改",
    "verify": "验收销号",
    "coordinate": "协调决定",
}

HUMAN_NODES = tuple(NODE_ACTIONS)


def primary_action(node_name: str) -> str:
    return NODE_ACTIONS[node_name][0]
