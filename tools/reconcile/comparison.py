"""Comparing a statement with one account of the ledger: figures, matches and differences.

The statement's period starts at the account's previous balance assertion when there is one in
the 31 days before the statement's first day (the statement continues the last reconciled
one), else on that first day. A balance given without a statement (`--balance`, `--date`)
covers the days since the previous assertion.

`compare` works out the opening and closing balances of both sides, matches the lines to the
postings (`beanfirm.reconcile.matching`: the postings of the period first, then those within the
window after it, and before it when the opening balances differ) and explains what is left
(`beanfirm.reconcile.differences`). `check_overlap` refuses a statement that contradicts a balance
the ledger already asserts inside its period, and finds the assertion of the same closing, if the
period is reconciled already.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Final, Literal

from beanfirm.core.bulk import collector_paused
from beanfirm.reconcile.accountbook import AccountBook, BookAssertion, BookPosting
from beanfirm.reconcile.differences import Difference, Leftovers, explain, paper_hints
from beanfirm.reconcile.matching import Match, match_lines
from beanfirm.reconcile.period import StatementLine, StatementPeriod, StatementRefusedError

CONTINUES_DAYS = 31  # how far back a previous assertion still opens this statement's period
ONE_DAY = datetime.timedelta(days=1)

# What comparing a statement with the ledger comes to; the reports and `--json` say it.
Verdict = Literal["reconciled", "accepted", "differs"]
RECONCILED: Final = "reconciled"  # no difference (`Comparison.verdict`)
ACCEPTED: Final = "accepted"  # outstanding items, accepted
DIFFERS: Final = "differs"  # a difference to correct (or outstanding items not accepted)


@dataclass(frozen=True)
class Comparison:
    """A statement compared with the ledger's account."""

    account: str
    period: StatementPeriod
    start: datetime.date
    ledger_opening: Decimal
    ledger_closing: Decimal
    matches: tuple[Match, ...]
    differences: tuple[Difference, ...]
    lines_not_in_ledger: tuple[StatementLine, ...]
    outstanding: tuple[BookPosting, ...]
    window: int

    @property
    def currency(self) -> str:
        """Return the currency compared."""
        return self.period.currency

    @property
    def end(self) -> datetime.date:
        """Return the statement's last day."""
        return self.period.end

    @property
    def opening_difference(self) -> Decimal | None:
        """Return the statement's opening balance less the ledger's (None without one)."""
        opening = self.period.opening
        return None if opening is None else opening - self.ledger_opening

    @property
    def difference(self) -> Decimal:
        """Return the statement's closing balance less the ledger's."""
        return self.period.closing - self.ledger_closing

    @property
    def has_lines(self) -> bool:
        """Tell whether a statement with lines was compared (not a balance alone)."""
        return self.period.opening is not None

    @property
    def items(self) -> tuple[Difference, ...]:
        """Return the differences that have an effect (a posting of 0.00 has none)."""
        return tuple(item for item in self.differences if item.effect != 0)

    def verdict(self, *, accept_outstanding: bool) -> Verdict:
        """Return `reconciled`, `accepted` or `differs` (see the module constants).

        Reconciled: the closing balances agree, and every item left is a `timing` item of a
        statement line (matched to a posting dated outside the period) or of the opening
        balance, as when a cheque accepted as outstanding last time clears. Items that cancel
        out are no agreement: a mistake (`missing`, `amount`, `duplicate`, `opening`) is never
        accepted, and postings the statement lacks are accepted only with
        `--accept-outstanding`, as is any difference between the closing balances.
        """
        if self.difference == 0 and all(
            item.acceptable and not item.not_on_statement for item in self.items
        ):
            return RECONCILED
        return ACCEPTED if accept_outstanding and self.outstanding_only() else DIFFERS

    def outstanding_only(self) -> bool:
        """Tell whether every item of the difference is one the accountant may accept."""
        return self.has_lines and all(item.acceptable for item in self.items)


