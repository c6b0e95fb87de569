"""Time-to-fix figures from the transition records, for a campaign period and a cut-off."""

from datetime import date

import pytest

from casework.selectors.time_to_fix import Figure, percentile_nearest_rank, time_to_fix_for
from casework.services import transitions as svc
from casework.web.deadlines.views import end_of_day
from tests.factories import photo, report_at, shanghai

PERIOD = {"period_start": date(2019, 9, 21), "period_end": date(2019, 10, 20)}
CUTOFF = end_of_day(date(2019, 10, 22))
PLAN = {"responsible_person": "王主任", "measures": "整改", "deadline_working_days": 15}


def assign(w, h, officer, at):
    svc.hazard_assign(hazard_id=h.pk, actor=officer, occurred_at=at, **PLAN)


def rectify(h, staff, at):
    svc.hazard_report_rectified(hazard_id=h.pk, actor=staff, description="已整改", evidence=[photo()], occurred_at=at)


@pytest.fixture
def scripted(world):
    """The hazards of a campaign from 21 September to 20 October 2019 (all moments Asia/Shanghai)."""
    w = world
    # H1 天宁区 · 局前街小学 (primary) · fire
    h1 = report_at(w, shanghai(2019, 9, 25), school="school_a1", category="fire")
    assign(w, h1, w.officer_a, shanghai(2019, 9, 27))
    rectify(h1, w.staff_a1, shanghai(2019, 10, 9))
    svc.hazard_verify(hazard_id=h1.pk, actor=w.supervisor_a, result="到位", occurred_at=shanghai(2019, 10, 14))
    # H2 天宁区 · 第二十四中学 (junior) · fire, with a rework
    h2 = report_at(w, shanghai(2019, 9, 30), school="school_a2", category="fire")
    assign(w, h2, w.officer_a, shanghai(2019, 10, 8))
    rectify(h2, w.staff_a2, shanghai(2019, 10, 10))
    svc.hazard_reject(hazard_id=h2.pk, actor=w.supervisor_a, reason="未彻底", occurred_at=shanghai(2019, 10, 11))
    rectify(h2, w.staff_a2, shanghai(2019, 10, 15))
    svc.hazard_verify(hazard_id=h2.pk, actor=w.supervisor_a, result="到位", occurred_at=shanghai(2019, 10, 16))
    # H3 钟楼区 · 西横街小学 (primary) · security; verified after the cut-off
    h3 = report_at(w, shanghai(2019, 10, 8, 9), school="school_b1", category="security")
    assign(w, h3, w.officer_b, shanghai(2019, 10, 8, 16))
    rectify(h3, w.staff_b1, shanghai(2019, 10, 21))
    svc.hazard_verify(hazard_id=h3.pk, actor=w.supervisor_b, result="到位", occurred_at=shanghai(2019, 10, 23))
    # H4 天宁区 · 局前街小学 · security; assigned on the make-up Saturday, rectified after the cut-off
    h4 = report_at(w, shanghai(2019, 10, 10), school="school_a1", category="security")
    assign(w, h4, w.officer_a, shanghai(2019, 10, 12))
    rectify(h4, w.staff_a1, shanghai(2019, 10, 25))
    # H5 closed as invalid: not counted at all
    h5 = report_at(w, shanghai(2019, 10, 9), school="school_b1", category="fire")
    svc.hazard_close_invalid(hazard_id=h5.pk, actor=w.officer_b, reason="重复上报", occurred_at=shanghai(2019, 10, 10))
    # H6 reported before the period, H8 after it: not counted
    h6 = report_at(w, shanghai(2019, 9, 20), school="school_a1")
    assign(w, h6, w.officer_a, shanghai(2019, 9, 23))
    report_at(w, shanghai(2019, 10, 21), school="school_a2")
    # H7 sensitive, handled by the police: only police, city admin and auditors see it
    h7 = report_at(
        w, shanghai(2019, 10, 9), school="school_a1", category="security", reporter=w.police_a1, sensitive=True
    )
    assign(w, h7, w.police_a1, shanghai(2019, 10, 10))
    return w


