"""Helpers for the customer-account tests (open items, aging, credit, forecast, Fava)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path
from textwrap import dedent
from typing import Any

from beancount.core import realization

from beanfirm.store.ledger import Ledger, load_ledger

D = Decimal


def ledger_text(text: str) -> str:
    """Return inline ledger text without the test's indentation or the leading newline."""
    return dedent(text).lstrip("\n")


def doc(*parts: str) -> str:
    """Join inline ledger parts, each indented as the test wrote it."""
    return "".join(ledger_text(part) for part in parts)


def load_text(folder: Path, text: str, name: str = "main.beancount") -> Ledger:
    """Write ledger text to a file in `folder` and load it as beanfirm loads a client."""
    path = folder / name
    path.write_text(ledger_text(text), encoding="utf-8")
    return load_ledger(path)


def errors_of(ledger: Ledger) -> list[str]:
    """Return the messages of a loaded ledger's errors (warnings included)."""
    return [str(error.message) for error in ledger.errors]


def beancount_balance(
    entries: list[Any], account: str, as_of: datetime.date | None = None
) -> dict[str, Decimal]:
    """Return an account's balance per currency at the end of `as_of`, as Beancount sums it.

    Independent of beanfirm: Beancount's own realization of the entries up to the date.
    """
    kept = entries if as_of is None else [e for e in entries if e.date <= as_of]
    node = realization.get(realization.realize(kept), account)  # type: ignore[no-untyped-call]
    if node is None:
        return {}
    totals: dict[str, Decimal] = {}
    for position in node.balance:
        currency = str(position.units.currency)
        totals[currency] = totals.get(currency, Decimal(0)) + position.units.number
    return {currency: number for currency, number in totals.items() if number}


def nonzero(totals: dict[str, Decimal]) -> dict[str, Decimal]:
    """Drop zero amounts, to compare balances that may list a settled currency."""
    return {currency: number for currency, number in totals.items() if number}
