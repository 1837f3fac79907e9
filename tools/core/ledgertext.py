"""Imported entries as ledger text, in beanfirm's one aligned layout (`beanfirm.core.journal`).

Used for golden files and by the import command, so that what a test compares is what a
month file receives.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from beancount.core import data

from beanfirm.core.beans import Directive, Meta
from beanfirm.core.journal import Posting, Txn, balance_text, quote, txn_text

HIDDEN_META = ("filename", "lineno")


def meta_items(meta: Meta) -> tuple[tuple[str, str], ...]:
    """Return the metadata to write, values rendered as Beancount literals."""
    items: list[tuple[str, str]] = []
    for key, value in meta.items():
        if key in HIDDEN_META or key.startswith("__"):
            continue
        text = quote(value) if isinstance(value, str) else str(value)
        items.append((key, text))
    return tuple(items)


def posting_of(posting: data.Posting) -> Posting:
    """Convert a Beancount posting (with units) to a journal Posting."""
    units = posting.units
    number: Decimal | None = None if units is None else units.number
    currency = "" if units is None else str(units.currency)
    return Posting(posting.account, number, currency)


def entry_text(entry: Directive) -> str:
    """Return one transaction or balance assertion as text."""
    if isinstance(entry, data.Balance):
        number = entry.amount.number
        if number is None:
            message = f"the balance of {entry.account} on {entry.date} has no number"
            raise TypeError(message)
        return balance_text(
            entry.date,
            entry.account,
            number,
            entry.amount.currency,
            meta_items(entry.meta),
        )
    if isinstance(entry, data.Transaction):
        return txn_text(
            Txn(
                date=entry.date,
                payee=entry.payee,
                narration=entry.narration or "",
                postings=tuple(posting_of(p) for p in entry.postings),
                flag=entry.flag or "*",
                tags=tuple(sorted(entry.tags or ())),
                links=tuple(sorted(entry.links or ())),
                meta=meta_items(entry.meta),
            )
        )
    message = f"cannot write a {type(entry).__name__} as imported ledger text"
    raise TypeError(message)


def entries_text(entries: Iterable[Directive]) -> str:
    """Return entries as text, separated by blank lines."""
    return "\n".join(entry_text(entry) for entry in entries)
