"""The cash-flow statement: each movement of cash on its line, tied out against the ledger."""

from __future__ import annotations

import datetime
import json
import textwrap
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from beancount.core import realization
from cli_support import HUAMEI_JANUARY, append_entry, assert_user_error, commit_all, snapshot
from conftest import run_beanfirm
from registry_support import a_client

from beanfirm.errors import ConfigError
from beanfirm.monthend.mapping import read_mapping, template_text
from beanfirm.monthend.statements import Statements, financial_statements, month_period
from beanfirm.store.ledger import load_ledger
from beanfirm.store.registry import load_registry

if TYPE_CHECKING:
    from beanfirm.core.beans import Entries
    from beanfirm.monthend.statements import Statement

REPO = Path(__file__).resolve().parent.parent
CLIENT = a_client(name="甲公司")
CASH = ("Assets:1001", "Assets:1002", "Assets:1012")

LEDGER = """\
option "operating_currency" "CNY"
2025-12-01 open Assets:1001-库存现金
2025-12-01 open Assets:1002-银行存款:工商银行
2025-12-01 open Assets:1012-其他货币资金:支付宝
2025-12-01 open Assets:1122-应收账款:客户甲
2025-12-01 open Assets:1405-库存商品
2025-12-01 open Assets:1601-固定资产
2025-12-01 open Liabilities:2001-短期借款
2025-12-01 open Liabilities:2211-应付职工薪酬
2025-12-01 open Liabilities:2221-应交税费:应交增值税
2025-12-01 open Equity:3001-实收资本
2025-12-01 open Equity:Opening-Balances
2025-12-01 open Income:5001-主营业务收入
2025-12-01 open Expenses:5602-管理费用:办公费
2025-12-01 open Expenses:5603-财务费用:手续费
2025-12-01 open Expenses:5603-财务费用:利息

2025-12-01 * "投资" "股东投入 上一年度"
  Assets:1002-银行存款:工商银行  100000.00 CNY
  Equity:3001-实收资本  -100000.00 CNY

2026-02-01 * "期初余额" "支付宝余额 年内建账"
  Assets:1012-其他货币资金:支付宝  5000.00 CNY
  Equity:Opening-Balances  -5000.00 CNY

2026-03-10 * "银行" "短期借款"
  Assets:1002-银行存款:工商银行  50000.00 CNY
  Liabilities:2001-短期借款  -50000.00 CNY

2026-10-03 * "客户甲" "现销 含销项税"
  Assets:1002-银行存款:工商银行  11300.00 CNY
  Income:5001-主营业务收入  -10000.00 CNY
  Liabilities:2221-应交税费:应交增值税  -1300.00 CNY

2026-10-05 * "客户甲" "回款 银行扣手续费"
  Assets:1002-银行存款:工商银行  4980.00 CNY
  Expenses:5603-财务费用:手续费  20.00 CNY
  Assets:1122-应收账款:客户甲  -5000.00 CNY

2026-10-08 * "供应商丙" "购货 含进项税"
  Assets:1405-库存商品  5000.00 CNY
  Liabilities:2221-应交税费:应交增值税  650.00 CNY
  Assets:1002-银行存款:工商银行  -5650.00 CNY

2026-10-10 * "税务局" "缴纳增值税"
  Liabilities:2221-应交税费:应交增值税  650.00 CNY
  Assets:1002-银行存款:工商银行  -650.00 CNY

2026-10-12 * "" "提现"
  Assets:1001-库存现金  2000.00 CNY
  Assets:1002-银行存款:工商银行  -2000.00 CNY

2026-10-15 * "员工" "发放工资"
  Liabilities:2211-应付职工薪酬  8000.00 CNY
  Assets:1002-银行存款:工商银行  -8000.00 CNY

2026-10-18 * "电脑城" "电脑与文具 现金和银行付"
  Assets:1601-固定资产  6000.00 CNY
  Expenses:5602-管理费用:办公费  300.00 CNY
  Assets:1001-库存现金  -1500.00 CNY
  Assets:1002-银行存款:工商银行  -4800.00 CNY

2026-10-20 * "银行" "借款利息"
  Expenses:5603-财务费用:利息  250.00 CNY
  Assets:1002-银行存款:工商银行  -250.00 CNY

2026-10-25 * "政府" "稳岗补贴 记入收入"
  cash-flow: 2
  Assets:1012-其他货币资金:支付宝  800.00 CNY
  Income:5001-主营业务收入  -800.00 CNY

2026-11-02 * "客户甲" "下月现销 不在期内"
  Assets:1002-银行存款:工商银行  100.00 CNY
  Income:5001-主营业务收入  -100.00 CNY
"""

