"""Credit ratings of customers, A to D, from their payment history, with the reasons shown.

Each customer gets points from four factors, read from its invoices and what paid them up to
the report date (`beanfirm.accounts.openitems`); the points add up to a grade. Every threshold is in
`RULES` below, and each rating lists every factor, its value, the step of the scale it hit and
the points it gave, so that anyone can redo it by hand (docs/credit.md). The reasons are
`Said` messages: English on the command line, the client's language on the Fava page.

1. **Days to pay**: the average days from invoice to payment, weighted by the amount paid (each
   payment of an invoice counts for its amount, so part payments count as they came; a payment
   in another currency for its value in the client's, at the rate of its day that the
   statements use, `Worth`), and the
   same average measured from the due date: the *lateness*, which the points go by, so that a
   customer on 60-day terms who pays on day 55 is not marked down for its terms.
2. **Paid late**: the share of the amount paid that was paid after its due date, in percent.
3. **Overdue now**: the days past due of the oldest invoice still open on the report date (the
   amounts overdue are shown per currency, never added across currencies).
4. **Trend**: the average lateness of the payments of the last `TREND_MONTHS` months less that
   of the payments before them (positive: paying later than it used to).

Credit notes are not payments: they reduce an invoice but count in none of the factors. A
customer with fewer than `MIN_PAID_INVOICES` invoices paid in full is rated B at best: too little
history for an A. A customer with no history and nothing overdue is rated B, "new".

The rating also shows the customer's balance on the day against the `credit-limit` on its
`open` directive: the headroom left and the share of the limit used.
"""

from __future__ import annotations

import calendar
import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any, Literal

from beanfirm.accounts.openitems import Book, Item, Party
from beanfirm.core.rates import Rates
from beanfirm.core.translation import Said, said

if TYPE_CHECKING:
    from collections.abc import Sequence

    from beanfirm.core.beans import Directive

ZERO = Decimal(0)
ONE_PLACE = Decimal("0.1")
NO_PAYMENTS = said("no payments yet")
NO_HISTORY = said("no history: 0 points")
TREND_MONTHS = 3
MIN_PAID_INVOICES = 3
# A customer's grade, best first; the JSON of `credit --json` and the Fava page say it.
Grade = Literal["A", "B", "C", "D"]
# What a factor of the rating measures: its key in the JSON.
FactorKey = Literal["days_to_pay", "paid_late", "overdue_now", "trend"]


@dataclass(frozen=True)
class Scale:
    """Points by value: those of the first step whose limit the value does not exceed."""

    unit: str
    steps: tuple[tuple[Decimal, int], ...]  # (upper limit, inclusive; points), increasing
    above: int  # points for a value above the last limit

    def score(self, value: Decimal) -> tuple[int, Said]:
        """Return the points for a value and the step it hit, in words."""
        low: Decimal | None = None
        for limit, points in self.steps:
            if value <= limit:
                return points, self._step(low, limit)
            low = limit
        return self.above, self._step(low, None)

    def _step(self, low: Decimal | None, limit: Decimal | None) -> Said:
        if self.unit == "%":
            if low is None:
                return said("up to {limit}%", limit=limit)
            if limit is None:
                return said("over {low}%", low=low)
            return said("over {low}%, up to {limit}%", low=low, limit=limit)
        if low is None:
            return said("up to {limit} days", limit=limit)
        if limit is None:
            return said("over {low} days", low=low)
        return said("over {low} days, up to {limit} days", low=low, limit=limit)

    def as_json(self) -> dict[str, Any]:
        """Return the scale as plain JSON data."""
        return {
            "unit": self.unit.strip(),
            "steps": [{"up_to": str(limit), "points": points} for limit, points in self.steps],
            "above": self.above,
        }


@dataclass(frozen=True)
class Rules:
    """Every threshold of the rating, in one place (docs/credit.md explains them)."""

    lateness: Scale  # average days paid after due, weighted by amount
    late_share: Scale  # percent of the amount paid after due
    overdue_now: Scale  # days past due of the oldest open invoice
    trend: Scale  # recent lateness less earlier lateness, in days
    grades: tuple[tuple[int, Grade], ...]  # (most points, grade); more than the last: "D"
    min_paid_invoices: int = MIN_PAID_INVOICES
    trend_months: int = TREND_MONTHS

    def grade(self, points: int) -> Grade:
        """Return the grade for a number of points."""
        for most, grade in self.grades:
            if points <= most:
                return grade
        return "D"

    def as_json(self) -> dict[str, Any]:
        """Return the rules as plain JSON data."""
        return {
            "days_to_pay": self.lateness.as_json(),
            "paid_late": self.late_share.as_json(),
            "overdue_now": self.overdue_now.as_json(),
            "trend": self.trend.as_json(),
            "grades": [{"up_to_points": most, "grade": grade} for most, grade in self.grades]
            + [{"up_to_points": None, "grade": "D"}],
            "min_paid_invoices_for_A": self.min_paid_invoices,
            "trend_months": self.trend_months,
        }