def figure(f: Figure) -> tuple:
    return (f.count, f.median_days, f.p90_days, f.median_working_days, f.p90_working_days)


def test_the_city_figures_match_the_hand_computed_ones(scripted):
    report = time_to_fix_for(scripted.supervisor_city, **PERIOD, as_of=CUTOFF)
    # Counted: H1, H2, H3, H4 (H5 invalid, H6/H8 outside the period, H7 sensitive).
    assert report.total.hazards == 4
    # report → assignment (calendar days, working days):
    #   H1 09-25 → 09-27: 2, 2 (Thu, Fri)
    #   H2 09-30 → 10-08: 8, 1 (only Tue 10-08; 10-01…10-07 is National Day)
    #   H3 10-08 → 10-08: 0, 0
    #   H4 10-10 → 10-12: 2, 2 (Fri 10-11, Sat 10-12 make-up)
    #   calendar [0, 2, 2, 8]: median 2, p90 = 4th of 4 (ceil 3.6) = 8; working [0, 1, 2, 2]: median 1.5, p90 2
    assert figure(report.total.figures["report_to_assign"]) == (4, 2, 8, 1.5, 2)
    # assignment → rectification (the fix that stands; H4's comes after the cut-off):
    #   H1 09-27 → 10-09: 12, 4 (Sun 09-29, Mon 09-30, Tue 10-08, Wed 10-09)
    #   H2 10-08 → 10-15 (the fix of 10-10 was rejected): 7, 6 (09, 10, 11, Sat 12, 14, 15)
    #   H3 10-08 → 10-21: 13, 10 (09, 10, 11, 12, 14, 15, 16, 17, 18, 21)
    #   calendar [7, 12, 13]: median 12, p90 = 3rd (ceil 2.7) = 13; working [4, 6, 10]: median 6, p90 10
    assert figure(report.total.figures["assign_to_rectify"]) == (3, 12, 13, 6, 10)
    # rectification → verification (H3's verification comes after the cut-off):
    #   H1 10-09 → 10-14: 5, 4 (10, 11, Sat 12, 14);  H2 10-15 → 10-16: 1, 1
    #   calendar [1, 5]: median 3, p90 = 2nd (ceil 1.8) = 5; working [1, 4]: median 2.5, p90 4
    assert figure(report.total.figures["rectify_to_verify"]) == (2, 3, 5, 2.5, 4)


def test_the_figures_are_grouped_by_district_school_kind_and_category(scripted):
    report = time_to_fix_for(scripted.supervisor_city, **PERIOD, as_of=CUTOFF)
    districts = {row.label: row for row in report.tables["district"]}
    assert {k: r.hazards for k, r in districts.items()} == {"天宁区": 3, "钟楼区": 1}
    # 天宁区 report → assignment: H1 (2, 2), H2 (8, 1), H4 (2, 2): calendar [2, 2, 8], working [1, 2, 2]
    assert figure(districts["天宁区"].figures["report_to_assign"]) == (3, 2, 8, 2, 2)
    # 钟楼区: H3 only, not verified by the cut-off
    assert figure(districts["钟楼区"].figures["assign_to_rectify"]) == (1, 13, 13, 10, 10)
    assert figure(districts["钟楼区"].figures["rectify_to_verify"]) == (0, None, None, None, None)

    kinds = {row.label: row for row in report.tables["school_kind"]}
    assert [row.label for row in report.tables["school_kind"]] == ["小学", "初中"]
    # 小学: H1, H3, H4; assignment → rectification: H1 (12, 4), H3 (13, 10): median 12.5 / 7, p90 13 / 10
    assert figure(kinds["小学"].figures["assign_to_rectify"]) == (2, 12.5, 13, 7, 10)
    assert figure(kinds["初中"].figures["assign_to_rectify"]) == (1, 7, 7, 6, 6)

    categories = {row.label: row for row in report.tables["category"]}
    # 消防: H1, H2; rectification → verification (5, 4) and (1, 1)
    assert figure(categories["消防"].figures["rectify_to_verify"]) == (2, 3, 5, 2.5, 4)
    # 治安防控: H3, H4; report → assignment (0, 0) and (2, 2)
    assert figure(categories["治安防控"].figures["report_to_assign"]) == (2, 1, 2, 1, 2)


