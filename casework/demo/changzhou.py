"""The Changzhou demo: its org tree and accounts (fixtures/changzhou_org.json), and its hazards (code).

Idempotent: units and users are looked up by natural key; demo hazards are created only when
the city has none, and always through the casework services so their records are consistent.
"""

import json
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from casework.demo.campaigns import build_campaigns
from casework.models import Category, Hazard, KeyPlace, Membership, OrgKind, OrgUnit, Role, SchoolKind, Severity
from casework.services import transitions as svc

from .evidence import photo
from .listings import seed_listings

DEMO_PASSWORD = "Changzhou-2026"

ORG_FILE = Path(__file__).resolve().parent.parent.parent / "fixtures" / "changzhou_org.json"


def org_tree() -> dict:
    """The demo's city, districts, police stations, party committee offices, schools and accounts (the file)."""
    return json.loads(ORG_FILE.read_text(encoding="utf-8"))


@dataclass
class DemoAccount:
    username: str
    name: str
    role: str
    unit: str


def _unit(name, kind, parent=None, **extra) -> OrgUnit:
    unit, created = OrgUnit.objects.get_or_create(name=name, parent=parent, defaults={"kind": kind, **extra})
    if not created:
        changed = [k for k, v in extra.items() if getattr(unit, k) != v]
        for k in changed:
            setattr(unit, k, extra[k])
        if changed:
            unit.save()
    return unit


def _user(username, full_name, role, unit, accounts) -> object:
    User = get_user_model()
    user, created = User.objects.get_or_create(username=username, defaults={"first_name": full_name})
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
    Membership.objects.get_or_create(user=user, org_unit=unit, role=role)
    accounts.append(DemoAccount(username, full_name, Role(role).label, unit.name))
    return user


def build_organisation() -> tuple[OrgUnit, list[DemoAccount], dict]:
    """The org tree and the accounts of fixtures/changzhou_org.json; ``people`` maps each account's key to its user."""
    tree = org_tree()
    accounts: list[DemoAccount] = []
    city = _unit(tree["city"]["name"], OrgKind.CITY)
    people = {"city": city, "districts": {}}
    for u in tree["city"]["users"]:
        people[u["key"]] = _user(u["username"], u["name"], Role(u["role"]), city, accounts)
    for entry in tree["districts"]:
        district = _unit(entry["name"], OrgKind.DISTRICT, city)
        stations = {name: _unit(name, OrgKind.POLICE_STATION, district) for name in entry["police_stations"]}
        committee = _unit(entry["party_committee"], OrgKind.PARTY_COMMITTEE, district)
        schools = {
            s["name"]: _unit(
                s["name"],
                OrgKind.SCHOOL,
                district,
                school_kind=SchoolKind(s["kind"]),
                police_station=stations[s["police_station"]],
            )
            for s in entry["schools"]
        }
        units = {district.name: district, committee.name: committee, **stations, **schools}
        p = {"district": district, "schools": list(schools.values()), "stations": list(stations.values())}
        for u in entry["users"]:
            p[u["key"]] = _user(u["username"], u["name"], Role(u["role"]), units[u["unit"]], accounts)
        people["districts"][entry["slug"]] = p
    return city, accounts, people


SCENARIOS = [
    # (title, category, key place, severity, final state, sensitive)
    ("化学实验室危化品柜未双人双锁", Category.LAB_CHEMICALS, KeyPlace.LABORATORY, Severity.MAJOR, "reported", False),
    ("学生宿舍楼疏散通道堆放杂物", Category.FIRE, KeyPlace.DORMITORY, Severity.GENERAL, "assigned", False),
    ("校门口未设置硬质防冲撞设施", Category.SECURITY, KeyPlace.GATE, Severity.MAJOR, "temporary_measures", False),
    ("食堂后厨燃气管道老化", Category.FOOD, KeyPlace.CANTEEN, Severity.MAJOR, "rectified", False),
    ("教学楼电气线路私拉乱接", Category.FIRE, KeyPlace.TEACHING_BUILDING, Severity.GENERAL, "verified", False),
    ("实训车间砂轮机防护罩缺失", Category.INTERNSHIP, KeyPlace.TRAINING_SITE, Severity.GENERAL, "overdue", False),
    ("校园周边无证经营网吧", Category.SURROUNDINGS, KeyPlace.SURROUNDINGS, Severity.MAJOR, "escalated", False),
    ("重复上报：图书馆灭火器过期", Category.FIRE, KeyPlace.LIBRARY, Severity.GENERAL, "closed_invalid", False),
    ("校园周边涉校矛盾人员线索", Category.STABILITY, KeyPlace.SURROUNDINGS, Severity.MAJOR, "assigned", True),
]


