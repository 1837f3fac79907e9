"""Statements of account: the figures, their tie to Beancount, and the HTML and CSV goldens."""

from __future__ import annotations

import dataclasses
import datetime
import re
from pathlib import Path

import pytest
from accounts_support import D, beancount_balance, load_text
from statement_support import ACME, CLIENT, CLIENT_HEAD, FIRM, FIRM_HEAD, HUALIAN, LEDGER, OPENS

from beanfirm.accounts.letterhead import letterheads
from beanfirm.accounts.messages import Messages, money
from beanfirm.accounts.openitems import Book, read_book
from beanfirm.accounts.render import statement_csv, statement_html
from beanfirm.accounts.statements import STATEMENT_TYPES, build_statement, statement_period
from beanfirm.errors import ConfigError, LedgerError, UsageError
from beanfirm.jobs import statements as statementjob
from beanfirm.jobs.statements import (
    StatementPlan,
    plan_statements,
    render_statement,
    statement_language,
    write_statements,
)
from beanfirm.store.contacts import Contact
from beanfirm.store.ledger import Ledger

DAY = datetime.date
ZERO = D(0)
GOLDENS = Path(__file__).resolve().parent / "goldens"
FEB = (DAY(2026, 2, 1), DAY(2026, 2, 28))


def book_of(tmp_path: Path, text: str = LEDGER) -> tuple[Ledger, Book]:
    ledger = load_text(tmp_path, text)
    assert [e for e in ledger.errors if "Warning" not in type(e).__name__] == []
    return ledger, read_book(ledger.entries, ledger.options)


def test_balance_forward_carries_the_opening_balance_and_runs_to_the_closing(
    tmp_path: Path,
) -> None:
    _, book = book_of(tmp_path)
    party = book.parties[HUALIAN]
    statement = build_statement(book, party, "balance-forward", start=FEB[0], end=FEB[1])
    (section,) = statement.sections
    assert section.opening == D("1000.00")
    assert [(line.kind, line.amount, line.balance) for line in section.lines] == [
        ("invoice", D("2500.00"), D("3500.00")),
        ("payment", D("-1000.00"), D("2500.00")),
        ("credit", D("-100.00"), D("2400.00")),
        ("payment", D("-1400.00"), D("1000.00")),
        ("unapplied", D("-300.00"), D("700.00")),
    ]
    assert (section.charges, section.credits, section.closing) == (
        D("2500.00"),
        D("2800.00"),
        D("700.00"),
    )
    # Aging on 02-28: INV-002 (1000.00, due 03-05) is current; the 300.00 is a credit.
    assert section.aging.buckets == (D("1000.00"), ZERO, ZERO, ZERO, ZERO)
    assert (section.aging.credits, section.aging.total) == (D("-300.00"), D("700.00"))


def test_open_item_lists_what_is_open_with_days_overdue(tmp_path: Path) -> None:
    _, book = book_of(tmp_path)
    statement = build_statement(
        book, book.parties[HUALIAN], "open-item", start=None, end=DAY(2026, 4, 10)
    )
    (section,) = statement.sections
    assert section.lines == ()
    assert [
        (line.number, line.amount, line.open, line.days_overdue) for line in section.open_lines
    ] == [
        ("INV-002", D("2500.00"), D("1000.00"), 36),
        (None, D("-300.00"), D("-300.00"), 0),
        ("INV-003", D("800.00"), D("800.00"), 10),
    ]
    assert sum(line.open for line in section.open_lines) == section.closing == D("1500.00")
    assert section.aging.buckets == (ZERO, D("800.00"), D("1000.00"), ZERO, ZERO)


def test_activity_lists_the_period_without_an_opening_line(tmp_path: Path) -> None:
    _, book = book_of(tmp_path)
    statement = build_statement(book, book.parties[HUALIAN], "activity", start=FEB[0], end=FEB[1])
    html = statement_html(statement, FIRM_HEAD, CLIENT_HEAD, "en")
    assert "Opening balance" not in html
    assert ">Balance<" not in html  # no running-balance column
    assert "Balance due on 2026-02-28" in html
    assert "700.00" in html


