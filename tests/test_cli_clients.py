"""`beanfirm clients add|show`: a new client is one commit with a ledger that checks."""

from __future__ import annotations

import json
import subprocess
from typing import TYPE_CHECKING

import pytest
from cli_support import ADD_EN, BEAN_CHECK, assert_user_error, snapshot
from conftest import ADD_ZH, STAFF_ENV, git, run_beanfirm

if TYPE_CHECKING:
    from pathlib import Path

HUAMEI_FILES = [
    "clients.yaml",
    "ledgers/huamei/accounts.beancount",
    "ledgers/huamei/documents/.gitkeep",
    "ledgers/huamei/journal/2025/01.beancount",
    "ledgers/huamei/locks.beancount",
    "ledgers/huamei/main.beancount",
    "ledgers/huamei/rules.yaml",
]


def _bean_check(folder: Path, client_id: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BEAN_CHECK), f"ledgers/{client_id}/main.beancount"],
        cwd=folder,
        capture_output=True,
        text=True,
        check=False,
    )


def _commit_count(folder: Path) -> int:
    return int(git(folder, "rev-list", "--count", "HEAD"))


def test_add_zh_client_gets_the_cn_small_chart_in_one_commit(practice: Path) -> None:
    before = _commit_count(practice)
    result = run_beanfirm(*ADD_ZH, cwd=practice, env=STAFF_ENV)
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert lines[0].startswith("Added client huamei (commit ")
    assert [line.strip() for line in lines[1:]] == HUAMEI_FILES
    for relpath in HUAMEI_FILES:
        assert (practice / relpath).is_file(), relpath
    accounts = (practice / "ledgers/huamei/accounts.beancount").read_text(encoding="utf-8")
    opened = {line.split()[2] for line in accounts.splitlines() if " open " in line}
    assert {
        "Expenses:5601-销售费用:差旅费",
        "Assets:1002-银行存款",
        "Assets:1002-银行存款:工商银行",
        "Expenses:Uncategorized",
        "Income:Uncategorized",
    } <= opened
    assert "Expenses:Travel:Transport" not in opened
    main = (practice / "ledgers/huamei/main.beancount").read_text(encoding="utf-8")
    assert 'option "operating_currency" "CNY"\n' in main
    assert 'include "journal/*/*.beancount"\n' in main
    # Exactly one new commit, by the staff member, holding exactly these files.
    assert _commit_count(practice) == before + 1
    assert git(practice, "log", "-1", "--format=%an <%ae>|%cn <%ce>|%s") == (
        "Ana Partner <ana@firm.example>|Ana Partner <ana@firm.example>|"
        "Add client huamei: 华美便利店\n"
    )
    assert git(practice, "show", "--name-only", "--format=", "HEAD").splitlines() == HUAMEI_FILES
    assert git(practice, "status", "--porcelain", "--untracked-files=all") == ""
    checked = _bean_check(practice, "huamei")
    assert (checked.returncode, checked.stdout, checked.stderr) == (0, "", "")


def test_add_en_client_gets_the_en_simple_chart(practice: Path) -> None:
    result = run_beanfirm(*ADD_EN, cwd=practice, env=STAFF_ENV)
    assert result.code == 0, result.err
    accounts = (practice / "ledgers/northwind/accounts.beancount").read_text(encoding="utf-8")
    opened = {
        line.split()[2]: line.split()[3:] for line in accounts.splitlines() if " open " in line
    }
    assert opened["Expenses:Travel:Transport"] == ["USD"]
    assert opened["Assets:Bank"] == ["USD"]
    assert not any(account[account.index(":") + 1].isdigit() for account in opened)
    main = (practice / "ledgers/northwind/main.beancount").read_text(encoding="utf-8")
    assert 'option "operating_currency" "USD"\n' in main
    checked = _bean_check(practice, "northwind")
    assert (checked.returncode, checked.stdout, checked.stderr) == (0, "", "")
    shown = run_beanfirm("clients", "show", "northwind", "--json", cwd=practice)
    assert shown.code == 0, shown.err
    record = json.loads(shown.out)
    assert (record["language"], record["currency"]) == ("en", "USD")


@pytest.mark.parametrize(
    ("how", "expected"),
    [
        ("--as", "Bo Preparer <bo@firm.example>"),
        ("env", "Bo Preparer <bo@firm.example>"),
        ("git-email", "Bo Preparer <bo@firm.example>"),
        ("--as-over-env", "Bo Preparer <bo@firm.example>"),
        ("env-over-git-email", "Ana Partner <ana@firm.example>"),
    ],
)
def test_the_commit_author_is_the_staff_member(practice: Path, how: str, expected: str) -> None:
    # A local git identity that is nobody on the staff, unless the case sets one that is.
    email = "BO@Firm.Example" if how == "git-email" else "stranger@elsewhere.example"
    git(practice, "config", "user.email", email)
    args: tuple[str, ...] = ADD_ZH
    env: dict[str, str] = {}
    if how in {"--as", "--as-over-env"}:
        args = ("--as", "bo", *ADD_ZH)
    if how in {"env", "--as-over-env", "env-over-git-email"}:
        env = {"BEANFIRM_STAFF": "bo" if how == "env" else "ana"}
    if how == "env-over-git-email":
        git(practice, "config", "user.email", "bo@firm.example")
    result = run_beanfirm(*args, cwd=practice, env=env)
    assert result.code == 0, result.err
    assert git(practice, "log", "-1", "--format=%an <%ae>") == expected + "\n"


