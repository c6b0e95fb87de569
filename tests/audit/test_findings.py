"""The findings an auditor starts from, each shown to fire on the case it names and stay quiet otherwise."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.utils import timezone

from casework.audit.findings import (
    all_findings,
    changes_in_bulk,
    changes_outside_working_hours,
    deadlines_extended_more_than_once,
    is_working_time,
    listings_without_progress_reports,
    overdue_major_hazards,
    verifications_by_chain_members,
    verified_without_evidence,
)
from casework.audit.review import end_of_day, start_of_day
from casework.models import Role
from casework.services import transitions as svc
from tests.audit.scripted import SH, at, scripted_hazard
from tests.factories import make_hazard, make_listing, member, photo


def report(w, when, *, actor=None, major=False, school="school_a1", title="消防通道堆放杂物"):
    return svc.hazard_report(
        actor=actor or w.staff_a1,
        school_id=w.units[school].pk,
        title=title,
        description="描述",
        category="fire",
        key_place="teaching_building",
        severity="major" if major else "general",
        occurred_at=when,
    )


def assign(w, hazard, when, deadline, major=False):
    extra = {"funding": "经费", "contingency_plan": "预案"} if major else {}
    return svc.hazard_assign(
        hazard_id=hazard.pk,
        actor=w.officer_a,
        occurred_at=when,
        responsible_person="王主任",
        measures="清理",
        deadline=deadline,
        **extra,
    )


def ids(finding):
    return sorted(row["hazard_id"] for row in finding.rows)


def test_overdue_major_hazards_are_listed_and_general_or_timely_ones_are_not(world):
    late_major = report(world, at(1, 6, 9), major=True)
    assign(world, late_major, at(1, 7), date(2025, 2, 1), major=True)
    late_general = report(world, at(1, 6, 9, 30))
    assign(world, late_general, at(1, 7, 11), date(2025, 2, 1))
    timely_major = report(world, at(1, 6, 10), major=True)
    assign(world, timely_major, at(1, 7, 12), timezone.localdate() + timedelta(days=5), major=True)
    finding = overdue_major_hazards(world.auditor)
    assert ids(finding) == [late_major.pk]
    assert "已逾期" in finding.rows[0]["detail"]


def test_a_deadline_extended_twice_is_a_finding_and_once_is_not(world):
    twice = scripted_hazard(world)
    once = report(world, at(3, 3, 9), major=False)
    assign(world, once, at(3, 4), date(2025, 3, 31))
    svc.hazard_change_deadline(
        hazard_id=once.pk, actor=world.officer_a, occurred_at=at(3, 5), deadline=date(2025, 4, 30), reason="材料采购"
    )
    finding = deadlines_extended_more_than_once(world.auditor)
    assert ids(finding) == [twice.pk]
    assert "延期 2 次" in finding.rows[0]["detail"] and "联合执法排期" in finding.rows[0]["detail"]


def _fixed(w, hazard, when):
    svc.hazard_report_rectified(
        hazard_id=hazard.pk, actor=w.staff_a1, occurred_at=when, description="已整改", evidence=[photo()]
    )


def test_a_verifier_who_also_works_at_the_rectifying_school_is_a_finding(world):
    # Two memberships: supervisor of the district and safety officer of the school that did the fix.
    dual = member("dual", Role.SUPERVISOR, world.district_a)
    member("dual", Role.SCHOOL_STAFF, world.school_a1)
    suspicious = report(world, at(2, 3, 9))
    assign(world, suspicious, at(2, 3, 10), date(2025, 3, 1))
    _fixed(world, suspicious, at(2, 10))
    svc.hazard_verify(hazard_id=suspicious.pk, actor=dual, occurred_at=at(2, 11), result="到位")
    clean = report(world, at(2, 3, 11))
    assign(world, clean, at(2, 3, 12), date(2025, 3, 1))
    _fixed(world, clean, at(2, 10, 11))
    svc.hazard_verify(hazard_id=clean.pk, actor=world.supervisor_a, occurred_at=at(2, 11, 11), result="到位")
    finding = verifications_by_chain_members(world.auditor)
    assert ids(finding) == [suspicious.pk]
    assert "同时在上报或整改单位任职" in finding.rows[0]["detail"]


def test_a_verifier_who_corrected_the_fix_through_the_admin_is_a_finding(world):
    hazard = report(world, at(2, 3, 9))
    assign(world, hazard, at(2, 3, 10), date(2025, 3, 1))
    _fixed(world, hazard, at(2, 10))
    # The supervisor rewrites the school's report outside the services (as through the admin) …
    hazard.refresh_from_db()
    hazard.rectification = "已整改完毕，符合要求"
    hazard._history_user = world.supervisor_a
    hazard._change_reason = "admin_edit"
    hazard.save()
    # … which the separation-of-duty check cannot see, and then signs it off.
    svc.hazard_verify(hazard_id=hazard.pk, actor=world.supervisor_a, occurred_at=at(2, 11), result="到位")
    finding = verifications_by_chain_members(world.auditor)
    assert ids(finding) == [hazard.pk] and "直接修改" in finding.rows[0]["detail"]


def test_a_hazard_verified_after_its_evidence_vanished_is_a_finding(world):
    gone = report(world, at(2, 3, 9))
    assign(world, gone, at(2, 3, 10), date(2025, 3, 1))
    _fixed(world, gone, at(2, 10))
    svc.hazard_verify(hazard_id=gone.pk, actor=world.supervisor_a, occurred_at=at(2, 11), result="到位")
    kept = report(world, at(2, 3, 11))
    assign(world, kept, at(2, 3, 12), date(2025, 3, 1))
    _fixed(world, kept, at(2, 10, 11))
    svc.hazard_verify(hazard_id=kept.pk, actor=world.supervisor_a, occurred_at=at(2, 11, 11), result="到位")
    assert verified_without_evidence(world.auditor).rows == []
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM casework_evidence WHERE hazard_id = %s", [gone.pk])
    finding = verified_without_evidence(world.auditor)
    assert ids(finding) == [gone.pk] and "没有佐证材料" in finding.rows[0]["detail"]


def test_an_active_listing_without_progress_reports_is_a_finding_until_the_school_reports(world):
    from casework.services.listings import listing_report_progress

    silent = make_hazard(world, state="assigned", major=True)
    reporting = make_hazard(world, state="assigned", major=True, school="school_a2")
    make_listing(world, silent)
    listing = make_listing(world, reporting)
    listing_report_progress(
        listing_id=listing.pk,
        actor=world.staff_a2,
        work_done="已拆除旧设施",
        percent_complete=40,
        evidence=[photo()],
        occurred_at=timezone.now(),
    )
    rows = listings_without_progress_reports(world.auditor).rows
    assert [row["hazard_id"] for row in rows] == [silent.pk]


@pytest.mark.parametrize(
    ("moment", "working"),
    [
        (datetime(2025, 3, 12, 9, 0, tzinfo=SH), True),  # Wednesday morning
        (datetime(2025, 3, 12, 7, 59, tzinfo=SH), False),  # before 08:00
        (datetime(2025, 3, 12, 20, 0, tzinfo=SH), False),  # from 20:00
        (datetime(2025, 3, 8, 10, 0, tzinfo=SH), False),  # Saturday
        (datetime(2025, 10, 2, 10, 0, tzinfo=SH), False),  # National Day holiday, a Thursday
        (datetime(2025, 9, 28, 10, 0, tzinfo=SH), True),  # Sunday made a working day (调休)
    ],
)
def test_working_time_is_judged_in_shanghai_with_holidays(db, moment, working):
    assert is_working_time(moment) is working
    # The same moment spelled in UTC is judged the same.
    assert is_working_time(moment.astimezone(ZoneInfo("UTC"))) is working


def test_working_time_follows_the_citys_holiday_overrides(world):
    from casework.services.deadlines import holiday_override_set

    wednesday = datetime(2025, 3, 12, 9, 0, tzinfo=SH)
    assert is_working_time(wednesday)
    holiday_override_set(actor=world.city_admin, day=wednesday.date(), is_workday=False, name="临时停课")
    assert not is_working_time(wednesday)


def test_changes_said_to_happen_or_entered_outside_working_hours_are_findings(world, monkeypatch):
    weekday = report(world, at(3, 12, 9))
    weekend = report(world, datetime(2025, 3, 8, 22, 0, tzinfo=SH))
    entered_at_night = datetime(2025, 3, 12, 23, 30, tzinfo=SH)
    monkeypatch.setattr(timezone, "now", lambda: entered_at_night)
    night = report(world, at(3, 12, 16))
    monkeypatch.undo()
    finding = changes_outside_working_hours(
        world.auditor, start_of_day(date(2025, 3, 1)), end_of_day(date(2025, 3, 31))
    )
    details = {row["hazard_id"]: row["detail"] for row in finding.rows}
    assert sorted(details) == sorted([weekend.pk, night.pk]) and weekday.pk not in details
    assert "发生于 2025-03-08 22:00" in details[weekend.pk]
    assert "录入于 2025-03-12 23:30" in details[night.pk]


def test_many_records_by_one_actor_within_minutes_are_a_finding(world, monkeypatch):
    start = datetime(2025, 6, 3, 10, 0, tzinfo=SH)
    moments = iter(start + timedelta(seconds=30 * i) for i in range(100))
    current = {"now": start}

    def now():
        return current["now"]

    monkeypatch.setattr(timezone, "now", now)
    hazards = []
    for i in range(10):
        current["now"] = next(moments)
        hazards.append(report(world, start - timedelta(hours=1), title=f"批量 {i}"))
    current["now"] = start + timedelta(hours=2)
    report(world, start - timedelta(hours=1), actor=world.staff_a2, school="school_a2")
    monkeypatch.undo()
    period = (start_of_day(date(2025, 6, 1)), end_of_day(date(2025, 6, 30)))
    finding = changes_in_bulk(world.auditor, *period)
    assert [row["actor"].username for row in finding.rows] == ["staff_a1"]
    assert "录入 10 条记录" in finding.rows[0]["detail"]
    assert changes_in_bulk(world.auditor, *period, count=11).rows == []


def test_findings_are_scoped_to_what_the_reader_may_see(world):
    scripted_hazard(world)
    for finding in all_findings(world.officer_b, date(2025, 1, 1), date(2025, 12, 31)):
        assert finding.rows == [], finding.code
    by_code = {f.code: f for f in all_findings(world.auditor, date(2025, 1, 1), date(2025, 12, 31))}
    assert len(by_code["extended_twice"].rows) == 1
