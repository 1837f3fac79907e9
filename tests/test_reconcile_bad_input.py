"""`beanfirm reconcile` refuses bad input with one clear paragraph and writes nothing."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

import pytest
from cli_support import assert_user_error, snapshot
from conftest import STAFF_ENV, run_beanfirm
from recon_support import (
    JANUARY,
    JANUARY_LINES,
    icbc_csv,
    reconcile,
    reconcile_json,
    statement_file,
    write_month,
)

from beanfirm.errors import UsageError
from beanfirm.jobs.reconciling import refuse_unfinished

if TYPE_CHECKING:
    from pathlib import Path

MT940 = (
    ":20:REF\n:25:DE89370400440532013000\n:28C:1/1\n:60F:C250101EUR10,00\n"
    ":61:2501020102D2,50NTRFNONREF//B1\n:86:166?00GUT?20SVWZ+Text?32Name\n"
    ":61:250103C1,NMSCREF\n:86:plain\n text\n:62F:C250103EUR{closing}\n-\n"
)


@pytest.fixture
def january(practice_with_client: Path) -> Path:
    """huamei with January booked and committed."""
    write_month(practice_with_client, "2025/01", JANUARY, "January")
    return practice_with_client


def _refused(folder: Path, code: int, *args: str, needles: tuple[str, ...]) -> None:
    before = snapshot(folder)
    result = reconcile(folder, *args)
    assert_user_error(result, code, *needles)
    assert snapshot(folder) == before


def test_the_statement_of_another_account_number(january: Path) -> None:
    other = statement_file(january, "other.csv", icbc_csv(JANUARY_LINES, number="9999888"))
    _refused(
        january,
        2,
        "--statement",
        str(other),
        "--date",
        "2025-01-31",
        needles=("this export is for account number 9999888", "is number 6222001 in clients.yaml"),
    )


def test_a_statement_in_another_currency(january: Path) -> None:
    dollars = statement_file(january, "usd.csv", icbc_csv(JANUARY_LINES, currency="美元"))
    _refused(
        january,
        2,
        "--statement",
        str(dollars),
        needles=("the statement is in USD, but the account is kept in CNY",),
    )


def test_a_statement_that_contradicts_a_reconciled_period(january: Path) -> None:
    # By the statement the account held 7,000.00 at the start of 2025-01-08 (10,000.00 less
    # the rent); an assertion already in the ledger says 6,999.00.
    write_month(
        january,
        "2025/01",
        "2025-01-08 balance Assets:1002-银行存款:工商银行                         6999.00 CNY\n",
        "A wrong mid-month assertion",
    )
    statement = statement_file(january, "icbc.csv", icbc_csv(JANUARY_LINES))
    _refused(
        january,
        2,
        "--statement",
        str(statement),
        "--date",
        "2025-01-31",
        needles=(
            "overlaps a period reconciled with different figures",
            "asserts 6999.00 CNY at the start of 2025-01-08",
            "the balance then was 7000.00 CNY",
        ),
    )


def test_an_agreeing_assertion_inside_the_period_is_fine(january: Path) -> None:
    write_month(
        january,
        "2025/01",
        "2025-01-08 balance Assets:1002-银行存款:工商银行                         7000.00 CNY\n",
        "A right mid-month assertion",
    )
    statement = statement_file(january, "icbc.csv", icbc_csv(JANUARY_LINES))
    result = reconcile(january, "--statement", str(statement), "--date", "2025-01-31")
    assert (result.code, result.err) == (0, "")


def test_a_csv_statement_that_does_not_add_up(january: Path) -> None:
    text = icbc_csv(JANUARY_LINES).replace(",7000.00,", ",7100.00,")
    broken = statement_file(january, "broken.csv", text)
    _refused(
        january,
        2,
        "--statement",
        str(broken),
        # The CSV engine checks the running balance itself now; the statement is refused
        # either way, naming the line and the balance it states.
        needles=("broken.csv:", "7100.00"),
    )


def test_an_mt940_statement_whose_opening_and_movements_are_not_its_closing(
    practice: Path,
) -> None:
    add = run_beanfirm(
        "clients",
        "add",
        "rhein",
        "--name",
        "Rhein GmbH",
        "--industry",
        "trade",
        "--frequency",
        "low",
        "--region",
        "berlin",
        "--size",
        "small",
        "--preparer",
        "bo",
        "--reviewer",
        "ana",
        "--language",
        "en",
        "--currency",
        "EUR",
        "--opened",
        "2025-01-01",
        "--account",
        "Assets:Bank:Deutsche,bank,mt940,DE89370400440532013000",
        cwd=practice,
        env=STAFF_ENV,
    )
    assert add.code == 0, add.err
    bad = practice.parent / "rhein.sta"
    bad.write_text(MT940.replace("{closing}", "9,50"), encoding="latin-1")
    before = snapshot(practice)
    result = run_beanfirm(
        "reconcile",
        "rhein",
        "--account",
        "Deutsche",
        "--statement",
        str(bad),
        cwd=practice,
        env=STAFF_ENV,
    )
    assert_user_error(result, 2, "does not add up", "9.50 EUR")
    assert snapshot(practice) == before


def test_a_missing_file(january: Path) -> None:
    _refused(
        january,
        2,
        "--statement",
        str(january.parent / "nowhere.csv"),
        needles=("No such file", "nowhere.csv"),
    )


def test_a_file_the_importer_cannot_read(january: Path) -> None:
    garbage = statement_file(january, "garbage.csv", "this is not a bank export\n\x00\x01")
    before = snapshot(january)
    result = reconcile(january, "--statement", str(garbage))
    assert result.code == 2, result
    assert "Traceback" not in result.err
    assert result.err.startswith("Error: ")
    assert "garbage.csv" in result.err
    assert snapshot(january) == before


def test_an_unknown_client_or_account(january: Path) -> None:
    statement = statement_file(january, "icbc.csv", icbc_csv(JANUARY_LINES))
    before = snapshot(january)
    result = run_beanfirm(
        "reconcile",
        "nobody",
        "--account",
        "工商银行",
        "--statement",
        str(statement),
        cwd=january,
        env=STAFF_ENV,
    )
    assert_user_error(result, 2, "No client 'nobody'")
    _refused(
        january,
        2,
        "--account",
        "Assets:Bank:Nowhere",
        "--statement",
        str(statement),
        needles=("--account Assets:Bank:Nowhere is not one of the accounts of huamei",),
    )
    assert snapshot(january) == before


def test_neither_a_statement_nor_a_balance_and_date(january: Path) -> None:
    _refused(january, 2, needles=("Give the statement to reconcile with --statement FILE",))
    _refused(january, 2, "--balance", "100", needles=("--balance AMOUNT --date",))
    _refused(
        january,
        2,
        "--balance",
        "12x",
        "--date",
        "2025-01-31",
        needles=("--balance '12x' is not an amount",),
    )


def test_uncommitted_changes_in_the_client_are_not_mixed_in(january: Path) -> None:
    statement = statement_file(january, "icbc.csv", icbc_csv(JANUARY_LINES))
    note = january / "ledgers" / "huamei" / "journal" / "2025" / "01.beancount"
    note.write_text(note.read_text("utf-8") + "\n; a note not committed yet\n", "utf-8")
    _refused(
        january,
        2,
        "--statement",
        str(statement),
        "--date",
        "2025-01-31",
        needles=("uncommitted changes",),
    )


def test_a_statement_day_that_is_not_over(january: Path) -> None:
    # A paper statement's day with the year typed wrong, and an export given a day to come.
    _refused(
        january,
        2,
        "--balance",
        "8547.19",
        "--date",
        "2999-06-30",
        needles=("through 2999-06-30: that day is not over yet", "Nothing was written"),
    )
    statement = statement_file(january, "icbc.csv", icbc_csv(JANUARY_LINES))
    for dry_run in ((), ("--dry-run",)):
        _refused(
            january,
            2,
            "--statement",
            str(statement),
            "--date",
            "2999-01-31",
            *dry_run,
            needles=("that day is not over yet", "balance assertion of 2999-02-01"),
        )


def test_today_is_not_over_and_yesterday_is() -> None:
    today = datetime.date(2026, 12, 7)
    with pytest.raises(UsageError, match=r"through 2026-12-07: that day is not over yet"):
        refuse_unfinished(today, today, "huamei 工商银行")
    refuse_unfinished(datetime.date(2026, 12, 6), today, "huamei 工商银行")


@pytest.mark.parametrize(
    ("balance", "says"),
    [
        ("8.547,19", "'8.547,19' is not a number written with a decimal point"),
        ("85,47.19", "'85,47.19' is not a number written with a decimal point"),
        ("1e3", "'1e3' is not a number written with a decimal point"),
        ("8547.191", "it has 3 decimal places, but an amount in CNY has 2"),
        ("8547.19 USD", "is in USD, but the account is kept in CNY"),
        ("--", "--balance '--' is not an amount;"),
    ],
)
def test_a_balance_that_is_not_an_amount(january: Path, balance: str, says: str) -> None:
    _refused(
        january,
        2,
        "--balance",
        balance,
        "--date",
        "2025-01-31",
        needles=(f"--balance {balance!r}", says, "Nothing was written"),
    )


@pytest.mark.parametrize(
    "balance", ["8,547.19", "8547.19 CNY", "CNY 8547.19", "¥8547.19", "8547.190"]
)
def test_a_balance_written_as_statements_write_it(january: Path, balance: str) -> None:
    report = reconcile_json(january, "--balance", balance, "--date", "2025-01-31", "-n")
    assert (report["outcome"], report["closing"]["statement"]) == ("reconciled", "8547.19")
