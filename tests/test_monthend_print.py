"""The financial statements printed: the PDF's pages and the workbook's cells, tied to the figures.

The PDF is checked as WeasyPrint lays it out (no text outside the page or its table cell) and
as it is written (every character in an embedded font that has its glyph); the workbook is read
back with openpyxl, each amount tied to the statement's figure to the cent.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
import os
import re
import subprocess
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

import pytest
from cli_support import HUAMEI_JANUARY, append_entry, commit_all
from conftest import BEANFIRM, run_beanfirm, tree_state
from fontTools.ttLib import TTFont  # type: ignore[import-untyped]
from openpyxl import load_workbook
from pypdf import PdfReader
from registry_support import a_client
from weasyprint import HTML
from weasyprint.formatting_structure.boxes import TableCellBox, TextBox

from beanfirm.core.journal import CENT
from beanfirm.core.pdf import html_to_pdf
from beanfirm.monthend.closing import Period
from beanfirm.monthend.mapping import Form, read_mapping, template_text
from beanfirm.monthend.pdf import render_pdf
from beanfirm.monthend.render import printed_forms, render_html, render_parts
from beanfirm.monthend.statements import financial_statements
from beanfirm.monthend.xlsx import HEADER_ROW, MONEY_FORMAT, render_xlsx, sheet_name
from beanfirm.store.ledger import load_ledger

if TYPE_CHECKING:
    from pathlib import Path

    from openpyxl.worksheet.worksheet import Worksheet

    from beanfirm.monthend.statements import Statement, Statements

OCTOBER = Period(datetime.date(2026, 10, 1), datetime.date(2026, 10, 31))
FIRM = "明账财务咨询有限公司 (Mingzhang Accounting)"
PREPARER = "王会计"
# Amounts in the hundreds of millions: the widest a small enterprise's form is likely to print.
CN_LEDGER = """\
option "operating_currency" "CNY"
2025-12-01 open Assets:1002-银行存款:工商银行
2025-12-01 open Assets:1122-应收账款:客户甲
2025-12-01 open Assets:1405-库存商品
2025-12-01 open Assets:1601-固定资产
2025-12-01 open Liabilities:2202-应付账款:供应商丙
2025-12-01 open Equity:3001-实收资本
2025-12-01 open Income:5001-主营业务收入
2025-12-01 open Expenses:5602-管理费用:办公费

2025-12-31 * "投资" "股东投入"
  Assets:1002-银行存款:工商银行  987654321.98 CNY
  Equity:3001-实收资本  -987654321.98 CNY

2026-09-15 * "客户甲" "九月销售"
  Assets:1122-应收账款:客户甲  1000.00 CNY
  Income:5001-主营业务收入  -1000.00 CNY

2026-10-05 * "客户甲" "十月销售"
  Assets:1122-应收账款:客户甲  123456789.015 CNY
  Income:5001-主营业务收入  -123456789.015 CNY

2026-10-10 * "供应商丙" "设备与商品"
  Assets:1601-固定资产  12345.67 CNY
  Assets:1405-库存商品  5000.00 CNY
  Liabilities:2202-应付账款:供应商丙  -17345.67 CNY

2026-10-20 * "文具店" "办公用品"
  Expenses:5602-管理费用:办公费  234.50 CNY
  Assets:1002-银行存款:工商银行  -234.50 CNY
"""
EN_LEDGER = """\
option "operating_currency" "USD"
2025-12-01 open Assets:Bank:Checking
2025-12-01 open Assets:Receivable:Acme-Holdings-International-Limited
2025-12-01 open Liabilities:Payable
2025-12-01 open Equity:Capital
2025-12-01 open Income:Services
2025-12-01 open Expenses:Office

2025-12-31 * "Owner" "Capital"
  Assets:Bank:Checking  250000000.00 USD
  Equity:Capital  -250000000.00 USD

2026-10-03 * "Acme" "October invoice"
  Assets:Receivable:Acme-Holdings-International-Limited  12000.00 USD
  Income:Services  -12000.00 USD

2026-10-12 * "Stationer" "Paper"
  Expenses:Office  80.25 USD
  Assets:Bank:Checking  -80.25 USD
