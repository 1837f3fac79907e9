"""Account numbers decide which account an export or a row's other leg is, never by accident."""

from __future__ import annotations

from pathlib import Path

from conftest import STAFF_ENV, run_beanfirm, without_plugins
from import_support import import_files, journal, write

# --- the export's own account: an exact number beats a suffix ---------------------------------

CURRENT = "Assets:Bank:Current"
SAVINGS = "Assets:Bank:Savings"
DEPOSIT = "Assets:Bank:Deposit"


def add_euro_client(practice: Path, *accounts: str) -> None:
    """Add `acme`, keeping its books in EUR, with the given funding accounts."""
    args = [
        "clients", "add", "acme", "--name", "Acme BV", "--industry", "retail",
        "--frequency", "low", "--region", "nl", "--size", "small", "--preparer", "bo",
        "--reviewer", "ana", "--language", "en", "--currency", "EUR", "--opened", "2024-01-01",
    ]
    for spec in accounts:
        args += ["--account", spec]
    result = run_beanfirm(*args, cwd=practice, env=STAFF_ENV)
    assert result.code == 0, result.err
    without_plugins(practice, "acme")


def mt940(account: str) -> str:
    """A one-statement MT940 file (SWIFT field tags) for an account given as an IBAN."""
    return (
        ":20:STMT0001\n"
        f":25:{account}\n"
        ":28C:00042/001\n"
        ":60F:C240301EUR0,00\n"
        ":61:2403040304C150,00NTRFNONREF//REF0001\n"
        ":86:/NAME/CUSTOMER BV/REMI/INVOICE 7/\n"
        ":62F:C240304EUR150,00\n"
        "-\n"
    )


def test_the_account_registered_with_the_exact_number_takes_the_export(practice: Path) -> None:
    iban = "NL02ABNA0987654321"
    add_euro_client(
        practice,
        f"{CURRENT},bank,mt940,{iban}",
        f"{SAVINGS},bank,mt940,0987654321",
        f"{DEPOSIT},bank,mt940,987654321",
    )
    export = write(practice.parent, "statement.mt940", mt940(iban))
    result = import_files(practice, "acme", str(export))
    assert result.code == 0, result.err
    assert f"  {CURRENT}  " in journal(practice)
    assert SAVINGS not in journal(practice)
    # Stated as the domestic number, the export is the account registered with that number.
    domestic = write(practice.parent, "savings.mt940", mt940("0987654321").replace("0001", "0002"))
    result = import_files(practice, "acme", str(domestic))
    assert result.code == 0, result.err
    assert f"  {SAVINGS}  " in journal(practice)


def test_suffix_matches_alone_stay_ambiguous(practice: Path) -> None:
    add_euro_client(practice, f"{SAVINGS},bank,mt940,0987654321", f"{DEPOSIT},bank,mt940,987654321")
    export = write(practice.parent, "statement.mt940", mt940("NL02ABNA0987654321"))
    result = import_files(practice, "acme", str(export))
    assert result.code == 1
    assert "two importers claim this file" in result.err
