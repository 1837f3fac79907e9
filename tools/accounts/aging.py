"""Receivables and payables aging by due date: what is open, and how long past due.

Every open invoice (or bill) of a party on a day falls in one bucket by its days past due:
Current (not yet due), then one bucket per limit (`1-30`, `31-60`, `61-90` for the default
limits 30, 60, 90) and the rest (`91+`). A party's unapplied credits (payments not linked to
an open item, over-payments) are a column of their own, so that overdue invoices are never
netted against them and the total still equals the account's balance on the day, to the cent,
per currency. Amounts are in the party's sense: positive, the customer owes the client (or the
client owes the vendor).

Public API (for `beanfirm aging`, the statement's aging line, `beanfirm status`, Fava)::

    from beanfirm.accounts.aging import age_items, party_aging, overdue_receivables, parse_buckets

    book = read_book(entries, options_map, "receivables")     # beanfirm.accounts.openitems
    report = age_items(book, as_of)                            # every party; -> Aging
    report = age_items(book, as_of, (30, 60, 90), party=acct)  # one party's account
    report.labels        # ("Current", "1-30", "31-60", "61-90", "91+")
    report.parties       # [PartyAging]: .party, .lines (AgingLine), .totals {currency: Aged}
    report.totals        # {currency: Aged}: .buckets (one Decimal per label), .credits, .total
    party_aging(book, acct, as_of)  # {currency: Aged}: one party's summary line
    overdue_receivables(entries, options_map, today)  # -> Overdue: count, amounts, oldest_days

`age_items` raises `LedgerError` for an open invoice with no due date whose party has no
`terms-days` either: its age is unknown. With `terms-days` the due date is the invoice's date
plus the terms, and the line says so (`due_from == "terms"`).
"""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from beanfirm.accounts.openitems import Book, DueFrom, Item, Party, read_book
from beanfirm.core.beans import Directive, Meta, Options
from beanfirm.errors import LedgerError, Problem, UsageError, relative_to

ZERO = Decimal(0)
DEFAULT_BUCKETS = (30, 60, 90)
MAX_BUCKET_DAYS = 3650


@dataclass(frozen=True)
class Aged:
    """Open amounts of one currency: one per bucket (Current first), and unapplied credits."""

    buckets: tuple[Decimal, ...]
    credits: Decimal = ZERO  # zero or negative

    @property
    def total(self) -> Decimal:
        """What is owed: the buckets less the credits (the account's balance)."""
        return sum(self.buckets, ZERO) + self.credits

    @property
    def places(self) -> int:
        """The most decimal places among the amounts (to show zeros alike: `0.00`)."""
        exponents = [a.as_tuple().exponent for a in (*self.buckets, self.credits)]
        return max((-e for e in exponents if isinstance(e, int)), default=0)

    def show(self, amount: Decimal) -> str:
        """Write one of these amounts with as many decimals as the others (`0` as `0.00`)."""
        return str(with_places(amount, self.places))

    @property
    def overdue(self) -> Decimal:
        """What is past due (every bucket but Current)."""
        return sum(self.buckets[1:], ZERO)

    def __add__(self, other: Aged) -> Aged:
        return Aged(
            tuple(a + b for a, b in zip(self.buckets, other.buckets, strict=True)),
            self.credits + other.credits,
        )


# What a line of an aging is; the JSON of `aging --json` says it.
AgingKind = Literal["invoice", "charge", "credit"]


@dataclass(frozen=True)
class AgingLine:
    """One open invoice (or unlinked charge) or one unapplied credit of a party."""

    party: str  # the account
    kind: AgingKind
    number: str | None
    date: datetime.date
    due: datetime.date | None  # None for a credit
    due_from: DueFrom | None
    days_overdue: int  # zero for items not yet due, and for credits
    amount: Decimal  # the original amount (a credit: negative)
    open: Decimal  # what is open on the day (a credit: negative)
    currency: str
    bucket: int | None  # index into the labels; None for a credit
    narration: str
    location: str  # file:line of the entry


@dataclass
class PartyAging:
    """One party's open lines and its totals per currency."""

    party: Party
    lines: list[AgingLine] = field(default_factory=list)
    totals: dict[str, Aged] = field(default_factory=dict)