# Each line of 会小企03表 this ledger fills: (本月金额, 本年累计金额), worked out by hand.
EXPECTED = {
    # the cash sale with its 销项税 (11,300) and the receipt, net of the fee the bank kept (4,980)
    1: ("16280.00", "16280.00"),
    2: ("800.00", "800.00"),  # the grant, by the transaction's `cash-flow: 2`
    3: ("5650.00", "5650.00"),  # the goods with their 进项税, which follows the purchase
    4: ("8000.00", "8000.00"),
    5: ("650.00", "650.00"),  # VAT paid alone goes to its own line
    6: ("300.00", "300.00"),  # the stationery; the bank's fee moved no cash of the client's
    7: ("2480.00", "2480.00"),
    12: ("6000.00", "6000.00"),  # the computer, split from the stationery by weight
    13: ("-6000.00", "-6000.00"),
    14: ("0", "50000.00"),  # the loan of March: the year's column only
    17: ("250.00", "250.00"),  # interest: the account's name beats line 6's code 5603
    19: ("-250.00", "49750.00"),
    20: ("-3770.00", "46230.00"),
    21: ("155000.00", "105000.00"),  # the year's start includes the opening balance of February
    22: ("151230.00", "151230.00"),
}


def write_ledger(tmp_path: Path, text: str, mapping: str | None = None) -> Path:
    """Write a client's ledger (and its own mapping) and return its main file."""
    folder = tmp_path / "ledgers" / "alpha"
    folder.mkdir(parents=True)
    (folder / "main.beancount").write_text(text, encoding="utf-8")
    if mapping is not None:
        (folder / "financials.yaml").write_text(mapping, encoding="utf-8")
    return folder / "main.beancount"


def statements_of(
    tmp_path: Path, text: str = LEDGER, mapping: str | None = None
) -> tuple[Statements, Entries]:
    """Return the October statements of a ledger written inline, and its entries."""
    ledger = load_ledger(write_ledger(tmp_path, text, mapping))
    assert not ledger.errors
    found = financial_statements(ledger.entries, ledger.options, CLIENT, month_period("2026-10"))
    return found, ledger.entries


def cash_flow(statements: Statements) -> Statement:
    """Return the cash-flow statement, which every chart's template has."""
    assert statements.cash_flow is not None
    return statements.cash_flow


def cash_before(entries: Entries, day: datetime.date, cash: tuple[str, ...] = CASH) -> Decimal:
    """Return the cash accounts' balance before a day in CNY, as Beancount realizes it."""
    root = realization.realize(  # type: ignore[no-untyped-call]
        [entry for entry in entries if entry.date < day]
    )
    total = Decimal(0)
    for node in realization.iter_children(root):  # type: ignore[no-untyped-call]
        if node.account.startswith(cash):
            total += node.balance.get_currency_units("CNY").number
    return total


def test_each_line_holds_its_movements_and_the_statement_ties_to_the_cash(
    tmp_path: Path,
) -> None:
    statements, entries = statements_of(tmp_path)
    flows = cash_flow(statements)
    assert flows.form.form == "会小企03表"
    assert statements.all == (statements.balance_sheet, statements.income_statement, flows)
    filled = {
        figure.line.number: (str(figure.current), str(figure.earlier))
        for figure in flows.figures
        if figure.line.number is not None and (figure.current or figure.earlier)
    }
    assert filled == EXPECTED
    october, november = datetime.date(2026, 10, 1), datetime.date(2026, 11, 1)
    # 现金净增加额 is the change in the cash accounts; 期末现金余额 is the balance sheet's 货币资金.
    change = cash_before(entries, november) - cash_before(entries, october)
    assert flows.figure(20).current == change
    assert flows.figure(22).current == flows.figure(22).earlier
    assert flows.figure(22).current == statements.balance_sheet.figure(1).current
    assert flows.figure(22).current == cash_before(entries, november)
    # The year's start is the balance sheet's 年初余额 and the opening balance booked since.
    assert statements.balance_sheet.figure(1).earlier == Decimal("100000.00")
    assert flows.figure(21).earlier == Decimal("100000.00") + Decimal("5000.00")
    assert flows.figure(1).accounts == (
        "Assets:1122-应收账款:客户甲",
        "Income:5001-主营业务收入",
        "Liabilities:2221-应交税费:应交增值税",
    )


