"""`beanfirm status` shows each client's invoices past due; `--overdue` keeps those clients."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from cli_support import commit_all
from conftest import run_beanfirm
from recon_support import write_month

if TYPE_CHECKING:
    from pathlib import Path

# The reconciled plugin's `today` is the day the dashboard counts to; lag-days keep it quiet.
PLUGIN = "plugin \"beanfirm.plugins.reconciled\" \"{'lag-days': 400, 'today': '2025-03-20'}\"\n"
CUSTOMER = """
2025-01-01 open Assets:Receivable:Acme CNY
  name: "Acme Ltd"
  terms-days: 30
"""
INVOICES = """
2025-01-05 * "Acme" "Goods" ^INV-1
  due: 2025-02-04
  Assets:Receivable:Acme        1000.00 CNY
  Income:Sales                 -1000.00 CNY

2025-01-20 * "Acme" "Goods" ^INV-2
  due: 2025-03-31
  Assets:Receivable:Acme         500.00 CNY
  Income:Sales                  -500.00 CNY

2025-02-10 * "Acme" "Part payment" ^INV-1
  Assets:1002-银行存款:工商银行     400.00 CNY
  Assets:Receivable:Acme        -400.00 CNY
"""


def _with_invoices(folder: Path) -> None:
    ledger = folder / "ledgers" / "huamei"
    main = ledger / "main.beancount"
    main.write_text(main.read_text(encoding="utf-8") + PLUGIN, encoding="utf-8")
    accounts = ledger / "accounts.beancount"
    text = accounts.read_text(encoding="utf-8")
    if "open Income:Sales" not in text:
        text += "\n2025-01-01 open Income:Sales CNY\n"
    accounts.write_text(text + CUSTOMER, encoding="utf-8")
    commit_all(folder, "A customer")
    write_month(folder, "2025/01", INVOICES)


def test_status_counts_invoices_past_due(practice_with_client: Path) -> None:
    _with_invoices(practice_with_client)
    result = run_beanfirm("status", "--json", cwd=practice_with_client)
    assert result.err == ""
    [row] = json.loads(result.out)
    # INV-1 is 44 days past due with 600.00 left; INV-2 is not yet due.
    assert row["receivables_overdue"] == {
        "invoices": 1,
        "amounts": {"CNY": "600.00"},
        "oldest_days": 44,
    }
    table = run_beanfirm("status", cwd=practice_with_client)
    assert "1 · 600.00 CNY · 44 d" in table.out


def test_overdue_keeps_clients_with_invoices_past_due(practice_with_client: Path) -> None:
    _with_invoices(practice_with_client)
    rows = json.loads(run_beanfirm("status", "--overdue", "--json", cwd=practice_with_client).out)
    assert [(row["client"], row["receivables_overdue"]["invoices"]) for row in rows] == [
        ("huamei", 1)
    ]


def test_a_client_without_receivables_shows_none(practice_with_client: Path) -> None:
    [row] = json.loads(run_beanfirm("status", "--json", cwd=practice_with_client).out)
    assert row["receivables_overdue"] == {"invoices": 0, "amounts": {}, "oldest_days": 0}
