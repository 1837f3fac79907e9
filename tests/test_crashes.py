"""Writes killed half-way, git's lock files left behind, writes at once: none blocks the next."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from conftest import STAFF_ENV, git, run_beanfirm, tree_state
from import_support import add_client
from test_writes import (
    JANUARY,
    MAIN,
    NEW_YEAR,
    NEW_YEAR_TXN,
    NOTES,
    committed_practice,
    plan,
    snapshot,
    write,
)

from beanfirm.errors import WriteRefusedError
from beanfirm.jobs.repair import Repair, repair_practice
from beanfirm.store import gitlocks, gitrepo
from beanfirm.store.gitlocks import LiveGit
from beanfirm.store.gitrepo import Author, GitError, PracticeRepo
from beanfirm.store.intents import read_intents
from beanfirm.store.practice import Practice
from beanfirm.store.registry import parse_registry
from beanfirm.store.staging import Staging

if TYPE_CHECKING:
    from collections.abc import Iterable

REPO = Path(__file__).resolve().parent.parent
PAPER = '2025-01-12 * "Paper again"\n  Expenses:Office  12.00 CNY\n  Assets:Bank\n'

# A write whose process dies at a chosen moment: after `git add` inside the commit, or just
# after the commit, before it removes its intent. `kill -9` of itself: no cleanup runs.
KILLED_WRITE = """\
import os, pathlib, signal, sys
from beanfirm.store import gitrepo, writes
from beanfirm.store.gitrepo import Author, PracticeRepo
root, moment, client = pathlib.Path(sys.argv[1]), sys.argv[2], sys.argv[4]
def die(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGKILL)
if moment == "in-git":
    real = PracticeRepo._git
    def git_then_die(self, *args, **kwargs):
        out = real(self, *args, **kwargs)
        if args[0] == "add":
            die()
        return out
    PracticeRepo._git = git_then_die
else:
    writes.drop_intent = die
changes = {f"ledgers/{client}/journal/2026/01.beancount": sys.argv[3].encode(),
           f"ledgers/{client}/{sys.argv[5]}": None}
plan = writes.files_plan(changes, "Killed write", locks=(client,), guard=(f"ledgers/{client}",),
                         what=f"client {client}")
writes.apply_write(root, PracticeRepo(root), plan, author=Author("Bo", "bo@firm.example"),
                   check=writes.NO_CHECK)
"""


@pytest.fixture(name="root")
def _root(tmp_path: Path) -> Path:
    """test_writes.py's practice: `acme`, committed, clean."""
    return committed_practice(tmp_path)


