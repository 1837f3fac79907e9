"""`apply_write`: one commit on success; on any failure the practice is exactly as before."""

from __future__ import annotations

import fcntl
import os
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Never

import pytest
from conftest import git, tree_state

from beanfirm.errors import LedgerError, Problem, WriteRefusedError
from beanfirm.store.gitrepo import Author, PracticeRepo
from beanfirm.store.ledger import ledger_problems
from beanfirm.store.writes import (
    Planned,
    SameCheck,
    Stopped,
    WritePlan,
    Written,
    apply_write,
    files_plan,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

BO = Author("Bo Preparer", "bo@firm.example")
MAIN = "ledgers/acme/main.beancount"
JANUARY = "ledgers/acme/journal/2025/01.beancount"
NEW_YEAR = "ledgers/acme/journal/2026/01.beancount"  # in a folder that does not exist yet
NOTES = "ledgers/acme/notes.txt"

LAYOUT = {
    "clients.yaml": "firm: {name: Test Firm, staff: []}\nclients: []\n",
    ".gitignore": "/.beanfirm/\n",
    MAIN: (
        'option "operating_currency" "CNY"\n'
        'include "accounts.beancount"\n'
        'include "journal/*/*.beancount"\n'
    ),
    "ledgers/acme/accounts.beancount": (
        "2025-01-01 open Assets:Bank CNY\n2025-01-01 open Expenses:Office CNY\n"
    ),
    JANUARY: '2025-01-10 * "Paper"\n  Expenses:Office  10.00 CNY\n  Assets:Bank\n',
    NOTES: "to be deleted\n",
    "ledgers/other/main.beancount": 'option "operating_currency" "CNY"\n',
}

NEW_YEAR_TXN = '2026-01-03 * "Toner"\n  Expenses:Office  80.00 CNY\n  Assets:Bank\n'


@dataclass(frozen=True)
class Snapshot:
    """Everything a failed write must leave as it was."""

    files: dict[str, str]
    head: str
    status: str
    index: str
    commits: int


def snapshot(root: Path) -> Snapshot:
    files = {
        k: v for k, v in tree_state(root).items() if k != ".git/" and not k.startswith(".git/")
    }
    return Snapshot(
        files=files,
        head=git(root, "rev-parse", "HEAD").strip(),
        status=git(root, "status", "--porcelain=v1", "--untracked-files=all"),
        index=git(root, "ls-files", "--stage"),
        commits=int(git(root, "rev-list", "--count", "HEAD")),
    )


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A committed practice with one client, `acme`, whose ledger checks clean."""
    return committed_practice(tmp_path)


def committed_practice(tmp_path: Path) -> Path:
    """Write the files of `LAYOUT` into a new repository and commit them."""
    folder = tmp_path / "practice"
    for relpath, text in LAYOUT.items():
        (folder / relpath).parent.mkdir(parents=True, exist_ok=True)
        (folder / relpath).write_text(text, encoding="utf-8")
    git(folder, "init", "--quiet", "--initial-branch=main")
    git(folder, "add", "--all")
    git(
        folder,
        "-c",
        "user.name=Setup",
        "-c",
        "user.email=setup@firm.example",
        "commit",
        "--quiet",
        "-m",
        "Initial practice",
    )
    return folder


def plan(changes: dict[str, bytes | None] | None = None) -> WritePlan[None, Never]:
    return files_plan(
        changes
        if changes is not None
        else {
            MAIN: LAYOUT[MAIN].encode() + b'option "title" "Acme"\n',
            NEW_YEAR: NEW_YEAR_TXN.encode(),
            NOTES: None,
        },
        "Add January 2026 for acme\n\nBecause the test says so.",
        locks=("acme",),
        guard=("ledgers/acme",),
        what="client acme",
    )


def no_problems() -> list[Problem]:
    return []


def write(
    root: Path,
    the_plan: WritePlan[None, Never] | None = None,
    *,
    check: Callable[[], list[Problem]] = no_problems,
    dry_run: bool = False,
    lock_wait: float = 10.0,
) -> Written[None]:
    return apply_write(
        root,
        PracticeRepo(root),
        the_plan or plan(),
        author=BO,
        check=SameCheck(lambda _where: check()),
        dry_run=dry_run,
        lock_wait=lock_wait,
    )


def make_unrelated_changes(root: Path) -> None:
    """Uncommitted work outside the guarded client, which a write must neither take nor lose."""
    (root / "ledgers/other/main.beancount").write_text("; being edited\n", encoding="utf-8")
    (root / "ledgers/other/draft.beancount").write_text("; new\n", encoding="utf-8")
    (root / "clients.yaml").write_text("firm: {}\nclients: []\n", encoding="utf-8")
    git(root, "add", "clients.yaml")


UNRELATED_STATUS = (
    "M  clients.yaml\n M ledgers/other/main.beancount\n?? ledgers/other/draft.beancount\n"
)


def test_success_makes_one_commit_of_exactly_the_planned_paths(root: Path) -> None:
    make_unrelated_changes(root)
    before = snapshot(root)
    result = write(root)
    assert result.paths == (NEW_YEAR, MAIN, NOTES)
    assert result.commit == git(root, "rev-parse", "HEAD").strip()
    assert int(git(root, "rev-list", "--count", "HEAD")) == before.commits + 1
    assert git(root, "rev-parse", "HEAD~1").strip() == before.head
    assert git(root, "log", "-1", "--format=%an <%ae>|%cn <%ce>|%B") == (
        "Bo Preparer <bo@firm.example>|Bo Preparer <bo@firm.example>|"
        "Add January 2026 for acme\n\nBecause the test says so.\n\n"
    )
    assert git(root, "show", "--name-status", "--format=", "HEAD") == (
        f"A\t{NEW_YEAR}\nM\t{MAIN}\nD\t{NOTES}\n"
    )
    assert (root / NEW_YEAR).read_text(encoding="utf-8") == NEW_YEAR_TXN
    assert not (root / NOTES).exists()
    # The unrelated work is still there, still uncommitted, the staged part still staged.
    assert git(root, "status", "--porcelain=v1", "--untracked-files=all") == UNRELATED_STATUS


def test_new_problem_undoes_the_write(root: Path) -> None:
    make_unrelated_changes(root)
    os.chmod(root / MAIN, 0o640)
    before = snapshot(root)
    broken = Problem(JANUARY, 3, "Balance failed for 'Assets:Bank'")
    calls: list[str] = []

    def check() -> list[Problem]:
        calls.append("check")
        return [broken] if (root / NEW_YEAR).exists() else []

    with pytest.raises(LedgerError) as caught:
        write(root, check=check)
    assert calls == ["check", "check"]
    assert caught.value.problems == (broken,)
    assert str(caught.value) == (
        "The change to client acme would break its ledger, so nothing was written. "
        "Fix the input and run the command again:\n"
        "  ledgers/acme/journal/2025/01.beancount:3: Balance failed for 'Assets:Bank'"
    )
    assert snapshot(root) == before
    assert not (root / "ledgers/acme/journal/2026").exists()
    assert (root / NOTES).read_text(encoding="utf-8") == "to be deleted\n"
    assert os.stat(root / MAIN).st_mode & 0o777 == 0o640


def test_new_folders_are_removed_on_failure(root: Path) -> None:
    before = snapshot(root)
    deep = "ledgers/acme/documents/Assets/Bank/2025-01-31.statement.pdf"

    def check() -> list[Problem]:
        return [Problem(MAIN, None, "broken")] if (root / deep).exists() else []

    with pytest.raises(LedgerError):
        write(root, plan({deep: b"%PDF-1.4\n"}), check=check)
    assert snapshot(root) == before
    assert not (root / "ledgers/acme/documents").exists()


def test_interrupt_during_check_undoes_the_write(root: Path) -> None:
    before = snapshot(root)
    calls: list[str] = []

    def check() -> list[Problem]:
        calls.append("check")
        if len(calls) == 2:
            raise KeyboardInterrupt
        return []

    with pytest.raises(KeyboardInterrupt):
        write(root, check=check)
    assert snapshot(root) == before


def test_commit_failure_restores_files_and_index(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_unrelated_changes(root)
    before = snapshot(root)

    def failing_commit(
        self: PracticeRepo, paths: Iterable[str], message: str, author: Author
    ) -> str:
        del message, author
        self._git("add", "--all", "--", *paths)  # staged, then the commit itself fails
        raise RuntimeError("simulated commit failure")

    monkeypatch.setattr(PracticeRepo, "commit", failing_commit)
    with pytest.raises(RuntimeError, match="simulated commit failure"):
        write(root)
    assert snapshot(root) == before
    assert git(root, "diff", "--cached", "--name-only") == "clients.yaml\n"


def test_dirty_client_is_refused_before_anything_is_written(root: Path) -> None:
    (root / JANUARY).write_text("; half-finished edit\n", encoding="utf-8")
    (root / "ledgers/acme/scratch.beancount").write_text("; new\n", encoding="utf-8")
    before = snapshot(root)
    calls: list[str] = []

    def check() -> list[Problem]:
        calls.append("check")
        return []

    with pytest.raises(WriteRefusedError) as caught:
        write(root, check=check)
    assert str(caught.value).startswith(
        "Refusing to change client acme: files it needs have uncommitted changes "
        "(ledgers/acme/journal/2025/01.beancount, ledgers/acme/scratch.beancount)."
    )
    assert calls == []
    assert snapshot(root) == before


def test_dry_run_writes_nothing(root: Path) -> None:
    make_unrelated_changes(root)
    before = snapshot(root)
    seen: list[str] = []

    def check(where: Path) -> list[Problem]:
        seen.append(where.name if where != root else "practice")
        if where != root:
            # The planned files are written, into a copy outside the practice.
            assert (where / NEW_YEAR).read_text(encoding="utf-8") == NEW_YEAR_TXN
            assert not (where / NOTES).exists()
            assert (where / "clients.yaml").read_text(encoding="utf-8") == "firm: {}\nclients: []\n"
            assert not where.is_relative_to(root)
        return ledger_problems(where / MAIN, where)

    result = apply_write(
        root, PracticeRepo(root), plan(), author=BO, check=SameCheck(check), dry_run=True
    )
    assert result == Written(None, (NEW_YEAR, MAIN, NOTES), None)
    assert seen[0] == "practice"
    assert seen[1].startswith("beanfirm-dry-run-")
    assert snapshot(root) == before
    assert not Path(tempfile.gettempdir(), seen[1]).exists()  # the copy is gone


def test_dry_run_fails_where_the_write_would_fail(root: Path) -> None:
    before = snapshot(root)
    new_year = '2026-01-04 * "Taxi"\n  Expenses:Travel  35.00 CNY\n  Assets:Bank\n'

    def check(where: Path) -> list[Problem]:
        return ledger_problems(where / MAIN, where)

    for dry_run in (True, False):
        with pytest.raises(LedgerError) as caught:
            apply_write(
                root,
                PracticeRepo(root),
                plan({NEW_YEAR: new_year.encode()}),
                author=BO,
                check=SameCheck(check),
                dry_run=dry_run,
            )
        assert caught.value.problems == (
            Problem(NEW_YEAR, 1, "Invalid reference to unknown account 'Expenses:Travel'"),
        )
        assert snapshot(root) == before


def test_dry_run_reads_what_the_ledger_includes_from_outside_its_folder(root: Path) -> None:
    shared = root / "shared" / "accounts.beancount"
    shared.parent.mkdir()
    shared.write_text("2025-01-01 open Expenses:Travel CNY\n", encoding="utf-8")
    main = LAYOUT[MAIN] + 'include "../../shared/accounts.beancount"\n'
    (root / MAIN).write_text(main, encoding="utf-8")
    git(root, "add", "--all")
    git(root, "commit", "--quiet", "-m", "Shared accounts")
    before = snapshot(root)
    seen: list[Path] = []

    def check(where: Path) -> list[Problem]:
        seen.append(where)
        if where != root:
            assert (where / "shared").is_symlink()  # read, never written
            assert (where / "ledgers/other").is_symlink()
            assert not (where / "ledgers/acme").is_symlink()
        return ledger_problems(where / MAIN, where)

    new_year = '2026-01-04 * "Taxi"\n  Expenses:Travel  35.00 CNY\n  Assets:Bank\n'
    result = apply_write(
        root,
        PracticeRepo(root),
        plan({NEW_YEAR: new_year.encode()}),
        author=BO,
        check=SameCheck(check),
        dry_run=True,
    )
    assert result == Written(None, (NEW_YEAR,), None)
    assert len(seen) == 2
    assert snapshot(root) == before


def test_interrupted_dry_run_leaves_no_trace(root: Path) -> None:
    make_unrelated_changes(root)
    before = snapshot(root)

    def check(where: Path) -> list[Problem]:
        if where != root:
            raise KeyboardInterrupt
        return []

    with pytest.raises(KeyboardInterrupt):
        apply_write(
            root, PracticeRepo(root), plan(), author=BO, check=SameCheck(check), dry_run=True
        )
    assert snapshot(root) == before


KILLED_IN_CHECK = """\
import os, pathlib, sys, time
from beanfirm.store.gitrepo import Author, PracticeRepo
from beanfirm.store.writes import SameCheck, apply_write, files_plan
root = pathlib.Path(sys.argv[1])
changes = {sys.argv[2]: b"; new\\n", sys.argv[3]: None}
plan = files_plan(changes, "m", locks=("acme",), guard=("ledgers/acme",), what="client acme")
def check(where):
    if where != root:
        print("checking", flush=True)
        time.sleep(600)
    return []
apply_write(root, PracticeRepo(root), plan, author=Author("Bo", "bo@firm.example"),
            check=SameCheck(check), dry_run=True)
"""


def test_killed_dry_run_leaves_no_trace(root: Path) -> None:
    make_unrelated_changes(root)
    before = snapshot(root)
    dry_run = subprocess.Popen(
        [sys.executable, "-c", KILLED_IN_CHECK, str(root), NEW_YEAR, NOTES],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert dry_run.stdout is not None
        assert dry_run.stdout.readline() == "checking\n"  # the files are written, somewhere
    finally:
        dry_run.kill()
        dry_run.wait(timeout=60)
    assert dry_run.returncode == -signal.SIGKILL
    assert snapshot(root) == before
    # The practice is free: the next write goes through.
    assert write(root, lock_wait=0.2).commit is not None


HOLD_LOCK = """\
import pathlib, sys
from beanfirm.store.locks import locked
with locked(pathlib.Path(sys.argv[1]), [sys.argv[2]]):
    print("held", flush=True)
    sys.stdin.read()
"""


def test_lock_held_by_another_process_refuses_the_write(root: Path) -> None:
    before = snapshot(root)
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(root / ".beanfirm"), "acme"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline() == "held\n"
        with pytest.raises(WriteRefusedError) as caught:
            write(root, lock_wait=0.2)
        assert str(caught.value) == (
            f"'acme' is being changed by another beanfirm process (pid {holder.pid}); "
            "nothing was written. Wait for it to finish and run the command again."
        )
        assert snapshot(root) == before
    finally:
        assert holder.stdin is not None
        holder.stdin.close()
        assert holder.wait(timeout=60) == 0
    # Once the other process is done, the same write goes through.
    assert write(root, lock_wait=0.2).commit is not None


BAD_JANUARY = (
    '2025-01-10 * "Paper"\n  Expenses:Office  10.00 CNY\n  Assets:Bank\n'
    "\n"
    '2025-01-20 * "Stamps"\n  Expenses:Postage  5.00 CNY\n  Assets:Bank\n'
)


def test_old_problem_does_not_block_a_write(root: Path) -> None:
    (root / JANUARY).write_text(BAD_JANUARY, encoding="utf-8")
    git(root, "commit", "--quiet", "-am", "A January with a mistake")

    def check() -> list[Problem]:
        return ledger_problems(root / MAIN, root)

    old = Problem(JANUARY, 5, "Invalid reference to unknown account 'Expenses:Postage'")
    assert check() == [old]
    # An entry above the mistake moves it down a few lines: still the same old problem.
    january = '2025-01-05 * "Pens"\n  Expenses:Office  3.00 CNY\n  Assets:Bank\n\n' + BAD_JANUARY
    result = write(root, plan({JANUARY: january.encode()}), check=check)
    assert result.commit == git(root, "rev-parse", "HEAD").strip()
    assert check() == [Problem(JANUARY, 9, old.message)]
    assert git(root, "status", "--porcelain") == ""


def test_new_problem_from_the_real_ledger_blocks_the_write(root: Path) -> None:
    before = snapshot(root)

    def check() -> list[Problem]:
        return ledger_problems(root / MAIN, root)

    new_year = '2026-01-04 * "Taxi"\n  Expenses:Travel  35.00 CNY\n  Assets:Bank\n'
    with pytest.raises(LedgerError) as caught:
        write(root, plan({NEW_YEAR: new_year.encode()}), check=check)
    assert caught.value.problems == (
        Problem(NEW_YEAR, 1, "Invalid reference to unknown account 'Expenses:Travel'"),
    )
    assert snapshot(root) == before


def test_a_plan_that_stops_writes_nothing_and_hands_back_its_value(root: Path) -> None:
    before = snapshot(root)
    seen: list[bool] = []

    def prepare() -> Planned[None] | Stopped[str]:
        with (root / ".beanfirm" / "locks" / "acme.lock").open("rb") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                seen.append(True)
        return Stopped("every row is in the ledger already")

    stopping = WritePlan(prepare, locks=("acme",), guard=("ledgers/acme",), what="client acme")
    result = apply_write(
        root, PracticeRepo(root), stopping, author=BO, check=SameCheck(lambda _where: [])
    )
    assert result == Stopped("every row is in the ledger already")
    assert seen == [True]  # planned under the lock
    assert snapshot(root) == before
