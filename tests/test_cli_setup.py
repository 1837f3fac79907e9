"""`beanfirm accounts add` and `customers add`, and the check of registered accounts, end to end."""

from __future__ import annotations

from pathlib import Path

import pytest
from approval_support import approve
from cli_support import ADD_EN, assert_user_error, commit_all, snapshot
from conftest import STAFF_ENV, git, run_beanfirm
from import_support import cmb, import_files, write

CMB = "Assets:1002-银行存款:招商银行"
JANUARY = "ledgers/huamei/journal/2025/01.beancount"


def _commits(practice: Path) -> int:
    return int(git(practice, "rev-list", "--count", "HEAD"))


def test_accounts_add_registers_opens_and_books_the_opening_in_one_commit(
    practice_with_client: Path,
) -> None:
    practice = practice_with_client
    before = _commits(practice)
    result = run_beanfirm(
        "accounts", "add", "huamei", CMB, "--importer", "cmb-debit", "--number", "6225",
        "--opening", "1,250.50", "--on", "2025-01-31", cwd=practice, env=STAFF_ENV,
    )  # fmt: skip
    assert result.code == 0, result.err
    assert _commits(practice) == before + 1
    changed = git(practice, "show", "--name-only", "--format=", "HEAD").split()
    assert changed == ["clients.yaml", "ledgers/huamei/accounts.beancount", JANUARY]
    registry = (practice / "clients.yaml").read_text(encoding="utf-8")
    assert f"    - account: {CMB}\n      kind: bank\n      importer: cmb-debit\n" in registry
    assert "number: '6225'" in registry
    chart = (practice / "ledgers/huamei/accounts.beancount").read_text(encoding="utf-8")
    assert chart.endswith(f'\n2025-01-01 open {CMB} CNY\n  reconcile: "monthly"\n')
    month = " ".join((practice / JANUARY).read_text(encoding="utf-8").split())
    assert f"{CMB} 1250.50 CNY Equity:Opening-Balances -1250.50 CNY" in month
    assert f"2025-02-01 balance {CMB} 1250.50 CNY" in month
    check = run_beanfirm("check", "huamei", "--json", cwd=practice)
    assert '"ok": true' in check.out, check.out


def test_accounts_add_of_an_account_the_chart_opens_only_registers_it(
    practice_with_client: Path,
) -> None:
    practice = practice_with_client
    chart = practice / "ledgers/huamei/accounts.beancount"
    before = chart.read_text(encoding="utf-8")
    result = run_beanfirm(
        "accounts", "add", "huamei", "Assets:1001-库存现金", "--importer", "csv", "--kind",
        "cash", cwd=practice, env=STAFF_ENV,
    )  # fmt: skip
    assert result.code == 0, result.err
    assert chart.read_text(encoding="utf-8") == before
    assert git(practice, "show", "--name-only", "--format=", "HEAD").split() == ["clients.yaml"]


@pytest.mark.parametrize(
    ("args", "needles"),
    [
        (
            ("Assets:1002-银行存款:工商银行", "--importer", "icbc-debit"),
            ("already registered, at clients.yaml:", "Nothing was written"),
        ),
        ((CMB, "--importer", "no-such-bank"), ("no importer 'no-such-bank'", "cmb-debit")),
        (("Assets:bank account", "--importer", "csv"), ("not a valid account name",)),
        (("Expenses:Bank", "--importer", "csv"), ("must start with Assets: or Liabilities:",)),
        ((CMB, "--importer", "csv", "--opening", "10"), ("--opening AMOUNT and --on DATE",)),
        ((CMB, "--importer", "csv", "--opening", "1O", "--on", "2025-01-31"), ("not an amount",)),
        (
            (CMB, "--importer", "csv", "--opening", "5", "--on", "2024-12-31"),
            ("before the account opens on 2025-01-01",),
        ),
    ],
)
def test_accounts_add_refuses_bad_input_and_writes_nothing(
    practice_with_client: Path, args: tuple[str, ...], needles: tuple[str, ...]
) -> None:
    practice = practice_with_client
    before = snapshot(practice)
    result = run_beanfirm("accounts", "add", "huamei", *args, cwd=practice, env=STAFF_ENV)
    assert_user_error(result, 2, *needles)
    assert snapshot(practice) == before


def test_accounts_add_dry_run_checks_everything_and_writes_nothing(
    practice_with_client: Path,
) -> None:
    practice = practice_with_client
    before = snapshot(practice)
    args = ("accounts", "add", "huamei", CMB, "--importer", "cmb-debit", "-n")
    result = run_beanfirm(
        *args, "--opening", "10", "--on", "2025-01-31", cwd=practice, env=STAFF_ENV
    )
    assert result.code == 0, result.err
    assert result.out.startswith("Dry run: would add"), result.out
    assert snapshot(practice) == before


def _register_by_hand(practice: Path) -> int:
    """Register CMB for huamei in clients.yaml without opening it, commit; return its line."""
    registry = practice / "clients.yaml"
    text = registry.read_text(encoding="utf-8")
    text += f"    - account: {CMB}\n      kind: bank\n      importer: cmb-debit\n"
    registry.write_text(text, encoding="utf-8")
    commit_all(practice, "Register an account by hand, without its open directive")
    return len(text.splitlines()) - 2


def test_check_flags_a_registered_account_the_ledger_does_not_open(
    practice_with_client: Path,
) -> None:
    practice = practice_with_client
    line = _register_by_hand(practice)
    result = run_beanfirm("check", "huamei", cwd=practice)
    assert result.code == 1, (result.out, result.err)
    assert f"clients.yaml:{line}: {CMB} of client 'huamei' is registered" in result.out
    assert "beanfirm accounts add" in result.out


