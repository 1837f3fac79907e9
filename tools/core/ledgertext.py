"""Imported entries as ledger text, in beanfirm's one aligned layout (`beanfirm.core.journal`).

Used for golden files and by the import command, so that what a test compares is what a
month file receives.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from beancount.core import data
from beancount.core.amount import Amount
from beancount.core.position import Cost, CostSpec

from beanfirm.core.beans import Directive, Meta
from beanfirm.core.journal import Posting, Txn, balance_text, quote, txn_text

HIDDEN_META = ("filename", "lineno")


def meta_items(meta: Meta) -> tuple[tuple[str, str], ...]:
    """Return the metadata to write, values rendered as Beancount literals."""
    items: list[tuple[str, str]] = []
    for key, value in meta.items():
        if key in HIDDEN_META or key.startswith("__"):
            continue
        if isinstance(value, bool):
            text = "TRUE" if value else "FALSE"
        else:
            text = quote(value) if isinstance(value, str) else str(value)
        items.append((key, text))
    return tuple(items)


def cost_text(cost: Cost | CostSpec) -> str:
    """Return the text inside the braces of a posting's cost."""
    if isinstance(cost, CostSpec) and (cost.number_total is not None or cost.merge):
        message = f"cannot write the total or merged cost {cost}"
        raise TypeError(message)
    number = cost.number if isinstance(cost, Cost) else cost.number_per
    words = [f"{number} {cost.currency}"] if isinstance(number, Decimal) else []
    if cost.date is not None:
        words.append(cost.date.isoformat())
    if cost.label is not None:
        words.append(quote(cost.label))
    return ", ".join(words)


def posting_of(posting: data.Posting) -> Posting:
    """Convert a Beancount posting (with units, maybe a cost and a price) to a journal Posting."""
    units = posting.units  # MISSING in a parsed entry whose amount Beancount infers
    number = units.number if isinstance(units, Amount) else None
    currency = str(units.currency) if isinstance(units, Amount) else ""
    price = posting.price
    return Posting(
        posting.account,
        number,
        currency,
        price=None if price is None or price.number is None else (price.number, price.currency),
        cost=None if posting.cost is None else cost_text(posting.cost),
    )


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
