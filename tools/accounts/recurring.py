"""Recurring cash movements found in a client's history, for the cash-flow forecast.

A recurring item is the same payee and accounts at a regular interval (monthly: every 25-35
days; weekly: every 6-8 days), with amounts within `AMOUNT_TOLERANCE` of their median,
`MIN_OCCURRENCES` times or more and still going (the last one no longer than 1.5 intervals
before the report day). The forecast projects each at its interval after its last date, for
the median of its last three amounts; movements at a regular interval that do not count are
kept with the reason, so that the report can say why.
"""

from __future__ import annotations

import datetime
import itertools
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Literal

from beancount.core import data

from beanfirm.core.beans import Directive
from beanfirm.plugins.postings import units

CENT = Decimal("0.01")
MIN_OCCURRENCES = 3
RECENT_OCCURRENCES = 6  # the regularity is judged on the last ones only
AMOUNT_TOLERANCE = Decimal("0.10")
# How often a recurring movement comes, and its gaps in days; the JSON says the word.
Cadence = Literal["weekly", "monthly"]
CADENCES: dict[Cadence, tuple[int, int]] = {"weekly": (6, 8), "monthly": (25, 35)}


@dataclass(frozen=True)
class Recurring:
    """A recurring cash movement found in the history, and why it counts as one."""

    payee: str
    accounts: tuple[str, ...]  # the other accounts of its transactions
    cadence: Cadence
    amount: Decimal  # projected amount (negative: a payment)
    currency: str
    dates: tuple[datetime.date, ...]  # the occurrences looked at
    amounts: tuple[Decimal, ...]
    why: str

    def as_json(self) -> dict[str, Any]:
        """Return the recurring item as plain JSON data."""
        return {
            "payee": self.payee,
            "accounts": list(self.accounts),
            "cadence": self.cadence,
            "amount": str(self.amount),
            "currency": self.currency,
            "occurrences": [d.isoformat() for d in self.dates],
            "why": self.why,
        }


@dataclass(frozen=True)
class NotRecurring:
    """Movements at a regular interval that do not count as recurring, and why."""

    payee: str
    accounts: tuple[str, ...]
    cadence: Cadence
    reason: str

    def as_json(self) -> dict[str, Any]:
        """Return the item as plain JSON data."""
        return {
            "payee": self.payee,
            "accounts": list(self.accounts),
            "cadence": self.cadence,
            "reason": self.reason,
        }


def detect_recurring(
    entries: Sequence[Directive],
    cash: set[str],
    as_of: datetime.date,
    *,
    skip: tuple[str, ...] = (),
) -> tuple[list[Recurring], list[NotRecurring]]:
    """Find the regular cash movements up to `as_of` (see the module docstring).

    Returns the recurring items, and the movements that come at a regular interval but do not
    count (their amounts vary, or they have stopped), with the reason. A candidate is a
    transaction with one posting to a cash account and none to an account under `skip`
    (receivables and payables: the open items forecast those), grouped by payee (else
    narration), the other accounts and the currency.
    """
    groups: dict[tuple[str, tuple[str, ...], str], list[tuple[datetime.date, Decimal]]] = {}
    for entry in entries:
        if not isinstance(entry, data.Transaction) or entry.date > as_of:
            continue
        legs = [p for p in entry.postings if p.account in cash]
        others = tuple(sorted({p.account for p in entry.postings if p.account not in cash}))
        if len(legs) != 1 or not others or any(is_under(a, skip, exact=False) for a in others):
            continue
        amount = units(legs[0])
        if amount is None:
            continue
        payee = entry.payee or entry.narration or ""
        groups.setdefault((payee, others, amount[1]), []).append((entry.date, amount[0]))
    found: list[Recurring] = []
    missed: list[NotRecurring] = []
    for (payee, others, currency), rows in groups.items():
        item = _recurring(payee, others, currency, rows, as_of)
        if isinstance(item, Recurring):
            found.append(item)
        elif item is not None:
            missed.append(item)
    found.sort(key=lambda item: (item.cadence, item.payee, item.accounts))
    missed.sort(key=lambda item: (item.cadence, item.payee, item.accounts))
    return found, missed


def _recurring(
    payee: str,
    others: tuple[str, ...],
    currency: str,
    rows: list[tuple[datetime.date, Decimal]],
    as_of: datetime.date,
) -> Recurring | NotRecurring | None:
    """Judge one group of movements: recurring, regular but not counted (why), or neither."""
    recent = rows[-RECENT_OCCURRENCES:]
    if len(recent) < MIN_OCCURRENCES:
        return None
    dates = [day for day, _ in recent]
    amounts = [amount for _, amount in recent]
    gaps = [(b - a).days for a, b in itertools.pairwise(dates)]
    cadence = next(
        (name for name, (low, high) in CADENCES.items() if all(low <= g <= high for g in gaps)),
        None,
    )
    if cadence is None:
        return None
    low, high = CADENCES[cadence]
    if (as_of - dates[-1]).days > high * 3 // 2:
        return NotRecurring(payee, others, cadence, f"stopped: the last one was on {dates[-1]}")
    if len({amount > 0 for amount in amounts}) != 1:
        return NotRecurring(payee, others, cadence, "money goes both ways")
    median = Decimal(statistics.median(amounts)).quantize(CENT, rounding=ROUND_HALF_UP)
    if any(abs(amount - median) > abs(median) * AMOUNT_TOLERANCE for amount in amounts):
        reason = (
            f"amounts from {min(amounts)} to {max(amounts)} {currency} vary more than "
            f"{int(AMOUNT_TOLERANCE * 100)}% from their median {median}"
        )
        return NotRecurring(payee, others, cadence, reason)
    projected = Decimal(statistics.median(amounts[-3:])).quantize(CENT, rounding=ROUND_HALF_UP)
    spread = (
        f"{min(amounts)} to {max(amounts)}"
        if min(amounts) != max(amounts)
        else (f"{amounts[0]} each time")
    )
    why = (
        f"{len(recent)} times from {dates[0]} to {dates[-1]}, every {min(gaps)}-{max(gaps)} "
        f"days ({cadence}: {low}-{high}); amounts {spread} {currency}, within "
        f"{int(AMOUNT_TOLERANCE * 100)}% of the median {median}; projected {projected} "
        f"{currency} {'a month' if cadence == 'monthly' else 'a week'} after {dates[-1]}"
    )
    return Recurring(payee, others, cadence, projected, currency, tuple(dates), tuple(amounts), why)


def is_under(account: str, roots: tuple[str, ...], *, exact: bool = True) -> bool:
    """Tell whether an account is one of `roots` or below one (prefixes end with ':' or not)."""
    for root in roots:
        stem = root.rstrip(":")
        if (exact and account == stem) or account.startswith(stem + ":"):
            return True
    return False
