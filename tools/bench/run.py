"""The benchmark behind ``manage.py bench`` / ``make bench``: every path against its raw-SQL floor.

Each row runs the real code path and, interleaved with it in the same run, the bare SQL for the same
work (the floor), ``repeats`` times each; it reports the median and p95 of both and their ratio.
It writes to the database it runs on (transitions of hazards it reports itself, a bench campaign):
run it on a database made for it (``generate_province``), never on production data.
"""

from __future__ import annotations

import math
import statistics
import threading
import time
import tracemalloc
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import connection, connections, transaction
from django.db.models import Count, Q
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from casework.access import ReportSide, hazards_for_report, report_units_for
from casework.audit.chain import compute_hash, hazard_chain_key, transition_content
from casework.models import Campaign, Hazard, HazardState, HazardTransition, Membership, OrgKind, OrgUnit, Role
from casework.rules.lifecycle import OVERDUE_STATES
from casework.selectors.ledger import LedgerFilters, ledger_for, ledger_page
from casework.selectors.ledger_export import write_ledger_xlsx
from casework.services import transitions as svc

User = get_user_model()


# ---- figures -----------------------------------------------------------------------------------
def p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


@dataclass
class Row:
    name: str
    unit: str  # "ms" (lower is better) or "/s" (higher is better)
    samples: list[float]
    floor: list[float] | None = None
    target: str = ""
    met: bool | None = None
    note: str = ""

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def p95(self) -> float:
        # For a rate, the p95 is the slow end: the 5th percentile of the rates.
        return p95(self.samples) if self.unit == "ms" else sorted(self.samples)[int(0.05 * (len(self.samples) - 1))]

    @property
    def floor_median(self) -> float | None:
        return statistics.median(self.floor) if self.floor else None

    @property
    def ratio(self) -> float | None:
        if not self.floor_median:
            return None
        return self.median / self.floor_median if self.unit == "ms" else self.floor_median / self.median


@dataclass
class Report:
    rows: list[Row] = field(default_factory=list)
    facts: list[tuple[str, str]] = field(default_factory=list)

    def add(self, row: Row) -> Row:
        self.rows.append(row)
        return row


def _fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "ms":
        return f"{value:.1f} ms" if value < 1000 else f"{value / 1000:.2f} s"
    if unit == "MiB":
        return f"{value:.1f} MiB"
    return f"{value:,.0f}{unit}"


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def render_table(report: Report) -> str:
    head = ["测量项", "中位数", "p95", "SQL 底线（中位数）", "倍数", "目标", "达标"]
    body = []
    for r in report.rows:
        body.append(
            [
                r.name,
                _fmt(r.median, r.unit),
                _fmt(r.p95, r.unit),
                _fmt(r.floor_median, r.unit),
                f"{r.ratio:.2f}×" if r.ratio is not None else "—",
                r.target,
                {True: "是", False: "否", None: "—"}[r.met] + (f"（{r.note}）" if r.note else ""),
            ]
        )
    widths = [max(_width(line[i]) for line in [head, *body]) for i in range(len(head))]

    def line(cells):
        return "| " + " | ".join(c + " " * (w - _width(c)) for c, w in zip(cells, widths)) + " |"

    out = [line(head), "|" + "|".join("-" * (w + 2) for w in widths) + "|"] + [line(b) for b in body]
    if report.facts:
        out.append("")
        out += [f"{k}：{v}" for k, v in report.facts]
    return "\n".join(out)


# ---- the setting -------------------------------------------------------------------------------
@dataclass
class Setting:
    district: OrgUnit
    city: OrgUnit
    officer: User
    city_admin: User
    staff: dict[int, User]  # school id -> school staff
    schools: list[OrgUnit]
    party: User | None = None  # the district's party committee (sees the escalated cases)


def _member(role: str, unit: OrgUnit) -> User:
    m = Membership.objects.filter(role=role, org_unit=unit, active=True).select_related("user").order_by("pk").first()
    if m is None:
        raise LookupError(f"没有 {unit} 的 {role} 用户：请先运行 generate_province。")
    return m.user


