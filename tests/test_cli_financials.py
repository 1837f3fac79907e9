"""`beanfirm financials` end to end: the statements of a new client, and what it refuses."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from cli_support import HUAMEI_JANUARY, append_entry, assert_user_error, commit_all, snapshot
from conftest import run_beanfirm

if TYPE_CHECKING:
    from pathlib import Path

SALE = (
    '2025-01-08 * "顾客" "零售收入"\n'
    "  Assets:1002-银行存款:工商银行  1130.00 CNY\n"
    "  Income:5001-主营业务收入  -1000.00 CNY\n"
    "  Liabilities:2221-应交税费:应交增值税  -130.00 CNY\n"
)
RENT = (
    '2025-01-20 * "房东" "一月房租"\n'
    "  Expenses:5602-管理费用:房租  400.00 CNY\n"
    "  Assets:1002-银行存款:工商银行  -400.00 CNY\n"
)


def amounts(document: dict[str, object], statement: int, line: int) -> list[str]:
    """Return a line's two amounts from the JSON output."""
    statements = document["statements"]
    assert isinstance(statements, list)
    rows = statements[statement]["lines"]
    return next(row["amounts"] for row in rows if row["line"] == line)


def test_the_statements_of_a_month_tie_out(practice_with_client: Path) -> None:
    practice = practice_with_client
    append_entry(practice, HUAMEI_JANUARY, SALE)
    append_entry(practice, HUAMEI_JANUARY, RENT)
    commit_all(practice, "January")
    result = run_beanfirm(
        "financials", "huamei", "--period", "2025-01", "--format", "json", cwd=practice
    )
    assert result.code == 0, result.err
    document = json.loads(result.out)
    assert (document["period"], document["year_start"]) == ("2025-01", "2025-01-01")
    assert amounts(document, 0, 1) == ["730.00", "0"]  # 货币资金
    assert amounts(document, 0, 36) == ["130.00", "0"]  # 应交税费
    assert amounts(document, 0, 51) == ["600.00", "0"]  # 未分配利润: the month's profit
    assert amounts(document, 0, 30) == amounts(document, 0, 53) == ["730.00", "0"]
    assert amounts(document, 1, 32) == ["600.00", "600.00"]  # 净利润
    table = run_beanfirm(
        "financials", "huamei", "--period", "2025-01", "--lang", "en", cwd=practice
    )
    assert table.code == 0, table.err
    assert "Balance sheet 会小企01表 2025-01-31" in table.out
    assert "Net profit" in table.out
    html = run_beanfirm(
        "financials", "huamei", "--period", "2025-01", "--format", "html", cwd=practice
    )
    assert html.code == 0, html.err
    assert '<p class="form">会小企02表</p>' in html.out
    assert '<p class="form">会小企03表</p>' in html.out
    assert "<th>资产</th><th>行次</th>" in html.out  # the balance sheet's two sides
    assert "<th>负债和所有者权益（或股东权益）</th><th>行次</th>" in html.out  # noqa: RUF001
    assert "<th>项目</th><th>行次</th>" in html.out  # the income statement's one
    assert (
        '<td class="name item">未分配利润</td><td class="no item">51</td>'
        '<td class="num item">600.00</td>' in html.out
    )
    assert html.out.count("会计机构负责人") == 3  # one signature line under each statement


def test_an_unmapped_account_is_refused_naming_its_open_directive(
    practice_with_client: Path,
) -> None:
    practice = practice_with_client
    line = append_entry(
        practice,
        HUAMEI_JANUARY,
        "2025-01-01 open Expenses:6601-研发费用 CNY\n\n"
        + RENT.replace("5602-管理费用:房租", "6601-研发费用"),
    )
    commit_all(practice, "An account the form has no line for")
    before = snapshot(practice)
    result = run_beanfirm("financials", "huamei", "--period", "2025-01", cwd=practice)
    assert_user_error(
        result,
        2,
        f"{HUAMEI_JANUARY}:{line}: Expenses:6601-研发费用 (400.00) is on no line of the 利润表",
        "financials.yaml",
    )
    assert snapshot(practice) == before


def test_a_mapping_with_a_typo_and_a_bad_period_are_refused(practice_with_client: Path) -> None:
    practice = practice_with_client
    mapping = practice / "ledgers" / "huamei" / "financials.yaml"
    mapping.write_text(
        "balance-sheet:\n  title: 资产负债表\n  lines:\n    - {line: 1, name: 货币资金, acounts: ['1002']}\n"
        "income-statement:\n  title: 利润表\n  lines: []\n",
        encoding="utf-8",
    )
    result = run_beanfirm("financials", "huamei", "--period", "2025-01", cwd=practice)
    assert_user_error(
        result,
        2,
        "ledgers/huamei/financials.yaml:4: unknown key 'acounts'",
        "Did you mean 'accounts'?",
    )
    result = run_beanfirm("financials", "huamei", "--period", "2025-1x", cwd=practice)
    assert_user_error(result, 2, "--period '2025-1x' is not a month: give it as YYYY-MM")
