"""Working days (工作日) in China: statutory holidays and make-up workdays (调休).

Which days are working days, in this order:

1. a ``HolidayOverride`` city_admin entered for that date (it wins, in any year);
2. the ``chinese-calendar`` package (``chinese_calendar``) for the years it covers;
3. otherwise Monday to Friday — but such a year is *uncovered*: every function records it in
   ``WorkingCalendar.uncovered_years`` so that callers warn (``coverage_warning``) instead of
   silently counting weekends only. A year the package does not cover counts as maintained as soon
   as city_admin has entered at least one override for it (the import takes a whole year's notice).

How days are counted (one reading everywhere: deadlines, reminders, overdue marks, statistics):

- ``add_working_days(start, n)``: "n 个工作日内" counted from ``start``. The start day itself is
  not counted, whether or not it is a working day: day 1 is the first working day *after* ``start``
  (the civil-code rule for periods in days: 开始的当日不计入，自下一日开始计算). The result is the
  n-th working day after ``start``, and the deadline is that whole day.
- ``working_days_between(a, b)``: the working days ``d`` with ``a < d <= b`` (negative if ``b < a``),
  so that ``working_days_between(s, add_working_days(s, n)) == n``.
- ``working_days_before(deadline, n)``: the n-th working day before ``deadline`` (n = 0: the
  deadline itself). "Remind 3 working days before the deadline" is ``working_days_before(d, 3)``:
  on that day exactly three working days remain, the deadline day included.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

import chinese_calendar

# The years the installed chinese-calendar knows (e.g. 2004–2026 for 1.11.0).
PACKAGE_FIRST_YEAR = min(chinese_calendar.holidays).year
PACKAGE_LAST_YEAR = max(chinese_calendar.holidays).year

MAX_WORKING_DAYS = 365
ONE_DAY = timedelta(days=1)


def package_covers(year: int) -> bool:
    return PACKAGE_FIRST_YEAR <= year <= PACKAGE_LAST_YEAR


class WorkingCalendar:
    """One view of the calendar: overrides loaded once per year, uncovered years collected.

    Use one instance for a whole computation (a deadline, a page of statistics); pass
    ``overrides`` (date → is_workday) to work without the database.
    """

    def __init__(self, overrides: dict[date, bool] | None = None):
        self._fixed_overrides = overrides
        self._overrides_by_year: dict[int, dict[date, bool]] = {}
        self._cache: dict[date, bool] = {}
        self.uncovered_years: set[int] = set()

    # ---- the facts ---------------------------------------------------------------------------
    def _overrides(self, year: int) -> dict[date, bool]:
        if year not in self._overrides_by_year:
            if self._fixed_overrides is not None:
                found = {d: w for d, w in self._fixed_overrides.items() if d.year == year}
            else:
                from casework.models import HolidayOverride

                found = dict(HolidayOverride.objects.filter(date__year=year).values_list("date", "is_workday"))
            self._overrides_by_year[year] = found
        return self._overrides_by_year[year]

    def year_is_covered(self, year: int) -> bool:
        """The package knows the year, or city_admin has maintained it."""
        return package_covers(year) or bool(self._overrides(year))

    def is_workday(self, day: date) -> bool:
        cached = self._cache.get(day)
        if cached is not None:
            return cached
        overrides = self._overrides(day.year)
        if day in overrides:
            result = overrides[day]
        elif package_covers(day.year):
            result = chinese_calendar.is_workday(day)
        else:
            if not overrides:
                self.uncovered_years.add(day.year)
            result = day.weekday() < 5
        self._cache[day] = result
        return result

    # ---- counting ----------------------------------------------------------------------------
    def add_working_days(self, start: date, n: int) -> date:
        """The n-th working day after ``start`` (the start day is not counted)."""
        if n < 0:
            raise ValueError("n must not be negative")
        day = start
        remaining = n
        while remaining:
            day += ONE_DAY
            if self.is_workday(day):
                remaining -= 1
        return day

    def working_days_between(self, a: date, b: date) -> int:
        """The working days d with a < d <= b; negative when b is before a."""
        if b < a:
            return -self.working_days_between(b, a)
        count = 0
        day = a + ONE_DAY
        while day <= b:
            count += self.is_workday(day)
            day += ONE_DAY
        return count

    def working_days_before(self, deadline: date, n: int) -> date:
        """The n-th working day before ``deadline`` (the deadline itself for n = 0)."""
        if n < 0:
            raise ValueError("n must not be negative")
        day = deadline
        remaining = n
        while remaining:
            day -= ONE_DAY
            if self.is_workday(day):
                remaining -= 1
        return day

    # ---- the warning -------------------------------------------------------------------------
    def warning(self) -> str:
        """The Chinese warning for the uncovered years consulted so far, or ''."""
        return coverage_warning(self.uncovered_years)


def coverage_warning(years: Iterable[int]) -> str:
    years = sorted(set(years))
    if not years:
        return ""
    shown = "、".join(f"{y}年" for y in years)
    return (
        f"注意：系统尚无{shown}的法定节假日和调休安排，该年份暂按周一至周五为工作日计算，"
        f"结果可能不准确。请市级管理员录入{shown}的节假日安排后核对整改时限。"
    )


# ---- module-level helpers (a fresh calendar each call) -------------------------------------------
def is_workday(day: date) -> bool:
    return WorkingCalendar().is_workday(day)


def add_working_days(start: date, n: int) -> date:
    """The n-th working day after ``start``; see the module docstring for the counting rule."""
    return WorkingCalendar().add_working_days(start, n)


def working_days_between(a: date, b: date) -> int:
    """Working days d with a < d <= b. For reminders: how many working days are left until a deadline."""
    return WorkingCalendar().working_days_between(a, b)


def working_days_before(deadline: date, n: int) -> date:
    """The n-th working day before ``deadline``. For reminders: "3 working days before the deadline"."""
    return WorkingCalendar().working_days_before(deadline, n)
