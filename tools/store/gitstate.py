"""What git (or a killed `beanfirm sync`) is in the middle of, read from a few files in `.git`.

A commit made while a rebase, merge, cherry-pick, revert or bisect is in progress, or on a
detached HEAD, lands where the next `git rebase --abort` (or `git checkout BRANCH`) throws it
away. Every write asks `git_operation` first: a handful of file stats and one small read, never
a `git status`. A `beanfirm sync` records where the branch was before it rebases
(`SyncStart`, in `.git/beanfirm/sync-start.json`, written in one rename) and removes the record
when it ends; a record still there belongs to a sync that was killed, and the next sync puts
HEAD back on that branch first.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

SYNC_START = "sync-start.json"  # in beanfirm's folder inside `.git`


@dataclass(frozen=True)
class GitOperation:
    """Something git is in the middle of: what it is, why a commit now is unsafe, what to run."""

    state: str
    remedy: str


_UNDER_WAY = (  # the file git keeps while it is under way, its name, and its command
    ("MERGE_HEAD", "a merge", "git merge"),
    ("CHERRY_PICK_HEAD", "a cherry-pick", "git cherry-pick"),
    ("REVERT_HEAD", "a revert", "git revert"),
)


def git_operation(git_dir: Path, state_dir: Path) -> GitOperation | None:
    """Return what makes a commit unsafe in the repository at `git_dir` now, or None.

    A killed sync's record (in beanfirm's `state_dir`) comes first: the rebase it left, or the
    detached HEAD, is its to undo.
    """
    if (state_dir / SYNC_START).exists():
        return GitOperation(
            "a `beanfirm sync` was interrupted in the practice (killed, or the machine went "
            "down) before it put the branch back, and a commit made now could be lost when it is",
            "Run `beanfirm sync`: it first puts the branch back on the commit it was on before "
            "that sync, with every commit, then syncs",
        )
    if (git_dir / "rebase-merge").exists() or (git_dir / "rebase-apply" / "rebasing").exists():
        return GitOperation(
            "git is in the middle of a rebase in the practice (HEAD is detached on the commit "
            "being replayed), and a commit made now would be lost when the rebase is aborted",
            "Finish it (`git rebase --continue`) or abandon it (`git rebase --abort`)",
        )
    if (git_dir / "rebase-apply").exists():
        return GitOperation(
            "git is in the middle of a `git am` in the practice, and a commit made now would "
            "be lost when it is aborted",
            "Finish it (`git am --continue`) or abandon it (`git am --abort`)",
        )
    for name, what, command in _UNDER_WAY:
        if (git_dir / name).exists():
            return GitOperation(
                f"git is in the middle of {what} in the practice, and a commit made now would "
                "be mixed into it or lost when it is aborted",
                f"Finish it (`{command} --continue`) or abandon it (`{command} --abort`)",
            )
    if (git_dir / "sequencer").is_dir():
        return GitOperation(
            "git is in the middle of a series of cherry-picks or reverts in the practice, and "
            "a commit made now would be mixed into it",
            "Finish it (`git cherry-pick --continue`) or stop it (`git cherry-pick --quit`)",
        )
    if (git_dir / "BISECT_LOG").exists():
        return GitOperation(
            "git is in the middle of a bisect in the practice (HEAD is detached on a commit "
            "being tested), and a commit made now would be lost at `git bisect reset`",
            "End it with `git bisect reset`",
        )
    if detached(git_dir):
        return GitOperation(
            "HEAD is detached in the practice (no branch is checked out), and a commit made "
            "now would belong to no branch and be lost at the next checkout",
            "Check your branch out (`git switch main`, or the branch you work on)",
        )
    return None


def detached(git_dir: Path) -> bool:
    """Return whether HEAD names a commit rather than a branch (read from `.git/HEAD`)."""
    try:
        head = (git_dir / "HEAD").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False  # not a repository git could use either; git itself will say so
    return not head.startswith("ref:")


def merge_leftovers(top: Path) -> list[Path]:
    """Return the temporary files a killed git left at the top of the working tree.

    Git writes the three versions a merge driver reads as `.merge_file_XXXXXX` there, and
    removes them once the driver returns; a git killed meanwhile cannot.
    """
    return sorted(path for path in top.glob(".merge_file_??????") if path.is_file())


@dataclass(frozen=True)
class SyncStart:
    """Where a sync found the branch: its name and commit, and the sync's process id."""

    branch: str
    commit: str
    pid: int


def record_sync_start(state_dir: Path, branch: str, commit: str) -> SyncStart:
    """Write the record of a sync's start (flushed, in one rename) and return it."""
    state_dir.mkdir(parents=True, exist_ok=True)
    start = SyncStart(branch, commit, os.getpid())
    fd, tmp = tempfile.mkstemp(dir=state_dir, prefix=".sync-start.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump({"branch": branch, "commit": commit, "pid": start.pid}, handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, state_dir / SYNC_START)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return start


def read_sync_start(state_dir: Path) -> SyncStart | None:
    """Return the record a sync left, or None (an unreadable one is as good as none)."""
    try:
        data = json.loads((state_dir / SYNC_START).read_text(encoding="utf-8"))
        return SyncStart(str(data["branch"]), str(data["commit"]), int(data["pid"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def drop_sync_start(state_dir: Path) -> None:
    """Remove a sync's record: the sync ended, with the branch where it should be."""
    (state_dir / SYNC_START).unlink(missing_ok=True)
