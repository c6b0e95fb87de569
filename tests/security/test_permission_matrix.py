"""Every URL the project routes × anonymous and every role × an own, a foreign and a sensitive object.

The routes are enumerated from the URL resolver, so a new page cannot escape: a route missing from
``ROUTES`` fails the test. Each route names the kind of object its path parameters take, whether the role
is gated (and which roles pass the gate, with a rule for the object), and whether GET is allowed at all.
A refused response (403/404/405/401, or the redirect to login) must not contain the object's title/name.
"""

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from casework.api.models import DeviceToken
from casework.models import Hazard, HazardTransition, Inspection, Listing, SchoolReturn
from casework.services import campaigns as campaign_svc
from notifications.models import Notification
from notifications.services import notify
from tests.factories import FULL_SCHOOL_PART, checklist_item, make_campaign, make_hazard, make_listing

ROLES = ["anonymous", "staff_a1", "police_a1", "officer_a", "supervisor_a", "party_a", "city_admin", "auditor"]
ALL = ("own", "foreign", "sensitive")

# ---- who sees which variant of each kind of object (independent of the code under test) --------------
# Hazards are open, never escalated: the party committee sees only escalated ones; sensitive ones reach the
# police station and the city only. Evidence, listings and tasks follow their hazard.
HAZARD_VISIBLE = {
    "staff_a1": {"own"},
    "police_a1": {"own", "sensitive"},
    "officer_a": {"own"},
    "supervisor_a": {"own"},
    "party_a": set(),
    "city_admin": set(ALL),
    "auditor": set(ALL),
}
# Inspections and school returns: the school, its station, its district, the city; not the party committee.
SCHOOL_PAPER_VISIBLE = {
    "staff_a1": {"own"},
    "police_a1": {"own"},
    "officer_a": {"own"},
    "supervisor_a": {"own"},
    "party_a": set(),
    "city_admin": {"own", "foreign"},
    "auditor": {"own", "foreign"},
}
# Org units: the user's own subtree (the party committee sees its district's schools).
UNIT_VISIBLE = {
    "staff_a1": {"own"},
    "police_a1": {"own"},
    "officer_a": {"own"},
    "supervisor_a": {"own"},
    "party_a": {"own"},
    "city_admin": {"own", "foreign"},
    "auditor": {"own", "foreign"},
}
EVERYONE_OWN = {role: {"own"} for role in ROLES[1:]}  # notifications, device tokens: only one's own
CITY_WIDE = {role: {"own"} for role in ROLES[1:]}  # the city's campaign: every role of the city

VISIBLE = {
    "hazard": HAZARD_VISIBLE,
    "evidence": HAZARD_VISIBLE,
    "listing": HAZARD_VISIBLE,
    "task": HAZARD_VISIBLE,
    "inspection": SCHOOL_PAPER_VISIBLE,
    "return": SCHOOL_PAPER_VISIBLE,
    "unit": UNIT_VISIBLE,
    "notification": EVERYONE_OWN,
    "token": EVERYONE_OWN,
    "campaign": CITY_WIDE,
}
VARIANTS = {
    "hazard": ALL,
    "evidence": ALL,
    "listing": ALL,
    "task": ALL,
    "inspection": ("own", "foreign"),
    "return": ("own", "foreign"),
    "unit": ("own", "foreign"),
    "notification": ("own", "foreign"),
    "token": ("own", "foreign"),
    "campaign": ("own",),
}

EVERY_ROLE = frozenset(ROLES[1:])
# The seed's forms and statistics: every role but the party committee (which sees only escalated cases).
REPORTERS = EVERY_ROLE - {"party_a"}
REVIEWERS = frozenset({"city_admin", "auditor"})  # accountability review (倒查)
LISTERS = frozenset({"officer_a", "city_admin"})
CAMPAIGN_ADMINS = frozenset({"city_admin"})
# Self-inspection (school), supervision inspection (district officer, supervisor, city), not the police station.
INSPECTORS = frozenset({"staff_a1", "officer_a", "supervisor_a", "city_admin"})
# Everyone with a school in reach reports hazards; the party committee and the auditor do not.
HAZARD_REPORTERS = EVERY_ROLE - {"party_a", "auditor"}


@dataclass(frozen=True)
class Route:
    """kind: the object its parameter takes (None: no parameter); roles: who passes the role gate (a refused
    role gets ``gate_status``); acts: for an object route, who may act on which variant (else 200/403);
    get: False when the route takes POST only (405, after the login check); api: the API's own answers."""

    kind: str | None = None
    roles: frozenset = EVERY_ROLE
    gate_status: int = 403
    acts: dict | None = None
    get: bool = True
    api: bool = False
    ok: tuple = (200,)
    public: bool = False
    post_refusal: int = 404  # a POST on an object the role may not see


