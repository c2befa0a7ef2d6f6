"""Business-hours arithmetic for service levels: working hours per weekday in a time zone, minus
holidays. Pure functions over a `Schedule` (built once from a BusinessCalendar), so a report over
thousands of tickets needs no query per ticket."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import pairwise
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = ["Schedule", "add_business_minutes", "business_minutes_between", "parse_hours"]

MAX_DAYS = 3 * 366  # a target further out than this means the calendar has (almost) no hours


def _time(text: str) -> dt.time:
    hours, minutes = str(text).strip().split(":")
    h, m = int(hours), int(minutes)
    if h == 24 and m == 0:
        return dt.time.max
    return dt.time(h, m)


def parse_hours(raw: dict) -> dict[int, list[tuple[dt.time, dt.time]]]:
    """{"0": [["09:00", "17:00"]], …} → {0: [(09:00, 17:00)]}; raises ValueError on nonsense."""
    if not isinstance(raw, dict):
        raise ValueError("working hours must map weekdays (0 = Monday) to lists of [start, end]")
    out: dict[int, list[tuple[dt.time, dt.time]]] = {}
    for key, intervals in raw.items():
        day = int(key)
        if not 0 <= day <= 6:
            raise ValueError(f"weekday {key!r} is not 0 (Monday) … 6 (Sunday)")
        parsed = []
        for pair in intervals or []:
            if not isinstance(pair, list | tuple) or len(pair) != 2:
                raise ValueError(f"{pair!r} is not [start, end]")
            start, end = _time(pair[0]), _time(pair[1])
            if end <= start:
                raise ValueError(f"{pair[0]}–{pair[1]} ends before it starts")
            parsed.append((start, end))
        parsed.sort()
        for (_s1, e1), (s2, _e2) in pairwise(parsed):
            if s2 < e1:
                raise ValueError("working hours of one day overlap")
        if parsed:
            out[day] = parsed
    return out


@dataclass(frozen=True)
class Schedule:
    time_zone: str
    hours: dict[int, list[tuple[dt.time, dt.time]]]
    holidays: frozenset[dt.date] = field(default_factory=frozenset)

    @classmethod
    def build(cls, time_zone: str, raw_hours: dict, holidays: Iterable[dt.date] = ()) -> Schedule:
        return cls(time_zone, parse_hours(raw_hours), frozenset(holidays))

    @property
    def tz(self) -> ZoneInfo:
        try:
            return ZoneInfo(self.time_zone)
        except (ZoneInfoNotFoundError, ValueError):
            return ZoneInfo("UTC")

    def intervals_from(self, day: dt.date) -> Iterator[tuple[dt.datetime, dt.datetime]]:
        """Working intervals (aware, local) from `day` onwards, for at most MAX_DAYS days."""
        tz = self.tz
        for offset in range(MAX_DAYS):
            current = day + dt.timedelta(days=offset)
            if current in self.holidays:
                continue
            for start, end in self.hours.get(current.weekday(), ()):
                end_dt = (
                    dt.datetime.combine(current + dt.timedelta(days=1), dt.time(0), tzinfo=tz)
                    if end == dt.time.max
                    else dt.datetime.combine(current, end, tzinfo=tz)
                )
                yield dt.datetime.combine(current, start, tzinfo=tz), end_dt


def add_business_minutes(schedule: Schedule, start: dt.datetime, minutes: int) -> dt.datetime:
    """The moment `minutes` of working time after `start` (the start itself may be off hours)."""
    if minutes < 0:
        raise ValueError("minutes must not be negative")
    local = start.astimezone(schedule.tz)
    remaining = dt.timedelta(minutes=minutes)
    for begin, end in schedule.intervals_from(local.date()):
        if end <= local:
            continue
        begin = max(begin, local)
        available = end - begin
        if remaining <= available:
            return (begin + remaining).astimezone(dt.UTC)
        remaining -= available
    raise ValueError("the calendar has no working hours to reach this target")


def business_minutes_between(schedule: Schedule, start: dt.datetime, end: dt.datetime) -> int:
    """Working minutes from `start` to `end` (negative when end lies before start)."""
    if end < start:
        return -business_minutes_between(schedule, end, start)
    local_start, local_end = start.astimezone(schedule.tz), end.astimezone(schedule.tz)
    total = dt.timedelta()
    for begin, finish in schedule.intervals_from(local_start.date()):
        if begin >= local_end:
            break
        overlap = min(finish, local_end) - max(begin, local_start)
        if overlap > dt.timedelta():
            total += overlap
    return int(total.total_seconds() // 60)
