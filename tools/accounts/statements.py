"""Statements of account (对账单): what a client tells one customer it owes, and why.

Three types, as accountants know them from QuickBooks and Xero:

- **balance forward**: the balance at the end of the day before the period (opening balance),
  every invoice, payment and credit of the period with the running balance after it, and the
  balance at the end of the period (closing balance);
- **open item**: the invoices still open on the statement date, with their original and open
  amounts and days overdue, and payments not yet applied, totalling the balance on that day;
- **activity**: the transactions of the period with their amounts and the period's totals, no
  opening balance carried forward and no running balance; it ends with the balance on the
  statement date, so that it too ties to the ledger (QuickBooks' "transaction statement").

Every type ends with an aging summary of what is open on the statement date
(`beanfirm.accounts.aging`) and is split by currency when a customer is invoiced in more than one.
Amounts are in the customer's sense: positive, the customer owes the client. The figures come from
`beanfirm.accounts.openitems`, so the closing balance is the account's balance on the statement
date.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, get_args

from beanfirm.accounts.aging import DEFAULT_BUCKETS, Aged, AgingLine, age_items
from beanfirm.accounts.openitems import Book, Item, Kind, Movement, Party
from beanfirm.core.beans import Meta
from beanfirm.errors import LedgerError, Problem, UsageError, relative_to

if TYPE_CHECKING:
    from collections.abc import Iterable

ZERO = Decimal(0)
StatementType = Literal["balance-forward", "open-item", "activity"]
STATEMENT_TYPES: tuple[StatementType, ...] = get_args(StatementType)


@dataclass(frozen=True)
class StatementLine:
    """One posting to the customer's account in the period, and the balance after it."""

    date: datetime.date
    kind: Kind
    numbers: tuple[str, ...]
    description: str
    amount: Decimal  # positive: a charge; negative: a payment or credit
    balance: Decimal
    location: str

    @property
    def charge(self) -> Decimal | None:
        """The amount charged, if this line charges the customer."""
        return self.amount if self.amount > 0 else None

    @property
    def credit(self) -> Decimal | None:
        """The amount paid or credited (positive), if this line reduces the balance."""
        return -self.amount if self.amount < 0 else None


@dataclass(frozen=True)
class Section:
    """A statement's figures in one currency."""

    currency: str
    opening: Decimal
    lines: tuple[StatementLine, ...]  # balance-forward and activity
    open_lines: tuple[AgingLine, ...]  # open-item
    closing: Decimal
    aging: Aged

    @property
    def charges(self) -> Decimal:
        """What the period's lines charged."""
        return sum((line.amount for line in self.lines if line.amount > 0), ZERO)

    @property
    def credits(self) -> Decimal:
        """What the period's lines paid or credited (positive)."""
        return -sum((line.amount for line in self.lines if line.amount < 0), ZERO)


@dataclass(frozen=True)
class AccountStatement:
    """One customer's statement of account."""

    type: StatementType
    party: Party
    start: datetime.date | None  # None for open-item statements (as of `end`)
    end: datetime.date
    limits: tuple[int, ...]
    sections: tuple[Section, ...]

    @property
    def closing(self) -> dict[str, Decimal]:
        """The closing balance per currency."""
        return {section.currency: section.closing for section in self.sections}

    @property
    def is_empty(self) -> bool:
        """Nothing to tell: no line, no open item and a zero balance in every currency."""
        return all(
            not s.lines and not s.open_lines and s.closing == 0 and s.opening == 0
            for s in self.sections
        )

    def as_json(self) -> dict[str, Any]:
        """Return the statement as plain JSON data (amounts and dates as strings)."""
        return {
            "type": self.type,
            "customer": self.party.key,
            "account": self.party.account,
            "name": self.party.name,
            "from": self.start.isoformat() if self.start else None,
            "to": self.end.isoformat(),
            "sections": [_section_json(section) for section in self.sections],
        }


def statement_period(
    kind: StatementType,
    start: datetime.date | None,
    end: datetime.date | None,
    today: datetime.date,
) -> tuple[datetime.date | None, datetime.date]:
    """Apply the defaults: --to today, --from the first of --to's month; check the order."""
    end = end or today
    if kind == "open-item":
        if start is not None:
            msg = (
                "An open-item statement lists what is open on one day, --to; it has no --from. "
                "Leave out --from, or use --type balance-forward or --type activity for a "
                "period."
            )
            raise UsageError(msg)
        return None, end
    start = start or end.replace(day=1)
    if end < start:
        msg = (
            f"The statement period ends ({end}) before it starts ({start}). Give a --from on "
            "or before --to."
        )
        raise UsageError(msg)
    return start, end


