"""The balance sheet and income statement tie out against Beancount's own realization."""

from __future__ import annotations

import datetime
import textwrap
from decimal import Decimal
from typing import TYPE_CHECKING

import pytest
from beancount.core import realization
from registry_support import a_client

from beanfirm.errors import ConfigError, LedgerError, UsageError
from beanfirm.monthend.closing import Period
from beanfirm.monthend.statements import (
    Statements,
    financial_statements,
    fiscal_year_start,
    month_period,
)
from beanfirm.store.ledger import load_ledger

if TYPE_CHECKING:
    from pathlib import Path

    from beanfirm.core.beans import Entries
    from beanfirm.monthend.statements import Statement

CLIENT = a_client(name="甲公司")

CN_LEDGER = """\
option "operating_currency" "CNY"
2025-12-01 open Assets:1002-银行存款:工商银行
2025-12-01 open Assets:1122-应收账款:客户甲
2025-12-01 open Assets:1122-应收账款:客户乙
2025-12-01 open Assets:1405-库存商品
2025-12-01 open Assets:1601-固定资产
2025-12-01 open Assets:1602-累计折旧
2025-12-01 open Liabilities:2202-应付账款:供应商丙
2025-12-01 open Liabilities:2203-预收账款:客户丁
2025-12-01 open Equity:3001-实收资本
2025-12-01 open Equity:3103-本年利润
2025-12-01 open Equity:3104-利润分配
2025-12-01 open Income:5001-主营业务收入
2025-12-01 open Expenses:5401-主营业务成本
2025-12-01 open Expenses:5602-管理费用:办公费
2025-12-01 open Expenses:5602-管理费用:折旧费

2025-12-01 * "投资" "股东投入"
  Assets:1002-银行存款:工商银行  100000.00 CNY
  Equity:3001-实收资本  -100000.00 CNY

2025-12-15 * "客户甲" "上年销售"
  Assets:1122-应收账款:客户甲  5000.00 CNY
  Income:5001-主营业务收入  -5000.00 CNY

2025-12-31 * "结转" "上年结转损益" #closing
  Income:5001-主营业务收入  5000.00 CNY
  Equity:3104-利润分配  -5000.00 CNY

2026-01-10 * "供应商丙" "购入设备与商品"
  Assets:1601-固定资产  12000.00 CNY
  Assets:1405-库存商品  6000.00 CNY
  Liabilities:2202-应付账款:供应商丙  -18000.00 CNY

2026-03-02 * "客户乙" "预收货款"
  Assets:1002-银行存款:工商银行  2000.00 CNY
  Assets:1122-应收账款:客户乙  -2000.00 CNY

2026-03-05 * "客户丁" "退还多收的预收款"
  Liabilities:2203-预收账款:客户丁  300.00 CNY
  Assets:1002-银行存款:工商银行  -300.00 CNY

2026-09-20 * "客户甲" "九月销售"
  Assets:1122-应收账款:客户甲  1000.00 CNY
  Income:5001-主营业务收入  -1000.00 CNY

2026-10-05 * "客户甲" "十月销售"
  Assets:1122-应收账款:客户甲  8000.00 CNY
  Income:5001-主营业务收入  -8000.00 CNY

2026-10-05 * "" "结转销售成本"
  Expenses:5401-主营业务成本  3000.00 CNY
  Assets:1405-库存商品  -3000.00 CNY

2026-10-20 * "文具店" "办公用品"
  Expenses:5602-管理费用:办公费  1000.00 CNY
  Assets:1002-银行存款:工商银行  -1000.00 CNY

2026-10-31 * "" "计提折旧"
  Expenses:5602-管理费用:折旧费  200.00 CNY
  Assets:1602-累计折旧  -200.00 CNY

2026-10-31 * "" "结转损益" #closing
  Income:5001-主营业务收入  9000.00 CNY
  Expenses:5401-主营业务成本  -3000.00 CNY
  Expenses:5602-管理费用:办公费  -1000.00 CNY
  Expenses:5602-管理费用:折旧费  -200.00 CNY
  Equity:3103-本年利润  -4800.00 CNY

2026-11-02 * "客户甲" "下月销售 不在期内"
  Assets:1122-应收账款:客户甲  700.00 CNY
  Income:5001-主营业务收入  -700.00 CNY
"""

