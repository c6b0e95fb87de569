"""Counting working days with China's statutory holidays and make-up workdays (调休)."""

from datetime import date, timedelta

import chinese_calendar
import pytest

from casework.models import HolidayOverride
from casework.workdays import (
    PACKAGE_LAST_YEAR,
    WorkingCalendar,
    add_working_days,
    working_days_before,
    working_days_between,
)


def weekdays_only(start: date, n: int) -> date:
    """The naive count this module must not do: Monday to Friday, no holidays."""
    day = start
    while n:
        day += timedelta(days=1)
        n -= day.weekday() < 5
    return day


def test_fifteen_working_days_from_25_september_2019_end_on_21_october_across_national_day(db):
    # Assigned Wednesday 2019-09-25; the day itself is not counted ("自次日起算").
    #  1 Thu 09-26   2 Fri 09-27   (Sat 09-28 rest)   3 Sun 09-29 make-up workday   4 Mon 09-30
    #  (Tue 10-01 … Mon 10-07: National Day holiday, seven days)
    #  5 Tue 10-08   6 Wed 10-09   7 Thu 10-10   8 Fri 10-11   9 Sat 10-12 make-up workday   (Sun 10-13 rest)
    # 10 Mon 10-14  11 Tue 10-15  12 Wed 10-16  13 Thu 10-17  14 Fri 10-18   (Sat 10-19, Sun 10-20 rest)
    # 15 Mon 10-21
    assert add_working_days(date(2019, 9, 25), 15) == date(2019, 10, 21)
    # Counting weekdays only would say 16 October: the holiday week would be "working".
    assert weekdays_only(date(2019, 9, 25), 15) == date(2019, 10, 16)


def test_the_make_up_saturday_and_sunday_of_national_day_2019_are_working_days(db):
    calendar = WorkingCalendar()
    assert calendar.is_workday(date(2019, 9, 29))  # Sunday
    assert calendar.is_workday(date(2019, 10, 12))  # Saturday
    assert not any(calendar.is_workday(date(2019, 10, d)) for d in range(1, 8))
    assert not calendar.is_workday(date(2019, 9, 28))  # an ordinary Saturday


def test_the_spring_festival_2020_counts_the_extended_holiday_until_2_february(db):
    # The 2019 notice made 24–30 January 2020 the holiday, with make-up workdays Sunday 19 January and
    # Saturday 1 February. On 26 January 2020 the State Council extended it to Sunday 2 February
    # (COVID-19): 31 January became a holiday and the make-up Saturday 1 February a rest day, while
    # 19 January, already worked, stayed a workday. chinese_calendar 1.11.0 holds exactly that:
    assert chinese_calendar.is_workday(date(2020, 1, 19))
    assert not any(chinese_calendar.is_workday(date(2020, 1, 24) + timedelta(days=i)) for i in range(10))
    assert chinese_calendar.is_workday(date(2020, 2, 3))
    # (Jiangsu's rule that enterprises resume work no earlier than 24:00 on 9 February was a provincial
    # epidemic measure, not a statutory holiday; neither the package nor this service counts it.)
    #
    # Ten working days from Monday 2020-01-20:
    #  1 Tue 01-21   2 Wed 01-22   3 Thu 01-23   (Fri 01-24 … Sun 02-02: Spring Festival, extended)
    #  4 Mon 02-03   5 Tue 02-04   6 Wed 02-05   7 Thu 02-06   8 Fri 02-07   (Sat 02-08, Sun 02-09 rest)
    #  9 Mon 02-10  10 Tue 02-11
    assert add_working_days(date(2020, 1, 20), 10) == date(2020, 2, 11)
    # Under the original schedule (31 Jan and Sat 1 Feb working) it would have ended Friday 7 February.


def test_a_deadline_counted_from_friday_17_january_2020_lands_on_the_make_up_sunday(db):
    # Day 1 after Friday 2020-01-17: Saturday 18 rests, Sunday 19 is a make-up workday.
    assert add_working_days(date(2020, 1, 17), 1) == date(2020, 1, 19)


