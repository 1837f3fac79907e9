"""`beanfirm reconcile` with the statement formats: OFX (closing balance only) and MT940."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from beancount.core import data
from cli_support import commit_all
from conftest import STAFF_ENV, git, run_beanfirm

from beanfirm.store.ledger import load_ledger

if TYPE_CHECKING:
    from pathlib import Path

OFX = (
    "OFXHEADER:100\nDATA:OFXSGML\nVERSION:102\n\n<OFX><BANKMSGSRSV1><STMTTRNRS><STMTRS>"
    "<CURDEF>USD<BANKACCTFROM><ACCTID>9876543210</BANKACCTFROM><BANKTRANLIST>"
    "<STMTTRN><TRNTYPE>DEBIT<DTPOSTED>20250105<TRNAMT>-9.99<FITID>F1<NAME>Coffee Co<MEMO>beans</STMTTRN>"
    "<STMTTRN><TRNTYPE>CREDIT<DTPOSTED>20250106<TRNAMT>20<FITID>F2<NAME>Client A</STMTTRN>"
    "</BANKTRANLIST><LEDGERBAL><BALAMT>110.01<DTASOF>20250131</LEDGERBAL></STMTRS>"
    "</STMTTRNRS></BANKMSGSRSV1></OFX>\n"
)
OFX_LEDGER = """
2025-01-02 * "Owner" "capital"
  Assets:Bank:Chase                100.00 USD
  Equity:Opening-Balances

2025-01-05 * "Coffee Co" "beans"
  import-id: "F1"
  Assets:Bank:Chase                 -9.99 USD
  Expenses:Office:Supplies

2025-01-07 * "Client A" "January invoice, typed by hand"
  Assets:Bank:Chase                 20.00 USD
  Income:Consulting
"""
MT940 = (
    ":20:REF\n:25:DE89370400440532013000\n:28C:1/1\n:60F:C250101EUR10,00\n"
    ":61:2501020102D2,50NTRFNONREF//B1\n:86:166?00GUT?20SVWZ+Text?32Name\n"
    ":61:250103C1,NMSCREF\n:86:plain\n text\n:62F:C250103EUR8,50\n-\n"
)
MT940_LEDGER = """
2025-01-01 * "Owner" "capital"
  Assets:Bank:Deutsche              10.00 EUR
  Equity:Opening-Balances

2025-01-02 * "Name" "Text"
  Assets:Bank:Deutsche              -2.50 EUR
  Expenses:Office:Supplies

2025-01-03 * "Bank" "plain text"
  Assets:Bank:Deutsche               1.00 EUR
  Income:Consulting
"""


def _client(practice: Path, client_id: str, currency: str, account: str) -> Path:
    result = run_beanfirm(
        "clients",
        "add",
        client_id,
        "--name",
        f"{client_id} Ltd",
        "--industry",
        "consulting",
        "--frequency",
        "low",
        "--region",
        "shanghai",
        "--size",
        "small",
        "--preparer",
        "bo",
        "--reviewer",
        "ana",
        "--language",
        "en",
        "--currency",
        currency,
        "--opened",
        "2025-01-01",
        "--account",
        account,
        cwd=practice,
        env=STAFF_ENV,
    )
    assert result.code == 0, result.err
    return practice / "ledgers" / client_id


def _book(folder: Path, text: str) -> None:
    month = folder / "journal" / "2025" / "01.beancount"
    month.write_text(month.read_text(encoding="utf-8") + text, encoding="utf-8")
    accounts = folder / "accounts.beancount"
    opens = "".join(
        f"2025-01-01 open {name}\n"
        for name in ("Expenses:Office:Supplies", "Income:Consulting")
        if f"open {name} " not in accounts.read_text(encoding="utf-8")
    )
    accounts.write_text(accounts.read_text(encoding="utf-8") + opens, encoding="utf-8")


def test_an_ofx_statement_states_only_its_closing_balance(practice: Path) -> None:
    folder = _client(practice, "northwind", "USD", "Assets:Bank:Chase,bank,ofx,9876543210")
    _book(folder, OFX_LEDGER)
    commit_all(practice, "January")
    statement = practice.parent / "chase.ofx"
    statement.write_text(OFX, encoding="latin-1")
    result = run_beanfirm(
        "reconcile",
        "northwind",
        "--account",
        "Chase",
        "--statement",
        str(statement),
        "--json",
        cwd=practice,
        env=STAFF_ENV,
    )
    assert (result.code, result.err) == (0, ""), result.err
    report = json.loads(result.out)
    # OFX states no opening balance: it is the closing less the movements, at the first line.
    assert (report["start"], report["end"]) == ("2025-01-05", "2025-01-31")
    assert report["opening"] == {"statement": "100.00", "ledger": "100.00", "difference": "0.00"}
    assert [(m["amount"], m["by"]) for m in report["matched"]] == [
        ("-9.99", "import-id"),
        ("20.00", "amount"),
    ]
    assert [" ".join(line.split()) for line in report["assertion"].splitlines()] == [
        "2025-02-01 balance Assets:Bank:Chase 110.01 USD",
        'statement: "documents/Assets/Bank/Chase/2025-01-31.chase.ofx"',
        'reconciled-by: "ana"',
    ]
    # Beancount finds the archived files under an account it can read: no document directives.
    assert report["documents"] == []
    ledger = load_ledger(folder / "main.beancount")
    found = sorted(
        e.filename.rsplit("/", 1)[-1] for e in ledger.entries if isinstance(e, data.Document)
    )
    assert found == [
        "2025-01-31.chase.ofx",
        "2025-01-31.reconciliation.csv",
        "2025-01-31.reconciliation.html",
    ]
    assert git(practice, "status", "--porcelain") == ""


def test_an_mt940_statement_with_its_opening_and_closing(practice: Path) -> None:
    folder = _client(
        practice, "rhein", "EUR", "Assets:Bank:Deutsche,bank,mt940,DE89370400440532013000"
    )
    _book(folder, MT940_LEDGER)
    commit_all(practice, "January")
    statement = practice.parent / "rhein.sta"
    statement.write_text(MT940, encoding="latin-1")
    result = run_beanfirm(
        "reconcile",
        "rhein",
        "--account",
        "Deutsche",
        "--statement",
        str(statement),
        "--date",
        "2025-01-31",
        "--json",
        cwd=practice,
        env=STAFF_ENV,
    )
    assert (result.code, result.err) == (0, ""), result.err
    report = json.loads(result.out)
    assert (report["start"], report["end"]) == ("2025-01-02", "2025-01-31")
    assert report["opening"] == {"statement": "10.00", "ledger": "10.00", "difference": "0.00"}
    assert report["closing"]["statement"] == "8.50"
    assert [" ".join(line.split()) for line in report["assertion"].splitlines()] == [
        "2025-02-01 balance Assets:Bank:Deutsche 8.50 EUR",
        'statement: "documents/Assets/Bank/Deutsche/2025-01-31.rhein.sta"',
        'reconciled-by: "ana"',
    ]
