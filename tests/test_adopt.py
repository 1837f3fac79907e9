"""`beanfirm clients adopt`: a client's existing ledger, kept as it is, with the firm's checks."""

from __future__ import annotations

import datetime
import subprocess
import sys
from pathlib import Path

import pytest
from cli_support import BEAN_CHECK, assert_user_error, commit_all, snapshot
from conftest import STAFF_ENV, Run, git, run_beanfirm

from beanfirm.jobs.adoption import Roots, glue_text

# The client's own books: a top file with its options and includes, its own chart (a parent
# account posted to while a sub-account is open, as Beancount allows), pads and balances,
# customers under Assets:Receivables, and a plugin line in an included file.
TOP = """\
option "title" "Bolt Bikes Ltd"
option "operating_currency" "USD"
option "documents" "docs"
plugin "beancount.plugins.check_commodity"

include "accounts.beancount"
include "2025/*.beancount"
"""
ACCOUNTS = """\
plugin "beancount.plugins.implicit_prices"
option "operating_currency" "EUR"
option "booking_method" "FIFO"

2025-01-01 commodity USD
2025-01-01 open Equity:Opening-Balances
2025-01-01 open Assets:Bank USD
2025-01-01 open Assets:Bank:Savings USD
2025-01-01 open Assets:Receivables:Acme USD
2025-01-01 open Assets:Receivables:Zeta USD
2025-01-01 open Income:Sales USD
2025-01-01 open Expenses:Rent USD
"""
JANUARY = """\
2025-01-01 pad Assets:Bank Equity:Opening-Balances
2025-01-02 balance Assets:Bank  1000.00 USD

2025-01-05 * "Acme" "Bikes" ^INV-1
  due: 2025-02-04
  Assets:Receivables:Acme   400.00 USD
  Income:Sales

2025-01-06 * "Zeta" "Bikes, invoice number not kept"
  Assets:Receivables:Zeta   250.00 USD
  Income:Sales

2025-01-10 * "Landlord" "Rent"
  Expenses:Rent   300.00 USD
  Assets:Bank

2025-01-20 * "Transfer to savings"
  Assets:Bank:Savings   100.00 USD
  Assets:Bank

2025-02-01 balance Assets:Bank  700.00 USD  ; with Savings, as Beancount sums a parent
"""
CLASSIFY = (
    "--industry", "retail", "--frequency", "low", "--region", "london", "--size", "micro",
    "--preparer", "bo", "--reviewer", "ana",
)  # fmt: skip


TAKEN = """\
clients:
  - id: bolt
    name: Bolt
    classification: {industry: retail, frequency: low, region: london, size: micro}
    preparer: bo
    reviewer: ana
    currency: USD
"""


def client_books(folder: Path) -> Path:
    """Write the client's ledger into `folder`; return its top file."""
    (folder / "2025").mkdir(parents=True)
    (folder / "docs" / "Assets" / "Bank").mkdir(parents=True)
    (folder / "books.beancount").write_text(TOP, encoding="utf-8")
    (folder / "accounts.beancount").write_text(ACCOUNTS, encoding="utf-8")
    (folder / "2025" / "01.beancount").write_text(JANUARY, encoding="utf-8")
    (folder / "docs" / "Assets" / "Bank" / "2025-01-31.statement.pdf").write_bytes(b"%PDF-1.4\n")
    (folder / "notes.txt").write_text("not part of the books\n", encoding="utf-8")
    (folder / "docs" / ".git").mkdir()  # hidden files are no documents: left out
    (folder / "docs" / ".git" / "HEAD").write_text("ref: refs/heads/main\n", encoding="utf-8")
    (folder / "docs" / "Assets" / ".DS_Store").write_bytes(b"\0")
    return folder / "books.beancount"


def adopt(practice: Path, *args: str) -> Run:
    return run_beanfirm("clients", "adopt", "bolt", *args, *CLASSIFY, cwd=practice, env=STAFF_ENV)