def _plan(severity, deadline):
    plan = {
        "responsible_person": "王建国（总务处主任）",
        "responsible_phone": "0519-88000000",
        "measures": "立即清理整改，落实专人负责并每日巡查。",
        "deadline": deadline,
    }
    if severity == Severity.MAJOR:
        plan |= {"funding": "学校年度安全经费 5 万元", "contingency_plan": "启动校园安全应急预案，设置警戒区。"}
    return plan


def build_hazards(people) -> int:
    """Hazards in every state for each district, walked through the services."""
    now = timezone.now()
    created = 0
    for _slug, p in people["districts"].items():
        for i, (title, category, place, severity, final, sensitive) in enumerate(SCENARIOS):
            school = p["schools"][1] if i % 2 == 0 else p["schools"][2]
            staff = p["school"] if school == p["schools"][1] else p["school2"]
            if sensitive:  # handled by the demo police officer's own station
                school = next(s for s in p["schools"] if s.police_station_id == p["stations"][0].pk)
            reporter = p["police"] if sensitive else staff
            handler = p["police"] if sensitive else p["officer"]
            start = now - timedelta(days=40 - i)
            t = lambda d, start=start: start + timedelta(days=d, hours=1)  # noqa: E731
            h = svc.hazard_report(
                actor=reporter,
                school_id=school.pk,
                title=title,
                category=category,
                key_place=place,
                severity=severity,
                sensitive=sensitive,
                occurred_at=t(0),
                description=f"{school.name}{title}，存在安全隐患，需要整改。",
            )
            created += 1
            if final == "reported":
                continue
            if final == "closed_invalid":
                svc.hazard_close_invalid(hazard_id=h.pk, actor=handler, reason="与已登记隐患重复", occurred_at=t(1))
                continue
            deadline = timezone.localdate(t(1)) + timedelta(days=10 if final == "overdue" else 60)
            svc.hazard_assign(hazard_id=h.pk, actor=handler, occurred_at=t(1), **_plan(severity, deadline))
            if final in ("assigned", "overdue"):
                continue
            doer = p["police"] if sensitive else staff
            if final in ("temporary_measures", "escalated"):
                svc.hazard_record_temporary_measures(
                    hazard_id=h.pk, actor=doer, occurred_at=t(2), measures="设置临时隔离护栏，安排保安高峰时段值守。"
                )
            if final == "escalated":
                svc.hazard_escalate(
                    hazard_id=h.pk,
                    actor=handler,
                    occurred_at=t(3),
                    reason="涉及多部门执法，学校和教育部门无法独立解决。",
                )
                continue
            if final == "temporary_measures":
                continue
            svc.hazard_report_rectified(
                hazard_id=h.pk,
                actor=doer,
                occurred_at=t(4),
                evidence=[photo()],
                description="已完成整改，更换管道并经燃气公司检测合格。",
            )
            if final == "verified":
                svc.hazard_verify(
                    hazard_id=h.pk, actor=p["supervisor"], occurred_at=t(5), result="现场核查整改到位，同意销号。"
                )
    return created


@transaction.atomic
def seed_demo() -> tuple[list[DemoAccount], int]:
    city, accounts, people = build_organisation()
    created = 0
    if not Hazard.objects.filter(city=city).exists():
        created = build_hazards(people)
    build_campaigns(people)
    seed_listings(city, people)  # listed supervision (挂牌督办) on the demo's major hazards
    return accounts, created
