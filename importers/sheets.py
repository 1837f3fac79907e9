"""Reading the rows of an XLSX (openpyxl) or XLS (xlrd) export as text cells.

Numbers come out of a spreadsheet as binary floats. They are turned into text to the 15
significant digits a spreadsheet keeps (Excel holds no more, and shows no more): the number
as it was typed or exported (`28.16`, `28.155`), and a figure the spreadsheet computed,
`28.159999999999997` as a float, as the spreadsheet shows it, `28.16`. So the amount parser
sees the same text a CSV export would have, and a figure with more decimals than its currency
has is one the spreadsheet holds. A number of more than 15 digits whose cents those digits
do not reach (from 10,000,000,000,000 up) is refused rather than rounded. Date cells become
`YYYY-MM-DD HH:MM:SS`.
"""

from __future__ import annotations

import datetime
import io
import math
from decimal import Decimal
from typing import Any, NamedTuple

from beanfirm.errors import DamagedFileError, StatementError
from beanfirm.importers.table import Row

XLSX_MAGIC = b"PK\x03\x04"
XLS_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# From here up, 15 significant digits no longer reach a number's cents.
CENTS_IN_15_DIGITS = 1e13


def number_text(value: float, filename: str, line: int) -> str:
    """Return the text of a spreadsheet number, exactly as written."""
    if isinstance(value, int):
        return str(value)
    if math.isnan(value) or math.isinf(value):
        raise DamagedFileError(filename, line, f"a cell holds the number {value!r}; fix the cell.")
    if value.is_integer() and abs(value) < 1e15:  # noqa: PLR2004
        return str(int(value))
    shown = format(value, ".15g")
    if abs(value) >= CENTS_IN_15_DIGITS and float(shown) != value:
        raise DamagedFileError(
            filename,
            line,
            f"a cell holds the number {value!r}, which has more digits than a spreadsheet "
            "keeps (15), so its last ones cannot be told from the float's rounding. Format "
            "the cell as text with the bank's figure, or export the statement again.",
        )
    return format(Decimal(shown), "f")


def cell_text(value: object, filename: str, line: int) -> str:
    """Return the text of one spreadsheet cell value."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float):
        return number_text(value, filename, line)
    if isinstance(value, datetime.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


class Sheet(NamedTuple):
    """One sheet of a workbook: its name and its rows."""

    name: str
    rows: list[Row]


def sheets_of(data: bytes, filename: str) -> list[Sheet] | None:
    """Return every sheet of an XLSX or XLS file, in the workbook's order; None for text."""
    if data.startswith(XLSX_MAGIC):
        return xlsx_sheets(data, filename)
    if data.startswith(XLS_MAGIC):
        return xls_sheets(data, filename)
    return None


def xlsx_rows(data: bytes, filename: str) -> list[Row]:
    """Return the rows of the first worksheet of an XLSX file."""
    return xlsx_sheets(data, filename, first_only=True)[0].rows


def xlsx_sheets(data: bytes, filename: str, *, first_only: bool = False) -> list[Sheet]:
    """Return the worksheets of an XLSX file (the first only, if asked)."""
    import openpyxl  # noqa: PLC0415 - only XLSX imports pay for loading openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:
        raise DamagedFileError(
            filename, None, f"the XLSX file cannot be opened ({exc}); it may be truncated."
        ) from exc
    try:
        return [
            Sheet(
                sheet.title,
                [
                    Row(number, tuple(cell_text(value, filename, number) for value in values))
                    for number, values in enumerate(sheet.iter_rows(values_only=True), start=1)
                ],
            )
            for sheet in book.worksheets[: 1 if first_only else None]
        ]
    except StatementError:
        raise
    except Exception as exc:
        raise DamagedFileError(
            filename, None, f"the XLSX file cannot be read ({exc}); it may be truncated."
        ) from exc
    finally:
        book.close()


def xls_rows(data: bytes, filename: str) -> list[Row]:
    """Return the rows of the first sheet of an XLS (Excel 97-2003) file."""
    return xls_sheets(data, filename, first_only=True)[0].rows


def xls_sheets(data: bytes, filename: str, *, first_only: bool = False) -> list[Sheet]:
    """Return the sheets of an XLS (Excel 97-2003) file (the first only, if asked)."""
    import xlrd  # noqa: PLC0415 - only XLS imports pay for loading xlrd

    try:
        book = xlrd.open_workbook(file_contents=data)
        sheets = [book.sheet_by_index(index) for index in range(book.nsheets)]
    except Exception as exc:
        raise DamagedFileError(
            filename, None, f"the XLS file cannot be read ({exc}); it may be truncated."
        ) from exc
    return [
        Sheet(sheet.name, xls_sheet_rows(book, sheet, filename))
        for sheet in sheets[: 1 if first_only else None]
    ]


def xls_sheet_rows(book: Any, sheet: Any, filename: str) -> list[Row]:
    """Return the rows of one sheet of an XLS file, as text cells."""
    import xlrd  # noqa: PLC0415 - loaded already by `xls_sheets`

    rows: list[Row] = []
    for index in range(sheet.nrows):
        cells: list[str] = []
        for column in range(sheet.ncols):
            kind = sheet.cell_type(index, column)
            value = sheet.cell_value(index, column)
            if kind == xlrd.XL_CELL_DATE:
                value = xlrd.xldate_as_datetime(value, book.datemode)
            elif kind in (xlrd.XL_CELL_ERROR, xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
                value = None
            cells.append(cell_text(value, filename, index + 1))
        rows.append(Row(index + 1, tuple(cells)))
    return rows
