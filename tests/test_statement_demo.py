"""The demo wholesaler: statements of all three types, zh and en, tie to its ledger; dunning."""

from __future__ import annotations

import csv
import datetime
import email
import io
from decimal import Decimal
from email import policy
from pathlib import Path

import pytest
from accounts_support import beancount_balance
from conftest import run_beanfirm

from beanfirm.accounts.letterhead import letterheads
from beanfirm.accounts.messages import money
from beanfirm.accounts.openitems import Book, read_book
from beanfirm.accounts.render import statement_csv, statement_html
from beanfirm.accounts.statements import STATEMENT_TYPES, build_statement, statement_period
from beanfirm.store.ledger import Ledger, load_ledger
from beanfirm.store.registry import load_registry

REPO = Path(__file__).resolve().parent.parent
CLIENT = "dongsheng-trading"
DAY = datetime.date


@pytest.fixture(scope="module")
def demo() -> tuple[Ledger, Book]:
    ledger = load_ledger(REPO / "ledgers" / CLIENT / "main.beancount")
    return ledger, read_book(ledger.entries, ledger.options)


@pytest.mark.parametrize("kind", STATEMENT_TYPES)
@pytest.mark.parametrize("end", [DAY(2025, 12, 31), DAY(2026, 10, 31), DAY(2026, 11, 23)])
def test_every_customers_statement_ties_to_the_ledger(
    demo: tuple[Ledger, Book], kind: str, end: datetime.date
) -> None:
    ledger, book = demo
    registry = load_registry(REPO / "clients.yaml")
    firm, client = letterheads(registry.firm, registry.client(CLIENT))
    assert len(book.parties) == 4
    for party in book.parties.values():
        start, _ = statement_period(kind, None, end, end)  # type: ignore[arg-type]
        statement = build_statement(book, party, kind, start=start, end=end)  # type: ignore[arg-type]
        (section,) = statement.sections
        expected = beancount_balance(ledger.entries, party.account, end).get("CNY", Decimal(0))
        assert section.closing == expected, (party.key, kind, end)
        assert section.aging.total == expected
        if kind == "open-item":
            assert sum(line.open for line in section.open_lines) == expected
        for lang in ("zh", "en"):
            html = statement_html(statement, firm, client, lang)
            assert party.name in html
            assert money(expected) in html
            rows = list(csv.reader(io.StringIO(statement_csv(statement, lang).decode("utf-8-sig"))))
            assert rows[-1][0] == end.isoformat()
            assert str(expected) in rows[-1]


def test_the_statements_show_credit_notes(demo: tuple[Ledger, Book]) -> None:
    _, book = demo
    party = book.parties["Assets:1122-应收账款:永辉超市"]
    statement = build_statement(
        book, party, "balance-forward", start=DAY(2026, 2, 1), end=DAY(2026, 2, 28)
    )
    kinds = {line.kind for section in statement.sections for line in section.lines}
    assert {"invoice", "payment", "credit"} <= kinds


def test_a_batch_of_pdf_statements_and_the_dunning_drafts(tmp_path: Path) -> None:
    out = tmp_path / "statements"
    result = run_beanfirm(
        "statement", CLIENT, "--all-customers", "--type", "open-item", "--to", "2026-10-31",
        "--lang", "en", "-o", str(out), cwd=REPO,
    )  # fmt: skip
    assert result.code == 0, result.err
    assert len(list(out.glob("*-open-item-2026-10-31.pdf"))) == 4
    drafts = tmp_path / "dunning"
    result = run_beanfirm("dunning", CLIENT, "--as-of", "2026-11-23", "-o", str(drafts), cwd=REPO)
    assert result.code == 0, result.err
    files = sorted((drafts / CLIENT).glob("*.eml"))
    assert len(files) == 4
    for path in files:
        message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        assert message["Content-Language"] == "zh-CN"
        assert message["To"]
        assert [part.get_content_type() for part in message.iter_attachments()] == [
            "application/pdf"
        ]
