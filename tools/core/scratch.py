"""Scratch folders outside the practice, named for their process, and swept once it is gone.

A command that checks a copy of the books (a dry run, a check of what HEAD holds, a backup's
verification) works in a private folder of the system's temporary folder, which it removes
when it is done. A process that is killed leaves its folder behind, with a copy of a client's
books in it. So each folder's name carries its process's id (`beanfirm-dry-run-4242-k3j9x_2a`),
and the first scratch folder a process makes sweeps away those of the same user whose process
is gone, once they are an hour old: the hour keeps a folder that a process of another PID
namespace sharing the temporary folder still uses, and a reused process id keeps its folder.
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
import shutil
import stat
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterator

PREFIX = "beanfirm-"
STALE_SECONDS = 3600.0
# beanfirm-<kind>-<pid>-<tempfile's 8 characters>
_NAME = re.compile(rf"^{PREFIX}[a-z]+(?:-[a-z]+)*-(\d+)-[a-z0-9_]{{8}}$")


@contextlib.contextmanager
def scratch_folder(kind: str) -> Iterator[Path]:
    """Make a private folder for `kind` of work; remove it on the way out, whatever happens."""
    with tempfile.TemporaryDirectory(prefix=scratch_prefix(kind)) as name:
        yield Path(name)


def scratch_prefix(kind: str) -> str:
    """Return the name's start of a scratch folder of this process (sweeping first, once).

    For a folder that outlives a `with` block (`tempfile.mkdtemp(prefix=...)`), which its
    owner removes; the sweep removes it if its process dies first.
    """
    _sweep_once(tempfile.gettempdir())
    return f"{PREFIX}{kind}-{os.getpid()}-"


@functools.cache
def _sweep_once(folder: str) -> None:
    sweep(Path(folder))


def sweep(folder: Path, *, now: float | None = None) -> list[Path]:
    """Remove the scratch folders in `folder` left by processes that are gone; return them.

    Only this user's folders named as `scratch_folder` names them, not links, and only those
    untouched for `STALE_SECONDS`.
    """
    now = time.time() if now is None else now
    removed = []
    try:
        entries = list(folder.iterdir())
    except OSError:
        return []
    for entry in entries:
        found = _NAME.match(entry.name)
        if found is None:
            continue
        try:
            status = entry.lstat()
        except OSError:
            continue
        if not stat.S_ISDIR(status.st_mode) or status.st_uid != os.getuid():
            continue
        if now - status.st_mtime < STALE_SECONDS or process_alive(int(found.group(1))):
            continue
        shutil.rmtree(entry, ignore_errors=True)
        removed.append(entry)
    return removed


def process_alive(pid: int) -> bool:
    """Tell whether a process runs (another user's counts: it may not be signalled)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OverflowError:  # not a process id at all
        return False
    return True