def find_setting(district: OrgUnit | None = None) -> Setting:
    """The benchmark's district: the one with the most schools (about 300 in a generated province)."""
    if district is None:
        district = (
            OrgUnit.objects.filter(kind=OrgKind.DISTRICT)
            .annotate(n=Count("children", filter=Q(children__kind=OrgKind.SCHOOL)))
            .order_by("-n", "pk")
            .first()
        )
        if district is None:
            raise LookupError("数据库中没有辖市区：请先运行 generate_province。")
    city = district.parent
    schools = list(OrgUnit.objects.filter(kind=OrgKind.SCHOOL, district=district).order_by("pk"))
    staff = {
        m.org_unit_id: m.user
        for m in Membership.objects.filter(role=Role.SCHOOL_STAFF, org_unit__in=schools, active=True).select_related(
            "user"
        )
    }
    committee = OrgUnit.objects.filter(kind=OrgKind.PARTY_COMMITTEE, parent=district).order_by("pk").first()
    return Setting(
        district=district,
        city=city,
        officer=_member(Role.DISTRICT_OFFICER, district),
        city_admin=_member(Role.CITY_ADMIN, city),
        staff=staff,
        schools=[s for s in schools if s.pk in staff],
        party=_member(Role.PARTY_COMMITTEE, committee) if committee else None,
    )


# ---- transitions -------------------------------------------------------------------------------
def report_hazards(setting: Setting, n: int) -> list[int]:
    """Fresh hazards, reported through the service (each with its flow process), ready to be assigned."""
    ids = []
    when = timezone.now() - timedelta(hours=3)
    for i in range(n):
        school = setting.schools[i % len(setting.schools)]
        h = svc.hazard_report(
            actor=setting.staff[school.pk],
            school_id=school.pk,
            title="基准测试隐患",
            description="基准测试：消防通道堆放杂物",
            category="fire",
            key_place="gate",
            occurred_at=when,
        )
        ids.append(h.pk)
    return ids


def assign_through_service(setting: Setting, hazard_id: int) -> None:
    svc.hazard_assign(
        hazard_id=hazard_id,
        actor=setting.officer,
        responsible_person="王主任",
        measures="清理通道",
        deadline=timezone.localdate() + timedelta(days=15),
        occurred_at=timezone.now() - timedelta(hours=1),
    )


