"""Reconciliation periods: ISO weeks, calendar months and quarters, and statement cycles.

A cadence is `"weekly"` (ISO weeks, Monday to Sunday), `"monthly"` or `"quarterly"` (calendar
periods), or a statement cycle: `"monthly@DAY"` or `"quarterly@DAY"`, the periods of a statement
that closes on day DAY of each month (of March, June, September and December for a quarterly
one), 1 to 31. A cycle closing on the 25th runs from the 26th to the 25th of the next month; in a
month shorter than DAY it closes on the month's last day (`"monthly@31"` is the calendar month).
"""

from __future__ import annotations

import calendar
import datetime
import functools
from dataclasses import dataclass

CADENCES = ("weekly", "monthly", "quarterly")
CYCLES = ("monthly", "quarterly")  # the cadences that take a statement day
CYCLE_FORMS = tuple(f"{kind}@DAY" for kind in CYCLES)
MONTHS_IN_QUARTER = 3
DECEMBER = 12
LAST_DAY = 31
ONE_DAY = datetime.timedelta(days=1)


@dataclass(frozen=True)
class Cadence:
    """A parsed cadence: its kind and, for a statement cycle, the day its statements close."""

    kind: str
    closing_day: int | None = None

    @property
    def months(self) -> int:
        """Return how many months a period spans (0 for a week)."""
        return {"weekly": 0, "quarterly": MONTHS_IN_QUARTER}.get(self.kind, 1)


@functools.cache
def parse(text: str) -> Cadence | None:
    """Return the cadence written `text`, or None when it is none."""
    kind, at, day = text.partition("@")
    if not at:
        return Cadence(kind) if kind in CADENCES else None
    if kind not in CYCLES or not day.isdigit() or not 1 <= int(day) <= LAST_DAY:
        return None
    return Cadence(kind, int(day))


def is_cadence(text: object) -> bool:
    """Say whether `text` is a cadence (see the module docstring)."""
    return isinstance(text, str) and parse(text) is not None


def _cadence(text: str) -> Cadence:
    found = parse(text)
    if found is None:
        msg = f"not a cadence: {text!r}"
        raise ValueError(msg)
    return found


def _month(year: int, month: int, months: int) -> tuple[int, int]:
    """Return the (year, month) `months` months after the given one."""
    index = year * DECEMBER + month - 1 + months
    return index // DECEMBER, index % DECEMBER + 1


def _closing(year: int, month: int, day: int) -> datetime.date:
    """Return the day a statement closes in a month: `day`, or the month's last day."""
    return datetime.date(year, month, min(day, calendar.monthrange(year, month)[1]))


def period_start(day: datetime.date, cadence: str) -> datetime.date:
    """Return the first day of the period that holds `day`."""
    parsed = _cadence(cadence)
    if parsed.kind == "weekly":
        return day - datetime.timedelta(days=day.weekday())
    months = parsed.months
    last_month = months * ((day.month - 1) // months) + months
    if parsed.closing_day is None:
        return datetime.date(*_month(day.year, last_month, 1 - months), 1)
    closes = _closing(day.year, last_month, parsed.closing_day)
    if day > closes:
        return closes + ONE_DAY
    return _closing(*_month(day.year, last_month, -months), parsed.closing_day) + ONE_DAY


def next_start(start: datetime.date, cadence: str) -> datetime.date:
    """Return the first day of the period after the one starting on `start`."""
    parsed = _cadence(cadence)
    if parsed.kind == "weekly":
        return start + datetime.timedelta(days=7)
    if parsed.closing_day is None:
        return datetime.date(*_month(start.year, start.month, parsed.months), 1)
    closed = start - ONE_DAY
    following = _month(closed.year, closed.month, parsed.months)
    return _closing(*following, parsed.closing_day) + ONE_DAY


def label(start: datetime.date, cadence: str) -> str:
    """Name a period the way an accountant writes it: 2026-W07, 2026-02, 2026-Q1.

    A statement cycle is named by its first and last day: 2026-01-26 to 2026-02-25.
    """
    parsed = _cadence(cadence)
    if parsed.kind == "weekly":
        year, week, _ = start.isocalendar()
        return f"{year}-W{week:02d}"
    if parsed.closing_day is not None:
        return f"{start} to {next_start(start, cadence) - ONE_DAY}"
    if parsed.kind == "quarterly":
        return f"{start.year}-Q{(start.month - 1) // MONTHS_IN_QUARTER + 1}"
    return f"{start:%Y-%m}"