@pytest.mark.parametrize("flag", ["-n", "--dry-run"])
def test_dry_run_writes_nothing(practice: Path, flag: str) -> None:
    before = snapshot(practice)
    result = run_beanfirm(*ADD_ZH, flag, cwd=practice, env=STAFF_ENV)
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert lines[0] == "Dry run: would add client huamei and write:"
    assert [line.strip() for line in lines[1:]] == HUAMEI_FILES
    assert snapshot(practice) == before
    assert not (practice / "ledgers/huamei").exists()
    listed = run_beanfirm("clients", "list", "--json", cwd=practice)
    assert json.loads(listed.out) == []


def test_added_clients_show_in_the_list(practice: Path) -> None:
    for args in (ADD_ZH, ADD_EN):
        assert run_beanfirm(*args, cwd=practice, env=STAFF_ENV).code == 0
    listed = run_beanfirm("clients", "list", "--format", "csv", cwd=practice)
    assert listed.code == 0, listed.err
    assert listed.out.splitlines() == [
        "id,name,industry,frequency,region,size,preparer,reviewer,currency,language,reconcile",
        "huamei,华美便利店,retail,high,shanghai,micro,bo,ana,CNY,zh,monthly",
        "northwind,Northwind Consulting Ltd,consulting,low,beijing,small,bo,ana,USD,en,monthly",
    ]


def test_show_prints_the_record(practice_with_client: Path) -> None:
    result = run_beanfirm("clients", "show", "huamei", cwd=practice_with_client)
    assert result.code == 0, result.err
    assert result.out.splitlines() == [
        "huamei: 华美便利店",
        "  classification  industry retail, frequency high, region shanghai, size micro",
        "  preparer        bo (Bo Preparer)",
        "  reviewer        ana (Ana Partner)",
        "  currency        CNY",
        "  fiscal year     starts 01-01",
        "  language        zh",
        "  reconcile       monthly",
        "  ledger          ledgers/huamei/main.beancount",
        "  accounts",
        (
            "    Assets:1002-银行存款:工商银行  [bank, importer icbc-debit no. 6222001, "
            "reconcile monthly]"
        ),
    ]


def test_show_json(practice_with_client: Path) -> None:
    result = run_beanfirm("clients", "show", "huamei", "--json", cwd=practice_with_client)
    assert result.code == 0, result.err
    assert json.loads(result.out) == {
        "id": "huamei",
        "name": "华美便利店",
        "classification": {
            "industry": "retail",
            "frequency": "high",
            "region": "shanghai",
            "size": "micro",
        },
        "preparer": "bo",
        "reviewer": "ana",
        "currency": "CNY",
        "fiscal-year-start": "01-01",
        "language": "zh",
        "reconcile": "monthly",
        "accounts": [
            {
                "account": "Assets:1002-银行存款:工商银行",
                "kind": "bank",
                "importer": "icbc-debit",
                "number": "6222001",
            }
        ],
        "ledger": "ledgers/huamei/main.beancount",
    }


def test_show_unknown_client_lists_the_known_ones(practice_with_client: Path) -> None:
    assert run_beanfirm(*ADD_EN, cwd=practice_with_client, env=STAFF_ENV).code == 0
    for args in (("nope",), ("nope", "--json")):
        result = run_beanfirm("clients", "show", *args, cwd=practice_with_client)
        assert_user_error(
            result, 2, "No client 'nope' in clients.yaml", "Known clients: huamei, northwind."
        )


def test_a_name_that_would_break_the_ledger_is_refused_first(practice: Path) -> None:
    # A line break in the name would break the comment line at the top of main.beancount;
    # the registry refuses it before anything is written (the rollback of a write whose
    # check fails is proven in test_writes).
    before = snapshot(practice)
    args = [*ADD_ZH]
    args[args.index("--name") + 1] = "华美\n便利店"
    result = run_beanfirm(*args, cwd=practice, env=STAFF_ENV)
    assert result.code == 2, result.err
    assert "Traceback" not in result.err
    assert "must be one line, without line breaks or tabs" in result.err
    assert snapshot(practice) == before
    assert not (practice / "ledgers/huamei").exists()


@pytest.mark.parametrize(
    ("spec", "complaint"),
    [
        ("Assets:Bank", "must be ACCOUNT,KIND,IMPORTER[,NUMBER]"),
        ("Assets:Bank,vault,icbc-debit", "kind must be one of bank, credit-card, payment, cash"),
        ("Assets:1002-银行存款:Bad Name,bank,icbc-debit", "is not a valid Beancount account name"),
    ],
)
def test_bad_account_option_is_refused(practice: Path, spec: str, complaint: str) -> None:
    before = snapshot(practice)
    args = [*ADD_ZH]
    args[args.index("--account") + 1] = spec
    result = run_beanfirm(*args, cwd=practice, env=STAFF_ENV)
    assert_user_error(result, 2, complaint)
    assert snapshot(practice) == before
