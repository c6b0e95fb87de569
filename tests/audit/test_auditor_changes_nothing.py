"""The auditor changes nothing anywhere: every write service refuses them, the admin is closed to them,
and a POST to every URL the project serves leaves every record as it was."""

import importlib
import inspect
import pkgutil
from datetime import timedelta

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

import casework.services
from casework import errors
from casework.errors import TransitionRefused
from casework.models import Membership, Role
from tests.factories import PATHS, make_hazard, photo

# A state each action may start from (DESIGN.md, "The hazard lifecycle"; change_deadline: its service's rule).
STATE_FOR = {
    "assign": "reported",
    "record_temporary_measures": "assigned",
    "report_rectified": "assigned",
    "verify": "rectified",
    "reject": "rectified",
    "escalate": "assigned",
    "record_coordination": "escalated",
    "close_invalid": "reported",
    "change_deadline": "assigned",
}


def services():
    """Every public write service under casework/services: @transaction.atomic functions taking an actor."""
    found = {}
    for info in pkgutil.walk_packages(casework.services.__path__, "casework.services."):
        module = importlib.import_module(info.name)
        for name, fn in inspect.getmembers(module, inspect.isfunction):
            if (
                fn.__module__ == module.__name__
                and not name.startswith("_")
                and hasattr(fn, "__wrapped__")
                and "actor" in inspect.signature(fn).parameters
            ):
                found[f"{info.name}.{name}"] = fn
    return found


SERVICES = services()


def test_the_walk_finds_every_hazard_transition_service():
    names = {key.rsplit(".", 1)[1] for key in SERVICES}
    assert {f"hazard_{action}" for action in STATE_FOR} | {"hazard_report"} <= names


# The auditor's own notification settings are personal, not case data: choosing to be told by
# e-mail is allowed (notifications/settings); everything else must stay as it was.
PERSONAL = {"notifications.ChannelPreference", "notifications.HistoricalChannelPreference"}


def every_row():
    """All rows of every model the project owns (plus users and history): what must not change."""
    rows = {}
    for model in apps.get_models():
        if model._meta.app_label in {"sessions", "admin", "contenttypes"} or model._meta.label in PERSONAL:
            continue
        rows[model._meta.label] = sorted(map(repr, model.objects.values_list()))
    return rows


def _value(name: str, annotation, hazard, world):
    if name in ("hazard_id",) or (name.endswith("_id") and "hazard" in name):
        return hazard.pk
    if name == "school_id":
        return world.school_a1.pk
    if name == "back_to":
        return "assigned"
    if name in ("category",):
        return "fire"
    if name in ("key_place",):
        return "teaching_building"
    text = str(annotation)
    if "datetime" in text:
        return timezone.now()
    if "date" in text:
        return timezone.localdate() + timedelta(days=10)
    if "UploadedFile" in text or "Sequence" in text or "list" in text:
        return [photo()]
    if "bool" in text:
        return False
    if "int" in text:
        return hazard.pk
    return "审计员试图修改"


@pytest.mark.parametrize("key", sorted(SERVICES))
def test_every_service_refuses_the_auditor_and_changes_nothing(world, key):
    service = SERVICES[key]
    action = key.rsplit(".", 1)[1].removeprefix("hazard_")
    hazard = make_hazard(world, state=STATE_FOR.get(action, "assigned"), major=True)
    kwargs = {}
    for name, param in inspect.signature(service).parameters.items():
        if param.kind is not param.KEYWORD_ONLY or (param.default is not param.empty and name not in ("evidence",)):
            continue
        kwargs[name] = world.auditor if name == "actor" else _value(name, param.annotation, hazard, world)
    before = every_row()
    with pytest.raises(TransitionRefused) as refusal:
        service(**kwargs)
    assert refusal.value.code == errors.FORBIDDEN_ROLE
    assert "审计" in refusal.value.message
    assert every_row() == before


def test_the_auditor_is_not_staff_and_the_admin_turns_them_away(client, world):
    hazard = make_hazard(world, state="assigned")
    assert not world.auditor.is_staff and not world.auditor.is_superuser
    client.force_login(world.auditor)
    assert client.get("/admin/").status_code == 302
    before = every_row()
    response = client.post(f"/admin/casework/hazard/{hazard.pk}/change/", {"title": "改过", "description": "改过"})
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    response = client.post(
        "/admin/casework/membership/add/",
        {"user": world.auditor.pk, "org_unit": world.city.pk, "role": Role.CITY_ADMIN, "active": "on"},
    )
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert every_row() == before


def test_the_demo_auditor_is_not_staff_either(db):
    from django.core.management import call_command

    call_command("seed_demo", stdout=open("/dev/null", "w"))
    auditor = get_user_model().objects.get(username="auditor")
    assert not auditor.is_staff and not auditor.is_superuser
    assert set(Membership.objects.filter(user=auditor).values_list("role", flat=True)) == {Role.AUDITOR}


def every_url(resolver=None, prefix=""):
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from every_url(pattern, route)
        elif isinstance(pattern, URLPattern):
            yield route, pattern


def concrete(route: str, ids: dict) -> str:
    """A route with its converters filled in with rows that exist (regex admin routes included)."""
    import re

    route = route.lstrip("^").replace("\\Z", "").replace("$", "")
    route = re.sub(r"<int:pk>|<int:[a-z_]*id>|<int:[a-z_]+>", str(ids["hazard"]), route)
    route = re.sub(r"<path:object_id>", str(ids["hazard"]), route)
    route = re.sub(r"<[a-z]+:[a-z_]+>|<[a-z_]+>", "x", route)
    route = re.sub(r"\(\?P<app_label>[^)]*\)", "casework", route)
    route = re.sub(r"\(\?P<[a-z_]+>[^)]*\)", "x", route)
    return "/" + route


def test_a_post_to_every_url_as_the_auditor_changes_nothing(client, world):
    hazards = [make_hazard(world, state=state, major=True) for state in PATHS]
    ids = {"hazard": hazards[2].pk}
    client.force_login(world.auditor)
    before = every_row()
    urls = sorted({concrete(route, ids) for route, _ in every_url()} - {"/logout/", "/login/"})
    assert "/audit/review/" in urls and f"/hazards/{ids['hazard']}/" in urls
    for url in urls:
        data = {
            "title": "改过",
            "reason": "审计员试图修改",
            "result": "整改到位",
            "measures": "x",
            "deadline": "2030-01-01",
            "occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "description": "x",
            "action": "verify",
        }
        response = client.post(url, data)
        assert response.status_code < 500, url
        if url.startswith("/audit/"):
            assert response.status_code == 405, url  # the audit pages are read-only: GET only
    after = every_row()
    # Reading a page is not a change; the only rows allowed to appear are audit events of the auditor's reads.
    after.pop("casework.AuditEvent"), before.pop("casework.AuditEvent")
    after.pop("casework.AuditChainHead"), before.pop("casework.AuditChainHead")
    assert after == before
