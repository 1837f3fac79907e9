"""The financial statements as an Excel workbook: a sheet per statement, laid out like the form.

Tax portals and clients take Excel. Each sheet holds one form as `render.printed_forms` lays it
out: the title, the form number, 编制单位, the date and 单位 above the table, 行次 beside each
line, the balance sheet in two columns, and the signature lines below; the firm's name is the
printed page's header. Amounts are numbers (to the cent, `#,##0.00`), not text, so that a
reader can add them up; the page is set up to print on A4, one page wide.
"""

from __future__ import annotations

import io
import re
from typing import TYPE_CHECKING

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from beanfirm.monthend.render import printed_forms, to_the_cent

if TYPE_CHECKING:
    from openpyxl.cell.cell import Cell
    from openpyxl.worksheet.worksheet import Worksheet

    from beanfirm.monthend.render import PrintedForm, Row
    from beanfirm.monthend.statements import Statements

MONEY_FORMAT = "#,##0.00"
HEADER_ROW = 4  # the row of the column headings; the lines follow it
# The widths of a side's columns (item, 行次, two amounts), in characters, by number of sides.
WIDTHS = {1: (50, 6, 18, 18), 2: (32, 6, 16, 16)}
_THIN = Side(style="thin", color="555555")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_SHADE = PatternFill("solid", fgColor="EEF2F7")
_SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_SHEET_NAME_LENGTH = 31  # Excel's limit


def render_xlsx(
    statements: Statements,
    language: str,
    *,
    prepared_by: str | None = None,
    firm: str | None = None,
) -> bytes:
    """Return the statements as an .xlsx workbook's bytes, `prepared_by` as 制表人."""
    book = Workbook()
    book.remove(book.active)
    for form in printed_forms(statements, language, prepared_by=prepared_by):
        sheet = book.create_sheet(sheet_name(form.title))
        _fill(sheet, form)
        _print_setup(sheet, form, firm or "")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def sheet_name(title: str) -> str:
    """Return a title as Excel allows a sheet's name: 31 characters, no []:*?/ or backslash."""
    return _SHEET_NAME_FORBIDDEN.sub(" ", title)[:_SHEET_NAME_LENGTH]


def _fill(sheet: Worksheet, form: PrintedForm) -> None:
    width = 4 * len(form.sides)
    last = get_column_letter(width)
    sheet.merge_cells(f"A1:{last}1")
    _put(sheet, 1, 1, form.title)
    sheet["A1"].font = Font(size=16, bold=True)
    sheet["A1"].alignment = Alignment(horizontal="center")
    _put(sheet, 2, width, form.form).alignment = Alignment(horizontal="right")
    # 编制单位 on the left, the date in the middle, 单位 on the right, as the form has them.
    middle = (2, width - 1)
    _put(sheet, 3, 1, form.entity).alignment = Alignment(wrap_text=True, vertical="center")
    sheet.merge_cells(start_row=3, start_column=middle[0], end_row=3, end_column=middle[1])
    _put(sheet, 3, middle[0], form.date).alignment = Alignment(horizontal="center")
    _put(sheet, 3, width, form.unit).alignment = Alignment(horizontal="right")
    for side, title in enumerate(form.sides):
        headings = (title, form.line_column, *form.columns)
        for offset, text in enumerate(headings):
            cell = _put(sheet, HEADER_ROW, 4 * side + offset + 1, text)
            cell.font = Font(bold=True)
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
            cell.fill = _SHADE
            cell.border = _BORDER
    for index, printed in enumerate(form.rows, start=HEADER_ROW + 1):
        for side, row in enumerate(printed):
            _fill_row(sheet, index, 4 * side + 1, row)
    signed = HEADER_ROW + len(form.rows) + 2
    first, second, third = form.signatures
    _put(sheet, signed, 1, first)
    # 会计机构负责人 in the middle: where the right-hand side begins, or beside the item column.
    _put(sheet, signed, 5 if len(form.sides) == 2 else 2, second)  # noqa: PLR2004
    _put(sheet, signed, width, third).alignment = Alignment(horizontal="right")
    sheet.freeze_panes = sheet.cell(HEADER_ROW + 1, 1)


def _put(sheet: Worksheet, row: int, column: int, value: object) -> Cell:
    """Set a cell: text always as text, never as a formula (a name may begin with `=`)."""
    cell: Cell = sheet.cell(row, column, value)
    if isinstance(value, str):
        cell.data_type = "s"
    return cell


def _fill_row(sheet: Worksheet, index: int, column: int, row: Row | None) -> None:
    values: tuple[object, ...] = (
        (row.name, row.number, to_the_cent(row.first), to_the_cent(row.second))
        if row is not None
        else (None, None, None, None)
    )
    for offset, value in enumerate(values):
        cell = _put(sheet, index, column + offset, value)
        cell.border = _BORDER
        if offset >= 2:  # noqa: PLR2004 - the two amount columns
            cell.number_format = MONEY_FORMAT
        elif offset == 1:
            cell.alignment = Alignment(horizontal="center")
        elif row is not None:
            indent = 0 if row.kind in {"heading", "total"} else 2 if row.part else 1
            cell.alignment = Alignment(indent=indent, wrap_text=True, vertical="center")
        if row is not None and row.kind in {"heading", "total"}:
            cell.fill = _SHADE


def _print_setup(sheet: Worksheet, form: PrintedForm, firm: str) -> None:
    """A4 portrait, one page wide, the header row on every page, the firm's name as letterhead."""
    for side in range(len(form.sides)):
        for offset, width in enumerate(WIDTHS[len(form.sides)]):
            letter = get_column_letter(4 * side + offset + 1)
            sheet.column_dimensions[letter].width = width
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = sheet.ORIENTATION_PORTRAIT
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.horizontalCentered = True
    sheet.page_margins.left = sheet.page_margins.right = 0.5
    sheet.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    if firm:
        sheet.oddHeader.left.text = firm.replace("&", "&&")
