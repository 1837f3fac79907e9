"""A short-term cash-flow forecast, week by week, from what the books already know.

The forecast starts from the cash on hand at the end of the report day: the balances of the
client's bank, payment and cash accounts (`kind: bank | payment | cash` under `accounts:` in
clients.yaml, and every account opened under the cash roots `CASH_ROOTS`). Then, week by week
(week 1 is the seven days after the report day):

- **receipts**: each open invoice is expected on its due date plus the customer's typical
  delay (its average lateness, weighted by amount, as `beanfirm credit` measures it; none
  without history); one already overdue by then is expected in week 1;
- **payments**: each open bill is expected on its due date, or in week 1 if overdue;
- **recurring items** found in the history (`beanfirm.accounts.recurring`): the same payee
  and accounts at a regular interval, with steady amounts. Each is projected at its interval
  after its last date, for the median of its last three amounts; the report says which were
  found and why.

Each week shows its opening balance, inflows, outflows and closing balance. The forecast is in
one currency (the client's); open items and recurring items in another currency are left out
and counted in `Forecast.left_out`. Everything expected after the last week is in
`Forecast.later`.
"""

from __future__ import annotations

import calendar
import datetime
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal

from beancount.core import data

from beanfirm.accounts.credit import Worth, lateness
from beanfirm.accounts.openitems import Book, Item, read_book, settings_of
from beanfirm.accounts.recurring import NotRecurring, Recurring, detect_recurring, is_under
from beanfirm.core.beans import Directive, Options
from beanfirm.errors import UsageError
from beanfirm.plugins.postings import is_revaluation, units

if TYPE_CHECKING:
    from beanfirm.store.registry import Client

ZERO = Decimal(0)
CASH_ROOTS = (
    "Assets:Bank",
    "Assets:Cash",
    "Assets:1001-库存现金",
    "Assets:1002-银行存款",
    "Assets:1012-其他货币资金",
)
CASH_KINDS = ("bank", "payment", "cash")
MIN_WEEKS, MAX_WEEKS, DEFAULT_WEEKS = 1, 52, 13
# Where an expected flow comes from; the JSON says it.
FlowSource = Literal["receivable", "payable", "recurring"]


@dataclass(frozen=True)
class Flow:
    """One expected receipt (positive) or payment (negative)."""

    date: datetime.date  # when it is expected
    week: int  # 1-based; 0 for a flow after the horizon
    amount: Decimal
    source: FlowSource
    what: str
    reason: str

    def as_json(self) -> dict[str, Any]:
        """Return the flow as plain JSON data."""
        return {
            "date": self.date.isoformat(),
            "week": self.week,
            "amount": str(self.amount),
            "source": self.source,
            "what": self.what,
            "reason": self.reason,
        }


@dataclass(frozen=True)
class Week:
    """One week of the forecast."""

    number: int
    start: datetime.date
    end: datetime.date
    opening: Decimal
    inflows: Decimal
    outflows: Decimal  # zero or negative

    @property
    def closing(self) -> Decimal:
        """Return the balance at the end of the week."""
        return self.opening + self.inflows + self.outflows

    def as_json(self) -> dict[str, Any]:
        """Return the week as plain JSON data."""
        return {
            "week": self.number,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "opening": str(self.opening),
            "inflows": str(self.inflows),
            "outflows": str(self.outflows),
            "closing": str(self.closing),
        }


@dataclass(frozen=True)
class Forecast:
    """The forecast of one client's cash, week by week."""

    as_of: datetime.date
    currency: str
    cash: tuple[tuple[str, Decimal], ...]  # (account, balance at the end of as_of)
    weeks: tuple[Week, ...]
    flows: tuple[Flow, ...]  # within the horizon, by date
    recurring: tuple[Recurring, ...]
    later: tuple[Flow, ...]  # expected after the last week
    left_out: dict[str, int] = field(default_factory=dict)  # currency: items left out
    other_cash: dict[str, Decimal] = field(default_factory=dict)  # cash in other currencies
    not_recurring: tuple[NotRecurring, ...] = ()

    @property
    def opening(self) -> Decimal:
        """Return the cash on hand at the end of the report day."""
        return sum((balance for _, balance in self.cash), ZERO)

    def as_json(self) -> dict[str, Any]:
        """Return the forecast as plain JSON data."""
        return {
            "as_of": self.as_of.isoformat(),
            "currency": self.currency,
            "cash_accounts": [
                {"account": account, "balance": str(balance)} for account, balance in self.cash
            ],
            "opening": str(self.opening),
            "weeks": [week.as_json() for week in self.weeks],
            "flows": [flow.as_json() for flow in self.flows],
            "recurring": [item.as_json() for item in self.recurring],
            "not_recurring": [item.as_json() for item in self.not_recurring],
            "later": [flow.as_json() for flow in self.later],
            "left_out": dict(self.left_out),
            "other_cash": {currency: str(amount) for currency, amount in self.other_cash.items()},
        }