# A rectified, major hazard: its supervisor verifies it; the city administrator verifies a sensitive one.
VERIFY = {"own": {"supervisor_a"}, "foreign": set(), "sensitive": {"city_admin"}}

ROUTES = {
    "login": Route(public=True),
    "logout": Route(public=True, get=False),
    # notifications
    "notifications:inbox": Route(),
    # Marking someone else's notification read does nothing and goes back to one's own inbox.
    "notifications:mark_read": Route(kind="notification", get=False, post_refusal=302),
    "notifications:mark_all_read": Route(get=False),
    "notifications:settings": Route(),
    # task lists
    "workflows:home": Route(),
    "workflows:inbox": Route(),
    "workflows:queue": Route(),
    "workflows:archive": Route(),
    "workflows:task": Route(kind="task"),
    "workflows:task_open": Route(kind="task", ok=(200, 302)),
    "workflows:take": Route(kind="task", get=False),
    "workflows:release": Route(kind="task", get=False),
    "workflows:reassign": Route(kind="task", get=False),
    # deadlines
    "deadlines:time_to_fix": Route(),
    "deadlines:preview": Route(ok=(200, 400)),
    # listed supervision
    "listings:ledger": Route(),
    "listings:export": Route(),
    "listings:create": Route(roles=LISTERS),
    "listings:detail": Route(kind="listing"),
    "listings:progress": Route(kind="listing", get=False),
    "listings:remind": Route(kind="listing", get=False),
    "listings:delist": Route(kind="listing", get=False),
    # reports
    "reports:index": Route(roles=REPORTERS),
    "reports:render": Route(roles=REPORTERS, ok=(200, 400, 404)),
    "reports:statistics": Route(roles=REPORTERS),
    # accountability review
    "audit:index": Route(roles=REVIEWERS),
    "audit:review": Route(roles=REVIEWERS, ok=(200, 404)),
    "audit:review_pdf": Route(roles=REVIEWERS, ok=(200, 404)),
    "audit:review_xlsx": Route(roles=REVIEWERS, ok=(200, 404)),
    "audit:findings": Route(roles=REVIEWERS),
    "audit:chains": Route(roles=REVIEWERS),
    "audit:hazard_as_of": Route(kind="hazard"),
    # the API
    # The API's description is public (it holds no case data), as the API's own docs page says.
    "api:schema": Route(api=True, public=True),
    "api:docs": Route(api=True, public=True),
    "api:evidence-file": Route(kind="evidence", api=True),
    "api:org-unit-list": Route(api=True),
    "api:org-unit-detail": Route(kind="unit", api=True),
    "api:hazard-list": Route(api=True),
    "api:hazard-detail": Route(kind="hazard", api=True),
    "api:hazard-history": Route(kind="hazard", api=True),
    "api:hazard-transitions": Route(kind="hazard", api=True),
    **{
        f"api:hazard-{action}": Route(kind="hazard", api=True, get=False)
        for action in (
            "assign",
            "change-deadline",
            "close-invalid",
            "escalate",
            "record-coordination",
            "record-temporary-measures",
            "reject",
            "report-rectified",
            "verify",
        )
    },
    "api:notification-list": Route(api=True),
    "api:notification-detail": Route(kind="notification", api=True),
    "api:notification-read": Route(kind="notification", api=True, get=False),
    "api:device-token-list": Route(api=True),
    "api:device-token-revoke": Route(kind="token", api=True, get=False),
    "api:listing-list": Route(api=True),
    "api:listing-detail": Route(kind="listing", api=True),
    "api:listing-progress-reports": Route(kind="listing", api=True),
    "api:listing-reminders": Route(kind="listing", api=True),
    **{
        f"api:listing-{action}": Route(kind="listing", api=True, get=False)
        for action in ("progress", "remind", "delist")
    },
    "api:campaign-list": Route(api=True),
    "api:campaign-detail": Route(kind="campaign", api=True),
    "api:inspection-list": Route(api=True),
    "api:inspection-detail": Route(kind="inspection", api=True),
    "api:inspection-record": Route(kind="inspection", api=True, get=False),
    "api:school-return-list": Route(api=True),
    "api:school-return-detail": Route(kind="return", api=True),
    "api:school-return-submit": Route(kind="return", api=True, get=False),
    "api:school-return-confirm": Route(kind="return", api=True, get=False),
    # hazards, evidence, campaigns
    "casework:home": Route(ok=(302,)),  # to the role's task home
    "casework:ledger": Route(),
    "casework:ledger_export": Route(),
    "casework:hazard_report": Route(roles=HAZARD_REPORTERS),
    "casework:hazard_detail": Route(kind="hazard"),
    "casework:hazard_action": Route(kind="hazard", acts=VERIFY),
    "casework:evidence_file": Route(kind="evidence"),
    "casework:campaign_list": Route(),
    "casework:campaign_create": Route(roles=CAMPAIGN_ADMINS, gate_status=404),
    "casework:campaign_detail": Route(kind="campaign"),
    "casework:inspection_create": Route(kind="campaign", roles=INSPECTORS, gate_status=404),
    "casework:return_list": Route(kind="campaign"),
    "casework:return_open": Route(kind="campaign", get=False),
    "casework:inspection_detail": Route(kind="inspection"),
    "casework:return_detail": Route(kind="return"),
}
# Django's admin has its own staff-only login and is scoped in casework/admin.py; static files are public.
SKIPPED_PREFIXES = ("admin/", "static/", "media/")