SHARED = """\
option "operating_currency" "CNY"
2025-12-01 open Assets:1001-库存现金
2025-12-01 open Assets:1002-银行存款:工商银行
2025-12-01 open Assets:1101-短期投资
2025-12-01 open Assets:1122-应收账款:客户甲
2025-12-01 open Assets:1221-其他应收款:张三
2025-12-01 open Assets:1601-固定资产
2025-12-01 open Assets:1602-累计折旧
2025-12-01 open Assets:1606-固定资产清理
2025-12-01 open Assets:1901-待处理财产损溢
2025-12-01 open Liabilities:2202-应付账款:供应商乙
2025-12-01 open Liabilities:2211-应付职工薪酬
2025-12-01 open Liabilities:2221-应交税费:应交增值税
2025-12-01 open Liabilities:2221-应交税费:应交个人所得税
2025-12-01 open Equity:3001-实收资本
2025-12-01 open Equity:3104-利润分配
2025-12-01 open Equity:Opening-Balances
2025-12-01 open Income:5111-投资收益
2025-12-01 open Expenses:5602-管理费用:差旅费
2025-12-01 open Expenses:5602-管理费用:房租
2025-12-01 open Expenses:5603-财务费用:汇兑损益
2025-12-01 open Expenses:5711-营业外支出

2026-10-01 * "期初余额" "年中建账: 余额一笔录入"
  Assets:1002-银行存款:工商银行  50000.00 CNY
  Assets:1601-固定资产  30000.00 CNY
  Assets:1602-累计折旧  -10000.00 CNY
  Equity:3001-实收资本  -60000.00 CNY
  Equity:3104-利润分配  -5000.00 CNY
  Equity:Opening-Balances  -5000.00 CNY

2026-10-03 * "机床厂" "机床 付四成 余款赊欠"
  Assets:1601-固定资产  10000.00 CNY
  Assets:1002-银行存款:工商银行  -4000.00 CNY
  Liabilities:2202-应付账款:供应商乙  -6000.00 CNY

2026-10-04 * "张三" "借支差旅费"
  Assets:1221-其他应收款:张三  1000.00 CNY
  Assets:1002-银行存款:工商银行  -1000.00 CNY

2026-10-08 * "张三" "报销差旅费 退回余款"
  Expenses:5602-管理费用:差旅费  800.00 CNY
  Assets:1001-库存现金  200.00 CNY
  Assets:1221-其他应收款:张三  -1000.00 CNY

2026-10-09 * "客户甲" "美元货款结汇 汇兑收益"
  Assets:1002-银行存款:工商银行  7150.00 CNY
  Assets:1122-应收账款:客户甲  -7100.00 CNY
  Expenses:5603-财务费用:汇兑损益  -50.00 CNY

2026-10-10 * "税务局" "缴纳增值税 滞纳金"
  Liabilities:2221-应交税费:应交增值税  10000.00 CNY
  Expenses:5711-营业外支出  50.00 CNY
  Assets:1002-银行存款:工商银行  -10050.00 CNY

2026-10-15 * "员工" "工资 代缴个税"
  Liabilities:2211-应付职工薪酬  10000.00 CNY
  Liabilities:2221-应交税费:应交个人所得税  300.00 CNY
  Assets:1002-银行存款:工商银行  -10300.00 CNY

2026-10-16 * "清运公司" "旧设备清理费"
  Assets:1606-固定资产清理  500.00 CNY
  Assets:1002-银行存款:工商银行  -500.00 CNY

2026-10-20 * "回收站" "旧设备变卖"
  Assets:1002-银行存款:工商银行  3000.00 CNY
  Assets:1606-固定资产清理  -3000.00 CNY

2026-10-21 * "证券公司" "买入股票"
  Assets:1101-短期投资  10000.00 CNY
  Assets:1002-银行存款:工商银行  -10000.00 CNY

2026-10-25 * "证券公司" "卖出股票 含收益"
  Assets:1002-银行存款:工商银行  12000.00 CNY
  Assets:1101-短期投资  -10000.00 CNY
  Income:5111-投资收益  -2000.00 CNY

2026-10-26 * "证券公司" "现金股利"
  Assets:1002-银行存款:工商银行  300.00 CNY
  Income:5111-投资收益  -300.00 CNY

2026-10-27 * "房东" "退还多收房租"
  Assets:1002-银行存款:工商银行  500.00 CNY
  Expenses:5602-管理费用:房租  -500.00 CNY

2026-10-28 * "" "库存现金盘亏"
  Assets:1901-待处理财产损溢  30.00 CNY
  Assets:1001-库存现金  -30.00 CNY
"""