"""
CN_CLIENT = a_client(name="深圳市前海丝路跨境电子商务贸易有限公司")
EN_CLIENT = a_client(
    name="Brightpath Consulting (Shanghai) Co., Ltd.", language="en", currency="USD"
)
CASES = {"zh": (CN_LEDGER, CN_CLIENT), "en": (EN_LEDGER, EN_CLIENT)}
# Each chart template, and the other language its titles and lines are named in beside it.
TRANSLATED = {"cn-small": "en", "en-simple": "zh"}
LATIN = re.compile(r"[A-Za-z]{2,}")  # an English word, as the Chinese pages' tests find them
HAN = re.compile(r"[\u4e00-\u9fff]")


def statements_of(tmp_path: Path, language: str) -> Statements:
    """Return the October statements of the language's ledger, written to a temporary folder."""
    text, client = CASES[language]
    main = tmp_path / "main.beancount"
    main.write_text(text, encoding="utf-8")
    ledger = load_ledger(main)
    assert not ledger.errors, ledger.errors
    return financial_statements(ledger.entries, ledger.options, client, OCTOBER)


def cents(value: Decimal | None) -> Decimal | None:
    """Return a figure as the printed forms give it, worked out here on its own: to the cent."""
    return None if value is None else value.quantize(CENT, ROUND_HALF_UP) + Decimal(0)


def page_texts(pdf: bytes) -> list[str]:
    """Return the text of each page of a PDF."""
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def missing_glyphs(pdf: bytes) -> set[str]:
    """Return the characters a PDF shows in a font that has no glyph for them (a box, or blank).

    Each font's ToUnicode map names the characters its glyphs stand for; a character the
    embedded font program does not map is drawn as its .notdef glyph.
    """
    missing: set[str] = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        resources: Any = page["/Resources"]
        fonts: Any = resources["/Font"]
        for ref in fonts.values():
            font = ref.get_object()
            descendant = font["/DescendantFonts"][0].get_object()
            descriptor = descendant["/FontDescriptor"].get_object()
            program = next(
                descriptor[key].get_object().get_data()
                for key in ("/FontFile2", "/FontFile3", "/FontFile")
                if key in descriptor
            )
            covered = TTFont(io.BytesIO(program)).getBestCmap() or {}
            to_unicode = font["/ToUnicode"].get_object().get_data().decode("ascii")
            for glyph, hexa in re.findall(r"<([0-9a-fA-F]+)> <([0-9a-fA-F]+)>", to_unicode):
                if int(glyph, 16) == 0:
                    continue  # .notdef, which WeasyPrint lists (as U+FFFF) in every font
                text = bytes.fromhex(hexa).decode("utf-16-be")
                missing.update(char for char in text if ord(char) not in covered)
    return missing


def text_off_the_page(html: str) -> list[str]:
    """Return each piece of text WeasyPrint lays out beyond the page's margins or its cell's."""
    found: list[str] = []
    for number, page in enumerate(HTML(string=html).render().pages, start=1):
        box: Any = page._page_box
        left, top = box.content_box_x(), box.content_box_y()
        limits = (left, left + box.width, top + box.height)
        found += [f"page {number}: {text}" for text in _outside(box, limits)]
    return found


def _outside(box: Any, limits: tuple[float, float, float]) -> list[str]:
    left, right, bottom = limits
    if isinstance(box, TableCellBox):  # within the cell's padding, clear of its borders
        left = max(left, box.content_box_x())
        right = min(right, box.content_box_x() + box.width)
    if isinstance(box, TextBox):
        slack = 0.5  # px: rounding in the layout
        inside = (
            box.position_x >= left - slack
            and box.position_x + box.width <= right + slack
            and box.position_y + box.height <= bottom + slack
        )
        return [] if inside else [box.text]
    return [text for child in getattr(box, "children", ()) for text in _outside(child, limits)]