RULES = Rules(
    lateness=Scale(" days", ((Decimal(0), 0), (Decimal(15), 1), (Decimal(30), 2)), above=3),
    late_share=Scale("%", ((Decimal(10), 0), (Decimal(25), 1), (Decimal(50), 2)), above=3),
    overdue_now=Scale(
        " days", ((Decimal(0), 0), (Decimal(30), 1), (Decimal(60), 2), (Decimal(90), 3)), above=4
    ),
    trend=Scale(" days", ((Decimal(-10), -1), (Decimal(10), 0)), above=1),
    grades=((1, "A"), (3, "B"), (6, "C")),
)


@dataclass(frozen=True)
class Factor:
    """One factor of a rating: its value, the step of the scale it hit, and its points."""

    key: FactorKey
    name: Said
    value: Decimal | None  # None: no history to measure it
    shown: Said  # the value in words
    points: int
    rule: Said  # the step of the scale, in words

    def as_json(self) -> dict[str, Any]:
        """Return the factor as plain JSON data (its words in English)."""
        return {
            "factor": self.key,
            "name": str(self.name),
            "value": None if self.value is None else str(self.value),
            "shown": str(self.shown),
            "points": self.points,
            "rule": str(self.rule),
        }


@dataclass(frozen=True)
class Exposure:
    """A customer's balance on the day against its credit limit."""

    balance: dict[str, Decimal]
    limit: Decimal | None
    currency: str | None
    headroom: Decimal | None  # limit less balance (negative: over the limit)
    used: Decimal | None  # balance as a percentage of the limit


@dataclass(frozen=True)
class Rating:
    """A customer's grade and how it was reached."""

    party: Party
    grade: Grade
    points: int
    factors: tuple[Factor, ...]
    notes: tuple[Said, ...]
    paid_invoices: int
    exposure: Exposure

    def as_json(self) -> dict[str, Any]:
        """Return the rating as plain JSON data."""
        exposure = self.exposure
        return {
            "account": self.party.account,
            "name": self.party.name,
            "rating": self.grade,
            "points": self.points,
            "paid_invoices": self.paid_invoices,
            "factors": [factor.as_json() for factor in self.factors],
            "notes": [str(note) for note in self.notes],
            "balance": {currency: str(amount) for currency, amount in exposure.balance.items()},
            "credit_limit": None
            if exposure.limit is None
            else {"amount": str(exposure.limit), "currency": exposure.currency},
            "headroom": None if exposure.headroom is None else str(exposure.headroom),
            "limit_used_percent": None if exposure.used is None else str(exposure.used),
        }


@dataclass(frozen=True)
class Worth:
    """What a payment weighs in the averages: its value in the client's currency.

    An amount in the client's currency is itself; one in another currency is converted at the
    latest rate on or before the day it was paid, from the ledger's price directives and priced
    postings (`Rates`), as the statements value it. Without such a rate it is not weighed.
    """

    currency: str
    rates: Rates | None = None

    @classmethod
    def of_ledger(cls, entries: Sequence[Directive], currency: str) -> Worth:
        """Return the worth of payments in `currency`, at the rates of a ledger's entries."""
        return cls(currency, Rates(entries, currency))

    def value(self, amount: Decimal, currency: str, day: datetime.date) -> Decimal | None:
        """Return an amount's value in the client's currency on a day, None without a rate."""
        if currency == self.currency:
            return amount
        rate = self.rates.on(currency, day) if self.rates is not None else None
        return None if rate is None else amount * rate


@dataclass
class _History:
    """Payments of one customer: amount-weighted sums of days to pay and days late."""

    amount: Decimal = ZERO
    days: Decimal = ZERO
    late_days: Decimal = ZERO
    late_amount: Decimal = ZERO
    recent: list[tuple[Decimal, Decimal]] = field(default_factory=list)  # (amount, days late)
    earlier: list[tuple[Decimal, Decimal]] = field(default_factory=list)
    unweighed: dict[str, datetime.date] = field(default_factory=dict)  # currency: first payment


