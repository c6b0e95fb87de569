"""The province generator's bulk path: plain rows in column order, keys it reserves itself, hashes from the
project's own chain functions. What it writes must be what the services would have written, on either
database; ``test_bench_runs`` checks each hazard's records and history, these the bulk path's own parts."""

import io
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.backends.sqlite3.base import DatabaseWrapper as SQLiteWrapper
from django.db.models import Count, Max, Min

from casework.audit.chain import compute_hash, hazard_chain_key, transition_content, transition_content_of
from casework.models import AuditChainHead, Hazard, HazardTransition
from tests.factories import make_hazard
from tools.bench import generate as gen
from tools.bench.generate import generate_province


def _content_from_values(record: HazardTransition) -> dict:
    return transition_content_of(
        seq=record.seq,
        district_id=record.district_id,
        hazard_id=record.hazard_id,
        name=record.name,
        from_state=record.from_state,
        to_state=record.to_state,
        actor_id=record.actor_id,
        actor_role=record.actor_role,
        actor_unit_id=record.actor_unit_id,
        occurred_at=record.occurred_at,
        recorded_at=record.recorded_at,
        comment=record.comment,
        payload=record.payload,
    )


def test_content_from_plain_values_hashes_exactly_like_the_content_of_a_service_written_record(world):
    make_hazard(world, state="verified", major=True)
    records = list(HazardTransition.objects.order_by("id"))
    assert [r.name for r in records][:2] == ["report", "assign"]
    for record in records:
        assert _content_from_values(record) == transition_content(record)
        assert compute_hash(record.prev_hash, _content_from_values(record)) == record.hash


