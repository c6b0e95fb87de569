"""Factories and a small world of units and people, for every test module."""

from dataclasses import dataclass, field
from datetime import date, timedelta

import factory
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from casework.models import Hazard, HazardTransition, Membership, OrgKind, OrgUnit, Role, SchoolKind
from casework.services import transitions as svc

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


def photo(name: str = "fix.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PNG, content_type="image/png")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.LazyAttribute(lambda u: u.username)
    password = factory.django.Password("Secret-pass-123")


class OrgUnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrgUnit

    name = factory.Sequence(lambda n: f"单位{n}")
    kind = OrgKind.SCHOOL


def member(username: str, role: str, unit: OrgUnit):
    user = UserFactory(username=username)
    Membership.objects.get_or_create(user=user, org_unit=unit, role=role)
    return user


@dataclass
class World:
    """City C; district A with schools A1 (station PA1) and A2 (station PA2); district B with school B1."""

    units: dict = field(default_factory=dict)
    users: dict = field(default_factory=dict)

    def __getattr__(self, name):
        if name in self.units:
            return self.units[name]
        if name in self.users:
            return self.users[name]
        raise AttributeError(name)


def make_world() -> World:
    w = World()
    u = w.units
    u["city"] = OrgUnitFactory(name="常州市", kind=OrgKind.CITY)
    u["district_a"] = OrgUnitFactory(name="天宁区", kind=OrgKind.DISTRICT, parent=u["city"])
    u["district_b"] = OrgUnitFactory(name="钟楼区", kind=OrgKind.DISTRICT, parent=u["city"])
    u["station_a1"] = OrgUnitFactory(name="红梅派出所", kind=OrgKind.POLICE_STATION, parent=u["district_a"])
    u["station_a2"] = OrgUnitFactory(name="茶山派出所", kind=OrgKind.POLICE_STATION, parent=u["district_a"])
    u["station_b1"] = OrgUnitFactory(name="南大街派出所", kind=OrgKind.POLICE_STATION, parent=u["district_b"])
    u["committee_a"] = OrgUnitFactory(name="天宁区党委政府", kind=OrgKind.PARTY_COMMITTEE, parent=u["district_a"])
    u["committee_b"] = OrgUnitFactory(name="钟楼区党委政府", kind=OrgKind.PARTY_COMMITTEE, parent=u["district_b"])
    u["school_a1"] = OrgUnitFactory(
        name="局前街小学", parent=u["district_a"], school_kind=SchoolKind.PRIMARY, police_station=u["station_a1"]
    )
    u["school_a2"] = OrgUnitFactory(
        name="第二十四中学", parent=u["district_a"], school_kind=SchoolKind.JUNIOR, police_station=u["station_a2"]
    )
    u["school_b1"] = OrgUnitFactory(
        name="西横街小学", parent=u["district_b"], school_kind=SchoolKind.PRIMARY, police_station=u["station_b1"]
    )
    p = w.users
    p["staff_a1"] = member("staff_a1", Role.SCHOOL_STAFF, u["school_a1"])
    p["staff_a2"] = member("staff_a2", Role.SCHOOL_STAFF, u["school_a2"])
    p["staff_b1"] = member("staff_b1", Role.SCHOOL_STAFF, u["school_b1"])
    p["police_a1"] = member("police_a1", Role.POLICE_STATION, u["station_a1"])
    p["police_a2"] = member("police_a2", Role.POLICE_STATION, u["station_a2"])
    p["police_b1"] = member("police_b1", Role.POLICE_STATION, u["station_b1"])
    p["officer_a"] = member("officer_a", Role.DISTRICT_OFFICER, u["district_a"])
    p["officer_b"] = member("officer_b", Role.DISTRICT_OFFICER, u["district_b"])
    p["supervisor_a"] = member("supervisor_a", Role.SUPERVISOR, u["district_a"])
    p["supervisor_b"] = member("supervisor_b", Role.SUPERVISOR, u["district_b"])
    p["supervisor_city"] = member("supervisor_city", Role.SUPERVISOR, u["city"])
    p["party_a"] = member("party_a", Role.PARTY_COMMITTEE, u["committee_a"])
    p["party_b"] = member("party_b", Role.PARTY_COMMITTEE, u["committee_b"])
    p["city_admin"] = member("city_admin", Role.CITY_ADMIN, u["city"])
    p["auditor"] = member("auditor", Role.AUDITOR, u["city"])
    return w


# ---- walking a hazard through its life ---------------------------------------------------------
class Clock:
    """Monotonic past moments, so each transition happens after the previous one."""

    def __init__(self, start=None):
        self.now = start or timezone.now() - timedelta(days=30)

    def __call__(self, hours: float = 1):
        self.now += timedelta(hours=hours)
        return self.now


def plan(major: bool = False, deadline: date | None = None) -> dict:
    values = {
        "responsible_person": "王主任",
        "responsible_phone": "13800000000",
        "measures": "更换并加固",
        "deadline": deadline or timezone.localdate() + timedelta(days=30),
    }
    if major:
        values |= {"funding": "专项经费 3 万元", "contingency_plan": "设置警戒区并专人值守"}
    return values


# The path to each state: (action, actor key, extra kwargs).
PATHS = {
    "reported": [],
    "assigned": ["assign"],
    "temporary_measures": ["assign", "record_temporary_measures"],
    "rectified": ["assign", "report_rectified"],
    "verified": ["assign", "report_rectified", "verify"],
    "escalated": ["assign", "record_temporary_measures", "escalate"],
    "closed_invalid": ["close_invalid"],
}


def make_hazard(
    w: World,
    *,
    state: str = "reported",
    school: str = "school_a1",
    major: bool = False,
    sensitive: bool = False,
    reporter=None,
    clock: Clock | None = None,
    **extra,
) -> Hazard:
    """Report a hazard and walk it to ``state`` through the services, like a real case."""
    clock = clock or Clock()
    unit = w.units[school]
    district = "a" if unit.district_id == w.district_a.pk else "b"
    staff = {"school_a1": w.staff_a1, "school_a2": w.staff_a2, "school_b1": w.staff_b1}[school]
    station_user = {"school_a1": w.police_a1, "school_a2": w.police_a2, "school_b1": w.police_b1}[school]
    officer = station_user if sensitive else w.users[f"officer_{district}"]
    doer = station_user if sensitive else staff
    verifier = w.city_admin if sensitive else w.users[f"supervisor_{district}"]
    reporter = reporter or (station_user if sensitive else staff)
    hazard = svc.hazard_report(
        actor=reporter,
        school_id=unit.pk,
        title=extra.pop("title", "消防通道堆放杂物"),
        description="教学楼一楼东侧消防通道堆放课桌椅",
        category="fire",
        key_place="teaching_building",
        severity="major" if major else "general",
        sensitive=sensitive,
        occurred_at=clock(),
    )
    for action in PATHS[state]:
        perform(action, hazard, officer=officer, doer=doer, verifier=verifier, clock=clock, major=major)
    hazard.refresh_from_db()
    return hazard


def perform(action: str, hazard: Hazard, *, officer, doer, verifier, clock: Clock, major: bool = False):
    at = clock()
    if action == "assign":
        return svc.hazard_assign(hazard_id=hazard.pk, actor=officer, occurred_at=at, **plan(major))
    if action == "record_temporary_measures":
        return svc.hazard_record_temporary_measures(
            hazard_id=hazard.pk, actor=doer, occurred_at=at, measures="设置围挡"
        )
    if action == "report_rectified":
        return svc.hazard_report_rectified(
            hazard_id=hazard.pk, actor=doer, occurred_at=at, description="已清理", evidence=[photo()]
        )
    if action == "verify":
        return svc.hazard_verify(hazard_id=hazard.pk, actor=verifier, occurred_at=at, result="整改到位")
    if action == "escalate":
        return svc.hazard_escalate(hazard_id=hazard.pk, actor=officer, occurred_at=at, reason="需多部门协调")
    if action == "close_invalid":
        return svc.hazard_close_invalid(hazard_id=hazard.pk, actor=officer, occurred_at=at, reason="重复上报")
    raise ValueError(action)


def snapshot(hazard: Hazard) -> tuple:
    """Everything a refused action must leave untouched."""
    row = Hazard.objects.filter(pk=hazard.pk).values().get()
    return (
        row,
        hazard.history.count(),
        list(HazardTransition.objects.filter(hazard=hazard).values_list("id", "hash")),
        hazard.evidence.count(),
    )


def hazard_states(hazard: Hazard) -> list[str]:
    return list(HazardTransition.objects.filter(hazard=hazard).order_by("seq").values_list("to_state", flat=True))


# ---- campaigns (issue 6) ----------------------------------------------------------------------------
def make_campaign(
    w: World,
    *,
    sources=("seed_004", "seed_000"),
    starts_on: date | None = None,
    ends_on: date | None = None,
    statistics_cutoff: date | None = None,
    report_due: date | None = None,
    name: str = "学校安全风险隐患专项整治",
):
    """A campaign of the world's city, opened by its city administrator through the service."""
    from casework.models import ChecklistCategory
    from casework.services import campaigns as campaign_svc

    today = timezone.localdate()
    starts_on = starts_on or today - timedelta(days=60)
    ends_on = ends_on or today + timedelta(days=30)
    categories = ChecklistCategory.objects.filter(source__in=sources).values_list("pk", flat=True)
    return campaign_svc.campaign_create(
        actor=w.city_admin,
        name=name,
        issuing_document="全市学校安全风险隐患专项整治工作方案",
        starts_on=starts_on,
        ends_on=ends_on,
        statistics_cutoff=statistics_cutoff or ends_on,
        report_due=report_due or ends_on + timedelta(days=7),
        phases=[
            campaign_svc.PhaseInput("动员部署", starts_on + timedelta(days=10)),
            campaign_svc.PhaseInput("隐患排查", ends_on),
        ],
        checklist_category_ids=list(categories),
    )


def checklist_item(text_contains: str):
    from casework.models import ChecklistItem

    return ChecklistItem.objects.get(text__contains=text_contains, parent__isnull=True)


FULL_SCHOOL_PART = {
    "task_force_established": "yes",
    "task_force_head": "张校长",
    "holiday_duty_roster": "yes",
    "leader_on_duty": "yes",
    "gate_patrol_rules_sound": "yes",
    "guards_count": 4,
    "certified_guards_count": 3,
    "overage_guards_count": 1,
    "video_retention_30_days": "no",
    "camera_count": 40,
    "perimeter_intrusion_alarm": "have",
    "key_area_intrusion_alarm": "none",
    "panic_button_gate": "have",
    "panic_button_dormitory": "na",
    "tech_systems_working": "yes",
    "barriers": "have",
    "anti_ramming_facilities": "have",
    "bollards": "none",
    "electrical_fire_campaign": "yes",
    "electrical_fire_rectification": "已整改",
    "chemicals_three_precautions": "yes",
    "school_bus_hazards": "/",
    "holiday_safety_education": "开展防溺水教育",
    "holiday_activities_count": 2,
    "holiday_activities_people": 80,
    "holiday_activities_led_by_leader": "yes",
    "work_report": "排查整改工作情况良好",
    "principal_name": "张校长",
}
FULL_POLICE_PART = {
    "surrounding_order_problems": "校门口流动摊贩",
    "surrounding_problems_rectified": "yes",
    "instability_factors": "无",
    "police_chief_name": "李所长",
}


# ---- deadlines and time-to-fix (issue 12): hazards at fixed past moments ----------------------------
def shanghai(year: int, month: int, day: int, hour: int = 10, minute: int = 0):
    """An aware moment in Asia/Shanghai, for scripted timelines."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    return datetime(year, month, day, hour, minute, tzinfo=ZoneInfo("Asia/Shanghai"))


def report_at(
    w: World,
    moment,
    *,
    school: str = "school_a1",
    category: str = "fire",
    reporter=None,
    sensitive: bool = False,
    title: str = "消防通道堆放杂物",
    severity: str = "general",
) -> Hazard:
    """Report a hazard at a fixed moment through the service."""
    staff = {"school_a1": w.staff_a1, "school_a2": w.staff_a2, "school_b1": w.staff_b1}[school]
    return svc.hazard_report(
        actor=reporter or staff,
        school_id=w.units[school].pk,
        title=title,
        description="scripted",
        category=category,
        key_place="teaching_building",
        sensitive=sensitive,
        occurred_at=moment,
        severity=severity,
    )


# ---- listed supervision (挂牌督办) ------------------------------------------------------------------
def listing_plan(
    world: World,
    level: str = "district",
    *,
    listed_on: date | None = None,
    required_by: date | None = None,
    interval: int = 7,
) -> dict:
    """Everything a listing decision names; the supervising officer belongs to the authority."""
    listed_on = listed_on or timezone.localdate()
    officer = world.officer_a if level == "district" else world.city_admin
    return {
        "level": level,
        "decision_number": f"常教督〔2026〕{listed_on:%m%d}号",
        "listed_on": listed_on,
        "required_by": required_by or listed_on + timedelta(days=30),
        "measures": "拆除重建并加装防护",
        "responsible_person": "李校长",
        "funding": "区财政专项 20 万元",
        "contingency_plan": "封闭区域并专人值守",
        "supervising_officer_id": officer.pk,
        "progress_interval_days": interval,
    }


def make_listing(w: World, hazard: Hazard, *, level: str = "district", clock: Clock | None = None, **overrides):
    """List ``hazard`` through the service, by the district officer (district) or the city admin (city)."""
    from casework.services.listings import hazard_list

    clock = clock or Clock(start=hazard.transitions.order_by("-occurred_at").first().occurred_at)
    actor = overrides.pop("actor", None) or (w.officer_a if level == "district" else w.city_admin)
    at = clock()
    kwargs = listing_plan(w, level, listed_on=timezone.localdate(at)) | overrides
    return hazard_list(hazard_id=hazard.pk, actor=actor, occurred_at=at, **kwargs)


def listing_snapshot(listing) -> tuple:
    """Everything a refused listing action must leave untouched, with the hazard's own snapshot."""
    from casework.models import Listing, ListingProgressReport, ListingReminder
    from notifications.models import Notification

    row = Listing.objects.filter(pk=listing.pk).values().get()
    return (
        row,
        listing.history.count(),
        ListingProgressReport.objects.filter(listing=listing).count(),
        ListingReminder.objects.filter(listing=listing).count(),
        Notification.objects.count(),
        snapshot(listing.hazard),
    )