def test_import_into_a_registered_account_the_ledger_does_not_open_is_refused(
    practice_with_client: Path,
) -> None:
    practice = practice_with_client
    line = _register_by_hand(practice)
    export = write(practice.parent, "cmb.csv", cmb([("2025-01-03", "-8.00", "消费", "x", "y")]))
    before = snapshot(practice)
    result = import_files(practice, "huamei", str(export), "--account", CMB)
    # a batch command: the file's failure exits non-zero (its code is import's rule, import.md)
    assert result.code in {1, 2}, (result.out, result.err)
    assert result.err.startswith("Error: Cannot import cmb.csv"), result.err
    assert f"clients.yaml:{line}: {CMB}" in result.err
    assert "ledgers/huamei/journal" not in result.err
    assert snapshot(practice) == before


def test_customers_add_opens_the_receivable_under_the_charts_root(
    practice_with_client: Path,
) -> None:
    practice = practice_with_client
    assert run_beanfirm(*ADD_EN, cwd=practice, env=STAFF_ENV).code == 0
    zh = run_beanfirm(
        "customers", "add", "huamei", "华联超市", "--full-name", "上海华联超市有限公司",
        "--terms-days", "30", "--credit-limit", "500000", "--email", "ar@hualian.example",
        cwd=practice, env=STAFF_ENV,
    )  # fmt: skip
    assert zh.code == 0, zh.err
    chart = (practice / "ledgers/huamei/accounts.beancount").read_text(encoding="utf-8")
    assert chart.endswith(
        "\n2025-01-01 open Assets:1122-应收账款:华联超市 CNY\n"
        '  name: "上海华联超市有限公司"\n  terms-days: 30\n'
        "  credit-limit:                                                500000.00 CNY\n"
        '  email: "ar@hualian.example"\n  language: "zh"\n'
    )
    en = run_beanfirm("customers", "add", "northwind", "Acme-Robotics", cwd=practice, env=STAFF_ENV)
    assert en.code == 0, en.err
    assert "Opened Assets:Receivable:Acme-Robotics" in en.out
    english = (practice / "ledgers/northwind/accounts.beancount").read_text(encoding="utf-8")
    assert english.endswith(
        '\n2025-01-01 open Assets:Receivable:Acme-Robotics USD\n  name: "Acme-Robotics"\n'
        '  language: "en"\n'
    )
    statement = run_beanfirm("aging", "huamei", "--json", cwd=practice)
    assert statement.code == 0, statement.err


@pytest.mark.parametrize(
    ("args", "needles"),
    [
        (("华联超市",), ("already opens Assets:1122-应收账款:华联超市", "accounts.beancount:")),
        (("华联", "--full-name", "上海华联超市有限公司"), ("already opens",)),
        (("Acme Robotics",), ("not a valid account name", "--full-name")),
        (("Acme:Robotics",), ("not a valid account name",)),
        (("Acme", "--email", "nobody"), ("not an email address",)),
        # A credit limit in sub-cent units was rounded silently, as `--amount` never is.
        (
            ("Acme", "--credit-limit", "100.001"),
            (
                "--credit-limit 100.001 has more than two decimals",
                "in cents",
                "Nothing was written",
            ),
        ),
        (("Acme", "--credit-limit", "-5"), ("--credit-limit must be 0 or more",)),
        (("Acme", "--credit-limit", "lots"), ("--credit-limit 'lots' is not an amount",)),
    ],
)
def test_customers_add_refuses_a_duplicate_or_bad_name_and_writes_nothing(
    practice_with_client: Path, args: tuple[str, ...], needles: tuple[str, ...]
) -> None:
    practice = practice_with_client
    first = run_beanfirm(
        "customers", "add", "huamei", "华联超市", "--full-name", "上海华联超市有限公司",
        cwd=practice, env=STAFF_ENV,
    )  # fmt: skip
    assert first.code == 0, first.err
    before = snapshot(practice)
    result = run_beanfirm("customers", "add", "huamei", *args, cwd=practice, env=STAFF_ENV)
    assert_user_error(result, 2, *needles)
    assert snapshot(practice) == before


def test_a_customer_or_account_added_after_a_lock_opens_after_it(
    practice_with_client: Path,
) -> None:
    # The chart's first day, the default, fell in the lock: the check refused the write in the
    # lock's words ("changed since: 2025-01 holds … entries"), never naming the date.
    practice = practice_with_client
    month = practice / JANUARY
    month.parent.mkdir(parents=True, exist_ok=True)
    month.write_text(
        '2025-01-06 * "出租车"\n  Assets:1001-库存现金  -10.00 CNY\n'
        "  Expenses:5602-管理费用:差旅费  10.00 CNY\n",
        encoding="utf-8",
    )
    commit_all(practice, "A taxi")
    approve(practice, "huamei")
    locked = run_beanfirm("lock", "huamei", "--through", "2025-01", "--as", "ana", cwd=practice)
    assert locked.code == 0, locked.err
    before = snapshot(practice)
    for args in (
        ("customers", "add", "huamei", "华联超市", "--opened", "2025-01-31"),
        ("accounts", "add", "huamei", CMB, "--importer", "cmb-debit", "--opened", "2025-01-15"),
    ):
        result = run_beanfirm(*args, cwd=practice, env=STAFF_ENV)
        assert_user_error(
            result, 2, "the books through 2025-01-31 are locked", "--opened 2025-02-01"
        )
        assert snapshot(practice) == before
    added = run_beanfirm("customers", "add", "huamei", "华联超市", cwd=practice, env=STAFF_ENV)
    assert added.code == 0, added.err
    chart = (practice / "ledgers/huamei/accounts.beancount").read_text(encoding="utf-8")
    assert "\n2025-02-01 open Assets:1122-应收账款:华联超市 CNY\n" in chart
