"""The saved reconciliation report, HTML and CSV, against golden files.

Regenerate on purpose only: `.venv/bin/pytest tests/test_reconcile_report.py --regen-goldens`,
then read the diff of tests/goldens/ before committing it.
"""

from __future__ import annotations

import csv
import datetime
import io
from decimal import Decimal
from pathlib import Path

import pytest
from beancount import loader

from beanfirm.importers.statement import BankStatement, ClosingBalance, StatementRow
from beanfirm.reconcile.accountbook import account_book
from beanfirm.reconcile.comparison import Comparison, compare
from beanfirm.reconcile.period import read_period
from beanfirm.reconcile.report import ReportContext, render_csv, render_html

GOLDENS = Path(__file__).resolve().parent / "goldens"
BANK = "Assets:Bank:ICBC"
LEDGER = """
2025-01-01 open Assets:Bank:ICBC CNY
2025-01-01 open Expenses:Rent CNY
2025-01-01 open Equity:Capital CNY
2025-01-01 * "Owner" "capital"
  Assets:Bank:ICBC   1000.00 CNY
  Equity:Capital
2025-01-05 * "Landlord" "rent <January>"
  Assets:Bank:ICBC   -300.00 CNY
  Expenses:Rent
2025-01-06 * "Landlord" "rent <January>"
  Assets:Bank:ICBC   -300.00 CNY
  Expenses:Rent
2025-01-12 * "Shop" "supplies"
  Assets:Bank:ICBC   -17.25 CNY
  Expenses:Rent
2025-01-30 * "Cheque" "not cashed yet"
  Assets:Bank:ICBC   -40.00 CNY
  Expenses:Rent
"""
LINES = (
    ("2025-01-01", "1000", "Owner"),
    ("2025-01-05", "-300", "Landlord"),
    ("2025-01-12", "-12.75", "Shop"),
    ("2025-01-20", "-9", "Bank fee"),
)


def _comparison() -> Comparison:
    entries, errors, _ = loader.load_string(LEDGER)
    assert errors == []
    rows = []
    balance = Decimal(0)
    for line, (day, number, payee) in enumerate(LINES, 3):
        balance += Decimal(number)
        rows.append(
            StatementRow(
                line,
                datetime.date.fromisoformat(day),
                None,
                Decimal(number),
                "CNY",
                payee,
                "",
                None,
                balance,
                None,
                (),
                f"id-{line}",
            )
        )
    closing = (ClosingBalance(datetime.date(2025, 1, 31), balance, "CNY", 7),)
    statement = BankStatement("icbc.csv", tuple(rows), (), closing)
    period = read_period(statement, "CNY", source="icbc.csv")
    # The ledger is a string: its entries are at `<string>:line`, shown as is from any root.
    return compare(period, account_book(entries, BANK, "CNY", [BANK]), 3, Path.cwd())


def _context(language: str) -> ReportContext:
    return ReportContext(
        client_id="huamei",
        client_name="华美便利店",
        language=language,
        staff_id="li",
        prepared=datetime.date(2025, 2, 3),
        outcome="differs",
        statement="documents/Assets/Bank/ICBC/2025-01-31.icbc.csv",
        assertion=None,
        root=Path.cwd(),
    )


@pytest.mark.parametrize(("language", "fmt"), [("zh", "html"), ("en", "html"), ("en", "csv")])
def test_the_report_matches_its_golden_file(
    request: pytest.FixtureRequest, language: str, fmt: str
) -> None:
    comparison = _comparison()
    render = render_html if fmt == "html" else render_csv
    content = render(comparison, _context(language))
    golden = GOLDENS / f"reconciliation-{language}.{fmt}"
    if request.config.getoption("--regen-goldens"):
        golden.parent.mkdir(exist_ok=True)
        golden.write_bytes(content)
    assert golden.read_bytes() == content


def test_the_html_report_escapes_what_the_ledger_says() -> None:
    html = render_html(_comparison(), _context("en")).decode()
    assert "rent &lt;January&gt;" in html
    assert "<January>" not in html


def test_the_csv_report_has_a_row_per_figure_difference_and_match() -> None:
    text = render_csv(_comparison(), _context("en")).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    sections = [row["section"] for row in rows]
    assert sections.count("balance") == 5
    assert [(r["kind"], r["effect"]) for r in rows if r["section"] == "difference"] == [
        ("duplicate", "300.00"),
        ("amount", "4.50"),
        ("missing", "-9.00"),
        ("timing", "40.00"),
    ]
    assert sections.count("matched") == 2
    difference = next(r for r in rows if r["description"].startswith("closing difference"))
    assert difference["amount"] == "335.50"
