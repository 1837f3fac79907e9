"""Reading trial balances (科目余额表) of the accounting packages, and mapping them onto a chart."""

from __future__ import annotations

import io
from decimal import Decimal

import openpyxl
import pytest
from beancount.core import data
from beancount.parser import parser

from beanfirm.errors import StatementError
from beanfirm.ingest.chartmap import Roots, map_lines
from beanfirm.ingest.trialbalance import TrialBalance, read_trial_balance

D = Decimal

# 易代账-style: a title and preamble, groups of columns over a second header row of 借方/贷方,
# every level of accounts (1002 sums 100201 and 100202), a zero line and a total.
YIDAIZHANG = """\
科目余额表
编制单位:杭州青禾茶饮有限公司,,,,,,,
期间:2025年第12期,,,,,,,
科目编码,科目名称,期初余额,,本期发生额,,期末余额,
,,借方,贷方,借方,贷方,借方,贷方
1001,库存现金,"1,000.00",,200.00,,"1,200.00",
1002,银行存款,"40,000.00",,"5,000.00",,"45,000.00",
100201,工商银行,"30,000.00",,"5,000.00",,"35,000.00",
100202,建设银行,"10,000.00",,,,"10,000.00",
1122,应收账款,"6,000.00",,,,"6,000.00",
1601,固定资产,,,,,,
2202,应付账款,,"2,500.00",,,,"2,500.00"
3001,实收资本,,"44,500.00",,"5,200.00",,"49,700.00"
合计,,"47,000.00","47,000.00","5,200.00","5,200.00","52,200.00","52,200.00"
"""

# 用友-style: one column 科目 with the code, a direction and an unsigned balance.
YONYOU = """\
科目,方向,期末余额
1001 库存现金,借,800.00
1002 银行存款,借,"12,000.00"
2241 其他应付款,贷,800.00
3001 实收资本,贷,"12,000.00"
4103 本年利润,平,0.00
"""

# 金蝶-style: dotted codes and one header row whose names say the group and the side.
KINGDEE = """\
科目代码\t科目名称\t期初借方\t期初贷方
1002\t银行存款\t5000\t
1002.01\t招商银行\t5000\t
3001\t实收资本\t\t5000
"""

# QuickBooks Online: title lines, an unnamed account column, numbers in front of the names,
# a TOTAL row and a footer after it.
QUICKBOOKS = """\
Trial Balance
Northwind Design Ltd.
"As of December 31, 2025"

,Debit,Credit
1010 Business Checking,"$12,450.00",
1200 Accounts Receivable (A/R),"3,300.00",
2000 Accounts Payable (A/P),,"1,150.00"
3000 Owner's Equity,,"14,600.00"
TOTAL,"$15,750.00","$15,750.00"

"Accrual Basis Friday, January 2, 2026 09:14 AM GMT+08:00"
"""

# Xero: sections with headings and subtotals, the code after the name, YTD columns.
XERO = """\
Trial Balance
Harbour Studio Ltd
As at 31 December 2025
Account,Debit,Credit,YTD Debit,YTD Credit
Assets,,,,
Business Bank Account (090),1000.00,,"8,000.00",
Accounts Receivable (610),,,"2,000.00",
Total Assets,1000.00,,"10,000.00",
Equity,,,,
Owner A Funds Introduced (881),,,,"10,000.00"
Total Equity,,,,"10,000.00"
Total,1000.00,,"10,000.00","10,000.00"
"""


def read(text: str, column: str | None = None, name: str = "tb.csv") -> TrialBalance:
    return read_trial_balance(text.encode("utf-8"), name, column)


def balances(trial: TrialBalance) -> dict[str, Decimal]:
    return {line.label: line.balance for line in trial.lines}


def test_yidaizhang_closing_balances_leaves_only_and_every_row_accounted_for() -> None:
    trial = read(YIDAIZHANG, "closing")
    assert balances(trial) == {
        "1001 库存现金": D("1200.00"),
        "100201 工商银行": D("35000.00"),
        "100202 建设银行": D("10000.00"),
        "1122 应收账款": D("6000.00"),
        "2202 应付账款": D("-2500.00"),
        "3001 实收资本": D("-49700.00"),
    }
    assert [line.label for line in trial.parents] == ["1002 银行存款"]
    assert [(row.line, row.reason) for row in trial.skipped] == [
        (11, "a heading or an account without a balance"),
        (14, "the grand total, checked against the lines"),
    ]
    assert trial.rows == 9  # every row under the two header rows
    assert trial.debits == trial.credits == D("52200.00")
    assert trial.columns == "期末 (closing) debit and credit"


def test_the_opening_columns_of_the_same_file() -> None:
    trial = read(YIDAIZHANG, "opening")
    assert balances(trial)["100201 工商银行"] == D("30000.00")
    assert trial.debits == D("47000.00")


