"""The cash-flow statement (direct method): each movement of cash classified by its other legs.

A transaction that moves a cash account (the mapping's `cash` prefixes: 库存现金, 银行存款,
其他货币资金; `Assets:Cash`, `Assets:Bank`) is a flow, and each of its other legs is classified
to a line by its account: the leg's weight, with the sign turned, is the cash it brought in or
paid out, so that a transaction with several other legs is split by their weights. The line is
the one whose prefix for that direction (`flow: in` or `out`, or both) is the longest match,
so that a narrower prefix overrides a wider one. A leg of the mapping's `follow` accounts (the
VAT charged with a sale or a purchase) goes to the line of the transaction's largest other leg,
or to its own line when it has none (a payment to the tax office). A transaction or one of its
postings may name its line with the metadata `cash-flow: <line>`.

A transaction whose cash legs net to nothing is a transfer between cash accounts, and no flow.
The period-end revaluation (`#revaluation`, `revaluation.py`) changes the cash stated without
moving any: its change goes to the line marked `exchange: true` for its direction (the
effect of exchange rates on cash), whatever its other legs.
Movements against the mapping's `opening` accounts (opening balances booked within the year)
are cash brought in, not flows: they count in the cash at the start of the column. A movement
that no line takes is an error naming the transaction by file and line and the line it
probably belongs to; nothing lands on "other" unless the mapping says so.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from beanfirm.errors import ConfigError, Problem
from beanfirm.monthend.mapping import likely_line, prefix_matches
from beanfirm.plugins.postings import is_revaluation

if TYPE_CHECKING:
    import datetime
    from collections.abc import Sequence

    from beancount.core import data

    from beanfirm.monthend.closing import Period
    from beanfirm.monthend.mapping import Form, Line

CASH, OPENING, FOLLOW, OTHER = "cash", "opening", "follow", "other"  # kinds of account
META_KEY = "cash-flow"  # the metadata naming a transaction's or a posting's line
ZERO = Decimal(0)
_UNCLASSIFIED_SHOWN = 20  # the accounts named in one error; the rest are counted


class CashFlows:
    """The flows of a period on each line of a cash-flow form, gathered one transaction at a time.

    Columns are the month (本月金额) and the fiscal year to the period's end (本年累计金额).
    """

    def __init__(self, form: Form, period: Period, year_start: datetime.date) -> None:
        self.form = form
        self.period = period
        self.year_start = year_start
        self.month: dict[int, Decimal] = defaultdict(Decimal)
        self.year: dict[int, Decimal] = defaultdict(Decimal)
        self.accounts: dict[int, set[str]] = defaultdict(set)
        self.before_year = ZERO  # the cash moved before the fiscal year
        self.before_month = ZERO
        self.opened_in_year = ZERO  # opening balances of cash booked within the column
        self.opened_in_month = ZERO
        self._lines = [line for line in form.lines if line.takes_flows]
        self._numbers = {line.number for line in self._lines}
        self._kinds: dict[str, str] = {}  # account -> CASH, OPENING, FOLLOW or OTHER
        self._chosen: dict[tuple[str, bool], Line | None] = {}
        self._unclassified: dict[tuple[str, bool], list[data.Transaction]] = defaultdict(list)
        self._problems: list[Problem] = []

    def kind(self, account: str) -> str:
        """Return whether an account is cash, opening, a tax that follows, or another account."""
        found = self._kinds.get(account)
        if found is None:
            found = self._kinds[account] = next(
                (
                    kind
                    for kind, prefixes in (
                        (CASH, self.form.cash),
                        (OPENING, self.form.opening),
                        (FOLLOW, tuple(entry.prefix for entry in self.form.follow)),
                    )
                    if any(prefix_matches(prefix, account) for prefix in prefixes)
                ),
                OTHER,
            )
        return found

    def add(self, entry: data.Transaction, legs: Sequence[tuple[data.Posting, Decimal]]) -> None:
        """Take a transaction up to the period's end, its postings in the client's currency."""
        kinds, kind = self._kinds, self.kind
        typed = [(kinds.get(p.account) or kind(p.account), p, number) for p, number in legs]
        moved = sum((number for leg, _, number in typed if leg == CASH), ZERO)
        if not moved:
            return  # no cash, or a transfer between cash accounts
        in_year = entry.date >= self.year_start
        in_month = entry.date >= self.period.start
        if not in_year:
            self.before_year += moved
        if not in_month:
            self.before_month += moved
        if not in_year:
            return
        if is_revaluation(entry):
            self._exchange(entry, moved, in_month=in_month)
            return
        if any(leg == OPENING for leg, _, _ in typed):
            # Opening balances: every balance brought in is one entry (`beanfirm opening`), its
            # equity and contra accounts beside the plug; the cash in it is 期初, not a flow.
            self.opened_in_year += moved
            self.opened_in_month += moved if in_month else ZERO
            return
        chosen = entry.meta.get(META_KEY)
        for part in self._parts(typed):
            named = part.meta.get(META_KEY, chosen) if part.meta is not None else chosen
            where = part.meta if part.meta is not None and META_KEY in part.meta else entry.meta
            line = (
                self._named(named, where)
                if named is not None
                else self._line(part.account, inflow=part.flow > 0)
            )
            if line is None:
                if named is None:
                    self._unclassified[(part.account, part.flow > 0)].append(entry)
                continue
            number_of_line = line.number
            assert number_of_line is not None  # noqa: S101  # lines taking flows have one
            self.year[number_of_line] += part.flow
            if in_month:
                self.month[number_of_line] += part.flow
            self.accounts[number_of_line].update(part.accounts)

    def _parts(self, typed: list[tuple[str, data.Posting, Decimal]]) -> list[_Part]:
        """Split a transaction's cash among its other legs: the cash each brought in or paid out.

        A leg that names its line (`cash-flow:` on the posting) is a flow of its whole weight.
        The others are first grouped: a `follow` leg with the largest leg it may follow. Then
        the cash left is shared among the groups on the other side of the cash, by their
        weights: a group on the cash's own side moved none (a payable for the part of an asset
        not paid, expenses settled from an advance, a fee the bank kept) and lessens what the
        others moved. Only when no group is on the other side are the weights taken whole.
        """
        parts: list[_Part] = []
        groups: list[_Part] = []
        mains: list[tuple[data.Posting, Decimal, _Part]] = []
        follows: list[tuple[data.Posting, Decimal]] = []
        for leg, posting, number in typed:
            if leg == CASH or not number:
                continue
            if posting.meta and META_KEY in posting.meta:
                parts.append(_Part(posting.account, [posting.account], -number, posting.meta))
            elif leg == FOLLOW:
                follows.append((posting, number))
            else:
                group = _Part(posting.account, [posting.account], -number)
                groups.append(group)
                mains.append((posting, number, group))
        for posting, number in follows:
            allowed = self._follows_with(posting.account)
            candidates = [
                (abs(weight), index)
                for index, (main, weight, _) in enumerate(mains)
                if not allowed or any(prefix_matches(prefix, main.account) for prefix in allowed)
            ]
            if candidates:
                _, index = max(candidates, key=lambda item: (item[0], -item[1]))
                group = mains[index][2]
                group.flow -= number
                group.accounts.append(posting.account)
            else:
                groups.append(_Part(posting.account, [posting.account], -number))
        left = sum((group.flow for group in groups), ZERO)
        groups = [group for group in groups if group.flow]
        if not left:
            return parts  # what is left of the cash is none: the other legs moved no cash
        moving = [group for group in groups if (group.flow > 0) == (left > 0)]
        if moving and len(moving) < len(groups):
            _share(left, moving)
            groups = moving
        return parts + groups

    def _follows_with(self, account: str) -> tuple[str, ...]:
        """Return the accounts a `follow` leg may go with (empty: any), by its narrowest entry."""
        matching = [entry for entry in self.form.follow if prefix_matches(entry.prefix, account)]
        return max(matching, key=lambda entry: _specificity(entry.prefix)).with_

    def _exchange(self, entry: data.Transaction, moved: Decimal, *, in_month: bool) -> None:
        """Put a revaluation of cash on the line of exchange-rate effects: it is no flow."""
        direction = "in" if moved > 0 else "out"
        line = next(
            (line for line in self._lines if line.exchange and line.flow in (None, direction)),
            None,
        )
        if line is None or line.number is None:
            message = (
                f"the revaluation of {entry.date} changes cash by {moved}, and no line of the "
                f"{self.form.title} takes the effect of exchange rates ({direction}); mark one "
                "'exchange: true'."
            )
            problem = Problem(entry.meta.get("filename", ""), entry.meta.get("lineno"), message)
            if problem not in self._problems:
                self._problems.append(problem)
            return
        self.year[line.number] += moved
        if in_month:
            self.month[line.number] += moved

    def start(self) -> tuple[Decimal, Decimal]:
        """Return the cash at the start of the month and of the year, with balances brought in."""
        return self.before_month + self.opened_in_month, self.before_year + self.opened_in_year

    def check(self, filename: str) -> None:
        """Raise ConfigError for movements no line takes and lines named that take none."""
        problems = list(self._problems)
        unclassified = sorted(
            self._unclassified.items(), key=lambda item: item[1][0].meta["lineno"]
        )
        for (account, inflow), entries in unclassified[:_UNCLASSIFIED_SHOWN]:
            problems.append(self._unclassified_problem(account, entries, filename, inflow=inflow))
        if len(unclassified) > _UNCLASSIFIED_SHOWN:
            more = len(unclassified) - _UNCLASSIFIED_SHOWN
            problems.append(Problem(filename, None, f"and {more} more accounts like these."))
        if problems:
            message = (
                f"The {self.form.title} cannot place every movement of cash: add each account "
                "below to a line of 'cash-flow' in the client's financials.yaml, or name the "
                f"line on the transaction (`{META_KEY}: <line>`; docs/financials.md)."
            )
            raise ConfigError(message, tuple(problems))

    def _line(self, account: str, *, inflow: bool) -> Line | None:
        key = (account, inflow)
        if key not in self._chosen:
            direction = "in" if inflow else "out"
            best: tuple[tuple[int, int, int, bool], Line] | None = None
            for line in self._lines:
                if line.flow not in (None, direction):
                    continue
                for prefix in line.accounts:
                    if prefix_matches(prefix, account):
                        score = (*_specificity(prefix), line.flow is not None)
                        if best is None or score > best[0]:
                            best = (score, line)
            self._chosen[key] = best[1] if best else None
        return self._chosen[key]

    def _named(self, value: object, meta: data.Meta) -> Line | None:
        number = _line_number(value)
        if number is not None and number in self._numbers:
            return self.form.line(number)
        takes = ", ".join(str(line.number) for line in self._lines)
        message = (
            f"{META_KEY}: {value} names no line of the {self.form.title} that takes flows; "
            f"give one of {takes}."
        )
        problem = Problem(meta.get("filename", ""), meta.get("lineno"), message)
        if problem not in self._problems:
            self._problems.append(problem)
        return None

    def _unclassified_problem(
        self, account: str, entries: list[data.Transaction], filename: str, *, inflow: bool
    ) -> Problem:
        first, more = entries[0], len(entries) - 1
        what = "cash received from" if inflow else "cash paid against"
        rest = f" ({more} more transaction(s) until {entries[-1].date})" if more else ""
        direction = "in" if inflow else "out"
        # A payment's likely home is a line of payments (shown negated), a receipt's one of
        # receipts; a code sharing only its first digit is no hint.
        likely = likely_line(
            [
                line
                for line in self._lines
                if line.flow in (None, direction) and line.negate != inflow
            ],
            account,
            least=2,
        )
        hint = (
            f"; it probably belongs to line {likely.number} {likely.name} "
            f"({filename}:{likely.source.line})"
            if likely
            else ""
        )
        message = (
            f"{what} {account} on {first.date}{rest} is on no line of the {self.form.title}{hint}."
        )
        return Problem(first.meta["filename"], first.meta["lineno"], message)


def _specificity(prefix: str) -> tuple[int, int, int]:
    """Rank a prefix: more components first, then a name over a code, then the longer."""
    if prefix.isdigit():
        return 2, 0, len(prefix)
    return prefix.count(":") + 1, 1, len(prefix)


def _line_number(value: object) -> int | None:
    """Return the line a metadata value names (`cash-flow: 8` or `cash-flow: "8"`), or None."""
    if isinstance(value, Decimal) and value == value.to_integral_value():
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return None


@dataclass
class _Part:
    """A share of a transaction's cash: the account that classifies it, the accounts in it."""

    account: str
    accounts: list[str]
    flow: Decimal
    meta: data.Meta | None = None


def _share(cash: Decimal, parts: list[_Part]) -> None:
    """Share cash among parts in proportion to their flows, to the cent; the largest takes the rest.

    The exponent is the finest of the figures shared, so that the shares add up to `cash` exactly.
    """
    total = sum((part.flow for part in parts), ZERO)
    if len(parts) == 1:
        parts[0].flow = cash
        return
    exponent = min(
        int(figure.as_tuple().exponent) for figure in (cash, *(part.flow for part in parts))
    )
    quantum = Decimal(1).scaleb(exponent)
    largest = max(parts, key=lambda part: abs(part.flow))
    for part in parts:
        if part is not largest:
            part.flow = (cash * part.flow / total).quantize(quantum)
    largest.flow = cash - sum((part.flow for part in parts if part is not largest), ZERO)
