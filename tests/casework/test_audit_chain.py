"""The transition log is append-only and hash-chained per district; tampering is detected."""
import pytest
from django.db import connection

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


def test_a_comment_edited_with_raw_sql_is_detected_at_that_record(trail):
    victim = trail[2]
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {HazardTransition._meta.db_table} SET comment = %s WHERE id = %s", ["改过", victim.pk])
    (found,) = verify_hazard_chains()
    assert (found.record_id, found.seq) == (victim.pk, victim.seq)
    assert "内容" in found.reason


def test_a_record_removed_with_raw_sql_is_detected(trail):
    victim = trail[1]
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM casework_evidence WHERE transition_id = %s", [victim.pk])
        cursor.execute(f"DELETE FROM {HazardTransition._meta.db_table} WHERE id = %s", [victim.pk])
    (found,) = verify_hazard_chains()
    assert found.seq == victim.seq


def test_a_removed_last_record_is_detected_at_the_chain_head(trail):
    last = trail.last()
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {HazardTransition._meta.db_table} WHERE id = %s", [last.pk])
    (found,) = verify_hazard_chains()
    assert "链尾" in found.reason
