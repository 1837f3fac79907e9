"""An anomaly found in a client's books: its kind, the entry, the evidence and a stable id.

The id is derived from the kind and the entry (its date, source account, amount, payee,
narration and `import-id`), never from the run or the entry's line: it stays the same when
other entries are added or the file is reformatted, so that a dismissal keeps applying.
"""

from __future__ import annotations

import datetime
import hashlib
import math
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from beanfirm.errors import relative_to

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence
    from pathlib import Path

    from beancount.core import data

    from beanfirm.anomalies.payments import Payment

# Each kind, and what it means in one line (docs/anomalies.md says more).
KINDS = {
    "duplicate": "the same payment from two different accounts within days",
    "unusual-amount": "an amount far from the payee's history (median and MAD)",
    "round-cash": "a round amount of cash",
    "day-off": "a payment on a weekend or a Chinese public holiday",
    "new-payee": "a new payee paid a large amount",
    "category-change": "a payee booked to a category it never had before",
    "import-gap": "no entries in an account for longer than usual",
}

UNCATEGORIZED = "Uncategorized"
JSONValue = str | int | list[str] | list[dict[str, str]] | None
JSONData = dict[str, JSONValue | dict[str, JSONValue]]


@dataclass(frozen=True)
class Anomaly:
    """One finding: the entry it is about (file:line), what is unusual and the evidence."""

    id: str
    kind: str
    date: datetime.date
    filename: str  # practice-relative
    line: int | None
    account: str  # the bank, payment or cash account the entry moves
    amount: Decimal | None
    currency: str | None
    payee: str
    finding: str  # one sentence: what is unusual, with the figures that show it
    evidence: dict[str, JSONValue] = field(default_factory=dict)

    @property
    def where(self) -> str:
        """Return the entry's place as file:line."""
        return f"{self.filename}:{self.line}" if self.line else self.filename

    def as_json(self) -> JSONData:
        """Return the finding as plain JSON data (amounts as strings)."""
        return {
            "id": self.id,
            "kind": self.kind,
            "date": self.date.isoformat(),
            "file": self.filename,
            "line": self.line,
            "account": self.account,
            "amount": None if self.amount is None else str(self.amount),
            "currency": self.currency,
            "payee": self.payee,
            "finding": self.finding,
            "evidence": self.evidence,
        }


def anomaly_id(kind: str, parts: Iterable[object]) -> str:
    """Return the id of a finding of `kind` about the thing `parts` describe."""
    digest = hashlib.sha256("\0".join([kind, *(str(part) for part in parts)]).encode())
    return f"{kind}-{digest.hexdigest()[:8]}"


def money(number: Decimal, currency: str | None = None) -> str:
    """Return an amount as the reports show it: thousands separated, two decimals at least."""
    exponent = number.as_tuple().exponent
    places = max(2, -exponent) if isinstance(exponent, int) else 2
    text = f"{number:,.{places}f}"
    return f"{text} {currency}" if currency else text


class Locator:
    """Turns an entry into its practice-relative file and line, each file resolved once."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.names: dict[str, str] = {}

    def __call__(self, entry: data.Directive) -> tuple[str, int | None]:
        """Return the file and line of an entry."""
        filename = str(entry.meta.get("filename", "<unknown>"))
        if filename not in self.names:
            shown = filename if filename.startswith("<") else relative_to(filename, self.root)
            self.names[filename] = shown
        line = entry.meta.get("lineno")
        return self.names[filename], line if isinstance(line, int) else None


def entry_parts(entry: data.Transaction, account: str) -> tuple[object, ...]:
    """Return what identifies an entry for an anomaly id (see `findings`)."""
    amounts = [str(p.units) for p in entry.postings if p.account == account]
    return (
        entry.date,
        account,
        ",".join(amounts),
        entry.payee or "",
        entry.narration or "",
        entry.meta.get("import-id", ""),
    )


def anomaly_of(
    kind: str,
    payment: Payment,
    locate: Locator,
    finding: str,
    evidence: dict[str, JSONValue],
) -> Anomaly:
    """Return the finding of `kind` about a payment's entry."""
    filename, line = locate(payment.entry)
    return Anomaly(
        anomaly_id(kind, entry_parts(payment.entry, payment.account)),
        kind,
        payment.date,
        filename,
        line,
        payment.account,
        payment.number,
        payment.currency,
        payment.payee,
        finding,
        evidence,
    )


def is_uncategorized(account: str | None) -> bool:
    """Tell whether a category is none or an `Uncategorized` account."""
    return account is None or account.rsplit(":", 1)[-1] == UNCATEGORIZED


def where(payment: Payment, locate: Locator) -> str:
    """Return a payment's entry as file:line."""
    filename, line = locate(payment.entry)
    return f"{filename}:{line}"


def median(values: Sequence[Decimal]) -> Decimal:
    """Return the median of sorted values."""
    middle = len(values) // 2
    if len(values) % 2:
        return values[middle]
    return (values[middle - 1] + values[middle]) / 2


def quantile(values: Sequence[Decimal], share: Decimal) -> Decimal:
    """Return the nearest-rank quantile of sorted values."""
    rank = max(1, math.ceil(share * len(values)))
    return values[rank - 1]
