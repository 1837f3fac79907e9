"""The write discipline every command that changes a practice goes through.

`apply_write` takes the locks, refuses a dirty client, writes each file atomically (temp file
and rename), checks the result with the client's plugins, and makes exactly one git commit
authored by the staff member. On any failure, including an interrupt, every file it touched
is put back as it was and the index entries are reset: the working tree is exactly as before.
"""

from __future__ import annotations

import os
import stat
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from beanfirm.errors import LedgerError, Problem
from beanfirm.store.locks import locked

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from beanfirm.store.gitrepo import Author, PracticeRepo


@dataclass(frozen=True)
class WritePlan:
    """What one write will do: the files it sets, under which locks, and the commit message.

    `changes` maps paths relative to the practice root to their new bytes (None deletes
    the file); when it is a function, it is called once the locks are held, so a change
    that depends on a file's current content (the registry) reads it under the lock.
    `message` may likewise be a function, called after `changes`, when the message says what
    the change turned out to be (an import's counts).
    `guard` lists the pathspecs that must have no uncommitted changes.
    """

    message: str | Callable[[], str]
    changes: Mapping[str, bytes | None] | Callable[[], Mapping[str, bytes | None]]
    locks: tuple[str, ...]
    guard: tuple[str, ...]
    what: str


@dataclass
class _Undo:
    """What to put back if the write fails."""

    originals: dict[Path, bytes | None] = field(default_factory=dict)
    created_dirs: list[Path] = field(default_factory=list)


@dataclass(frozen=True)
class WriteResult:
    """The outcome of a write: the commit made, or None for a dry run."""

    commit: str | None
    paths: tuple[str, ...]


def apply_write(
    root: Path,
    repo: PracticeRepo,
    plan: WritePlan,
    *,
    author: Author,
    check: Callable[[], list[Problem]],
    dry_run: bool = False,
    lock_wait: float = 10.0,
) -> WriteResult:
    """Carry out a plan under the write discipline; raise and leave no trace on failure.

    `check` returns the problems of the ledger(s) the plan touches. It runs before and after
    the write; the write is undone if it added problems that were not there before.
    `lock_wait` is how many seconds to wait for another writer's lock before refusing.
    """
    with locked(root / ".beanfirm", plan.locks, wait_seconds=lock_wait):
        repo.refuse_if_dirty(plan.guard, plan.what)
        changes = plan.changes() if callable(plan.changes) else plan.changes
        paths = tuple(sorted(changes))
        if dry_run:
            return WriteResult(None, paths)
        before = _problem_keys(check())
        undo = _Undo()
        try:
            for relpath, content in changes.items():
                _set_file(root / relpath, content, undo)
            new = [p for p in check() if _key(p) not in before]
            if new:
                msg = (
                    f"The change to {plan.what} would break its ledger, so nothing was written. "
                    "Fix the input and run the command again:"
                )
                raise LedgerError(msg, tuple(new))
            message = plan.message() if callable(plan.message) else plan.message
            commit = repo.commit(paths, message, author)
        except BaseException:
            _rollback(undo)
            repo.unstage(paths)
            raise
    return WriteResult(commit, paths)


def write_atomic(path: Path, content: bytes) -> None:
    """Replace a file's content in one step: a crash leaves the old file or the new one.

    The file keeps its permissions, or a new one gets the usual ones (0666 less the umask),
    not mkstemp's private 0600.
    """
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        mode = 0o666 & ~_umask()
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


def _umask() -> int:
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


def _key(problem: Problem) -> tuple[str, str]:
    # Line numbers shift when entries are added above a problem, so they are not compared.
    return (problem.filename, problem.message)


def _problem_keys(problems: list[Problem]) -> set[tuple[str, str]]:
    return {_key(problem) for problem in problems}