# Worked out by hand: the cash each transaction moved, by the nature of what it paid or brought.
SHARED_EXPECTED = {
    1: "7150.00",  # the customer's dollars as received, the exchange gain with them
    2: "700.00",  # the 200 of the advance returned, the 500 of rent refunded
    4: "10000.00",  # the wages without the 个税 paid with them
    5: "10300.00",  # the VAT paid with a late fee, and the 个税 paid with the wages
    6: "1080.00",  # the advance (1,000), the late fee (50), the cash found short (30)
    7: "-13530.00",
    8: "12000.00",  # the shares sold, their gain included
    9: "300.00",  # the dividend
    10: "2500.00",  # 净额: 3,000 for the old machine less the 500 its removal cost
    11: "10000.00",
    12: "4000.00",  # what was paid of the machine; the 6,000 owed moved no cash
    13: "800.00",
    20: "-12730.00",
    21: "50000.00",  # the opening balances, every one in the same entry: 期初, no flow
    22: "37270.00",
}


def test_cash_is_shared_by_what_moved_it_not_by_every_leg(tmp_path: Path) -> None:
    statements, entries = statements_of(tmp_path, SHARED)
    flows = cash_flow(statements)
    filled = {
        figure.line.number: str(figure.current)
        for figure in flows.figures
        if figure.line.number is not None and figure.current
    }
    assert filled == SHARED_EXPECTED
    assert {figure.line.number: figure.earlier for figure in flows.figures} == {
        figure.line.number: figure.current for figure in flows.figures
    }
    change = cash_before(entries, datetime.date(2026, 11, 1)) - cash_before(
        entries, datetime.date(2026, 10, 2)
    )
    assert flows.figure(20).current == change
    assert flows.figure(22).current == statements.balance_sheet.figure(1).current
    assert flows.figure(10).accounts == ("Assets:1606-固定资产清理",)
    assert flows.figure(8).accounts == ("Assets:1101-短期投资", "Income:5111-投资收益")


EN_LEDGER = """\
option "operating_currency" "USD"
2025-01-01 open Assets:Bank:Checking
2025-01-01 open Assets:Cash
2025-01-01 open Assets:Receivable:Acme
2025-01-01 open Assets:Fixed:Equipment
2025-01-01 open Liabilities:Tax:Sales
2025-01-01 open Liabilities:Loans:Bank
2025-01-01 open Equity:Capital
2025-01-01 open Income:Sales
2025-01-01 open Expenses:Salaries
2025-01-01 open Expenses:Travel:Meals

2025-01-02 * "Owner" "Capital"
  Assets:Bank:Checking  10000.00 USD
  Equity:Capital  -10000.00 USD

2025-03-03 * "Bank" "Loan"
  Assets:Bank:Checking  4000.00 USD
  Liabilities:Loans:Bank  -4000.00 USD

2025-03-05 * "Walk-in" "Cash sale with sales tax"
  Assets:Cash  108.00 USD
  Income:Sales  -100.00 USD
  Liabilities:Tax:Sales  -8.00 USD

2025-03-10 * "Acme" "Invoice paid"
  Assets:Bank:Checking  500.00 USD
  Assets:Receivable:Acme  -500.00 USD

2025-03-12 * "Dell" "Laptop and a lunch"
  Assets:Fixed:Equipment  1200.00 USD
  Expenses:Travel:Meals  30.00 USD
  Assets:Bank:Checking  -1230.00 USD

2025-03-25 * "Staff" "Payroll"
  Expenses:Salaries  900.00 USD
  Assets:Bank:Checking  -900.00 USD

2025-03-28 * "Owner" "Drawings"
  Equity:Capital  200.00 USD
  Assets:Bank:Checking  -200.00 USD
"""


