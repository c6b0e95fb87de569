"""A province of generated data, inserted in bulk: what the per-hazard services would have written.

``generate_province(schools=N, hazards=M, seed=S)`` builds cities, districts (about one per 300
schools), police stations, party committees, schools, users per role per unit, and hazards spread over
the last year in every state. For each hazard it writes what the services would: the hazard row, one
simple-history row per save, and one hash-chained transition record per step, in each district's
chain (``casework.audit.chain``), then the chain heads. It never calls the services (one transaction
per hazard would take hours at a million); the notifications' outbox and the viewflow processes are
not generated (the flow starts a process on a hazard's next transition, ``workflows.sync``).

Rows go in with ``bulk_create`` in batches; on PostgreSQL the hazards, history and transition rows
are sent with COPY, which is several times faster.
"""
from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone
from psycopg.types.json import Jsonb

from casework.audit.chain import GENESIS, compute_hash, hazard_chain_key, transition_content
from casework.models import (
    AuditChainHead,
    Category,
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
    "assign": S.ASSIGNED, "record_temporary_measures": S.TEMPORARY_MEASURES, "escalate": S.ESCALATED,
    "report_rectified": S.RECTIFIED, "verify": S.VERIFIED, "close_invalid": S.CLOSED_INVALID,
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
    districts = _create_units([
        OrgUnit(name=f"基准区{tag}-{i + 1:03d}", kind=OrgKind.DISTRICT, parent=cities[i % n_cities])
        for i in range(n_districts)
    ])
    committees = _create_units([OrgUnit(name=f"{d.name}党委政府", kind=OrgKind.PARTY_COMMITTEE, parent=d)
                                for d in districts])
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
            school_units.append(OrgUnit(
                name=f"{d.name}第{j + 1}学校", kind=OrgKind.SCHOOL, parent=d, police_station=stations[first + j % n],
                school_kind=rng.choices(SCHOOL_KINDS, SCHOOL_KIND_WEIGHTS)[0], code=f"S{d.pk}-{j + 1}",
            ))
    school_units = _create_units(school_units)
    p.cities = [c.pk for c in cities]
    p.districts = [d.pk for d in districts]
    p.schools = [s.pk for s in school_units]
    return cities, districts, committees, stations, school_units


def _build_people(p: Province, tag: str, cities, districts, committees, stations, schools):
    User = get_user_model()
    plan: list[tuple[str, str, OrgUnit]] = []  # (username, role, unit)
    for c in cities:
        plan += [(f"b{tag}-city-admin-{c.pk}", Role.CITY_ADMIN, c), (f"b{tag}-auditor-{c.pk}", Role.AUDITOR, c),
                 (f"b{tag}-city-supervisor-{c.pk}", Role.SUPERVISOR, c)]
    for d in districts:
        plan += [(f"b{tag}-officer-{d.pk}", Role.DISTRICT_OFFICER, d), (f"b{tag}-supervisor-{d.pk}", Role.SUPERVISOR, d)]
    plan += [(f"b{tag}-party-{u.pk}", Role.PARTY_COMMITTEE, u) for u in committees]
    plan += [(f"b{tag}-police-{u.pk}", Role.POLICE_STATION, u) for u in stations]
    plan += [(f"b{tag}-staff-{u.pk}", Role.SCHOOL_STAFF, u) for u in schools]
    users = User.objects.bulk_create(
        [User(username=name, first_name=SURNAMES[i % len(SURNAMES)] + "老师", password="!") for i, (name, _, _) in
         enumerate(plan)],
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
    return rng.choices([S.REPORTED, S.ASSIGNED, S.TEMPORARY_MEASURES, S.ESCALATED, S.RECTIFIED],
                       [12, 45, 20, 5, 18])[0]


class _Writer:
    """Collect rows per model and send them in batches (COPY on PostgreSQL, bulk_create elsewhere)."""

    def __init__(self):
        self.copy = connection.vendor == "postgresql"
        self.rows: dict[type, list] = {}

    def add(self, model, obj):
        self.rows.setdefault(model, []).append(obj)

    def flush(self):
        for model, objs in self.rows.items():
            if objs:
                (_copy if self.copy else _bulk)(model, objs)
        self.rows = {}


def _bulk(model, objs):
    model.objects.bulk_create(objs, batch_size=BATCH)


def _copy(model, objs):
    """COPY ... FROM STDIN for objects whose primary keys are set (psycopg formats the rows)."""
    names = [f.attname for f in model._meta.concrete_fields]
    json_names = {f.attname for f in model._meta.concrete_fields if f.get_internal_type() == "JSONField"}
    cols = ", ".join(connection.ops.quote_name(f.column) for f in model._meta.concrete_fields)
    with connection.cursor() as cursor:
        with cursor.cursor.copy(f"COPY {model._meta.db_table} ({cols}) FROM STDIN") as copy:
            for obj in objs:
                d = obj.__dict__
                copy.write_row([Jsonb(d[n]) if n in json_names else d[n] for n in names])


def _next_ids(model, count: int) -> int:
    """Reserve ``count`` primary keys; returns the first. PostgreSQL: from the sequence."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', '{model._meta.pk.column}'), "
                       f"COALESCE((SELECT MAX({model._meta.pk.column}) FROM {table}), 0) + %s, true)", [count])
        last = cursor.fetchone()[0]
    return last - count + 1


def generate_province(*, schools: int, hazards: int, seed: int = 1, days: int = 365,
                      progress: Callable[[str], None] | None = None) -> Province:
    """Build the province; every batch of hazards is one transaction. Returns what was made."""
    rng = random.Random(seed)
    say = progress or (lambda msg: None)
    p = Province()
    tag = f"{seed}-{int(time.time()) % 100000}"
    started = time.monotonic()
    with transaction.atomic():
        cities, districts, committees, stations, school_units = _build_org(p, schools, rng, tag)
        _build_people(p, tag, cities, districts, committees, stations, school_units)
    p.seconds["organisation"] = time.monotonic() - started
    say(f"{len(p.cities)} 市，{len(p.districts)} 区，{len(p.schools)} 校，{len(p.users)} 用户："
        f"{p.seconds['organisation']:.1f} 秒")

    now = _now()
    # Each district's chain continues from its head (a fresh district starts at the genesis).
    heads = {d: [0, GENESIS] for d in p.districts}
    school_rows = list(OrgUnit.objects.filter(pk__in=p.schools).values_list("pk", "district_id", "city_id",
                                                                             "police_station_id"))
    committee_of = {c.parent_id: c.pk for c in committees}
    city_supervisor = {c: p.users[(Role.SUPERVISOR, c)] for c in p.cities}
    HistoricalHazard = Hazard.history.model
    writer = _Writer()
    t0 = time.monotonic()
    reported_times = sorted(now - timedelta(days=rng.random() * days) for _ in range(hazards))
    done = 0
    while done < hazards:
        chunk = reported_times[done:done + BATCH]
        with transaction.atomic():
            before = {d: h[0] for d, h in heads.items()}
            n = _write_chunk(chunk, rng, now, school_rows, p, committee_of, city_supervisor, heads, writer,
                             HistoricalHazard)
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
            for model in (Hazard, HistoricalHazard, HazardTransition):
                cursor.execute(f"ANALYZE {model._meta.db_table}")
    p.seconds["total"] = time.monotonic() - started
    return p


def _save_heads(heads: dict) -> None:
    for district_id, (seq, last_hash) in heads.items():
        AuditChainHead.objects.update_or_create(chain=hazard_chain_key(district_id),
                                                defaults={"seq": seq, "last_hash": last_hash})


def _write_chunk(chunk, rng, now, school_rows, p, committee_of, city_supervisor, heads, writer, HistoricalHazard):
    copy = writer.copy
    hazard_objs, steps_of = [], []
    for reported_at in chunk:
        school_id, district_id, city_id, station_id = school_rows[rng.randrange(len(school_rows))]
        category = rng.choices(list(TITLES), CATEGORY_WEIGHTS)[0]
        sensitive = category in (Category.STABILITY, Category.SURROUNDINGS) and rng.random() < 0.3
        major = rng.random() < 0.06
        reporter = p.users[(Role.POLICE_STATION, station_id)] if sensitive else p.users[(Role.SCHOOL_STAFF, school_id)]
        title = rng.choice(TITLES[category])
        h = Hazard(
            school_id=school_id, district_id=district_id, city_id=city_id, category=category,
            key_place=KeyPlace.SURROUNDINGS if category == Category.SURROUNDINGS else rng.choice(KEY_PLACES),
            title=title, description=f"{title}，现场检查发现，需按期整改。",
            severity=Severity.MAJOR if major else Severity.GENERAL,
            urgency=rng.choices([Urgency.URGENT, Urgency.PRESSING, Urgency.NORMAL], [1, 3, 6])[0],
            sensitive=sensitive, reported_by_id=reporter, reported_at=reported_at, state=S.REPORTED,
            created_at=reported_at + timedelta(minutes=rng.randint(1, 90)),
        )
        h.updated_at = h.created_at
        age = (now - reported_at).total_seconds() / 86400
        state = _pick_state(rng, age)
        steps, moment = [], reported_at
        for action in PATHS[state]:
            gap = timedelta(hours=rng.uniform(2, 24 * min(20, max(age / 6, 0.2))))
            moment = moment + gap
            if moment > now - timedelta(minutes=5):
                break  # too young to have got further
            steps.append((action, moment))
        hazard_objs.append(h)
        steps_of.append((steps, (school_id, district_id, city_id, station_id), reporter))
    if copy:
        first = _next_ids(Hazard, len(hazard_objs))
        for i, h in enumerate(hazard_objs):
            h.pk = first + i
    history, records = [], []
    for h, (steps, (school_id, district_id, city_id, station_id), reporter) in zip(hazard_objs, steps_of):
        officer = p.users[(Role.POLICE_STATION, station_id)] if h.sensitive else p.users[(Role.DISTRICT_OFFICER, district_id)]
        school_doer = reporter
        verifier = city_supervisor[city_id] if h.sensitive else p.users[(Role.SUPERVISOR, district_id)]
        actor_of = {
            "report": (reporter, Role.POLICE_STATION if h.sensitive else Role.SCHOOL_STAFF,
                       station_id if h.sensitive else school_id),
            "assign": (officer, Role.POLICE_STATION if h.sensitive else Role.DISTRICT_OFFICER,
                       station_id if h.sensitive else district_id),
            "close_invalid": (officer, Role.POLICE_STATION if h.sensitive else Role.DISTRICT_OFFICER,
                              station_id if h.sensitive else district_id),
            "escalate": (officer, Role.POLICE_STATION if h.sensitive else Role.DISTRICT_OFFICER,
                         station_id if h.sensitive else district_id),
            "record_temporary_measures": (school_doer, Role.POLICE_STATION if h.sensitive else Role.SCHOOL_STAFF,
                                          station_id if h.sensitive else school_id),
            "report_rectified": (school_doer, Role.POLICE_STATION if h.sensitive else Role.SCHOOL_STAFF,
                                 station_id if h.sensitive else school_id),
            "verify": (verifier, Role.SUPERVISOR, city_id if h.sensitive else district_id),
        }
        h._steps = [("report", h.reported_at)] + steps
        h._actor_of = actor_of
    if not copy:
        # bulk_create needs the rows first (for their ids); their final fields are set below and updated once.
        _prepare_final(hazard_objs, rng, now)
        Hazard.objects.bulk_create(hazard_objs, batch_size=BATCH)
    else:
        _prepare_final(hazard_objs, rng, now)
    for h in hazard_objs:
        _history_and_records(h, rng, now, heads, history, records, HistoricalHazard)
    if copy:
        _copy(Hazard, hazard_objs)
        first = _next_ids(HistoricalHazard, len(history))
        for i, row in enumerate(history):
            row.history_id = first + i
        _copy(HistoricalHazard, history)
        first = _next_ids(HazardTransition, len(records))
        for i, r in enumerate(records):
            r.pk = first + i
    else:
        HistoricalHazard.objects.bulk_create(history, batch_size=BATCH)
    _chain(records, heads)
    if copy:
        _copy(HazardTransition, records)
    else:
        HazardTransition.objects.bulk_create(records, batch_size=BATCH)
    return len(records)


def _prepare_final(hazards, rng, now):
    """Walk each hazard's steps to get its final fields (what the row holds today)."""
    for h in hazards:
        h._snapshots = []  # (action, moment, field values after the step)
        values = {"state": S.REPORTED}
        h._snapshots.append(("report", h.reported_at, dict(values)))
        for action, moment in h._steps[1:]:
            if action == "assign":
                days = rng.choice([7, 15, 30, 30, 60]) * (2 if h.severity == Severity.MAJOR else 1)
                values.update(
                    responsible_person=rng.choice(SURNAMES) + "主任", responsible_phone="1380000" + f"{rng.randrange(10000):04d}",
                    measures="制定整改方案，限期完成整改", deadline=timezone.localdate(moment) + timedelta(days=days),
                    deadline_basis="date", deadline_working_days=None,
                    funding="专项经费" if h.severity == Severity.MAJOR else "",
                    contingency_plan="设置警戒区并专人值守" if h.severity == Severity.MAJOR else "",
                )
            elif action in ("record_temporary_measures",):
                values["temporary_measures"] = "设置警示标志，安排专人看守"
            elif action == "escalate":
                values["temporary_measures"] = values.get("temporary_measures") or "设置警示标志，安排专人看守"
            elif action == "report_rectified":
                values["rectification"] = "已按方案整改完毕"
            elif action == "verify":
                values["verification_result"] = "现场验收合格"
            values["state"] = TARGET[action]
            h._snapshots.append((action, moment, dict(values)))
        for name, value in values.items():
            h.__dict__[name] = value  # the FSM field is protected against setattr; this is its final value
        h.updated_at = h._steps[-1][1] + timedelta(minutes=1)


HISTORY_FIELDS = None


def _history_and_records(h, rng, now, heads, history, records, HistoricalHazard):
    global HISTORY_FIELDS
    if HISTORY_FIELDS is None:
        HISTORY_FIELDS = [f.attname for f in Hazard._meta.concrete_fields if f.attname != "updated_at"]
    base = {name: getattr(h, name) for name in HISTORY_FIELDS}
    # The row as it was right after the report: none of the later fields set.
    base.update(responsible_person="", responsible_phone="", measures="", funding="", contingency_plan="",
                deadline=None, deadline_basis="date", deadline_working_days=None, temporary_measures="",
                rectification="", verification_result="")
    prev_state = ""
    for action, moment, values in h._snapshots:
        actor, role, unit = h._actor_of[action]
        recorded = min(moment + timedelta(minutes=rng.randint(1, 90)), now)
        row = dict(base)
        row.update(values)
        history.append(HistoricalHazard(
            **row, history_date=recorded, history_change_reason=action, history_type="+" if action == "report" else "~",
            history_user_id=actor,
        ))
        payload = _payload(action, h, values)
        records.append(HazardTransition(
            hazard_id=h.pk, district_id=h.district_id, name=action, from_state=prev_state, to_state=values["state"],
            actor_id=actor, actor_role=role, actor_unit_id=unit, occurred_at=moment.astimezone(UTC),
            recorded_at=recorded.astimezone(UTC), comment="", payload=payload,
        ))
        prev_state = values["state"]


def _payload(action: str, h: Hazard, values: dict) -> dict:
    if action == "report":
        return {"title": h.title, "severity": h.severity, "urgency": h.urgency, "category": h.category,
                "key_place": h.key_place, "sensitive": h.sensitive, "school": h.school_id}
    if action == "assign":
        return {name: values[name] for name in ("responsible_person", "responsible_phone", "measures", "funding",
                                                 "contingency_plan")} | {
            "deadline": values["deadline"].isoformat(), "deadline_basis": "date", "deadline_working_days": None}
    if action == "record_temporary_measures":
        return {"measures": values["temporary_measures"]}
    if action == "escalate":
        return {"reason": "需跨部门协调解决", "temporary_measures": values["temporary_measures"]}
    if action == "report_rectified":
        return {"description": values["rectification"]}
    if action == "verify":
        return {"result": values["verification_result"]}
    return {"reason": "重复上报"}


def _chain(records: list[HazardTransition], heads: dict) -> None:
    """Give each record its place in its district's chain, in the order given (ids rise in that order)."""
    for r in records:
        head = heads[r.district_id]
        r.seq = head[0] + 1
        r.prev_hash = head[1]
        r.hash = compute_hash(r.prev_hash, transition_content(r))
        head[0], head[1] = r.seq, r.hash