EN_LEDGER = """\
option "operating_currency" "USD"
2024-12-01 open Assets:Bank
2024-12-01 open Assets:Receivable:Acme
2024-12-01 open Assets:Allowance
2024-12-01 open Liabilities:Payable:Office-Depot
2024-12-01 open Equity:Capital
2024-12-01 open Income:Services
2024-12-01 open Expenses:Rent
2024-12-01 open Expenses:Income-Tax
2024-12-01 open Liabilities:Tax:Income

2024-12-31 * "Owner" "Capital"
  Assets:Bank  5000.00 USD
  Equity:Capital  -5000.00 USD

2025-10-03 * "Acme" "Consulting"
  Assets:Receivable:Acme  1200.00 USD
  Income:Services  -1200.00 USD

2025-10-03 * "Acme" "Allowance for a doubtful part"
  Expenses:Rent  100.00 USD
  Assets:Allowance  -100.00 USD

2025-10-04 * "Landlord" "Rent"
  Expenses:Rent  700.00 USD
  Liabilities:Payable:Office-Depot  -700.00 USD

2025-10-31 * "" "Income tax on the month's profit"
  Expenses:Income-Tax  100.00 USD
  Liabilities:Tax:Income  -100.00 USD
"""


def ledger_at(tmp_path: Path, text: str, mapping: str | None = None) -> tuple[Entries, Path]:
    """Write a client's ledger (and its own mapping) and load it as the command does."""
    folder = tmp_path / "ledgers" / "alpha"
    folder.mkdir(parents=True)
    (folder / "main.beancount").write_text(text, encoding="utf-8")
    if mapping is not None:
        (folder / "financials.yaml").write_text(textwrap.dedent(mapping), encoding="utf-8")
    ledger = load_ledger(folder / "main.beancount")
    assert not ledger.errors
    return ledger.entries, folder / "main.beancount"


def statements_of(tmp_path: Path, text: str, period: str = "2026-10") -> Statements:
    """Return the statements of a ledger written inline."""
    entries, main = ledger_at(tmp_path, text)
    options = load_ledger(main).options
    return financial_statements(entries, options, CLIENT, month_period(period))


def realized(entries: Entries, *, before: datetime.date) -> dict[str, Decimal]:
    """Return each account's balance before a day, as Beancount realizes it."""
    root = realization.realize(  # type: ignore[no-untyped-call]
        [entry for entry in entries if entry.date < before]
    )
    balances = {}
    for node in realization.iter_children(root):  # type: ignore[no-untyped-call]
        number = node.balance.get_currency_units("CNY").number
        if number:
            balances[node.account] = number
    return balances


def column(statement: Statement, number: int) -> tuple[Decimal | None, Decimal | None]:
    """Return a line's two figures."""
    figure = statement.figure(number)
    return figure.current, figure.earlier


def test_the_balance_sheet_balances_and_each_line_is_the_sum_of_its_accounts(
    tmp_path: Path,
) -> None:
    entries, _ = ledger_at(tmp_path, CN_LEDGER)
    sheet = statements_of(tmp_path / "again", CN_LEDGER).balance_sheet
    at_end = realized(entries, before=datetime.date(2026, 11, 1))
    at_start = realized(entries, before=datetime.date(2026, 1, 1))
    assert sheet.figure(30).current == sheet.figure(53).current
    assert sheet.figure(30).earlier == sheet.figure(53).earlier
    assets = sum(value for account, value in at_end.items() if account.startswith("Assets:"))
    # 分析填列 grosses the receivables up: 客户乙's credit balance (2000) is a liability on the
    # form and 客户丁's debit balance in 预收账款 (300) an asset.
    assert sheet.figure(30).current == assets + Decimal("2000.00") + Decimal("300.00")
    placed: list[str] = []
    for figure in sheet.figures:
        if not figure.accounts or figure.line.of is not None:
            continue
        sign = -1 if figure.line.negate else 1
        assert figure.current == sign * sum(at_end.get(a, Decimal(0)) for a in figure.accounts)
        placed.extend(figure.accounts)
    # Every account with a balance, in either column, lands on exactly one line.
    assert sorted(placed) == sorted(set(at_end) | set(at_start))


