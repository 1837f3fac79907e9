"""Reading an export into a `Statement`: normalized rows, skipped rows, closing balances.

`Statement` is what every beanfirm importer returns from `read()`, the CSV engine here and the
statement formats (OFX, CAMT.053, MT940) alike: the rows, the rows skipped and why, the
balances the export states (closing balances, and for the statement formats opening balances),
and the account or card number the export names, if any.

The steps for a CSV/XLSX export: decode the file (or open the spreadsheet), find the table (by
its header row, or by position when the config names `fields`), read each row into a
`StatementRow` (signed amount: positive is money into the account), put the rows in
chronological order (newest-first exports are reversed; rows are then sorted by date and time,
stably), number each row's import id, and take the closing balance of each currency from the
last row's balance column. Every cell that does not parse raises `StatementError` naming the
file, the line and the column: a statement is imported whole or not at all.
"""

from __future__ import annotations

import datetime
import hashlib
import re
from collections import Counter
from dataclasses import dataclass, replace
from decimal import Decimal

from beanfirm.errors import StatementError
from beanfirm.importers.amounts import (
    AmountError,
    Money,
    clean,
    currency_code,
    is_placeholder,
    parse_amount,
)
from beanfirm.importers.csvconfig import CsvConfig, DirectionRule
from beanfirm.importers.dates import DateError, month_end, parse_date
from beanfirm.importers.sheets import XLS_MAGIC, XLSX_MAGIC, xls_rows, xlsx_rows
from beanfirm.importers.table import (
    DELIMITERS,
    Row,
    Table,
    csv_rows,
    find_header,
    locate_table,
    positional_table,
    row_width,
)
from beanfirm.importers.textfile import decode_statement

TIME_FORMATS = ("%H:%M:%S", "%H%M%S", "%H:%M")
DETECT_LINES = 200