def rate_customers(
    book: Book,
    as_of: datetime.date,
    worth: Worth,
    *,
    party: str | None = None,
    rules: Rules = RULES,
) -> list[Rating]:
    """Rate every customer of a receivables book on `as_of` (or one customer's account).

    `worth` weighs payments in the client's currency (`Worth.of_ledger`).
    """
    accounts = [party] if party is not None else sorted(book.parties, key=_sort_key(book))
    by_party: dict[str, list[Item]] = {account: [] for account in accounts}
    for item in book.items:
        if item.party in by_party and item.date <= as_of:
            by_party[item.party].append(item)
    return [
        rate_customer(book, book.parties[account], by_party[account], as_of, worth, rules)
        for account in accounts
    ]


def rate_customer(
    book: Book,
    party: Party,
    items: list[Item],
    as_of: datetime.date,
    worth: Worth,
    rules: Rules = RULES,
) -> Rating:
    """Rate one customer from its items (those dated on or before `as_of`)."""
    history = _history(items, as_of, rules.trend_months, worth)
    paid = sum(1 for item in items if item.settled_on(as_of) is not None and _cash_paid(item))
    factors = (
        _days_to_pay(history, rules),
        _paid_late(history, rules),
        _overdue_now(items, as_of, rules),
        _trend(history, rules),
    )
    points = sum(factor.points for factor in factors)
    grade = rules.grade(points)
    notes: list[Said] = [
        said(
            "Payments in {currency} from {date} on have no rate in {client} on or before their "
            "day: they are left out of the days to pay, the share paid late and the trend. Add "
            "the rates (`price {currency} ... {client}`).",
            currency=currency,
            date=first,
            client=worth.currency,
        )
        for currency, first in sorted(history.unweighed.items())
    ]
    if grade == "A" and paid < rules.min_paid_invoices:
        grade = "B"
        notes.append(
            said(
                "{paid} invoice(s) paid in full so far, fewer than {least}: too little history "
                "for an A, so B.",
                paid=paid,
                least=rules.min_paid_invoices,
            )
        )
    if not history.amount and factors[2].points == 0:
        notes.append(said("No payments yet and nothing overdue: a new customer."))
    return Rating(
        party,
        grade,
        points,
        factors,
        tuple(notes),
        paid,
        _exposure(book, party, as_of),
    )


def lateness(items: Iterable[Item], as_of: datetime.date, worth: Worth) -> int | None:
    """Return a customer's typical delay: days paid after due, weighted by value, rounded.

    Negative when it pays early; None without payments up to `as_of`.
    """
    history = _history(list(items), as_of, TREND_MONTHS, worth)
    if not history.amount:
        return None
    return int((history.late_days / history.amount).to_integral_value(rounding=ROUND_HALF_UP))


def _sort_key(book: Book) -> Callable[[str], tuple[str, str]]:
    return lambda account: (book.parties[account].name, account)


def _cash_paid(item: Item) -> bool:
    return any(settlement.kind == "payment" for settlement in item.settlements)


def _history(items: list[Item], as_of: datetime.date, months: int, worth: Worth) -> _History:
    history = _History()
    recent_from = _months_before(as_of, months)
    for item in items:
        for settlement in item.settlements:
            if settlement.date > as_of or settlement.kind != "payment":
                continue
            amount = worth.value(settlement.amount, item.currency, settlement.date)
            if amount is None:
                first = history.unweighed.get(item.currency, settlement.date)
                history.unweighed[item.currency] = min(first, settlement.date)
                continue
            late = Decimal((settlement.date - item.due).days)
            history.amount += amount
            history.days += amount * (settlement.date - item.date).days
            history.late_days += amount * late
            if late > 0:
                history.late_amount += amount
            (history.recent if settlement.date > recent_from else history.earlier).append(
                (amount, late)
            )
    return history


