"""Reading postings whose amounts Beancount's types leave optional, and what a transaction is."""

from __future__ import annotations

from decimal import Decimal

from beancount.core import data

# The tag of the month-end revaluation of foreign-currency balances (期末调汇, docs/close.md):
# a restatement of book values in the client's currency, no one's invoice, bill or payment.
REVALUATION = "revaluation"


def units(posting: data.Posting) -> tuple[Decimal, str] | None:
    """Return a booked posting's number and currency (None for an incomplete posting)."""
    amount = posting.units
    if amount is None or not isinstance(amount.number, Decimal) or amount.currency is None:
        return None
    return amount.number, str(amount.currency)


def is_revaluation(entry: data.Transaction) -> bool:
    """Tell whether a transaction is a month-end revaluation (tagged `#revaluation`)."""
    return bool(entry.tags) and REVALUATION in entry.tags