def routed_patterns(patterns=None, prefix="", namespace=None):
    """(route, name, pattern) for every URL pattern, through every include."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            ns = pattern.namespace
            inner = f"{namespace}:{ns}" if namespace and ns else (ns or namespace)
            yield from routed_patterns(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            route = prefix + str(pattern.pattern)
            name = f"{namespace}:{pattern.name}" if namespace and pattern.name else pattern.name
            yield route, name, pattern


def project_routes() -> dict:
    found = {}
    for route, name, pattern in routed_patterns():
        if route.startswith(SKIPPED_PREFIXES) or route.lstrip("^").startswith(SKIPPED_PREFIXES):
            continue
        found[name or route] = (route, pattern)
    return found


def test_every_routed_url_is_classified_in_the_matrix():
    found = project_routes()
    assert set(found) - set(ROUTES) == set(), "routes without an expectation in ROUTES"
    assert set(ROUTES) - set(found) == set(), "ROUTES names a route that no longer exists"
    for name, (route, pattern) in found.items():
        params = set(pattern.pattern.regex.groupindex) - {"format"}
        expected = {"pk", "task_pk"} & params if ROUTES[name].kind else set()
        assert params <= {"pk", "task_pk", "action"} and bool(params) == bool(ROUTES[name].kind), (name, params)
        assert expected == params - {"action"}, name


# ---- the data set: one of each kind of object, own (school A1), foreign (school B1) and sensitive -----
def build_objects(world) -> dict:
    """kind → variant → (object, the text that identifies it)."""
    objects = {kind: {} for kind in VARIANTS}
    hazards = {
        "own": make_hazard(world, state="rectified", major=True, title="矩阵本校隐患-楼梯扶手松动"),
        "foreign": make_hazard(world, state="rectified", major=True, school="school_b1", title="矩阵外区隐患-围墙开裂"),
        "sensitive": make_hazard(
            world, state="rectified", major=True, sensitive=True, title="矩阵涉密隐患-校门监控盲区"
        ),
    }
    for variant, hazard in hazards.items():
        objects["hazard"][variant] = (hazard, hazard.title)
        objects["evidence"][variant] = (hazard.evidence.first(), hazard.title)
        objects["task"][variant] = (open_task_of(hazard), hazard.title)
    listed = {
        "own": make_listing(
            world,
            make_hazard(world, state="assigned", major=True, title="矩阵本校挂牌-危房"),
            decision_number="矩阵督〔2026〕本校号",
        ),
        "foreign": make_listing(
            world,
            make_hazard(world, state="assigned", major=True, school="school_b1", title="矩阵外区挂牌-危墙"),
            actor=world.officer_b,
            supervising_officer_id=world.officer_b.pk,
            decision_number="矩阵督〔2026〕外区号",
        ),
        "sensitive": make_listing(
            world,
            make_hazard(world, state="assigned", major=True, sensitive=True, title="矩阵涉密挂牌-周边治安"),
            level="city",
            decision_number="矩阵督〔2026〕涉密号",
        ),
    }
    for variant, listing in listed.items():
        objects["listing"][variant] = (listing, listing.hazard.title)
    campaign = make_campaign(world, name="矩阵专项整治-秋季")
    objects["campaign"]["own"] = (campaign, campaign.name)
    for variant, (school, staff) in {"own": ("school_a1", "staff_a1"), "foreign": ("school_b1", "staff_b1")}.items():
        inspection = campaign_svc.inspection_conduct(
            actor=world.users[staff],
            campaign_id=campaign.pk,
            school_id=world.units[school].pk,
            kind="self_inspection",
            inspectors=f"矩阵检查组-{variant}",
            inspected_on=timezone.localdate(),
            key_places=["laboratory"],
            results=[campaign_svc.ResultInput(checklist_item("实验室安全责任体系是否健全").pk, "pass")],
        )
        objects["inspection"][variant] = (inspection, inspection.inspectors)
        school_return = campaign_svc.return_start(
            actor=world.users[staff], campaign_id=campaign.pk, school_id=world.units[school].pk
        )
        school_return = campaign_svc.return_submit(
            actor=world.users[staff],
            return_id=school_return.pk,
            fields=FULL_SCHOOL_PART | {"task_force_head": f"矩阵组长{variant}"},
        )
        objects["return"][variant] = (school_return, f"矩阵组长{variant}")
        objects["unit"][variant] = (world.units[school], world.units[school].name)
    return objects


def open_task_of(hazard):
    from workflows.models import HazardProcess
    from workflows.sync import open_tasks

    return open_tasks(HazardProcess.objects.get(hazard_id=hazard.pk)).get()


def personal_objects(world, objects: dict, role: str) -> None:
    """A notification and a device token of the requesting user (own) and of school B1's staff (foreign)."""
    for variant, user in {"own": world.users.get(role), "foreign": world.staff_b1}.items():
        if user is None:  # anonymous: both are someone else's
            user = world.staff_b2 if "staff_b2" in world.users else world.staff_a2
        (note,) = notify(recipients=[user], event="matrix", title=f"矩阵通知-{role}-{variant}")
        objects["notification"][variant] = (note, note.title)
        token = DeviceToken.objects.create(
            user=user, device_name=f"矩阵设备-{role}-{variant}", key_hash=f"{role}-{variant}".ljust(64, "0")[:64]
        )
        objects["token"][variant] = (token, token.device_name)


