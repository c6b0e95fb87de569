"""A campaign's worth of hazards moving before and after the 31 July 2019 cut-off, for the report tests.

Campaign period 2019-05-01 … 2019-07-31 (seed 000: "从即日起至7月31日", statistics as of 31 July).
What each hazard looks like as of 2019-07-31 23:59:59 is written next to it; the tests work the
expected counts out from these notes by hand.
"""

import time
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.utils import timezone

from casework.reports.asof import Moment, Period
from casework.services import transitions as svc
from tests.factories import photo

SH = ZoneInfo("Asia/Shanghai")
PERIOD = Period(start=date(2019, 5, 1), end=date(2019, 7, 31), name="学校及周边安全排查整改")
AS_OF = datetime(2019, 7, 31, 23, 59, 59, tzinfo=SH)


def at(month: int, day: int, hour: int = 10, minute: int = 0, second: int = 0) -> datetime:
    return datetime(2019, month, day, hour, minute, second, tzinfo=SH)


@dataclass
class Scenario:
    hazards: dict = field(default_factory=dict)
    before_late_entry: datetime | None = None  # a known_at between the last timely entry and the late one

    def moment(self, as_of: datetime = AS_OF, known_at: datetime | None = None) -> Moment:
        return Moment.at(as_of, known_at)


def _report(w, key, school, when, *, sensitive=False, category="fire", severity="general"):
    staff = {"school_a1": w.staff_a1, "school_a2": w.staff_a2, "school_b1": w.staff_b1}[school]
    station = {"school_a1": w.police_a1, "school_a2": w.police_a2, "school_b1": w.police_b1}[school]
    return svc.hazard_report(
        actor=station if sensitive else staff,
        school_id=w.units[school].pk,
        title=f"隐患{key}",
        description="情况说明",
        category=category,
        key_place="gate",
        severity=severity,
        sensitive=sensitive,
        occurred_at=when,
    ).pk


def _assign(actor, pk, when, deadline):
    svc.hazard_assign(
        hazard_id=pk, actor=actor, occurred_at=when, responsible_person="王主任", measures="整改", deadline=deadline
    )


def _rectified(actor, pk, when):
    svc.hazard_report_rectified(hazard_id=pk, actor=actor, occurred_at=when, description="已整改", evidence=[photo()])


def _verify(actor, pk, when):
    svc.hazard_verify(hazard_id=pk, actor=actor, occurred_at=when, result="整改到位")


def build(w) -> Scenario:
    s = Scenario()
    h = s.hazards
    # ---- 局前街小学 (school_a1, 天宁区) --------------------------------------------------------
    h[1] = _report(w, 1, "school_a1", at(6, 1))  # verified 6/25: total, rectified
    _assign(w.officer_a, h[1], at(6, 2), date(2019, 6, 30))
    _rectified(w.staff_a1, h[1], at(6, 20))
    _verify(w.supervisor_a, h[1], at(6, 25))
    h[2] = _report(w, 2, "school_a1", at(6, 5), category="security")  # fix reported 7/20, verified 8/2:
    _assign(w.officer_a, h[2], at(6, 6), date(2019, 7, 10))  # total, 待验收, NOT rectified
    _rectified(w.staff_a1, h[2], at(7, 20))
    _verify(w.supervisor_a, h[2], at(8, 2))
    h[3] = _report(w, 3, "school_a1", at(6, 10))  # closed invalid 6/11: left out
    svc.hazard_close_invalid(hazard_id=h[3], actor=w.officer_a, occurred_at=at(6, 11), reason="重复上报")
    h[4] = _report(w, 4, "school_a1", at(6, 12), severity="major")  # assigned, deadline 7/15: total, overdue
    svc.hazard_assign(
        hazard_id=h[4],
        actor=w.officer_a,
        occurred_at=at(6, 13),
        responsible_person="王主任",
        measures="整改",
        deadline=date(2019, 7, 15),
        funding="专项经费",
        contingency_plan="专人值守",
    )
    h[5] = _report(w, 5, "school_a1", at(8, 3))  # reported after the cut-off: left out
    h[6] = _report(w, 6, "school_a1", at(4, 20))  # reported before the period: left out
    h[7] = _report(w, 7, "school_a1", at(7, 1))  # closed invalid only on 8/5: total
    svc.hazard_close_invalid(hazard_id=h[7], actor=w.officer_a, occurred_at=at(8, 5), reason="不属于隐患")
    h[8] = _report(w, 8, "school_a1", at(6, 15), sensitive=True)  # sensitive, verified 6/18: police side only
    _assign(w.police_a1, h[8], at(6, 16), date(2019, 7, 1))
    _rectified(w.police_a1, h[8], at(6, 17))
    _verify(w.city_admin, h[8], at(6, 18))
    # ---- 第二十四中学 (school_a2, 天宁区) ------------------------------------------------------
    h[9] = _report(w, 9, "school_a2", at(7, 1), category="surroundings")  # escalated 7/10, deadline 7/20:
    _assign(w.officer_a, h[9], at(7, 2), date(2019, 7, 20))  # total, overdue
    svc.hazard_record_temporary_measures(hazard_id=h[9], actor=w.staff_a2, occurred_at=at(7, 5), measures="设岗")
    svc.hazard_escalate(hazard_id=h[9], actor=w.officer_a, occurred_at=at(7, 10), reason="需多部门协调")
    svc.hazard_record_coordination(
        hazard_id=h[9],
        actor=w.party_a,
        occurred_at=at(8, 1),
        decision="联合整治",
        units_charged="城管、交警",
        deadline=date(2019, 8, 30),
        back_to="assigned",
    )
    h[10] = _report(w, 10, "school_a2", at(7, 2))  # rejected 7/12, deadline moved 7/25→8/20
    _assign(w.officer_a, h[10], at(7, 3), date(2019, 7, 25))  # on 7/20: total, not overdue
    _rectified(w.staff_a2, h[10], at(7, 10))
    svc.hazard_reject(hazard_id=h[10], actor=w.supervisor_a, occurred_at=at(7, 12), reason="未整改到位")
    svc.hazard_change_deadline(
        hazard_id=h[10], actor=w.officer_a, occurred_at=at(7, 20), deadline=date(2019, 8, 20), reason="需采购设备"
    )
    h[11] = _report(w, 11, "school_a2", at(7, 5))  # verified 7/30 but entered late:
    _assign(w.officer_a, h[11], at(7, 6), date(2019, 8, 6))  # rectified once known
    _rectified(w.staff_a2, h[11], at(7, 25))
    # ---- 西横街小学 (school_b1, 钟楼区) --------------------------------------------------------
    h[12] = _report(w, 12, "school_b1", at(5, 10), category="food")  # verified 6/2: total, rectified
    _assign(w.officer_b, h[12], at(5, 11), date(2019, 6, 30))
    _rectified(w.staff_b1, h[12], at(6, 1))
    _verify(w.supervisor_b, h[12], at(6, 2))
    h[13] = _report(w, 13, "school_b1", at(7, 31, 23, 0))  # reported an hour before the cut-off: total
    h[14] = _report(w, 14, "school_b1", at(8, 1, 0, 0, 1))  # a second after: left out
    # ---- the late entry ------------------------------------------------------------------------
    s.before_late_entry = timezone.now()
    time.sleep(0.005)  # recorded_at is strictly after before_late_entry
    _verify(w.supervisor_a, h[11], at(7, 30))  # happened 7/30, entered now
    return s
