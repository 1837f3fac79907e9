"""Writing entries as ledger text in one stable, aligned layout.

Generated and imported entries go through these functions so that a month file always reads
the same way and a git diff shows only the entries that were added. The layout is the one
`bean-format -c 74` and Fava's "format" (with its `currency-column` option at 74) produce, so
that formatting a file beanfirm wrote changes nothing (docs/format.md).
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from decimal import Decimal

from beanfirm.core import paths

CURRENCY_COLUMN = 74  # the column where currencies start: `bean-format -c 74`, Fava's option
CENT = Decimal("0.01")
AMOUNT_VALUE = re.compile(r"(-?\d+(?:\.\d+)?) ([A-Z][A-Z0-9'._-]*[A-Z0-9])")


@dataclass(frozen=True)
class Posting:
    """One leg of a transaction; `amount` None lets Beancount infer it.

    `cost` is the text inside the braces of a cost (`100.00 USD, 2025-01-02`); `price` is a
    price per unit (`@`), `total_price` the price of the whole amount (`@@`).
    """

    account: str
    amount: Decimal | None
    currency: str
    price: tuple[Decimal, str] | None = None
    cost: str | None = None
    total_price: tuple[Decimal, str] | None = None


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


# Each character Beancount's lexer reads back from a backslash escape, and that escape.
LEXER_ESCAPES = str.maketrans(
    {"\\": r"\\", '"': r"\"", "\n": r"\n", "\t": r"\t", "\r": r"\r", "\f": r"\f", "\b": r"\b"}
)
# Every other control character, and what Python's `splitlines` takes for a line break: the
# lexer has no escape for them, and one written raw would move the lines that beanfirm edits
# by number, so they become U+FFFD (the mark of a character that could not be kept).
UNWRITABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
REPLACEMENT = "\ufffd"


def quote(text: str) -> str:
    """Return a Beancount string literal that the lexer reads back as `text`, on one line.

    Backslash, double quote, newline, tab, carriage return, form feed and backspace are
    escaped as the lexer reads them; any other control character becomes U+FFFD. Every string
    beanfirm writes into a ledger goes through here.
    """
    if text.isprintable() and '"' not in text and "\\" not in text:  # most texts, quickly
        return f'"{text}"'
    return '"' + UNWRITABLE.sub(REPLACEMENT, text.translate(LEXER_ESCAPES)) + '"'


def comment(text: str) -> str:
    """Return `text` fit for a `;` comment line: every control character becomes U+FFFD."""
    return UNWRITABLE.sub(REPLACEMENT, text)


def money(number: Decimal) -> str:
    """Format an amount with two decimals (more only if the number has them)."""
    exponent = number.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -2:  # noqa: PLR2004
        return f"{number:f}"
    return f"{number.quantize(CENT):f}"


def aligned(head: str, number: str, rest: str) -> str:
    """Return a line whose `rest` (a currency and what follows it) starts in CURRENCY_COLUMN.

    The arithmetic is bean-format's with `-c` and Fava's: widths are counted in characters,
    a Chinese character as one, and at least two spaces separate `head` from the number.
    Counted in display columns instead, every line naming a Chinese account would move.
    """
    spaces = " " * max(0, CURRENCY_COLUMN - len(head) - len(number) - 4)
    return f"{head}{spaces}  {number} {rest}"


def posting_text(posting: Posting) -> str:
    """Return one aligned posting line."""
    head = f"  {posting.account}"
    if posting.amount is None:
        return head
    rest = posting.currency
    if posting.cost is not None:
        rest += f" {{{posting.cost}}}"
    if posting.price is not None:
        rest += f" @ {posting.price[0]} {posting.price[1]}"
    if posting.total_price is not None:
        rest += f" @@ {posting.total_price[0]} {posting.total_price[1]}"
    return aligned(head, money(posting.amount), rest)


def meta_text(key: str, value: str) -> str:
    """Return one metadata line; an amount (`credit-limit: 500.00 CNY`) aligned as in a posting.

    Fava's "format" aligns every line that ends in a number and a currency, metadata too.
    """
    amount = AMOUNT_VALUE.fullmatch(value)
    if amount is None:
        return f"  {key}: {value}"
    return aligned(f"  {key}:", amount[1], amount[2])


def txn_text(txn: Txn) -> str:
    """Return a transaction as text, ending with a newline."""
    words = [txn.date.isoformat(), txn.flag]
    if txn.payee is not None:
        words.append(quote(txn.payee))
    words.append(quote(txn.narration))
    words += [f"#{tag}" for tag in txn.tags] + [f"^{link}" for link in txn.links]
    lines = [" ".join(words)]
    lines += [meta_text(key, value) for key, value in txn.meta]
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
    lines = [aligned(f"{date.isoformat()} balance {account}", money(amount), currency)]
    lines += [meta_text(key, value) for key, value in meta]
    return "\n".join(lines) + "\n"


def month_path(client_id: str, date: datetime.date) -> str:
    """Return the practice-relative month file an entry dated `date` belongs in."""
    return paths.month_file(client_id, date)
