"""A province of generated data, inserted in bulk: what the per-hazard services would have written.

``generate_province(schools=N, hazards=M, seed=S)`` builds cities, districts (about one per 300
schools), police stations, party committees, schools, users per role per unit, and hazards spread over
the last year in every state. For each hazard it writes what the services would: the hazard row, one
simple-history row per save, and one hash-chained transition record per step, in each district's
chain (``casework.audit.chain``), then the chain heads. It never calls the services (one transaction
per hazard would take hours at a million); the notifications' outbox and the viewflow processes are
not generated (the flow starts a process on a hazard's next transition, ``workflows.sync``).

The organisation and its people go in with ``bulk_create``. The hazards, their history and their
transition records are built as plain tuples in column order (no model instances: building those cost
more than storing the rows), with primary keys the generator reserves itself, and are sent with COPY on
PostgreSQL and one prepared INSERT per table and batch (``executemany``) on SQLite. On SQLite the run
sets ``synchronous = OFF`` and a 512 MiB page cache for its own connection, and restores both after
(``_bulk_load_settings``). Each batch of 5,000 hazards is one transaction that also moves the chain heads.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from itertools import accumulate

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone

from casework.audit.chain import GENESIS, compute_hash, hazard_chain_key, transition_content_of
from casework.models import (
    AuditChainHead,
    Category,
    DeadlineBasis,
    Hazard,
    HazardState,
    HazardTransition,
    KeyPlace,
    Membership,
    OrgKind,
    OrgUnit,
    Role,
    SchoolKind,
    Severity,
    Urgency,
)

SCHOOLS_PER_DISTRICT = 300
DISTRICTS_PER_CITY = 6
SCHOOLS_PER_STATION = 25
BATCH = 5000

S = HazardState
# The steps to each state (after "report"), and how often each state is met in a year's ledger.
PATHS = {
    S.REPORTED: [],
    S.CLOSED_INVALID: ["close_invalid"],
    S.ASSIGNED: ["assign"],
    S.TEMPORARY_MEASURES: ["assign", "record_temporary_measures"],
    S.ESCALATED: ["assign", "record_temporary_measures", "escalate"],
    S.RECTIFIED: ["assign", "report_rectified"],
    S.VERIFIED: ["assign", "report_rectified", "verify"],
}
TARGET = {
    "assign": S.ASSIGNED,
    "record_temporary_measures": S.TEMPORARY_MEASURES,
    "escalate": S.ESCALATED,
    "report_rectified": S.RECTIFIED,
    "verify": S.VERIFIED,
    "close_invalid": S.CLOSED_INVALID,
}
TITLES = {
    Category.LAB_CHEMICALS: ["危化品柜未双人双锁", "实验室通风橱失效", "废液未分类存放"],
    Category.FIRE: ["灭火器过期", "疏散通道堆放杂物", "应急照明损坏", "消防栓被遮挡"],
    Category.SECURITY: ["门卫未登记来访人员", "监控探头损坏", "围墙破损"],
    Category.FOOD: ["食堂留样不足48小时", "从业人员健康证过期", "冷藏柜温度异常"],
    Category.BUS_TRAFFIC: ["校车安全带损坏", "校门口缺少减速带", "接送车辆违停"],
    Category.BUILDING: ["教学楼外墙瓷砖脱落", "栏杆高度不足", "施工区域未封闭"],
    Category.INTERNSHIP: ["实训设备缺少防护罩", "实习岗位未签三方协议"],
    Category.SURROUNDINGS: ["校园周边无证摊点", "周边网吧接纳未成年人"],
    Category.STABILITY: ["涉校矛盾纠纷未化解"],
    Category.OTHER: ["其他安全隐患"],
}
CATEGORY_WEIGHTS = [3, 8, 6, 5, 4, 6, 2, 3, 1, 2]
KEY_PLACES = [k for k, _ in KeyPlace.choices]
SCHOOL_KINDS = [k for k, _ in SchoolKind.choices]
SCHOOL_KIND_WEIGHTS = [30, 35, 18, 10, 6, 1]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"


@dataclass
class Province:
    """What was generated: ids to find the people and places again (the bench picks its users here)."""

    cities: list[int] = field(default_factory=list)
    districts: list[int] = field(default_factory=list)
    schools: list[int] = field(default_factory=list)
    users: dict[tuple[str, int], int] = field(default_factory=dict)  # (role, unit id) -> user id
    hazards: int = 0
    transitions: int = 0
    seconds: dict[str, float] = field(default_factory=dict)


def _now() -> datetime:
    return timezone.now()


# ---- the organisation ---------------------------------------------------------------------------
def _create_units(units: list[OrgUnit]) -> list[OrgUnit]:
    """OrgUnit.save() fills city/district from the parent; bulk_create skips save, so fill them here."""
    for unit in units:
        unit.city, unit.district = unit._ancestors()
    return OrgUnit.objects.bulk_create(units, batch_size=BATCH)


def _build_org(p: Province, schools: int, rng: random.Random, tag: str):
    n_districts = max(1, round(schools / SCHOOLS_PER_DISTRICT))
    n_cities = max(1, round(n_districts / DISTRICTS_PER_CITY))
    cities = _create_units([OrgUnit(name=f"基准市{tag}-{i + 1:02d}", kind=OrgKind.CITY) for i in range(n_cities)])
    districts = _create_units(
        [
            OrgUnit(name=f"基准区{tag}-{i + 1:03d}", kind=OrgKind.DISTRICT, parent=cities[i % n_cities])
            for i in range(n_districts)
        ]
    )
    committees = _create_units(
        [OrgUnit(name=f"{d.name}党委政府", kind=OrgKind.PARTY_COMMITTEE, parent=d) for d in districts]
    )
    per_district = [schools // n_districts + (1 if i < schools % n_districts else 0) for i in range(n_districts)]
    stations, station_of_district = [], {}
    for d, count in zip(districts, per_district):
        n = max(1, -(-count // SCHOOLS_PER_STATION))
        station_of_district[d.pk] = len(stations), n
        stations += [OrgUnit(name=f"{d.name}第{j + 1}派出所", kind=OrgKind.POLICE_STATION, parent=d) for j in range(n)]
    stations = _create_units(stations)
    school_units = []
    for d, count in zip(districts, per_district):
        first, n = station_of_district[d.pk]
        for j in range(count):
            school_units.append(
                OrgUnit(
                    name=f"{d.name}第{j + 1}学校",
                    kind=OrgKind.SCHOOL,
                    parent=d,
                    police_station=stations[first + j % n],
                    school_kind=rng.choices(SCHOOL_KINDS, SCHOOL_KIND_WEIGHTS)[0],
                    code=f"S{d.pk}-{j + 1}",
                )
            )
    school_units = _create_units(school_units)
    p.cities = [c.pk for c in cities]
    p.districts = [d.pk for d in districts]
    p.schools = [s.pk for s in school_units]
    return cities, districts, committees, stations, school_units


def _build_people(p: Province, tag: str, cities, districts, committees, stations, schools):
    User = get_user_model()
    plan: list[tuple[str, str, OrgUnit]] = []  # (username, role, unit)
    for c in cities:
        plan += [
            (f"b{tag}-city-admin-{c.pk}", Role.CITY_ADMIN, c),
            (f"b{tag}-auditor-{c.pk}", Role.AUDITOR, c),
            (f"b{tag}-city-supervisor-{c.pk}", Role.SUPERVISOR, c),
        ]
    for d in districts:
        plan += [
            (f"b{tag}-officer-{d.pk}", Role.DISTRICT_OFFICER, d),
            (f"b{tag}-supervisor-{d.pk}", Role.SUPERVISOR, d),
        ]
    plan += [(f"b{tag}-party-{u.pk}", Role.PARTY_COMMITTEE, u) for u in committees]
    plan += [(f"b{tag}-police-{u.pk}", Role.POLICE_STATION, u) for u in stations]
    plan += [(f"b{tag}-staff-{u.pk}", Role.SCHOOL_STAFF, u) for u in schools]
    users = User.objects.bulk_create(
        [
            User(username=name, first_name=SURNAMES[i % len(SURNAMES)] + "老师", password="!")
            for i, (name, _, _) in enumerate(plan)
        ],
        batch_size=BATCH,
    )
    Membership.objects.bulk_create(
        [Membership(user=user, org_unit=unit, role=role) for user, (_, role, unit) in zip(users, plan)],
        batch_size=BATCH,
    )
    p.users = {(role, unit.pk): user.pk for user, (_, role, unit) in zip(users, plan)}


# ---- one hazard's life ----------------------------------------------------------------------------
def _pick_state(rng: random.Random, age_days: float) -> str:
    """Older hazards are more often closed; a few open ones stay behind (some of them overdue)."""
    done = min(0.92, 0.15 + age_days / 200)
    r = rng.random()
    if r < 0.03:
        return S.CLOSED_INVALID
    if r < 0.03 + done * 0.97:
        return S.VERIFIED if rng.random() < 0.93 else S.RECTIFIED
    return rng.choices([S.REPORTED, S.ASSIGNED, S.TEMPORARY_MEASURES, S.ESCALATED, S.RECTIFIED], [12, 45, 20, 5, 18])[0]


# ---- the rows, as plain tuples in column order ------------------------------------------------------
# Model instances cost more to build than the database takes to store them (Django's Model.__init__ was a
# third of the time): the generator builds tuples and sends them with COPY (PostgreSQL) or one prepared
# INSERT run over the whole batch (``executemany``, SQLite). It assigns the primary keys itself.
MUTABLE = (
    "state",
    "responsible_person",
    "responsible_phone",
    "measures",
    "funding",
    "contingency_plan",
    "deadline",
    "deadline_basis",
    "deadline_working_days",
    "temporary_measures",
    "rectification",
    "verification_result",
)
# What a hazard holds from its report on (in the order of its first columns), then the fields the steps set.
HAZARD_HEAD = (
    "id",
    "school_id",
    "district_id",
    "city_id",
    "key_place",
    "category",
    "title",
    "description",
    "severity",
    "urgency",
    "sensitive",
    "reported_by_id",
    "reported_at",
)
HAZARD_TAIL = ("inspection_id", "checklist_item_id", "created_at")
HAZARD_FIELDS = HAZARD_HEAD + MUTABLE + HAZARD_TAIL + ("updated_at",)
HISTORY_FIELDS = (
    HAZARD_HEAD
    + MUTABLE
    + HAZARD_TAIL
    + ("history_id", "history_date", "history_change_reason", "history_type", "history_user_id")
)
TRANSITION_FIELDS = (
    "id",
    "hazard_id",
    "district_id",
    "name",
    "from_state",
    "to_state",
    "actor_id",
    "actor_role",
    "actor_unit_id",
    "occurred_at",
    "recorded_at",
    "comment",
    "payload",
    "seq",
    "prev_hash",
    "hash",
)
# A reported hazard's plan fields: what the model's defaults give before any step.
REPORTED = (S.REPORTED, "", "", "", "", "", None, DeadlineBasis.DATE, None, "", "", "")
_M = {name: i for i, name in enumerate(MUTABLE)}
CATEGORIES = list(TITLES)
CATEGORY_CUM = list(accumulate(CATEGORY_WEIGHTS))  # rng.choices with cum_weights draws as with weights
URGENCIES = [Urgency.URGENT, Urgency.PRESSING, Urgency.NORMAL]
URGENCY_CUM = list(accumulate([1, 3, 6]))
SCHOOL_ACTIONS = frozenset({"report", "record_temporary_measures", "report_rectified"})


def _columns(model, fields: tuple[str, ...]) -> list[str]:
    """The columns of ``fields``; refuses a model with a column the generator would leave unset."""
    concrete = {f.attname: f.column for f in model._meta.concrete_fields}
    if set(fields) != set(concrete):
        raise RuntimeError(
            f"{model.__name__}: 生成器的字段与模型不一致："
            f"缺少 {sorted(set(concrete) - set(fields))}，多出 {sorted(set(fields) - set(concrete))}"
        )
    return [concrete[name] for name in fields]


def _reserve_ids(model, count: int) -> int:
    """Reserve ``count`` primary keys above every key used so far; returns the first.

    PostgreSQL: the sequence moves past them (the services' next insert continues after them). SQLite:
    the batch's transaction holds the write lock, so nobody else takes keys meanwhile; the explicit keys
    move AUTOINCREMENT's counter (``sqlite_sequence``) on insert.
    """
    table, pk = model._meta.db_table, model._meta.pk.column
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', '{pk}'), "
                f"COALESCE((SELECT MAX({pk}) FROM {table}), 0) + %s, true)",
                [count],
            )
            return cursor.fetchone()[0] - count + 1
        cursor.execute(f"SELECT COALESCE(MAX({pk}), 0) FROM {table}")
        last = cursor.fetchone()[0]
        if connection.vendor == "sqlite":
            cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
            row = cursor.fetchone()
            last = max(last, row[0] if row else 0)
        return last + 1


def _insert(model, fields: tuple[str, ...], rows: list[tuple]) -> None:
    """Send rows (tuples in the order of ``fields``, values already in the database's form)."""
    if not rows:
        return
    table = connection.ops.quote_name(model._meta.db_table)
    cols = ", ".join(connection.ops.quote_name(c) for c in _columns(model, fields))
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            cursor.executemany(f"INSERT INTO {table} ({cols}) VALUES ({', '.join(['%s'] * len(fields))})", rows)


def _as_is(value):
    return value


def _sqlite_datetime(moment: datetime) -> str:
    """What Django's SQLite backend stores for an aware datetime: its UTC wall time, ``str()``-spelt."""
    if moment.tzinfo is not UTC:
        moment = moment.astimezone(UTC)
    return str(moment)[:-6]  # without "+00:00"


def _sqlite_date(day: date | None) -> str | None:
    return None if day is None else str(day)


class _Formats:
    """How values are sent: psycopg adapts datetimes and dates itself; SQLite gets Django's spelling."""

    def __init__(self):
        sqlite = connection.vendor != "postgresql"
        self.datetime = _sqlite_datetime if sqlite else _as_is
        self.date = _sqlite_date if sqlite else _as_is


@contextmanager
def _bulk_load_settings():
    """SQLite only, for the generator's run: no fsync at each batch's commit (``synchronous=OFF``: a
    killed process loses nothing committed, a power cut may) and a 512 MiB page cache, so the indexes
    of a million-row table stay in memory. Both are restored afterwards; PostgreSQL needs nothing."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA synchronous")
        synchronous = cursor.fetchone()[0]
        cursor.execute("PRAGMA cache_size")
        cache_size = cursor.fetchone()[0]
        # The safety level cannot change inside a transaction (a test's, a caller's atomic block).
        change_sync = not connection.in_atomic_block
        if change_sync:
            cursor.execute("PRAGMA synchronous = OFF")
        cursor.execute("PRAGMA cache_size = -524288")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            if change_sync and not connection.in_atomic_block:
                cursor.execute(f"PRAGMA synchronous = {int(synchronous)}")
            cursor.execute(f"PRAGMA cache_size = {int(cache_size)}")


def generate_province(
    *, schools: int, hazards: int, seed: int = 1, days: int = 365, progress: Callable[[str], None] | None = None
) -> Province:
    """Build the province; every batch of hazards is one transaction. Returns what was made."""
    with _bulk_load_settings():
        return _generate(schools=schools, hazards=hazards, seed=seed, days=days, progress=progress)


def _generate(*, schools, hazards, seed, days, progress) -> Province:
    rng = random.Random(seed)
    say = progress or (lambda msg: None)
    p = Province()
    tag = f"{seed}-{int(time.time()) % 100000}"
    started = time.monotonic()
    with transaction.atomic():
        cities, districts, committees, stations, school_units = _build_org(p, schools, rng, tag)
        _build_people(p, tag, cities, districts, committees, stations, school_units)
    p.seconds["organisation"] = time.monotonic() - started
    say(
        f"{len(p.cities)} 市，{len(p.districts)} 区，{len(p.schools)} 校，{len(p.users)} 用户："
        f"{p.seconds['organisation']:.1f} 秒"
    )

    now = _now()
    # Each district's chain continues from its head (a fresh district starts at the genesis).
    heads = {d: [0, GENESIS] for d in p.districts}
    school_rows = list(
        OrgUnit.objects.filter(pk__in=p.schools).values_list("pk", "district_id", "city_id", "police_station_id")
    )
    people = _People(p)
    fmt = _Formats()
    t0 = time.monotonic()
    reported_times = sorted(now - timedelta(days=rng.random() * days) for _ in range(hazards))
    done = 0
    while done < hazards:
        chunk = reported_times[done : done + BATCH]
        with transaction.atomic():
            before = {d: h[0] for d, h in heads.items()}
            n = _write_chunk(chunk, rng, now, school_rows, people, heads, fmt)
            # The heads move with each batch: a run stopped half-way leaves whole, verifiable chains.
            _save_heads({d: h for d, h in heads.items() if h[0] != before[d]})
        p.transitions += n
        done += len(chunk)
        if done % (BATCH * 20) == 0 or done == hazards:
            rate = done / max(time.monotonic() - t0, 1e-9)
            say(f"  {done}/{hazards} 隐患，{p.transitions} 条流转记录（{rate:.0f} 隐患/秒）")
    p.hazards = hazards
    p.seconds["hazards"] = time.monotonic() - t0
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for model in (Hazard, Hazard.history.model, HazardTransition):
                cursor.execute(f"ANALYZE {model._meta.db_table}")
    p.seconds["total"] = time.monotonic() - started
    return p


def _save_heads(heads: dict) -> None:
    for district_id, (seq, last_hash) in heads.items():
        AuditChainHead.objects.update_or_create(
            chain=hazard_chain_key(district_id), defaults={"seq": seq, "last_hash": last_hash}
        )


class _People:
    """Who does each step of a hazard at a school (the same people the services would accept)."""

    def __init__(self, p: Province):
        self.users = p.users
        self.city_supervisor = {c: p.users[(Role.SUPERVISOR, c)] for c in p.cities}

    def reporter(self, sensitive: bool, school_id: int, station_id: int) -> int:
        return (
            self.users[(Role.POLICE_STATION, station_id)] if sensitive else self.users[(Role.SCHOOL_STAFF, school_id)]
        )

    def actors(self, sensitive, reporter, school_id, district_id, city_id, station_id):
        """(school's steps, district's steps, verification): each (user id, role, unit id)."""
        if sensitive:  # the police station reports and handles it; the city's supervisor verifies
            police = (reporter, Role.POLICE_STATION, station_id)
            return police, police, (self.city_supervisor[city_id], Role.SUPERVISOR, city_id)
        return (
            (reporter, Role.SCHOOL_STAFF, school_id),
            (self.users[(Role.DISTRICT_OFFICER, district_id)], Role.DISTRICT_OFFICER, district_id),
            (self.users[(Role.SUPERVISOR, district_id)], Role.SUPERVISOR, district_id),
        )


def _write_chunk(chunk, rng, now, school_rows, people, heads, fmt) -> int:
    """One batch of hazards: their rows, history and chained records, inserted. Returns the record count.

    The random draws are made in the order of the generator's first (model-instance) version, so a seed
    still gives the same province.
    """
    n_schools = len(school_rows)
    too_young = now - timedelta(minutes=5)
    # 1. What each hazard is, and which steps it has been through.
    drafts = []
    for reported_at in chunk:
        school_id, district_id, city_id, station_id = school_rows[rng.randrange(n_schools)]
        category = rng.choices(CATEGORIES, cum_weights=CATEGORY_CUM)[0]
        sensitive = category in (Category.STABILITY, Category.SURROUNDINGS) and rng.random() < 0.3
        major = rng.random() < 0.06
        reporter = people.reporter(sensitive, school_id, station_id)
        title = rng.choice(TITLES[category])
        key_place = KeyPlace.SURROUNDINGS if category == Category.SURROUNDINGS else rng.choice(KEY_PLACES)
        urgency = rng.choices(URGENCIES, cum_weights=URGENCY_CUM)[0]
        created_at = reported_at + timedelta(minutes=rng.randint(1, 90))
        age = (now - reported_at).total_seconds() / 86400
        steps, moment = [("report", reported_at)], reported_at
        for action in PATHS[_pick_state(rng, age)]:
            gap = timedelta(hours=rng.uniform(2, 24 * min(20, max(age / 6, 0.2))))
            moment = moment + gap
            if moment > too_young:
                break  # too young to have got further
            steps.append((action, moment))
        head = [
            None,
            school_id,
            district_id,
            city_id,
            key_place,
            category,
            title,
            f"{title}，现场检查发现，需按期整改。",
            Severity.MAJOR if major else Severity.GENERAL,
            urgency,
            sensitive,
            reporter,
            reported_at,
        ]
        drafts.append((head, created_at, steps, station_id))
    # 2. Each step's effect on the plan fields: a snapshot after every step (the row's history).
    n_records, snapshots_of = 0, []
    for head, _, steps, _ in drafts:
        major = head[8] == Severity.MAJOR
        values = list(REPORTED)
        snapshots = [tuple(values)]
        for action, moment in steps[1:]:
            if action == "assign":
                days = rng.choice([7, 15, 30, 30, 60]) * (2 if major else 1)
                values[_M["responsible_person"]] = rng.choice(SURNAMES) + "主任"
                values[_M["responsible_phone"]] = "1380000" + f"{rng.randrange(10000):04d}"
                values[_M["measures"]] = "制定整改方案，限期完成整改"
                values[_M["deadline"]] = timezone.localdate(moment) + timedelta(days=days)
                values[_M["deadline_basis"]] = DeadlineBasis.DATE
                values[_M["deadline_working_days"]] = None
                values[_M["funding"]] = "专项经费" if major else ""
                values[_M["contingency_plan"]] = "设置警戒区并专人值守" if major else ""
            elif action == "record_temporary_measures":
                values[_M["temporary_measures"]] = "设置警示标志，安排专人看守"
            elif action == "escalate":
                values[_M["temporary_measures"]] = values[_M["temporary_measures"]] or "设置警示标志，安排专人看守"
            elif action == "report_rectified":
                values[_M["rectification"]] = "已按方案整改完毕"
            elif action == "verify":
                values[_M["verification_result"]] = "现场验收合格"
            values[0] = TARGET[action]
            snapshots.append(tuple(values))
        snapshots_of.append(snapshots)
        n_records += len(snapshots)
    # 3. The rows: the hazard as it is now, one history row and one chained record per step.
    hazard_id = _reserve_ids(Hazard, len(drafts))
    HistoricalHazard = Hazard.history.model
    history_id = _reserve_ids(HistoricalHazard, n_records)  # its key is history_id (simple-history)
    record_id = _reserve_ids(HazardTransition, n_records)
    dt, day = fmt.datetime, fmt.date
    hazard_rows, history_rows, records = [], [], []
    for (head, created_at, steps, station_id), snapshots in zip(drafts, snapshots_of):
        _, school_id, district_id, city_id = head[:4]
        sensitive, reporter, reported_at = head[10], head[11], head[12]
        at_school, at_district, verifying = people.actors(
            sensitive, reporter, school_id, district_id, city_id, station_id
        )
        head[0] = hazard_id
        head[12] = dt(reported_at)
        stored_head = tuple(head)
        tail = (None, None, dt(created_at))
        chain = heads[district_id]
        prev_state = ""
        for (action, moment), values in zip(steps, snapshots):
            actor, role, unit = (
                at_school if action in SCHOOL_ACTIONS else verifying if action == "verify" else at_district
            )
            recorded = min(moment + timedelta(minutes=rng.randint(1, 90)), now)
            stored = values[:6] + (day(values[6]),) + values[7:]
            history_rows.append(
                stored_head
                + stored
                + tail
                + (history_id, dt(recorded), action, "+" if action == "report" else "~", actor)
            )
            history_id += 1
            payload = _payload(action, head, values)
            occurred_at, recorded_at = moment.astimezone(UTC), recorded.astimezone(UTC)
            seq, prev_hash = chain[0] + 1, chain[1]
            digest = compute_hash(
                prev_hash,
                transition_content_of(
                    seq=seq,
                    district_id=district_id,
                    hazard_id=hazard_id,
                    name=action,
                    from_state=prev_state,
                    to_state=values[0],
                    actor_id=actor,
                    actor_role=role,
                    actor_unit_id=unit,
                    occurred_at=occurred_at,
                    recorded_at=recorded_at,
                    comment="",
                    payload=payload,
                ),
            )
            records.append(
                (
                    record_id,
                    hazard_id,
                    district_id,
                    action,
                    prev_state,
                    values[0],
                    actor,
                    role,
                    unit,
                    dt(occurred_at),
                    dt(recorded_at),
                    "",
                    json.dumps(payload),
                    seq,
                    prev_hash,
                    digest,
                )
            )
            record_id += 1
            chain[0], chain[1] = seq, digest
            prev_state = values[0]
        updated_at = steps[-1][1] + timedelta(minutes=1)
        hazard_rows.append(stored_head + stored + tail + (dt(updated_at),))
        hazard_id += 1
    _insert(Hazard, HAZARD_FIELDS, hazard_rows)
    _insert(HistoricalHazard, HISTORY_FIELDS, history_rows)
    _insert(HazardTransition, TRANSITION_FIELDS, records)
    return len(records)


def _payload(action: str, head: list, values: tuple) -> dict:
    """What the service records in the transition's payload (key order as the services write it)."""
    if action == "report":
        return {
            "title": head[6],
            "severity": head[8],
            "urgency": head[9],
            "category": head[5],
            "key_place": head[4],
            "sensitive": head[10],
            "school": head[1],
        }
    if action == "assign":
        return {
            name: values[_M[name]]
            for name in ("responsible_person", "responsible_phone", "measures", "funding", "contingency_plan")
        } | {"deadline": values[_M["deadline"]].isoformat(), "deadline_basis": "date", "deadline_working_days": None}
    if action == "record_temporary_measures":
        return {"measures": values[_M["temporary_measures"]]}
    if action == "escalate":
        return {"reason": "需跨部门协调解决", "temporary_measures": values[_M["temporary_measures"]]}
    if action == "report_rectified":
        return {"description": values[_M["rectification"]]}
    if action == "verify":
        return {"result": values[_M["verification_result"]]}
    return {"reason": "重复上报"}
