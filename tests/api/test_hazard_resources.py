"""The API's resources: the ledger with its filters and cursor pages, reporting with evidence, the
read-only transition log and history, notifications, org units."""

from casework.models import HazardTransition
from notifications.models import Notification
from tests.api.conftest import client_for
from tests.factories import Clock, make_hazard, photo


def test_the_ledger_filters_like_the_web_ledger(world):
    clock = Clock()
    fire = make_hazard(world, state="assigned", title="灭火器过期", clock=clock)
    major = make_hazard(world, state="reported", major=True, title="围墙开裂", clock=clock)
    other_school = make_hazard(world, state="reported", school="school_a2", title="校门无人值守", clock=clock)
    client = client_for(world.officer_a)

    def ids(**params):
        response = client.get("/api/hazards/", params)
        assert response.status_code == 200, response.content
        return [row["id"] for row in response.json()["results"]]

    assert ids() == [other_school.pk, major.pk, fire.pk]
    assert ids(sort="reported_asc") == [fire.pk, major.pk, other_school.pk]
    assert ids(severity="major") == [major.pk]
    assert ids(state="assigned") == [fire.pk]
    assert ids(school=world.school_a2.pk) == [other_school.pk]
    assert ids(q="灭火器") == [fire.pk]
    assert ids(district=world.district_b.pk) == []


def test_a_malformed_filter_is_400_not_ignored_and_not_500(world):
    response = client_for(world.officer_a).get("/api/hazards/", {"state": "nonsense", "school": "x"})
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"state", "school"}


def test_the_ledger_pages_with_a_cursor_and_loses_no_row(world):
    clock = Clock()
    made = {make_hazard(world, title=f"隐患{i}", clock=clock).pk for i in range(5)}
    client = client_for(world.officer_a)
    seen, url = [], "/api/hazards/?page_size=2"
    while url:
        page = client.get(url).json()
        assert len(page["results"]) <= 2
        seen += [row["id"] for row in page["results"]]
        url = page["next"]
    assert sorted(seen) == sorted(made)
    assert len(seen) == len(set(seen))


def test_reporting_with_evidence_through_the_api_goes_through_the_service(world):
    body = {
        "school": world.school_a1.pk,
        "title": "实验室通风橱损坏",
        "description": "二楼化学实验室",
        "category": "lab_chemicals",
        "key_place": "laboratory",
        "severity": "major",
        "evidence": [photo(), photo("b.png")],
    }
    response = client_for(world.staff_a1).post("/api/hazards/", body, format="multipart")
    assert response.status_code == 201
    created = response.json()
    assert created["state"] == "reported" and created["severity"] == "major"
    assert len(created["evidence"]) == 2
    record = HazardTransition.objects.get(hazard_id=created["id"])
    assert (record.name, record.actor, record.actor_role) == ("report", world.staff_a1, "school_staff")
    assert Notification.objects.filter(recipient=world.officer_a, event="hazard.report").exists()


def test_a_whole_case_runs_through_the_api_and_its_log_and_history_read_back(world):
    hazard = make_hazard(world, state="reported")
    officer, staff, supervisor = (
        client_for(world.officer_a),
        client_for(world.staff_a1),
        client_for(world.supervisor_a),
    )
    steps = [
        (officer, "assign", {"responsible_person": "王主任", "measures": "清理", "deadline": "2099-12-31"}, "json"),
        (staff, "record-temporary-measures", {"measures": "设置围挡"}, "json"),
        (staff, "report-rectified", {"description": "已清理", "evidence": [photo()]}, "multipart"),
        (supervisor, "reject", {"reason": "仍有杂物"}, "json"),
        (staff, "report-rectified", {"description": "彻底清理", "evidence": [photo()]}, "multipart"),
        (supervisor, "verify", {"result": "整改到位"}, "json"),
    ]
    for client, part, body, fmt in steps:
        response = client.post(f"/api/hazards/{hazard.pk}/{part}/", body, format=fmt)
        assert response.status_code == 200, (part, response.content.decode())
    assert response.json()["state"] == "verified"
    log = officer.get(f"/api/hazards/{hazard.pk}/transitions/").json()
    assert [r["name"] for r in log] == [
        "report",
        "assign",
        "record_temporary_measures",
        "report_rectified",
        "reject",
        "report_rectified",
        "verify",
    ]
    assert all(log[i]["prev_hash"] == log[i - 1]["hash"] for i in range(1, len(log)))
    history = officer.get(f"/api/hazards/{hazard.pk}/history/").json()
    assert [h["state"] for h in history] == [
        "reported",
        "assigned",
        "temporary_measures",
        "rectified",
        "assigned",
        "rectified",
        "verified",
    ]
    assert history[-1]["history_user"] == "supervisor_a"


def test_the_inbox_shows_only_ones_own_notifications_and_marks_them_read(world):
    make_hazard(world, state="assigned")  # the school hears of the assignment
    staff = client_for(world.staff_a1)
    inbox = staff.get("/api/notifications/", {"unread": "true"}).json()["results"]
    assert inbox and all(not n["is_read"] for n in inbox)
    mine = inbox[0]["id"]
    assert client_for(world.staff_a2).post(f"/api/notifications/{mine}/read/").status_code == 404
    assert client_for(world.staff_a2).get(f"/api/notifications/{mine}/").status_code == 404
    marked = staff.post(f"/api/notifications/{mine}/read/")
    assert marked.status_code == 200 and marked.json()["is_read"] is True
    assert mine not in [n["id"] for n in staff.get("/api/notifications/", {"unread": "true"}).json()["results"]]


def test_org_units_are_those_of_the_users_subtree(world):
    names = lambda user, **q: {u["name"] for u in client_for(user).get("/api/org-units/", q).json()["results"]}
    assert names(world.staff_a1) == {"局前街小学"}
    assert names(world.officer_a, kind="school") == {"局前街小学", "第二十四中学"}
    assert "西横街小学" in names(world.city_admin)
    assert client_for(world.staff_a1).get(f"/api/org-units/{world.school_b1.pk}/").status_code == 404
