"""Reading the rows of an XLSX (openpyxl) or XLS (xlrd) export as text cells.

Numbers come out of a spreadsheet as binary floats. They are turned into text through
`repr`, the shortest string that reads back as the same float, which is the number as it was
typed or exported (`28.16`, never `28.159999999999997`), so the amount parser sees the same
text a CSV export would have. Date cells become `YYYY-MM-DD HH:MM:SS`.
"""

from __future__ import annotations

import datetime
import io
import math
from decimal import Decimal

from beanfirm.errors import StatementError
from beanfirm.importers.table import Row

XLSX_MAGIC = b"PK\x03\x04"
XLS_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def number_text(value: float, filename: str, line: int) -> str:
    """Return the text of a spreadsheet number, exactly as written."""
    if isinstance(value, int):
        return str(value)
    if math.isnan(value) or math.isinf(value):
        raise StatementError(filename, line, f"a cell holds the number {value!r}; fix the cell.")
    if value.is_integer() and abs(value) < 1e15:  # noqa: PLR2004
        return str(int(value))
    return format(Decimal(repr(value)), "f")


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


def xlsx_rows(data: bytes, filename: str) -> list[Row]:
    """Return the rows of the first worksheet of an XLSX file."""
    import openpyxl  # noqa: PLC0415 - only XLSX imports pay for loading openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:
        raise StatementError(
            filename, None, f"the XLSX file cannot be opened ({exc}); it may be truncated."
        ) from exc
    try:
        sheet = book.worksheets[0]
        return [
            Row(number, tuple(cell_text(value, filename, number) for value in values))
            for number, values in enumerate(sheet.iter_rows(values_only=True), start=1)
        ]
    except StatementError:
        raise
    except Exception as exc:
        raise StatementError(
            filename, None, f"the XLSX file cannot be read ({exc}); it may be truncated."
        ) from exc
    finally:
        book.close()


def xls_rows(data: bytes, filename: str) -> list[Row]:
    """Return the rows of the first sheet of an XLS (Excel 97-2003) file."""
    import xlrd  # noqa: PLC0415 - only XLS imports pay for loading xlrd

    try:
        book = xlrd.open_workbook(file_contents=data)
        sheet = book.sheet_by_index(0)
    except Exception as exc:
        raise StatementError(
            filename, None, f"the XLS file cannot be read ({exc}); it may be truncated."
        ) from exc
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