def test_a_file_with_both_groups_needs_column() -> None:
    with pytest.raises(StatementError, match=r"tb.csv:4: .*--column closing"):
        read(YIDAIZHANG)


def test_yonyou_direction_and_balance_with_the_code_in_the_name() -> None:
    trial = read(YONYOU)
    assert balances(trial) == {
        "1001 库存现金": D("800.00"),
        "1002 银行存款": D("12000.00"),
        "2241 其他应付款": D("-800.00"),
        "3001 实收资本": D("-12000.00"),
        "4103 本年利润": D("0.00"),
    }


def test_kingdee_dotted_codes_tab_separated() -> None:
    trial = read(KINGDEE)
    assert balances(trial) == {"1002.01 招商银行": D("5000"), "3001 实收资本": D("-5000")}
    assert [line.code for line in trial.parents] == ["1002"]


def test_quickbooks_unnamed_account_column_total_and_footer() -> None:
    trial = read(QUICKBOOKS)
    assert [(line.code, line.name, line.balance) for line in trial.lines] == [
        ("1010", "Business Checking", D("12450.00")),
        ("1200", "Accounts Receivable (A/R)", D("3300.00")),
        ("2000", "Accounts Payable (A/P)", D("-1150.00")),
        ("3000", "Owner's Equity", D("-14600.00")),
    ]
    assert [row.reason for row in trial.skipped] == [
        "the grand total, checked against the lines",
        "after the grand total",
    ]


def test_xero_year_to_date_columns_codes_in_brackets_sections_and_subtotals() -> None:
    trial = read(XERO)
    assert [(line.code, line.name, line.balance) for line in trial.lines] == [
        ("090", "Business Bank Account", D("8000.00")),
        ("610", "Accounts Receivable", D("2000.00")),
        ("881", "Owner A Funds Introduced", D("-10000.00")),
    ]
    reasons = [row.reason for row in trial.skipped]
    assert reasons.count("a subtotal (Total Assets)") == 1
    assert trial.columns == "YTD debit and credit"


def test_an_xlsx_trial_balance_reads_as_its_csv() -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["科目编码", "科目名称", "期末借方", "期末贷方"])
    sheet.append(["1001", "库存现金", 1200.5, None])
    sheet.append(["3001", "实收资本", None, 1200.5])
    data = io.BytesIO()
    book.save(data)
    trial = read_trial_balance(data.getvalue(), "tb.xlsx")
    assert balances(trial) == {"1001 库存现金": D("1200.5"), "3001 实收资本": D("-1200.5")}


def test_a_gbk_file_reads() -> None:
    trial = read_trial_balance(YONYOU.encode("gb18030"), "gbk.csv")
    assert balances(trial)["1002 银行存款"] == D("12000.00")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            YIDAIZHANG.replace('"45,000.00",\n', '"45,0OO.00",\n'),
            r"tb.csv:7: the debit cell '45,0OO.00' is not an amount",
        ),
        (
            YIDAIZHANG.replace('"10,000.00",,,,"10,000.00"', '"10,000.00",,,,"9,000.00"'),
            r"tb.csv:7: 1002 银行存款 shows a balance of 45,000.00 .* add up to 44,000.00",
        ),
        (
            KINGDEE.replace("3001\t实收资本\t\t5000", "3001\t实收资本\t\t4999.99"),
            r"debit balances add up to 5,000 and the credit balances to 4,999.99",
        ),
        (
            QUICKBOOKS.replace('TOTAL,"$15,750.00","$15,750.00"', "TOTAL,16000.00,16000.00"),
            r"tb.csv:10: the total row says debits 16,000.00 .* add up to 15,750.00",
        ),
        (YONYOU.replace("贷,800.00", "X,800.00"), r"tb.csv:4: the direction .* 'x'"),
        ("date,amount\n2025-01-01,3\n", r"no header row of a trial balance"),
        (
            "科目编码,科目名称,期末借方,期末贷方\n,,100.00,\n3001,实收资本,,100.00\n",
            r"tb.csv:2: this row has a balance but no account",
        ),
    ],
)
def test_what_does_not_read_or_add_up_is_refused_with_its_line(text: str, message: str) -> None:
    with pytest.raises(StatementError, match=message):
        read(text, "closing" if "期初余额" in text else None)