def test_the_assignment_day_is_not_counted_even_when_it_is_a_holiday(db):
    # Assigned on National Day 2019-10-01: day 1 is the first working day after it, Tuesday 10-08.
    assert add_working_days(date(2019, 10, 1), 1) == date(2019, 10, 8)
    # Assigned on a working Monday: day 1 is Tuesday, not Monday itself.
    assert add_working_days(date(2019, 10, 14), 1) == date(2019, 10, 15)


def test_working_days_between_counts_the_days_after_the_start_up_to_the_end(db):
    # 2019-09-27 (Fri) → 2019-10-09 (Wed): Sun 09-29, Mon 09-30, Tue 10-08, Wed 10-09.
    assert working_days_between(date(2019, 9, 27), date(2019, 10, 9)) == 4
    assert working_days_between(date(2019, 10, 9), date(2019, 9, 27)) == -4
    assert working_days_between(date(2019, 10, 9), date(2019, 10, 9)) == 0
    for n in (1, 5, 15, 30):
        assert working_days_between(date(2019, 9, 25), add_working_days(date(2019, 9, 25), n)) == n


def test_three_working_days_before_a_deadline_skip_the_holiday_week(db):
    # Deadline Tuesday 2019-10-08: back one Mon 09-30, two Sun 09-29 (make-up), three Fri 09-27.
    assert working_days_before(date(2019, 10, 8), 3) == date(2019, 9, 27)
    # On 09-27 three working days remain, the deadline day included.
    assert working_days_between(date(2019, 9, 27), date(2019, 10, 8)) == 3
    assert working_days_before(date(2019, 10, 8), 0) == date(2019, 10, 8)


def test_a_count_into_a_year_the_package_does_not_cover_warns_in_chinese(db):
    uncovered = PACKAGE_LAST_YEAR + 1
    assert uncovered == 2027  # chinesecalendar 1.11.0 knows 2004–2026
    calendar = WorkingCalendar()
    # From Thursday 2026-12-24: 1 Fri 12-25, 2–5 Mon–Thu 12-28…12-31 (2026 is known),
    # then 2027 unknown: 6 Fri 01-01 (counted as a weekday!), 7–10 Mon–Thu 01-04…01-07.
    assert calendar.add_working_days(date(2026, 12, 24), 10) == date(2027, 1, 7)
    assert calendar.uncovered_years == {2027}
    assert "2027年" in calendar.warning()
    assert "暂按周一至周五为工作日计算" in calendar.warning()


def test_overrides_for_an_uncovered_year_are_counted_and_silence_the_warning(world):
    HolidayOverride.objects.create(
        date=date(2027, 1, 1), is_workday=False, name="元旦", created_by=world.city_admin, updated_by=world.city_admin
    )
    calendar = WorkingCalendar()
    # 2027-01-01 is now a holiday: 6 Mon 01-04, 7 Tue, 8 Wed, 9 Thu, 10 Fri 01-08.
    assert calendar.add_working_days(date(2026, 12, 24), 10) == date(2027, 1, 8)
    assert calendar.uncovered_years == set()
    assert calendar.warning() == ""


def test_an_override_wins_over_the_package_in_a_covered_year(world):
    # A local correction: Saturday 2019-10-19 declared a working day.
    HolidayOverride.objects.create(
        date=date(2019, 10, 19),
        is_workday=True,
        name="调休上班",
        created_by=world.city_admin,
        updated_by=world.city_admin,
    )
    assert add_working_days(date(2019, 9, 25), 15) == date(2019, 10, 19)


def test_a_count_entirely_inside_known_years_gives_no_warning(db):
    calendar = WorkingCalendar()
    calendar.add_working_days(date(2019, 12, 20), 20)
    assert calendar.uncovered_years == set()
    assert calendar.warning() == ""


def test_negative_counts_are_refused():
    with pytest.raises(ValueError):
        WorkingCalendar(overrides={}).add_working_days(date(2019, 9, 25), -1)
    with pytest.raises(ValueError):
        WorkingCalendar(overrides={}).working_days_before(date(2019, 9, 25), -1)
