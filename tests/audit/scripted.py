"""A scripted history of one major hazard over five months of 2025, with explicit moments (Asia/Shanghai).

03-03 09:00  staff_a1 reports (major)
03-04 10:00  officer_a assigns: 王主任, deadline 03-31
03-18 10:00  staff_a1 records temporary measures
03-20 10:00  officer_a extends the deadline to 04-30 (first extension)
04-25 15:00  staff_a1 reports the fix done
04-28 10:00  supervisor_a rejects it (rework; deadline still 04-30)
05-06 10:00  officer_a escalates to the party committee
05-20 10:00  party_a decides: 城管局、市场监管局 charged, deadline 06-30, back to temporary measures
06-16 10:00  officer_a extends the deadline to 07-31 (second extension)
07-25 15:00  staff_a1 reports the fix done again
07-28 10:00  supervisor_a verifies
"""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from casework.services import transitions as svc
from tests.factories import photo

SH = ZoneInfo("Asia/Shanghai")


def at(month: int, day: int, hour: int = 10, minute: int = 0, year: int = 2025) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=SH)


def scripted_hazard(w):
    h = svc.hazard_report(
        actor=w.staff_a1,
        school_id=w.school_a1.pk,
        title="围墙外违建压占消防通道",
        description="学校东侧围墙外违章搭建，压占消防通道",
        category="fire",
        key_place="surroundings",
        severity="major",
        occurred_at=at(3, 3, 9),
    )
    pk = h.pk
    svc.hazard_assign(
        hazard_id=pk,
        actor=w.officer_a,
        occurred_at=at(3, 4),
        responsible_person="王主任",
        responsible_phone="13800000001",
        measures="清理杂物并拆除违建",
        deadline=date(2025, 3, 31),
        funding="专项经费 5 万元",
        contingency_plan="设置警戒区",
    )
    svc.hazard_record_temporary_measures(
        hazard_id=pk, actor=w.staff_a1, occurred_at=at(3, 18), measures="设置围挡并专人值守"
    )
    svc.hazard_change_deadline(
        hazard_id=pk, actor=w.officer_a, occurred_at=at(3, 20), deadline=date(2025, 4, 30), reason="材料采购周期长"
    )
    svc.hazard_report_rectified(
        hazard_id=pk,
        actor=w.staff_a1,
        occurred_at=at(4, 25, 15),
        description="已清理杂物",
        evidence=[photo("first.png")],
    )
    svc.hazard_reject(hazard_id=pk, actor=w.supervisor_a, occurred_at=at(4, 28), reason="违建未拆除，整改不彻底")
    svc.hazard_escalate(hazard_id=pk, actor=w.officer_a, occurred_at=at(5, 6), reason="需城管、市场监管联合执法")
    svc.hazard_record_coordination(
        hazard_id=pk,
        actor=w.party_a,
        occurred_at=at(5, 20),
        decision="由城管局牵头拆除违建",
        units_charged="城管局、市场监管局",
        deadline=date(2025, 6, 30),
        back_to="temporary_measures",
    )
    svc.hazard_change_deadline(
        hazard_id=pk, actor=w.officer_a, occurred_at=at(6, 16), deadline=date(2025, 7, 31), reason="联合执法排期"
    )
    svc.hazard_report_rectified(
        hazard_id=pk,
        actor=w.staff_a1,
        occurred_at=at(7, 25, 15),
        description="违建已拆除",
        evidence=[photo("second.png")],
    )
    svc.hazard_verify(hazard_id=pk, actor=w.supervisor_a, occurred_at=at(7, 28), result="现场核查，整改到位")
    h.refresh_from_db()
    return h