def check_weeks(weeks: int) -> int:
    """Return a forecast length in weeks, or raise UsageError naming the range."""
    if not MIN_WEEKS <= weeks <= MAX_WEEKS:
        msg = (
            f"--weeks {weeks} is out of range: a forecast covers {MIN_WEEKS} to {MAX_WEEKS} "
            f"weeks (default {DEFAULT_WEEKS})."
        )
        raise UsageError(msg)
    return weeks


def cash_accounts(entries: Iterable[Directive], registered: Iterable[tuple[str, str]]) -> list[str]:
    """Return the client's cash accounts: registered bank/payment/cash, and under CASH_ROOTS.

    `registered` holds the (account, kind) pairs of the client's `accounts:` in clients.yaml.
    """
    found = {account for account, kind in registered if kind in CASH_KINDS}
    found = {account for account in found if account.startswith("Assets:")}
    for entry in entries:
        if isinstance(entry, data.Open) and is_under(entry.account, CASH_ROOTS):
            found.add(entry.account)
    return sorted(found)


def client_forecast(
    entries: Sequence[Directive],
    options_map: Options,
    as_of: datetime.date,
    client: Client | None,
    *,
    weeks: int = DEFAULT_WEEKS,
) -> Forecast:
    """Forecast a client's cash: its registered accounts and currency, else the ledger's.

    Without a registry record (a ledger opened on its own), the cash accounts are those under
    CASH_ROOTS and the currency the ledger's first operating currency, else the currency most
    used on those accounts.
    """
    registered = [(account.account, account.kind) for account in client.accounts] if client else []
    cash = cash_accounts(entries, registered)
    if client is not None:
        currency = client.currency
    else:
        operating = options_map.get("operating_currency") or []
        currency = operating[0] if operating else _main_currency(entries, set(cash))
    return forecast(entries, options_map, as_of, currency=currency, cash=cash, weeks=weeks)


def forecast(
    entries: Sequence[Directive],
    options_map: Options,
    as_of: datetime.date,
    *,
    currency: str,
    cash: Sequence[str],
    weeks: int = DEFAULT_WEEKS,
) -> Forecast:
    """Forecast the cash in `currency` on the `cash` accounts for `weeks` weeks after `as_of`."""
    check_weeks(weeks)
    horizon = as_of + datetime.timedelta(days=7 * weeks)
    balances, other_cash = _balances(entries, set(cash), as_of, currency)
    receivables = read_book(entries, options_map, "receivables")
    payables = read_book(entries, options_map, "payables")
    left_out: dict[str, int] = {}
    flows = [
        *_receipts(receivables, as_of, Worth.of_ledger(entries, currency), left_out),
        *_payments(payables, as_of, currency, left_out),
    ]
    settings = settings_of(options_map)
    skip = (*settings.receivable, *settings.payable)
    recurring, not_recurring = detect_recurring(entries, set(cash), as_of, skip=skip)
    for item in recurring:
        if item.currency != currency:
            left_out[item.currency] = left_out.get(item.currency, 0) + 1
            continue
        flows.extend(_projected(item, as_of, horizon))
    placed = [_in_week(flow, as_of, weeks) for flow in flows]
    placed.sort(key=lambda flow: (flow.date, flow.source, flow.what))
    inside = tuple(flow for flow in placed if flow.week)
    later = tuple(flow for flow in placed if not flow.week)
    opening = sum((balance for _, balance in balances), ZERO)
    rows: list[Week] = []
    for number in range(1, weeks + 1):
        start = as_of + datetime.timedelta(days=7 * (number - 1) + 1)
        week_flows = [flow.amount for flow in inside if flow.week == number]
        inflows = sum((a for a in week_flows if a > 0), ZERO)
        outflows = sum((a for a in week_flows if a < 0), ZERO)
        week = Week(number, start, start + datetime.timedelta(days=6), opening, inflows, outflows)
        rows.append(week)
        opening = week.closing
    return Forecast(
        as_of,
        currency,
        tuple(balances),
        tuple(rows),
        inside,
        tuple(recurring),
        later,
        dict(sorted(left_out.items())),
        other_cash,
        tuple(not_recurring),
    )


