"""After-transition hooks: how other apps follow a hazard without casework importing them.

Imports run ``workflows`` → ``casework``; casework must not import the flow. The workflows app
registers a callback here (in its ``AppConfig.ready``) and every transition service calls
``run_after_transition`` inside its own transaction, after the transition record is written. A
callback that raises rolls the transition back: the hazard and its follower never disagree.
"""

from collections.abc import Callable

from casework.models import Hazard, HazardTransition

AfterTransition = Callable[[Hazard, HazardTransition], None]

_callbacks: dict[str, AfterTransition] = {}


def register_after_transition(name: str, callback: AfterTransition) -> None:
    """Register (or replace, by name: ``ready()`` may run twice) a callback for every transition."""
    _callbacks[name] = callback


def run_after_transition(hazard: Hazard, record: HazardTransition) -> None:
    """Called by every transition service, in its transaction, once the record is appended."""
    for callback in list(_callbacks.values()):
        callback(hazard, record)