@dataclass(frozen=True)
class Aging:
    """The aging of a ledger's receivables or payables on one day."""

    side: str
    as_of: datetime.date
    limits: tuple[int, ...]
    parties: list[PartyAging]
    totals: dict[str, Aged]

    @property
    def labels(self) -> tuple[str, ...]:
        """The bucket names, Current first."""
        return bucket_labels(self.limits)

    def as_json(self) -> dict[str, Any]:
        """Return the report as plain JSON data (amounts as strings)."""
        return {
            "side": self.side,
            "as_of": self.as_of.isoformat(),
            "buckets": list(self.labels),
            "parties": [
                {
                    "account": row.party.account,
                    "name": row.party.name,
                    "totals": _totals_json(row.totals, self.labels),
                    "lines": [_line_json(line, self.labels) for line in row.lines],
                }
                for row in self.parties
            ],
            "totals": _totals_json(self.totals, self.labels),
        }


@dataclass(frozen=True)
class Overdue:
    """Overdue receivables of a client on a day, for the dashboard."""

    count: int  # overdue open items
    amounts: dict[str, Decimal]  # overdue open amount per currency
    oldest_days: int  # days past due of the oldest overdue item (0 if none)


def bucket_labels(limits: Sequence[int]) -> tuple[str, ...]:
    """Name the buckets: `Current`, `1-30`, `31-60`, `61-90`, `91+` for limits 30, 60, 90."""
    labels = ["Current"]
    low = 1
    for limit in limits:
        labels.append(f"{low}-{limit}")
        low = limit + 1
    labels.append(f"{low}+")
    return tuple(labels)


def parse_buckets(text: str) -> tuple[int, ...]:
    """Read bucket limits written like `30,60,90`; raise UsageError saying what is wrong."""
    parts = [part.strip() for part in text.split(",")]
    limits: list[int] = []
    for part in parts:
        if not part.isdigit() or not part.isascii():
            msg = (
                f"--buckets {text!r}: {part!r} is not a whole number of days. Give increasing "
                "whole numbers separated by commas, like --buckets 30,60,90."
            )
            raise UsageError(msg)
        limits.append(int(part))
    if any(limit < 1 or limit > MAX_BUCKET_DAYS for limit in limits):
        msg = (
            f"--buckets {text!r}: every limit must be between 1 and {MAX_BUCKET_DAYS} days, "
            "like --buckets 30,60,90."
        )
        raise UsageError(msg)
    if any(b <= a for a, b in itertools.pairwise(limits)):
        msg = (
            f"--buckets {text!r}: the limits must increase (each one larger than the one "
            "before), like --buckets 30,60,90."
        )
        raise UsageError(msg)
    return tuple(limits)


def bucket_of(days_overdue: int, limits: Sequence[int]) -> int:
    """Return the bucket index of an item that is `days_overdue` past due (0: Current)."""
    if days_overdue <= 0:
        return 0
    for index, limit in enumerate(limits, 1):
        if days_overdue <= limit:
            return index
    return len(limits) + 1


def age_items(
    book: Book,
    as_of: datetime.date,
    limits: Sequence[int] = DEFAULT_BUCKETS,
    *,
    party: str | None = None,
    root: Path | None = None,
) -> Aging:
    """Age the open items of a book on `as_of` (of one party's account, if given).

    `root`: show file locations relative to this folder (the practice).
    """
    return _age(book, as_of, tuple(limits), party, root)


def _age(
    book: Book,
    as_of: datetime.date,
    limits: tuple[int, ...],
    party: str | None,
    root: Path | None,
) -> Aging:
    width = len(limits) + 2
    rows: dict[str, PartyAging] = {}
    undated: list[Item] = []
    for item in book.items:
        if item.date > as_of or (party is not None and item.party != party):
            continue
        open_amount = item.open_amount(as_of)
        if open_amount == 0:
            continue
        if item.due_from == "date" and item.number is not None:
            undated.append(item)
            continue
        days = item.days_overdue(as_of)
        bucket = bucket_of(days, limits)
        line = AgingLine(
            item.party,
            "invoice" if item.number else "charge",
            item.number,
            item.issued,
            item.due,
            item.due_from,
            max(days, 0),
            item.amount,
            open_amount,
            item.currency,
            bucket,
            item.narration,
            _location(item.entry.meta, root),
        )
        row = rows.setdefault(item.party, PartyAging(book.parties[item.party]))
        row.lines.append(line)
        cells = [ZERO] * width
        cells[bucket] = open_amount
        _add(row.totals, item.currency, Aged(tuple(cells)))
    if undated:
        raise _undated_error(book, undated, root)
    for credit in book.credits:
        if credit.date > as_of or (party is not None and credit.party != party):
            continue
        left = credit.open_amount(as_of)
        if left == 0:
            continue
        line = AgingLine(
            credit.party,
            "credit",
            None,
            credit.date,
            None,
            None,
            0,
            -credit.amount,
            -left,
            credit.currency,
            None,
            credit.entry.narration or "",
            _location(credit.entry.meta, root),
        )
        row = rows.setdefault(credit.party, PartyAging(book.parties[credit.party]))
        row.lines.append(line)
        _add(row.totals, credit.currency, Aged((ZERO,) * width, -left))
    ordered = sorted(rows.values(), key=lambda row: (row.party.name, row.party.account))
    totals: dict[str, Aged] = {}
    for row in ordered:
        row.lines.sort(key=lambda line: (line.currency, line.due or line.date, line.date))
        for currency, aged in row.totals.items():
            _add(totals, currency, aged)
    return Aging(book.side, as_of, limits, ordered, dict(sorted(totals.items())))


