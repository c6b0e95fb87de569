"""The transition log and the audit events refuse bulk changes through the ORM, on every database."""

import pytest

from casework.models import AuditEvent, HazardTransition
from casework.models.transition import AppendOnlyError
from tests.factories import make_hazard


def test_a_queryset_update_of_transition_records_is_refused_and_changes_nothing(world):
    hazard = make_hazard(world, state="assigned")
    before = list(hazard.transitions.values_list("comment", flat=True))
    with pytest.raises(AppendOnlyError, match="流转记录只能追加"):
        HazardTransition.objects.filter(hazard=hazard).update(comment="改过")
    with pytest.raises(AppendOnlyError, match="流转记录只能追加"):
        hazard.transitions.all().delete()
    assert list(hazard.transitions.values_list("comment", flat=True)) == before


def test_a_queryset_update_of_audit_events_is_refused(world):
    with pytest.raises(AppendOnlyError, match="审计事件只能追加"):
        AuditEvent.objects.all().update(subject="x")
