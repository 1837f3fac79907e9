"""Writing entries as ledger text in one stable, aligned layout.

Generated and imported entries go through these functions so that a month file always reads
the same way and a git diff shows only the entries that were added.
"""

from __future__ import annotations

import datetime
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal

from beanfirm.core import paths

AMOUNT_COLUMN = 72  # the column where amounts end, as bean-format aligns them
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Posting:
    """One leg of a transaction; `amount` None lets Beancount infer it."""

    account: str
    amount: Decimal | None
    currency: str
    price: tuple[Decimal, str] | None = None


@dataclass(frozen=True)
class Txn:
    """A transaction to write."""

    date: datetime.date
    payee: str | None
    narration: str
    postings: tuple[Posting, ...]
    flag: str = "*"
    tags: tuple[str, ...] = ()
    links: tuple[str, ...] = ()
    meta: tuple[tuple[str, str], ...] = field(default=())


def quote(text: str) -> str:
    """Return a Beancount string literal."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def money(number: Decimal) -> str:
    """Format an amount with two decimals (more only if the number has them)."""
    exponent = number.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -2:  # noqa: PLR2004
        return f"{number:f}"
    return f"{number.quantize(CENT):f}"


def display_width(text: str) -> int:
    """Return how many terminal columns text takes (CJK characters take two)."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def posting_text(posting: Posting) -> str:
    """Return one aligned posting line."""
    if posting.amount is None:
        return f"  {posting.account}"
    number = money(posting.amount)
    head = f"  {posting.account}"
    gap = max(2, AMOUNT_COLUMN - display_width(head) - len(number))
    line = f"{head}{' ' * gap}{number} {posting.currency}"
    if posting.price is not None:
        line += f" @ {posting.price[0]} {posting.price[1]}"
    return line


def txn_text(txn: Txn) -> str:
    """Return a transaction as text, ending with a newline."""
    words = [txn.date.isoformat(), txn.flag]
    if txn.payee is not None:
        words.append(quote(txn.payee))
    words.append(quote(txn.narration))
    words += [f"#{tag}" for tag in txn.tags] + [f"^{link}" for link in txn.links]
    lines = [" ".join(words)]
    lines += [f"  {key}: {value}" for key, value in txn.meta]
    lines += [posting_text(p) for p in txn.postings]
    return "\n".join(lines) + "\n"


def balance_text(
    date: datetime.date,
    account: str,
    amount: Decimal,
    currency: str,
    meta: tuple[tuple[str, str], ...] = (),
) -> str:
    """Return a balance assertion (Beancount checks it at the start of `date`)."""
    number = money(amount)
    head = f"{date.isoformat()} balance {account}"
    gap = max(2, AMOUNT_COLUMN - display_width(head) - len(number))
    lines = [f"{head}{' ' * gap}{number} {currency}"]
    lines += [f"  {key}: {value}" for key, value in meta]
    return "\n".join(lines) + "\n"


def month_path(client_id: str, date: datetime.date) -> str:
    """Return the practice-relative month file an entry dated `date` belongs in."""
    return paths.month_file(client_id, date)
