"""Reading a CSV/XLSX/XLS export into a `BankStatement`, per its `CsvConfig`.

The steps: decode the file (or open the spreadsheet), find the table (by its header row, or by
position when the config names `fields`), read each row into a `StatementRow` (signed amount:
positive is money into the account; column by column for speed, `beanfirm.importers.columns`,
and row by row for any row that needs it, `beanfirm.importers.rowreader`), put the rows in
chronological order, number each row's import id, and take the closing balance of each currency
from the last row's balance column. Every cell that does not parse raises `StatementError`
naming the file, the line and the column: a statement is imported whole or not at all. A row
with a date and an amount after a note that ended the table refuses the file, since it would
be lost, and every data row must be read or skipped with a reason
(`beanfirm.importers.recordcount`).
"""

from __future__ import annotations

import datetime
import re
from collections import Counter
from dataclasses import replace

from beanfirm.core.bulk import collector_paused
from beanfirm.errors import StatementError
from beanfirm.importers.amounts import clean
from beanfirm.importers.columns import quick_columns
from beanfirm.importers.csvconfig import CsvConfig
from beanfirm.importers.dates import DateError, date_test, month_end, parse_date
from beanfirm.importers.recordcount import check_records
from beanfirm.importers.rowreader import RowReader
from beanfirm.importers.runningbalance import check_running_balance
from beanfirm.importers.sheets import XLS_MAGIC, XLSX_MAGIC, Sheet, sheets_of
from beanfirm.importers.statement import (
    BALANCE,
    CURRENCY,
    DATE,
    LINE,
    NUMBER,
    TIME,
    BankStatement,
    SkippedRow,
    StatementRow,
    closing_balances,
    file_order,
    numbered_rows,
    row_columns,
    with_import_ids,
)
from beanfirm.importers.table import (
    DELIMITERS,
    Row,
    Table,
    csv_rows,
    find_header,
    has_digit,
    locate_table,
    positional_table,
    row_width,
)
from beanfirm.importers.textfile import decode_statement

DETECT_LINES = 200


def file_rows(data: bytes, config: CsvConfig, filename: str) -> list[Row]:
    """Return the rows of an export, whatever its format (a workbook's table sheet's)."""
    sheets = sheets_of(data, filename)
    if sheets is not None:
        return table_sheets(sheets, config)[0].rows
    return text_rows(data, config, filename)


def table_sheets(sheets: list[Sheet], config: CsvConfig) -> list[Sheet]:
    """Return the sheets of a workbook that hold the config's header; the first if none does.

    Exports put notes on a sheet of their own, before or after the table's; a config that
    reads by position (`fields`) reads the first sheet.
    """
    if config.fields:
        return sheets[:1]
    names = config.column_names()
    return [sheet for sheet in sheets if find_header(sheet.rows, names) is not None] or sheets[:1]


def text_rows(data: bytes, config: CsvConfig, filename: str) -> list[Row]:
    """Return the rows of a text (CSV) export, split by the delimiter that shows its header."""
    text = decode_statement(data, filename, config.encoding)
    delimiters = (config.delimiter,) if config.delimiter else DELIMITERS
    head = "\n".join(first_lines(text, DETECT_LINES))
    chosen = delimiters[0]
    for delimiter in delimiters:
        try:
            if fits_layout(csv_rows(head, delimiter, filename), config):
                chosen = delimiter
                break
        except StatementError:
            continue
    return csv_rows(text, chosen, filename)


def first_lines(text: str, count: int) -> list[str]:
    """Return the first `count` lines of a text (`splitlines`), without splitting all of it."""
    size = 1 << 16
    while size < len(text):
        lines = text[:size].splitlines()
        if len(lines) > count:  # the count-th line ends inside the prefix: it is whole
            return lines[:count]
        size *= 4
    return text.splitlines()[:count]


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


def looks_like_data(reader: RowReader, row: Row) -> bool:
    """Tell whether a row holds a date in the date column and a digit in an amount column."""
    config, cells = reader.config, row.cells
    amounts = [config.amount] if config.amount is not None else []
    amounts += [name for name in (config.amount_in, config.amount_out) if name is not None]
    at = [reader.columns[name] for name in amounts]
    if reader.date_at >= len(cells) or not any(
        has_digit(cells[index]) for index in at if index < len(cells)
    ):
        return False
    try:
        reader.dates(cells[reader.date_at])
    except DateError:
        return False
    return True


def check_all_rows_read(statement: BankStatement, reader: RowReader, table: Table) -> None:
    """Refuse a file with a data row after the table's end, or rows the reader dropped.

    What follows a total (`合计`, `Total`, `以上数据…`) or a closing note is the export's
    summary; a row with a date and an amount there is a transaction that would be lost (a
    second page after a subtotal, rows pasted below the total, a note in the middle).
    """
    if table.after:
        stray = next((row for row in table.after if looks_like_data(reader, row)), None)
        if stray is not None:
            end = table.after[0].line
            footer = next((clean(cell) for cell in table.after[0].cells if clean(cell)), "")
            raise StatementError(
                statement.filename,
                stray.line,
                f"this row holds a date and an amount, but the footer {footer!r} at line {end} "
                "ended the "
                "table, so this row and those after it would not be imported. If the rows "
                f"belong to the statement, remove line {end} (or print the header again "
                "after it, as a page break does); otherwise remove them. Or export the file "
                "again.",
            )
    check_records(statement, len(table.rows), "data rows")


