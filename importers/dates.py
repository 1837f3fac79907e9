"""Reading dates from export cells: several formats per column, and dates without a year.

Formats are `strptime` patterns tried in order; a cell may carry a time as well
(`2023-02-12 21:32:14`), which is kept. A format without a year (`%m/%d`, used by CMB credit
card statements) gives a month and day, and the year is taken from the statement period: the
latest such date that is not after the period's end, so `12/29` on a January 2024 statement is
2023-12-29.
"""

from __future__ import annotations

import calendar
import datetime
import re
from dataclasses import dataclass

from beanfirm.importers.amounts import clean

DEFAULT_FORMATS: tuple[str, ...] = (
    "%Y-%m-%d",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y/%m/%d",
    "%Y/%m/%d %H:%M:%S",
    "%Y%m%d",
    "%Y.%m.%d",
)
YEAR_DIRECTIVES = ("%Y", "%y")


class DateError(ValueError):
    """A cell is not a date in any of the configured formats."""


@dataclass(frozen=True)
class Stamp:
    """A date read from a cell, and its time of day if the cell had one."""

    date: datetime.date
    time: datetime.time | None


def has_year(fmt: str) -> bool:
    """Tell whether a format names the year."""
    return any(directive in fmt for directive in YEAR_DIRECTIVES)


def has_time(fmt: str) -> bool:
    """Tell whether a format names a time of day."""
    return any(directive in fmt for directive in ("%H", "%I", "%M", "%S"))


def resolve_year(month: int, day: int, period_end: datetime.date) -> datetime.date:
    """Return the latest date with this month and day that is not after `period_end`."""
    year = period_end.year
    if (month, day) > (period_end.month, period_end.day):
        year -= 1
    if month == 2 and day == 29 and not calendar.isleap(year):  # noqa: PLR2004
        raise DateError(f"02/29 does not exist in {year}")
    return datetime.date(year, month, day)


def parse_date(
    text: str, formats: tuple[str, ...], period_end: datetime.date | None = None
) -> Stamp:
    """Return the date (and time) in a cell; raise DateError naming the formats tried."""
    cell = re.sub(r"\s+", " ", clean(text))
    for fmt in formats:
        if has_year(fmt):
            try:
                parsed = datetime.datetime.strptime(cell, fmt)  # noqa: DTZ007
            except ValueError:
                continue
        else:
            try:
                # 2000 is a leap year, so that 02/29 parses before its year is resolved.
                parsed = datetime.datetime.strptime(f"2000 {cell}", f"%Y {fmt}")  # noqa: DTZ007
            except ValueError:
                continue
            if period_end is None:
                raise DateError(
                    f"'{cell}' has no year and the statement period is unknown; set `period:` "
                    "in the import config or give the statement's closing date"
                )
            day = resolve_year(parsed.month, parsed.day, period_end)
            return Stamp(day, parsed.time() if has_time(fmt) else None)
        return Stamp(parsed.date(), parsed.time() if has_time(fmt) else None)
    raise DateError(f"'{cell}' is not a date in any of the formats {', '.join(formats)}")


def month_end(year: int, month: int) -> datetime.date:
    """Return the last day of a month."""
    return datetime.date(year, month, calendar.monthrange(year, month)[1])