def test_content_from_plain_values_spells_moments_in_utc_whatever_zone_they_come_in():
    moment = datetime(2026, 3, 1, 8, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
    values = dict(
        seq=1,
        district_id=2,
        hazard_id=3,
        name="report",
        from_state="",
        to_state="reported",
        actor_id=4,
        actor_role="school_staff",
        actor_unit_id=5,
        comment="",
        payload={"title": "灭火器过期"},
    )
    content = transition_content_of(occurred_at=moment, recorded_at=moment + timedelta(minutes=5), **values)
    assert content["occurred_at"] == "2026-03-01T00:30:00+00:00"
    assert content["recorded_at"] == "2026-03-01T00:35:00+00:00"
    record = HazardTransition(occurred_at=moment, recorded_at=moment + timedelta(minutes=5), **values)
    assert content == transition_content(record)


def test_generated_data_passes_verify_audit_with_one_history_row_per_transition_record(db):
    p = generate_province(schools=30, hazards=400, seed=12)
    out = io.StringIO()
    call_command("verify_audit", stdout=out)  # exits 1 (SystemExit) on any break
    assert "审计链校验通过" in out.getvalue()
    history = Hazard.history.model
    assert history.objects.count() == HazardTransition.objects.count() == p.transitions
    per_hazard = dict(HazardTransition.objects.values_list("hazard").annotate(n=Count("id")))
    assert per_hazard == dict(history.objects.values_list("id").annotate(n=Count("history_id")))
    assert history.objects.filter(history_type="+").count() == Hazard.objects.count() == 400


def test_each_generated_hazard_is_in_the_state_of_its_last_record_and_its_last_history_row(db):
    generate_province(schools=30, hazards=300, seed=13)
    history = Hazard.history.model
    last_record = {r.hazard_id: r for r in HazardTransition.objects.order_by("id")}
    last_row = {r.id: r for r in history.objects.order_by("history_id")}
    for h in Hazard.objects.all():
        assert last_record[h.pk].to_state == h.state == last_row[h.pk].state
        assert last_row[h.pk].history_change_reason == last_record[h.pk].name
        assert last_row[h.pk].history_user_id == last_record[h.pk].actor_id
        assert (last_row[h.pk].deadline, last_row[h.pk].rectification) == (h.deadline, h.rectification)


def test_generated_hazards_keep_their_generated_entry_and_update_times_on_every_database(db):
    # The old bulk_create path let auto_now(_add) overwrite them with the time of the insert on SQLite.
    started = datetime.now(UTC)
    generate_province(schools=30, hazards=200, seed=14)
    history = Hazard.history.model
    first_row = {r.id: r for r in history.objects.filter(history_type="+")}
    last_moment = dict(HazardTransition.objects.values_list("hazard").annotate(m=Max("occurred_at")))
    for h in Hazard.objects.all():
        assert h.reported_at < h.created_at <= h.reported_at + timedelta(minutes=90)
        assert h.updated_at == last_moment[h.pk] + timedelta(minutes=1) < started
        assert first_row[h.pk].created_at == h.created_at


def test_a_second_run_continues_the_keys_and_the_chains_of_the_first(db):
    generate_province(schools=30, hazards=150, seed=15)
    first_max = Hazard.objects.aggregate(m=Max("id"))["m"]
    first_records = HazardTransition.objects.count()
    generate_province(schools=30, hazards=150, seed=16)
    assert Hazard.objects.count() == 300
    assert Hazard.objects.filter(id__gt=first_max).count() == 150
    assert HazardTransition.objects.aggregate(m=Min("id"))["m"] == 1
    assert HazardTransition.objects.aggregate(m=Max("id"))["m"] == HazardTransition.objects.count() > first_records
    heads = AuditChainHead.objects.filter(chain__startswith="hazard-transitions:")
    for head in heads:
        district = int(head.chain.rsplit(":", 1)[1])
        assert head.seq == HazardTransition.objects.filter(district_id=district).count()
        assert head.chain == hazard_chain_key(district)


def test_the_next_hazard_written_by_the_service_gets_a_key_after_the_generated_ones(world):
    generate_province(schools=30, hazards=100, seed=17)
    generated_max = Hazard.objects.aggregate(m=Max("id"))["m"]
    records_max = HazardTransition.objects.aggregate(m=Max("id"))["m"]
    hazard = make_hazard(world, state="assigned")
    assert hazard.pk > generated_max
    assert HazardTransition.objects.filter(hazard=hazard).aggregate(m=Min("id"))["m"] > records_max


def test_the_generator_knows_every_column_of_the_three_tables_it_fills():
    assert gen._columns(Hazard, gen.HAZARD_FIELDS)[0] == "id"
    assert "history_id" in gen._columns(Hazard.history.model, gen.HISTORY_FIELDS)
    assert gen._columns(HazardTransition, gen.TRANSITION_FIELDS)[-1] == "hash"


def test_the_generator_refuses_a_model_with_a_column_it_would_leave_unset():
    with pytest.raises(RuntimeError, match="updated_at"):
        gen._columns(Hazard, tuple(f for f in gen.HAZARD_FIELDS if f != "updated_at"))


@pytest.mark.parametrize(
    "moment",
    [
        datetime(2026, 11, 20, 3, 4, 5, 678901, tzinfo=UTC),
        datetime(2026, 11, 20, 3, 4, 5, tzinfo=UTC),
        datetime(2026, 11, 20, 11, 4, 5, 1, tzinfo=ZoneInfo("Asia/Shanghai")),
    ],
)
def test_datetimes_sent_to_sqlite_are_spelt_as_django_stores_them(moment):
    django_ops = SQLiteWrapper.ops_class(SimpleNamespace(timezone=UTC))
    assert gen._sqlite_datetime(moment) == django_ops.adapt_datetimefield_value(moment)


def _settings(cursor):
    if connection.vendor == "sqlite":
        cursor.execute("PRAGMA cache_size")
        return cursor.fetchone()[0]
    cursor.execute("SHOW ALL")
    return cursor.fetchall()


def test_the_bulk_load_settings_hold_for_the_run_only_and_only_on_sqlite(db):
    with connection.cursor() as cursor:
        before = _settings(cursor)
        with gen._bulk_load_settings():
            during = _settings(cursor)
        after = _settings(cursor)
    assert during == (-524288 if connection.vendor == "sqlite" else before)
    assert after == before
