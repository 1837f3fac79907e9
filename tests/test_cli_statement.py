"""`beanfirm statement` end to end on a temporary practice; bad input writes nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_support import assert_user_error, commit_all, snapshot
from conftest import run_beanfirm
from pypdf import PdfReader
from statement_support import add_customers

FEB = ("--from", "2026-02-01", "--to", "2026-02-28")


@pytest.fixture
def shop(practice_with_client: Path) -> Path:
    return add_customers(practice_with_client)


def statements_dir(practice: Path) -> Path:
    return practice / ".beanfirm" / "statements"


def test_one_statement_of_each_format_lands_in_the_working_area(shop: Path) -> None:
    for fmt in ("html", "csv", "pdf"):
        result = run_beanfirm(
            "statement", "huamei", "--customer", "Hualian", *FEB, "--format", fmt, cwd=shop
        )
        assert result.code == 0, result.err
        path = (
            statements_dir(shop)
            / "huamei"
            / "2026-02-28"
            / f"Hualian-balance-forward-2026-02-28.{fmt}"
        )
        assert result.out.startswith(str(path.relative_to(shop))), result.out
        assert "700.00 CNY" in result.out
        assert path.is_file()
    html = statements_dir(shop) / "huamei/2026-02-28/Hualian-balance-forward-2026-02-28.html"
    assert "上海华联超市有限公司" in html.read_text(encoding="utf-8")
    pdf = PdfReader(
        statements_dir(shop) / "huamei/2026-02-28/Hualian-balance-forward-2026-02-28.pdf"
    )
    assert "上海华联超市有限公司" in pdf.pages[0].extract_text()
    assert not [p for p in (statements_dir(shop) / "huamei").iterdir() if p.name.startswith(".")]


def test_output_to_a_file_and_to_standard_output(shop: Path, tmp_path: Path) -> None:
    target = tmp_path / "out" / "acme.html"
    result = run_beanfirm(
        "statement", "huamei", "--customer", "Acme Robotics Ltd.", "--type", "open-item",
        "--to", "2026-04-10", "--format", "html", "--output", str(target), cwd=shop,
    )  # fmt: skip
    assert result.code == 0, result.err
    assert "Statement of Open Items" in target.read_text(encoding="utf-8")  # Acme reads English
    result = run_beanfirm(
        "statement", "huamei", "--customer", "Hualian", "--type", "activity", *FEB,
        "--format", "csv", "--lang", "en", "-o", "-", cwd=shop,
    )  # fmt: skip
    assert result.code == 0, result.err
    rows = result.out.lstrip("\ufeff").splitlines()
    assert rows[0] == "Date,Type,Document,Description,Charges,Payments and credits,Balance,Currency"
    assert rows[-1] == "2026-02-28,Closing balance,,,,,700.00,CNY"
    assert not statements_dir(shop).exists()


def test_all_customers_with_json_tie_to_the_balances(shop: Path, tmp_path: Path) -> None:
    folder = tmp_path / "batch"
    result = run_beanfirm(
        "statement", "huamei", "--all-customers", "--type", "open-item", "--to", "2026-04-10",
        "--output", str(folder), "--json", cwd=shop,
    )  # fmt: skip
    assert result.code == 0, result.err
    written = json.loads(result.out)
    assert [(s["customer"], s["language"]) for s in written] == [("Acme", "en"), ("Hualian", "zh")]
    assert [s["sections"][0]["closing"] for s in written] == ["4000.00", "1500.00"]
    assert sorted(p.name for p in folder.iterdir()) == [
        "Acme-open-item-2026-04-10.pdf",
        "Hualian-open-item-2026-04-10.pdf",
    ]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_all_customers_leaves_out_those_with_nothing_to_say(shop: Path) -> None:
    result = run_beanfirm(
        "statement", "huamei", "--all-customers", "--from", "2026-01-01", "--to", "2026-01-31",
        "--format", "csv", cwd=shop,
    )  # fmt: skip
    assert result.code == 0, result.err
    folder = statements_dir(shop) / "huamei" / "2026-01-31"
    assert [p.name for p in folder.iterdir()] == ["Hualian-balance-forward-2026-01-31.csv"]
    assert result.out.endswith("Wrote 1 statement(s).\n")


def assert_nothing_written(practice: Path, before: object) -> None:
    assert snapshot(practice) == before
    assert not statements_dir(practice).exists()


def test_unknown_customer_lists_the_known_ones(shop: Path) -> None:
    before = snapshot(shop)
    result = run_beanfirm("statement", "huamei", "--customer", "Lawson", *FEB, cwd=shop)
    assert_user_error(
        result, 2, "huamei has no customer 'Lawson'",
        "Known customers: Acme (Acme Robotics Ltd.), Hualian (上海华联超市有限公司)",
        "open its account in ledgers/huamei/accounts.beancount",
    )  # fmt: skip
    assert_nothing_written(shop, before)


def test_a_period_that_ends_before_it_starts(shop: Path) -> None:
    before = snapshot(shop)
    result = run_beanfirm(
        "statement", "huamei", "--customer", "Hualian", "--from", "2026-03-01", "--to",
        "2026-02-01", cwd=shop,
    )  # fmt: skip
    assert_user_error(result, 2, "ends (2026-02-01) before it starts (2026-03-01)")
    assert_nothing_written(shop, before)


def test_an_unknown_language(shop: Path) -> None:
    before = snapshot(shop)
    result = run_beanfirm("statement", "huamei", "--customer", "Hualian", "--lang", "fr", cwd=shop)
    assert_user_error(result, 2, "Unknown language 'fr' (--lang)", "zh (中文), en (English)")
    accounts = shop / "ledgers/huamei/accounts.beancount"
    accounts.write_text(
        accounts.read_text(encoding="utf-8").replace('language: "en"', 'language: "de"'),
        encoding="utf-8",
    )
    commit_all(shop, "Acme speaks German")
    before = snapshot(shop)
    line = (
        accounts.read_text(encoding="utf-8")
        .splitlines()
        .index("2026-01-01 open Assets:Receivable:Acme CNY")
    )
    result = run_beanfirm("statement", "huamei", "--all-customers", *FEB, cwd=shop)
    assert_user_error(
        result, 2, "Unknown language 'de'",
        f"Assets:Receivable:Acme at ledgers/huamei/accounts.beancount:{line + 1}",
    )  # fmt: skip
    assert_nothing_written(shop, before)


def test_an_invoice_without_a_due_date(shop: Path) -> None:
    journal = shop / "ledgers/huamei/journal/2026/02.beancount"
    text = journal.read_text(encoding="utf-8")
    journal.write_text(text.replace("  due: 2026-03-05\n", ""), encoding="utf-8")
    main = shop / "ledgers/huamei/main.beancount"
    main.write_text(
        main.read_text(encoding="utf-8") + 'plugin "beanfirm.plugins.receivables"\n',
        encoding="utf-8",
    )
    commit_all(shop, "INV-002 lost its due date")
    before = snapshot(shop)
    line = text.splitlines().index('2026-02-03 * "Hualian" "销售货物 INV-002" ^INV-002') + 1
    result = run_beanfirm("statement", "huamei", "--customer", "Hualian", *FEB, cwd=shop)
    assert_user_error(
        result, 1, "error(s) in the entries of 上海华联超市有限公司",
        f"ledgers/huamei/journal/2026/02.beancount:{line}: Invoice INV-002 has no due date",
    )  # fmt: skip
    assert_nothing_written(shop, before)
    result = run_beanfirm("dunning", "huamei", "--as-of", "2026-04-10", cwd=shop)
    assert result.code == 1
    assert f"ledgers/huamei/journal/2026/02.beancount:{line}" in result.err
    assert not (shop / ".beanfirm" / "dunning" / "2026-04-10" / "huamei").exists()
    # Acme's statement is not concerned.
    result = run_beanfirm(
        "statement", "huamei", "--customer", "Acme", *FEB, "-o", "-", "--format", "csv", cwd=shop
    )
    assert result.code == 0, result.err


def test_missing_letterhead_data_names_the_keys_and_lines(practice_with_client: Path) -> None:
    shop = add_customers(practice_with_client, letterhead=False)
    before = snapshot(shop)
    lines = (shop / "clients.yaml").read_text(encoding="utf-8").splitlines()
    firm_line = lines.index("firm:") + 2  # the first line inside `firm:`
    client_line = lines.index("  - id: huamei") + 1
    result = run_beanfirm("statement", "huamei", "--all-customers", *FEB, cwd=shop)
    assert_user_error(
        result, 2, "The letterheads of huamei's statements and reminders are incomplete",
        f"clients.yaml:{firm_line}: add `address:` to `firm:`",
        f"clients.yaml:{firm_line}: add `tax-id:` to `firm:`",
        f"clients.yaml:{client_line}: add `phone:` to client 'huamei'",
    )  # fmt: skip
    assert_nothing_written(shop, before)


def test_customer_or_all_customers_is_required(shop: Path) -> None:
    result = run_beanfirm("statement", "huamei", cwd=shop)
    assert_user_error(
        result, 2, "Say whose statement to write: give one customer with --customer NAME or"
    )
    result = run_beanfirm("statement", "huamei", "--all-customers", "-o", "-", cwd=shop)
    assert_user_error(result, 2, "--output - writes one statement")


def test_an_output_that_cannot_be_written_is_refused_in_words(shop: Path, tmp_path: Path) -> None:
    # Each was a traceback: a file as the folder, a place one may not write.
    a_file = tmp_path / "a-file.html"
    a_file.write_text("kept", encoding="utf-8")
    for target in (a_file / "x.html", Path("/proc/x.pdf")):
        result = run_beanfirm(
            "statement", "huamei", "--customer", "Hualian", *FEB, "--format", "html",
            "-o", str(target), cwd=shop,
        )  # fmt: skip
        assert_user_error(result, 2, f"Cannot write {target}", "Nothing was written there")
    assert a_file.read_text(encoding="utf-8") == "kept"
