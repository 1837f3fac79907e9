"""Finding the table in an export: its header row by column names, and where it ends.

Exports wrap their rows in a preamble (account number, period, totals, notices) and a footer
(`人民币合计`, `合计金额`, `以上数据仅供参考…`, `共4笔`, the time it was printed).
Counting those lines breaks whenever the bank changes a notice, so the header is the first row
that holds every configured column name, and the table ends at the first footer row: one whose
date cell is no date and that either names a total, a count or the time it was printed (合计,
总计, Total, 交易笔数, 共4笔, 打印时间, …) or holds a single note (`is_footer`). Blank rows are
passed over. A row too short for the configured columns is not a footer but a broken or
truncated file, and is reported as such: a date cell of figures and punctuation only
(`2025-01-0`) or a lone cell that starts with a figure (`2025年1月`) is a row cut short, not a
note. A multi-page export closes each page with a subtotal and prints the header
again: the table goes on after a header printed again, whatever comes between is the page
break, unless it is dated. a row with a non-empty cell past the header's last column is refused too
(`check_widths`): read by position, every column after a split cell would be shifted.

An export without a header row (TD Canada) is read by position (`positional_table`): leading
rows whose date cell holds no digit are its preamble, the same footer rule ends it, and a row
wider than the configured `fields` is refused, since it is not the export the config describes.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from beanfirm.core.bulk import named_tuples
from beanfirm.errors import DamagedFileError, StatementError
from beanfirm.importers.amounts import PADDING, clean
from beanfirm.importers.dates import DEFAULT_FORMATS, date_test

HEADER_SEARCH_ROWS = 200
FOOTER_MARKERS: tuple[str, ...] = (
    *("合计", "总计", "小计", "以上数据", "total", "summary"),  # totals
    *("笔数", "记录数", "条记录", "打印时间", "打印日期"),  # the number of rows, when printed
)
COUNT = re.compile(r"共\s*\d+\s*[笔条项]")  # 共4笔, 共12条
LETTER = re.compile(r"[^\W\d_]")
DELIMITERS: tuple[str, ...] = (",", ";", "\t", "|")


class Row(NamedTuple):
    """One row of an export: its line (CSV) or row number (spreadsheet) and its cells."""

    line: int
    cells: Sequence[str]  # as the CSV reader or the spreadsheet gives them

    def is_blank(self) -> bool:
        """Tell whether every cell is empty (nothing but padding)."""
        return not "".join(self.cells).strip(PADDING)


@dataclass(frozen=True)
class Table:
    """The header of an export and its data rows."""

    header_line: int
    columns: dict[str, int]
    width: int
    rows: tuple[Row, ...]
    preamble: tuple[Row, ...]
    after: tuple[Row, ...] = ()  # from the footer that ends the table to the end of the file


def quoting(text: str, delimiter: str, filename: str) -> dict[str, Any]:
    r"""Return the `csv.reader` options for how the text escapes a quote inside a quoted cell.

    CSV doubles it (`"say ""hi"" now"`); some exporters write `"say \"hi\" now"` instead,
    which read the usual way comes out garbled (`say \hi\" now"`) without an error. A text
    with a backslash before a quote is therefore read strictly both ways: the usual way if it
    reads so (the backslash ends a cell), else with backslash escapes if it reads so, else it
    is refused.
    """
    if "\\" not in text or '\\"' not in text:  # a backslash is rare: look for it first
        return {}
    try:
        for _ in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True):
            pass
    except csv.Error:
        pass
    else:
        return {}
    escaped: dict[str, Any] = {"escapechar": "\\", "doublequote": False}
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True, **escaped)
    start = 1
    problem = ""
    try:
        for _ in reader:
            start = reader.line_num + 1
    except csv.Error as exc:
        problem = str(exc)
    else:  # the reader lets text follow a closing quote when quotes are escaped: look for it
        d = re.escape(delimiter)
        stray = re.search(rf'(?<![\\\n{d}])"(?![{d}\r\n]|\Z)', "\n" + text)
        if stray is None:
            return escaped
        start = text.count("\n", 0, stray.start()) + 1
        problem = "a quote in the middle of a cell"
    raise DamagedFileError(
        filename,
        start,
        f"this row does not read as CSV ({problem}), whether a quote inside a cell is "
        'doubled ("") or escaped with a backslash (\\"), as the file does elsewhere: it '
        "would be read garbled. Export the file again, or save it from a spreadsheet "
        'program, which doubles quotes ("").',
    )


def csv_rows(text: str, delimiter: str, filename: str) -> list[Row]:
    r"""Split CSV text into rows, each with the line it starts on.

    The reader is lenient about text after a closing quote (WeChat writes `"3985734"\t,`),
    so an odd number of quote characters is checked separately: it means a quote left open,
    which swallows every line after it (a truncated or hand-edited file). Quotes escaped with
    a backslash are read as such (`quoting`).
    """
    options = quoting(text, delimiter, filename)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False, **options)
    try:
        found = list(reader)
    except csv.Error:
        found = []
    if reader.line_num == len(found):  # each row on one line, as usual: row n is line n
        rows = named_tuples(Row, range(1, len(found) + 1), found)
    else:  # a quoted cell spans lines, or a row is not CSV: read again, minding where rows start
        reader = csv.reader(
            io.StringIO(text, newline=""), delimiter=delimiter, strict=False, **options
        )
        rows = []
        start = 1
        try:
            for cells in reader:
                rows.append(Row(start, tuple(cells)))
                start = reader.line_num + 1
        except csv.Error as exc:
            raise DamagedFileError(
                filename,
                start,
                f"the row starting here is not valid CSV ({exc}); export it again.",
            ) from exc
    if not options and text.count('"') % 2:  # a backslash-escaped text read strictly
        open_row = next(
            (row for row in reversed(rows) if any("\n" in cell for cell in row.cells)),
            rows[-1] if rows else Row(1, ()),
        )
        raise DamagedFileError(
            filename,
            open_row.line,
            "a quote opened in the row starting here is never closed, so the rest of the file "
            "would be read as one cell. The file is truncated or was edited by hand; export "
            "it again.",
        )
    return rows


def row_width(row: Row) -> int:
    """Return the number of cells up to the last non-empty one (trailing commas aside)."""
    return max((i + 1 for i, cell in enumerate(row.cells) if clean(cell)), default=0)


def header_columns(row: Row) -> dict[str, int]:
    """Map each cleaned header name to its first column index."""
    columns: dict[str, int] = {}
    for index, cell in enumerate(row.cells):
        columns.setdefault(clean(cell).lstrip("\ufeff"), index)
    return columns


def find_header(rows: Sequence[Row], names: Sequence[str]) -> int | None:
    """Return the index of the first row that holds every name, or None."""
    wanted = set(names)
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        if wanted <= header_columns(row).keys():
            return index
    return None


def nearest_header(rows: Sequence[Row], names: Sequence[str]) -> tuple[Row, list[str]] | None:
    """Return the row that holds most of the names and the names it lacks."""
    best: tuple[int, Row] | None = None
    for row in rows[:HEADER_SEARCH_ROWS]:
        found = len(set(names) & header_columns(row).keys())
        if found and (best is None or found > best[0]):
            best = (found, row)
    if best is None:
        return None
    present = header_columns(best[1])
    return best[1], [name for name in names if name not in present]


def has_digit(text: str) -> bool:
    """Tell whether a text holds a digit (a date cell does; a footer's does not)."""
    return text[:1].isdigit() or any(map(str.isdigit, text))


def has_letter(text: str) -> bool:
    """Tell whether a text holds a letter (any script's: `打`, `T`), not only figures."""
    return LETTER.search(text) is not None


def is_footer(row: Row, date_column: int, is_date: Callable[[str], bool]) -> bool:
    """Tell whether a row ends the table (a total line, a count, a closing note).

    Its date cell is no date (`is_date`): empty, or words, with figures or not (`共4笔`, the
    time it was printed after 打印时间). A date cell of figures and punctuation only that is no
    date (`2025-01-0`), or one that starts with a figure (`2025年1月`) in a row that names no
    total, is a row cut short or broken: not a footer, so that reading it says so.
    """
    date_cell = row.cells[date_column] if date_column < len(row.cells) else ""
    if has_digit(date_cell):
        if not has_letter(date_cell) or is_date(date_cell):
            return False
        if clean(date_cell)[:1].isdigit() and not names_total(row):
            return False
    filled = [clean(cell) for cell in row.cells if clean(cell)]
    return len(filled) <= 1 or names_total(row)


def names_total(row: Row) -> bool:
    """Tell whether a row's first filled cell names a total, a count or a closing note."""
    first = next((clean(cell) for cell in row.cells if clean(cell)), "").lower()
    return any(marker in first for marker in FOOTER_MARKERS) or COUNT.search(first) is not None


def dated_rows(body: Sequence[Row], date_column: int, is_date: Callable[[str], bool]) -> int:
    """Return how many rows after the header are dated ones, to be taken as they are.

    Those are the rows whose date cell starts with a figure, up to a footer. Such a row is a
    footer only if its date cell holds a letter too (`3笔合计`), so the cells are looked at one
    by one only when one of them does (in a format like `2025年1月2日`).
    """
    cells: list[str] = []
    for row in body:
        if len(row.cells) <= date_column or not row.cells[date_column][:1].isdigit():
            break
        cells.append(row.cells[date_column])
    if not has_letter("\n".join(cells)):
        return len(cells)
    return next(
        (
            position
            for position, cell in enumerate(cells)
            if has_letter(cell) and is_footer(body[position], date_column, is_date)
        ),
        len(cells),
    )


def locate_table(
    rows: Sequence[Row],
    names: Sequence[str],
    date_name: str,
    filename: str,
    hint: str = "adjust the import config",
    *,
    is_date: Callable[[str], bool] | None = None,
) -> Table:
    """Find the header by column names and return the rows between it and the footer.

    `hint` says what to change when a column is missing (the config's file, if it has one);
    `is_date` tells a date cell (default: one in the default date formats).
    """
    is_date = is_date or date_test(DEFAULT_FORMATS)
    index = find_header(rows, names)
    if index is None:
        raise missing_columns(rows, names, filename, hint)
    columns = header_columns(rows[index])
    check_repeated_names(rows[index], names, filename, hint)
    date_column = columns[date_name]
    body = rows[index + 1 :]
    # Rows whose date cell starts with a digit are neither blank nor, as a rule, footers.
    dated = dated_rows(body, date_column, is_date)
    data: list[Row] = list(body[:dated])
    end = len(body)
    heading = header_cells(rows[index])
    position = dated
    while position < len(body):
        row = body[position]
        position += 1
        if row.is_blank() or header_cells(row) == heading:  # a page's header, printed again
            continue
        if is_footer(row, date_column, is_date):
            following = next_page(body, position, heading, date_column)
            if following is None:
                end = position - 1
                break
            position = following
            continue
        data.append(row)
    header = rows[index].cells
    width = max((i + 1 for i, cell in enumerate(header) if clean(cell)), default=0)
    return Table(
        rows[index].line, columns, width, tuple(data), tuple(rows[:index]), tuple(body[end:])
    )


def header_cells(row: Row) -> tuple[str, ...]:
    """Return a row's cleaned cells without the empty ones at its end, to compare headers."""
    cells = [clean(cell).lstrip("\ufeff") for cell in row.cells]
    return tuple(cells[: row_width(row)])


def next_page(
    body: Sequence[Row], start: int, heading: tuple[str, ...], date_column: int
) -> int | None:
    """Return where the next page's rows start, if a footer at `start - 1` ends a page only.

    Multi-page exports close each page with a subtotal (`本页小计`) and print the header again
    on the next page: the rows from the footer to that header, none of them dated, are the
    page break. Without a header printed again, the footer ends the table.
    """
    for position in range(start, len(body)):
        row = body[position]
        if header_cells(row) == heading:
            return position + 1
        date_cell = row.cells[date_column] if date_column < len(row.cells) else ""
        if has_digit(date_cell) and sum(1 for cell in row.cells if clean(cell)) > 1:  # `Page 2`
            return None
    return None


def check_repeated_names(header: Row, names: Sequence[str], filename: str, hint: str) -> None:
    """Refuse a header that names a column the config reads more than once.

    Which of the two holds the amount (or the date) cannot be told from the name; reading the
    first and ignoring the other would book whatever happens to come first.
    """
    wanted = set(names)
    seen: dict[str, int] = {}
    for index, cell in enumerate(header.cells):
        name = clean(cell).lstrip("\ufeff")
        if name not in wanted:
            continue
        if name in seen:
            raise StatementError(
                filename,
                header.line,
                f"the header names two columns '{name}' (columns {seen[name] + 1} and "
                f"{index + 1}), so which one to read cannot be told. Rename one of them in the "
                f"export, or {hint} to read the columns by position (`fields`, "
                "docs/importers.md). Nothing was imported.",
            )
        seen[name] = index


def check_widths(rows: Sequence[Row], width: int, header_line: int, filename: str) -> None:
    """Refuse a row with a non-empty cell past the header's last column (`width` columns).

    Such a row is read by position, so one cell split in two (an unquoted `1,580.00` in a
    comma-separated file) would shift every later column: the amount read as `1`, the next
    column's text as the serial. Rows often end in empty cells (a trailing comma), so the
    column reader, which has the columns at hand, looks at the cells past the header in bulk
    and calls this only when one of them is not empty.
    """
    wide = next(
        (
            row
            for row in rows
            if len(row.cells) > width and any(row.cells[width:]) and row_width(row) > width
        ),
        None,
    )
    if wide is None:
        return
    extra = [clean(cell) for cell in wide.cells[width:] if clean(cell)]
    raise StatementError(
        filename,
        wide.line,
        f"the row has {row_width(wide)} cells but the header (line {header_line}) has "
        f"{width} columns; past the last column it holds {', '.join(extra)!r}. A cell "
        "holds the delimiter without quotes (an amount like 1,580.00 splits in two), so "
        "every later column would be read shifted. Quote that cell or export the file again.",
    )


def missing_columns(
    rows: Sequence[Row], names: Sequence[str], filename: str, hint: str = "adjust the import config"
) -> StatementError:
    """Build the error for a file whose header row is not found."""
    wanted = ", ".join(names)
    nearest = nearest_header(rows, names)
    if nearest is None:
        return StatementError(
            filename,
            None,
            f"no header row with the columns {wanted} was found. This file is not the export "
            "this importer reads; check the importer named for the account.",
        )
    row, lacking = nearest
    return StatementError(
        filename,
        row.line,
        f"this looks like the header row but lacks the column(s) {', '.join(lacking)} "
        f"(expected: {wanted}). The bank may have changed its layout; {hint}.",
    )


def positional_table(
    rows: Sequence[Row],
    names: Sequence[str],
    date_name: str,
    filename: str,
    *,
    is_date: Callable[[str], bool] | None = None,
) -> Table:
    """Return the table of an export without a header row, its columns named by position."""
    is_date = is_date or date_test(DEFAULT_FORMATS)
    columns = {name: index for index, name in enumerate(names)}
    date_column = columns[date_name]
    preamble: list[Row] = []
    data: list[Row] = []
    end = len(rows)
    for position, row in enumerate(rows):
        if row.is_blank():
            continue
        date_cell = row.cells[date_column] if date_column < len(row.cells) else ""
        if not data and not has_digit(date_cell):
            preamble.append(row)
            continue
        if is_footer(row, date_column, is_date):
            end = position
            break
        if row_width(row) > len(names):
            raise StatementError(
                filename,
                row.line,
                f"the row has {row_width(row)} cells but the config's `fields` names "
                f"{len(names)} columns ({', '.join(names)}). This file is not the export the "
                "config describes, or the row is broken.",
            )
        data.append(row)
    return Table(0, columns, len(names), tuple(data), tuple(preamble), tuple(rows[end:]))
