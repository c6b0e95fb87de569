"""The transition log is append-only and hash-chained per district; tampering is detected."""

import pytest

from casework.audit.chain import verify_hazard_chains
from casework.models import AuditChainHead, HazardTransition
from casework.models.transition import AppendOnlyError
from tests.factories import Clock, make_hazard


@pytest.fixture
def trail(world):
    clock = Clock()
    make_hazard(world, state="verified", clock=clock)
    make_hazard(world, state="escalated", clock=clock, school="school_a2")
    make_hazard(world, state="assigned", clock=clock, school="school_b1")
    return HazardTransition.objects.filter(district=world.district_a).order_by("seq")


def test_an_untouched_trail_verifies(trail):
    assert verify_hazard_chains() == []


def test_each_district_has_its_own_chain_numbered_from_one(world, trail):
    assert list(trail.values_list("seq", flat=True)) == list(range(1, trail.count() + 1))
    assert HazardTransition.objects.filter(district=world.district_b).order_by("seq").first().seq == 1
    assert AuditChainHead.objects.count() == 2


def test_a_record_cannot_be_changed_or_deleted_through_the_orm(trail):
    record = trail.first()
    record.comment = "changed"
    with pytest.raises(AppendOnlyError):
        record.save()
    with pytest.raises(AppendOnlyError):
        record.delete()


# Tampering with raw SQL (edits, deletions, reordering, on both databases) is in tests/audit/test_tamper_evidence.py.
