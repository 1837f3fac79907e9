"""Reading postings whose amounts Beancount's types leave optional."""

from __future__ import annotations

from decimal import Decimal

from beancount.core import data


def units(posting: data.Posting) -> tuple[Decimal, str] | None:
    """Return a booked posting's number and currency (None for an incomplete posting)."""
    amount = posting.units
    if amount is None or not isinstance(amount.number, Decimal) or amount.currency is None:
        return None
    return amount.number, str(amount.currency)
