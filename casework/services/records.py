"""The two records every write leaves: the row's history version and, for a hazard, its chained log entry."""

from datetime import datetime

from django.db.models import Model
from django.utils import timezone

from casework.audit.chain import append_transition
from casework.models import Hazard, HazardTransition, OrgUnit

from .evidence import CheckedFile, store_evidence


def save_with_history(obj: Model, *, actor, reason: str, update_fields: list[str] | None = None) -> None:
    """Save a row; django-simple-history records the version with its author and reason (a record name)."""
    # simple-history reads these from the instance for the history row of this save (the whole row).
    obj._history_user = actor
    obj._change_reason = reason
    if update_fields is None:
        obj.save()
    else:
        obj.save(update_fields=update_fields)


def append_hazard_record(
    hazard: Hazard,
    *,
    name: str,
    from_state: str,
    actor,
    actor_role: str,
    actor_unit: OrgUnit,
    occurred_at: datetime,
    comment: str = "",
    payload: dict | None = None,
    files: list[CheckedFile] = (),
) -> HazardTransition:
    """Append one entry to the hazard's hash-chained log (its ``to_state`` is the hazard's state now) and
    store the entry's evidence; the entry's payload names the evidence by SHA-256."""
    payload = dict(payload or {})
    if files:
        payload["evidence"] = [f.sha256 for f in files]
    record = append_transition(
        HazardTransition(
            hazard=hazard,
            district_id=hazard.district_id,
            name=name,
            from_state=from_state,
            to_state=hazard.state,
            actor=actor,
            actor_role=actor_role,
            actor_unit=actor_unit,
            occurred_at=occurred_at,
            recorded_at=timezone.now(),
            comment=comment,
            payload=payload,
        )
    )
    store_evidence(hazard=hazard, transition=record, files=list(files), actor=actor)
    return record
