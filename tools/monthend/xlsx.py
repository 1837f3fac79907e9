"""The financial statements as an Excel workbook: a sheet per statement, laid out like the form."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from openpyxl import Workbook

if TYPE_CHECKING:
    from beanfirm.monthend.statements import Statements

MONEY_FORMAT = "#,##0.00"


def render_xlsx(
    statements: Statements,
    language: str,
    *,
    prepared_by: str | None = None,
    firm: str | None = None,
) -> bytes:
    """Return the statements as an .xlsx workbook's bytes, `prepared_by` as 制表人."""
    del prepared_by, firm  # not yet printed
    book = Workbook()
    book.remove(book.active)
    for statement in statements.all:
        sheet = book.create_sheet(statement.title(language))
        first, second = statement.columns(language)
        sheet.append(["", "", first, second])
        for name, number, current, earlier in statement.rows(language):
            sheet.append([name, number, current, earlier])
            for cell in sheet[sheet.max_row][2:]:
                cell.number_format = MONEY_FORMAT
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