def test_receivables_and_advances_are_filled_from_the_debit_and_credit_balances(
    tmp_path: Path,
) -> None:
    sheet = statements_of(tmp_path, CN_LEDGER).balance_sheet
    # 应收账款: 客户甲's debit and 客户丁's debit balance in 预收账款; 预收账款: 客户乙's credit.
    assert column(sheet, 4) == (Decimal("14300.00"), Decimal("5000.00"))
    assert sheet.figure(4).accounts == (
        "Assets:1122-应收账款:客户甲",
        "Liabilities:2203-预收账款:客户丁",
    )
    assert column(sheet, 34) == (Decimal("2000.00"), Decimal(0))
    assert column(sheet, 20) == (Decimal("11800.00"), Decimal(0))  # 原价 less 累计折旧


PARTS = """\
option "operating_currency" "CNY"
2025-12-01 open Assets:1002-银行存款:工商银行
2025-12-01 open Assets:1403-原材料
2025-12-01 open Assets:4001-生产成本
2025-12-01 open Assets:4101-制造费用
2025-12-01 open Income:5301-营业外收入:政府补助
2025-12-01 open Expenses:5403-税金及附加:城建税
2025-12-01 open Expenses:5403-税金及附加:教育费附加
2025-12-01 open Expenses:5403-税金及附加:地方教育附加
2025-12-01 open Expenses:5403-税金及附加:印花税
2025-12-01 open Expenses:5602-管理费用:业务招待费
2025-12-01 open Expenses:5602-管理费用:研究费用
2025-12-01 open Expenses:5603-财务费用:利息收入
2025-12-01 open Expenses:5711-营业外支出:税收滞纳金

2026-10-05 * "" "领料 生产 制造费用"
  Assets:4001-生产成本  5000.00 CNY
  Assets:4101-制造费用  600.00 CNY
  Assets:1403-原材料  400.00 CNY
  Assets:1002-银行存款:工商银行  -6000.00 CNY

2026-10-20 * "" "税费 费用 补贴"
  Expenses:5403-税金及附加:城建税  700.00 CNY
  Expenses:5403-税金及附加:教育费附加  300.00 CNY
  Expenses:5403-税金及附加:地方教育附加  200.00 CNY
  Expenses:5403-税金及附加:印花税  100.00 CNY
  Expenses:5602-管理费用:业务招待费  600.00 CNY
  Expenses:5602-管理费用:研究费用  900.00 CNY
  Expenses:5603-财务费用:利息收入  -30.00 CNY
  Expenses:5711-营业外支出:税收滞纳金  50.00 CNY
  Income:5301-营业外收入:政府补助  -800.00 CNY
  Assets:1002-银行存款:工商银行  -2020.00 CNY
"""


def test_the_parts_of_a_line_are_filled_from_the_sub_accounts_the_form_names(
    tmp_path: Path,
) -> None:
    found = statements_of(tmp_path, PARTS)
    sheet, income = found.balance_sheet, found.income_statement
    # 存货 takes 生产成本 and 制造费用; 在产品 is 生产成本.
    assert column(sheet, 9)[0] == Decimal("6000.00")
    assert (column(sheet, 10)[0], column(sheet, 11)[0]) == (Decimal("400.00"), Decimal("5000.00"))
    parts = {number: column(income, number)[0] for number in (3, 6, 9, 10, 16, 17, 19, 22, 23, 29)}
    assert parts == {
        3: Decimal("1300.00"),
        6: Decimal("700.00"),  # 城建税
        9: Decimal("100.00"),  # 印花税
        10: Decimal("500.00"),  # 教育费附加 and 地方教育附加
        16: Decimal("600.00"),  # 业务招待费, within 管理费用
        17: Decimal("900.00"),
        19: Decimal("-30.00"),  # interest received lessens 利息费用
        22: Decimal("800.00"),
        23: Decimal("800.00"),  # 政府补助, shown as its line 22 is
        29: Decimal("50.00"),
    }


def test_profit_is_the_change_in_retained_earnings_and_closing_entries_are_left_out(
    tmp_path: Path,
) -> None:
    statements = statements_of(tmp_path, CN_LEDGER)
    income, sheet = statements.income_statement, statements.balance_sheet
    assert column(income, 1) == (Decimal("8000.00"), Decimal("9000.00"))
    assert column(income, 32) == (Decimal("3800.00"), Decimal("4800.00"))
    retained = sheet.figure(51)
    assert retained.current is not None
    assert retained.earlier is not None
    assert income.figure(32).earlier == retained.current - retained.earlier
    assert column(income, 16) == (Decimal(0), Decimal(0))  # a 其中 line with no account in use


