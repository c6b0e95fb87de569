"""The counts as of a moment, from the transition log: worked out by hand from tests/reports/scenario.py."""

from datetime import datetime

from casework.access import ReportSide, hazards_for_side
from casework.models import Hazard, OrgUnit
from casework.reports.asof import Counts, counts_by, overdue_by
from casework.reports.layouts import city_rollup, district_table, school_form

from .scenario import PERIOD, SH, at

EDU, POLICE = ReportSide.EDUCATION, ReportSide.POLICE


def test_a_school_form_counts_what_had_happened_by_the_cut_off(world, scenario):
    # 局前街小学, education side, as of 31 July: #1 verified; #2 fixed but verified only 2 Aug (待验收);
    # #4 assigned and overdue; #7 still open (closed invalid only 5 Aug). Left out: #3 (invalid 11 Jun),
    # #5 (reported 3 Aug), #6 (reported before the period), #8 (sensitive).
    report = school_form(
        school=world.school_a1, hazards=hazards_for_side(EDU), moment=scenario.moment(), period=PERIOD, side=EDU
    )
    assert report.figures["counts"] == {"total": 4, "rectified": 1, "unrectified": 3}
    values = {c.key: c.value for row in report.rows for c in row if c.key}
    assert (values["total"], values["rectified"], values["unrectified"]) == (4, 1, 3)


def test_a_hazard_verified_on_2_august_counts_as_unrectified_as_of_31_july(world, scenario):
    counts = counts_by(Hazard.objects.filter(pk=scenario.hazards[2]), scenario.moment(), PERIOD)
    assert counts[world.school_a1.pk] == Counts(total=1, rectified=0, pending=1, overdue=0)
    later = counts_by(
        Hazard.objects.filter(pk=scenario.hazards[2]),
        scenario.moment(as_of=datetime(2019, 8, 2, 23, 0, tzinfo=SH)),
        PERIOD,
    )
    assert later[world.school_a1.pk] == Counts(total=1, rectified=1, pending=0, overdue=0)


def test_the_police_copy_of_the_school_form_counts_the_sensitive_hazard(world, scenario):
    report = school_form(
        school=world.school_a1, hazards=hazards_for_side(POLICE), moment=scenario.moment(), period=PERIOD, side=POLICE
    )
    assert report.figures["counts"] == {"total": 5, "rectified": 2, "unrectified": 3}


def test_the_district_table_has_one_row_per_school_and_the_totals(world, scenario):
    # 天宁区: 局前街小学 4 / 1 (above); 第二十四中学: #9 escalated, #10 reworked, #11 verified 30 Jul → 3 / 1.
    report = district_table(
        district=world.district_a,
        schools=OrgUnit.objects.all(),
        hazards=hazards_for_side(EDU),
        moment=scenario.moment(),
        period=PERIOD,
        side=EDU,
    )
    body = {row[2].value: (row[5].value, row[6].value) for row in report.rows[1:-1]}
    assert body == {"局前街小学": (4, 1), "第二十四中学": (3, 1)}
    totals = report.rows[-1]
    assert totals[0].value == "合计（2所学校）"
    assert (totals[2].value, totals[3].value) == (7, 2)
    assert [row[0].value for row in report.rows[1:-1]] == ["天宁区", "天宁区"]
    assert {row[1].value for row in report.rows[1:-1]} == {"红梅派出所", "茶山派出所"}


def test_the_city_roll_up_sums_the_districts(world, scenario):
    # 天宁区 7 / 2; 钟楼区: #12 verified, #13 reported an hour before the cut-off (#14 a second after) → 2 / 1.
    report = city_rollup(
        city=world.city,
        districts=OrgUnit.objects.all(),
        schools=OrgUnit.objects.all(),
        hazards=hazards_for_side(EDU),
        moment=scenario.moment(),
        period=PERIOD,
        side=EDU,
    )
    rows = {row[0].value: [c.value for c in row[1:]] for row in report.rows[1:]}
    assert rows["天宁区"] == [2, 7, 2, 5, "28.6%"]
    assert rows["钟楼区"] == [1, 2, 1, 1, "50.0%"]
    assert rows["合计"] == [3, 9, 3, 6, "33.3%"]


def test_the_police_city_roll_up_adds_the_sensitive_hazard_to_its_district(world, scenario):
    report = city_rollup(
        city=world.city,
        districts=OrgUnit.objects.all(),
        schools=OrgUnit.objects.all(),
        hazards=hazards_for_side(POLICE),
        moment=scenario.moment(),
        period=PERIOD,
        side=POLICE,
    )
    rows = {row[0].value: [c.value for c in row[1:]] for row in report.rows[1:]}
    assert rows["天宁区"][1:3] == [8, 3]
    assert rows["合计"][1:3] == [10, 4]


