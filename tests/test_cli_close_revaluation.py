"""`beanfirm close` of a client with dollars: the revaluation (期末调汇) end to end, two months."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal
from typing import TYPE_CHECKING

import pytest
from approval_support import approve
from cli_support import commit_all, snapshot
from conftest import STAFF_ENV, git, run_beanfirm
from month_support import ADD_HUAMEI, BANK, FIRST, LAST, append_to_month, close

if TYPE_CHECKING:
    from pathlib import Path

USD_BANK = "Assets:1002-银行存款:中国银行美元户"
FX = "Expenses:5603-财务费用:汇兑损益"


@pytest.fixture
def books(practice: Path) -> Path:
    """huamei with a dollar account: 1000 USD paid in at 7.00, FIRST's month-end rate 7.10."""
    result = run_beanfirm(*ADD_HUAMEI, cwd=practice, env=STAFF_ENV)
    assert result.code == 0, result.err
    # the dollar account, registered: opened for the client's currency too, for the revaluation
    dollars = (
        "accounts", "add", "huamei", USD_BANK, "--importer", "boc-debit", "--kind", "bank",
        "--currency", "USD", "--opened", str(FIRST.start),
    )  # fmt: skip
    result = run_beanfirm(*dollars, cwd=practice, env=STAFF_ENV)
    assert result.code == 0, result.err
    chart = (practice / "ledgers/huamei/accounts.beancount").read_text(encoding="utf-8")
    assert f"{FIRST.start} open {USD_BANK} USD,CNY\n" in chart
    append_to_month(
        practice,
        "huamei",
        FIRST.start,
        f"{FIRST.start} price USD 7.00 CNY\n"
        f'{FIRST.start + datetime.timedelta(days=2)} * "股东" "投入美元"\n'
        f"  {USD_BANK}  1000.00 USD @ 7.00 CNY\n"
        "  Equity:3001-实收资本  -7000.00 CNY\n"
        f'{FIRST.start + datetime.timedelta(days=3)} * "客户" "sale"\n'
        f"  {BANK}  500.00 CNY\n"
        "  Income:5001-主营业务收入  -500.00 CNY\n"
        f"{FIRST.end} price USD 7.10 CNY\n",
    )
    append_to_month(
        practice,
        "huamei",
        LAST.start,
        f"{LAST.start} balance {BANK}  500.00 CNY\n{LAST.start} balance {USD_BANK}  1000.00 USD\n",
    )
    next_day = LAST.end + datetime.timedelta(days=1)
    append_to_month(
        practice,
        "huamei",
        LAST.end,
        f"{next_day} balance {BANK}  500.00 CNY\n{next_day} balance {USD_BANK}  1000.00 USD\n",
    )
    commit_all(practice, "Two months booked and reconciled, dollars paid in")
    assert run_beanfirm("check", "huamei", cwd=practice).code == 0
    approve(practice, "huamei")
    return practice


def cash(folder: Path, period: str) -> Decimal:
    """Return 货币资金 at the period's end as `beanfirm financials --format json` states it."""
    result = run_beanfirm(
        "financials", "huamei", "--period", period, "--format", "json", cwd=folder
    )
    assert result.code == 0, result.err
    (sheet, *_others) = json.loads(result.out)["statements"]
    line = next(line for line in sheet["lines"] if line["line"] == 1)
    return Decimal(line["amounts"][0])


def test_two_closes_revalue_the_dollars_up_then_down_and_a_missing_rate_writes_nothing(
    books: Path,
) -> None:
    folder = books
    before = snapshot(folder)
    code, out, err = close(folder, "huamei", "--period", FIRST.label, "-n")
    assert code == 0, err
    assert f"  ok   revaluation: 1 account revalued at USD 7.10 CNY ({FIRST.end})" in out
    assert f'{FIRST.end} * "期末调汇 {FIRST.label}" #revaluation' in out
    assert snapshot(folder) == before  # a dry run writes nothing
    code, out, err = close(folder, "huamei", "--period", FIRST.label)
    assert code == 0, err
    month = (
        folder / f"ledgers/huamei/journal/{FIRST.start:%Y}/{FIRST.start:%m}.beancount"
    ).read_text(encoding="utf-8")
    revaluation = month[month.index(f'{FIRST.end} * "期末调汇') : month.index("结转损益")]
    assert f"  {USD_BANK}" in revaluation
    assert "100.00 CNY" in revaluation
    assert f"  {FX}" in revaluation
    # the gain is closed to 本年利润 with the month's sale: 500.00 + 100.00
    transfer = month[month.index("结转损益") :]
    assert "-600.00 CNY" in transfer
    assert cash(folder, FIRST.label) == Decimal("7100.00") + Decimal("500.00")  # 1000 USD at 7.10
    report = (folder / f"ledgers/huamei/documents/closing/{FIRST.label}/close-report.md").read_text(
        encoding="utf-8"
    )
    assert "## Revaluation (期末调汇, #revaluation)" in report
    body = git(folder, "log", "-1", "--format=%b")
    assert (
        "(计提), the revaluation of foreign-currency balances (#revaluation), and 1 closing" in body
    )
    # the dollars' balance assertions, and every check, still hold
    assert run_beanfirm("check", "huamei", cwd=folder).code == 0
    # LAST has no rate of its own: refused, naming the dollars' posting, nothing written
    approve(folder, "huamei")
    before = snapshot(folder)
    code, out, err = close(folder, "huamei", "--period", LAST.label)
    assert code == 2, (out, err)
    assert "FAIL revaluation: " in out
    assert f"ledgers/huamei/journal/{FIRST.start:%Y}/{FIRST.start:%m}.beancount:" in err
    assert f"{USD_BANK} holds 1000.00 USD at {LAST.end}" in err
    assert f"`{LAST.end} price USD 7.10 CNY`" in err
    assert "Traceback" not in err
    assert snapshot(folder) == before
    assert git(folder, "status", "--porcelain") == ""
    # given the rate (down), the close books a loss from the revalued 7.10, not from 7.00
    append_to_month(folder, "huamei", LAST.end, f"{LAST.end} price USD 6.90 CNY\n")
    commit_all(folder, "The month-end rate")
    approve(folder, "huamei")
    code, out, err = close(folder, "huamei", "--period", LAST.label)
    assert code == 0, err
    assert f"revaluation: 1 account revalued at USD 6.90 CNY ({LAST.end})" in out
    assert cash(folder, LAST.label) == Decimal("6900.00") + Decimal("500.00")
    month = (
        folder / f"ledgers/huamei/journal/{LAST.start:%Y}/{LAST.start:%m}.beancount"
    ).read_text(encoding="utf-8")
    revaluation = month[month.index(f'{LAST.end} * "期末调汇') : month.index("结转损益")]
    assert "-200.00 CNY" in revaluation
    assert run_beanfirm("check", "huamei", cwd=folder).code == 0


def test_a_client_that_turned_it_off_closes_without_a_revaluation(books: Path) -> None:
    folder = books
    registry = folder / "clients.yaml"
    text = registry.read_text(encoding="utf-8")
    registry.write_text(
        text.replace("    name: 华美便利店\n", "    name: 华美便利店\n    revaluation: false\n"),
        encoding="utf-8",
    )
    assert "revaluation: false" in registry.read_text(encoding="utf-8")
    commit_all(folder, "huamei does not revalue")
    approve(folder, "huamei")
    code, out, err = close(folder, "huamei", "--period", FIRST.label, "-n")
    assert code == 0, err
    assert "  ok   revaluation: turned off for this client" in out
    assert "期末调汇" not in out