def test_adoption_keeps_the_books_adds_the_checks_and_reports_in_one_commit(
    practice: Path, tmp_path: Path
) -> None:
    top = client_books(tmp_path / "theirs")
    head = git(practice, "rev-parse", "HEAD").strip()
    result = adopt(practice, str(top), "--receivable-root", "Assets:Receivables")
    assert result.code == 0, result.err
    # One commit, by the staff member, holding the registry entry and the books.
    assert git(practice, "rev-parse", "HEAD~1").strip() == head
    assert git(practice, "log", "-1", "--format=%an%n%s").splitlines() == [
        "Ana Partner",
        "Adopt client bolt: Bolt Bikes Ltd",
    ]
    changed = git(practice, "show", "--name-only", "--format=", "HEAD").split()
    assert changed == [
        "clients.yaml",
        "ledgers/bolt/2025/01.beancount",
        "ledgers/bolt/accounts.beancount",
        "ledgers/bolt/docs/Assets/Bank/2025-01-31.statement.pdf",
        "ledgers/bolt/documents/.gitkeep",
        "ledgers/bolt/journal/2025/02.beancount",  # the month of the ledger's last entry
        "ledgers/bolt/locks.beancount",  # no lock yet: `beanfirm lock` appends (docs/lock.md)
        "ledgers/bolt/main.beancount",
        "ledgers/bolt/rules.yaml",
    ]
    books = practice / "ledgers" / "bolt"
    # Kept as it is: the included files byte for byte, the top file with one block appended.
    assert (books / "accounts.beancount").read_text(encoding="utf-8") == ACCOUNTS
    assert (books / "2025" / "01.beancount").read_text(encoding="utf-8") == JANUARY
    main = (books / "main.beancount").read_text(encoding="utf-8")
    assert main.startswith(TOP)
    glue = main[len(TOP) :]
    assert " open " not in glue  # the chart stays the ledger's own: no open is ever added
    assert "'leaf-only': False" in glue
    assert "'receivable': ['Assets:Receivables:']" in glue
    assert glue.endswith(
        'option "documents" "documents"\ninclude "journal/*/*.beancount"\n'
        'include "locks.beancount"\n'
    )
    assert 'plugin "beanfirm.plugins.locked"' in glue
    assert "Name: Bolt Bikes Ltd" not in result.out
    assert "currency: USD" in (practice / "clients.yaml").read_text(encoding="utf-8")
    # Beancount ignores a plugin line in an included file: the adoption says where it is.
    assert (
        'Note: ledgers/bolt/accounts.beancount:1: plugin "beancount.plugins.implicit_prices" '
        "is declared in an included file, which Beancount ignores" in result.out
    )
    assert (
        'Note: ledgers/bolt/accounts.beancount:3: option "booking_method" is set in an '
        "included file, which Beancount ignores: only the top file's options count." in result.out
    )
    assert "operating_currency" not in result.out  # Beancount gathers that one from every file
    # The firm's findings: Zeta's invoice has no link, and nothing else (a posting to
    # Assets:Bank, which has a sub-account, is valid in these books).
    assert "The firm's checks flag 1 finding:\n  categorized errors: 1\n" in result.out
    assert "ledgers/bolt/2025/01.beancount:9: A transaction posting to Assets:Receivables:Zeta" in (
        result.out
    )
    # The books load with bean-check as they are, and the receivables root is used by aging.
    check = subprocess.run(
        [str(BEAN_CHECK), str(books / "main.beancount")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert check.stderr.count("needs a ^INV-") == 1, check.stderr
    aging = run_beanfirm("aging", "bolt", "--as-of", "2025-03-01", "--json", cwd=practice)
    assert aging.code == 0, aging.err
    assert "Acme" in aging.out
    assert "400.00" in aging.out


def test_a_dry_run_reports_the_same_and_writes_nothing(practice: Path, tmp_path: Path) -> None:
    top = client_books(tmp_path / "theirs")
    before = snapshot(practice)
    result = adopt(practice, str(top), "-n")
    assert result.code == 0, result.err
    assert result.out.startswith("Dry run: would adopt books.beancount as client bolt, writing:")
    assert "ledgers/bolt/main.beancount" in result.out
    # Without the root, the customers' accounts are not receivables: the note says what to do.
    assert (
        "Accounts under Assets:Receivables look receivable, but the receivable reports look "
        "under the default roots only; give --receivable-root" in result.out
    )
    assert "The firm's checks flag nothing in these books." in result.out
    assert "The ledger does not open Expenses:Uncategorized or Income:Uncategorized" in result.out
    assert snapshot(practice) == before


@pytest.mark.parametrize(
    ("damage", "code", "needles"),
    [
        ("missing", 2, ("does not exist", "Give the top file of the client's ledger")),
        (
            "error",
            1,
            ("does not load cleanly (1 error)", "2025/01.beancount:", "Balance failed"),
        ),
        ("outside", 2, ("outside its folder", "move the file into the folder")),
        ("taken", 2, ("duplicate client id 'bolt'",)),
        ("root", 2, ("--receivable-root 'Income:Sales' is not an account name under Assets:",)),
        ("declared", 2, ('already declares plugin "beanfirm.plugins.receivables"',)),
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(
    practice: Path, tmp_path: Path, damage: str, code: int, needles: tuple[str, ...]
) -> None:
    top = client_books(tmp_path / "theirs")
    extra: tuple[str, ...] = ()
    if damage == "missing":
        top = tmp_path / "nowhere.beancount"
    elif damage == "error":
        month = tmp_path / "theirs" / "2025" / "01.beancount"
        month.write_text(JANUARY.replace("700.00 USD", "650.00 USD"), encoding="utf-8")
    elif damage == "outside":
        (tmp_path / "shared.beancount").write_text("", encoding="utf-8")
        top.write_text(TOP + 'include "../shared.beancount"\n', encoding="utf-8")
    elif damage == "declared":
        top.write_text(TOP + 'plugin "beanfirm.plugins.receivables"\n', encoding="utf-8")
        extra = ("--receivable-root", "Assets:Receivables")
    elif damage == "taken":
        registry = practice / "clients.yaml"
        text = registry.read_text(encoding="utf-8").replace("clients: []\n", TAKEN)
        registry.write_text(text, encoding="utf-8")
        (practice / "ledgers" / "bolt").mkdir()
        (practice / "ledgers" / "bolt" / "main.beancount").write_text("", encoding="utf-8")
        commit_all(practice, "Bolt, registered by hand")
    else:
        extra = ("--receivable-root", "Income:Sales")
    before = snapshot(practice)
    result = run_beanfirm(
        "clients", "adopt", "bolt", str(top), *CLASSIFY, *extra, cwd=practice, env=STAFF_ENV
    )
    assert_user_error(result, code, *needles)
    assert snapshot(practice) == before


def test_beancounts_example_ledger_is_adopted_without_findings(
    practice: Path, tmp_path: Path
) -> None:
    # Beancount's own example ledger posts to accounts that have sub-accounts
    # (Expenses:Taxes:…:Federal and …:Federal:PreTax401k); the firm's checks flag nothing.
    example = tmp_path / "example.beancount"
    subprocess.run(
        [
            str(Path(sys.executable).parent / "bean-example"),
            "--seed", "7", "--date-begin", "2024-01-01", "--date-end", "2024-12-31",
            "--date-birth", "1980-05-12", "-o", str(example),
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    result = run_beanfirm(
        "clients", "adopt", "example", str(example), *CLASSIFY, cwd=practice, env=STAFF_ENV
    )
    assert result.code == 0, result.err
    assert "The firm's checks flag nothing in these books." in result.out
    opens = (
        (practice / "ledgers/example/main.beancount").read_text(encoding="utf-8").count(" open ")
    )
    assert opens == example.read_text(encoding="utf-8").count(" open ")


def test_the_glue_adds_no_plugin_or_page_the_top_file_already_has() -> None:
    top = (
        'plugin "beanfirm.plugins.duplicates" "{\'window-days\': 5}"\n'
        '2025-01-01 custom "fava-extension" "beanfirm.fava.customers"\n'
        'option "documents" "documents"'
    )
    glue = glue_text(top, Roots(), datetime.date(2025, 2, 1))
    assert glue.startswith("\n\n; beanfirm: added when the firm adopted these books")
    assert "beanfirm.plugins.duplicates" not in glue
    assert "beanfirm.fava.customers" not in glue
    assert '2025-02-01 custom "fava-extension" "beanfirm.fava.reconciliation"' in glue
    assert "option " not in glue
    assert glue.count("\nplugin ") == 4  # locked, categorized, reconciled, receivables