@pytest.mark.parametrize("kind", STATEMENT_TYPES)
@pytest.mark.parametrize("end", [DAY(2026, 1, 31), DAY(2026, 2, 28), DAY(2026, 4, 10)])
def test_closing_balance_ties_to_beancount(tmp_path: Path, kind: str, end: datetime.date) -> None:
    ledger, book = book_of(tmp_path)
    for account in (HUALIAN, ACME):
        start, _ = statement_period(kind, None, end, end)  # type: ignore[arg-type]
        statement = build_statement(book, book.parties[account], kind, start=start, end=end)  # type: ignore[arg-type]
        expected = beancount_balance(ledger.entries, account, end)
        assert {c: n for c, n in statement.closing.items() if n} == expected, (account, kind)
        for section in statement.sections:
            assert section.aging.total == section.closing
            if kind == "open-item":
                assert sum(line.open for line in section.open_lines) == section.closing
            else:
                last = section.lines[-1].balance if section.lines else section.opening
                assert last == section.closing


def test_a_customer_in_two_currencies_gets_a_section_for_each(tmp_path: Path) -> None:
    text = LEDGER + (
        '2026-02-12 * "Acme" "Export INV-102" ^INV-102\n  due: 2026-03-12\n'
        "  Assets:Receivable:Acme  250.00 USD\n  Income:Sales  -250.00 USD\n"
    )
    ledger, book = book_of(
        tmp_path,
        text.replace(' CNY\n  name: "Acme', '\n  name: "Acme').replace(
            "open Income:Sales CNY", "open Income:Sales"
        ),
    )
    statement = build_statement(
        book, book.parties[ACME], "balance-forward", start=FEB[0], end=FEB[1]
    )
    assert statement.closing == {"CNY": D("4000.00"), "USD": D("250.00")}
    assert statement.closing == beancount_balance(ledger.entries, ACME, FEB[1])
    html = statement_html(statement, FIRM_HEAD, CLIENT_HEAD, "en")
    assert "Currency: CNY" in html
    assert "Currency: USD" in html


def test_period_that_ends_before_it_starts_is_refused() -> None:
    with pytest.raises(UsageError, match=r"ends \(2026-01-31\) before it starts \(2026-02-01\)"):
        statement_period("balance-forward", DAY(2026, 2, 1), DAY(2026, 1, 31), DAY(2026, 3, 1))
    with pytest.raises(UsageError, match="has no --from"):
        statement_period("open-item", DAY(2026, 2, 1), DAY(2026, 2, 28), DAY(2026, 3, 1))
    assert statement_period("activity", None, DAY(2026, 2, 17), DAY(2026, 3, 1)) == (
        DAY(2026, 2, 1),
        DAY(2026, 2, 17),
    )
    assert statement_period("open-item", None, None, DAY(2026, 3, 9)) == (None, DAY(2026, 3, 9))


def test_an_invoice_without_a_due_date_is_refused_with_its_line(tmp_path: Path) -> None:
    text = OPENS + (
        '2026-02-03 * "Hualian" "销售货物 INV-009" ^INV-009\n'
        "  Assets:Receivable:Hualian  500.00 CNY\n  Income:Sales\n"
    )
    _, book = book_of(tmp_path, text)
    with pytest.raises(LedgerError) as caught:
        build_statement(book, book.parties[HUALIAN], "open-item", start=None, end=FEB[1])
    (problem,) = caught.value.problems
    assert (Path(problem.filename).name, problem.line) == ("main.beancount", 15)
    assert "invoice INV-009 has no due date; add `due: YYYY-MM-DD`" in problem.message