def test_the_statements_are_the_same_with_the_closing_entries_or_without(
    tmp_path: Path,
) -> None:
    """Booked or virtual, the close changes no figure: the client's Fava closes virtually."""
    booked = statements_of(tmp_path / "booked", CN_LEDGER)
    parts = CN_LEDGER.split("\n\n")  # its entries are separated by a blank line
    kept = [part for part in parts if "#closing" not in part.splitlines()[0]]
    assert len(kept) == len(parts) - 2  # last year's closing entry and October's
    virtual = statements_of(tmp_path / "virtual", "\n\n".join(kept))
    assert virtual.as_json("zh") == booked.as_json("zh")


def test_an_unmapped_account_is_named_with_the_line_it_probably_belongs_to(
    tmp_path: Path,
) -> None:
    text = CN_LEDGER.replace(
        "2025-12-01 open Assets:1601-固定资产",
        "2025-12-01 open Assets:1601-固定资产\n2025-12-01 open Assets:1603-固定资产减值准备",
    ).replace(
        "  Assets:1601-固定资产  12000.00 CNY", "  Assets:1603-固定资产减值准备  12000.00 CNY"
    )
    with pytest.raises(ConfigError) as raised:
        statements_of(tmp_path, text)
    [problem] = raised.value.problems
    assert problem.filename.endswith("main.beancount")
    assert problem.line == 7
    assert (
        "Assets:1603-固定资产减值准备 (12000.00) is on no line of the 资产负债表" in problem.message
    )
    assert "probably belongs to line 18 固定资产原价 (cn-small.financials.yaml:" in problem.message


def test_uncategorized_amounts_are_refused_with_what_to_do(tmp_path: Path) -> None:
    text = CN_LEDGER.replace(
        "2025-12-01 open Expenses:5401-主营业务成本",
        "2025-12-01 open Expenses:5401-主营业务成本\n2025-12-01 open Expenses:Uncategorized",
    ).replace(
        "  Expenses:5602-管理费用:办公费  1000.00 CNY", "  Expenses:Uncategorized  1000.00 CNY"
    )
    with pytest.raises(LedgerError) as raised:
        statements_of(tmp_path, text)
    assert raised.value.exit_code == 1  # a finding about the books, not the configuration
    [problem] = raised.value.problems
    assert problem.line == 15
    assert problem.message == (
        "Expenses:Uncategorized holds 1000.00: entries not yet categorized. Categorize them "
        "(docs/rules.md) before issuing statements."
    )


def test_a_client_mapping_with_a_typo_names_its_file_and_line(tmp_path: Path) -> None:
    entries, main = ledger_at(
        tmp_path,
        EN_LEDGER,
        mapping="""\
        balance-sheet:
          title: Balance sheet
          lines:
            - {line: 1, name: Assets, acounts: [Assets]}
            - {line: 2, name: Total, total: [1, 3]}
        income-statement:
          title: Income statement
          lines: []
        """,
    )
    options = load_ledger(main).options
    with pytest.raises(ConfigError) as raised:
        financial_statements(entries, options, CLIENT, month_period("2025-10"))
    messages = [
        f"{problem.location().split('/')[-1]}: {problem.message}"
        for problem in raised.value.problems
    ]
    assert messages == [
        (
            "financials.yaml:4: unknown key 'acounts' in a line of the balance-sheet. Did you "
            "mean 'accounts'? Allowed keys: line, name, en, zh, accounts, side, negate, total, "
            "of, heading, right."
        ),
        "financials.yaml:4: line 1 must have either 'accounts' or 'total' (exactly one of them).",
        "financials.yaml:5: line 2 refers to line 3, which the balance-sheet does not have.",
    ]


