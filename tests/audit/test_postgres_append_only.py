"""On PostgreSQL the audit tables refuse UPDATE and DELETE for the application's role, whatever the path
(ORM queryset, raw SQL): the trigger installed by migration 0003 raises. Runs only on PostgreSQL."""

import pytest
from django.db import DatabaseError, connection, models, transaction

from casework.audit.events import audit_event_record
from casework.models import AuditEvent, AuditEventKind, HazardTransition
from tests.factories import make_hazard

pytestmark = pytest.mark.postgres


@pytest.fixture
def records(world):
    make_hazard(world, state="rectified")
    audit_event_record(actor=world.auditor, kind=AuditEventKind.REVIEW_VIEWED, subject="hazard:1")
    return world


def refused(sql: str, params) -> str:
    with pytest.raises(DatabaseError) as info, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)
    return str(info.value)


def test_the_database_is_postgresql_and_the_triggers_exist(records):
    assert connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        cursor.execute("SELECT tgname FROM pg_trigger WHERE tgname LIKE %s ORDER BY tgname", ["%append_only"])
        names = [row[0] for row in cursor.fetchall()]
    assert names == ["casework_auditevent_append_only", "casework_hazardtransition_append_only"]


@pytest.mark.parametrize("table", ["casework_hazardtransition", "casework_auditevent"])
def test_update_with_raw_sql_is_refused_by_the_database(records, table):
    before = list(HazardTransition.objects.values_list("id", "hash")) + list(
        AuditEvent.objects.values_list("id", "hash")
    )
    message = refused(f"UPDATE {table} SET hash = %s", ["0" * 64])
    assert "append-only" in message and "UPDATE" in message
    after = list(HazardTransition.objects.values_list("id", "hash")) + list(
        AuditEvent.objects.values_list("id", "hash")
    )
    assert after == before


@pytest.mark.parametrize("table", ["casework_hazardtransition", "casework_auditevent"])
def test_delete_with_raw_sql_is_refused_by_the_database(records, table):
    count = HazardTransition.objects.count() + AuditEvent.objects.count()
    message = refused(f"DELETE FROM {table} WHERE id > %s", [0])
    assert "append-only" in message and "DELETE" in message
    assert HazardTransition.objects.count() + AuditEvent.objects.count() == count


def test_queryset_update_and_delete_are_refused_by_the_database(records):
    with pytest.raises(DatabaseError), transaction.atomic():
        models.QuerySet.update(HazardTransition.objects.all(), comment="改过")  # past the queryset's own refusal
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk__gt=0)._raw_delete(AuditEvent.objects.db)  # past the queryset's own refusal
    assert not HazardTransition.objects.filter(comment="改过").exists()
    assert AuditEvent.objects.count() == 1


def test_appending_still_works_under_the_triggers(records):
    hazard = make_hazard(records, state="verified")
    assert hazard.transitions.count() == 4
