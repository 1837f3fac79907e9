"""The closing entries of a month (结转损益): income and expenses to 本年利润, year end to equity.

The entries are booked, on the period's last day, tagged `#closing` (docs/close.md says why):
- Chinese chart (`Equity:3103-本年利润` is open): every month, each `Income:` and `Expenses:`
  account's balance for the month is moved to 本年利润; in the fiscal year's last month,
  本年利润's balance for the year then moves to 利润分配 (its 未分配利润 subaccount when the
  chart opens one, else `Equity:3104-利润分配` itself).
- English chart (`Equity:Retained-Earnings` is open): once a year, in the fiscal year's last
  month, each income and expense account's balance for the year moves to retained earnings.
A close moves what is left to move: the balances it moves count earlier `#closing` entries, so
a month closed again after a reopen moves only what changed. The month's transfer to 本年利润
takes the fiscal year so far, so that earlier months of the year that no close moved (a first
close in mid-year, months locked without a close) are moved with it; and income and expenses
of earlier fiscal years that no close moved go to 利润分配 (retained earnings, for the English
chart) in an entry of their own, dated in the month closed.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from beancount.core import data

from beanfirm.core.beans import Directive
from beanfirm.core.journal import Posting, Txn
from beanfirm.core.rates import Rates
from beanfirm.errors import ConfigError, UsageError
from beanfirm.monthend.valuation import ZERO, converted, in_cents, unpriced_problem

TAG = "closing"
CLOSES_BEFORE = "closes-before"  # on the entry moving what no close of earlier years moved
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
    entries: Sequence[data.Transaction], roots: tuple[str, ...]
) -> dict[tuple[str, str], Decimal]:
    """Sum each account's postings under `roots` in the transactions, closing entries too.

    What is left to move, then: a month closed before, reopened by a partner and closed again
    moves only what changed since (its first closing entries already moved the rest); 本年利润
    at year end holds the months' transfers.
    """
    sums: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for entry in entries:
        for posting in entry.postings:
            units = posting.units
            if posting.account.startswith(roots) and units is not None and units.number:
                sums[posting.account, units.currency] += units.number
    return {key: total for key, total in sorted(sums.items()) if total}


@dataclass
class _Foreign:
    """The postings of one account in one foreign currency: units and value, by direction."""

    units: dict[int, Decimal]  # by the sign of the units: +1, -1
    value: dict[int, Decimal]  # their value in the client's currency, as the statements state it


def _foreign_values(
    entries: Sequence[data.Transaction],
    roots: tuple[str, ...],
    currency: str,
    rates: Callable[[], Rates],
) -> dict[tuple[str, str], _Foreign]:
    """Value the foreign-currency postings under `roots` in the transactions, as stated.

    Each posting at the rate of its own date (or its price; `rates` are the whole ledger's),
    its transaction's legs rounded to the cent together (`valuation`): what the statements
    sum for the account. Raises ConfigError for an amount without a rate.
    """
    found: dict[tuple[str, str], _Foreign] = {}
    unpriced: dict[str, list[data.Transaction]] = defaultdict(list)
    for entry in entries:
        foreign = [
            posting
            for posting in entry.postings
            if posting.account.startswith(roots)
            and posting.units is not None
            and posting.units.currency != currency
        ]
        if not foreign:
            continue
        legs, missing = converted(entry, currency, rates())
        for name in missing:
            unpriced[name].append(entry)
        for posting, value in in_cents(legs):
            units = posting.units
            if not any(posting is leg for leg in foreign) or units is None:
                continue
            number = units.number
            if isinstance(number, Decimal) and number:
                side = 1 if number > 0 else -1
                held = found.setdefault((posting.account, units.currency), _Foreign({}, {}))
                held.units[side] = held.units.get(side, ZERO) + number
                held.value[side] = held.value.get(side, ZERO) + value
    if unpriced:
        problems = tuple(unpriced_problem(name, rows, currency) for name, rows in unpriced.items())
        message = f"The income and expenses in other currencies cannot be closed in {currency}."
        raise ConfigError(message, problems)
    return found


def _moved(account: str, foreign: str, held: _Foreign, currency: str) -> list[Posting]:
    """Return the postings that empty an account of a foreign currency, units and value.

    `-1000.00 USD @@ 7100.00 CNY`: the units leave at the value the statements gave them, so
    that the account holds nothing in either. Where the value and the units of the net do not
    go the same way (a sale and a refund at different rates), each direction leaves apart.
    """
    units = sum(held.units.values(), ZERO)
    value = sum(held.value.values(), ZERO)
    if units and value and (units > 0) == (value > 0):
        return [Posting(account, -units, foreign, total_price=(abs(value), currency))]
    postings: list[Posting] = []
    for side, number in sorted(held.units.items()):
        worth = held.value.get(side, ZERO)
        if worth and (number > 0) == (worth > 0):
            postings.append(Posting(account, -number, foreign, total_price=(abs(worth), currency)))
        else:  # a leg of a cent or less, rounded to nothing or past it: its value apart
            postings.append(Posting(account, -number, foreign, total_price=(ZERO, currency)))
            if worth:
                postings.append(Posting(account, -worth, currency))
    return postings


def _transfer(
    day: datetime.date,
    narration: str,
    balances: dict[tuple[str, str], Decimal],
    to: str,
    currency: str,
    foreign: dict[tuple[str, str], _Foreign],
    meta: tuple[tuple[str, str], ...] = (),
) -> Txn | None:
    """Return the entry moving each balance to `to`, one offsetting posting per currency.

    A balance in the client's currency moves as it is; one in another currency moves at its
    value in the client's (`_moved`), which `to` takes in the client's currency.
    """
    postings: list[Posting] = []
    offsets: dict[str, Decimal] = defaultdict(Decimal)
    for account, cur in sorted({*balances, *foreign}):
        if cur == currency or (account, cur) not in foreign:
            total = balances.get((account, cur), ZERO)
            if total:
                postings.append(Posting(account, -total, cur))
                offsets[cur] += total
            continue
        held = foreign[account, cur]
        postings += _moved(account, cur, held, currency)
        offsets[currency] += sum(held.value.values(), ZERO)
    if not postings:
        return None
    postings += [Posting(to, total, cur) for cur, total in sorted(offsets.items()) if total]
    return Txn(day, None, narration, tuple(postings), tags=(TAG,), meta=meta)


def _distribution_account(opened: set[str]) -> str:
    named = sorted(a for a in opened if a.startswith(DISTRIBUTION) and UNDISTRIBUTED in a)
    return named[0] if named else DISTRIBUTION


def closing_entries(
    entries: Sequence[Directive],
    period: Period,
    fiscal_year_start: str,
    client_id: str,
    currency: str,
) -> list[Txn]:
    """Return the closing entries of a month for a loaded ledger (none when nothing to move).

    `currency` is the client's (记账本位币): amounts in other currencies are closed at their
    value in it, as the statements state them.
    """
    opened = _opened(entries)
    year_end = fiscal_year_end(period, fiscal_year_start)
    year_start = _year_start(period, fiscal_year_start)
    roots = ("Income:", "Expenses:")
    found: list[Txn | None] = []
    before = year_start - datetime.timedelta(days=1)
    known: list[Rates] = []

    def rates() -> Rates:  # the whole ledger's, made once and only when a currency needs them
        if not known:
            known.append(Rates(entries, currency))
        return known[0]

    def transfer(
        moved: list[data.Transaction],
        narration: str,
        sources: tuple[str, ...],
        to: str,
        carried: Txn | None = None,
        meta: tuple[tuple[str, str], ...] = (),
    ) -> Txn | None:
        balances = _balances(moved, sources)
        for posting in carried.postings if carried is not None else ():
            if posting.account in sources and posting.amount:  # this month's transfer to it
                key = (posting.account, posting.currency)
                balances[key] = balances.get(key, ZERO) + posting.amount
        foreign = _foreign_values(moved, sources, currency, rates)
        kept = {key: total for key, total in balances.items() if total}
        return _transfer(period.end, narration, kept, to, currency, foreign, meta)

    txns = [e for e in entries if isinstance(e, data.Transaction) and e.date <= period.end]
    # The earlier years: their entries, and the transfers that moved what no close of theirs
    # did (`closes-before`, dated in a later month); the year: its entries but those.
    year = [e for e in txns if e.date >= year_start and CLOSES_BEFORE not in e.meta]
    earlier = [e for e in txns if e.date < year_start or CLOSES_BEFORE in e.meta]
    marked = ((CLOSES_BEFORE, year_start.isoformat()),)
    if PROFIT in opened:
        target = _distribution_account(opened)
        # What no close moved before the fiscal year: straight to 利润分配 (小企业会计准则 has
        # no 以前年度损益调整), dated in this month, since those months may be locked.
        narration = f"结转以前年度损益 {before:%Y-%m-%d}以前"
        found.append(transfer(earlier, narration, (*roots, PROFIT), target, meta=marked))
        # The year so far: this month, and earlier months of the year that no close moved.
        monthly = transfer(year, f"结转损益 {period.label}", roots, PROFIT)
        found.append(monthly)
        if year_end:
            narration = f"结转本年利润 {year_start:%Y}"
            found.append(transfer(year, narration, (PROFIT,), target, monthly))
    elif RETAINED in opened:
        narration = f"Closing of the years before {year_start}"
        found.append(transfer(earlier, narration, roots, RETAINED, meta=marked))
        if year_end:
            found.append(transfer(year, f"Year-end closing {year_start:%Y}", roots, RETAINED))
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
