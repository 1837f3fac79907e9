"""Reading the rows of an export column by column: the CSV engine's quick path.

Read row by row, a 100,000-row export spends most of its time in Python's per-call overhead:
a dozen small calls per row, each cheap. Here each column is read whole instead: its cells
are cleaned with one `map`, a column of plain numbers becomes `Decimal`s with one
`map(Decimal, …)`, dates, currencies and direction markers are worked out once per distinct
cell (a day has many rows; a direction column holds two or three values), and a text column
is checked in bulk, so that only its odd cells (padding inside, placeholders) go through
`text_value` one by one.

A row with a non-empty cell past the header's last column is refused (`check_widths`) before
any row is read, whichever path would read it. A row any of whose cells is not on the quick
path is left to `RowReader.read`: a row shorter than the table, an amount that is not a plain
non-zero number, a date that does not parse, a direction rule that skips the row or does not
know it, a currency the currency column does not name plainly, a balance that is not a plain
number, an amount, fee or balance with more decimal places than its currency has (which the
row reader refuses). That refusal aside, the quick path never raises and never decides
anything the row reader would decide differently; the row reader reads the rows it is handed
exactly as it reads any row, and words the error or the reason to skip.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Hashable, Sequence
from decimal import Decimal, InvalidOperation
from itertools import repeat
from operator import is_, itemgetter, methodcaller
from typing import Any, TypeVar

from beanfirm.importers.amounts import (
    PADDING,
    PLACEHOLDER,
    PLACEHOLDER_CHARS,
    PLAIN_COMMA,
    PLAIN_MAX_LENGTH,
    PLAIN_POINT,
    AmountError,
    currency_code,
    excess_places,
    is_non_finite,
    minor_digits,
    parse_amount,
    plain_number_reader,
    text_value,
)
from beanfirm.importers.dates import DateError
from beanfirm.importers.rowreader import RowReader, parse_time, rule_verdict
from beanfirm.importers.statement import StatementRow
from beanfirm.importers.table import Row, check_widths, has_digit

STRIP = methodcaller("strip", PADDING)
FIRST_CHAR = itemgetter(slice(1))
# A cleaned cell that starts with one of these may be a placeholder ("" is an empty cell).
PLACEHOLDER_STARTS = frozenset(("", *PLACEHOLDER_CHARS))
SIMPLE_COLUMN = re.compile(r"[0-9.\-\n]*")
UNREAD = (None, None)  # the date and time of a row whose date cell does not parse
K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


def once_per_value(read: Callable[[K], V], cells: Sequence[K]) -> list[V]:
    """Return `read(cell)` for each cell, calling `read` once per distinct cell."""
    known = {cell: read(cell) for cell in set(cells)}
    return list(map(known.__getitem__, cells))


def has_none(values: Sequence[object]) -> bool:
    """Tell whether a value is None (by identity: `None in values` compares each with ==)."""
    return any(map(is_, values, repeat(None)))


def simple_numbers(cells: Sequence[str]) -> list[Decimal] | None:
    """Return the numbers of a column of cells like `-1234.56`; None if a cell is not one.

    Such a cell has no padding, no thousands separator and a decimal point. The column is
    checked as one text (its cells joined by line breaks) with a few scans in C, rather than
    cell by cell: only digits, points and minus signs; no empty cell, no cell with a line
    break of its own; a minus only first in a cell; no point first or last in a
    cell. `Decimal` reads what is left exactly as `parse_amount` would, or refuses it (a
    second point, a lone minus), which sends the column the general way.
    """
    joined = "\n".join(cells)
    if (
        not cells
        or SIMPLE_COLUMN.fullmatch(joined) is None
        or joined.count("\n") != len(cells) - 1
        or "\n\n" in joined
        or joined.startswith(("\n", ".", "-."))
        or joined.endswith(("\n", ".", "-"))
        or "\n." in joined
        or ".\n" in joined
        or "-." in joined
        or joined.count("-") != joined.count("\n-") + joined.startswith("-")
        or max(map(len, cells)) > PLAIN_MAX_LENGTH
    ):
        return None
    try:
        return list(map(Decimal, cells))
    except InvalidOperation:
        return None


def plain_numbers(cells: Sequence[str], decimal_mark: str) -> list[Decimal | None]:
    """Return the number of each cleaned cell that is a plain non-zero number, else None."""
    simple = simple_numbers(cells) if decimal_mark == "." else None
    if simple is not None:
        found: list[Decimal | None] = simple  # type: ignore[assignment] # zeros dealt with below
        return found if all(found) else [number or None for number in found]
    pattern = PLAIN_POINT if decimal_mark == "." else PLAIN_COMMA
    if cells and all(map(pattern.fullmatch, cells)) and max(map(len, cells)) <= PLAIN_MAX_LENGTH:
        if decimal_mark == ".":
            texts = map(methodcaller("replace", ",", ""), cells)
        else:
            texts = map(
                methodcaller("replace", ",", "."), map(methodcaller("replace", ".", ""), cells)
            )
        numbers: list[Decimal | None] = list(map(Decimal, texts))
        if all(numbers):
            return numbers
        return [number or None for number in numbers]  # zero goes the general way
    return list(map(plain_number_reader(decimal_mark), cells))


def text_values(cells: Sequence[str]) -> list[str | None]:
    """Return `text_value` of each cell, checking the column in bulk first."""
    if not any(cells):  # an empty column
        return [None] * len(cells)
    cleaned = list(map(STRIP, cells))
    if not any(cleaned):
        return [None] * len(cleaned)
    # Printable cells without a double space need no whitespace collapsed (see `text_value`);
    # joined by line breaks, which no printable cell holds, they form no double space either.
    if all(map(str.isprintable, cleaned)) and "  " not in "\n".join(cleaned):
        if PLACEHOLDER_STARTS.isdisjoint(map(FIRST_CHAR, cleaned)):
            return list(cleaned)
        return [
            None if not cell or (cell[0] in PLACEHOLDER_CHARS and PLACEHOLDER.match(cell)) else cell
            for cell in cleaned
        ]
    return list(map(text_value, cells))


class ColumnReader:
    """Reads the rows of a table column by column, for the rows it can (see the module)."""

    def __init__(self, reader: RowReader, rows: Sequence[Row]) -> None:
        self.reader = reader
        self.config = reader.config
        self.count = len(rows)
        self.slow: set[int] = set()  # positions of the rows left to the row reader
        widest = max((reader.columns[name] for name in self.config.column_names()), default=0)
        table: list[Sequence[str]] = list(map(itemgetter(1), rows))  # the cells of each row
        short = []
        if min(map(len, table)) <= widest:
            short = [index for index, cells in enumerate(table) if len(cells) <= widest]
        if short:
            self.slow.update(short)
            padding = ("",) * (widest + 1)
            table = [cells if len(cells) > widest else (*cells, *padding) for cells in table]
        # Every column at once (rows are at least as wide as the table, padded if not).
        self.table: list[tuple[str, ...]] = list(zip(*table, strict=False))
        # A row with a cell past the header would be read shifted: no row may have one.
        if any(map(any, self.table[reader.width :])) or max(map(len, table)) > len(self.table):
            check_widths(rows, reader.width, reader.header_line, reader.filename)

    def column(self, name: str) -> Sequence[str]:
        """Return the cells of a column, as written."""
        return self.table[self.reader.columns[name]]

    def cleaned(self, name: str) -> list[str]:
        """Return the cells of a column, cleaned (what `RowReader.cell` returns)."""
        return list(map(STRIP, self.column(name)))

    def numbers(self, name: str, cells: Sequence[str] | None = None) -> list[Decimal | None]:
        """Return a number column (plain non-zero numbers; None for any other cell).

        A column of simple numbers is read as written (it needs no cleaning); any other is
        cleaned first.
        """
        cells = self.column(name) if cells is None else cells
        simple = simple_numbers(cells) if self.config.decimal_mark == "." else None
        if simple is not None:
            found: list[Decimal | None] = simple  # type: ignore[assignment] # zeros: below
            return found if all(found) else [number or None for number in found]
        return plain_numbers(list(map(STRIP, cells)), self.config.decimal_mark)

    def texts(self, name: str | None) -> list[str | None]:
        """Return a text column (`RowReader.text`); all None for a column not named."""
        return [None] * self.count if name is None else text_values(self.column(name))

    def leave(self, values: Sequence[object]) -> None:
        """Leave to the row reader each row whose value is None."""
        if has_none(values):
            self.slow.update(index for index, value in enumerate(values) if value is None)

    def columns(self, lines: list[int]) -> list[list[Any]]:
        """Return the columns of the rows (`StatementRow`'s fields but the import id).

        A row in `slow` holds placeholder values, to be read by the row reader instead.
        """
        config = self.config
        numbers = self.amounts()
        dates, times = self.stamps()
        narrations = [self.texts(name) for name in config.narration]
        narration: list[str | None] | list[str]
        if not narrations:
            narration = [""] * self.count
        elif len(narrations) == 1:
            narration = narrations[0]  # a column of texts without a None, as a rule
            if has_none(narration):
                narration = [text or "" for text in narration]
        else:
            narration = [" ".join(filter(None, texts)) for texts in zip(*narrations, strict=True)]
        serials = self.texts(config.serial)
        if config.serial is not None:  # a serial of zeros is none
            serials = [
                serial if serial is None or serial.strip("0") else None for serial in serials
            ]
        fees = self.fees()
        currencies = self.currencies()
        balances = self.balances()
        amount_columns = [config.amount] if config.amount else [config.amount_in, config.amount_out]
        self.leave_excess_places(numbers, currencies, amount_columns)
        self.leave_excess_places(fees, currencies, [config.fee])
        self.leave_excess_places(balances, currencies, [config.balance])
        if any(fees):  # the account moves by the amount less the fee (`RowReader.read`)
            numbers = [
                number - fee if number is not None and fee is not None else number
                for number, fee in zip(numbers, fees, strict=True)
            ]
        return [
            lines,
            dates,
            times,
            numbers,
            currencies,
            self.texts(config.payee),
            narration,
            self.texts(config.counterparty),
            balances,
            serials,
            self.metas(),
            fees,
        ]

    def leave_excess_places(
        self,
        numbers: Sequence[Decimal | None],
        currencies: Sequence[str | None],
        names: Sequence[str | None],
    ) -> None:
        """Leave to the row reader each row with more decimal places than its currency has.

        The row reader refuses the row (`12.345` CNY), naming the column. The cells of the
        columns `names` are first searched as one text for a decimal mark followed by more
        digits than the currency with the fewest places has: only when one is (as a rule, no
        cell is) is each row's number looked at.
        """
        digits = [
            places
            for places in map(minor_digits, {c for c in currencies if c is not None})
            if places is not None
        ]
        if not digits:
            return
        mark = re.escape(self.config.decimal_mark)
        longer = re.compile(f"{mark}[0-9]{{{min(digits) + 1}}}")
        if not any(longer.search("\n".join(self.column(name))) for name in names if name):
            return
        self.slow.update(
            index
            for index, (number, currency) in enumerate(zip(numbers, currencies, strict=True))
            if number is not None
            and currency is not None
            and excess_places(number, currency) is not None
        )

    def amounts(self) -> list[Decimal | None]:
        """Return each row's signed amount (as `RowReader.amount`), None where not plain."""
        config = self.config
        if config.amount is not None:
            numbers = self.numbers(config.amount)
            if config.direction:
                signs = self.signs()
                numbers = [
                    sign * number
                    if sign is not None and number is not None and number > 0
                    else None
                    for number, sign in zip(numbers, signs, strict=True)
                ]
        else:
            numbers = self.pair_amounts()
        if config.invert_sign:
            numbers = [None if number is None else -number for number in numbers]
        self.leave(numbers)
        return numbers

    def signs(self) -> list[int | None]:
        """Return each row's direction (+1 in, -1 out); None where a rule skips it or none knows."""
        rules = self.config.direction

        def sign(values: tuple[str, ...]) -> int | None:
            for rule, value in zip(rules, values, strict=True):
                verdict = rule_verdict(rule, value)
                if verdict is not None:
                    return verdict or None  # 0: skipped, with the reason the row reader gives
            return None

        keys = list(zip(*(self.cleaned(rule.column) for rule in rules), strict=True))
        return once_per_value(sign, keys)

    def pair_amounts(self) -> list[Decimal | None]:
        """Return each row's amount from the in/out columns: one side plain, the other empty."""
        config = self.config
        assert config.amount_in is not None  # noqa: S101 - checked by CsvConfig.problems
        assert config.amount_out is not None  # noqa: S101
        inflows = self.cleaned(config.amount_in)
        outflows = self.cleaned(config.amount_out)

        def empty(cell: str) -> bool:
            try:
                money = parse_amount(cell, config.decimal_mark)
            except AmountError:
                return False
            return money is None or money.number == 0

        known: dict[str, bool] = {}
        numbers: list[Decimal | None] = []
        for inflow, outflow, cell_in, cell_out in zip(
            plain_numbers(inflows, config.decimal_mark),
            plain_numbers(outflows, config.decimal_mark),
            inflows,
            outflows,
            strict=True,
        ):
            if inflow is not None:
                other = known.get(cell_out)
                if other is None:
                    other = known[cell_out] = empty(cell_out)
                numbers.append(abs(inflow) if other else None)
            elif outflow is not None:
                other = known.get(cell_in)
                if other is None:
                    other = known[cell_in] = empty(cell_in)
                numbers.append(-abs(outflow) if other else None)
            else:
                numbers.append(None)
        return numbers

    def fees(self) -> list[Decimal | None]:
        """Return each row's fee (as `RowReader.fee`), None for none.

        A cell that is neither a plain number nor empty nor zero (`¥1.00`, `CNY 1.00`) leaves
        its row to the row reader.
        """
        name = self.config.fee
        if name is None:
            return [None] * self.count
        plain, decimal_mark = self.reader.plain, self.config.decimal_mark

        def fee(cell: str) -> tuple[bool, Decimal | None]:
            number = plain(cell)
            if number is not None:
                return True, number
            try:
                money = parse_amount(cell, decimal_mark)
            except AmountError:
                return False, None
            if money is None:
                return True, None
            return money.number == 0, None

        found = once_per_value(fee, self.cleaned(name))
        if not all(known for known, _ in found):
            self.slow.update(index for index, (known, _) in enumerate(found) if not known)
        return [number for _, number in found]

    def stamps(self) -> tuple[list[datetime.date | None], list[datetime.time | None]]:
        """Return each row's date and time of day (as `RowReader.stamp`)."""
        dates = self.reader.dates

        def stamp(cell: str) -> tuple[datetime.date | None, datetime.time | None]:
            try:
                return dates(cell)
            except DateError:
                return UNREAD

        stamps = once_per_value(stamp, self.column(self.config.date))
        if any(map(is_, stamps, repeat(UNREAD))):
            self.slow.update(index for index, found in enumerate(stamps) if found is UNREAD)
        days = list(map(itemgetter(0), stamps))
        times = list(map(itemgetter(1), stamps))
        if self.config.time:

            def time_of_day(value: str) -> tuple[datetime.time | None]:
                return (parse_time(value),) if value else (None,)

            found = once_per_value(time_of_day, self.cleaned(self.config.time))
            times = [time for (time,) in found]
            self.slow.update(
                index
                for index, (time, cell) in enumerate(
                    zip(times, self.cleaned(self.config.time), strict=True)
                )
                if time is None and cell
            )
        return days, times

    def currencies(self) -> list[str | None]:
        """Return each row's currency (as `RowReader.currency` for a plain amount)."""
        config = self.config
        if config.currency_column is None:
            if config.currency is None:
                self.slow.update(range(self.count))
            return [config.currency] * self.count

        def currency(cell: str) -> str | None:
            named = text_value(cell)
            code = currency_code(named) if named else None
            if named and code is None:
                return None
            return code or config.currency

        found = once_per_value(currency, self.column(config.currency_column))
        self.leave(found)
        return found

    def balances(self) -> list[Decimal | None]:
        """Return each row's balance (as `RowReader.balance`); a masked cell is None."""
        config = self.config
        if config.balance is None:
            return [None] * self.count
        cells = self.column(config.balance)
        numbers = self.numbers(config.balance, cells)
        # Padding takes no digit away: the cells as written will do. The row reader reads
        # (and refuses) a NaN too.
        if has_none(numbers):
            self.slow.update(
                index
                for index, (number, cell) in enumerate(zip(numbers, cells, strict=True))
                if number is None and (has_digit(cell) or is_non_finite(cell))
            )
        return numbers

    def metas(self) -> list[tuple[tuple[str, str], ...]]:
        """Return each row's metadata pairs, in the config's order, leaving out empty cells.

        Rows with the same metadata share one tuple (most exports have a few values only).
        """
        columns = [(key, self.texts(header)) for key, header in self.config.meta]
        columns = [(key, values) for key, values in columns if any(values)]
        if not columns:
            return [()] * self.count
        keys = tuple(key for key, _ in columns)

        def pairs(values: tuple[str | None, ...]) -> tuple[tuple[str, str], ...]:
            return tuple(
                (key, value) for key, value in zip(keys, values, strict=True) if value is not None
            )

        return once_per_value(pairs, list(zip(*(values for _, values in columns), strict=True)))


def quick_columns(reader: RowReader, rows: Sequence[Row]) -> tuple[list[list[Any]], set[int]]:
    """Return the columns of the rows, and the positions of the rows left to `reader.read`.

    The values of the rows left to the row reader are placeholders.
    """
    if not rows:
        return [[] for _ in range(len(StatementRow._fields) - 1)], set()
    found = ColumnReader(reader, rows)
    return found.columns([row.line for row in rows]), found.slow