CHART = """\
2025-12-31 open Assets:1001-库存现金 CNY
2025-12-31 open Assets:1002-银行存款:工商银行 CNY
2025-12-31 open Assets:1002-银行存款:建设银行 CNY
2025-12-31 open Assets:1601-固定资产 CNY
2025-12-31 open Liabilities:2241-其他应付款 CNY
2025-12-31 open Equity:3001-实收资本 CNY
2025-12-31 open Equity:Opening-Balances
2025-12-31 open Assets:1122-应收账款:华联超市 CNY
2025-12-31 open Liabilities:2202-应付账款:康师傅 CNY
2025-12-31 open Assets:Checking CNY
  code: "1010"
2025-12-31 open Liabilities:Loans:Bank CNY
2025-12-31 open Assets:Deposits:Bank CNY
"""
ROOTS = Roots(("Assets:1122-应收账款:",), ("Liabilities:2202-应付账款:",))


def mapping_of(text: str, column: str | None = None) -> dict[str, tuple[str, str, str]]:
    entries, _, _ = parser.parse_string(CHART)
    opens = [entry for entry in entries if isinstance(entry, data.Open)]
    mapped, problems = map_lines(read(text, column).lines, opens, ROOTS, {}, "tb.csv")
    assert not problems, problems
    return {found.line.label: (found.account, found.target, found.how) for found in mapped}


def test_lines_map_by_code_by_name_under_their_heading_and_controls_by_root() -> None:
    assert mapping_of(YIDAIZHANG, "closing") == {
        "1001 库存现金": ("Assets:1001-库存现金", "account", "code"),
        "100201 工商银行": ("Assets:1002-银行存款:工商银行", "account", "name"),
        "100202 建设银行": ("Assets:1002-银行存款:建设银行", "account", "name"),
        "1122 应收账款": ("Assets:1122-应收账款", "control", "code"),
        "2202 应付账款": ("Liabilities:2202-应付账款", "control", "code"),
        "3001 实收资本": ("Equity:3001-实收资本", "account", "code"),
    }


def test_code_metadata_maps_and_an_unmapped_line_lists_its_candidates() -> None:
    entries, _, _ = parser.parse_string(CHART)
    opens = [entry for entry in entries if isinstance(entry, data.Open)]
    text = "科目编码,科目名称,期末借方,期末贷方\n1010,Checking,50.00,\n2001,短期借款,,30.00\n"
    text += "1601,固定资产,,20.00\n2241,其他应付款,,\n9999,Loans,,\n"
    trial = read(text)
    mapped, problems = map_lines(trial.lines, opens, ROOTS, {}, "tb.csv")
    assert [(m.line.code, m.account, m.how) for m in mapped] == [
        ("1010", "Assets:Checking", "code"),
        ("1601", "Assets:1601-固定资产", "code"),
    ]
    assert [str(problem) for problem in problems] == [
        (
            "tb.csv:3: 2001 短期借款 (credit 30.00) maps to no account of the chart; no account "
            "comes close."
        ),
    ]
    loans = "科目编码,科目名称,期末借方,期末贷方\n,Bank,,30.00\n,Checking,30.00,\n"
    mapped, problems = map_lines(read(loans).lines, opens, ROOTS, {}, "tb.csv")
    assert [str(problem) for problem in problems] == [
        (
            "tb.csv:2: Bank (credit 30.00) matches 2 accounts: Liabilities:Loans:Bank, "
            "Assets:Deposits:Bank; give the right one a `code:` or map the line."
        ),
    ]
    mapped, problems = map_lines(
        read(loans).lines, opens, ROOTS, {"Bank": "Liabilities:Loans:Bank"}, "tb.csv"
    )
    assert not problems
    assert [(m.account, m.how) for m in mapped] == [
        ("Liabilities:Loans:Bank", "mapping"),
        ("Assets:Checking", "name"),
    ]


def test_candidates_share_the_heading_code_or_a_similar_name() -> None:
    entries, _, _ = parser.parse_string(CHART)
    opens = [entry for entry in entries if isinstance(entry, data.Open)]
    text = "科目编码,科目名称,期末借方,期末贷方\n100203,招商银行,30.00,\n3001,实收资本,,30.00\n"
    _, problems = map_lines(read(text).lines, opens, ROOTS, {}, "tb.csv")
    assert [problem.message for problem in problems] == [
        (
            "100203 招商银行 (debit 30.00) maps to no account of the chart; candidates: "
            "Assets:1002-银行存款:工商银行, Assets:1002-银行存款:建设银行."
        ),
    ]


def test_an_account_whose_name_starts_like_total_is_an_account() -> None:
    text = "Account,Debit,Credit\nTotally Fresh Ltd (610),120.00,\nCapital (970),,120.00\n"
    text += "Grand Total,120.00,120.00\n"
    trial = read(text)
    assert [(line.code, line.name) for line in trial.lines] == [
        ("610", "Totally Fresh Ltd"),
        ("970", "Capital"),
    ]
    assert [row.reason for row in trial.skipped] == ["the grand total, checked against the lines"]
