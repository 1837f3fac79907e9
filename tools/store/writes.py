"""The write discipline every command that changes a practice goes through.

`apply_write` takes the locks, refuses a dirty client, plans the write under them (a value:
`Planned` files and message, or `Stopped` when there is nothing to write), writes each file
atomically (temp file and rename), checks the result with the client's plugins, and makes
exactly one git commit authored by the staff member. On any failure, including an interrupt,
every file it touched is put back as it was and the index entries are reset: the working tree
is exactly as before.

A dry run does all of this but the writing and the commit: it writes the planned files into
a scratch copy of the folders they go in (outside the practice), and runs the same check
there. So it fails where the write would fail, and even a kill leaves the practice untouched.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import stat
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Generic, Never, Protocol, TypeVar, overload

from beanfirm.core import paths as practice_paths
from beanfirm.core.scratch import scratch_folder
from beanfirm.errors import BeanfirmError, LedgerError, Problem, WriteRefusedError
from beanfirm.store.intents import Intent, drop_intent, read_intents, record_intent
from beanfirm.store.locks import locked
from beanfirm.store.practice import STATE_DIRNAME

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping

    from beanfirm.store.gitrepo import Author, PracticeRepo

T = TypeVar("T")
S = TypeVar("S")


@dataclass(frozen=True)
class Planned(Generic[T]):
    """What a write will set: files (relative path to new bytes, None deletes), its message.

    `value` is what the job planned, handed back with the result (an import's plan).
    """

    changes: Mapping[str, bytes | None]
    message: str
    value: T


@dataclass(frozen=True)
class Stopped(Generic[T]):
    """A write that found, under its locks, that there is nothing to write; `value` says why."""

    value: T


@dataclass(frozen=True)
class Written(Generic[T]):
    """A finished write: the commit made (None for a dry run), the paths, the planned value."""

    commit: str | None
    paths: tuple[str, ...]
    value: T


class WriteCheck(Protocol):
    """The check of a write: the ledger problems before it, and after it."""

    def before(self, root: Path) -> list[Problem]:
        """Return the problems of the ledger(s) in the practice at `root`, before the write."""
        ...

    def after(self, root: Path) -> list[Problem]:
        """Return the problems once the files are written (new ones undo the write).

        `root` is the practice, or for a dry run the scratch copy the files were written to;
        problems name files relative to it.
        """
        ...


@dataclass(frozen=True)
class SameCheck:
    """A check that runs one function, of the folder to check, before and after the write."""

    problems: Callable[[Path], list[Problem]]

    def before(self, root: Path) -> list[Problem]:
        """Return the problems before the write."""
        return self.problems(root)

    def after(self, root: Path) -> list[Problem]:
        """Return the problems after the write."""
        return self.problems(root)


def _no_problems(root: Path) -> list[Problem]:
    del root
    return []


NO_CHECK = SameCheck(_no_problems)


@dataclass(frozen=True)
class WritePlan(Generic[T, S]):
    """What one write will do: under which locks and guards, and how to plan its files.

    `prepare` is called once the locks are held, so a change that depends on a file's
    current content (the registry, a ledger) reads it under the lock; it returns the files
    and message (`Planned`), or `Stopped` when there turns out to be nothing to write.
    `guard` lists the pathspecs that must have no uncommitted changes.
    """

    prepare: Callable[[], Planned[T] | Stopped[S]]
    locks: tuple[str, ...]
    guard: tuple[str, ...]
    what: str


def files_plan(
    changes: Mapping[str, bytes | None],
    message: str,
    *,
    locks: tuple[str, ...],
    guard: tuple[str, ...],
    what: str,
) -> WritePlan[None, Never]:
    """Plan a write of files known before the locks are taken: it never stops."""
    return WritePlan(lambda: Planned(changes, message, None), locks, guard, what)


@dataclass
class _Undo:
    """What to put back if the write fails."""

    originals: dict[Path, bytes | None] = field(default_factory=dict)
    created_dirs: list[Path] = field(default_factory=list)


@overload
def apply_write(
    root: Path,
    repo: PracticeRepo,
    plan: WritePlan[T, Never],
    *,
    author: Author,
    check: WriteCheck,
    dry_run: bool = False,
    lock_wait: float = 10.0,
) -> Written[T]: ...


@overload
def apply_write(
    root: Path,
    repo: PracticeRepo,
    plan: WritePlan[T, S],
    *,
    author: Author,
    check: WriteCheck,
    dry_run: bool = False,
    lock_wait: float = 10.0,
) -> Written[T] | Stopped[S]: ...


def apply_write(
    root: Path,
    repo: PracticeRepo,
    plan: WritePlan[T, S],
    *,
    author: Author,
    check: WriteCheck,
    dry_run: bool = False,
    lock_wait: float = 10.0,
) -> Written[T] | Stopped[S]:
    """Carry out a plan under the write discipline; raise and leave no trace on failure.

    `check` gives the problems of the ledger(s) the plan touches before and after the
    write; the write is undone if it added problems that were not there before. A dry run
    plans under the same locks and guards, writes the files into a scratch copy and checks
    them there (see the module docstring): it raises where the write would raise, and
    returns with no commit where the write would commit.
    `lock_wait` is how many seconds to wait for another writer's lock before refusing.
    """
    with locked(root / STATE_DIRNAME, plan.locks, wait_seconds=lock_wait):
        # A commit onto a rebase in progress, or a detached HEAD, is lost when it ends.
        repo.refuse_mid_operation(plan.what)
        if dry_run:
            _refuse_dead_writes(repo, plan.locks, plan.what)
        else:
            settle_dead_writes(root, repo, plan.locks)
        with repo.index_lock():
            repo.refuse_if_dirty(plan.guard, plan.what)
        planned = plan.prepare()
        if isinstance(planned, Stopped):
            return planned
        paths = tuple(sorted(planned.changes))
        before = problem_keys(check.before(root))
        if dry_run:
            with scratch_folder("dry-run") as scratch:
                copy = Path(scratch)
                scratch_copy(root, (*paths, *plan.guard), copy)
                for relpath, content in planned.changes.items():
                    _set_file(copy / relpath, content, _Undo())
                _refuse_new_problems(check.after(copy), before, plan.what)
            return Written(None, paths, planned.value)
        intent = record_intent(
            repo.state_dir, tuple(sorted(set(plan.locks))), repo.head(), paths, planned.message
        )
        undo = _Undo()
        try:
            for relpath, content in planned.changes.items():
                _set_file(root / relpath, content, undo)
            _refuse_new_problems(check.after(root), before, plan.what)
            commit = repo.commit(paths, planned.message, author)
        except BaseException:
            if not _was_committed(repo, intent):  # an interrupt may come just after the commit
                _rollback(undo)
                repo.unstage(paths)  # a GitError here keeps the intent, for `beanfirm repair`
            drop_intent(intent)
            raise
        drop_intent(intent)
    return Written(commit, paths, planned.value)


def _was_committed(repo: PracticeRepo, intent: Intent) -> bool:
    if repo.head() == intent.head:
        return False
    try:
        return repo.committed_since(intent.head, intent.paths, intent.message)
    except BeanfirmError:
        return False


def settle_dead_writes(root: Path, repo: PracticeRepo, held: Iterable[str]) -> list[Settled]:
    """Finish or undo the writes that died under any of the `held` locks (see `intents`).

    An intent that shares a lock with the caller's is dead: its writer held that lock until it
    removed its intent. Its other locks are taken too (without waiting, so no two settlers
    wait on each other) before its paths are touched. An intent under none of the caller's
    locks (another client's write, killed, which nobody has written to since) is settled too
    when all its locks are free, which proves its writer gone; a held one is a live write, and
    is left to it.
    """
    held = set(held)
    settled = []
    for intent in read_intents(repo.state_dir):
        with contextlib.ExitStack() as stack:
            try:
                stack.enter_context(
                    locked(root / STATE_DIRNAME, set(intent.locks) - held, wait_seconds=0.0)
                )
            except WriteRefusedError:
                if held.isdisjoint(intent.locks):
                    continue  # not ours to settle, and its writer is alive
                raise
            settled.append(settle(root, repo, intent))
    return settled


def _refuse_dead_writes(repo: PracticeRepo, held: Iterable[str], what: str) -> None:
    """Refuse a dry run where the write would first settle a killed one (it changes nothing)."""
    dead = [intent for intent in read_intents(repo.state_dir) if set(held) & set(intent.locks)]
    if dead:
        subject = dead[0].message.splitlines()[0] if dead[0].message else what
        msg = (
            f"A change to {what} was killed half-way ({subject}); nothing was written. Run "
            "`beanfirm repair` to finish or undo it (the command without --dry-run does that "
            "first), then run the command again."
        )
        raise WriteRefusedError(msg)


@dataclass(frozen=True)
class Settled:
    """A dead write put right: finished (its commit was made) or undone, and its paths."""

    finished: bool
    paths: tuple[str, ...]
    message: str


def settle(root: Path, repo: PracticeRepo, intent: Intent) -> Settled:
    """Finish or undo one dead write; the caller holds its locks."""
    with repo.index_lock():
        finished = repo.committed_since(intent.head, intent.paths, intent.message)
        if finished:
            repo.unstage(intent.paths)  # git may have died before writing its index
        else:  # to HEAD as it is now: a commit made by hand since the kill is kept
            repo.restore(repo.head(), intent.paths)
        for relpath in intent.paths:
            path = root / relpath
            for leftover in path.parent.glob(f".{glob.escape(path.name)}.*.tmp"):
                leftover.unlink(missing_ok=True)  # write_atomic's, killed before its rename
            if not finished:
                _remove_empty_folders(path.parent, root)
    drop_intent(intent)
    return Settled(finished, intent.paths, intent.message)


def _remove_empty_folders(folder: Path, root: Path) -> None:
    while folder != root and folder.is_relative_to(root) and folder.is_dir():
        if any(folder.iterdir()):
            return
        folder.rmdir()
        folder = folder.parent


def _refuse_new_problems(after: list[Problem], before: set[tuple[str, str]], what: str) -> None:
    new = [problem for problem in after if problem_key(problem) not in before]
    if new:
        msg = (
            f"The change to {what} would break its ledger, so nothing was written. "
            "Fix the input and run the command again:"
        )
        raise LedgerError(msg, tuple(new))


def scratch_copy(root: Path, relpaths: Iterable[str], dest: Path) -> None:
    """Make `dest` a practice that reads as `root` does, where writing `relpaths` is harmless.

    What the write changes is copied from the working tree (which is what the write itself
    is checked against): the top-level files, each client folder a path lies in (or is), and
    any other top-level folder a path lies in, with what their links point to. Everything
    else (other clients, folders a ledger may include from) is a symbolic link to the
    practice's own, only read. Git's folder and beanfirm's state folder are left out.
    """
    parts = [rel.split("/") for rel in relpaths]
    tops = {part[0] for part in parts}
    clients = {part[1] for part in parts if len(part) > 1 and part[0] == practice_paths.LEDGERS}
    for entry in root.iterdir():
        target = dest / entry.name
        if entry.name in (".git", STATE_DIRNAME):
            continue
        if entry.name == practice_paths.LEDGERS and entry.is_dir():
            target.mkdir()
            for folder in entry.iterdir():
                if folder.name in clients:
                    shutil.copytree(folder, target / folder.name)
                else:
                    (target / folder.name).symlink_to(folder)
        elif entry.is_dir() and entry.name not in tops:
            target.symlink_to(entry)
        elif entry.is_dir():
            shutil.copytree(entry, target)
        else:
            shutil.copy2(entry, target)
    inside = dest.resolve()
    for rel in relpaths:
        folder = (dest / rel).parent
        while not folder.exists():
            folder = folder.parent
        if not folder.resolve().is_relative_to(inside):  # never write through a link
            msg = f"The dry run's copy of {rel} leads back into the practice; nothing was written."
            raise WriteRefusedError(msg)


def write_atomic(path: Path, content: bytes) -> None:
    """Replace a file's content in one step: a crash leaves the old file or the new one.

    The file keeps its permissions, or a new one gets the usual ones (0666 less the umask),
    not mkstemp's private 0600.
    """
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        mode = 0o666 & ~umask()
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(handle.fileno(), mode)
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def umask() -> int:
    """Return the process's umask (reading it means setting it: set it straight back)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _set_file(path: Path, content: bytes | None, undo: _Undo) -> None:
    if path not in undo.originals:
        undo.originals[path] = path.read_bytes() if path.exists() else None
    if content is None:
        path.unlink(missing_ok=True)
        return
    missing = [parent for parent in path.parents if not parent.exists()]
    for parent in reversed(missing):
        parent.mkdir()
        undo.created_dirs.append(parent)
    write_atomic(path, content)


def _rollback(undo: _Undo) -> None:
    for path, original in undo.originals.items():
        if original is None:
            path.unlink(missing_ok=True)
        else:
            write_atomic(path, original)
    for folder in reversed(undo.created_dirs):
        # Only folders this write created, and only if nothing else appeared in them.
        if folder.exists() and not any(folder.iterdir()):
            folder.rmdir()


def problem_key(problem: Problem) -> tuple[str, str]:
    """Identify a problem across a write: line numbers shift as entries are added above it."""
    return (problem.filename, problem.message)


def problem_keys(problems: Iterable[Problem]) -> set[tuple[str, str]]:
    """Identify each of some problems (see `problem_key`)."""
    return {problem_key(problem) for problem in problems}
