"""The opening balance an export states, booked when its account has no history (`--opening`).

An account's first import fails when the bank's balances start from something other than zero:
the balance assertions the export brings cannot hold on an empty account. Statement formats
state the opening balance (CAMT `OPBD`/`PRCD`, MT940 `:60F:`), and a CSV with a running balance
implies it (the first row's balance less its amount). With `--opening`, an import into an
account without any entry books that balance against the opening equity account (Beancount's
`name_equity` and `account_previous_balances` options, `Equity:Opening-Balances`) the day
before, so that the export's own opening assertion holds; when the account (or the equity
account) is opened only on the statement's first day, the balance is booked on that day and
the opening assertion of that day, which would then be checked before it, is left out.

Without `--opening`, such an import is refused up front with the flag named; an export that
states no opening balance (OFX) but whose closing balance is not the sum of its rows is refused
with `beanfirm opening` named, since nothing in the file says what the account held before.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from beancount.core import data
from beancount.core.amount import Amount

from beanfirm.core.beans import Directive, Options
from beanfirm.importers.statement import BankStatement
from beanfirm.ingest.outcome import BookingError

ZERO = Decimal(0)
ONE_DAY = datetime.timedelta(days=1)


@dataclass(frozen=True)
class StatedOpening:
    """What an export says its account held at the start of `date`, and where it says so."""

    date: datetime.date
    number: Decimal
    currency: str
    line: int
    source: str  # in words: "its opening balance", "the running balance of its first row"


@dataclass(frozen=True)
class AccountStart:
    """What the ledger says about an account before an import: its history and open dates."""

    account: str
    first_entry: str | None  # file:line of its first entry, None when it has none
    opened: datetime.date | None
    equity: str
    equity_opened: datetime.date | None


@dataclass(frozen=True)
class OpeningBooking:
    """The opening entries an import adds, the assertions they replace, and what to say."""

    entries: tuple[data.Transaction, ...]
    replaced: frozenset[tuple[datetime.date, str]]  # opening assertions left out (date, currency)
    notes: tuple[str, ...]


def stated_openings(statement: BankStatement) -> list[StatedOpening]:
    """Return, per currency, the earliest balance an export states or implies before its rows."""
    found: dict[str, StatedOpening] = {}
    for opening in sorted(statement.openings, key=lambda o: o.date):
        if opening.currency not in found:
            found[opening.currency] = StatedOpening(
                opening.date, opening.number, opening.currency, opening.line, "its opening balance"
            )
    first_rows: dict[str, int] = {}
    for position, row in enumerate(statement.rows):
        first_rows.setdefault(row.currency, position)
    for currency, position in first_rows.items():
        row = statement.rows[position]
        if currency in found or row.balance is None:
            continue
        found[currency] = StatedOpening(
            row.date,
            row.balance - row.number,
            currency,
            row.line,
            "the running balance of its first row, less that row's amount",
        )
    return [found[currency] for currency in sorted(found)]


def account_start(entries: Sequence[Directive], account: str, options: Options) -> AccountStart:
    """Return an account's first entry (if any) and the open dates an opening depends on."""
    equity = f"{options.get('name_equity', 'Equity')}:"
    equity += str(options.get("account_previous_balances", "Opening-Balances"))
    first: str | None = None
    opened: datetime.date | None = None
    equity_opened: datetime.date | None = None
    for entry in entries:
        if isinstance(entry, data.Open):
            if entry.account == account:
                opened = entry.date
            elif entry.account == equity:
                equity_opened = entry.date
        elif first is None and _touches(entry, account):
            meta = entry.meta or {}
            first = f"{meta.get('filename', '?')}:{meta.get('lineno', '?')}"
    return AccountStart(account, first, opened, equity, equity_opened)


def _touches(entry: Directive, account: str) -> bool:
    if isinstance(entry, data.Transaction):
        return any(posting.account == account for posting in entry.postings)
    return isinstance(entry, data.Balance | data.Pad) and entry.account == account


