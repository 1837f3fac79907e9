"""The bundled demo practice: generated with a fixed seed, at least a year, all checks pass."""

from __future__ import annotations

import datetime
import json
from collections import defaultdict
from pathlib import Path

from beancount.core import data
from conftest import run_beanfirm

from beanfirm.reconcile.status import reconciled_through
from beanfirm.store.ledger import is_warning, load_ledger

REPO = Path(__file__).resolve().parent.parent
DEMO_CLIENTS = ("huamei-retail", "dongsheng-trading", "brightpath-consulting", "silkroad-export")


def test_demo_is_what_the_generator_makes(tmp_path: Path) -> None:
    result = run_beanfirm("generate", str(tmp_path / "demo"), "--demo", "--no-commit", cwd=tmp_path)
    assert result.code == 0, result.err
    generated = tmp_path / "demo"
    for path in sorted(generated.rglob("*")):
        if path.is_file() and path.name != ".gitignore":
            rel = path.relative_to(generated)
            assert (REPO / rel).read_bytes() == path.read_bytes(), f"{rel} differs from generator"


def test_demo_clients_are_of_four_kinds() -> None:
    result = run_beanfirm("clients", "list", "--json", cwd=REPO)
    assert result.code == 0, result.err
    clients = json.loads(result.out)
    assert tuple(c["id"] for c in clients) == DEMO_CLIENTS
    assert {c["classification"]["industry"] for c in clients} == {
        "retail",
        "wholesale",
        "consulting",
        "ecommerce",
    }
    silkroad = next(c for c in clients if c["id"] == "silkroad-export")
    assert {a.get("currency", "CNY") for a in silkroad["accounts"]} == {"CNY", "USD"}


def test_demo_ledgers_hold_a_year_with_monthly_balance_assertions() -> None:
    for client in DEMO_CLIENTS:
        ledger = load_ledger(REPO / "ledgers" / client / "main.beancount")
        assert [e for e in ledger.errors if not is_warning(e)] == [], client
        months = {e.date.replace(day=1) for e in ledger.entries if isinstance(e, data.Transaction)}
        assert len(months) >= 12, client
        asserted: dict[str, set[datetime.date]] = defaultdict(set)
        for entry in ledger.entries:
            if isinstance(entry, data.Balance):
                assert entry.date.day == 1, "assertions fall on the day after a month end"
                asserted[entry.account].add(entry.date)
        assert asserted, client
        for account, dates in asserted.items():
            assert len(dates) >= 12, (client, account)


def test_demo_has_receivables_visits_and_two_currencies() -> None:
    wholesale = load_ledger(REPO / "ledgers/dongsheng-trading/main.beancount")
    invoices = [
        e
        for e in wholesale.entries
        if isinstance(e, data.Transaction) and any(link.startswith("INV-") for link in e.links)
    ]
    assert invoices
    assert all("due" in e.meta for e in invoices if (e.narration or "").startswith("销售货物"))
    consulting = load_ledger(REPO / "ledgers/brightpath-consulting/main.beancount")
    visits = [
        e for e in consulting.entries if isinstance(e, data.Transaction) and "visit" in e.tags
    ]
    assert visits
    assert all({"customer", "visit"} <= set(e.meta) for e in visits)


def test_demo_check_passes_through_the_command() -> None:
    result = run_beanfirm("check", "--json", "--no-cache", cwd=REPO)
    assert result.code == 0, result.err
    rows = json.loads(result.out)
    assert [r["client"] for r in rows] == list(DEMO_CLIENTS)
    assert all(r["errors"] == [] and r["transactions"] > 400 for r in rows)


def test_demo_ledgers_run_the_five_plugins_and_are_reconciled_through_october() -> None:
    for client in DEMO_CLIENTS:
        main = REPO / "ledgers" / client / "main.beancount"
        plugins = [
            line.split()[1]
            for line in main.read_text(encoding="utf-8").splitlines()
            if line.startswith("plugin ")
        ]
        assert plugins == [
            '"beanfirm.plugins.locked"',  # first: it sees the entries as written
            '"beanfirm.plugins.categorized"',
            '"beanfirm.plugins.reconciled"',
            '"beanfirm.plugins.receivables"',
            '"beanfirm.plugins.duplicates"',
        ]
        ledger = load_ledger(main)
        through = reconciled_through(ledger.entries)
        assert through, client
        assert {r.through for r in through.values()} == {datetime.date(2026, 10, 31)}, client
        assert {r.cadence for r in through.values()} == {"monthly"}, client
