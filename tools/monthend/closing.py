"""The closing entries of a month (结转损益): income and expenses to 本年利润, year end to equity.

The entries are booked, on the period's last day, tagged `#closing` (docs/close.md says why):
- Chinese chart (`Equity:3103-本年利润` is open): every month, each `Income:` and `Expenses:`
  account's balance for the month is moved to 本年利润; in the fiscal year's last month,
  本年利润's balance for the year then moves to 利润分配 (its 未分配利润 subaccount when the
  chart opens one, else `Equity:3104-利润分配` itself).
- English chart (`Equity:Retained-Earnings` is open): once a year, in the fiscal year's last
  month, each income and expense account's balance for the year moves to retained earnings.
Entries already tagged `#closing` are left out of the balances, so a close never closes itself.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from beancount.core import data

from beanfirm.core.beans import Directive
from beanfirm.core.journal import Posting, Txn
from beanfirm.errors import UsageError

TAG = "closing"
PROFIT = "Equity:3103-本年利润"
DISTRIBUTION = "Equity:3104-利润分配"
UNDISTRIBUTED = "未分配利润"
RETAINED = "Equity:Retained-Earnings"
PAGE = "docs/close.md"


@dataclass(frozen=True)
class Period:
    """A calendar month: its first and last day."""

    start: datetime.date
    end: datetime.date

    @property
    def label(self) -> str:
        """Return the month as `YYYY-MM`."""
        return f"{self.start:%Y-%m}"

    def previous(self) -> Period:
        """Return the month before."""
        return month_of(self.start - datetime.timedelta(days=1))


def month_of(day: datetime.date) -> Period:
    """Return the calendar month holding a day."""
    start = day.replace(day=1)
    following = (start + datetime.timedelta(days=32)).replace(day=1)
    return Period(start, following - datetime.timedelta(days=1))


def parse_period(text: str) -> Period:
    """Read `--period YYYY-MM` (raises UsageError with what to give)."""
    try:
        year, month = (int(part) for part in text.split("-"))
        if len(text) != len("YYYY-MM"):
            raise ValueError(text)
        return month_of(datetime.date(year, month, 1))
    except ValueError:
        msg = f"--period {text!r} is not a month: give it as YYYY-MM, for example 2025-01."
        raise UsageError(msg) from None


def fiscal_year_end(period: Period, fiscal_year_start: str) -> bool:
    """Tell whether a month is the last of a fiscal year starting on `MM-DD` (e.g. `01-01`)."""
    month = int(fiscal_year_start.split("-", maxsplit=1)[0])
    return (period.end + datetime.timedelta(days=1)).month == month


def _opened(entries: Sequence[Directive]) -> set[str]:
    return {entry.account for entry in entries if isinstance(entry, data.Open)}


def _balances(
    entries: Sequence[Directive],
    start: datetime.date,
    end: datetime.date,
    roots: tuple[str, ...],
) -> dict[tuple[str, str], Decimal]:
    """Sum each account's postings under `roots` dated in [start, end], closing entries too.

    What is left to move, then: a month closed before, reopened by a partner and closed again
    moves only what changed since (its first closing entries already moved the rest); 本年利润
    at year end holds the months' transfers.
    """
    sums: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for entry in entries:
        if not isinstance(entry, data.Transaction) or not start <= entry.date <= end:
            continue
        for posting in entry.postings:
            units = posting.units
            if posting.account.startswith(roots) and units is not None and units.number:
                sums[posting.account, units.currency] += units.number
    return {key: total for key, total in sorted(sums.items()) if total}


def _transfer(
    day: datetime.date, narration: str, balances: dict[tuple[str, str], Decimal], to: str
) -> Txn | None:
    """Return the entry moving each balance to `to`, one offsetting posting per currency."""
    if not balances:
        return None
    postings = [Posting(account, -total, cur) for (account, cur), total in balances.items()]
    offsets: dict[str, Decimal] = defaultdict(Decimal)
    for (_account, currency), total in balances.items():
        offsets[currency] += total
    postings += [Posting(to, total, cur) for cur, total in sorted(offsets.items()) if total]
    return Txn(day, None, narration, tuple(postings), tags=(TAG,))


def _distribution_account(opened: set[str]) -> str:
    named = sorted(a for a in opened if a.startswith(DISTRIBUTION) and UNDISTRIBUTED in a)
    return named[0] if named else DISTRIBUTION


def closing_entries(
    entries: Sequence[Directive], period: Period, fiscal_year_start: str, client_id: str
) -> list[Txn]:
    """Return the closing entries of a month for a loaded ledger (none when nothing to move)."""
    opened = _opened(entries)
    year_end = fiscal_year_end(period, fiscal_year_start)
    year_start = _year_start(period, fiscal_year_start)
    roots = ("Income:", "Expenses:")
    found: list[Txn | None] = []
    if PROFIT in opened:
        monthly = _balances(entries, period.start, period.end, roots)
        found.append(_transfer(period.end, f"结转损益 {period.label}", monthly, PROFIT))
        if year_end:
            year = dict(_balances(entries, year_start, period.end, (PROFIT,)))
            for (_account, currency), total in monthly.items():  # this month's transfer too
                year[PROFIT, currency] = year.get((PROFIT, currency), Decimal(0)) + total
            year = {key: total for key, total in year.items() if total}
            target = _distribution_account(opened)
            found.append(_transfer(period.end, f"结转本年利润 {year_start:%Y}", year, target))
    elif RETAINED in opened:
        if year_end:
            year = _balances(entries, year_start, period.end, roots)
            found.append(_transfer(period.end, f"Year-end closing {year_start:%Y}", year, RETAINED))
    else:
        msg = (
            f"Cannot close {client_id}: its chart opens neither {PROFIT} (the Chinese chart) "
            f"nor {RETAINED} (the English chart), so there is no account to close income and "
            f"expenses to. Open the one of its chart in accounts.beancount (see {PAGE})."
        )
        raise UsageError(msg)
    return [txn for txn in found if txn is not None]


def _year_start(period: Period, fiscal_year_start: str) -> datetime.date:
    month, day = (int(part) for part in fiscal_year_start.split("-"))
    start = datetime.date(period.end.year, month, day)
    return start if start <= period.end else start.replace(year=start.year - 1)