def opening_booking(
    statement: BankStatement, start: AccountStart, *, wanted: bool, export: str
) -> OpeningBooking | None:
    """Return the opening an import books (None: none needed); refuse one that is needed.

    `wanted` is `--opening`; `export` names the file in the entries and messages.
    """
    if start.first_entry is not None:
        return None
    openings = [opening for opening in stated_openings(statement) if opening.number != 0]
    if not openings:
        _refuse_unstated(statement, start, export)
        return None
    if not wanted:
        first = openings[0]
        msg = (
            f"{export}: {start.account} has no entries yet, and the export says it held "
            f"{first.number} {first.currency} at the start of {first.date} ({first.source}, "
            f"line {first.line}): its balance assertions cannot hold on an empty account. "
            f"Import again with --opening to book that balance against {start.equity} on "
            f"{first.date - ONE_DAY}, or open the books with `beanfirm opening` first "
            "(docs/opening.md). Nothing was written."
        )
        raise BookingError(msg)
    entries: list[data.Transaction] = []
    replaced: set[tuple[datetime.date, str]] = set()
    notes: list[str] = []
    for opening in openings:
        date = _booking_date(opening, start, export)
        if date == opening.date:
            replaced.add((opening.date, opening.currency))
        meta = data.new_metadata(export, opening.line)
        meta["opening-balance"] = export
        amount = Amount(opening.number, opening.currency)
        postings = [
            data.Posting(start.account, amount, None, None, None, None),
            data.Posting(start.equity, -amount, None, None, None, None),
        ]
        narration = f"期初余额 Opening balance from {export}"
        entries.append(
            data.Transaction(meta, date, "*", None, narration, frozenset(), frozenset(), postings)
        )
        notes.append(
            f"opening balance {opening.number} {opening.currency} booked on {date} against "
            f"{start.equity} (--opening: {opening.source}, line {opening.line})"
        )
    return OpeningBooking(tuple(entries), frozenset(replaced), tuple(notes))


def _booking_date(opening: StatedOpening, start: AccountStart, export: str) -> datetime.date:
    """Return the day before the opening, or the opening's day if an account opens only then."""
    day_before = opening.date - ONE_DAY
    opened = [day for day in (start.opened, start.equity_opened) if day is not None]
    if len(opened) < 2:  # noqa: PLR2004 - both accounts must be open
        missing = start.account if start.opened is None else start.equity
        msg = (
            f"{export}: the opening balance is booked against {start.equity}, but the chart "
            f"does not open {missing}; open it on or before {day_before}. Nothing was written."
        )
        raise BookingError(msg)
    latest = max(opened)
    if latest <= day_before:
        return day_before
    if latest == opening.date:
        return opening.date
    msg = (
        f"{export}: the export's opening balance holds at the start of {opening.date}, but "
        f"{start.account} or {start.equity} is opened only on {latest}; open both on or before "
        f"{opening.date}. Nothing was written."
    )
    raise BookingError(msg)


def _refuse_unstated(statement: BankStatement, start: AccountStart, export: str) -> None:
    """Refuse an export whose closing balance needs an opening balance it does not state."""
    for closing in statement.balances:
        moved = sum(
            (
                row.number
                for row in statement.rows
                if row.currency == closing.currency and row.date <= closing.date
            ),
            ZERO,
        )
        before = closing.number - moved
        if before != 0:
            msg = (
                f"{export}: {start.account} has no entries yet, and the export's closing "
                f"balance {closing.number} {closing.currency} on {closing.date} is not the sum of "
                f"its rows ({moved}): the account held {before} {closing.currency} before its "
                "first row. The export states no opening balance, so --opening cannot take it "
                "from the file: open the books with `beanfirm opening` (docs/opening.md), or "
                "book the opening balance by hand, then import again. Nothing was written."
            )
            raise BookingError(msg)
