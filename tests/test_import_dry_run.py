"""`beanfirm import -n` tells the truth: it fails where the import fails, and writes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_support import snapshot
from conftest import STAFF_ENV, git, run_beanfirm
from import_support import (
    BANK,
    BANK_NUMBER,
    CMB_HEADER,
    add_client,
    cmb,
    import_files,
    journal,
    write,
)

FEBRUARY = "ledgers/acme/journal/2024/02.beancount"


@pytest.fixture
def shop(practice: Path) -> Path:
    add_client(practice)
    return practice


def fails_alike(shop: Path, export: Path, code: int = 2) -> str:
    """Dry-run then import an export; both must fail alike, with one error, and write nothing.

    The code is the error's own: 2 for an export that cannot be imported, 1 for an import
    that would break the ledger.
    """
    before = snapshot(shop)
    errors = []
    for args in (("-n",), ()):
        result = import_files(shop, "acme", str(export), "--account", BANK, *args)
        assert result.code == code, (args, result.out, result.err)
        assert "Traceback" not in result.err, result.err
        assert result.err.startswith("Error: "), result.err
        assert "Dry run" not in result.out
        assert snapshot(shop) == before, args
        errors.append(result.err)
    dry, real = errors
    assert dry == real
    return dry


def test_a_row_in_a_currency_the_account_does_not_hold(shop: Path) -> None:
    text = (
        CMB_HEADER
        + "2024-03-01,CNY,100.00,100.00,存入,某公司,货款\n"
        + "2024-03-02,USD,-8.00,92.00,消费,Some Shop,books\n"
    )
    err = fails_alike(shop, write(shop.parent, "usd.csv", text))
    opened = "ledgers/acme/accounts.beancount:"
    assert f"usd.csv:3: the row is in USD, but {BANK} holds only CNY" in err
    assert f"usd.csv:3: the balance it states is in USD, but {BANK} holds only CNY" in err
    assert f"(its open directive, {opened}" in err
    assert "Invalid currency" not in err
    assert "Import the export into an account that holds that currency" in err
    assert "add the currency to its open directive" in err


def test_a_balance_the_ledger_contradicts(shop: Path) -> None:
    # Typed by hand in February, outside the export: the export's balance cannot hold.
    (shop / FEBRUARY).write_text(
        f'2024-02-10 * "Rent"\n  Expenses:Uncategorized  50.00 CNY\n  {BANK}\n',
        encoding="utf-8",
    )
    git(shop, "add", FEBRUARY)
    git(shop, "commit", "-qm", "February by hand")
    rows = [("2024-03-01", "100.00", "存入", "某公司", "货款")]
    err = fails_alike(shop, write(shop.parent, "march.csv", cmb(rows)), code=1)
    assert "would break its ledger, so nothing was written" in err
    assert "Balance failed" in err


def test_a_dry_run_that_passes_is_followed_by_an_import_that_passes(shop: Path) -> None:
    rows = [("2024-03-01", "100.00", "存入", "某公司", "货款")]
    export = write(shop.parent, "good.csv", cmb(rows))
    before = snapshot(shop)
    dry = import_files(shop, "acme", str(export), "--account", BANK, "-n")
    assert dry.code == 0, dry.err
    assert dry.out.startswith("Dry run: good.csv into acme")
    assert snapshot(shop) == before
    real = import_files(shop, "acme", str(export), "--account", BANK)
    assert real.code == 0, real.err
    assert "某公司" in journal(shop)


def test_an_export_in_yuan_of_a_dollar_account_is_refused(practice: Path) -> None:
    # The dollar account is opened for CNY too, for the month-end revaluation: an export in
    # yuan of it (another account's, or misread) passed the open directive's check.
    dollars = "Assets:1002-银行存款:招商银行美元户"
    add_client(practice, accounts=(f"{BANK},bank,cmb-debit,{BANK_NUMBER}",))
    result = run_beanfirm(
        "accounts", "add", "acme", dollars, "--importer", "cmb-debit", "--currency", "USD",
        "--opened", "2024-01-01", cwd=practice, env=STAFF_ENV,
    )  # fmt: skip
    assert result.code == 0, result.err
    assert f"open {dollars}" in (practice / "ledgers/acme/accounts.beancount").read_text(
        encoding="utf-8"
    )
    text = CMB_HEADER + "2024-03-01,CNY,100.00,100.00,存入,某公司,货款\n"
    export = write(practice.parent, "yuan.csv", text)
    before = snapshot(practice)
    for args in (("-n",), ()):
        result = import_files(practice, "acme", str(export), "--account", dollars, *args)
        assert result.code == 2, result.out
        assert f"yuan.csv:2: the row is in CNY, but {dollars} is kept in USD" in result.err
        assert snapshot(practice) == before
