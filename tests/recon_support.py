"""Helpers for the tests of `beanfirm reconcile`: inline ledgers and ICBC statements."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from cli_support import commit_all
from conftest import STAFF_ENV, Run, git, run_beanfirm

ICBC = "Assets:1002-银行存款:工商银行"
ICBC_FOLDER = "ledgers/huamei/documents/Assets/1002-银行存款/工商银行"
ICBC_NUMBER = "6222001"
ICBC_HEADER = "交易日期,摘要,交易场所,钞/汇,记账金额(收入),记账金额(支出),记账币种,余额,对方户名\n"

# A month of huamei's bank account: opened with 10,000.00, four movements in January 2025.
JANUARY = """\
2025-01-01 * "股东" "投入资本"
  Assets:1002-银行存款:工商银行                                10000.00 CNY
  Equity:3001-实收资本                                        -10000.00 CNY

2025-01-05 * "上海恒基物业" "房租"
  Expenses:5602-管理费用:房租                                   3000.00 CNY
  Assets:1002-银行存款:工商银行                                -3000.00 CNY

2025-01-10 * "国家电网" "电费"
  Expenses:5602-管理费用:水电费                                  201.35 CNY
  Assets:1002-银行存款:工商银行                                 -201.35 CNY

2025-01-20 * "顾客付款" "门店销售收款"
  Assets:1002-银行存款:工商银行                                 1748.54 CNY
  Income:5001-主营业务收入                                     -1748.54 CNY
"""
# The statement of those four movements.
JANUARY_LINES = [
    ("2025-01-01", "10000.00", "股东", "投入资本"),
    ("2025-01-05", "-3000.00", "上海恒基物业", "房租"),
    ("2025-01-10", "-201.35", "国家电网", "电费"),
    ("2025-01-20", "1748.54", "顾客付款", "门店销售收款"),
]
JANUARY_CLOSING = "8547.19"


def icbc_csv(
    lines: list[tuple[str, str, str, str]],
    opening: str = "0",
    number: str = ICBC_NUMBER,
    currency: str = "人民币",
) -> str:
    """An ICBC debit export, newest line first as ICBC writes it, with running balances."""
    balance = Decimal(opening)
    rows = []
    for date, amount, payee, narration in lines:
        balance += Decimal(amount)
        money_in = amount if Decimal(amount) > 0 else ""
        money_out = amount.lstrip("-") if Decimal(amount) < 0 else ""
        rows.append(f"{date},{narration},,钞,{money_in},{money_out},{currency},{balance},{payee}\n")
    return f"卡号: {number}\n" + ICBC_HEADER + "".join(reversed(rows))


def write_month(folder: Path, month: str, text: str, message: str = "Entries") -> None:
    """Append entries to a month file of huamei (created if missing) and commit."""
    path = folder / "ledgers" / "huamei" / "journal" / f"{month}.beancount"
    path.parent.mkdir(parents=True, exist_ok=True)
    before = path.read_text(encoding="utf-8") if path.exists() else f"; {month}\n"
    path.write_text(before + "\n" + text, encoding="utf-8")
    commit_all(folder, message)


def statement_file(folder: Path, name: str, text: str) -> Path:
    """Write a statement outside the practice, as one downloaded from the bank."""
    path = folder.parent / name
    path.write_text(text, encoding="utf-8")
    return path


def reconcile(folder: Path, *args: str, env: dict[str, str] | None = None) -> Run:
    """Run `beanfirm reconcile huamei --account 工商银行 ...` as the staff member ana."""
    return run_beanfirm(
        "reconcile", "huamei", "--account", "工商银行", *args, cwd=folder, env=env or STAFF_ENV
    )


def reconcile_json(folder: Path, *args: str, code: int = 0) -> dict[str, Any]:
    """Run reconcile with --json; check the exit code and return the report."""
    result = reconcile(folder, *args, "--json")
    assert (result.code, result.err) == (code, ""), (result.code, result.err, result.out)
    report: dict[str, Any] = json.loads(result.out)
    return report


def head(folder: Path) -> str:
    """Return the commit id at HEAD."""
    return git(folder, "rev-parse", "HEAD").strip()
