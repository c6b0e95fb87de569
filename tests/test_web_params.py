"""The web pages' one query-parameter parser: a malformed value is ignored, a malformed moment refused."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from casework.models import HazardState, ListingState
from casework.selectors.ledger import SORTS
from casework.web.params import BadParameter, choice_param, date_param, flag_param, int_param, moment_param

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.mark.parametrize(
    "value, expected", [("7", 7), ("-3", -3), ("", None), (None, None), ("x", None), ("1.5", None)]
)
def test_an_integer_or_none(value, expected):
    assert int_param(value) == expected


def test_a_date_or_the_default():
    assert date_param("2025-03-01") == date(2025, 3, 1)
    assert date_param("2025-02-30") is None
    assert date_param("", date(2025, 1, 1)) == date(2025, 1, 1)
    assert date_param("not a date", date(2025, 1, 1)) == date(2025, 1, 1)
    assert date_param(None) is None


def test_a_choice_from_text_choices_a_mapping_or_the_default():
    assert choice_param("verified", HazardState) == "verified"
    assert choice_param("nonsense", HazardState) == ""
    assert choice_param(None, ListingState, default=ListingState.ACTIVE) == ListingState.ACTIVE
    assert choice_param("deadline", SORTS, default="reported") == "deadline"
    assert choice_param("-reported_at", SORTS, default="reported") == "reported"


@pytest.mark.parametrize(
    "value, expected", [("1", True), ("on", True), ("true", True), ("yes", False), ("", False), (None, False)]
)
def test_a_flag(value, expected):
    assert flag_param(value) is expected


def test_a_moment_from_a_date_or_a_datetime_naive_ones_in_shanghai():
    assert moment_param("") is None
    assert moment_param("2025-07-31", end_of_day=True) == datetime(2025, 7, 31, 23, 59, 59, tzinfo=SHANGHAI)
    assert moment_param("2025-07-31") == datetime.combine(date(2025, 7, 31), time.min, tzinfo=SHANGHAI)
    assert moment_param("2025-07-31T08:30") == datetime(2025, 7, 31, 8, 30, tzinfo=SHANGHAI)
    utc = moment_param("2025-07-31T08:30+00:00")
    assert utc.utcoffset().total_seconds() == 0
    with pytest.raises(BadParameter, match="时间格式无效：2025-13-01"):
        moment_param("2025-13-01")