def test_an_earlier_cut_off_counts_only_what_had_happened_by_then(scripted):
    report = time_to_fix_for(scripted.supervisor_city, **PERIOD, as_of=end_of_day(date(2019, 10, 9)))
    # Reported by 10-09: H1, H2, H3, and H5, which was closed only on 10-10.
    assert report.total.hazards == 4
    # Assigned by then: H1 (2, 2), H2 (8, 1), H3 (0, 0)
    assert figure(report.total.figures["report_to_assign"]) == (3, 2, 8, 1, 2)
    # Rectified by then: H1 only, at 10:00 on 10-09
    assert figure(report.total.figures["assign_to_rectify"]) == (1, 12, 12, 4, 4)
    assert report.total.figures["rectify_to_verify"].count == 0


def test_a_rejected_fix_does_not_count_as_rectified(scripted):
    report = time_to_fix_for(scripted.supervisor_city, **PERIOD, as_of=end_of_day(date(2019, 10, 12)))
    # H2's fix of 10-10 was rejected on 10-11: by 10-12 only H1 is rectified.
    assert figure(report.total.figures["assign_to_rectify"]) == (1, 12, 12, 4, 4)


def test_a_district_officer_sees_the_figures_of_the_own_district_only(scripted):
    report = time_to_fix_for(scripted.officer_a, **PERIOD, as_of=CUTOFF)
    assert [row.label for row in report.tables["district"]] == ["天宁区"]
    assert figure(report.total.figures["report_to_assign"]) == (3, 2, 8, 2, 2)


def test_sensitive_hazards_count_only_for_the_police_side(scripted):
    admin = time_to_fix_for(scripted.city_admin, **PERIOD, as_of=CUTOFF)
    # H7: 10-09 → 10-10, (1, 1), added to the four others: calendar [0, 1, 2, 2, 8], working [0, 1, 1, 2, 2]
    assert admin.total.hazards == 5
    assert figure(admin.total.figures["report_to_assign"]) == (5, 2, 8, 1, 2)
    police = time_to_fix_for(scripted.police_a1, **PERIOD, as_of=CUTOFF)
    # The station of school A1: H1, H4 and H7
    assert police.total.hazards == 3
    staff = time_to_fix_for(scripted.staff_a1, **PERIOD, as_of=CUTOFF)
    assert staff.total.hazards == 2  # H1 and H4, never H7


def test_the_party_committee_sees_nothing_it_was_not_asked_to_coordinate(scripted):
    assert time_to_fix_for(scripted.party_a, **PERIOD, as_of=CUTOFF).total.hazards == 0


def test_intervals_in_an_uncovered_year_carry_the_calendar_warning(world):
    h = report_at(world, shanghai(2003, 12, 22))
    assign(world, h, world.officer_a, shanghai(2003, 12, 29))
    report = time_to_fix_for(
        world.supervisor_city,
        period_start=date(2003, 12, 1),
        period_end=date(2003, 12, 31),
        as_of=end_of_day(date(2003, 12, 31)),
    )
    assert figure(report.total.figures["report_to_assign"]) == (1, 7, 7, 5, 5)
    assert report.uncovered_years == [2003]
    assert "2003年" in report.warning


@pytest.mark.parametrize(
    "values, expected",
    [([5], 5), ([1, 2], 2), (list(range(1, 11)), 9), (list(range(1, 12)), 10), (list(range(1, 21)), 18)],
)
def test_the_90th_percentile_is_the_nearest_rank(values, expected):
    assert percentile_nearest_rank(values, 90) == expected