def build_statement(
    book: Book,
    party: Party,
    kind: StatementType,
    *,
    start: datetime.date | None,
    end: datetime.date,
    limits: tuple[int, ...] = DEFAULT_BUCKETS,
    currency: str | None = None,
    root: Path | None = None,
) -> AccountStatement:
    """Build one customer's statement from a book (see `statement_period` for the dates).

    `currency`: shown when the customer has no transactions and its account names none.
    `root`: show file locations relative to this folder (the practice).
    Raises LedgerError for an invoice on the statement without a `due:` date.
    """
    if kind != "open-item" and (start is None or end < start):
        statement_period(kind, start, end, end)  # raises the user's error
    account = party.account
    book = party_books(book, [account])[account]
    period_start = start or end
    moves = [m for m in book.movements.get(account, ()) if m.date <= end]
    in_period = [m for m in moves if m.date >= period_start] if kind != "open-item" else []
    _require_due_dates(book, party, in_period, end, root)
    aging = age_items(book, end, limits, party=account, root=root)
    open_lines = sorted(
        aging.parties[0].lines if aging.parties else [],
        key=lambda line: (line.date, line.number or ""),
    )
    currencies = _currencies(party, moves, currency)
    opening = book.balance(account, period_start - datetime.timedelta(days=1))
    sections = []
    empty = Aged((ZERO,) * (len(limits) + 2))
    for code in currencies:
        running = opening.get(code, ZERO) if kind != "open-item" else ZERO
        lines = []
        for move in in_period:
            if move.currency == code:
                running += move.amount
                lines.append(_line(move, running, root))
        sections.append(
            Section(
                currency=code,
                opening=opening.get(code, ZERO) if kind != "open-item" else ZERO,
                lines=tuple(lines),
                open_lines=tuple(
                    line for line in open_lines if line.currency == code and kind == "open-item"
                ),
                closing=book.balance(account, end).get(code, ZERO),
                aging=(aging.parties[0].totals.get(code, empty) if aging.parties else empty),
            )
        )
    return AccountStatement(
        kind, party, start if kind != "open-item" else None, end, limits, tuple(sections)
    )


def party_books(book: Book, accounts: Iterable[str] | None = None) -> dict[str, Book]:
    """Split a book into one book per party (of `accounts`, default all), in one pass.

    A batch of statements splits the book once, so that each statement reads only its own
    customer's items instead of every item of the ledger.
    """
    wanted = set(book.parties if accounts is None else accounts)
    books = {
        account: Book(
            book.side,
            {account: book.parties[account]},
            [],
            {account: book.movements.get(account, [])},
            [],
        )
        for account in wanted
    }
    for item in book.items:
        if item.party in books:
            books[item.party].items.append(item)
    for credit in book.credits:
        if credit.party in books:
            books[credit.party].credits.append(credit)
    return books


def location_of(meta: Meta | None, root: Path | None) -> str:
    """Return `file:line` of an entry, the file relative to `root` when given."""
    return Problem(*source_of(meta, root), "").location()


def source_of(meta: Meta | None, root: Path | None) -> tuple[str, int | None]:
    """Return the file (relative to `root` when given) and line of an entry."""
    meta = meta or {}
    filename = str(meta.get("filename", "?"))
    if root is not None and not filename.startswith("<"):
        filename = relative_to(filename, root)
    line = meta.get("lineno")
    return filename, line if isinstance(line, int) else None


def _line(move: Movement, balance: Decimal, root: Path | None) -> StatementLine:
    entry = move.entry
    description = entry.narration or entry.payee or ""
    return StatementLine(
        move.date,
        move.kind,
        move.numbers,
        description,
        move.amount,
        balance,
        location_of(entry.meta, root),
    )


def _currencies(party: Party, moves: list[Movement], fallback: str | None) -> list[str]:
    found = list(party.currencies)
    for move in moves:
        if move.currency not in found:
            found.append(move.currency)
    if not found:
        found.append(fallback or "CNY")
    return found


def _require_due_dates(
    book: Book, party: Party, in_period: list[Movement], end: datetime.date, root: Path | None
) -> None:
    """Refuse a statement that shows an invoice without its own `due:` date."""
    shown = {number for move in in_period if move.kind == "invoice" for number in move.numbers}
    missing: list[Item] = [
        item
        for item in book.party_items(party.account)
        if item.number is not None
        and item.due_from != "due"
        and item.date <= end
        and (item.number in shown or item.open_amount(end) != 0)
    ]
    if not missing:
        return
    problems = [
        Problem(
            *source_of(item.entry.meta, root),
            f"invoice {item.number} has no due date; add `due: YYYY-MM-DD` on the line after "
            "the transaction's first line.",
        )
        for item in missing[:20]
    ]
    count = len(missing)
    msg = (
        f"The statement of {party.name} would show {count} invoice"
        f"{'s' if count != 1 else ''} without a due date, so its days overdue and aging "
        "would be guesses. Add the due dates, check the ledger (`beanfirm check`), and run "
        "the command again:"
    )
    raise LedgerError(msg, tuple(problems))


def _section_json(section: Section) -> dict[str, Any]:
    return {
        "currency": section.currency,
        "opening": str(section.opening),
        "closing": str(section.closing),
        "charges": str(section.charges),
        "credits": str(section.credits),
        "lines": [
            {
                "date": line.date.isoformat(),
                "kind": line.kind,
                "numbers": list(line.numbers),
                "description": line.description,
                "amount": str(line.amount),
                "balance": str(line.balance),
                "location": line.location,
            }
            for line in section.lines
        ],
        "open_items": [
            {
                "kind": line.kind,
                "number": line.number,
                "date": line.date.isoformat(),
                "due": line.due.isoformat() if line.due else None,
                "days_overdue": line.days_overdue,
                "amount": str(line.amount),
                "open": str(line.open),
                "location": line.location,
            }
            for line in section.open_lines
        ],
        "aging": {
            "buckets": [str(amount) for amount in section.aging.buckets],
            "credits": str(section.aging.credits),
            "total": str(section.aging.total),
        },
    }
