"""Helpers for the end-to-end tests of the `beanfirm` command (tests/test_cli_*.py)."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from conftest import ADD_ZH, STAFF_ENV, Run, git, run_beanfirm, tree_state

BEAN_CHECK = Path(sys.executable).parent / "bean-check"
TEST_COMMITTER = ("-c", "user.name=Test Harness", "-c", "user.email=harness@tests.invalid")

# The month file every client added with `--opened 2025-01-01` gets.
HUAMEI_JANUARY = "ledgers/huamei/journal/2025/01.beancount"
NORTHWIND_JANUARY = "ledgers/northwind/journal/2025/01.beancount"

ADD_EN = (
    "clients",
    "add",
    "northwind",
    "--name",
    "Northwind Consulting Ltd",
    "--industry",
    "consulting",
    "--frequency",
    "low",
    "--region",
    "beijing",
    "--size",
    "small",
    "--preparer",
    "bo",
    "--reviewer",
    "ana",
    "--language",
    "en",
    "--currency",
    "USD",
    "--opened",
    "2025-01-01",
)

UNBALANCED_ZH = (
    '2025-01-05 * "出租车" "unbalanced taxi fare"\n'
    "  Assets:1002-银行存款:工商银行  -10.00 CNY\n"
    "  Expenses:5601-销售费用:差旅费  9.00 CNY\n"
)

BALANCED_ZH = (
    '2025-01-06 * "出租车" "taxi to a customer"\n'
    "  Assets:1002-银行存款:工商银行  -10.00 CNY\n"
    "  Expenses:5601-销售费用:差旅费  10.00 CNY\n"
)


# Git rewrites its index file (stat data) and may leave unreachable objects when a write is
# rolled back; what the index holds is compared through `git ls-files --stage` instead. The
# practice's git lock is an empty file that stays once made, like the client locks; an intent
# left in `.git/beanfirm/intents/` is a change and is still compared.
GIT_SCRATCH = (".git/index", ".git/objects/", ".git/beanfirm/git.lock")
GIT_SCRATCH_DIRS = (".git/beanfirm/",)


@dataclass(frozen=True)
class Snapshot:
    """Everything a failed command must leave as it was."""

    files: dict[str, str]
    head: str
    porcelain: str
    staged: str


def snapshot(folder: Path) -> Snapshot:
    """Record the files, HEAD, `git status` and the index entries of a practice."""
    files = {
        k: v
        for k, v in tree_state(folder).items()
        if not k.startswith(GIT_SCRATCH) and k not in GIT_SCRATCH_DIRS
    }
    return Snapshot(
        files,
        git(folder, "rev-parse", "HEAD").strip(),
        git(folder, "status", "--porcelain", "--untracked-files=all"),
        git(folder, "ls-files", "--stage"),
    )


def assert_user_error(result: Run, code: int, *needles: str) -> None:
    """A user mistake: the exact exit code, one message on stderr, no traceback, no output."""
    assert result.code == code, (result.code, result.out, result.err)
    assert "Traceback" not in result.err, result.err
    assert result.err.startswith("Error: "), result.err
    assert result.out == "", result.out
    for needle in needles:
        assert needle in result.err, (needle, result.err)


def commit_all(folder: Path, message: str) -> None:
    """Commit every change in a practice, as someone editing by hand would."""
    git(folder, "add", "--all")
    git(folder, *TEST_COMMITTER, "commit", "-q", "-m", message)


def append_entry(folder: Path, relpath: str, text: str) -> int:
    """Append an entry after a blank line; return the line number where it starts."""
    path = folder / relpath
    before = path.read_text(encoding="utf-8")
    if not before.endswith("\n"):
        before += "\n"
    path.write_text(before + "\n" + text, encoding="utf-8")
    return len(before.splitlines()) + 2


def add_staff(folder: Path, staff_id: str, name: str, role: str) -> None:
    """Register one more staff member in clients.yaml by hand, and commit."""
    registry = folder / "clients.yaml"
    text = registry.read_text(encoding="utf-8")
    entry = (
        f"  - id: {staff_id}\n    name: {name}\n    email: {staff_id}@firm.example\n"
        f"    role: {role}\n"
    )
    assert text.count("\nclients:") == 1, text
    registry.write_text(text.replace("\nclients:", "\n" + entry + "clients:"), encoding="utf-8")
    commit_all(folder, f"Add {name}")


def new_practice(folder: Path) -> Path:
    """The `practice` fixture's practice (ana partner, bo preparer), for wider scopes."""
    result = run_beanfirm(
        "init",
        str(folder),
        "--firm",
        "Test Firm",
        "--staff-id",
        "ana",
        "--staff-name",
        "Ana Partner",
        "--staff-email",
        "ana@firm.example",
        cwd=folder.parent,
    )
    assert result.code == 0, result.err
    add_staff(folder, "bo", "Bo Preparer", "preparer")
    return folder


def add_firm_clients(folder: Path) -> None:
    """Three clients that differ in every classification field, language and currency.

    huamei:    retail,     high,   shanghai, micro,  bo / ana, zh, CNY
    northwind: consulting, low,    beijing,  small,  bo / ana, en, USD
    jinma:     wholesale,  medium, shanghai, medium, cy / ana, zh, CNY   (cy is a reviewer)
    """
    add_staff(folder, "cy", "Cy Reviewer", "reviewer")
    jinma = (
        "clients",
        "add",
        "jinma",
        "--name",
        "金马批发有限公司",
        "--industry",
        "wholesale",
        "--frequency",
        "medium",
        "--region",
        "shanghai",
        "--size",
        "medium",
        "--preparer",
        "cy",
        "--reviewer",
        "ana",
        "--opened",
        "2025-01-01",
    )
    for args in (ADD_ZH, ADD_EN, jinma):
        result = run_beanfirm(*args, cwd=folder, env=STAFF_ENV)
        assert result.code == 0, result.err


def is_ignored(folder: Path, relpath: str) -> bool:
    """Ask git whether a path (existing or not) is ignored in a practice."""
    proc = subprocess.run(
        ["git", "check-ignore", "-q", "--no-index", relpath],
        cwd=folder,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode in {0, 1}, proc.stderr
    return proc.returncode == 0