def kill_a_write(root: Path, moment: str, client: str = "acme", delete: str = "notes.txt") -> None:
    """Run a write that adds a month file and deletes a file, killed at `moment`."""
    proc = subprocess.run(
        [sys.executable, "-c", KILLED_WRITE, str(root), moment, NEW_YEAR_TXN, client, delete],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == -signal.SIGKILL, proc.stderr


def repair(root: Path, client_id: str | None = None) -> Repair:
    registry, problems = parse_registry(root / "clients.yaml")
    assert registry is not None, problems
    return repair_practice(Practice(root, registry), PracticeRepo(root), client_id)


def test_a_stale_index_lock_is_cleared_by_the_next_write(root: Path) -> None:
    (root / ".git/index.lock").write_bytes(b"")  # a git killed while it staged a file
    (root / ".git/refs/heads/main.lock").write_bytes(b"")
    result = write(root, lock_wait=0.2)
    assert result.commit == git(root, "rev-parse", "HEAD").strip()
    assert not (root / ".git/index.lock").exists()
    assert not (root / ".git/refs/heads/main.lock").exists()
    assert git(root, "status", "--porcelain") == ""


def test_a_git_run_by_hand_keeps_its_lock_and_is_waited_for(root: Path) -> None:
    # `git commit FILE` holds index.lock while its editor is open; beanfirm waits for it and
    # never removes it. (A plain `git commit` holds no lock meanwhile: a beanfirm commit then
    # moves HEAD under it, and git refuses that commit, as it does with any two gits.)
    editor = "sh -c 'sleep 1; echo By hand > \"$1\"' -"
    (root / "ledgers/other/main.beancount").write_text("; by hand\n", encoding="utf-8")
    env = {**os.environ, "GIT_EDITOR": editor}
    by_hand = subprocess.Popen(
        [
            "git",
            "-c",
            "user.name=Hand",
            "-c",
            "user.email=hand@firm.example",
            "commit",
            "--",
            "ledgers/other/main.beancount",
        ],
        cwd=root,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    while not (root / ".git/index.lock").exists() and by_hand.poll() is None:
        pass
    result = write(root, lock_wait=0.2)
    _out, err = by_hand.communicate(timeout=30)
    assert by_hand.returncode == 0, err
    log = git(root, "log", "--format=%s", "-3").splitlines()
    assert log[:2] == ["Add January 2026 for acme", "By hand"]
    assert result.commit == git(root, "rev-parse", "HEAD").strip()
    assert git(root, "status", "--porcelain") == ""


@pytest.mark.parametrize("moment", ["in-git", "after-commit"])
def test_the_next_write_undoes_or_finishes_a_killed_one(root: Path, moment: str) -> None:
    before = snapshot(root)
    kill_a_write(root, moment)
    assert len(read_intents(root / ".git/beanfirm")) == 1
    if moment == "in-git":  # killed after `git add`: files written and staged, no commit
        assert git(root, "diff", "--cached", "--name-only") == f"{NEW_YEAR}\n{NOTES}\n"
    january = (root / JANUARY).read_text(encoding="utf-8") + "\n" + PAPER
    result = write(root, plan({JANUARY: january.encode()}), lock_wait=0.2)
    assert result.commit == git(root, "rev-parse", "HEAD").strip()
    assert git(root, "status", "--porcelain", "--untracked-files=all") == ""
    assert read_intents(root / ".git/beanfirm") == []
    subjects = git(root, "log", "--format=%s").splitlines()
    if moment == "in-git":
        assert len(subjects) == before.commits + 1
        assert not (root / NEW_YEAR).exists()
        assert (root / NOTES).exists()
        assert not (root / "ledgers/acme/journal/2026").exists()
    else:
        assert subjects[:2] == ["Add January 2026 for acme", "Killed write"]
        assert (root / NEW_YEAR).read_text(encoding="utf-8") == NEW_YEAR_TXN
    assert git(root, "show", "--name-only", "--format=", "HEAD") == f"{JANUARY}\n"


def test_a_write_to_one_client_settles_another_clients_killed_write(root: Path) -> None:
    # Nobody writes to `other` again: a write to `acme` finds its intent, takes its free lock
    # (proof that its writer is gone) and undoes it, back to HEAD as it is now.
    kill_a_write(root, "in-git", client="other", delete="main.beancount")
    assert len(read_intents(root / ".git/beanfirm")) == 1
    assert not (root / "ledgers/other/main.beancount").exists()
    result = write(root, lock_wait=0.2)
    assert result.commit == git(root, "rev-parse", "HEAD").strip()
    assert read_intents(root / ".git/beanfirm") == []
    assert git(root, "status", "--porcelain", "--untracked-files=all") == ""
    assert (root / "ledgers/other/main.beancount").exists()
    assert not (root / "ledgers/other/journal").exists()


def test_a_dry_run_names_repair_and_changes_nothing(root: Path) -> None:
    kill_a_write(root, "in-git")
    before = snapshot(root)
    with pytest.raises(WriteRefusedError) as caught:
        write(root, dry_run=True)
    assert str(caught.value) == (
        "A change to client acme was killed half-way (Killed write); nothing was written. Run "
        "`beanfirm repair` to finish or undo it (the command without --dry-run does that "
        "first), then run the command again."
    )
    assert snapshot(root) == before


def test_repair_undoes_a_killed_write_and_says_so(root: Path) -> None:
    before = snapshot(root)
    kill_a_write(root, "in-git")
    done = repair(root, "acme")
    assert [(s.finished, s.paths) for s in done.settled] == [(False, (NEW_YEAR, NOTES))]
    assert done.left_alone == ()
    assert snapshot(root) == before


def test_repair_leaves_a_hand_edit_alone(root: Path) -> None:
    (root / JANUARY).write_text("; half-finished edit\n", encoding="utf-8")
    (root / ".git/index.lock").write_bytes(b"")
    before = tree_state(root / "ledgers")
    done = repair(root)
    assert done.cleared_locks == (".git/index.lock",)
    assert done.settled == ()
    assert done.left_alone == (JANUARY,)
    assert tree_state(root / "ledgers") == before


def test_a_git_failure_is_one_paragraph_that_names_repair(root: Path) -> None:
    with pytest.raises(GitError) as caught:
        PracticeRepo(root).restore("0" * 40, [MAIN])
    message = str(caught.value)
    assert message.startswith("git ls-tree failed: fatal: ")
    assert "\n" not in message
    assert message.endswith(
        "run `beanfirm repair` to finish or undo an interrupted change, then run the command again."
    )


def test_repair_on_the_command_line(practice: Path) -> None:
    add_client(practice)
    assert (practice / "ledgers/acme/rules.yaml").is_file()
    kill_a_write(practice, "in-git", delete="rules.yaml")
    (practice / ".git/index.lock").write_bytes(b"")
    result = run_beanfirm("repair", cwd=practice, env=STAFF_ENV)
    assert (result.code, result.err) == (0, "")
    assert result.out == (
        "Removed .git/index.lock, a lock file left by a git that was killed.\n"
        "Undid: Killed write (killed before its commit; 2 files are as before).\n"
    )
    assert git(practice, "status", "--porcelain", "--untracked-files=all") == ""
    again = run_beanfirm("repair", "acme", cwd=practice)
    assert again.out == "Nothing to repair: no stale lock, no change left half-way.\n"
    (practice / "ledgers/acme/main.beancount").write_text("; by hand\n", encoding="utf-8")
    edited = run_beanfirm("repair", "acme", cwd=practice)
    assert edited.code == 1
    assert edited.err.startswith(
        "Left alone: uncommitted changes beanfirm did not make (ledgers/acme/main.beancount)."
    )


def test_a_killed_staging_leaves_no_scratch_folder_behind(tmp_path: Path) -> None:
    out = tmp_path / "statements"
    dead = tmp_path / ".statements.999999999.abcd"  # no process has this id
    live = tmp_path / f".statements.{os.getppid()}.efgh"
    dead.mkdir()
    live.mkdir()
    with Staging(out) as staging:
        (staging.scratch / "a.csv").write_bytes(b"x")
        staging.publish(["a.csv"])
    assert sorted(p.name for p in tmp_path.iterdir()) == [live.name, "statements"]


def bench_crashes(*args: str) -> list[dict[str, object]]:
    """Run benchmarks/bench_crashes.py (short) and return its figures; it fails on any failure."""
    proc = subprocess.run(
        [sys.executable, str(REPO / "benchmarks/bench_crashes.py"), *args, "--json"],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    figures: list[dict[str, object]] = json.loads(proc.stdout)
    assert all(f["failures"] == [] for f in figures)
    return figures


def test_eight_imports_into_eight_clients_at_once_all_commit() -> None:
    # Before the git lock, about 1 in 4 failed on git's index.lock (issue 14).
    figures = bench_crashes("--concurrent", "8", "--commands", "")
    assert [(f["command"], f["trials"]) for f in figures] == [("8 imports at once", 8)]


def test_each_write_command_killed_at_random_leaves_nothing_behind() -> None:
    # The short version of the benchmark, which runs 50 trials of each.
    commands = ["import", "add", "reconcile", "statement", "dunning", "opening", "adopt"]
    figures = bench_crashes("--trials", "2", "--concurrent", "0", "--commands", ",".join(commands))
    assert [(f["command"], f["trials"]) for f in figures] == [(c, 2) for c in commands]


def test_the_practice_git_lock_and_intents_are_outside_the_tree(root: Path) -> None:
    write(root)
    assert (root / ".git/beanfirm/git.lock").is_file()
    assert (root / ".git/beanfirm/intents").is_dir()
    assert ".git/beanfirm" not in git(root, "status", "--porcelain", "--ignored")


def test_a_git_that_takes_the_index_meanwhile_is_waited_for(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Between taking beanfirm's git lock and `git add`, a git run by hand (an editor's
    # `git status`) takes the index: `git add` fails, beanfirm waits for it and runs again.
    calls: list[int] = []

    def appears_after_the_check(git_dir: Path, top: Path) -> tuple[list[Path], list[LiveGit]]:
        calls.append(1)
        if len(calls) == 2:  # 1: the guard's git status; 2: the commit's git add
            (git_dir / "index.lock").write_bytes(b"")
            return [], []
        return real(git_dir, top)

    real = gitlocks.stale_lock_files
    monkeypatch.setattr(gitrepo, "stale_lock_files", appears_after_the_check)
    result = write(root, lock_wait=0.2)
    assert result.commit == git(root, "rev-parse", "HEAD").strip()
    assert len(calls) >= 2
    assert not (root / ".git/index.lock").exists()
    assert git(root, "status", "--porcelain") == ""


def test_an_interrupt_just_after_the_commit_keeps_the_commit(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = PracticeRepo.commit

    def commit_then_interrupt(
        self: PracticeRepo, paths: Iterable[str], message: str, author: Author
    ) -> str:
        real(self, paths, message, author)
        raise KeyboardInterrupt

    monkeypatch.setattr(PracticeRepo, "commit", commit_then_interrupt)
    before = snapshot(root)
    with pytest.raises(KeyboardInterrupt):
        write(root)
    assert int(git(root, "rev-list", "--count", "HEAD")) == before.commits + 1
    assert (root / NEW_YEAR).read_text(encoding="utf-8") == NEW_YEAR_TXN
    assert git(root, "status", "--porcelain", "--untracked-files=all") == ""
    assert read_intents(root / ".git/beanfirm") == []