def test_the_english_chart_balances_with_a_comparative_column(tmp_path: Path) -> None:
    client = CLIENT.__class__(**{**CLIENT.__dict__, "currency": "USD"})
    entries, main = ledger_at(tmp_path, EN_LEDGER)
    options = load_ledger(main).options
    statements = financial_statements(entries, options, client, month_period("2025-10"))
    sheet, income = statements.balance_sheet, statements.income_statement
    assert statements.chart == "en-simple"
    assert column(sheet, 2) == (Decimal("1200.00"), Decimal(0))
    assert column(sheet, 3) == (Decimal("100.00"), Decimal(0))  # the allowance, subtracted
    assert column(sheet, 10) == (Decimal("6100.00"), Decimal("5000.00"))
    assert column(sheet, 21) == column(sheet, 10)
    # Income tax on its own line, between the profit before tax and the net profit.
    assert column(income, 21) == (Decimal("400.00"), Decimal("400.00"))
    assert column(income, 22) == (Decimal("100.00"), Decimal("100.00"))
    assert column(income, 23) == (Decimal("300.00"), Decimal("300.00"))
    assert income.figure(15).current == 0  # not among the operating expenses' taxes
    assert column(sheet, 19) == (Decimal("300.00"), Decimal(0))


def test_foreign_amounts_are_stated_at_the_latest_rate_or_refused(tmp_path: Path) -> None:
    text = CN_LEDGER.replace(
        "2025-12-01 open Assets:1002-银行存款:工商银行",
        "2025-12-01 open Assets:1002-银行存款:工商银行\n2025-12-01 open Assets:1002-银行存款:美元户",
    )
    sale = (
        '2026-10-06 * "Amazon" "美元销售"\n'
        "  Assets:1002-银行存款:美元户  100.00 USD\n"
        "  Income:5001-主营业务收入  -100.00 USD\n"
    )
    with pytest.raises(ConfigError) as raised:
        statements_of(tmp_path / "no-price", text + "\n" + sale)
    [problem] = raised.value.problems
    assert problem.line == text.count("\n") + 2  # the sale's first line
    assert "an amount in USD has no rate in CNY on or before 2026-10-06." in problem.message
    priced = statements_of(tmp_path / "price", text + "\n2026-10-01 price USD 7.10 CNY\n" + sale)
    assert column(priced.income_statement, 1) == (Decimal("8710.0000"), Decimal("9710.0000"))
    assert priced.balance_sheet.figure(30).current == priced.balance_sheet.figure(53).current


def test_amounts_converted_at_a_rate_are_stated_in_cents_and_still_balance(
    tmp_path: Path,
) -> None:
    text = CN_LEDGER.replace(
        "2025-12-01 open Assets:1002-银行存款:工商银行",
        "2025-12-01 open Assets:1002-银行存款:工商银行\n2025-12-01 open Assets:1002-银行存款:美元户",
    )
    # At 7.1235 the legs are 7.194735, 7.194735 and -14.389470 CNY: rounded half up to the cent,
    # 7.19 + 7.19 - 14.39 leaves a cent over, which goes to the largest leg (the sale).
    sale = (
        "2026-10-01 price USD 7.1235 CNY\n"
        '2026-10-06 * "Amazon" "美元销售 两笔到账"\n'
        "  Assets:1002-银行存款:美元户  1.01 USD\n"
        "  Assets:1122-应收账款:客户甲  1.01 USD\n"
        "  Income:5001-主营业务收入  -2.02 USD\n"
    )
    base = statements_of(tmp_path / "base", text)
    priced = statements_of(tmp_path / "priced", text + "\n" + sale)
    for statement in priced.all:
        for figure in statement.figures:
            for value in (figure.current, figure.earlier):
                assert value is None or value == value.quantize(Decimal("0.01")), figure
    sheet = priced.balance_sheet
    assert sheet.figure(30).current == sheet.figure(53).current
    income = column(priced.income_statement, 1)[0]
    assert income is not None
    assert income - (column(base.income_statement, 1)[0] or 0) == Decimal("14.38")
    cash = column(sheet, 1)[0]
    assert cash is not None
    assert cash - (column(base.balance_sheet, 1)[0] or 0) == Decimal("7.19")


def test_a_period_is_a_month_within_its_fiscal_year() -> None:
    assert fiscal_year_start(datetime.date(2026, 2, 28), "04-01") == datetime.date(2025, 4, 1)
    assert fiscal_year_start(datetime.date(2026, 4, 1), "04-01") == datetime.date(2026, 4, 1)
    assert month_period("2026-10", to=datetime.date(2026, 10, 15)) == Period(
        datetime.date(2026, 10, 1), datetime.date(2026, 10, 15)
    )
    with pytest.raises(UsageError, match="give it as YYYY-MM"):
        month_period("2026-13")
    with pytest.raises(UsageError, match="outside the period"):
        month_period("2026-10", to=datetime.date(2026, 11, 1))