@pytest.mark.parametrize("language", ["zh", "en"])
def test_each_statement_prints_on_its_own_page_as_the_form_has_it(
    tmp_path: Path, language: str
) -> None:
    statements = statements_of(tmp_path, language)
    texts = page_texts(render_pdf(statements, language, prepared_by=PREPARER, firm=FIRM))
    assert len(texts) == len(statements.all)
    for text, statement in zip(texts, statements.all, strict=True):
        assert FIRM in text
        assert statement.title(language) in text
        assert statement.form.form is None or statement.form.form in text
        assert statements.client_name in text
        for figure in statement.figures:
            if figure.current is not None:
                assert f"{cents(figure.current):,f}" in text, figure.line.name
    balance_sheet, income_statement = texts[:2]  # the cash-flow statement follows, if any
    if language == "zh":
        assert "编制单位：深圳市前海丝路跨境电子商务贸易有限公司" in balance_sheet  # noqa: RUF001
        assert "2026年10月31日" in balance_sheet
        assert "2026年10月" in income_statement
        assert "2026年10月31日" not in income_statement
        assert "单位：元" in balance_sheet  # noqa: RUF001
        # 行次 and both columns, to the cent (123,456,789.015 rounds half up), thousands apart:
        assert "资产总计 30 1,111,129,222.17 987,654,321.98" in balance_sheet
        assert "单位负责人：" in balance_sheet  # noqa: RUF001
        assert "会计机构负责人：" in balance_sheet  # noqa: RUF001
        assert f"制表人：{PREPARER}" in balance_sheet  # noqa: RUF001
    else:
        assert "October 31, 2026" in balance_sheet
        assert "October 2026" in income_statement
        assert "Unit: USD" in balance_sheet
        assert f"Prepared by: {PREPARER}" in income_statement


def test_the_balance_sheet_prints_in_two_columns_its_totals_on_one_row(tmp_path: Path) -> None:
    statements = statements_of(tmp_path, "zh")
    balance_sheet, income_statement, cash_flow = printed_forms(statements, "zh")
    assert balance_sheet.sides == ("资产", "负债和所有者权益（或股东权益）")  # noqa: RUF001
    assert [row and row.name for row in balance_sheet.rows[0]] == ["流动资产：", "流动负债："]  # noqa: RUF001
    assert [row and row.number for row in balance_sheet.rows[-1]] == [30, 53]
    left = [pair[0].number for pair in balance_sheet.rows if pair[0] and pair[0].number]
    right = [pair[1].number for pair in balance_sheet.rows if pair[1] and pair[1].number]
    assert (left, right) == (list(range(1, 31)), list(range(31, 54)))  # each line once
    assert income_statement.sides == ("项目",)
    # 会小企02表 prints 本年累计金额 before 本月金额; JSON, CSV and the table keep the month first.
    assert income_statement.columns == ("本年累计金额", "本月金额")
    assert statements.income_statement.columns("zh") == ("本月金额", "本年累计金额")
    revenue = statements.income_statement.figure(1)
    assert revenue.current != revenue.earlier
    (row,) = income_statement.rows[0]
    assert row is not None
    assert (row.first, row.second) == (revenue.earlier, revenue.current)
    numbers = [row.number for (row,) in income_statement.rows if row is not None]
    assert numbers == [line.number for line in statements.income_statement.form.lines]
    assert cash_flow.columns == ("本年累计金额", "本月金额")  # 会小企03表 too
    parts = [row.name for (row,) in income_statement.rows if row and row.part]
    assert parts[:2] == ["其中：消费税", "营业税"]  # noqa: RUF001 - 其中 lines, indented


def test_the_parts_for_another_page_are_the_style_sheet_and_the_statements(
    tmp_path: Path,
) -> None:
    statements = statements_of(tmp_path, "zh")
    style, body = render_parts(statements, "zh")
    assert "table.statement" in style
    assert "<style" not in style
    assert body.count("<section>") == len(statements.all)
    assert "<body" not in body
    assert "<html" not in body


@pytest.mark.parametrize("language", ["zh", "en"])
def test_no_glyph_is_missing_and_no_text_runs_off_the_page(tmp_path: Path, language: str) -> None:
    statements = statements_of(tmp_path, language)
    html = render_html(statements, language, prepared_by=PREPARER, firm=FIRM)
    assert text_off_the_page(html) == []
    assert missing_glyphs(html_to_pdf(html)) == set()


def test_the_checks_see_a_missing_glyph_and_text_off_the_page() -> None:
    """The two checks above can fail: a hieroglyph no font has, and a line too long to fit."""
    wide = "9" * 400
    html = (
        '<html><body><p>资产 \U00013000</p><table style="width: 50mm; table-layout: fixed">'
        f'<tr><td style="white-space: nowrap">{wide}</td></tr></table></body></html>'
    )
    assert text_off_the_page(html) == [f"page 1: {wide}"]
    assert missing_glyphs(html_to_pdf(html)) == {"\U00013000"}