def test_the_english_chart_has_a_cash_flow_statement_by_activity(tmp_path: Path) -> None:
    ledger = load_ledger(write_ledger(tmp_path, EN_LEDGER))
    assert not ledger.errors
    client = a_client(currency="USD", language="en")
    statements = financial_statements(
        ledger.entries, ledger.options, client, month_period("2025-03")
    )
    flows = cash_flow(statements)
    assert flows.title("en") == "Cash flow statement"
    filled = {
        figure.line.name: (str(figure.current), str(figure.earlier))
        for figure in flows.figures
        if figure.line.number is not None and (figure.current or figure.earlier)
    }
    assert filled == {
        "Receipts from customers": ("608.00", "608.00"),  # the sale with its tax, the invoice
        "Payments to suppliers": ("30.00", "30.00"),
        "Payments to employees": ("900.00", "900.00"),
        "Net cash from operating activities": ("-322.00", "-322.00"),
        "Purchases of equipment": ("1200.00", "1200.00"),
        "Net cash from investing activities": ("-1200.00", "-1200.00"),
        "Proceeds from loans": ("4000.00", "4000.00"),
        "Owner's contributions": ("0", "10000.00"),
        "Owner's drawings": ("200.00", "200.00"),
        "Net cash from financing activities": ("3800.00", "13800.00"),
        "Net change in cash": ("2278.00", "12278.00"),
        "Cash at the start": ("10000.00", "0"),
        "Cash at the end": ("12278.00", "12278.00"),
    }
    assert flows.figures[-1].current == statements.balance_sheet.figure(1).current


def test_a_client_mapping_moves_an_account_to_another_line_by_a_narrower_prefix(
    tmp_path: Path,
) -> None:
    own = template_text("cn-small").replace(
        '"2201", "2202", "4001"', '"2201", "2202", "Expenses:5602-管理费用:办公费", "4001"'
    )
    assert own != template_text("cn-small")
    statements, _ = statements_of(tmp_path, mapping=own)
    flows = cash_flow(statements)
    # The stationery leaves line 6, which then holds nothing (the bank's fee moved no cash).
    assert (flows.figure(3).current, flows.figure(6).current) == (Decimal("5950.00"), Decimal(0))
    assert flows.figure(22).current == Decimal("151230.00")


def test_a_posting_names_the_line_of_its_own_leg(tmp_path: Path) -> None:
    text = LEDGER.replace(
        "  Expenses:5602-管理费用:办公费  300.00 CNY\n",
        "  Expenses:5602-管理费用:办公费  300.00 CNY\n    cash-flow: 3\n",
    )
    assert text != LEDGER
    flows = cash_flow(statements_of(tmp_path, text)[0])
    assert (flows.figure(3).current, flows.figure(6).current, flows.figure(12).current) == (
        Decimal("5950.00"),
        Decimal(0),
        Decimal("6000.00"),
    )


def test_a_leg_on_the_cash_side_that_names_its_line_is_shown_gross(tmp_path: Path) -> None:
    # The fee the bank kept moved no cash (net: 4,980 received); named, it is 20 paid and
    # 5,000 received, the whole weight of each leg.
    text = LEDGER.replace(
        "  Expenses:5603-财务费用:手续费  20.00 CNY\n",
        "  Expenses:5603-财务费用:手续费  20.00 CNY\n    cash-flow: 6\n",
    )
    assert text != LEDGER
    flows = cash_flow(statements_of(tmp_path, text)[0])
    assert (flows.figure(1).current, flows.figure(6).current, flows.figure(7).current) == (
        Decimal("16300.00"),
        Decimal("320.00"),
        Decimal("2480.00"),
    )


