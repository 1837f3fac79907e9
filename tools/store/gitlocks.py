"""Git's own lock files (`.git/index.lock` and the ref locks): telling a stale one from a live one.

Git creates `index.lock` (and `HEAD.lock`, `refs/heads/<branch>.lock`, ...) while it changes
the index or a ref, and renames or deletes it when done; a git killed in between leaves it
behind, and every later git that needs it fails. beanfirm runs every git that touches the
index under its practice-wide git lock (`PracticeRepo.index_lock`), so when beanfirm holds
that lock no git of beanfirm's is running. A lock file found then was left by a dead git,
unless someone runs git by hand in the practice at that moment: a git process that has one of
the lock files open, or whose working folder is inside the practice (but for GitPython's
long-lived `git cat-file` readers, which take no lock), is such a live git
(seen through `/proc`, for the processes of the same user). Lock files are stale, and safe to
remove, only when no live git is seen; without `/proc` only once they are older than
`UNSEEN_STALE_SECONDS`.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

PROC = Path("/proc")
UNSEEN_STALE_SECONDS = 120.0


@dataclass(frozen=True)
class LiveGit:
    """A git process running in the practice: its id and command line."""

    pid: int
    command: str


def lock_files(git_dir: Path) -> list[Path]:
    """Return git's lock files in `git_dir`: the index's, HEAD's and the refs' (sorted)."""
    found = sorted(git_dir.glob("*.lock"))
    refs = git_dir / "refs"
    if refs.is_dir():
        for folder, _dirs, files in os.walk(refs):
            found.extend(Path(folder, name) for name in sorted(files) if name.endswith(".lock"))
    return found


def live_gits(top: Path, locks: list[Path]) -> list[LiveGit]:
    """Return the git processes working in `top`, or holding one of `locks` open."""
    if not PROC.is_dir():
        return []
    inside = str(top.resolve())
    wanted = {str(path) for path in locks}
    live = []
    me = os.getpid()
    for entry in PROC.iterdir():
        if not entry.name.isdigit() or int(entry.name) == me:
            continue
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0")
            if not argv or not os.path.basename(argv[0]).startswith(b"git"):
                continue
            cwd = os.readlink(entry / "cwd")
            opened = _open_paths(entry)
        except OSError:  # gone, or another user's process: its details are not ours to read
            continue
        reader = b"cat-file" in argv  # GitPython's long-lived object readers take no lock
        working_here = cwd == inside or cwd.startswith(inside + os.sep)
        if opened & wanted or (working_here and not reader):
            command = b" ".join(part for part in argv if part).decode(errors="replace")
            live.append(LiveGit(int(entry.name), command))
    return live


def _open_paths(process: Path) -> set[str]:
    opened = set()
    for fd in (process / "fd").iterdir():
        try:
            opened.add(os.readlink(fd))
        except OSError:
            continue
    return opened


def stale_lock_files(git_dir: Path, top: Path) -> tuple[list[Path], list[LiveGit]]:
    """Return the lock files safe to remove, and the live gits that keep the others alive.

    Call this only while holding the practice's git lock (see the module docstring).
    """
    locks = lock_files(git_dir)
    if not locks:
        return [], []
    if PROC.is_dir():
        live = live_gits(top, locks)
        return ([] if live else locks), live
    now = time.time()
    old = []
    for path in locks:
        try:
            if now - path.stat().st_mtime > UNSEEN_STALE_SECONDS:
                old.append(path)
        except FileNotFoundError:
            continue
    return old, []