def test_with_the_plugin_the_ledger_error_on_the_invoice_refuses_the_statement(
    tmp_path: Path,
) -> None:
    text = (
        'plugin "beanfirm.plugins.receivables"\n'
        + OPENS
        + (
            '2026-02-03 * "Hualian" "销售货物 INV-009" ^INV-009\n'
            "  Assets:Receivable:Hualian  500.00 CNY\n  Income:Sales\n"
        )
    )
    ledger = load_text(tmp_path, text)
    book = read_book(ledger.entries, ledger.options)
    parties = [book.parties[HUALIAN]]
    with pytest.raises(LedgerError) as caught:
        plan_statements(
            CLIENT,
            ledger,
            book,
            parties,
            "balance-forward",
            start=FEB[0],
            end=FEB[1],
            language=None,
            output="html",
            root=tmp_path,
            skip_empty=False,
        )
    assert "error(s) in the entries of 上海华联超市有限公司" in caught.value.message
    (problem,) = caught.value.problems
    assert problem.location() == "main.beancount:16"
    assert "INV-009 has no due date" in problem.message
    # Acme's statement is not concerned by Hualian's error.
    plans = plan_statements(
        CLIENT,
        ledger,
        book,
        [book.parties[ACME]],
        "balance-forward",
        start=FEB[0],
        end=FEB[1],
        language=None,
        output="html",
        root=tmp_path,
        skip_empty=False,
    )
    assert [plan.filename for plan in plans] == ["Acme-balance-forward-2026-02-28.html"]
    # Fava's call, given the ledger's errors, refuses the same way.
    with pytest.raises(LedgerError, match="error"):
        render_statement(
            ledger.entries,
            ledger.options,
            CLIENT,
            FIRM,
            "Hualian",
            end=FEB[1],
            errors=ledger.errors,
        )


def test_language_comes_from_lang_then_the_customer_then_the_client(tmp_path: Path) -> None:
    _, book = book_of(tmp_path, LEDGER.replace('language: "en"', 'language: "fr"'))
    assert statement_language(None, book.parties[HUALIAN], CLIENT) == "zh"
    assert statement_language("en", book.parties[HUALIAN], CLIENT) == "en"
    with pytest.raises(
        UsageError,
        match=r"Unknown language 'fr' \(`language:` of Assets:Receivable:Acme at .*main.beancount:\d+\)",
    ):
        statement_language(None, book.parties[ACME], CLIENT)
    with pytest.raises(
        UsageError, match=r"Unknown language 'de' \(--lang\): .* zh \(中文\), en \(English\)"
    ):
        statement_language("de", book.parties[HUALIAN], CLIENT)


def test_missing_letterhead_data_names_each_key_and_its_line() -> None:
    bare_firm = dataclasses.replace(FIRM, contact=Contact(address="somewhere"))
    bare_client = dataclasses.replace(CLIENT, contact=Contact())
    with pytest.raises(ConfigError) as caught:
        letterheads(bare_firm, bare_client)
    assert [p.location() for p in caught.value.problems] == ["clients.yaml:3"] * 3 + [
        "clients.yaml:20"
    ] * 3
    messages = [p.message for p in caught.value.problems]
    assert messages[0].startswith("add `phone:` to `firm:`")
    assert messages[2].startswith("add `tax-id:` to `firm:`")
    assert messages[3].startswith("add `address:` to client 'dongsheng'")
    assert letterheads(FIRM, CLIENT) == (FIRM_HEAD, CLIENT_HEAD)


def test_messages_are_in_the_statements_language_and_money_has_two_decimals() -> None:
    # That every message has its translation with the same fields: tests/test_translations.py.
    assert Messages("zh")("Date") == "日期"
    assert Messages("en")("Date") == "Date"
    with pytest.raises(UsageError, match=r"zh \(中文\), en \(English\)"):
        Messages("xx")
    assert money(D("-1234567.5")) == "-1,234,567.50"
    assert money(D("0.125")) == "0.125"