def test_a_follow_entry_is_a_prefix_or_an_account_with_what_it_follows(tmp_path: Path) -> None:
    bad = template_text("cn-small").replace(
        '- {account: "5111", with: ["1101", "1511"]}', '- {account: "5111", along: ["1101"]}'
    )
    assert bad != template_text("cn-small")
    with pytest.raises(ConfigError) as raised:
        statements_of(tmp_path, mapping=bad)
    assert any(
        "unknown key 'along' in a follow entry" in problem.message
        for problem in raised.value.problems
    )


def test_a_movement_no_line_takes_names_the_transaction_and_a_likely_line(
    tmp_path: Path,
) -> None:
    text = LEDGER.replace(
        "2025-12-01 open Assets:1601-固定资产",
        "2025-12-01 open Assets:1601-固定资产\n2025-12-01 open Assets:1604-在建工程:厂房",
    ) + textwrap.dedent("""
        2026-10-28 * "施工队" "退回多付的工程款"
          Assets:1002-银行存款:工商银行  900.00 CNY
          Assets:1604-在建工程:厂房  -900.00 CNY
        """)
    with pytest.raises(ConfigError) as raised:
        statements_of(tmp_path, text)
    assert "add each account below to a line of 'cash-flow' in the client's financials.yaml" in (
        raised.value.message
    )
    [problem] = raised.value.problems
    assert problem.filename.endswith("main.beancount")
    assert problem.line == text.count("\n") - 2  # the transaction's first line
    assert problem.message.startswith(
        "cash received from Assets:1604-在建工程:厂房 on 2026-10-28 is on no line of the "
        "现金流量表; it probably belongs to line "
    )


def test_a_transaction_naming_a_line_that_takes_no_flows_is_refused(tmp_path: Path) -> None:
    text = LEDGER.replace("  cash-flow: 2\n", "  cash-flow: 7\n")
    with pytest.raises(ConfigError) as raised:
        statements_of(tmp_path, text)
    [problem] = raised.value.problems
    assert problem.line == LEDGER[: LEDGER.index("  cash-flow: 2")].count("\n")  # its first line
    assert problem.message.startswith(
        "cash-flow: 7 names no line of the 现金流量表 that takes flows; give one of 1, 2, 3, 4, 5, "
    )


def test_cash_accounts_the_balance_sheet_does_not_count_as_cash_are_refused(
    tmp_path: Path,
) -> None:
    own = template_text("cn-small").replace('cash: ["1001", "1002", "1012"]', 'cash: ["1002"]')
    with pytest.raises(ConfigError) as raised:
        statements_of(tmp_path, mapping=own)
    assert raised.value.message.startswith(
        "The cash of the 现金流量表 and of the 资产负债表 differ"
    )
    key = own[: own.index("balance-sheet-line: 1")].count("\n") + 1
    assert [str(problem).split("/")[-1] for problem in raised.value.problems] == [
        (
            f"financials.yaml:{key}: Assets:1001-库存现金 (500.00) is on line 1 货币资金 but not "
            "cash in the 现金流量表."
        ),
        (
            f"financials.yaml:{key}: Assets:1012-其他货币资金:支付宝 (5800.00) is on line 1 "
            "货币资金 but not cash in the 现金流量表."
        ),
    ]


def test_an_of_line_taking_an_account_its_line_does_not_is_a_mapping_mistake(
    tmp_path: Path,
) -> None:
    own = template_text("cn-small").replace(
        '{line: 12, name: 库存商品, en: Finished goods, of: 9, accounts: ["1405"]}',
        '{line: 12, name: 库存商品, en: Finished goods, of: 9, accounts: ["1405", "1601"]}',
    )
    with pytest.raises(ConfigError) as raised:
        statements_of(tmp_path, mapping=own)
    [problem] = raised.value.problems
    assert problem.filename.endswith("financials.yaml")
    assert problem.line == own[: own.index("{line: 12, name: 库存商品")].count("\n") + 1
    assert problem.message == (
        "line 12 库存商品 takes Assets:1601-固定资产, which line 9 存货 that it is part of does "
        "not take."
    )