def check_stated_count(table: Table, config: CsvConfig, filename: str) -> None:
    """Refuse an export whose data rows are not the number of records it states.

    The count (`record-count`, e.g. `共12条记录`) is found in the lines around the table,
    the export's own preamble or trailer; an export that should state it and does not is cut
    short.
    """
    if config.record_count is None:
        return
    around = (*table.preamble, *table.after)
    text = "\n".join(" ".join(clean(cell) for cell in row.cells) for row in around)
    found = re.search(config.record_count, text)
    if found is None:
        raise StatementError(
            filename,
            None,
            "the export does not state its number of records (a line such as 共12条记录), "
            "which this kind of export always ends with: the file is cut short or is not "
            "the whole export. Export it again.",
        )
    stated = int(found.group("count"))
    if stated != len(table.rows):
        line = next(
            (row.line for row in around if found.group(0) in " ".join(map(clean, row.cells))),
            None,
        )
        raise StatementError(
            filename,
            line,
            f"the export states {stated} records but its table holds {len(table.rows)} data "
            f"rows, so {abs(stated - len(table.rows))} would be "
            f"{'lost' if stated > len(table.rows) else 'doubled'}. A row was removed, added "
            "or broken by hand, or the file is cut short; export it again. Nothing was imported.",
        )


def read_statement(
    data: bytes, config: CsvConfig, filename: str, period_end: datetime.date | None = None
) -> BankStatement:
    """Read an export whole; raise StatementError at the first thing that does not parse.

    A workbook is read from the sheet that holds the table. When several sheets hold it, each
    is read: sheets with the same transactions (a copy of the table, as WeChat's export keeps
    beside a formatted one) are read once; sheets with different ones refuse the file, since
    which of them the account's statement is cannot be told.
    """
    sheets = sheets_of(data, filename)
    if sheets is None:
        return read_rows(text_rows(data, config, filename), data, config, filename, period_end)
    tables = table_sheets(sheets, config)
    if len(tables) == 1:
        return read_rows(tables[0].rows, data, config, filename, period_end)
    read = [
        (
            sheet,
            read_rows(sheet.rows, data, config, f"{filename} (sheet {sheet.name!r})", period_end),
        )
        for sheet in tables
    ]
    first_sheet, first = read[0]
    for sheet, statement in read[1:]:
        if transactions(statement) != transactions(first):
            raise StatementError(
                filename,
                None,
                f"the sheets {first_sheet.name!r} ({len(first.rows)} rows) and {sheet.name!r} "
                f"({len(statement.rows)} rows) both hold the statement's table, with different "
                "transactions, so which of them is the account's statement cannot be told. "
                "Save each sheet as a file of its own and import each (or delete the sheet "
                "that is not the statement). Nothing was imported.",
            )
    return replace(first, filename=filename)


def transactions(statement: BankStatement) -> Counter[tuple[object, ...]]:
    """Return the transactions of a statement as a multiset: date, time, amount, currency."""
    return Counter((row.date, row.time, row.number, row.currency) for row in statement.rows)


def read_rows(
    found: list[Row],
    data: bytes,
    config: CsvConfig,
    filename: str,
    period_end: datetime.date | None,
) -> BankStatement:
    """Read the rows of one export (or one sheet of it) into a statement."""
    # A large export makes hundreds of thousands of long-lived objects, none in a cycle:
    # the cycle collector would walk them all again and again for nothing.
    with collector_paused():
        is_date = date_test(config.date_formats)
        if config.fields:
            table = positional_table(found, config.fields, config.date, filename, is_date=is_date)
        else:
            table = locate_table(
                found,
                config.column_names(),
                config.date,
                filename,
                config.layout_hint(),
                is_date=is_date,
            )
        check_complete(data, table, filename)
        check_stated_count(table, config, filename)
        reader = RowReader(config, table, filename, statement_end(table, config, period_end))
        columns, slow = quick_columns(reader, table.rows)
        skipped: list[SkippedRow] = []
        resets: set[int] = set()  # rows after a skipped one: the running balance starts again
        if slow:  # read those rows one by one, and put the rest with them in file order
            rows: list[StatementRow] = []
            quick = with_import_ids(columns, [""] * len(table.rows))
            for position, row in enumerate(table.rows):
                if position not in slow:
                    rows.append(quick[position])
                    continue
                read = reader.read(row)
                if isinstance(read, SkippedRow):
                    skipped.append(read)
                    resets.add(len(rows))
                else:
                    rows.append(read)
            columns = list(map(list, row_columns(rows)))
        if config.balance is not None and config.running_balance:
            check_running_balance(
                columns[LINE],
                columns[NUMBER],
                columns[CURRENCY],
                columns[BALANCE],
                filename,
                newest_first=file_order(columns[DATE], columns[TIME], config.order),
                inverted=config.invert_sign,
                resets=frozenset(resets),
            )
        ordered = numbered_rows(columns, config.order)
        number = preamble_number(table, config)
        statement = BankStatement(
            filename,
            tuple(ordered),
            tuple(skipped),
            closing_balances(
                ordered,
                carry=config.balance is not None and config.running_balance,
                skipped=(row.line for row in skipped),
            ),
            account_number=number,
            fee_account=config.fee_account,
        )
        check_all_rows_read(statement, reader, table)
        # Free the table before the collector runs again, rather than have it walk the table.
        del found, table, reader, columns
    return statement