class Floor:
    """The bare SQL of one assignment, in one transaction: what the service must do, minus Python.

    The reads the service cannot skip: the actor's memberships (role and scope check), the hazard
    locked with what the notification names (title, school), the last transition's time, the chain
    head locked, the notification's audience (the school's active staff) and their external channels
    (deliveries to queue), the hazard's flow process locked and its open task. The writes: the hazard,
    its history row, the hashed transition record, the chain head, the notification, and the flow's
    task rows (the finished task, the route and the next task, their two links), as raw statements
    with their values computed in place. (No delivery rows: in generated data nobody chose an external
    channel, so the service writes none either; the channel read above is what decides that.)
    """

    def __init__(self):
        from notifications.channels import CHANNELS, EXTERNAL
        from notifications.models import Notification
        from workflows.flows import HazardFlow

        self.hist = Hazard.history.model
        self.for_update = " FOR UPDATE" if connection.features.has_select_for_update else ""
        self.for_update_of = " FOR UPDATE OF h" if connection.features.has_select_for_update_of else self.for_update
        hazard_cols = [f.column for f in Hazard._meta.concrete_fields if f.attname != "updated_at"]
        self.hist_cols = ", ".join(
            hazard_cols + ["history_date", "history_change_reason", "history_type", "history_user_id"]
        )
        self.hist_select = ", ".join(hazard_cols)
        self.notification_table = Notification._meta.db_table
        self.channels = [name for name in EXTERNAL if CHANNELS[name].is_configured()] or [""]
        self.route, self.rectify = (
            HazardFlow.task_class._meta.get_field("flow_task").get_prep_value(n)
            for n in (HazardFlow.route, HazardFlow.rectify)
        )

    def assign(self, setting: Setting, hazard_id: int) -> None:
        now = timezone.now()
        occurred = now - timedelta(hours=1)
        deadline = timezone.localdate() + timedelta(days=15)
        officer, district = setting.officer, setting.district
        with transaction.atomic(), connection.cursor() as c:
            # Role and scope: the actor's memberships.
            c.execute(
                "SELECT m.id, m.role, m.org_unit_id, u.kind FROM casework_membership m JOIN casework_orgunit u "
                "ON u.id = m.org_unit_id WHERE m.user_id = %s AND m.active",
                [officer.pk],
            )
            assert any(role == Role.DISTRICT_OFFICER and unit == district.pk for _, role, unit, _ in c.fetchall())
            c.execute(
                "SELECT h.id, h.state, h.school_id, h.district_id, h.sensitive, h.title, s.name "
                f"FROM casework_hazard h JOIN casework_orgunit s ON s.id = h.school_id WHERE h.id = %s"
                f"{self.for_update_of}",
                [hazard_id],
            )
            _, from_state, school_id, _, _, title, school_name = c.fetchone()
            c.execute("SELECT MAX(occurred_at) FROM casework_hazardtransition WHERE hazard_id = %s", [hazard_id])
            c.execute(
                "UPDATE casework_hazard SET state = %s, responsible_person = %s, measures = %s, deadline = %s, "
                "deadline_basis = 'date', updated_at = %s WHERE id = %s",
                [HazardState.ASSIGNED, "王主任", "清理通道", deadline, now, hazard_id],
            )
            c.execute(
                f"INSERT INTO {self.hist._meta.db_table} ({self.hist_cols}) SELECT {self.hist_select}, "
                f"%s, 'assign', '~', %s FROM casework_hazard WHERE id = %s",
                [now, officer.pk, hazard_id],
            )
            key = hazard_chain_key(district.pk)
            c.execute(f"SELECT seq, last_hash FROM casework_auditchainhead WHERE chain = %s{self.for_update}", [key])
            seq, last_hash = c.fetchone()
            record = HazardTransition(
                hazard_id=hazard_id,
                district_id=district.pk,
                name="assign",
                from_state=from_state,
                to_state=HazardState.ASSIGNED,
                actor_id=officer.pk,
                actor_role=Role.DISTRICT_OFFICER,
                actor_unit_id=district.pk,
                occurred_at=occurred,
                recorded_at=now,
                comment="",
                payload={
                    "responsible_person": "王主任",
                    "responsible_phone": "",
                    "measures": "清理通道",
                    "funding": "",
                    "contingency_plan": "",
                    "deadline": deadline.isoformat(),
                    "deadline_basis": "date",
                    "deadline_working_days": None,
                },  # what the service records
                seq=seq + 1,
                prev_hash=last_hash,
            )
            record.hash = compute_hash(last_hash, transition_content(record))
            c.execute(
                "INSERT INTO casework_hazardtransition (hazard_id, district_id, name, from_state, to_state, "
                "actor_id, actor_role, actor_unit_id, occurred_at, recorded_at, comment, payload, seq, prev_hash, "
                "hash) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, '', %s, %s, %s, %s) RETURNING id",
                [
                    hazard_id,
                    district.pk,
                    "assign",
                    from_state,
                    HazardState.ASSIGNED,
                    officer.pk,
                    Role.DISTRICT_OFFICER,
                    district.pk,
                    occurred,
                    now,
                    _json(record.payload),
                    record.seq,
                    last_hash,
                    record.hash,
                ],
            )
            record_id = c.fetchone()[0]
            c.execute(
                "UPDATE casework_auditchainhead SET seq = %s, last_hash = %s WHERE chain = %s",
                [record.seq, record.hash, key],
            )
            # The notification: its audience, the rows, and the recipients' external channels (deliveries).
            c.execute(
                "SELECT u.id FROM casework_membership m JOIN auth_user u ON u.id = m.user_id "
                "WHERE m.role = %s AND m.org_unit_id = %s AND m.active AND u.is_active",
                [Role.SCHOOL_STAFF, school_id],
            )
            recipients = [r[0] for r in c.fetchall()]
            for recipient in recipients:
                c.execute(
                    f"INSERT INTO {self.notification_table} (recipient_id, event, title, body, url, created_at) "
                    "VALUES (%s, 'hazard.assign', %s, %s, %s, %s)",
                    [
                        recipient,
                        f"隐患已交办，请落实整改：#{hazard_id} {title}",
                        school_name,
                        reverse("casework:hazard_detail", args=[hazard_id]),
                        now,
                    ],
                )
            c.execute(
                "SELECT user_id, channel, address FROM notifications_channelpreference WHERE user_id IN "
                f"({', '.join(['%s'] * len(recipients)) or 'NULL'}) AND channel IN "
                f"({', '.join(['%s'] * len(self.channels))}) AND enabled",
                [*recipients, *self.channels],
            )
            # The flow: lock the process, finish its open task, record the route, open the next human task.
            c.execute(
                f"SELECT process_ptr_id FROM workflows_hazardprocess WHERE hazard_id = %s{self.for_update}", [hazard_id]
            )
            process_id = c.fetchone()[0]
            c.execute(
                "SELECT id, token FROM viewflow_task WHERE process_id = %s AND status IN ('NEW', 'ASSIGNED', "
                "'STARTED') ORDER BY id",
                [process_id],
            )
            task_id, token = c.fetchone()
            c.execute(
                "UPDATE viewflow_task SET status = 'DONE', owner_id = %s, assigned = %s, started = %s, "
                "finished = %s, data = %s WHERE id = %s",
                [officer.pk, now, now, now, _json({"transition": "assign", "transition_id": record_id}), task_id],
            )
            c.execute(
                "INSERT INTO viewflow_task (flow_task, flow_task_type, status, created, finished, token, data, "
                "process_id) VALUES (%s, 'SWITCH', 'DONE', %s, %s, %s, '{}', %s), "
                "(%s, 'HUMAN', 'NEW', %s, NULL, %s, '{}', %s) RETURNING id",
                [self.route, now, now, token, process_id, self.rectify, now, token, process_id],
            )
            route_id, rectify_id = sorted(r[0] for r in c.fetchall())
            c.execute(
                "INSERT INTO viewflow_task_previous (from_task_id, to_task_id) VALUES (%s, %s), (%s, %s)",
                [route_id, task_id, rectify_id, route_id],
            )  # (task, its previous task)


