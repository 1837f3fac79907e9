"""`beanfirm status` shows how far each account is reconciled; `--overdue` what needs work."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from cli_support import commit_all
from conftest import run_beanfirm
from import_support import BANK, add_client, cmb, import_files, write
from recon_support import JANUARY, write_month

if TYPE_CHECKING:
    from pathlib import Path

# The plugin's `today` fixes the day that overdue is counted to.
PLUGIN = "plugin \"beanfirm.plugins.reconciled\" \"{'lag-days': 15, 'today': '2025-03-20'}\"\n"
FEBRUARY_ASSERTION = (
    "\n2025-02-01 balance Assets:1002-银行存款:工商银行                         8547.19 CNY\n"
    '  reconciled-by: "ana"\n'
)


def _with_plugin(folder: Path, *, reconciled_january: bool) -> None:
    main = folder / "ledgers" / "huamei" / "main.beancount"
    main.write_text(main.read_text(encoding="utf-8") + PLUGIN, encoding="utf-8")
    commit_all(folder, "The reconciled plugin")
    write_month(folder, "2025/01", JANUARY + (FEBRUARY_ASSERTION if reconciled_january else ""))


def test_status_shows_reconciled_through_and_due(practice_with_client: Path) -> None:
    # January is reconciled; February ended on the 28th and is due 15 days later, 2025-03-15:
    # on 2025-03-20 it is overdue.
    _with_plugin(practice_with_client, reconciled_january=True)
    result = run_beanfirm("status", "--json", cwd=practice_with_client)
    # The plugin reports February missing as an error, so status exits 1, as with any error.
    assert (result.code, result.err) == (1, "")
    [row] = json.loads(result.out)
    assert (row["errors"], row["overdue"], row["reconciliations"]) == (
        1,
        1,
        [
            {
                "account": "Assets:1002-银行存款:工商银行",
                "cadence": "monthly",
                "reconciled_through": "2025-01-31",
                "due": "2025-03-15",
                "overdue": True,
            }
        ],
    )
    table = run_beanfirm("status", cwd=practice_with_client)
    assert "工商银行 2025-01-31 (overdue: due 2025-03-15)" in table.out


def test_an_account_within_its_lag_is_not_overdue(practice_with_client: Path) -> None:
    _with_plugin(practice_with_client, reconciled_january=False)
    # Move the plugin's today to 2025-02-10: January ended 10 days ago, within the 15 days.
    main = practice_with_client / "ledgers" / "huamei" / "main.beancount"
    main.write_text(main.read_text("utf-8").replace("2025-03-20", "2025-02-10"), "utf-8")
    commit_all(practice_with_client, "Earlier today")
    [row] = json.loads(run_beanfirm("status", "--json", cwd=practice_with_client).out)
    assert row["reconciliations"][0] == {
        "account": "Assets:1002-银行存款:工商银行",
        "cadence": "monthly",
        "reconciled_through": None,
        "due": "2025-02-15",
        "overdue": False,
    }
    only = run_beanfirm("status", "--overdue", cwd=practice_with_client)
    assert (only.code, only.out) == (
        0,
        "No client shown is overdue for reconciliation or has invoices past due.\n",
    )
    assert (
        json.loads(run_beanfirm("status", "--overdue", "--json", cwd=practice_with_client).out)
        == []
    )


def test_overdue_lists_only_what_needs_work(practice_with_client: Path) -> None:
    _with_plugin(practice_with_client, reconciled_january=True)
    rows = json.loads(run_beanfirm("status", "--overdue", "--json", cwd=practice_with_client).out)
    assert [(row["client"], [r["account"] for r in row["reconciliations"]]) for row in rows] == [
        ("huamei", ["Assets:1002-银行存款:工商银行"])
    ]
    table = run_beanfirm("status", "--overdue", cwd=practice_with_client)
    assert "(overdue: due 2025-03-15)" in table.out


def test_status_and_the_plugin_count_statement_cycles_alike(practice_with_client: Path) -> None:
    # The account's statements close on the 25th: January's cycle (2024-12-26 to 2025-01-25) is
    # asserted on 2025-01-26; the next one ended 2025-02-25 and is due 15 days later.
    accounts = practice_with_client / "ledgers" / "huamei" / "accounts.beancount"
    text = accounts.read_text("utf-8")
    assert 'reconcile: "monthly"' in text
    accounts.write_text(text.replace('reconcile: "monthly"', 'reconcile: "monthly@25"'), "utf-8")
    _with_plugin(practice_with_client, reconciled_january=False)
    cycle = FEBRUARY_ASSERTION.replace("2025-02-01", "2025-01-26")
    write_month(practice_with_client, "2025/01", cycle)
    result = run_beanfirm("status", "--json", cwd=practice_with_client)
    [row] = json.loads(result.out)
    assert (result.code, row["errors"], row["reconciliations"]) == (
        1,
        1,
        [
            {
                "account": "Assets:1002-银行存款:工商银行",
                "cadence": "monthly@25",
                "reconciled_through": "2025-01-25",
                "due": "2025-03-12",
                "overdue": True,
            }
        ],
    )
    check = run_beanfirm("check", "huamei", cwd=practice_with_client)
    assert "2025-01-26 to 2025-02-25" in check.out + check.err
    # The February statement, asserted: the plugin finds nothing, and status says the next
    # cycle (to 2025-03-25) is due on 2025-04-09.
    write_month(practice_with_client, "2025/02", cycle.replace("2025-01-26", "2025-02-26"))
    result = run_beanfirm("status", "--json", cwd=practice_with_client)
    [row] = json.loads(result.out)
    assert (result.code, row["errors"], row["reconciliations"][0]) == (
        0,
        0,
        {
            "account": "Assets:1002-银行存款:工商银行",
            "cadence": "monthly@25",
            "reconciled_through": "2025-02-25",
            "due": "2025-04-09",
            "overdue": False,
        },
    )
    table = run_beanfirm("status", cwd=practice_with_client)
    assert "工商银行 2025-02-25" in table.out


def test_the_balance_an_import_asserts_reconciles_the_month_before_it(practice: Path) -> None:
    # A bank export downloaded on 2024-02-02: its closing balance is asserted on 2024-02-03,
    # which reconciles January (and two days of February) though it is not on the 1st.
    add_client(practice)
    main = practice / "ledgers" / "acme" / "main.beancount"
    text = main.read_text("utf-8")
    assert "\"{'lag-days': 15}\"" in text
    today = text.replace("{'lag-days': 15}", "{'lag-days': 15, 'today': '2024-02-20'}")
    main.write_text(today, encoding="utf-8")
    commit_all(practice, "Checked as of 2024-02-20")
    rows = [
        ("2024-01-02", "10000.00", "代发工资", "上海某某公司", "工资"),
        ("2024-01-15", "-3000.00", "转账汇款", "上海恒基物业", "房租"),
        ("2024-02-02", "-35.00", "消费", "星巴克", "咖啡"),
    ]
    result = import_files(practice, "acme", str(write(practice.parent, "cmb.csv", cmb(rows))))
    assert result.code == 0, result.err
    assert "2024-02-03 balance Assets:1002-银行存款:招商银行" in "".join(
        path.read_text("utf-8") for path in (practice / "ledgers" / "acme").rglob("02.beancount")
    )
    [row] = json.loads(run_beanfirm("status", "--json", cwd=practice).out)
    assert [r for r in row["reconciliations"] if r["account"] == BANK] == [
        {
            "account": BANK,
            "cadence": "monthly",
            "reconciled_through": "2024-02-02",
            "due": "2024-03-15",
            "overdue": False,
        }
    ]
    check = run_beanfirm("check", "acme", cwd=practice)
    assert "no passing balance assertion" not in check.out + check.err
