"""China's days off (weekends, public holidays, adjusted working days), from `chinesecalendar`.

The one module that reads the `chinese_calendar` package: a maintained table of the State
Council's holiday notices, with the weekend days that are made working days (调休). It covers the
years its release knows (2004 to 2026 in 1.11); for a date outside them only Saturday and Sunday
count as days off, and `DayOff.calendar` says so.
"""

from __future__ import annotations

import datetime
import functools
from dataclasses import dataclass

import chinese_calendar
from chinese_calendar.constants import Holiday

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
CHINESE_NAMES = {holiday.value: holiday.chinese for holiday in Holiday}


@dataclass(frozen=True)
class DayOff:
    """Why a day is not a working day in China."""

    reason: str  # "Saturday", or a holiday: "National Day 国庆节"
    calendar: bool  # False: the calendar has no data for the year; only the weekend was known


@functools.cache
def day_off(day: datetime.date) -> DayOff | None:
    """Return why `day` is a day off in China, or None for a working day."""
    try:
        holiday, name = chinese_calendar.get_holiday_detail(day)
    except NotImplementedError:  # a year the installed release has no notice for
        weekend = day.weekday() >= 5  # noqa: PLR2004 - Saturday and Sunday
        return DayOff(WEEKDAYS[day.weekday()], calendar=False) if weekend else None
    if not holiday:
        return None  # a working day, an adjusted one (调休) included
    if name is None:
        return DayOff(WEEKDAYS[day.weekday()], calendar=True)
    return DayOff(f"{name} {CHINESE_NAMES.get(name, '')}".strip(), calendar=True)


def calendar_years() -> tuple[int, int]:
    """Return the first and last year the installed calendar knows."""
    years = sorted({day.year for day in chinese_calendar.holidays})
    return years[0], years[-1]
