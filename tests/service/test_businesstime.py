"""Business-hours arithmetic: the base of every SLA target."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kern.service.businesstime import Schedule, add_business_minutes, business_minutes_between, parse_hours

AMS = ZoneInfo("Europe/Amsterdam")
OFFICE = Schedule.build(
    "Europe/Amsterdam",
    {str(d): [["09:00", "12:30"], ["13:00", "17:00"]] for d in range(5)},
    holidays=[dt.date(2026, 12, 25), dt.date(2026, 12, 28)],
)


def ams(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=AMS)


def test_minutes_inside_one_morning():
    assert add_business_minutes(OFFICE, ams(2026, 11, 23, 9, 0), 60) == ams(2026, 11, 23, 10, 0)


def test_lunch_break_does_not_count():
    assert add_business_minutes(OFFICE, ams(2026, 11, 23, 12, 0), 60) == ams(2026, 11, 23, 13, 30)


def test_a_ticket_opened_on_friday_evening_is_due_on_monday():
    # Friday 27 Nov 2026 at 18:00: nothing counts until Monday 09:00
    assert add_business_minutes(OFFICE, ams(2026, 11, 27, 18, 0), 120) == ams(2026, 11, 30, 11, 0)


def test_holidays_are_skipped():
    # Thursday 24 Dec 16:00 + 2h: 1h on Thursday, Friday 25th and Monday 28th are holidays → Tue 10:00
    assert add_business_minutes(OFFICE, ams(2026, 12, 24, 16, 0), 120) == ams(2026, 12, 29, 10, 0)


def test_a_full_working_day_is_seven_and_a_half_hours():
    assert business_minutes_between(OFFICE, ams(2026, 11, 23, 0, 0), ams(2026, 11, 24, 0, 0)) == 450
    assert business_minutes_between(OFFICE, ams(2026, 11, 28, 0, 0), ams(2026, 11, 30, 0, 0)) == 0
    assert business_minutes_between(OFFICE, ams(2026, 11, 24, 0, 0), ams(2026, 11, 23, 0, 0)) == -450


def test_summer_time_changes_nothing_in_working_hours():
    # Clocks go forward on Sunday 29 March 2026; Friday 16:00 + 2h is Monday 10:00 local time
    assert add_business_minutes(OFFICE, ams(2026, 3, 27, 16, 0), 120) == ams(2026, 3, 30, 10, 0)


def test_bad_working_hours_are_refused():
    for raw in [
        {"7": [["09:00", "17:00"]]},
        {"0": [["17:00", "09:00"]]},
        {"0": [["09:00", "12:00"], ["11:00", "13:00"]]},
        {"0": ["9"]},
    ]:
        with pytest.raises(ValueError):
            parse_hours(raw)


def test_a_calendar_without_hours_cannot_reach_a_target():
    with pytest.raises(ValueError):
        add_business_minutes(Schedule.build("UTC", {}), ams(2026, 1, 1, 9, 0), 10)


@given(
    start=st.datetimes(min_value=dt.datetime(2026, 1, 1), max_value=dt.datetime(2027, 12, 31)),
    minutes=st.integers(min_value=0, max_value=20_000),
)
def test_adding_then_measuring_gives_the_same_minutes(start, minutes):
    begin = start.replace(tzinfo=AMS, second=0, microsecond=0)
    due = add_business_minutes(OFFICE, begin, minutes)
    assert business_minutes_between(OFFICE, begin, due) == minutes
    assert due >= begin