def party_aging(
    book: Book, account: str, as_of: datetime.date, limits: Sequence[int] = DEFAULT_BUCKETS
) -> dict[str, Aged]:
    """Return one party's aging per currency (empty when nothing is open)."""
    report = age_items(book, as_of, limits, party=account)
    return report.parties[0].totals if report.parties else {}


def overdue_receivables(
    entries: Sequence[Directive], options_map: Options, today: datetime.date
) -> Overdue:
    """Count a ledger's receivables past due on `today`: items, amounts, oldest days.

    An invoice without a due date is aged by its party's terms (or counted due on its date):
    the dashboard never fails on it; `beanfirm check` reports it.
    """
    book = read_book(entries, options_map, "receivables")
    count = 0
    oldest = 0
    amounts: dict[str, Decimal] = {}
    for item in book.items:
        if item.date > today or item.due >= today:
            continue
        left = item.open_amount(today)
        if left <= 0:
            continue
        count += 1
        amounts[item.currency] = amounts.get(item.currency, ZERO) + left
        oldest = max(oldest, item.days_overdue(today))
    return Overdue(count, dict(sorted(amounts.items())), oldest)


def _add(totals: dict[str, Aged], currency: str, aged: Aged) -> None:
    known = totals.get(currency)
    totals[currency] = aged if known is None else known + aged


def _filename(meta: Meta | None, root: Path | None) -> str:
    filename = str((meta or {}).get("filename", "?"))
    if root is None or filename.startswith("<"):
        return filename
    return relative_to(filename, root)


def _location(meta: Meta | None, root: Path | None) -> str:
    return f"{_filename(meta, root)}:{(meta or {}).get('lineno', '?')}"


def _undated_error(book: Book, items: list[Item], root: Path | None) -> LedgerError:
    problems = []
    for item in items[:20]:
        party = book.parties[item.party]
        meta = item.entry.meta or {}
        line = meta.get("lineno")
        problems.append(
            Problem(
                _filename(meta, root),
                line if isinstance(line, int) else None,
                f"{item.number} ({party.name}) has no due date; add `due: YYYY-MM-DD` under "
                f"its date line, or `terms-days:` to the open directive of {party.account} "
                f"({_location(party.meta, root)}).",
            )
        )
    what = "invoice has" if book.side == "receivables" else "bill has"
    plural = "invoices have" if book.side == "receivables" else "bills have"
    msg = (
        f"{len(items)} open {what if len(items) == 1 else plural} no due date and no "
        "payment terms to age by:"
    )
    return LedgerError(msg, tuple(problems))


def _totals_json(totals: dict[str, Aged], labels: Sequence[str]) -> list[dict[str, Any]]:
    rows = []
    for currency, aged in totals.items():
        places = aged.places
        rows.append(
            {
                "currency": currency,
                "buckets": {
                    label: str(with_places(amount, places))
                    for label, amount in zip(labels, aged.buckets, strict=True)
                },
                "credits": str(with_places(aged.credits, places)),
                "total": str(with_places(aged.total, places)),
            }
        )
    return rows


def with_places(amount: Decimal, places: int) -> Decimal:
    """Show a zero (or any amount with fewer decimals) with `places` decimals: `0` as `0.00`."""
    exponent = amount.as_tuple().exponent
    if isinstance(exponent, int) and -exponent < places:
        return amount.quantize(Decimal(1).scaleb(-places))
    return amount


def _line_json(line: AgingLine, labels: Sequence[str]) -> dict[str, Any]:
    return {
        "kind": line.kind,
        "number": line.number,
        "date": line.date.isoformat(),
        "due": line.due.isoformat() if line.due else None,
        "due_from": line.due_from,
        "days_overdue": line.days_overdue,
        "amount": str(line.amount),
        "open": str(line.open),
        "currency": line.currency,
        "bucket": labels[line.bucket] if line.bucket is not None else None,
        "narration": line.narration,
        "location": line.location,
    }
