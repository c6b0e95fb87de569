"""Every audit record is hash-chained: an edit, a deletion or a reordering made behind the application's
back (raw SQL) is found by `manage.py verify_audit`, which names the first altered record and exits 1."""

import io

import pytest
from django.core.management import call_command
from django.db import connection

from casework.audit.chain import hazard_chain_key, verify_all_chains, verify_hazard_chains
from casework.audit.events import audit_event_record
from casework.models import AuditEvent, AuditEventKind, HazardTransition
from casework.models.transition import AppendOnlyError
from tests.factories import make_hazard

APPEND_ONLY_TABLES = {"casework_hazardtransition", "casework_auditevent"}


def tamper(sql: str, params=(), *, table: str = "casework_hazardtransition"):
    """Raw SQL as a database owner would run it. On PostgreSQL the append-only trigger stands in the
    way, so (as the owner may) it is disabled first, inside the test's transaction."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and table in APPEND_ONLY_TABLES:
            # ALTER TABLE waits for no deferred foreign-key checks: run them now.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER {table}_append_only")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql" and table in APPEND_ONLY_TABLES:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER {table}_append_only")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def run_verify():
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(SystemExit) as exit_info:
        call_command("verify_audit", stdout=out, stderr=err)
    return exit_info.value.code, out.getvalue(), err.getvalue()


@pytest.fixture
def chains(world):
    """Two districts' chains with several records each, and a few audit events."""
    make_hazard(world, state="verified")
    make_hazard(world, state="escalated")
    make_hazard(world, state="rectified", school="school_b1")
    for kind in (AuditEventKind.REVIEW_VIEWED, AuditEventKind.REVIEW_EXPORTED_PDF, AuditEventKind.REVIEW_VIEWED):
        audit_event_record(actor=world.auditor, kind=kind, subject="district:1")
    return world


def district_a_records(world):
    return list(HazardTransition.objects.filter(district=world.district_a).order_by("seq"))


def test_an_untouched_history_verifies_and_the_command_exits_zero(chains):
    out = io.StringIO()
    call_command("verify_audit", stdout=out)  # no SystemExit: exit status 0
    text = out.getvalue()
    assert f"OK     {hazard_chain_key(chains.district_a.pk)}" in text
    assert "audit-events:city:" in text
    assert "审计链校验通过" in text
    assert all(s.broken is None for s in verify_all_chains())


def test_a_transition_edited_with_raw_sql_is_reported_as_the_first_altered_record(chains):
    records = district_a_records(chains)
    victim = records[3]
    tamper("UPDATE casework_hazardtransition SET comment = %s WHERE id = %s", ["已按时整改", victim.pk])
    code, out, err = run_verify()
    assert code == 1
    assert f"BROKEN {hazard_chain_key(chains.district_a.pk)} 第 {victim.seq} 条（记录 id={victim.pk}）" in err
    assert "内容哈希不符" in err
    # The other district's chain is not dragged in.
    assert f"OK     {hazard_chain_key(chains.district_b.pk)}" in out


def test_a_backdated_occurred_at_is_detected(chains):
    victim = district_a_records(chains)[1]
    tamper(
        "UPDATE casework_hazardtransition SET occurred_at = %s WHERE id = %s",
        [victim.occurred_at.replace(year=victim.occurred_at.year - 1), victim.pk],
    )
    [broken] = verify_hazard_chains()
    assert (broken.seq, broken.record_id) == (victim.seq, victim.pk)


def test_a_transition_deleted_with_raw_sql_is_detected_at_the_gap(chains):
    records = district_a_records(chains)
    victim = records[2]
    tamper("DELETE FROM casework_evidence WHERE transition_id = %s", [victim.pk], table="casework_evidence")
    tamper("DELETE FROM casework_hazardtransition WHERE id = %s", [victim.pk])
    code, _, err = run_verify()
    assert code == 1
    assert f"第 {victim.seq} 条" in err and "序号不连续" in err


def test_the_last_transition_deleted_is_detected_at_the_chain_head(chains):
    last = district_a_records(chains)[-1]
    tamper("DELETE FROM casework_evidence WHERE transition_id = %s", [last.pk], table="casework_evidence")
    tamper("DELETE FROM casework_hazardtransition WHERE id = %s", [last.pk])
    [broken] = verify_hazard_chains()
    assert broken.seq == last.seq and "链尾不符" in broken.reason


def test_two_transitions_swapped_in_order_are_detected(chains):
    first, second = district_a_records(chains)[1:3]
    parking = 10**9
    tamper("UPDATE casework_hazardtransition SET seq = %s WHERE id = %s", [parking, first.pk])
    tamper("UPDATE casework_hazardtransition SET seq = %s WHERE id = %s", [first.seq, second.pk])
    tamper("UPDATE casework_hazardtransition SET seq = %s WHERE id = %s", [second.seq, first.pk])
    code, _, err = run_verify()
    assert code == 1
    # The record now in first's place is second's: its previous hash no longer matches.
    assert f"第 {first.seq} 条（记录 id={second.pk}）" in err and "前序哈希不符" in err


def test_a_rehashed_edit_is_still_detected_by_the_next_record(chains):
    """Recomputing the edited record's own hash does not help: the next record points at the old one."""
    from casework.audit.chain import compute_hash, transition_content

    records = district_a_records(chains)
    victim = records[2]
    victim.comment = "伪造"
    new_hash = compute_hash(victim.prev_hash, transition_content(victim))
    tamper("UPDATE casework_hazardtransition SET comment = %s, hash = %s WHERE id = %s", ["伪造", new_hash, victim.pk])
    [broken] = verify_hazard_chains()
    assert broken.seq == records[3].seq and "前序哈希不符" in broken.reason


def test_a_deleted_chain_head_does_not_hide_the_chain(chains):
    tamper(
        "DELETE FROM casework_auditchainhead WHERE chain = %s",
        [hazard_chain_key(chains.district_a.pk)],
        table="casework_auditchainhead",
    )
    [broken] = verify_hazard_chains()
    assert "链头缺失" in broken.reason


def test_an_audit_event_edited_with_raw_sql_is_detected(chains):
    events = list(AuditEvent.objects.order_by("seq"))
    victim = events[1]
    tamper(
        "UPDATE casework_auditevent SET kind = %s WHERE id = %s",
        [AuditEventKind.REVIEW_VIEWED, victim.pk],
        table="casework_auditevent",
    )
    code, _, err = run_verify()
    assert code == 1
    assert f"BROKEN {victim.chain} 第 {victim.seq} 条（记录 id={victim.pk}）" in err


def test_an_audit_event_deleted_with_raw_sql_is_detected(chains):
    victim = AuditEvent.objects.order_by("seq").first()
    tamper("DELETE FROM casework_auditevent WHERE id = %s", [victim.pk], table="casework_auditevent")
    code, _, err = run_verify()
    assert code == 1 and f"BROKEN {victim.chain} 第 1 条" in err


def test_audit_events_refuse_change_and_deletion_through_the_orm(chains):
    event = AuditEvent.objects.first()
    event.subject = "改过"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(subject="改过")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get(pk=event.pk).subject == "district:1"