def expected(route: Route, role: str, variant: str | None) -> set[int]:
    if role == "anonymous":
        if route.public:
            return {200} if route.get else {405}
        return {401, 403} if route.api else {302}
    if not route.get:
        return {405}
    if route.public:
        return {200, 302}
    if variant is not None and variant not in VISIBLE[route.kind][role]:
        return {404}
    if role not in route.roles:
        return {route.gate_status}
    if route.acts is not None:
        return {200} if role in route.acts[variant] else {403}
    return set(route.ok)


def url_for(route: str, pk: int | None) -> str:
    path = route.replace("^", "").replace("$", "")
    for token in ("<int:pk>", "<int:task_pk>", "(?P<pk>[0-9]{1,18})"):
        path = path.replace(token, str(pk))
    return "/" + path.replace("<slug:action>", "verify")


def client_for(role, world):
    from django.test import Client
    from rest_framework.test import APIClient

    web, api = Client(), APIClient()
    if role != "anonymous":
        web.force_login(world.users[role])
        api.force_authenticate(world.users[role])
    return web, api


def hidden_texts(objects: dict, role: str) -> list[tuple[str, str, str]]:
    """What identifies each object the role may not see (org units' names are not secret, and left out)."""
    return [
        (kind, variant, text)
        for kind, variants in objects.items()
        if kind != "unit"
        for variant, (_obj, text) in variants.items()
        if role == "anonymous" or variant not in VISIBLE[kind][role]
    ]


@pytest.mark.parametrize("role", ROLES)
def test_every_route_answers_each_role_as_the_matrix_says_and_a_refusal_tells_nothing(world, role):
    objects = build_objects(world)
    personal_objects(world, objects, role)
    hidden = hidden_texts(objects, role)
    assert hidden or role in ("city_admin", "auditor")
    web, api = client_for(role, world)
    mismatches, leaks = [], []
    for name, (route, _pattern) in sorted(project_routes().items()):
        spec = ROUTES[name]
        cases = [(v, *objects[spec.kind][v]) for v in VARIANTS[spec.kind]] if spec.kind else [(None, None, "")]
        for variant, obj, identifying in cases:
            url = url_for(route, getattr(obj, "pk", None))
            response = (api if spec.api else web).get(url)
            want = expected(spec, role, variant)
            if response.status_code not in want:
                mismatches.append((name, variant, response.status_code, sorted(want)))
            elif role == "anonymous" and want == {302} and not response["Location"].startswith("/login/"):
                mismatches.append((name, variant, response["Location"], "/login/"))
            body = (b"".join(response.streaming_content) if response.streaming else response.content).decode(
                errors="replace"
            )
            # No answer, refused or not, carries anything of an object the role may not see ...
            leaks += [(name, variant, kind, v) for kind, v, text in hidden if text in body]
            # ... and a refusal tells nothing of the object asked for, unless the role may see it anyway.
            refused = response.status_code in (302, 401, 403, 404, 405)
            may_see = role != "anonymous" and variant is not None and variant in VISIBLE[spec.kind][role]
            if identifying and refused and not may_see and identifying in body:
                leaks.append((name, variant, response.status_code))
    assert mismatches == [], "\n".join(map(str, mismatches))
    assert leaks == [], "\n".join(map(str, leaks))