@pytest.mark.parametrize(("chart", "tag"), TRANSLATED.items())
def test_every_line_of_each_chart_has_a_name_in_the_other_language(chart: str, tag: str) -> None:
    mapping, problems = read_mapping(template_text(chart), chart)
    assert mapping is not None, problems
    assert mapping.cash_flow is not None
    forms: list[Form] = [mapping.balance_sheet, mapping.income_statement, mapping.cash_flow]
    for form in forms:
        assert form.title_in(tag) != form.title, form.key
        names = [(line.name, line.name_in(tag)) for line in form.lines]
        for own, translated in [(form.title, form.title_in(tag)), *names]:
            assert translated != own, (form.key, own)  # given, not the form's own
            if tag == "zh":  # Chinese, with no English left in it
                assert HAN.search(translated), (own, translated)
                assert not LATIN.search(translated), (own, translated)
            else:
                assert not HAN.search(translated), (own, translated)
        numbered = [line.name_in(tag) for line in form.lines if line.number is not None]
        assert len(set(numbered)) == len(numbered), form.key  # no two lines read the same


def test_the_english_chart_in_chinese_leaves_no_english(tmp_path: Path) -> None:
    """A foreign client's statements read in Chinese: every word is Chinese but the data.

    The data: the firm's and the client's names and the currency's code (numbers are no
    words). The same check as the Chinese statements page's (tests/test_portal_live.py).
    """
    statements = statements_of(tmp_path, "en")  # the en-simple chart
    assert statements.chart == "en-simple"

    def english(text: str) -> set[str]:
        for data in (FIRM, statements.client_name, statements.currency):
            text = text.replace(data, " ")
        return set(LATIN.findall(text))

    pdf = render_pdf(statements, "zh", prepared_by=PREPARER, firm=FIRM)
    texts = page_texts(pdf)
    for text, title in zip(texts, ("资产负债表", "利润表", "现金流量表"), strict=True):
        assert f"\n{title}\n" in text
    assert "货币资金 1 249,999,919.75 250,000,000.00" in texts[0]
    assert "未分配利润 19 11,919.75 0.00" in texts[0]
    assert "净利润 23 11,919.75 11,919.75" in texts[1]
    assert "期末现金余额 19 249,999,919.75 249,999,919.75" in texts[2]
    html = render_html(statements, "zh", prepared_by=PREPARER, firm=FIRM)
    _style, body = render_parts(statements, "zh")
    shown = re.sub(r"<[^>]+>", " ", body)  # the visible text, without the tags' English
    book = load_workbook(io.BytesIO(render_xlsx(statements, "zh", prepared_by=PREPARER, firm=FIRM)))
    assert book.sheetnames == ["资产负债表", "利润表", "现金流量表"]
    cells = [str(c.value) for sheet in book for row in sheet.iter_rows() for c in row if c.value]
    labels = statements.as_json("zh")["statements"]
    assert isinstance(labels, list)
    json_text = json.dumps(
        [
            [part["title"], part["columns"], [line["name"] for line in part["lines"]]]
            for part in labels
        ],
        ensure_ascii=False,
    )
    out = io.StringIO()
    csv.writer(out).writerows(
        (name, number) for s in statements.all for name, number, _a, _b in s.rows("zh")
    )
    for name, text in [
        *((f"pdf page {n}", t) for n, t in enumerate(texts, 1)),
        ("html", shown),
        ("xlsx", " ".join(cells)),
        ("json", json_text),
        ("csv", out.getvalue()),
    ]:
        assert HAN.search(text), name
        assert english(text) == set(), (name, text)
    assert text_off_the_page(html) == []
    assert missing_glyphs(pdf) == set()


def sheet_figures(sheet: Worksheet) -> dict[int, tuple[object, object]]:
    """Return the two amounts beside each 行次 on a sheet, by 行次, from every side."""
    found: dict[int, tuple[object, object]] = {}
    for row in sheet.iter_rows(min_row=HEADER_ROW + 1):
        for side in range(0, len(row) - 3, 4):
            number = row[side + 1].value
            if isinstance(number, int):
                assert number not in found, number
                found[number] = (row[side + 2].value, row[side + 3].value)
                for cell in row[side + 2 : side + 4]:
                    assert cell.number_format == MONEY_FORMAT
    return found


