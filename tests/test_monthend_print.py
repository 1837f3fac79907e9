"""The financial statements printed: the PDF's pages and the workbook's cells, tied to the figures."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import TYPE_CHECKING

from openpyxl import load_workbook
from pypdf import PdfReader
from registry_support import a_client

from beanfirm.monthend.closing import Period
from beanfirm.monthend.pdf import render_pdf
from beanfirm.monthend.statements import financial_statements
from beanfirm.monthend.xlsx import render_xlsx
from beanfirm.store.ledger import load_ledger

if TYPE_CHECKING:
    from pathlib import Path

    from beanfirm.monthend.statements import Statements

CLIENT = a_client(name="甲公司")
LEDGER = """\
option "operating_currency" "CNY"
2026-01-01 open Assets:1002-银行存款:工商银行
2026-01-01 open Assets:1122-应收账款:客户甲
2026-01-01 open Assets:1601-固定资产
2026-01-01 open Liabilities:2202-应付账款:供应商丙
2026-01-01 open Equity:3001-实收资本
2026-01-01 open Income:5001-主营业务收入
2026-01-01 open Expenses:5602-管理费用:办公费

2026-01-01 * "投资" "股东投入"
  Assets:1002-银行存款:工商银行  100000.00 CNY
  Equity:3001-实收资本  -100000.00 CNY

2026-10-05 * "客户甲" "十月销售"
  Assets:1122-应收账款:客户甲  8000.00 CNY
  Income:5001-主营业务收入  -8000.00 CNY

2026-10-10 * "供应商丙" "设备"
  Assets:1601-固定资产  12345.67 CNY
  Liabilities:2202-应付账款:供应商丙  -12345.67 CNY

2026-10-20 * "文具店" "办公用品"
  Expenses:5602-管理费用:办公费  234.50 CNY
  Assets:1002-银行存款:工商银行  -234.50 CNY
"""


def statements_of(tmp_path: Path, text: str = LEDGER) -> Statements:
    """Return the October statements of a ledger written to a temporary folder."""
    main = tmp_path / "main.beancount"
    main.write_text(text, encoding="utf-8")
    ledger = load_ledger(main)
    assert not ledger.errors, ledger.errors
    period = Period(*(__import__("datetime").date(2026, 10, day) for day in (1, 31)))
    return financial_statements(ledger.entries, ledger.options, CLIENT, period)


def test_the_pdf_and_the_workbook_hold_every_statement(tmp_path: Path) -> None:
    statements = statements_of(tmp_path)
    pdf = render_pdf(statements, "zh", prepared_by="王会计")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    for statement in statements.all:
        assert statement.title("zh") in text
    book = load_workbook(io.BytesIO(render_xlsx(statements, "zh", prepared_by="王会计")))
    assert book.sheetnames == [statement.title("zh") for statement in statements.all]
    values = [cell for row in book.worksheets[0].iter_rows(values_only=True) for cell in row]
    assert Decimal("12345.67") in {Decimal(str(v)) for v in values if isinstance(v, float | int)}
