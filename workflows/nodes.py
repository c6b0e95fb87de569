"""Which human task waits in which state, and which casework actions each offers: read from the lifecycle table."""

from casework.rules.lifecycle import NODE_ACTIONS, NODE_FOR_STATE, NODES

__all__ = ["HUMAN_NODES", "NODE_ACTIONS", "NODE_FOR_STATE", "NODE_LABELS", "primary_action"]

NODE_LABELS = {name: node.label for name, node in NODES.items()}
HUMAN_NODES = tuple(NODES)


def primary_action(node_name: str) -> str:
    """The action that decides who may take the task."""
    return NODES[node_name].primary