def _projected(item: Recurring, as_of: datetime.date, horizon: datetime.date) -> list[Flow]:
    flows: list[Flow] = []
    last = item.dates[-1]
    step = 1
    while True:
        day = (
            _add_months(last, step)
            if item.cadence == "monthly"
            else last + datetime.timedelta(days=7 * step)
        )
        step += 1
        if day > horizon:
            return flows
        if day <= as_of:
            continue
        flows.append(
            Flow(day, 0, item.amount, "recurring", item.payee, f"{item.cadence}, last {last}")
        )


def _receipts(
    book: Book, as_of: datetime.date, worth: Worth, left_out: dict[str, int]
) -> list[Flow]:
    delays: dict[str, int | None] = {}
    by_party: dict[str, list[Item]] = {}
    for item in book.items:
        if item.date <= as_of:
            by_party.setdefault(item.party, []).append(item)
    flows = []
    for item, open_amount in _open_items(book, as_of, worth.currency, left_out):
        if item.party not in delays:
            delays[item.party] = lateness(by_party[item.party], as_of, worth)
        delay = delays[item.party]
        expected = item.due + datetime.timedelta(days=delay or 0)
        if delay is None:
            why = f"due {item.due} (no payment history: no delay)"
        else:
            why = f"due {item.due} {delay:+d} days (the customer's typical delay)"
        expected, why = _not_before_week_one(expected, why, as_of)
        flows.append(Flow(expected, 0, open_amount, "receivable", _label(book, item), why))
    return flows


def _payments(
    book: Book, as_of: datetime.date, currency: str, left_out: dict[str, int]
) -> list[Flow]:
    flows = []
    for item, open_amount in _open_items(book, as_of, currency, left_out):
        expected, why = _not_before_week_one(item.due, f"due {item.due}", as_of)
        flows.append(Flow(expected, 0, -open_amount, "payable", _label(book, item), why))
    return flows


def _open_items(
    book: Book, as_of: datetime.date, currency: str, left_out: dict[str, int]
) -> Iterator[tuple[Item, Decimal]]:
    """Yield each item open at the end of `as_of`; count those in another currency."""
    for item in book.items:
        if item.date > as_of:
            continue
        open_amount = item.open_amount(as_of)
        if open_amount <= 0:
            continue
        if item.currency != currency:
            left_out[item.currency] = left_out.get(item.currency, 0) + 1
            continue
        yield item, open_amount


def _not_before_week_one(
    expected: datetime.date, why: str, as_of: datetime.date
) -> tuple[datetime.date, str]:
    if expected <= as_of:
        return as_of + datetime.timedelta(days=1), f"{why}; overdue on {as_of}: expected in week 1"
    return expected, why


def _label(book: Book, item: Item) -> str:
    return f"{item.number or 'charge of ' + str(item.date)} {book.parties[item.party].name}"


def _in_week(flow: Flow, as_of: datetime.date, weeks: int) -> Flow:
    number = ((flow.date - as_of).days - 1) // 7 + 1
    return Flow(
        flow.date,
        number if number <= weeks else 0,
        flow.amount,
        flow.source,
        flow.what,
        flow.reason,
    )


def _balances(
    entries: Sequence[Directive], cash: set[str], as_of: datetime.date, currency: str
) -> tuple[list[tuple[str, Decimal]], dict[str, Decimal]]:
    """Return the cash accounts' balances in `currency`, and the cash in other currencies."""
    totals = dict.fromkeys(sorted(cash), ZERO)
    other: dict[str, Decimal] = {}
    for entry in entries:
        if not isinstance(entry, data.Transaction):
            continue
        if entry.date > as_of:
            break
        if is_revaluation(entry):  # a restatement in the client's currency: no cash there
            continue
        for posting in entry.postings:
            if posting.account in totals:
                amount = units(posting)
                if amount is None:
                    continue
                if amount[1] == currency:
                    totals[posting.account] += amount[0]
                else:
                    other[amount[1]] = other.get(amount[1], ZERO) + amount[0]
    return list(totals.items()), {c: n for c, n in sorted(other.items()) if n}


def _main_currency(entries: Sequence[Directive], cash: set[str]) -> str:
    counts: dict[str, int] = {}
    for entry in entries:
        if isinstance(entry, data.Transaction):
            for posting in entry.postings:
                amount = units(posting) if posting.account in cash else None
                if amount is not None:
                    counts[amount[1]] = counts.get(amount[1], 0) + 1
    return max(sorted(counts), key=lambda currency: counts[currency]) if counts else "CNY"


def _add_months(day: datetime.date, months: int) -> datetime.date:
    year, month = divmod(day.year * 12 + day.month - 1 + months, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return datetime.date(year, month + 1, min(day.day, last))
