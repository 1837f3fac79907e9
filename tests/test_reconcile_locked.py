"""Reconciling and importing a locked month: done where nothing locked changes, else refused.

January of huamei is booked, approved and locked through its last day. Its reconciliation
writes the assertion on 1 February, after the lock, and dates the `document` directives of
its files there too; one whose assertion falls in the lock, and an import of January's export
(whose rows would record their import-id on the entries typed by hand), are refused up front
in one paragraph that names the lock, who locked it and since when, and how a partner reopens
it (docs/reopen.md).
"""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from approval_support import approve
from cli_support import HUAMEI_JANUARY, assert_user_error, snapshot
from conftest import STAFF_ENV, git, run_beanfirm
from recon_support import (
    ICBC,
    JANUARY,
    JANUARY_CLOSING,
    JANUARY_LINES,
    icbc_csv,
    reconcile,
    statement_file,
    write_month,
)

FEBRUARY = "ledgers/huamei/journal/2025/02.beancount"
FOLDER = "../../documents/Assets/1002-银行存款/工商银行"


def _locked(folder: Path, through: str) -> Path:
    write_month(folder, "2025/01", JANUARY, "January")
    approve(folder, "huamei")
    result = run_beanfirm("lock", "huamei", "--through", through, "--as", "ana", cwd=folder)
    assert result.code == 0, result.err
    return statement_file(folder, "icbc-2025-01.csv", icbc_csv(JANUARY_LINES))


def _since(folder: Path) -> str:
    return git(folder, "log", "-1", "--format=%as").strip()


def test_a_locked_month_is_reconciled_with_its_files_filed_after_the_lock(
    practice_with_client: Path,
) -> None:
    folder = practice_with_client
    statement = _locked(folder, "2025-01-31")
    january = (folder / HUAMEI_JANUARY).read_text(encoding="utf-8")
    result = reconcile(folder, "--statement", str(statement), "--date", "2025-01-31")
    assert (result.code, result.err) == (0, ""), result.err
    assert "Reconciled. Commit" in result.out
    # January gains the assertion of 1 February and nothing dated in it.
    added = (folder / HUAMEI_JANUARY).read_text(encoding="utf-8").removeprefix(january)
    assert added.startswith(f"\n2025-02-01 balance {ICBC}")
    assert f"{JANUARY_CLOSING} CNY" in added
    assert " document " not in added
    assert (
        (folder / FEBRUARY)
        .read_text(encoding="utf-8")
        .endswith(
            f'2025-02-01 document {ICBC} "{FOLDER}/2025-01-31.icbc-2025-01.csv"\n\n'
            f'2025-02-01 document {ICBC} "{FOLDER}/2025-01-31.reconciliation.html"\n\n'
            f'2025-02-01 document {ICBC} "{FOLDER}/2025-01-31.reconciliation.csv"\n'
        )
    )
    check = run_beanfirm("check", "huamei", cwd=folder)
    assert check.code == 0, check.out + check.err
    assert git(folder, "status", "--porcelain") == ""


@pytest.mark.parametrize("dry_run", [(), ("--dry-run",)])
def test_an_assertion_inside_the_lock_is_refused_naming_it(
    practice_with_client: Path, dry_run: tuple[str, ...]
) -> None:
    folder = practice_with_client
    statement = _locked(folder, "2025-02-28")
    before = snapshot(folder)
    result = reconcile(folder, "--statement", str(statement), "--date", "2025-01-31", *dry_run)
    assert_user_error(
        result,
        2,
        f"Refusing to reconcile huamei {ICBC} through 2025-01-31: the books of huamei through "
        f"2025-02-28 are locked (by ana, since {_since(folder)}), and its balance assertion "
        "would be dated 2025-02-01, in that period.",
        "Reconcile a statement that ends on 2025-02-28 or later",
        "`beanfirm reopen huamei --through 2025-02-28 --reason TEXT --as ana` (see docs/reopen.md)",
        "Nothing was written.",
    )
    assert "\n" not in result.err.strip()  # one paragraph
    assert snapshot(folder) == before


def test_importing_into_a_locked_month_is_refused_naming_the_lock(
    practice_with_client: Path,
) -> None:
    folder = practice_with_client
    statement = _locked(folder, "2025-01-31")
    before = snapshot(folder)
    for dry_run in ((), ("--dry-run",)):
        result = run_beanfirm(
            "import", "huamei", str(statement), *dry_run, cwd=folder, env=STAFF_ENV
        )
        assert_user_error(
            result,
            2,
            f"Refusing to import icbc-2025-01.csv into huamei {ICBC}: the books of huamei "
            f"through 2025-01-31 are locked (by ana, since {_since(folder)}), and the import "
            "would add or change 5 entries dated in that period (2025-01-01 to 2025-01-21)",
            "import an export that starts after 2025-01-31",
            "`beanfirm reopen huamei --through 2025-01-31 --reason TEXT --as ana`",
            "Nothing was written.",
        )
        assert "holds" not in result.err  # not the plugin's digest of the months
        assert snapshot(folder) == before
    # An export of February, after the lock, is imported.
    february = [("2025-02-03", "-500.00", "宁波食品厂", "支票付款")]
    later = statement_file(folder, "icbc-2025-02.csv", icbc_csv(february, JANUARY_CLOSING))
    result = run_beanfirm("import", "huamei", str(later), cwd=folder, env=STAFF_ENV)
    assert result.code == 0, result.err
    assert datetime.date(2025, 2, 3).isoformat() in (folder / FEBRUARY).read_text("utf-8")