def _json(value) -> str:
    import json

    return json.dumps(value, ensure_ascii=False)


def bench_transition(report: Report, setting: Setting, repeats: int, say) -> None:
    say("交办（hazard_assign）：服务 vs SQL 底线 …")
    ids = report_hazards(setting, 2 * (repeats + 1))
    floor = Floor()
    service_ids, floor_ids = ids[: repeats + 1], ids[repeats + 1 :]

    def service(hazard_id: int) -> None:
        # As in a request: the actor's memberships are read once per call, not kept from the last one.
        setting.officer.__dict__.pop("_casework_memberships", None)
        assign_through_service(setting, hazard_id)

    service(service_ids.pop())  # warm-up
    floor.assign(setting, floor_ids.pop())
    s, f = [], []
    for a, b in zip(service_ids, floor_ids):
        s.append(_timed(lambda: service(a)))
        f.append(_timed(lambda: floor.assign(setting, b)))
    report.add(
        Row(
            "一次完整流转（交办）", "ms", s, f, target="≤ 3× 底线", met=statistics.median(s) <= 3 * statistics.median(f)
        )
    )


def _timed(fn: Callable[[], object]) -> float:
    started = time.perf_counter()
    fn()
    return (time.perf_counter() - started) * 1000


def bench_concurrency(report: Report, setting: Setting, repeats: int, clients: int, per_client: int, say) -> None:
    """Transitions per second with ``clients`` threads, each in its own district (chains are per district)."""
    if connection.vendor != "postgresql":
        report.facts.append(("并发流转", "仅在 PostgreSQL 上测量（SQLite 一次只允许一个写事务）"))
        return
    say(f"并发流转：{clients} 个客户端 …")
    districts = list(
        OrgUnit.objects.filter(kind=OrgKind.DISTRICT, children__kind=OrgKind.SCHOOL).distinct().order_by("pk")[:clients]
    )
    settings_ = [find_setting(d) for d in districts]
    while len(settings_) < clients:
        settings_.append(settings_[len(settings_) % len(districts)])
    floor = Floor()

    def service(st: Setting, hazard_id: int) -> None:
        st.officer.__dict__.pop("_casework_memberships", None)  # read once per call, as in a request
        assign_through_service(st, hazard_id)

    runs = max(2, min(repeats, 5))
    s_rates, f_rates = [], []
    for _ in range(runs):
        for kind in ("service", "floor"):
            batches = [report_hazards(st, per_client) for st in settings_]
            work = service if kind == "service" else floor.assign
            errors: list[BaseException] = []

            def client(st, hazard_ids):
                try:
                    for hid in hazard_ids:
                        work(st, hid)
                except BaseException as e:
                    errors.append(e)
                finally:
                    connections.close_all()

            threads = [threading.Thread(target=client, args=(st, b)) for st, b in zip(settings_, batches)]
            started = time.perf_counter()
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            elapsed = time.perf_counter() - started
            if errors:
                raise errors[0]
            (s_rates if kind == "service" else f_rates).append(clients * per_client / elapsed)
    report.add(
        Row(
            f"并发流转（{clients} 个客户端，每区一个）",
            "/s",
            s_rates,
            f_rates,
            target="（记录）",
            note=f"每轮 {clients}×{per_client} 次",
        )
    )


