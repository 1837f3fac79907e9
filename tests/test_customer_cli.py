"""`beanfirm aging`, `credit` and `forecast` end to end, on a copy of the demo practice.

The figures are checked against Beancount's own balances of the copied ledgers (realization),
not against beanfirm's open items; bad input is refused with what to do, and nothing is written.
"""

from __future__ import annotations

import datetime
import itertools
import json
import shutil
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from accounts_support import D, beancount_balance, nonzero
from cli_support import TEST_COMMITTER, assert_user_error, snapshot
from conftest import git, run_beanfirm

from beanfirm.accounts.forecast import cash_accounts
from beanfirm.store.ledger import load_ledger
from beanfirm.store.registry import load_registry

REPO = Path(__file__).resolve().parent.parent
CLIENTS = ("dongsheng-trading", "brightpath-consulting")
ON = "2026-11-23"  # the demo's "today"
DATES = ("2026-03-31", "2026-08-15", ON)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A committed copy of the demo practice (clients.yaml and two clients' ledgers)."""
    folder = tmp_path_factory.mktemp("customers") / "demo"
    folder.mkdir()
    for name in ("clients.yaml", "rules.yaml"):
        shutil.copy(REPO / name, folder / name)
    for client in ("huamei-retail", *CLIENTS, "silkroad-export"):
        shutil.copytree(REPO / "ledgers" / client, folder / "ledgers" / client)
    git(folder, "init", "-q")
    git(folder, "add", "--all")
    git(folder, *TEST_COMMITTER, "commit", "-q", "-m", "demo")
    return folder


def beanfirm_json(demo: Path, *args: str) -> Any:
    result = run_beanfirm(*args, "--json", cwd=demo)
    assert result.code == 0, result.err
    return json.loads(result.out)


def accounts_under(entries: list[Any], roots: tuple[str, ...]) -> list[str]:
    return sorted(
        {e.account for e in entries if hasattr(e, "account") and e.account.startswith(roots)}
    )


@pytest.mark.parametrize("client", CLIENTS)
@pytest.mark.parametrize("day", DATES)
@pytest.mark.parametrize("payables", [False, True])
def test_aging_ties_to_beancounts_balances(
    demo: Path, client: str, day: str, *, payables: bool
) -> None:
    args = ["aging", client, "--as-of", day, *(["--payables"] if payables else [])]
    report = beanfirm_json(demo, *args)
    ledger = load_ledger(demo / "ledgers" / client / "main.beancount")
    roots = (
        ("Liabilities:Payable:", "Liabilities:2202-应付账款:")
        if payables
        else (
            "Assets:Receivable:",
            "Assets:1122-应收账款:",
        )
    )
    sign = -1 if payables else 1
    as_of = datetime.date.fromisoformat(day)
    expected_total: dict[str, Decimal] = {}
    shown = {row["account"]: row for row in report["parties"]}
    for account in accounts_under(ledger.entries, roots):
        balance = {
            c: n * sign for c, n in beancount_balance(ledger.entries, account, as_of).items()
        }
        got = (
            {t["currency"]: D(t["total"]) for t in shown[account]["totals"]}
            if account in shown
            else {}
        )
        assert nonzero(got) == balance, (client, account, day)
        for currency, number in balance.items():
            expected_total[currency] = expected_total.get(currency, D(0)) + number
        for total in shown.get(account, {"totals": []})["totals"]:
            buckets = sum((D(v) for v in total["buckets"].values()), D(0)) + D(total["credits"])
            assert buckets == D(total["total"])
    got_total = {t["currency"]: D(t["total"]) for t in report["totals"]}
    assert nonzero(got_total) == nonzero(expected_total)
    assert expected_total or payables  # the demo has open receivables on every date


def test_aging_of_one_customer_in_a_table(demo: Path) -> None:
    result = run_beanfirm(
        "aging", "dongsheng-trading", "--customer", "华联超市", "--as-of", ON, cwd=demo
    )
    assert result.code == 0, result.err
    assert "上海华联超市有限公司" in result.out
    assert "永辉" not in result.out
    assert "INV-" in result.out
    summary = run_beanfirm(
        "aging", "brightpath-consulting", "--summary", "--buckets", "15,45", "--as-of", ON, cwd=demo
    )
    assert summary.code == 0, summary.err
    for label in ("1-15", "16-45", "46+"):
        assert label in summary.out
    assert "INV-" not in summary.out


@pytest.mark.parametrize("client", CLIENTS)
def test_credit_ratings_of_the_demo(demo: Path, client: str) -> None:
    report = beanfirm_json(demo, "credit", client, "--as-of", ON)
    ledger = load_ledger(demo / "ledgers" / client / "main.beancount")
    customers = accounts_under(ledger.entries, ("Assets:Receivable:", "Assets:1122-应收账款:"))
    assert [
        c["account"] for c in sorted(report["customers"], key=lambda c: c["account"])
    ] == customers
    as_of = datetime.date.fromisoformat(ON)
    for customer in report["customers"]:
        assert customer["rating"] in {"A", "B", "C", "D"}
        assert [f["factor"] for f in customer["factors"]] == [
            "days_to_pay",
            "paid_late",
            "overdue_now",
            "trend",
        ]
        assert customer["points"] == sum(f["points"] for f in customer["factors"])
        assert all(f["rule"] and f["shown"] for f in customer["factors"])
        balance = beancount_balance(ledger.entries, customer["account"], as_of)
        assert {c: D(n) for c, n in customer["balance"].items()} == balance
        limit = customer["credit_limit"]
        assert limit is not None  # every demo customer has a credit-limit
        owed = balance.get(limit["currency"], D(0))
        assert D(customer["headroom"]) == D(limit["amount"]) - owed
    text = run_beanfirm("credit", client, "--as-of", ON, cwd=demo)
    assert text.code == 0, text.err
    assert "Days to pay (weighted by amount)" in text.out
    assert "Grades: A up to 1 points" in text.out


@pytest.mark.parametrize("client", CLIENTS)
def test_forecast_starts_from_the_bank_balances(demo: Path, client: str, tmp_path: Path) -> None:
    chart = tmp_path / "forecast.svg"
    report = beanfirm_json(demo, "forecast", client, "--as-of", ON, "--chart", str(chart))
    assert chart.read_bytes().startswith(b"<?xml")
    assert b"<svg" in chart.read_bytes()
    ledger = load_ledger(demo / "ledgers" / client / "main.beancount")
    registry = load_registry(demo / "clients.yaml")
    record = registry.client(client)
    cash = cash_accounts(ledger.entries, [(a.account, a.kind) for a in record.accounts])
    as_of = datetime.date.fromisoformat(ON)
    expected = sum(
        (beancount_balance(ledger.entries, a, as_of).get("CNY", D(0)) for a in cash), D(0)
    )
    assert D(report["opening"]) == expected != 0
    weeks = report["weeks"]
    assert len(weeks) == 13
    assert D(weeks[0]["opening"]) == expected
    for before, after in itertools.pairwise(weeks):
        assert before["closing"] == after["opening"]
    for week in weeks:
        assert D(week["opening"]) + D(week["inflows"]) + D(week["outflows"]) == D(week["closing"])
        flows = [D(f["amount"]) for f in report["flows"] if f["week"] == week["week"]]
        assert sum((f for f in flows if f > 0), D(0)) == D(week["inflows"])
    # The demo pays rent and salaries every month: both are found.
    payees = {item["payee"] for item in report["recurring"]}
    assert {"上海恒基物业", "员工工资"} <= payees
    # Every open invoice is a receipt, in one of the weeks or after the last one.
    aging = beanfirm_json(demo, "aging", client, "--as-of", ON)
    invoiced = sum(
        (
            D(line["open"])
            for row in aging["parties"]
            for line in row["lines"]
            if line["kind"] != "credit"
        ),
        D(0),
    )
    receipts = [
        D(f["amount"]) for f in (*report["flows"], *report["later"]) if f["source"] == "receivable"
    ]
    assert sum(receipts, D(0)) == invoiced


def test_forecast_table_and_png_chart(demo: Path, tmp_path: Path) -> None:
    chart = tmp_path / "forecast.png"
    result = run_beanfirm(
        "forecast",
        "dongsheng-trading",
        "--weeks",
        "4",
        "--as-of",
        ON,
        "--chart",
        str(chart),
        cwd=demo,
    )
    assert result.code == 0, result.err
    assert chart.read_bytes().startswith(b"\x89PNG")
    assert "Recurring items found in the history" in result.out
    assert f"Chart written to {chart}" in result.out


# Bad input: each says what to do, and nothing is written.


@pytest.mark.parametrize(
    ("args", "code", "needles"),
    [
        (
            ("aging", "nobody"),
            2,
            ("No client 'nobody'", "Known clients: huamei-retail, dongsheng-trading"),
        ),
        (
            ("aging", "dongsheng-trading", "--customer", "Walmart"),
            2,
            (
                "dongsheng-trading has no customer 'Walmart'",
                "Known customers: 全家便利",
                "华联超市 (上海华联超市有限公司)",
                "accounts.beancount",
                "open Assets:1122-应收账款:Walmart",  # its chart's root, not the English one
            ),
        ),
        (
            ("credit", "dongsheng-trading", "--customer", "义乌小商品"),
            2,
            ("'义乌小商品' is a vendor of dongsheng-trading", "--payables"),
        ),
        (
            ("aging", "dongsheng-trading", "--payables", "--customer", "华联超市"),
            2,
            ("'华联超市' is a customer of dongsheng-trading", "no --payables"),
        ),
        (
            ("aging", "dongsheng-trading", "--customer", "Assets:1002-银行存款:招商银行"),
            2,
            ("Assets:1002-银行存款:招商银行 is not a customer account", "Assets:1122-应收账款:"),
        ),
        (
            ("aging", "dongsheng-trading", "--customer", "国家电网"),
            2,
            ("'国家电网' appears as a payee in the ledger but has no customer account",),
        ),
        (
            ("aging", "dongsheng-trading", "--buckets", "60,30"),
            2,
            ("--buckets '60,30': the limits must increase", "like --buckets 30,60,90"),
        ),
        (
            ("aging", "dongsheng-trading", "--buckets", "30,sixty"),
            2,
            ("'sixty' is not a whole number",),
        ),
        (
            ("forecast", "dongsheng-trading", "--weeks", "0"),
            2,
            ("--weeks 0 is out of range: a forecast covers 1 to 52 weeks",),
        ),
        (
            ("forecast", "dongsheng-trading", "--weeks", "53"),
            2,
            ("--weeks 53 is out of range",),
        ),
        (
            ("forecast", "dongsheng-trading", "--chart", "forecast.pdf"),
            2,
            ("give a file name ending in .png or .svg",),
        ),
        (
            ("forecast", "dongsheng-trading", "--chart", "no/such/folder/f.png"),
            2,
            ("the folder no/such/folder does not exist",),
        ),
        (
            ("credit", "dongsheng-trading", "--as-of", "2026-13-01"),
            2,
            ("Invalid value for '--as-of'",),
        ),
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(
    demo: Path, args: tuple[str, ...], code: int, needles: tuple[str, ...]
) -> None:
    before = snapshot(demo)
    result = run_beanfirm(*args, cwd=demo)
    if needles[0].startswith("Invalid value"):
        assert result.code == code
        assert needles[0] in result.err
        assert "Traceback" not in result.err
    else:
        assert_user_error(result, code, *needles)
    assert snapshot(demo) == before


def test_invoice_without_due_date_or_terms_names_its_line(tmp_path: Path) -> None:
    folder = tmp_path / "demo"
    shutil.copytree(REPO / "ledgers", folder / "ledgers")
    shutil.copy(REPO / "clients.yaml", folder / "clients.yaml")
    ledger = folder / "ledgers" / "brightpath-consulting"
    accounts = ledger / "accounts.beancount"
    accounts.write_text(
        accounts.read_text(encoding="utf-8")
        + '\n2025-10-01 open Assets:Receivable:Walk-In CNY\n  name: "Walk-in customer"\n',
        encoding="utf-8",
    )
    journal = ledger / "journal" / "2026" / "10.beancount"
    before = journal.read_text(encoding="utf-8")
    entry = (
        '\n2026-10-20 * "Walk-in" "Workshop" ^INV-2026-9999\n'
        "  Assets:Receivable:Walk-In           1200.00 CNY\n"
        "  Income:Consulting\n"
    )
    journal.write_text(before + entry, encoding="utf-8")
    line = len(before.splitlines()) + 2
    git(folder, "init", "-q")
    git(folder, "add", "--all")
    git(folder, *TEST_COMMITTER, "commit", "-q", "-m", "demo")
    state = snapshot(folder)
    result = run_beanfirm("aging", "brightpath-consulting", "--as-of", ON, cwd=folder)
    assert_user_error(
        result,
        1,
        "1 open invoice has no due date and no payment terms to age by",
        f"ledgers/brightpath-consulting/journal/2026/10.beancount:{line}: INV-2026-9999",
        "add `due: YYYY-MM-DD`",
        "`terms-days:` to the open directive of Assets:Receivable:Walk-In",
    )
    assert snapshot(folder) == state
    # The dashboard function does not fail on it, and the forecast expects it on its date.
    fc = run_beanfirm("forecast", "brightpath-consulting", "--as-of", ON, "--json", cwd=folder)
    assert fc.code == 0, fc.err
    assert "Note: the ledger of brightpath-consulting has" in fc.err