def cell_decimal(value: object) -> Decimal:
    """Return a cell's number as a Decimal to the cent (refusing text: amounts are numbers)."""
    assert isinstance(value, int | float), value
    return Decimal(str(value)).quantize(CENT)


@pytest.mark.parametrize("language", ["zh", "en"])
def test_the_workbook_ties_to_the_figures_cents(tmp_path: Path, language: str) -> None:
    statements = statements_of(tmp_path, language)
    data = render_xlsx(statements, language, prepared_by=PREPARER, firm=FIRM)
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames == [sheet_name(s.title(language)) for s in statements.all]
    for sheet, statement, form in zip(
        book.worksheets,
        statements.all,
        printed_forms(statements, language, prepared_by=PREPARER),
        strict=True,
    ):
        assert sheet["A1"].value == statement.title(language)
        assert sheet.cell(2, sheet.max_column).value == (statement.form.form or None)
        assert [sheet["A3"].value, sheet["B3"].value, sheet.cell(3, sheet.max_column).value] == [
            form.entity,
            form.date,
            form.unit,
        ]
        headings = [cell.value for cell in sheet[HEADER_ROW]]
        assert headings == [
            value for side in form.sides for value in (side, form.line_column, *form.columns)
        ]
        assert_tied(sheet_figures(sheet), statement)
        signatures = [cell.value for cell in sheet[sheet.max_row] if cell.value]
        assert signatures == list(form.signatures)
        assert signatures[-1].endswith(PREPARER)
        assert int(sheet.page_setup.paperSize) == int(sheet.PAPERSIZE_A4)
        assert int(sheet.page_setup.fitToWidth) == 1
        assert sheet.oddHeader.left.text == FIRM
        assert sheet.column_dimensions["A"].width >= 30
    if language == "zh":
        balance_sheet = book.worksheets[0]
        assert balance_sheet["B3"].value == "2026年10月31日"
        assert [balance_sheet["A5"].value, balance_sheet["E5"].value] == [
            "流动资产：",  # noqa: RUF001
            "流动负债：",  # noqa: RUF001
        ]


def test_the_workbook_keeps_a_name_that_looks_like_a_formula_as_text(tmp_path: Path) -> None:
    mapping = template_text("en-simple").replace("name: Services,", 'name: "=SUM(1,2)",')
    (tmp_path / "financials.yaml").write_text(mapping, encoding="utf-8")
    statements = statements_of(tmp_path, "en")
    book = load_workbook(io.BytesIO(render_xlsx(statements, "en")))
    services = book["Income statement"]["A6"]
    assert (services.value, services.data_type) == ("=SUM(1,2)", "s")


def assert_tied(cells: dict[int, tuple[object, object]], statement: Statement) -> None:
    """Each numbered line's two cells equal its figures, and no cell is left over."""
    numbered = [figure for figure in statement.figures if figure.line.number is not None]
    assert sorted(cells) == sorted(figure.line.number or 0 for figure in numbered)
    for figure in numbered:
        first, second = cells[figure.line.number or 0]
        expected = (cents(figure.current), cents(figure.earlier))
        if statement.form.printed_columns == (2, 1):
            expected = expected[::-1]
        assert (cell_decimal(first), cell_decimal(second)) == expected, figure.line.name


def test_a_mapping_that_begins_its_right_side_twice_is_refused_by_line() -> None:
    text = """\
balance-sheet:
  title: Balance sheet
  lines:
    - {line: 1, name: Cash, accounts: [Assets]}
    - {heading: Liabilities, right: true}
    - {line: 2, name: Payables, accounts: [Liabilities], negate: true, right: true}
income-statement:
  title: Income statement
  printed-columns: [2, 2]
  lines:
    - {line: 1, name: Profit, accounts: [Income, Expenses], negate: true, right: yes please}
"""
    mapping, problems = read_mapping(text, "financials.yaml")
    assert mapping is None
    assert [problem.location() + " " + problem.message for problem in problems] == [
        (
            "financials.yaml:6 the balance-sheet has its right-hand side begin twice (also at "
            "line 5); mark only the first line of that side 'right: true'."
        ),
        "financials.yaml:11 line 1: right must be true or false.",
        (
            "financials.yaml:9 income-statement printed-columns must be [1, 2] or [2, 1]: the "
            "order the printed form gives the columns."
        ),
    ]


