"""Per-client locks, so that two beanfirm processes never write one ledger at once.

Locks are `fcntl` locks on files in the practice's git-ignored `.beanfirm/locks/`; the
operating system drops them when a process dies, so a crash never leaves a stale lock.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
from typing import TYPE_CHECKING

from beanfirm.errors import WriteRefusedError

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator
    from pathlib import Path

POLL_SECONDS = 0.1


@contextlib.contextmanager
def locked(state_dir: Path, names: Iterable[str], *, wait_seconds: float = 10.0) -> Iterator[None]:
    """Hold the named locks (taken in sorted order, so two writers cannot deadlock)."""
    lock_dir = state_dir / "locks"
    lock_dir.mkdir(parents=True, exist_ok=True)
    with contextlib.ExitStack() as stack:
        for name in sorted(set(names)):
            stack.enter_context(_one_lock(lock_dir / f"{name}.lock", name, wait_seconds))
        yield


def flock_within(fd: int, wait_seconds: float, poll_seconds: float = POLL_SECONDS) -> bool:
    """Take an exclusive `flock` on `fd`, waiting up to `wait_seconds`; say whether it was."""
    deadline = time.monotonic() + wait_seconds
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if time.monotonic() >= deadline:
                return False
            time.sleep(poll_seconds)
        else:
            return True


@contextlib.contextmanager
def _one_lock(path: Path, name: str, wait_seconds: float) -> Iterator[None]:
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        if not flock_within(fd, wait_seconds):
            holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "unknown"
            msg = (
                f"'{name}' is being changed by another beanfirm process (pid {holder}); "
                "nothing was written. Wait for it to finish and run the command again."
            )
            raise WriteRefusedError(msg) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        try:
            yield
        finally:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