# ---- the ledger page ---------------------------------------------------------------------------
LEDGER_CASES = [
    ("区教育局干部：全部，按上报时间", "officer", {}),
    ("区教育局干部：整改中且逾期", "officer", {"state": "assigned", "overdue": "1"}),
    ("市级管理员：全部，按上报时间", "city_admin", {}),
    ("市级管理员：按整改时限", "city_admin", {"sort": "deadline"}),
    ("区党委政府：提请协调过的隐患", "party", {}),
]


def _ledger_floor_sql(
    setting: Setting, who: str, params: dict, *, limit: int | None = None, count: bool = True
) -> tuple[str, list]:
    """Everything the page shows, in hand-written SQL: the same scope, filters, order and LIMIT, the names
    joined, and (``count``) the number of rows counted up to the page's cap (the heading's "共 N 条" /
    "1000+"), in one statement. The page's overdue mark is the state and deadline fetched here. The export's
    floor is the same rows without the count."""
    from casework.selectors.ledger import COUNT_CAP, PER_PAGE

    where, args = [], []
    if who == "officer":
        where += ["h.district_id = %s", "NOT h.sensitive"]
        args.append(setting.district.pk)
    elif who == "party":
        where += [
            "h.district_id = %s",
            "NOT h.sensitive",
            "h.id IN (SELECT t.hazard_id FROM casework_hazardtransition t "
            "WHERE t.district_id = %s AND t.name = 'escalate')",
        ]
        args += [setting.district.pk, setting.district.pk]
    else:
        where.append("h.city_id = %s")
        args.append(setting.city.pk)
    if params.get("state"):
        where.append("h.state = %s")
        args.append(params["state"])
    if params.get("overdue"):
        if not params.get("state"):
            where.append("h.state IN (%s, %s, %s)")
            args += [*OVERDUE_STATES]
        where.append("h.deadline < %s")
        args.append(timezone.localdate())
    order = {"deadline": "h.deadline ASC, h.id DESC"}.get(params.get("sort"), "h.reported_at DESC, h.id DESC")
    where_sql = " AND ".join(where)
    counted = (
        (f", (SELECT COUNT(*) FROM (SELECT 1 FROM casework_hazard h WHERE {where_sql} LIMIT {COUNT_CAP + 1}) c)")
        if count
        else ""
    )
    sql = (
        "SELECT h.id, h.title, h.sensitive, h.category, h.key_place, h.severity, h.state, h.deadline, h.reported_at, "
        f"s.name, d.name{counted} FROM casework_hazard h JOIN casework_orgunit s ON s.id = h.school_id "
        f"JOIN casework_orgunit d ON d.id = h.district_id WHERE {where_sql} ORDER BY {order} LIMIT {limit or PER_PAGE}"
    )
    return sql, [*args, *args] if count else args


