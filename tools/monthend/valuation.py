"""What a posting is worth in the client's currency, as the statements state it.

A posting's weight (`convert.get_weight`: its cost or price when it has one) in another
currency is converted at the latest rate on or before its date (`Rates`: price directives and
priced postings), and a transaction's legs are rounded to the cent together (`in_cents`), so
that each still balances. The statements, the revaluation and the closing entries all value
postings so, and so agree to the cent.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from beancount.core import convert, data
from beancount.core.amount import Amount

from beanfirm.core.rates import Rates
from beanfirm.errors import Problem

ZERO = Decimal(0)
CENT = Decimal("0.01")


def converted(
    entry: data.Transaction, currency: str, rates: Rates | None
) -> tuple[list[tuple[data.Posting, Decimal]], list[str]]:
    """Return a transaction's legs in the client's currency, unrounded.

    And the currencies of the legs that have no rate, which are left out of the legs.
    """
    legs: list[tuple[data.Posting, Decimal]] = []
    missing: list[str] = []
    for posting in entry.postings:
        weight: Amount = convert.get_weight(posting)  # type: ignore[no-untyped-call]
        number = weight.number
        if weight.currency != currency and isinstance(number, Decimal):
            rate = rates.on(weight.currency, entry.date) if rates is not None else None
            number = number * rate if rate is not None else None
        if not isinstance(number, Decimal):
            if weight.currency not in missing:
                missing.append(weight.currency)
            continue
        legs.append((posting, number))
    return legs, missing


def in_cents(legs: list[tuple[data.Posting, Decimal]]) -> list[tuple[data.Posting, Decimal]]:
    """Return a transaction's legs in the client's currency rounded to the cent, still balanced.

    A leg converted at a rate carries fractions of a cent; the statements are in 元 (dollars)
    and cents. Each leg is rounded half up; the cents the rounding leaves over (at most one
    per leg) go to the largest leg, as a bookkeeper books a foreign transaction in the
    functional currency, so that every statement still balances to the cent.
    """
    rounded = [(posting, number.quantize(CENT, ROUND_HALF_UP)) for posting, number in legs]
    exact = sum((number for _posting, number in legs), ZERO)
    left = exact.quantize(CENT, ROUND_HALF_UP) - sum((number for _p, number in rounded), ZERO)
    if left and rounded:
        largest = max(range(len(rounded)), key=lambda index: abs(rounded[index][1]))
        posting, number = rounded[largest]
        rounded[largest] = (posting, number + left)
    return rounded


def unpriced_problem(foreign: str, entries: list[data.Transaction], currency: str) -> Problem:
    """Name the first transaction in a currency without a rate, and how many more there are."""
    first, more = entries[0], len(entries) - 1
    rest = f" ({more} more transaction(s) in {foreign} until {entries[-1].date})" if more else ""
    message = (
        f"an amount in {foreign} has no rate in {currency} on or before {first.date}{rest}. "
        f"Add a price directive such as `{first.date} price {foreign} 7.10 {currency}` "
        "(the rate of that day), or book these amounts with their rate (`@`)."
    )
    return Problem(first.meta["filename"], first.meta["lineno"], message)