def test_a_late_entry_is_left_out_until_known_at_reaches_it(world, scenario):
    # #11 was verified on 30 July but entered after before_late_entry: a correction, shown when known_at moves.
    hazards = hazards_for_side(EDU)
    early = counts_by(hazards, scenario.moment(known_at=scenario.before_late_entry), PERIOD)
    now = counts_by(hazards, scenario.moment(), PERIOD)
    assert early[world.school_a2.pk] == Counts(total=3, rectified=0, pending=1, overdue=1)
    assert now[world.school_a2.pk] == Counts(total=3, rectified=1, pending=0, overdue=1)
    early_form = school_form(
        school=world.school_a2,
        hazards=hazards,
        moment=scenario.moment(known_at=scenario.before_late_entry),
        period=PERIOD,
        side=EDU,
    )
    now_form = school_form(school=world.school_a2, hazards=hazards, moment=scenario.moment(), period=PERIOD, side=EDU)
    assert early_form.fingerprint != now_form.fingerprint


def test_the_same_pair_of_moments_always_gives_the_same_figures(world, scenario):
    moment = scenario.moment(known_at=scenario.before_late_entry)
    first = district_table(
        district=world.district_a,
        schools=OrgUnit.objects.all(),
        hazards=hazards_for_side(EDU),
        moment=moment,
        period=PERIOD,
        side=EDU,
    )
    # Later events (a hazard reported today at school A1) do not change a report of an earlier pair.
    from tests.factories import make_hazard

    make_hazard(world, state="verified")
    again = district_table(
        district=world.district_a,
        schools=OrgUnit.objects.all(),
        hazards=hazards_for_side(EDU),
        moment=moment,
        period=PERIOD,
        side=EDU,
    )
    assert first.figures == again.figures and first.fingerprint == again.fingerprint


def test_overdue_uses_the_deadline_and_state_as_they_were_at_the_cut_off(world, scenario):
    # #4: assigned, deadline 15 Jul → overdue. #9: escalated, deadline 20 Jul → overdue (coordination came 1 Aug).
    # #10: deadline moved on 20 Jul from 25 Jul to 20 Aug → not overdue. #2: fix reported → not overdue.
    overdue = overdue_by(hazards_for_side(EDU), scenario.moment(), PERIOD)
    assert overdue == {world.school_a1.pk: 1, world.school_a2.pk: 1}
    # On 18 July: #4's deadline (15 Jul) had passed, and #2's (10 Jul) too, its fix being reported only on
    # 20 Jul; #10's (25 Jul) and #9's (20 Jul) had not.
    mid_july = overdue_by(hazards_for_side(EDU), scenario.moment(as_of=at(7, 18, 23)), PERIOD)
    assert mid_july == {world.school_a1.pk: 2}


def test_counts_by_state_follow_the_state_each_hazard_was_in_at_the_cut_off(world, scenario):
    by_state = counts_by(hazards_for_side(EDU), scenario.moment(), PERIOD, by="state")
    # verified #1 #11 #12; rectified #2; assigned #4 #10; escalated #9; reported #7 #13; closed_invalid #3.
    assert {k: v.total for k, v in by_state.items()} == {
        "verified": 3,
        "rectified": 1,
        "assigned": 2,
        "escalated": 1,
        "reported": 2,
        "closed_invalid": 0,
    }
    assert by_state["assigned"].overdue == 1 and by_state["escalated"].overdue == 1


def test_counting_a_district_takes_two_queries_however_many_hazards_it_has(world, scenario, django_assert_num_queries):
    # One grouped query for total / rectified / 待验收 per school, one for the overdue ones: no per-hazard work.
    with django_assert_num_queries(2):
        few = counts_by(hazards_for_side(EDU), scenario.moment(), PERIOD, district_id=world.district_a.pk)
    from tests.factories import Clock, make_hazard

    clock = Clock(start=at(6, 1))
    for _ in range(5):
        make_hazard(world, state="verified", clock=clock)
    with django_assert_num_queries(2):
        more = counts_by(hazards_for_side(EDU), scenario.moment(), PERIOD, district_id=world.district_a.pk)
    assert more[world.school_a1.pk].rectified == few[world.school_a1.pk].rectified + 5