# ---- POST-only routes: a refused POST changes nothing -----------------------------------------------
def later(days: int) -> str:
    return (timezone.localdate() + timedelta(days=days)).isoformat()


# Bodies that would change something if the refusal were missing.
POST_BODIES = {
    "listings:progress": lambda w: {"work_done": "矩阵进展", "percent_complete": "50"},
    "listings:remind": lambda w: {"message": "矩阵催办"},
    "listings:delist": lambda w: {"decision_number": "矩阵摘牌号", "delisted_on": timezone.localdate().isoformat()},
    "workflows:reassign": lambda w: {"to_user": str(w.supervisor_city.pk)},
    "api:listing-progress": lambda w: {"work_done": "矩阵进展", "percent_complete": 50},
    "api:listing-remind": lambda w: {"message": "矩阵催办"},
    "api:listing-delist": lambda w: {
        "decision_number": "矩阵摘牌号",
        "delisted_on": timezone.localdate().isoformat(),
        "reason": "已验收",
    },
    "api:inspection-record": lambda w: {
        "results": [{"item": checklist_item("门前是否设置硬质防冲撞设施").pk, "outcome": "fail", "note": "矩阵检查"}]
    },
    "api:school-return-submit": lambda w: dict(FULL_SCHOOL_PART),
    "api:school-return-confirm": lambda w: {"police_chief_name": "矩阵所长"},
    "api:hazard-verify": lambda w: {"result": "整改到位"},
    "api:hazard-reject": lambda w: {"reason": "仍有杂物"},
    "api:hazard-assign": lambda w: {"responsible_person": "王主任", "measures": "清理", "deadline": later(20)},
    "api:hazard-change-deadline": lambda w: {"deadline": later(45), "reason": "材料未到货"},
    "api:hazard-close-invalid": lambda w: {"reason": "重复上报"},
    "api:hazard-escalate": lambda w: {"reason": "需协调", "temporary_measures": "专人值守"},
    "api:hazard-record-temporary-measures": lambda w: {"measures": "设置围挡"},
    "api:hazard-record-coordination": lambda w: {
        "decision": "住建牵头",
        "units_charged": "区住建局",
        "deadline": later(40),
        "back_to": "assigned",
    },
}


def fingerprint() -> tuple:
    """Everything a POST route can write, row by row."""
    from workflows.selectors import Task

    return (
        list(Hazard.objects.order_by("pk").values()),
        HazardTransition.objects.count(),
        list(Listing.objects.order_by("pk").values()),
        list(Notification.objects.order_by("pk").values()),
        list(DeviceToken.objects.order_by("pk").values()),
        list(Task.objects.order_by("pk").values("pk", "status", "owner_id")),
        list(SchoolReturn.objects.order_by("pk").values()),
        Inspection.objects.count(),
    )


@pytest.mark.parametrize("role", ROLES)
def test_a_refused_post_to_a_post_only_route_changes_nothing(world, role):
    objects = build_objects(world)
    personal_objects(world, objects, role)
    web, api = client_for(role, world)
    tried, wrong = 0, []
    for name, (route, _pattern) in sorted(project_routes().items()):
        spec = ROUTES[name]
        if spec.get or spec.public:
            continue
        variants = VARIANTS[spec.kind] if spec.kind else (None,)
        for variant in variants:
            if role != "anonymous" and (variant is None or variant in VISIBLE[spec.kind][role]):
                continue  # not refused for want of login or sight; the services' own tests cover the rest
            obj = objects[spec.kind][variant][0] if variant else None
            body = POST_BODIES.get(name, lambda w: {})(world)
            before = fingerprint()
            response = (
                api.post(url_for(route, getattr(obj, "pk", None)), body, format="json")
                if spec.api
                else web.post(url_for(route, getattr(obj, "pk", None)), body)
            )
            want = ({401, 403} if spec.api else {302}) if role == "anonymous" else {spec.post_refusal}
            tried += 1
            if response.status_code not in want or fingerprint() != before:
                wrong.append((name, variant, response.status_code, fingerprint() == before))
    assert tried
    assert wrong == [], "\n".join(map(str, wrong))