def bench_ledger(report: Report, setting: Setting, repeats: int, say) -> None:
    """Two rows per case: the page's data (selector, scope, filters, sort, page, capped count) against the
    hand-written SQL of what the page shows; and the whole page as served (middleware, session, template)."""
    from casework.web.hazards.views import ledger_filters_from

    url = reverse("casework:ledger")
    users = {"officer": setting.officer, "city_admin": setting.city_admin, "party": setting.party}
    clients = {}
    for who, user in users.items():
        if user is not None:
            clients[who] = Client(HTTP_HOST="localhost")
            clients[who].force_login(user)
    for label, who, params in LEDGER_CASES:
        if who not in clients:
            continue
        say(f"台账页：{label} …")
        client, user = clients[who], users[who]
        sql, args = _ledger_floor_sql(setting, who, params)

        def data():
            page = ledger_page(ledger_for(user, ledger_filters_from(params)), 1)
            for h in page:
                (h.school_name, h.district_name, h.is_overdue)
            page.count_display

        def page():
            response = client.get(url, params, secure=True)
            assert response.status_code == 200, response.status_code

        def floor():
            with connection.cursor() as c:
                c.execute(sql, args)
                c.fetchall()

        data(), page(), floor()  # warm-up
        d, s, f = [], [], []
        for _ in range(repeats):
            d.append(_timed(data))
            s.append(_timed(page))
            f.append(_timed(floor))
        row = Row(f"台账查询 · {label}", "ms", d, f, target="≤ 2× 底线")
        row.met = row.median <= 2 * row.floor_median
        report.add(row)
        row = Row(f"台账整页 · {label}", "ms", s, f, target="p95 < 100 ms")
        row.met = row.p95 < 100
        report.add(row)