@dataclass(frozen=True)
class StatementRow:
    """One transaction of an export, normalized; `number` > 0 is money into the account."""

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

    def fingerprint(self) -> str:
        """Return a hash of the row's normalized fields (not its line or file)."""
        fields = (
            self.date.isoformat(),
            self.time.isoformat() if self.time else "",
            str(self.number),
            self.currency,
            self.payee or "",
            self.narration,
            self.counterparty or "",
            "" if self.balance is None else str(self.balance),
        )
        return hashlib.sha256("\x1f".join(fields).encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class SkippedRow:
    """A row deliberately not imported, and why (shown by a dry run)."""

    line: int
    reason: str


@dataclass(frozen=True)
class ClosingBalance:
    """The balance after the last row of one currency, as the export states it."""

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
class Statement:
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


class Skip(Exception):  # noqa: N818 - a signal, not an error
    """Raised while reading a row that the config says to skip."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def file_rows(data: bytes, config: CsvConfig, filename: str) -> list[Row]:
    """Return the rows of an export, whatever its format."""
    if data.startswith(XLSX_MAGIC):
        return xlsx_rows(data, filename)
    if data.startswith(XLS_MAGIC):
        return xls_rows(data, filename)
    text = decode_statement(data, filename, config.encoding)
    delimiters = (config.delimiter,) if config.delimiter else DELIMITERS
    head = "\n".join(text.splitlines()[:DETECT_LINES])
    chosen = delimiters[0]
    for delimiter in delimiters:
        try:
            if fits_layout(csv_rows(head, delimiter, filename), config):
                chosen = delimiter
                break
        except StatementError:
            continue
    return csv_rows(text, chosen, filename)


def fits_layout(rows: list[Row], config: CsvConfig) -> bool:
    """Tell whether rows split by one delimiter show the config's header (or width)."""
    if config.fields:
        return any(row_width(row) == len(config.fields) for row in rows if not row.is_blank())
    return find_header(rows, config.column_names()) is not None


def preamble_number(table: Table, config: CsvConfig) -> str | None:
    """Return the account or card number the preamble states, per `account-number`."""
    if config.account_number is None:
        return None
    text = "\n".join(" ".join(clean(cell) for cell in row.cells) for row in table.preamble)
    found = re.search(config.account_number, text)
    if found is None:
        return None
    return found.group("number").strip() or None


def statement_end(
    table: Table, config: CsvConfig, period_end: datetime.date | None
) -> datetime.date | None:
    """Return the statement period's last day: given, or found in the preamble."""
    if period_end is not None or config.period is None:
        return period_end
    text = "\n".join(" ".join(row.cells) for row in table.preamble)
    found = re.search(config.period, text)
    if found is None:
        return None
    groups = found.groupdict()
    try:
        if groups.get("end"):
            return parse_date(groups["end"], config.date_formats).date
        return month_end(int(groups["year"]), int(groups["month"]))
    except (DateError, ValueError, TypeError):
        return None


class RowReader:
    """Turns the cells of one row into a StatementRow, per the config."""

    def __init__(
        self, config: CsvConfig, table: Table, filename: str, period_end: datetime.date | None
    ) -> None:
        self.config = config
        self.columns = table.columns
        self.filename = filename
        self.period_end = period_end
        self.row = Row(0, ())

    def cell(self, name: str | None, *, required: bool = False) -> str:
        """Return the cleaned cell of a column ('' when unnamed).

        Exports drop empty trailing cells of a row (ABC does), so a short row reads as empty
        text columns; but a row that ends before a required column (date, amount, direction,
        currency) is broken and reported.
        """
        if name is None:
            return ""
        index = self.columns[name]
        if index >= len(self.row.cells):
            if not required:
                return ""
            raise self.error(
                name,
                f"the row has {len(self.row.cells)} cells and ends before this column. "
                "The file may be truncated or the row broken; export it again.",
            )
        return clean(self.row.cells[index])

    def error(self, column: str, message: str) -> StatementError:
        """Build the error for one cell."""
        return StatementError(self.filename, self.row.line, f"column '{column}': {message}")

    def text(self, name: str | None, *, required: bool = False) -> str | None:
        """Return a text cell with whitespace collapsed; None for a placeholder."""
        value = re.sub(r"\s+", " ", self.cell(name, required=required))
        return None if is_placeholder(value) else value

    def money(self, name: str, *, required: bool = False) -> Money | None:
        """Return an amount cell, None for a placeholder."""
        try:
            return parse_amount(self.cell(name, required=required), self.config.decimal_mark)
        except AmountError as exc:
            raise self.error(name, f"{exc}. Fix the cell or the config's `decimal-mark`.") from exc

    def direction(self) -> int:
        """Return +1 (money in) or -1 (money out) from the direction rules, or raise Skip."""
        seen: list[str] = []
        for rule in self.config.direction:
            value = self.cell(rule.column, required=True)
            seen.append(f"{rule.column} is '{value}'")
            verdict = rule_verdict(rule, value)
            if verdict == 0:
                raise Skip("; ".join(seen))
            if verdict is not None:
                return verdict
        raise self.error(
            self.config.direction[0].column,
            f"no direction rule knows this row ({'; '.join(seen)}). Add the value to `in`, "
            "`out` or `skip` of a direction rule.",
        )

    def amount(self) -> Money:
        """Return the signed amount of the row."""
        config = self.config
        if config.amount is not None:
            money = self.money(config.amount, required=True)
            if money is None:
                raise self.error(config.amount, "the amount is empty.")
            if config.direction:
                sign = self.direction()
                if money.number < 0:
                    raise self.error(
                        config.amount, "the amount is negative but the direction column gives "
                        "the sign; check the config."
                    )
                money = Money(sign * money.number, money.currency)
        else:
            money = self.pair_amount()
        if config.invert_sign:
            money = Money(-money.number, money.currency)
        return money

    def pair_amount(self) -> Money:
        """Return the amount from an in/out column pair (each read as a magnitude)."""
        assert self.config.amount_in is not None  # noqa: S101 - checked by CsvConfig.problems
        assert self.config.amount_out is not None  # noqa: S101
        inflow = self.money(self.config.amount_in, required=True)
        outflow = self.money(self.config.amount_out, required=True)
        given = [m for m in (inflow, outflow) if m is not None and m.number != 0]
        if len(given) > 1:
            raise self.error(
                self.config.amount_in,
                f"both '{self.config.amount_in}' and '{self.config.amount_out}' hold an amount; "
                "one row must be either money in or money out.",
            )
        if inflow is not None and inflow.number != 0:
            return Money(abs(inflow.number), inflow.currency)
        if outflow is not None and outflow.number != 0:
            return Money(-abs(outflow.number), outflow.currency)
        zero = inflow or outflow
        if zero is None:
            raise self.error(
                self.config.amount_in,
                f"neither '{self.config.amount_in}' nor '{self.config.amount_out}' holds an "
                "amount.",
            )
        return Money(Decimal(0), zero.currency)

    def currency(self, money: Money) -> str:
        """Return the row's currency: the amount's code, the currency column, or the config."""
        column = self.config.currency_column
        named = self.text(column, required=True) if column else None
        code = currency_code(named) if named else None
        if named and code is None:
            assert column is not None  # noqa: S101 - named implies a column
            raise self.error(
                column, f"'{named}' is not a currency this importer knows; use an ISO code."
            )
        if money.currency and code and money.currency != code:
            raise self.error(
                column or "currency",
                f"the amount says {money.currency} but the currency column says {code}.",
            )
        currency = money.currency or code or self.config.currency
        if currency is None:
            raise self.error(column or "currency", "the row has no currency.")
        return currency

    def stamp(self) -> tuple[datetime.date, datetime.time | None]:
        """Return the row's date and time of day."""
        name = self.config.date
        try:
            cell = self.cell(name, required=True)
            stamp = parse_date(cell, self.config.date_formats, self.period_end)
        except DateError as exc:
            hint = "Fix the cell or add its format to `date-formats`."
            raise self.error(name, f"{exc}. {hint}") from exc
        time = stamp.time
        if self.config.time:
            value = self.cell(self.config.time)
            time = parse_time(value) if value else None
            if value and time is None:
                raise self.error(self.config.time, f"'{value}' is not a time of day.")
        return stamp.date, time

    def balance(self) -> Decimal | None:
        """Return the balance column's value; a masked cell (no digits) counts as unknown."""
        name = self.config.balance
        if name is None or not any(ch.isdigit() for ch in self.cell(name)):
            return None
        money = self.money(name)
        return None if money is None else money.number

    def serial(self) -> str | None:
        """Return the export's own transaction number, None for a placeholder or zeros."""
        value = self.text(self.config.serial)
        if value is None or set(value) <= {"0"}:
            return None
        return value

    def read(self, row: Row) -> StatementRow:
        """Read one row (raise Skip for a row the config skips)."""
        self.row = row
        config = self.config
        money = self.amount()
        if money.number == 0:
            raise Skip("the amount is 0: no money moved")
        date, time = self.stamp()
        narration = " ".join(t for t in (self.text(n) for n in config.narration) if t)
        meta = tuple(
            (key, value) for key, header in config.meta if (value := self.text(header)) is not None
        )
        return StatementRow(
            line=row.line,
            date=date,
            time=time,
            number=money.number,
            currency=self.currency(money),
            payee=self.text(config.payee),
            narration=narration,
            counterparty=self.text(config.counterparty),
            balance=self.balance(),
            serial=self.serial(),
            meta=meta,
        )


def marker_matches(marker: str, value: str) -> bool:
    """Match a direction marker: whole value, its first word, or a `prefix*` pattern."""
    words = value.split()
    if marker.endswith("*"):
        return value.startswith(marker[:-1])
    return marker in (value, words[0] if words else "")


def rule_verdict(rule: DirectionRule, value: str) -> int | None:
    """Apply one direction rule: 1 in, -1 out, 0 skip, None when the rule does not know."""
    for verdict, markers in ((1, rule.inflow), (-1, rule.outflow), (0, rule.skip)):
        if any(marker_matches(marker, value) for marker in markers):
            return verdict
    return None


def parse_time(text: str) -> datetime.time | None:
    """Return a time of day, or None if the text is not one."""
    for fmt in TIME_FORMATS:
        try:
            return datetime.datetime.strptime(text, fmt).time()  # noqa: DTZ007
        except ValueError:
            continue
    return None


def chronological(rows: list[StatementRow], order: str) -> list[StatementRow]:
    """Return rows oldest first: reverse newest-first files, then sort stably by date/time."""
    newest_first = order == "newest-first"
    if order == "auto" and len(rows) > 1:
        first, last = rows[0], rows[-1]
        newest_first = (first.date, first.time or datetime.time.min) > (
            last.date,
            last.time or datetime.time.min,
        )
    ordered = list(reversed(rows)) if newest_first else list(rows)
    return sorted(ordered, key=lambda row: (row.date, row.time or datetime.time.min))


def number_import_ids(rows: list[StatementRow]) -> list[StatementRow]:
    """Give each row its import id: the serial (then serial#2, …), else fp:<hash>#<n>."""
    seen: Counter[str] = Counter()
    numbered: list[StatementRow] = []
    for row in rows:
        if row.serial is not None:
            seen[row.serial] += 1
            count = seen[row.serial]
            import_id = row.serial if count == 1 else f"{row.serial}#{count}"
        else:
            key = "fp:" + row.fingerprint()
            seen[key] += 1
            import_id = f"{key}#{seen[key]}"
        numbered.append(replace(row, import_id=import_id))
    return numbered


def closing_balances(rows: list[StatementRow]) -> tuple[ClosingBalance, ...]:
    """Return, per currency, the balance stated on its chronologically last row."""
    last: dict[str, StatementRow] = {}
    for row in rows:
        last[row.currency] = row
    return tuple(
        ClosingBalance(row.date, row.balance, currency, row.line)
        for currency, row in sorted(last.items())
        if row.balance is not None
    )


def check_complete(data: bytes, table: Table, filename: str) -> None:
    """Refuse a text file that ends inside its last row (short, and no final newline)."""
    if data.startswith((XLSX_MAGIC, XLS_MAGIC)) or not table.rows:
        return
    last = table.rows[-1]
    if len(last.cells) < table.width and not data.rstrip(b" \t").endswith(b"\n"):
        raise StatementError(
            filename,
            last.line,
            f"the file ends inside this row ({len(last.cells)} of {table.width} "
            "columns): it is truncated. Export or download it again.",
        )


def read_statement(
    data: bytes, config: CsvConfig, filename: str, period_end: datetime.date | None = None
) -> Statement:
    """Read an export whole; raise StatementError at the first thing that does not parse."""
    found = file_rows(data, config, filename)
    if config.fields:
        table = positional_table(found, config.fields, config.date, filename)
    else:
        table = locate_table(found, config.column_names(), config.date, filename)
    check_complete(data, table, filename)
    reader = RowReader(config, table, filename, statement_end(table, config, period_end))
    rows: list[StatementRow] = []
    skipped: list[SkippedRow] = []
    for row in table.rows:
        try:
            rows.append(reader.read(row))
        except Skip as skip:
            skipped.append(SkippedRow(row.line, skip.reason))
    ordered = number_import_ids(chronological(rows, config.order))
    return Statement(
        filename,
        tuple(ordered),
        tuple(skipped),
        closing_balances(ordered),
        account_number=preamble_number(table, config),
    )
