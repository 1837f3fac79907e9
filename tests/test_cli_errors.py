"""Bad input: one paragraph on stderr (file:line, what to do), exit 2 or 1, nothing written."""

from __future__ import annotations

import os
import shutil
from typing import TYPE_CHECKING

import pytest
from cli_support import ADD_EN, assert_user_error, commit_all, snapshot
from conftest import ADD_ZH, STAFF_ENV, git, run_beanfirm, tree_state

if TYPE_CHECKING:
    from pathlib import Path

READS = (("clients", "list"), ("clients", "show", "huamei"), ("check",), ("status",))
EVERY_COMMAND = (*READS, ADD_EN)


def _line_of(folder: Path, text: str) -> int:
    lines = (folder / "clients.yaml").read_text(encoding="utf-8").splitlines()
    return lines.index(text) + 1


def _edit_registry(folder: Path, old: str, new: str) -> None:
    registry = folder / "clients.yaml"
    text = registry.read_text(encoding="utf-8")
    assert text.count(old) == 1, text
    registry.write_text(text.replace(old, new), encoding="utf-8")


def _assert_all_refused(folder: Path, code: int, *needles: str) -> None:
    """Every command fails the same way, and none of them changes anything."""
    before = snapshot(folder)
    for args in EVERY_COMMAND:
        assert_user_error(run_beanfirm(*args, cwd=folder, env=STAFF_ENV), code, *needles)
    assert snapshot(folder) == before


def test_malformed_yaml(practice_with_client: Path) -> None:
    line = _line_of(practice_with_client, "    role: preparer")
    _edit_registry(practice_with_client, "\n    role: preparer\n", "\n      role: preparer\n")
    commit_all(practice_with_client, "A bad indent")
    _assert_all_refused(
        practice_with_client,
        2,
        "The client registry ",
        f"clients.yaml:{line}: YAML syntax error: mapping values are not allowed here.",
        "Fix the syntax near this line",
    )


def test_unknown_key_is_never_silently_ignored(practice_with_client: Path) -> None:
    line = _line_of(practice_with_client, "    reviewer: ana")
    _edit_registry(practice_with_client, "\n    reviewer: ana\n", "\n    reviwer: ana\n")
    commit_all(practice_with_client, "A typo")
    _assert_all_refused(
        practice_with_client,
        2,
        f"clients.yaml:{line}: unknown key 'reviwer' in a client. Did you mean 'reviewer'?",
        "is missing the required key 'reviewer'",
    )


def test_unknown_top_level_key(practice_with_client: Path) -> None:
    registry = practice_with_client / "clients.yaml"
    lines = registry.read_text(encoding="utf-8").count("\n")
    with registry.open("a", encoding="utf-8") as handle:
        handle.write("client:\n  - id: extra\n")
    commit_all(practice_with_client, "A stray key")
    _assert_all_refused(
        practice_with_client, 2, f"clients.yaml:{lines + 1}: unknown key 'client' in the registry."
    )


@pytest.mark.parametrize("committed", [True, False])
def test_missing_ledger_folder(practice_with_client: Path, committed: bool) -> None:
    line = _line_of(practice_with_client, "  - id: huamei")
    if committed:
        git(practice_with_client, "rm", "-r", "-q", "ledgers/huamei")
        commit_all(practice_with_client, "Lose a ledger")
    else:
        shutil.rmtree(practice_with_client / "ledgers/huamei")
    _assert_all_refused(
        practice_with_client,
        2,
        f"clients.yaml:{line}: client 'huamei' has no ledger: ledgers/huamei/main.beancount is "
        "missing. Restore the folder from git",
    )


@pytest.mark.parametrize("client_id", ["../x", "a/b", "..", "/usr", "Big Shop", "x."])
def test_client_id_with_path_characters(practice_with_client: Path, client_id: str) -> None:
    before = snapshot(practice_with_client)
    args = [*ADD_EN]
    args[args.index("northwind")] = client_id
    result = run_beanfirm(*args, cwd=practice_with_client, env=STAFF_ENV)
    assert_user_error(
        result,
        2,
        f"client id '{client_id}' is not allowed",
        "only lowercase letters, digits and hyphens",
    )
    assert snapshot(practice_with_client) == before
    assert not (practice_with_client / "x").exists()
    assert not (practice_with_client / "ledgers/a").exists()