def test_an_of_line_larger_than_its_line_offset_by_the_others_is_no_mistake(
    tmp_path: Path,
) -> None:
    text = LEDGER.replace(
        "2025-12-01 open Expenses:5603-财务费用:利息",
        "2025-12-01 open Expenses:5603-财务费用:利息\n2025-12-01 open Expenses:5603-财务费用:汇兑损益",
    ).replace(
        "  Assets:1002-银行存款:工商银行  -250.00 CNY\n",
        "  Assets:1002-银行存款:工商银行  -250.00 CNY\n\n"
        '2026-10-21 * "银行" "结汇收益"\n'
        "  Assets:1002-银行存款:工商银行  100.00 CNY\n"
        "  Expenses:5603-财务费用:汇兑损益  -100.00 CNY\n",
    )
    income = statements_of(tmp_path, text)[0].income_statement
    # 财务费用 170 (fee 20, interest 250, exchange gain -100) and of it 利息 250.
    assert (income.figure(18).current, income.figure(19).current) == (
        Decimal("170.00"),
        Decimal("250.00"),
    )


MINIMAL = """\
balance-sheet:
  title: 资产负债表
  lines: []
income-statement:
  title: 利润表
  lines: []
"""


@pytest.mark.parametrize(
    ("section", "expected"),
    [
        (
            """\
            cash-flow:
              title: 现金流量表
              cash: ["1002"]
              lines:
                - {line: 1, name: 收, accounts: ["5001"]}
                - {line: 2, name: 也收, accounts: ["5001"]}
            """,
            (
                "mapping.yaml:12: line 2 takes '5001' for the flows both ways that line 1 (at line "
                "11) takes too; give each prefix and direction one line, or a 'flow' to each."
            ),
        ),
        (
            """\
            cash-flow:
              title: 现金流量表
              cash: ["1002"]
              lines:
                - {line: 1, name: 收, flow: in, accounts: ["5001"]}
                - {line: 2, name: 也收, flow: in, accounts: ["5001"]}
            """,
            (
                "mapping.yaml:12: line 2 takes '5001' for the inflows that line 1 (at line 11) takes "
                "too; give each prefix and direction one line, or a 'flow' to each."
            ),
        ),
        (
            """\
            cash-flow:
              title: 现金流量表
              cash: ["1002"]
              lines:
                - {line: 1, name: 转账, accounts: ["Assets:1002-银行存款:工商银行"]}
            """,
            (
                "mapping.yaml:11: line 1 takes 'Assets:1002-银行存款:工商银行', a cash account: a "
                "movement between cash accounts is no flow; remove it from the line."
            ),
        ),
        (
            """\
            cash-flow:
              title: 现金流量表
              cash: ["1002"]
              lines:
                - {line: 1, name: 收, side: credit, accounts: ["5001"]}
            """,
            (
                "mapping.yaml:11: line 1: a cash-flow line takes 'flow: in' or 'flow: out', not "
                "'side'."
            ),
        ),
        (
            """\
            cash-flow:
              title: 现金流量表
              cash: ["1002"]
              lines:
                - {line: 1, name: 收, flow: both, accounts: ["5001"]}
            """,
            "mapping.yaml:11: line 1: flow is 'both'; it must be one of: in, out.",
        ),
        (
            """\
            cash-flow:
              title: 现金流量表
              cash: ["1002"]
              balance-sheet-line: 5
              lines: []
            """,
            (
                "mapping.yaml:10: balance-sheet-line: 5 is no line of the balance sheet that "
                "takes accounts; give the line of cash (货币资金)."
            ),
        ),
        (
            """\
            cash-flow:
              title: 现金流量表
              cash: ["1002"]
              lines:
                - {line: 1, name: 期初, balance: start, flow: in}
            """,
            (
                "mapping.yaml:11: line 1: 'flow' belongs on a line that takes accounts, not on a "
                "total or a balance."
            ),
        ),
        (
            """\
            cash-flow:
              title: 现金流量表
              lines:
                - {line: 1, name: 期初, balance: start, accounts: ["1002"]}
            """,
            "mapping.yaml:8: cash-flow is missing the required key 'cash'.",
        ),
    ],
)
def test_a_cash_flow_section_with_a_mistake_names_its_line(section: str, expected: str) -> None:
    mapping, problems = read_mapping(MINIMAL + textwrap.dedent(section), "mapping.yaml")
    assert mapping is None
    assert expected in [str(problem) for problem in problems], problems


