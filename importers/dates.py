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
from collections.abc import Callable
from operator import itemgetter
from typing import NamedTuple

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
# A statement period's end for telling whether a cell is a date at all (a leap year: 02/29 is).
ANY_PERIOD_END = datetime.date(2000, 12, 31)
# The directives a format may be read by fixed-width slicing with: each exactly this many
# digits (`strptime` also takes `2024-1-5`; such a cell goes the general way).
FIXED_DIRECTIVES = {"Y": 4, "m": 2, "d": 2, "H": 2, "M": 2, "S": 2}
FIXED_LITERALS = re.compile(r"[^%0-9\s]| ")


class DateError(ValueError):
    """A cell is not a date in any of the configured formats."""


class Stamp(NamedTuple):
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


def fixed_width_reader(fmt: str) -> Callable[[str], Stamp | None] | None:
    """Return a quick reader of cells in one format with fixed-width fields, if it has them.

    `%Y-%m-%d`, `%m/%d/%Y`, `%Y-%m-%d %H:%M:%S` and the like are read with one regular
    expression of exactly that form (each field its full width in ASCII digits, the literal
    characters as they are); the reader returns what `parse_date` would give for a cell that
    is exactly in that form (one space where the format has one, no padding), and None for any
    other cell (including one that names a day that does not exist), which then goes the
    general way. Formats with other directives or other whitespace, or without a year, month
    and day, get no quick reader (None).
    """
    pattern = ""
    order: list[str] = []
    index = 0
    while index < len(fmt):
        char = fmt[index]
        if char == "%":
            directive = fmt[index + 1 : index + 2]
            width = FIXED_DIRECTIVES.get(directive)
            if width is None or directive in order:
                return None
            order.append(directive)
            pattern += f"([0-9]{{{width}}})"
            index += 2
            continue
        if not FIXED_LITERALS.match(char):
            return None
        pattern += re.escape(char)
        index += 1
    if not {"Y", "m", "d"} <= set(order) or fmt.startswith(" ") or fmt.endswith(" "):
        return None
    match = re.compile(pattern).fullmatch
    where = {directive: position for position, directive in enumerate(order)}
    date_at = itemgetter(where["Y"], where["m"], where["d"])
    # hour, minute, second: the position of each in the cell, None for one the format lacks
    time_at = tuple(where.get(d) for d in ("H", "M", "S")) if has_time(fmt) else None

    def read(cell: str) -> Stamp | None:
        found = match(cell)
        if found is None:
            return None
        values = [*map(int, found.groups())]
        try:
            date = datetime.date(*date_at(values))
            time = None
            if time_at is not None:
                hour, minute, second = (0 if i is None else values[i] for i in time_at)
                time = datetime.time(hour, minute, second)
        except ValueError:
            return None
        return Stamp(date, time)

    return read


def exclusive(formats: tuple[str, ...]) -> bool:
    """Tell whether no text can be read by two of the formats (so their order does not matter).

    True when every format has only the digit directives %Y %m %d %H %M %S and each has its
    own run of literal characters, spaces aside: `strptime` matches those directives with
    digits (and a space), so a text's other characters must be exactly a format's literals.
    """
    shapes = set()
    for fmt in formats:
        literals = re.sub(r"%[YmdHMS]", "", fmt)
        if re.search(r"%[^YmdHMS]", fmt) or re.search(r"[A-Za-z0-9]", literals):
            return False
        shapes.add(re.sub(r"%[YmdHMS]|\s", "", fmt))
    return len(shapes) == len(formats)


class DateReader:
    """`parse_date` for the cells of one column, remembering each cell it has read.

    Exports repeat their dates (a day has many rows), so each distinct cell is parsed once.
    A cell is first read by slicing (`fixed_width_reader`) in the first format, or in any of
    them when no text fits two (`exclusive`); a cell none of those take goes to `parse_date`.
    """

    def __init__(self, formats: tuple[str, ...], period_end: datetime.date | None = None) -> None:
        self.formats = formats
        self.period_end = period_end
        tried = formats if exclusive(formats) else formats[:1]
        self.quick = [read for read in map(fixed_width_reader, tried) if read is not None]
        self.known: dict[str, Stamp] = {}

    def __call__(self, cell: str) -> Stamp:
        """Return the date (and time) in a cell; raise DateError as `parse_date` does."""
        stamp = self.known.get(cell)
        if stamp is None:
            for quick in self.quick:
                stamp = quick(cell)
                if stamp is not None:
                    break
            else:
                stamp = parse_date(cell, self.formats, self.period_end)
            self.known[cell] = stamp
        return stamp


def date_test(formats: tuple[str, ...]) -> Callable[[str], bool]:
    """Return a test of whether a cell reads as a date in one of the formats.

    A date without a year (`12/29`) counts: which year it is does not matter to the test.
    """
    reader = DateReader(formats, ANY_PERIOD_END)

    def reads_as_date(cell: str) -> bool:
        try:
            reader(cell)
        except DateError:
            return False
        return True

    return reads_as_date


def leading_date(pattern: re.Pattern[str], text: str) -> datetime.date | None:
    """Return the date whose year, month and day are the pattern's three groups, else None."""
    found = pattern.match(text)
    if found is None:
        return None
    try:
        return datetime.date(int(found[1]), int(found[2]), int(found[3]))
    except ValueError:
        return None


def month_end(year: int, month: int) -> datetime.date:
    """Return the last day of a month."""
    return datetime.date(year, month, calendar.monthrange(year, month)[1])