# ---- the Excel export --------------------------------------------------------------------------
def bench_export(report: Report, setting: Setting, repeats: int, say, max_rows: int) -> None:
    user = setting.city_admin
    filters = LedgerFilters()
    total = ledger_for(user, filters).count()
    large = min(total, max_rows)
    small = max(1, large // 8)
    peaks = {}
    for n in (small, large):
        say(f"导出 Excel：{n} 行 …")
        qs = ledger_for(user, filters)[:n]
        sql, args = _ledger_floor_sql(setting, "city_admin", {}, limit=n, count=False)

        def export():
            write_ledger_xlsx(qs.all(), filters, user=user).close()

        def floor():
            with connection.cursor() as c:
                c.execute(sql, args)
                while c.fetchmany(2000):
                    pass

        runs = max(2, min(repeats, 3))
        s = [n / (_timed(export) / 1000) for _ in range(runs)]
        f = [n / (_timed(floor) / 1000) for _ in range(runs)]
        tracemalloc.start()
        export()
        peaks[n] = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
        report.add(
            Row(f"Excel 导出 · {n} 行（行/秒）", "/s", s, f, target="（记录）", note=f"峰值内存 {peaks[n]:.1f} MiB")
        )
    flat = peaks[large] <= max(1.5 * peaks[small], peaks[small] + 8)
    report.add(
        Row(
            f"Excel 导出峰值内存 · {large} 行 vs {small} 行",
            "MiB",
            [peaks[large]],
            [peaks[small]],
            target="与行数无关（平）",
            met=flat if large > small else None,
        )
    )


# ---- the district summary (附件2) and its PDF -----------------------------------------------------
def bench_campaign(setting: Setting) -> Campaign:
    today = timezone.localdate()
    campaign, _ = Campaign.objects.get_or_create(
        code=f"bench-{setting.city.pk}",
        defaults={
            "city": setting.city,
            "name": "基准测试专项整治",
            "issuing_document": "基准测试",
            "starts_on": today - timedelta(days=365),
            "ends_on": today,
            "statistics_cutoff": today - timedelta(days=60),
        },
    )
    return campaign


def current_counts(setting: Setting, campaign: Campaign) -> list[dict]:
    """附件2 from today's rows: the same work as the as-of table, with the state read off each hazard.

    The table prints, per school of the district (as the officer may list them, by station and name): the
    district, the station, the school, three answers of its return, and its total and rectified counts.
    So the floor fetches the schools with their stations, the returns' three answers (today's rows where
    the report reads their history as of known_at) and, in one grouped query, total / rectified / 待验收
    per school (the as-of query counts 待验收 too) over the same hazards: the officer's education-side
    scope, the district, the campaign's period.
    """
    from casework.models import SchoolReturn
    from casework.reports.layouts import RETURN_KEYS_IN_DISTRICT_TABLE, campaign_period

    user = setting.officer
    schools = list(
        report_units_for(user)
        .filter(kind=OrgKind.SCHOOL, district=setting.district)
        .order_by("police_station__name", "name")
        .values("pk", "name", "police_station__name")
    )
    answers = {
        row["school_id"]: row
        for row in SchoolReturn.objects.filter(
            campaign=campaign, school_id__in=[school["pk"] for school in schools]
        ).values("school_id", *RETURN_KEYS_IN_DISTRICT_TABLE)
    }
    lo, hi = campaign_period(campaign).bounds
    counts = {
        row["school"]: row
        for row in (
            hazards_for_report(user, ReportSide.EDUCATION)
            .filter(district=setting.district, reported_at__gte=lo, reported_at__lte=hi)
            .order_by()
            .values("school")
            .annotate(
                total=Count("id", filter=~Q(state=HazardState.CLOSED_INVALID)),
                rectified=Count("id", filter=Q(state=HazardState.VERIFIED)),
                pending=Count("id", filter=Q(state=HazardState.RECTIFIED)),
            )
        )
    }
    return [{**school, **answers.get(school["pk"], {}), **counts.get(school["pk"], {})} for school in schools]


def bench_summary(report: Report, setting: Setting, repeats: int, say) -> None:
    from casework.reports import pdf
    from casework.reports.asof import Moment
    from casework.reports.layouts import build_report, default_as_of

    say("附件2（区汇总表）：历史时点 vs 当前状态 …")
    campaign = bench_campaign(setting)
    moment = Moment.at(default_as_of(campaign))
    user = setting.officer

    def summary():
        return build_report(
            form="district",
            unit=setting.district,
            campaign=campaign,
            moment=moment,
            side=ReportSide.EDUCATION,
            hazards=hazards_for_report(user, ReportSide.EDUCATION),
            units=report_units_for(user),
        )

    built = summary()
    current_counts(setting, campaign)
    s, f = [], []
    for _ in range(repeats):
        s.append(_timed(summary))
        f.append(_timed(lambda: current_counts(setting, campaign)))
    row = Row(
        f"附件2 · {len(built.rows) - 2} 所学校，截至 {moment.cutoff_date:%Y-%m-%d}",
        "ms",
        s,
        f,
        target="≤ 3× 当前状态，< 2 s",
    )
    row.met = row.median <= 3 * row.floor_median and row.p95 < 2000
    report.add(row)

    say("附件2 渲染 PDF …")
    pdf.render(built)  # warm-up: loads Pango and the fonts
    runs = max(2, min(repeats, 3))
    p = [_timed(lambda: pdf.render(built)) for _ in range(runs)]
    row = Row("附件2 渲染 PDF（WeasyPrint）", "ms", p, target="< 3 s")
    row.met = row.p95 < 3000
    report.add(row)


# ---- all of it ---------------------------------------------------------------------------------
def _driver_version() -> str:
    if connection.vendor == "postgresql" and hasattr(connection.Database, "version_info"):
        return ".".join(map(str, connection.Database.version_info))
    return ""


def run_bench(
    *,
    repeats: int = 7,
    clients: int = 4,
    per_client: int = 20,
    export_rows: int = 50000,
    say: Callable[[str], None] = lambda m: None,
) -> Report:
    report = Report()
    setting = find_setting()
    hazards = Hazard.objects.count()
    district_hazards = Hazard.objects.filter(district=setting.district).count()
    report.facts += [
        (
            "数据库",
            f"{connection.vendor} {_driver_version()}".strip(),
        ),
        (
            "规模",
            f"{hazards:,} 条隐患，{HazardTransition.objects.count():,} 条流转记录，"
            f"{OrgUnit.objects.filter(kind=OrgKind.SCHOOL).count():,} 所学校",
        ),
        (
            "测量的区",
            f"{setting.district.name}：{len(setting.schools)} 所学校，{district_hazards:,} 条隐患；"
            f"所属市 {Hazard.objects.filter(city=setting.city).count():,} 条",
        ),
        ("重复次数", str(repeats)),
        ("时间", timezone.localtime().strftime("%Y-%m-%d %H:%M %Z")),
    ]
    bench_transition(report, setting, repeats, say)
    bench_concurrency(report, setting, repeats, clients, per_client, say)
    bench_ledger(report, setting, repeats, say)
    bench_export(report, setting, repeats, say, export_rows)
    bench_summary(report, setting, repeats, say)
    return report
