"""What one request may ask of a client's Fava: filters of bounded length, charts of bounded size.

The worker runs the patterns of Fava's filters in linear time (filters.py); bounding their
length here bounds a request's cost by its filter's length times the ledger's text. Fava's
charts have a point per interval of the time filter's range, and the range is the client's to
choose: `time=1000 to 9999&interval=day` is 3.3 million points, about a minute of a worker's
CPU (16 µs each, measured), so the number of intervals is bounded too.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fava.util.date import END_OF_YEAR, parse_date

if TYPE_CHECKING:
    from werkzeug.datastructures import MultiDict

    from beanfirm.core.translation import Words

# Fava's filter parameters (fava.application._inject_filters), which it parses for each page.
FILTER_PARAMETERS = frozenset({"filter", "account", "time", "conversion", "interval"})
MAX_FILTER_LENGTH = 200
MAX_QUERY_LENGTH = 2048
# At most this many chart intervals in the time filter's range: 27 years by day, any range
# of a real ledger by week or longer; at the limit about 0.3 s of a worker's CPU (the demo).
MAX_INTERVALS = 10_000
# The fewest days in each of Fava's intervals (`interval=`; Fava's default is month).
_SHORTEST_DAYS = {"day": 1, "week": 7, "month": 28, "quarter": 89, "year": 365}


def refusal(query_string: bytes, args: MultiDict[str, str], t: Words) -> str | None:
    """Return why a request asks too much of a worker (a sentence in the words `t`), or None."""
    too_long = len(query_string) > MAX_QUERY_LENGTH or any(
        len(value) > MAX_FILTER_LENGTH
        for name, values in args.lists()
        if name in FILTER_PARAMETERS
        for value in values
    )
    if too_long:
        return t(
            "A filter can be at most {filter} characters long, and the whole address at most "
            "{address}. Shorten the filter and try again.",
            filter=MAX_FILTER_LENGTH,
            address=MAX_QUERY_LENGTH,
        )
    time = args.get("time", "")
    if time:
        try:
            parse_date(time, END_OF_YEAR)
        except (ValueError, OverflowError):  # Fava raised them at its page: a 502 here
            return t(
                "The time filter '{time}' is not a time: give a year, a month, a day or a "
                "range, as 2026, 2026-10, 2026-10-31 or 2026-01 - 2026-10.",
                time=time,
            )
    interval = args.get("interval", "").lower()
    if _intervals(time, interval) > MAX_INTERVALS:
        count = f"{MAX_INTERVALS:,}"
        return t(
            "That time range has more than {count} {intervals} to chart. Choose a shorter range "
            "or a longer interval (interval=year).",
            count=count,
            intervals=_intervals_named(interval, t),
        )
    return None


def _intervals_named(interval: str, t: Words) -> str:
    """Return one of Fava's chart intervals, in the plural, in the words `t` (else months)."""
    names = {
        "day": t("days"),
        "week": t("weeks"),
        "quarter": t("quarters"),
        "year": t("years"),
    }
    return names.get(interval, t("months"))


def _intervals(time: str, interval: str) -> int:
    """Return at most how many chart intervals a time filter spans (0 if it is not a range)."""
    if not time:
        return 0
    try:
        # The fiscal year end of the ledger moves a range by less than a year: the calendar's
        # serves to count intervals.
        begin, end = parse_date(time, END_OF_YEAR)
    except (ValueError, OverflowError):
        return 0  # refused above
    if begin is None or end is None:
        return 0
    days = (end - begin).days
    return days // _SHORTEST_DAYS.get(interval.lower(), _SHORTEST_DAYS["month"])