def _months_before(day: datetime.date, months: int) -> datetime.date:
    """Return the same day `months` calendar months earlier (the month's last day if shorter)."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return datetime.date(year, month + 1, min(day.day, last))


def _round(value: Decimal) -> Decimal:
    return value.quantize(ONE_PLACE, rounding=ROUND_HALF_UP)


def _weighted(rows: list[tuple[Decimal, Decimal]]) -> Decimal | None:
    total = sum((amount for amount, _ in rows), ZERO)
    if not total:
        return None
    return sum((amount * days for amount, days in rows), ZERO) / total


def _days_to_pay(history: _History, rules: Rules) -> Factor:
    name = said("Days to pay (weighted by amount)")
    if not history.amount:
        return Factor("days_to_pay", name, None, NO_PAYMENTS, 0, NO_HISTORY)
    days = _round(history.days / history.amount)
    late = _round(history.late_days / history.amount)
    points, step = rules.lateness.score(late)
    when = (
        said("{days} days after due", days=late)
        if late > 0
        else said("{days} days before due", days=-late)
        if late < 0
        else said("on the due date")
    )
    return Factor(
        "days_to_pay",
        name,
        late,
        said("{days} days after invoicing on average, {when}", days=days, when=when),
        points,
        said("lateness {step}: {points} point(s)", step=step, points=points),
    )


def _paid_late(history: _History, rules: Rules) -> Factor:
    name = said("Paid late (share of the amount paid)")
    if not history.amount:
        return Factor("paid_late", name, None, NO_PAYMENTS, 0, NO_HISTORY)
    share = _round(history.late_amount * 100 / history.amount)
    points, step = rules.late_share.score(share)
    return Factor(
        "paid_late",
        name,
        share,
        said("{share} of the amount paid was paid after its due date", share=str(share) + "%"),
        points,
        said("{step}: {points} point(s)", step=step, points=points),
    )


def _overdue_now(items: list[Item], as_of: datetime.date, rules: Rules) -> Factor:
    oldest: Item | None = None
    overdue: dict[str, Decimal] = {}  # by currency: never added across currencies
    for item in items:
        if item.due >= as_of or item.open_amount(as_of) <= 0:
            continue
        overdue[item.currency] = overdue.get(item.currency, ZERO) + item.open_amount(as_of)
        if oldest is None or item.due < oldest.due:
            oldest = item
    name = said("Overdue now (oldest open invoice)")
    if oldest is None:
        points, step = rules.overdue_now.score(ZERO)
        rule = said("{step}: 0 points", step=step)
        return Factor("overdue_now", name, ZERO, said("nothing overdue"), points, rule)
    days = Decimal(oldest.days_overdue(as_of))
    points, step = rules.overdue_now.score(days)
    label = oldest.number or said("charge of {date}", date=oldest.date)
    return Factor(
        "overdue_now",
        name,
        days,
        said(
            "{invoice} {days} days past due ({open} {currency} open); {overdue} overdue in all",
            invoice=label,
            days=days,
            open=oldest.open_amount(as_of),
            currency=oldest.currency,
            overdue=", ".join(f"{overdue[c]} {c}" for c in sorted(overdue)),
        ),
        points,
        said("{step}: {points} point(s)", step=step, points=points),
    )


def _trend(history: _History, rules: Rules) -> Factor:
    name = said("Trend (last {months} months against before)", months=rules.trend_months)
    recent, earlier = _weighted(history.recent), _weighted(history.earlier)
    if recent is None or earlier is None:
        shown = (
            said("no recent payments to compare")
            if recent is None
            else said("no earlier payments to compare")
        )
        return Factor("trend", name, None, shown, 0, said("no trend: 0 points"))
    change = _round(recent - earlier)
    points, step = rules.trend.score(change)
    then = {"recent": _round(recent), "earlier": _round(earlier)}
    shown = (
        said(
            "paying {change} days later than before ({recent} against {earlier} days after due)",
            change=change,
            **then,
        )
        if change > 0
        else said(
            "paying {change} days earlier than before ({recent} against {earlier} days after due)",
            change=-change,
            **then,
        )
        if change < 0
        else said("paying as late as before ({recent} against {earlier} days after due)", **then)
    )
    return Factor(
        "trend",
        name,
        change,
        shown,
        points,
        said("change {step}: {points} point(s)", step=step, points=format(points, "+d")),
    )


def _exposure(book: Book, party: Party, as_of: datetime.date) -> Exposure:
    balance = {c: n for c, n in sorted(book.balance(party.account, as_of).items()) if n}
    limit = party.credit_limit
    if limit is None or limit.number is None:
        return Exposure(balance, None, None, None, None)
    number, currency = limit.number, str(limit.currency)
    owed = balance.get(currency, ZERO)
    used = _round(owed * 100 / number) if number else None
    return Exposure(balance, number, currency, number - owed, used)