def test_render_statement_for_fava_returns_html_and_pdf_bytes(tmp_path: Path) -> None:
    ledger, _ = book_of(tmp_path)
    html = render_statement(
        ledger.entries, ledger.options, CLIENT, FIRM, "Hualian", start=FEB[0], end=FEB[1]
    )
    assert "上海华联超市有限公司" in html.decode()
    csv = render_statement(
        ledger.entries,
        ledger.options,
        CLIENT,
        FIRM,
        "Acme Robotics Ltd.",
        kind="open-item",
        end=DAY(2026, 4, 10),
        output="csv",
    )
    assert csv.decode("utf-8-sig").splitlines()[1].startswith("2026-02-05,INV-101,Robot parts")
    with pytest.raises(
        UsageError,
        match=r"dongsheng has no customer 'Nobody'\. Known customers: Acme \(Acme Robotics Ltd\.\), Hualian \(上海华联超市有限公司\)",
    ):
        render_statement(ledger.entries, ledger.options, CLIENT, FIRM, "Nobody")


GOLDEN_CASES = [
    ("balance-forward", "zh", FEB[0], FEB[1], "html"),
    ("balance-forward", "en", FEB[0], FEB[1], "csv"),
    ("open-item", "en", None, DAY(2026, 4, 10), "html"),
    ("open-item", "zh", None, DAY(2026, 4, 10), "csv"),
]


@pytest.mark.parametrize(("kind", "lang", "start", "end", "fmt"), GOLDEN_CASES)
def test_statement_matches_its_golden_file(
    tmp_path: Path,
    request: pytest.FixtureRequest,
    kind: str,
    lang: str,
    start: datetime.date | None,
    end: datetime.date,
    fmt: str,
) -> None:
    _, book = book_of(tmp_path)
    statement = build_statement(book, book.parties[HUALIAN], kind, start=start, end=end)  # type: ignore[arg-type]
    if fmt == "html":
        content = statement_html(statement, FIRM_HEAD, CLIENT_HEAD, lang).encode()
    else:
        content = statement_csv(statement, lang)
    golden = GOLDENS / f"statement-{kind}-{lang}.{fmt}"
    if request.config.getoption("--regen-goldens"):
        golden.parent.mkdir(exist_ok=True)
        golden.write_bytes(content)
    assert golden.read_bytes() == content
    if fmt == "html":
        assert re.search(r"<style>.*@page", content.decode(), re.DOTALL)


def plans_of(tmp_path: Path) -> list[StatementPlan]:
    ledger, book = book_of(tmp_path)
    parties = sorted(book.parties.values(), key=lambda party: party.key)
    return plan_statements(
        CLIENT, ledger, book, parties, "open-item", start=None, end=DAY(2026, 4, 10),
        language=None, output="pdf", root=tmp_path, skip_empty=True,
    )  # fmt: skip


def test_a_batch_that_fails_half_way_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plans = plans_of(tmp_path)
    made: list[str] = []

    def failing_pdf(html: str) -> bytes:
        if made:
            raise ConfigError("the second PDF fails")
        made.append(html)
        return b"%PDF-1.7"

    monkeypatch.setattr(statementjob, "html_to_pdf", failing_pdf)
    out = tmp_path / "out" / "batch"
    with pytest.raises(ConfigError, match="the second PDF fails"):
        write_statements(plans, out, FIRM_HEAD, CLIENT_HEAD, "pdf", jobs=1)
    assert made
    assert list((tmp_path / "out").iterdir()) == []  # no batch folder, no temporary folder


def test_a_batch_into_an_existing_folder_replaces_its_own_files_only(tmp_path: Path) -> None:
    plans = plans_of(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("kept", encoding="utf-8")
    (out / "Acme-open-item-2026-04-10.csv").write_text("old", encoding="utf-8")
    csv_plans = [dataclasses.replace(p, filename=p.filename.replace(".pdf", ".csv")) for p in plans]
    written = write_statements(csv_plans, out, FIRM_HEAD, CLIENT_HEAD, "csv")
    assert [p.name for p in written] == [
        "Acme-open-item-2026-04-10.csv",
        "Hualian-open-item-2026-04-10.csv",
    ]
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []
    assert (out / "notes.txt").read_text(encoding="utf-8") == "kept"
    assert (
        (out / "Acme-open-item-2026-04-10.csv").read_text(encoding="utf-8-sig").startswith("Date,")
    )
