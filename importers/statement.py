"""What every beanfirm importer reads an export into: a `BankStatement` of normalized rows.

`BankStatement` is what every beanfirm importer returns from `read()`, the CSV engine
(`beanfirm.importers.csvread`) and the statement formats (OFX, CAMT.053, MT940) alike: the
rows, the rows skipped and why, the balances the export states (closing balances, and for the
statement formats opening balances), and the account or card number the export names, if any.

Shared steps: rows are put in chronological order (newest-first exports are reversed; rows are
then sorted by date and time, stably), and each row gets its import id: the export's own serial
(`serial#2`, `#3` for repeats), else `fp:<hash of the normalized row>#<occurrence>`.
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from itertools import repeat
from operator import attrgetter, ge, is_, le
from typing import Any, NamedTuple

from beanfirm.core.bulk import named_tuples

SEPARATOR = "\x1f"  # between the fields a row's fingerprint hashes


class StatementRow(NamedTuple):
    """One transaction of an export, normalized; `number` > 0 is money into the account.

    `number` is what the row moves the account by, a fee included: a row of an export with a
    fee column (`fee`, as a charge: positive is money the account paid) moves it by its amount
    less the fee, and is booked with the fee as a posting of its own. None: no fee column.
    A named tuple rather than a dataclass: an export has up to hundreds of thousands of rows,
    and a tuple is several times quicker to make.
    """

    line: int
    date: datetime.date
    time: datetime.time | None
    number: Decimal
    currency: str
    payee: str | None
    narration: str
    counterparty: str | None
    balance: Decimal | None
    serial: str | None
    meta: tuple[tuple[str, str], ...]
    import_id: str = ""
    fee: Decimal | None = None  # last, so that rows made by position before fees still are

    def fingerprint(self) -> str:
        """Return a hash of the row's normalized fields (not its line or file).

        A fee is hashed only when there is one, so that a row without a fee keeps the
        fingerprint it had before fee columns were read.
        """
        fields = (
            self.date.isoformat(),
            self.time.isoformat() if self.time else "",
            str(self.number),
            self.currency,
            self.payee or "",
            self.narration,
            self.counterparty or "",
            "" if self.balance is None else str(self.balance),
            *((f"fee:{self.fee}",) if self.fee else ()),
        )
        return hashlib.sha256(SEPARATOR.join(fields).encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class SkippedRow:
    """A row deliberately not imported, and why (shown by a dry run)."""

    line: int
    reason: str


@dataclass(frozen=True)
class ClosingBalance:
    """The balance after the last row of one currency, as the export states it (or carries it).

    Carried: the last balance stated plus the rows after it, where the last row states none.
    """

    date: datetime.date
    number: Decimal
    currency: str
    line: int


@dataclass(frozen=True)
class OpeningBalance:
    """The balance before a statement's first movement, at the start of `date`.

    `date` is the day a balance assertion of it is dated (Beancount checks a balance at the
    start of its day), unlike `ClosingBalance.date`, the last day the closing balance covers.
    """

    date: datetime.date
    number: Decimal
    currency: str
    line: int


@dataclass(frozen=True)
class BankStatement:
    """Everything read from one export.

    `account_number` is the account, card or IBAN the export states (as written, possibly
    masked like `1234****9876`), None when it states none; compare it with clients.yaml through
    `beanfirm.importers.accountnumber.account_number_matches`.
    """

    filename: str
    rows: tuple[StatementRow, ...]
    skipped: tuple[SkippedRow, ...]
    balances: tuple[ClosingBalance, ...]
    account_number: str | None = None
    openings: tuple[OpeningBalance, ...] = ()
    fee_account: str | None = None  # where the rows' fees are booked (None: Uncategorized)


# The fields of a row but its import id: the columns `numbered_rows` orders and numbers.
Columns = Sequence[Sequence[Any]]
LINE, DATE, TIME, NUMBER, CURRENCY, BALANCE, SERIAL, FEE = 0, 1, 2, 3, 4, 8, 9, 11  # positions
IMPORT_ID = StatementRow._fields.index("import_id")  # in a row; its columns go without it


def row_columns(rows: Sequence[StatementRow]) -> list[tuple[Any, ...]]:
    """Return the columns of rows (every field but the import id)."""
    if not rows:
        return [()] * (len(StatementRow._fields) - 1)
    columns = list(zip(*rows, strict=True))
    del columns[IMPORT_ID]
    return columns


def with_import_ids(columns: Columns, ids: Sequence[str]) -> list[StatementRow]:
    """Return the rows of the columns (every field but the import id), with these ids."""
    return named_tuples(StatementRow, *columns[:IMPORT_ID], ids, *columns[IMPORT_ID:])


def file_order(
    dates: Sequence[datetime.date], times: Sequence[datetime.time | None], order: str
) -> bool | None:
    """Tell whether a file lists its rows newest first (None: it cannot be told).

    The config says, or else the file's first and last rows do; None when they are of the
    same moment, or there is only one row.
    """
    if order != "auto":
        return order == "newest-first"
    if len(dates) < 2:  # noqa: PLR2004
        return None
    first = (dates[0], times[0] or datetime.time.min)
    last = (dates[-1], times[-1] or datetime.time.min)
    return None if first == last else first > last


def chronological_positions(
    dates: Sequence[datetime.date], times: Sequence[datetime.time | None], order: str
) -> list[int]:
    """Return the positions of rows, oldest first.

    Newest-first files are reversed, then the rows sorted stably by date and time of day.
    """
    return list(chronological_order(dates, times, order))


def chronological_order(
    dates: Sequence[datetime.date], times: Sequence[datetime.time | None], order: str
) -> range | list[int]:
    """Return the positions of rows, oldest first (see `chronological_positions`).

    A range when the file is in order already, oldest or newest first, as files are.
    """
    count = len(dates)
    newest_first = file_order(dates, times, order) is True
    keys: Sequence[datetime.date | tuple[datetime.date, datetime.time]] = dates
    if not all(map(is_, times, repeat(None))):
        keys = [(date, time or datetime.time.min) for date, time in zip(dates, times, strict=True)]
    positions = range(count - 1, -1, -1) if newest_first else range(count)
    # In order already, read in the file's direction (a stable sort keeps ties as they are).
    if all(map(ge if newest_first else le, keys[:-1], keys[1:])):
        return positions
    return sorted(positions, key=keys.__getitem__)


def chronological(rows: list[StatementRow], order: str) -> list[StatementRow]:
    """Return rows oldest first: reverse newest-first files, then sort stably by date/time."""
    positions = chronological_positions(
        [row.date for row in rows], [row.time for row in rows], order
    )
    return list(map(rows.__getitem__, positions))


def fingerprints(rows: Sequence[StatementRow]) -> list[str]:
    """Return `row.fingerprint()` of each row, worked out column by column (in bulk)."""
    return column_fingerprints(row_columns(rows))


def text_or_empty(values: Sequence[str | None]) -> Iterable[str]:
    """Return the texts, '' for None (as `value or ""`)."""
    if all(map(is_, values, repeat(None))):
        return repeat("")
    return [value or "" for value in values]


def str_or_empty(value: object) -> str:
    """Return a value as text, '' for None."""
    return "" if value is None else str(value)


def column_fingerprints(columns: Columns) -> list[str]:
    """Return the fingerprint (`StatementRow.fingerprint`) of each row of the columns."""
    (_, dates, times, numbers, currencies, payees, narrations, counterparties, balances) = columns[
        :9
    ]
    if not dates:
        return []
    fields = (
        map({day: day.isoformat() for day in set(dates)}.__getitem__, dates),
        repeat("") if not any(times) else [t.isoformat() if t else "" for t in times],
        map(str, numbers),
        currencies,
        text_or_empty(payees),
        narrations,
        text_or_empty(counterparties),
        repeat("") if all(map(is_, balances, repeat(None))) else map(str_or_empty, balances),
    )
    texts: Iterable[str] = map(SEPARATOR.join, zip(*fields, strict=False))  # `repeat` is endless
    fees = columns[FEE] if len(columns) > FEE else ()
    if any(fees):  # a row with a fee hashes it too (`StatementRow.fingerprint`)
        texts = [
            text + f"{SEPARATOR}fee:{fee}" if fee else text
            for text, fee in zip(texts, fees, strict=True)
        ]
    sha256 = hashlib.sha256
    return [sha256(text.encode("utf-8")).hexdigest()[:16] for text in texts]


def import_ids(columns: Columns) -> list[str]:
    """Return the import id of each row of the columns, in their order (see the module)."""
    serials = columns[SERIAL]
    if all(map(is_, serials, repeat(None))):
        keys = list(map("fp:".__add__, column_fingerprints(columns)))
        if len(set(keys)) == len(keys):  # the usual export: every row its own
            return list(map("{}#1".format, keys))
    else:
        unnamed = [position for position, serial in enumerate(serials) if serial is None]
        named = [list(map(column.__getitem__, unnamed)) for column in columns]
        fingerprinted = iter(column_fingerprints(named))
        keys = [serial if serial is not None else "fp:" + next(fingerprinted) for serial in serials]
    seen: dict[str, int] = {}
    ids: list[str] = []
    for serial, key in zip(serials, keys, strict=True):
        count = seen[key] = seen.get(key, 0) + 1
        if serial is not None:
            ids.append(serial if count == 1 else f"{serial}#{count}")
        else:
            ids.append(f"{key}#{count}")
    return ids


def numbered_rows(columns: Columns, order: str) -> list[StatementRow]:
    """Return the rows of the columns in chronological order, each with its import id.

    The same as `number_import_ids(chronological(rows, order))` for the rows the columns hold,
    without making each row twice.
    """
    positions = chronological_order(columns[DATE], columns[TIME], order)
    count = len(columns[DATE])
    if positions == range(count - 1, -1, -1):  # a newest-first export, in order
        columns = [column[::-1] for column in columns]
    elif positions != range(count):
        columns = [list(map(column.__getitem__, positions)) for column in columns]
    return with_import_ids(columns, import_ids(columns))


def number_import_ids(rows: list[StatementRow]) -> list[StatementRow]:
    """Give each row its import id: the serial (then serial#2, …), else fp:<hash>#<n>."""
    columns = row_columns(rows)
    return with_import_ids(columns, import_ids(columns)) if rows else []


def closing_balances(
    rows: Sequence[StatementRow], *, carry: bool = False, skipped: Iterable[int] = ()
) -> tuple[ClosingBalance, ...]:
    """Return, per currency, the balance after its chronologically last row, as of its day.

    The balance that row states; where it states none (a masked or empty cell, a short row)
    and `carry` says the balance column is a running balance, the last balance stated before
    it plus the amounts of the rows after that one. None where no row of the currency states a
    balance, or where a skipped row (its line in `skipped`) lies between that balance and the
    last row in the file: what a skipped row moved is not known.
    """
    last = dict(zip(map(attrgetter("currency"), rows), rows, strict=True))
    skipped_lines = tuple(skipped)
    closings: list[ClosingBalance] = []
    for currency, row in sorted(last.items()):
        number = row.balance
        if number is None and carry:
            number = _carried_balance(rows, currency, skipped_lines)
        if number is not None:
            closings.append(ClosingBalance(row.date, number, currency, row.line))
    return tuple(closings)


def _carried_balance(
    rows: Sequence[StatementRow], currency: str, skipped: Sequence[int]
) -> Decimal | None:
    """Return the currency's last stated balance plus the amounts of the rows after it."""
    carried = Decimal(0)
    lines: list[int] = []
    for row in reversed(rows):
        if row.currency != currency:
            continue
        lines.append(row.line)
        if row.balance is not None:
            low, high = min(lines), max(lines)
            if any(low < line < high for line in skipped):
                return None
            return row.balance + carried
        carried += row.number
    return None