@pytest.mark.parametrize(
    "client_id", ["brightpath-consulting", "dongsheng-trading", "silkroad-export"]
)
def test_the_demo_clients_cash_flows_tie_out(client_id: str) -> None:
    ledger = load_ledger(REPO / "ledgers" / client_id / "main.beancount")
    client = load_registry(REPO / "clients.yaml").client(client_id)
    statements = financial_statements(
        ledger.entries, ledger.options, client, month_period("2026-10")
    )
    flows, sheet = cash_flow(statements), statements.balance_sheet
    for column in ("current", "earlier"):
        leaves = [
            (-1 if figure.line.negate else 1) * getattr(figure, column)
            for figure in flows.figures
            if figure.line.number is not None and figure.line.takes_flows
        ]
        net = getattr(flows.figure(flows.figures[-1].line.total[0]), column)
        assert sum(leaves) == net
    last = flows.figures[-1]
    start = flows.figure(last.line.total[1])
    assert last.current == last.earlier == sheet.figure(1).current  # 期末现金余额 = 货币资金
    assert start.earlier == sheet.figure(1).earlier  # opened before the year: no opening inside
    if client_id != "silkroad-export":  # one currency (silkroad's USD is stated at rates)
        cash = (*CASH, "Assets:Cash", "Assets:Bank")
        october, november = datetime.date(2026, 10, 1), datetime.date(2026, 11, 1)
        change = cash_before(ledger.entries, november, cash) - cash_before(
            ledger.entries, october, cash
        )
        assert flows.figure(last.line.total[0]).current == change


def test_financials_show_the_cash_flow_statement_and_refuse_an_unplaced_movement(
    practice_with_client: Path,
) -> None:
    practice = practice_with_client
    append_entry(
        practice,
        HUAMEI_JANUARY,
        '2025-01-08 * "顾客" "零售收入"\n'
        "  Assets:1002-银行存款:工商银行  1130.00 CNY\n"
        "  Income:5001-主营业务收入  -1000.00 CNY\n"
        "  Liabilities:2221-应交税费:应交增值税  -130.00 CNY\n",
    )
    commit_all(practice, "January")
    result = run_beanfirm(
        "financials", "huamei", "--period", "2025-01", "--format", "json", cwd=practice
    )
    assert result.code == 0, result.err
    [flows] = [s for s in json.loads(result.out)["statements"] if s["statement"] == "cash-flow"]
    assert (flows["form"], flows["columns"]) == ("会小企03表", ["本月金额", "本年累计金额"])
    lines = {row["line"]: row["amounts"] for row in flows["lines"] if row["line"]}
    assert lines[1] == lines[20] == lines[22] == ["1130.00", "1130.00"]
    table = run_beanfirm("financials", "huamei", "--period", "2025-01", cwd=practice)
    assert "现金流量表 会小企03表 2025-01" in table.out
    line = append_entry(
        practice,
        HUAMEI_JANUARY,
        "2025-01-01 open Liabilities:2401-递延收益 CNY\n\n"
        '2025-01-09 * "财政局" "退回补助"\n'
        "  Liabilities:2401-递延收益  30.00 CNY\n"
        "  Assets:1002-银行存款:工商银行  -30.00 CNY\n",
    )
    commit_all(practice, "A movement of cash the form has no line for")
    before = snapshot(practice)
    result = run_beanfirm("financials", "huamei", "--period", "2025-01", cwd=practice)
    assert_user_error(
        result,
        2,
        f"{HUAMEI_JANUARY}:{line + 2}: cash paid against Liabilities:2401-递延收益 on 2025-01-09",
        "cash-flow: <line>",
    )
    assert snapshot(practice) == before
