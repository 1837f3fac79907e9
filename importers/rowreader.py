"""Reading one row of a CSV/XLSX export into a `StatementRow`, per its `CsvConfig`.

`RowReader.read(row)` is the general way, and the reference: every cell is read as the config
says (amount, direction, date, texts, currency, balance, serial, metadata), and a cell that
does not parse raises `StatementError` naming the file, the line and the column; a row the
config skips is read as a `SkippedRow` with the reason. The column positions are looked up
once per file.
The bulk of a large export is read column by column instead (`beanfirm.importers.columns`),
which hands every row it is not sure of back to `read`.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from beanfirm.errors import StatementError
from beanfirm.importers.amounts import (
    PADDING,
    AmountError,
    Money,
    clean,
    currency_code,
    excess_places,
    is_non_finite,
    parse_amount,
    places_problem,
    plain_number_reader,
    text_value,
)
from beanfirm.importers.csvconfig import CsvConfig, DirectionRule
from beanfirm.importers.dates import DateError, DateReader, parse_date
from beanfirm.importers.statement import SkippedRow, StatementRow
from beanfirm.importers.table import Row, Table, has_digit

TIME_FORMATS = ("%H:%M:%S", "%H%M%S", "%H:%M")


class RowReader:
    """Turns the cells of one row into a StatementRow, per the config.

    Plain amounts (`plain_number_reader`) and dates (`DateReader`, which remembers each cell it
    has read) take quick paths; any other cell goes the general way (`parse_amount`,
    `parse_date`), which also words the errors.
    """

    def __init__(
        self, config: CsvConfig, table: Table, filename: str, period_end: datetime.date | None
    ) -> None:
        self.config = config
        self.columns = table.columns
        self.width = table.width
        self.header_line = table.header_line
        self.filename = filename
        self.period_end = period_end
        self.row = Row(0, ())
        self.amount_column = ""  # the column the row's amount was read from
        self.plain = plain_number_reader(config.decimal_mark)
        self.dates = DateReader(config.date_formats, period_end)
        self.amount_at = self.at(config.amount)
        self.date_at = self.at(config.date)
        self.balance_at = self.at(config.balance)

    def at(self, name: str | None) -> int:
        """Return the position of a column, -1 for a column the config does not name."""
        return -1 if name is None else self.columns[name]

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
        return text_value(self.cell(name, required=required))

    def money(self, name: str, *, required: bool = False) -> Money | None:
        """Return an amount cell, None for a placeholder."""
        try:
            return parse_amount(self.cell(name, required=required), self.config.decimal_mark)
        except AmountError as exc:
            raise self.error(name, f"{exc}. Fix the cell or the config's `decimal-mark`.") from exc

    def direction(self) -> int | SkippedRow:
        """Return +1 (money in) or -1 (money out) from the direction rules, or the skip."""
        seen: list[str] = []
        for rule in self.config.direction:
            value = self.cell(rule.column, required=True)
            seen.append(f"{rule.column} is '{value}'")
            verdict = rule_verdict(rule, value)
            if verdict == 0:
                return SkippedRow(self.row.line, "; ".join(seen))
            if verdict is not None:
                return verdict
        raise self.error(
            self.config.direction[0].column,
            f"no direction rule knows this row ({'; '.join(seen)}). Add the value to `in`, "
            "`out` or `skip` of a direction rule.",
        )

    def signed_amount(self) -> Money | SkippedRow:
        """Return the amount of a one-column amount, signed by the direction rules if any."""
        config = self.config
        assert config.amount is not None  # noqa: S101 - the caller checks
        self.amount_column = config.amount
        cells = self.row.cells
        number = None
        if self.amount_at < len(cells):
            number = self.plain(cells[self.amount_at].strip(PADDING))
        if number is not None:
            money = Money(number, None)
        else:
            found = self.money(config.amount, required=True)
            if found is None:
                raise self.error(config.amount, "the amount is empty.")
            money = found
        if config.direction:
            sign = self.direction()
            if isinstance(sign, SkippedRow):
                return sign
            if money.number < 0:
                raise self.error(
                    config.amount,
                    "the amount is negative but the direction column gives "
                    "the sign; check the config.",
                )
            money = Money(sign * money.number, money.currency)
        return money

    def amount(self) -> Money | SkippedRow:
        """Return the signed amount of the row, or the skip the direction rules say."""
        money = self.signed_amount() if self.config.amount is not None else self.pair_amount()
        if isinstance(money, SkippedRow):
            return money
        if self.config.invert_sign:
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
            self.amount_column = self.config.amount_in
            return Money(abs(inflow.number), inflow.currency)
        if outflow is not None and outflow.number != 0:
            self.amount_column = self.config.amount_out
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
        if column is None and money.currency is None and self.config.currency is not None:
            return self.config.currency
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

    def check_places(self, name: str | None, number: Decimal | None, currency: str) -> None:
        """Refuse a figure with more decimal places than its currency has (`12.345` CNY)."""
        if name is None or number is None:
            return
        places = excess_places(number, currency)
        if places is None:
            return
        raise self.error(
            name,
            f"'{self.cell(name)}' is not an amount in {currency}: "
            f"{places_problem(currency, places)}. Check the figure against the bank's "
            "statement and fix the cell, or export the statement again.",
        )

    def fee(self, currency: str | None) -> Decimal | None:
        """Return the fee the row charges (`fee` column; negative: refunded), None for none."""
        name = self.config.fee
        if name is None:
            return None
        money = self.money(name, required=True)
        if money is None or money.number == 0:
            return None
        if money.currency is not None and currency is not None and money.currency != currency:
            raise self.error(
                name, f"the fee is in {money.currency} but the row's amount is in {currency}."
            )
        if currency is not None:
            self.check_places(name, money.number, currency)
        return money.number

    def stamp(self) -> tuple[datetime.date, datetime.time | None]:
        """Return the row's date and time of day."""
        cells = self.row.cells
        name = self.config.date
        try:
            if self.date_at < len(cells):
                stamp = self.dates(cells[self.date_at])
            else:
                stamp = parse_date(self.cell(name, required=True), self.config.date_formats)
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
        """Return the balance column's value; a masked cell (no digits) counts as unknown.

        NaN or Infinity is refused: it has no digit either, but it is no mask.
        """
        name = self.config.balance
        if name is None:
            return None
        cells = self.row.cells
        if self.balance_at < len(cells):
            number = self.plain(cells[self.balance_at].strip(PADDING))
            if number is not None:
                return number
        cell = self.cell(name)
        if is_non_finite(cell):
            raise self.error(
                name,
                f"'{cell}' is not a balance: the export holds a broken figure where the "
                "account's balance belongs, and importing without it would drop the balance "
                "assertion. Export the statement again, or fix the cell.",
            )
        if not has_digit(cell):
            return None
        money = self.money(name)
        return None if money is None else money.number

    def serial(self) -> str | None:
        """Return the export's own transaction number, None for a placeholder or zeros."""
        value = self.text(self.config.serial)
        if value is None or set(value) <= {"0"}:
            return None
        return value

    def read(self, row: Row) -> StatementRow | SkippedRow:
        """Read one row, or say why the config skips it."""
        self.row = row
        config = self.config
        money = self.amount()
        if isinstance(money, SkippedRow):
            fee = self.fee(None)
            if fee is not None:
                assert config.fee is not None  # noqa: S101 - a fee implies its column
                raise self.error(
                    config.fee,
                    f"the row is skipped ({money.reason}) but charges a fee of {fee}, which "
                    "would be lost. A fee on a row that moved no money is unusual: check the "
                    "row; if the fee was charged, give the account's config a `direction` "
                    "rule that imports the row.",
                )
            return money
        nothing = SkippedRow(row.line, "the amount is 0: no money moved")
        if money.number == 0 and self.config.fee is None:
            return nothing
        date, time = self.stamp()
        currency = self.currency(money)
        self.check_places(self.amount_column, money.number, currency)
        fee = self.fee(currency)
        if money.number == 0 and fee is None:
            return nothing
        balance = self.balance()
        self.check_places(config.balance, balance, currency)
        narration = " ".join(t for t in (self.text(n) for n in config.narration) if t)
        meta = tuple(
            (key, value) for key, header in config.meta if (value := self.text(header)) is not None
        )
        return StatementRow(
            line=row.line,
            date=date,
            time=time,
            number=money.number if fee is None else money.number - fee,
            currency=currency,
            payee=self.text(config.payee),
            narration=narration,
            counterparty=self.text(config.counterparty),
            balance=balance,
            serial=self.serial(),
            meta=meta,
            fee=fee,
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