def period_start(period: StatementPeriod, book: AccountBook) -> datetime.date:
    """Return the first day of the compared period (see the module docstring)."""
    if period.opening is None:
        previous = book.assertion_before(period.end)
        if previous is not None:
            return previous.date
        return min([p.date for p in book.postings[:1]] + [period.end])
    previous = book.assertion_before(period.first_day)
    if previous is not None and (period.first_day - previous.date).days <= CONTINUES_DAYS:
        return previous.date
    return period.first_day


def check_overlap(
    period: StatementPeriod, book: AccountBook, start: datetime.date, root: Path
) -> BookAssertion | None:
    """Refuse a statement that contradicts an assertion in its period; return its own, if any.

    An assertion dated inside the period (or on its first day) must equal the statement's
    running balance at the start of that day; one dated the day after the period must equal its
    closing balance, and is returned: the period is reconciled already.
    """
    after = period.end + ONE_DAY
    for assertion in book.assertions_between(start, after):
        stated = (
            period.closing if assertion.date == after else period.balance_before(assertion.date)
        )
        if stated is None or stated == assertion.statement_figure:
            continue
        where = assertion.location.shown(root)
        source = f" (statement {assertion.statement})" if assertion.statement else ""
        msg = (
            f"{period.source}: the statement overlaps a period reconciled with different "
            f"figures: the ledger asserts {assertion.statement_figure} {period.currency} at the "
            f"start of {assertion.date} in {where}{source}, but by this statement the balance "
            f"then was {stated} {period.currency}. One of them is wrong: check the statement "
            "and the assertion; a corrected assertion must be changed by hand. Nothing was "
            "written."
        )
        raise StatementRefusedError(msg)
    existing = [a for a in book.assertions if a.date == after]
    return existing[0] if existing else None


def compare(period: StatementPeriod, book: AccountBook, window: int, root: Path) -> Comparison:
    """Compare a statement (or a stated balance) with the ledger (see the module docstring)."""
    with collector_paused():  # many small objects, next to a loaded ledger's millions
        return _compare(period, book, window, root)


def _compare(period: StatementPeriod, book: AccountBook, window: int, root: Path) -> Comparison:
    start = period_start(period, book)
    ledger_opening = book.balance_before(start)
    ledger_closing = book.balance_before(period.end + ONE_DAY)
    in_period = book.between(start, period.end)
    if period.opening is None:
        hints = paper_hints(in_period, period.closing - ledger_closing, period.end, window, root)
        return Comparison(
            book.account,
            period,
            start,
            ledger_opening,
            ledger_closing,
            (),
            tuple(hints),
            (),
            (),
            window,
        )
    days = datetime.timedelta(days=window)
    nearby = book.between(period.end + ONE_DAY, period.end + days)
    if period.opening != ledger_opening:
        nearby += book.between(start - days, start - ONE_DAY)
    matches = match_lines(period.lines, [in_period, nearby], book.account, window)
    matched_lines = {match.line.key for match in matches}
    matched_postings = {match.posting.key for match in matches}
    lines = tuple(line for line in period.lines if line.key not in matched_lines)
    outstanding = tuple(p for p in in_period if p.key not in matched_postings)
    previous = book.assertion_before(start)
    carried = (
        previous.statement_figure - previous.number
        if previous is not None and previous.date == start
        else None
    )
    leftovers = Leftovers(
        start=start,
        end=period.end,
        window=window,
        matches=matches,
        lines=lines,
        postings=outstanding,
        opening_difference=period.opening - ledger_opening,
        carried=carried,
    )
    return Comparison(
        account=book.account,
        period=period,
        start=start,
        ledger_opening=ledger_opening,
        ledger_closing=ledger_closing,
        matches=tuple(matches),
        differences=tuple(explain(leftovers, root)),
        lines_not_in_ledger=lines,
        outstanding=outstanding,
        window=window,
    )