def test_duplicate_client_id(practice_with_client: Path) -> None:
    before = snapshot(practice_with_client)
    result = run_beanfirm(*ADD_ZH, cwd=practice_with_client, env=STAFF_ENV)
    line = _line_of(practice_with_client, "  - id: huamei")
    assert_user_error(result, 2, f"duplicate client id 'huamei' (first on line {line})")
    assert snapshot(practice_with_client) == before


def test_leftover_ledger_folder(practice_with_client: Path) -> None:
    leftover = practice_with_client / "ledgers/northwind/main.beancount"
    leftover.parent.mkdir()
    leftover.write_text("; half an earlier attempt\n", encoding="utf-8")
    before = snapshot(practice_with_client)
    result = run_beanfirm(*ADD_EN, cwd=practice_with_client, env=STAFF_ENV)
    assert_user_error(result, 2, "ledgers/northwind/ already exists")
    assert snapshot(practice_with_client) == before


def test_not_a_git_repository(practice_with_client: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(practice_with_client, copy, ignore=shutil.ignore_patterns(".git"))
    before = tree_state(copy)
    for args in (ADD_EN, ("check",), ("status",)):
        result = run_beanfirm(*args, cwd=copy, env=STAFF_ENV)
        assert_user_error(result, 2, f"The practice {copy} is not a git repository", "git init")
    assert tree_state(copy) == before
    assert not (copy / ".git").exists()
    # What needs no git still works.
    listed = run_beanfirm("clients", "list", "--json", cwd=copy)
    assert (listed.code, listed.err) == (0, "")


@pytest.mark.parametrize("dry_run", [False, True])
def test_dirty_registry_refuses_a_write(practice_with_client: Path, dry_run: bool) -> None:
    with (practice_with_client / "clients.yaml").open("a", encoding="utf-8") as handle:
        handle.write("# a note not yet committed\n")
    before = snapshot(practice_with_client)
    assert before.porcelain == " M clients.yaml\n"
    result = run_beanfirm(
        *ADD_EN, *(["-n"] if dry_run else []), cwd=practice_with_client, env=STAFF_ENV
    )
    assert_user_error(
        result,
        2,
        "Refusing to change client northwind: files it needs have uncommitted changes (clients.yaml).",
        "commit or stash these first",
    )
    assert snapshot(practice_with_client) == before


def test_flow_style_client_list_is_refused_not_rewritten(practice_with_client: Path) -> None:
    # Appending by replacing a `[...]` list would silently drop the clients already in it.
    registry = practice_with_client / "clients.yaml"
    text = registry.read_text(encoding="utf-8")
    head = text[: text.index("\nclients:") + 1]
    registry.write_text(
        head + "clients: [{id: huamei, name: HM, classification: {industry: retail, "
        "frequency: high, region: sh, size: micro}, preparer: bo, reviewer: ana, currency: CNY}]\n",
        encoding="utf-8",
    )
    commit_all(practice_with_client, "Flow style")
    before = snapshot(practice_with_client)
    result = run_beanfirm(*ADD_EN, cwd=practice_with_client, env=STAFF_ENV)
    assert_user_error(result, 2, "clients.yaml")
    assert snapshot(practice_with_client) == before


@pytest.mark.parametrize(
    ("how", "complaint"),
    [
        (("--as", "zed"), "No staff member 'zed' in clients.yaml. Staff ids are: ana, bo."),
        (("env", "zed"), "No staff member 'zed' in clients.yaml. Staff ids are: ana, bo."),
        (("nobody", ""), "beanfirm does not know who you are"),
    ],
)
def test_unknown_staff(practice_with_client: Path, how: tuple[str, str], complaint: str) -> None:
    git(practice_with_client, "config", "user.email", "stranger@elsewhere.example")
    before = snapshot(practice_with_client)
    kind, value = how
    args = ("--as", value, *ADD_EN) if kind == "--as" else ADD_EN
    env = {"BEANFIRM_STAFF": value} if kind == "env" else {}
    result = run_beanfirm(*args, cwd=practice_with_client, env=env)
    assert_user_error(result, 2, complaint)
    assert snapshot(practice_with_client) == before


@pytest.mark.parametrize("args", EVERY_COMMAND)
def test_no_practice_found(tmp_path: Path, args: tuple[str, ...]) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    result = run_beanfirm(*args, cwd=empty, env=STAFF_ENV)
    assert_user_error(result, 2, f"No beanfirm practice here: no clients.yaml in {empty}")
    assert list(empty.iterdir()) == []


@pytest.mark.parametrize("how", ["option", "env"])
def test_practice_option_pointing_nowhere(tmp_path: Path, how: str) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    args = ("--practice", str(empty), "check") if how == "option" else ("check",)
    env = {"BEANFIRM_PRACTICE": str(empty)} if how == "env" else {}
    result = run_beanfirm(*args, cwd=tmp_path, env=env)
    assert_user_error(result, 2, f"{empty} is not a beanfirm practice: it has no clients.yaml")
    assert list(empty.iterdir()) == []


def test_practice_option_from_elsewhere(practice_with_client: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = run_beanfirm("--practice", str(practice_with_client), "check", "--json", cwd=elsewhere)
    assert result.code == 0, result.err
    from_env = run_beanfirm(
        "clients",
        "list",
        "--format",
        "csv",
        cwd=elsewhere,
        env={"BEANFIRM_PRACTICE": str(practice_with_client)},
    )
    assert from_env.out.splitlines()[1].startswith("huamei,")


@pytest.mark.parametrize(
    ("args", "complaint"),
    [
        (
            ("portal", "user", "add", "x@example.com", "--generate"),
            "Say whose books the user may see: give --client ID (repeatable) or --staff STAFF-ID.",
        ),
        (
            ("portal", "user", "add", "x@example.com", "--client", "huamei", "--staff", "li"),
            "Give --client ID (repeatable) or --staff STAFF-ID, not both.",
        ),
        (("close", "--period", "2025-01"), "Say whose month to close: give one client"),
        (("approve", "--as", "li"), "Say whose books to approve: give the clients (CLIENT...)"),
        (("statement", "huamei"), "Say whose statement to write: give one customer"),
        (
            ("statement", "huamei", "--customer", "x", "--all-customers"),
            "Give one customer with --customer NAME or --all-customers, not both.",
        ),
    ],
)
def test_neither_of_two_alternatives_is_not_called_both(
    practice_with_client: Path, args: tuple[str, ...], complaint: str
) -> None:
    before = snapshot(practice_with_client)
    result = run_beanfirm(*args, cwd=practice_with_client, env=STAFF_ENV)
    assert_user_error(result, 2, complaint)
    if "not both" not in complaint:
        assert "both" not in result.err
    assert snapshot(practice_with_client) == before


GBK_PDF = os.fsdecode("电费发票.pdf".encode("gbk"))  # as Chinese Windows names it
GBK_CSV = os.fsdecode("工行.csv".encode("gbk"))
GBK_REASON = os.fsdecode("国庆值班".encode("gbk"))


@pytest.mark.parametrize(
    ("args", "shown"),
    [
        (("documents", "attach", "huamei", GBK_PDF, "--link", "x"), "'\\xb5\\xe7"),
        (("import", "huamei", GBK_CSV), ".csv'"),
        (
            ("anomalies", "dismiss", "huamei", "a1", "--reason", GBK_REASON),
            "(the value of --reason)",
        ),
    ],
)
def test_an_argument_not_in_utf8_is_refused_in_one_paragraph(
    practice_with_client: Path, args: tuple[str, ...], shown: str
) -> None:
    folder = practice_with_client
    (folder / GBK_PDF).write_bytes(b"%PDF-1.7\n%%EOF\n")
    (folder / GBK_CSV).write_text("date,amount\n2025-01-02,1.00\n", encoding="utf-8")
    before = snapshot(folder)
    result = run_beanfirm(*args, cwd=folder, env=STAFF_ENV)
    assert_user_error(result, 2, "is not UTF-8 text", "Nothing was written", shown)
    assert "rename the file" in result.err
    assert snapshot(folder) == before