SALE = (
    '2025-01-08 * "顾客" "零售收入"\n'
    "  Assets:1002-银行存款:工商银行  1130.00 CNY\n"
    "  Income:5001-主营业务收入  -1000.00 CNY\n"
    "  Liabilities:2221-应交税费:应交增值税  -130.00 CNY\n"
)


def test_financials_writes_a_pdf_and_a_workbook_to_a_file(practice_with_client: Path) -> None:
    practice = practice_with_client
    append_entry(practice, HUAMEI_JANUARY, SALE)
    commit_all(practice, "January")
    period = ("financials", "huamei", "--period", "2025-01", "--prepared-by", PREPARER)
    pdf = run_beanfirm(*period, "--format", "pdf", "-o", "out/f.pdf", cwd=practice)
    assert pdf.code == 2, pdf.err  # no folder out/: refused by the option, nothing written
    assert not (practice / "out").exists()
    before = tree_state(practice)
    pdf = run_beanfirm(*period, "--format", "pdf", "-o", "../f.pdf", cwd=practice)
    assert pdf.code == 0, pdf.err
    texts = page_texts((practice.parent / "f.pdf").read_bytes())
    assert "Test Firm" in texts[0]
    assert f"制表人：{PREPARER}" in texts[1]  # noqa: RUF001
    assert "1,130.00" in texts[0]
    xlsx = run_beanfirm(
        *period, "--format", "xlsx", "-o", "../f.xlsx", "--lang", "en", cwd=practice
    )
    assert xlsx.code == 0, xlsx.err
    book = load_workbook(practice.parent / "f.xlsx")
    assert book.sheetnames[:2] == ["Balance sheet", "Income statement"]
    piped = subprocess.run(
        [str(BEANFIRM), *period, "--format", "xlsx"],
        cwd=practice,
        capture_output=True,
        check=False,
        env=_environment(),
    )
    assert piped.returncode == 0, piped.stderr
    assert load_workbook(io.BytesIO(piped.stdout)).sheetnames[:2] == ["资产负债表", "利润表"]
    assert tree_state(practice) == before  # the practice itself is never written


def test_financials_refuses_binary_for_a_terminal_and_o_for_a_table(
    practice_with_client: Path,
) -> None:
    practice = practice_with_client
    before = tree_state(practice)
    primary, secondary = os.openpty()
    try:
        terminal = subprocess.run(
            [str(BEANFIRM), "financials", "huamei", "--period", "2025-01", "--format", "pdf"],
            cwd=practice,
            stdout=secondary,
            stderr=subprocess.PIPE,
            text=True,
            check=False,
            env=_environment(),
        )
    finally:
        os.close(secondary)
        os.close(primary)
    assert terminal.returncode == 2, terminal.stderr
    assert "A PDF file is not for a terminal: give -o FILE" in terminal.stderr
    table = run_beanfirm(
        "financials", "huamei", "--period", "2025-01", "-o", "../t.txt", cwd=practice
    )
    assert table.code == 2, table.err
    assert "-o writes a document (--format html | pdf | xlsx)" in table.err
    assert not (practice.parent / "t.txt").exists()
    assert tree_state(practice) == before


def test_a_mapping_error_writes_no_file(practice_with_client: Path) -> None:
    practice = practice_with_client
    (practice / "ledgers" / "huamei" / "financials.yaml").write_text(
        "balance-sheet: {title: x, lines: [{line: 1, name: y, acounts: []}]}\n", encoding="utf-8"
    )
    result = run_beanfirm(
        "financials", "huamei", "--period", "2025-01", "--format", "pdf", "-o", "../f.pdf",
        cwd=practice,
    )  # fmt: skip
    assert result.code == 2, result.err
    assert "financials.yaml:1" in result.err
    assert not (practice.parent / "f.pdf").exists()


def _environment() -> dict[str, str]:
    return {key: value for key, value in os.environ.items() if not key.startswith("BEANFIRM_")}
