"""Folders of files made out of sight and moved into place together, or not at all.

Statements and reminder drafts are not ledger files: they are written to a folder the user
names, not committed. `Staging` makes them in a scratch folder beside the destination (the
same file system, so each move is a rename) and `publish` moves the finished names in,
replacing any of the same name. A failure before `publish` leaves the destination as it was;
the scratch folder is removed on the way out, whatever happened. A process killed outright
cannot remove it: its name carries the process id, and the next staging beside the same
destination settles the scratch folders of processes that are gone. Before its first move,
`publish` writes the names it moves into the scratch folder (flushed to disk): a scratch
folder with that record was killed while publishing, and the next staging finishes the
moves, so the destination holds the whole new batch; one without it is removed, as nothing
of it was published.
"""

from __future__ import annotations

import glob
import json
import os
import shutil
import tempfile
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Self

from beanfirm.core.scratch import process_alive
from beanfirm.store.writes import umask, write_atomic

if TYPE_CHECKING:
    from collections.abc import Iterable

RECORD = ".publishing.json"  # the names a publish moves, written before its first move
OLD = ".old-"  # a folder of the destination moved aside, to be replaced by the new one


class Staging:
    """A scratch folder beside `destination`, for files to publish there all together."""

    def __init__(self, destination: Path) -> None:
        self.destination = destination
        self._scratch: Path | None = None

    def __enter__(self) -> Self:
        self.destination.parent.mkdir(parents=True, exist_ok=True)
        prefix = f".{self.destination.name}."
        for left in list(self.destination.parent.glob(f"{glob.escape(prefix)}*.*")):
            pid = left.name.removeprefix(prefix).split(".", 1)[0]
            if left.is_dir() and pid.isdigit() and not process_alive(int(pid)):
                self._settle(left)  # a killed process's scratch folder
        prefix += f"{os.getpid()}."
        self._scratch = Path(tempfile.mkdtemp(prefix=prefix, dir=self.destination.parent))
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self._scratch is not None:
            shutil.rmtree(self._scratch, ignore_errors=True)
            self._scratch = None

    @property
    def scratch(self) -> Path:
        """Return the scratch folder (only while the staging is open)."""
        if self._scratch is None:
            msg = "Staging is used outside its `with` block"
            raise RuntimeError(msg)
        return self._scratch

    def publish(self, names: Iterable[str]) -> list[Path]:
        """Move the named files or folders of the scratch folder into the destination.

        A name already in the destination is replaced: a file in one rename, a folder by
        moving the old one aside first. The names are recorded first, so that a run killed
        between two moves is finished by the next staging. Return the published paths.
        """
        names = list(names)
        missing = [name for name in names if not (self.scratch / name).exists()]
        if missing:
            msg = f"Nothing to publish under the names {missing} in {self.scratch}"
            raise FileNotFoundError(msg)
        self.destination.mkdir(parents=True, exist_ok=True)
        record = json.dumps({"names": names}, ensure_ascii=False).encode()
        write_atomic(self.scratch / RECORD, record)
        _sync_folder(self.scratch)
        return _move_in(self.scratch, self.destination, names)

    def _settle(self, left: Path) -> None:
        """Finish a dead process's publish, if it began one, and remove its scratch folder."""
        # Claim the folder under this process's id first: a staging running at the same time
        # sees it as alive's and leaves it, and only one of two can win the rename.
        claimed = left.with_name(f".{self.destination.name}.{os.getpid()}.settling-{left.name}")
        try:
            left.rename(claimed)
        except OSError:
            return  # another staging claimed it first
        try:
            names = json.loads((claimed / RECORD).read_bytes())["names"]
        except (OSError, ValueError, KeyError, TypeError):
            names = None  # killed before publishing: nothing of it is in the destination
        if isinstance(names, list) and all(isinstance(name, str) for name in names):
            self.destination.mkdir(parents=True, exist_ok=True)
            _move_in(claimed, self.destination, names)
        shutil.rmtree(claimed, ignore_errors=True)


def _move_in(scratch: Path, destination: Path, names: list[str]) -> list[Path]:
    """Move each name still in `scratch` into `destination`; a name moved already is skipped.

    Each step can be taken again after a kill: a folder moved aside and not yet replaced is
    `OLD` + name in the scratch folder, and the new one is moved in after it.
    """
    mode = 0o777 & ~umask()  # mkdtemp made the scratch private; what it holds is not
    published = []
    for name in names:
        source, target, old = scratch / name, destination / name, scratch / f"{OLD}{name}"
        if source.is_dir():
            source.chmod(mode)
            if target.is_dir():
                _move(target, old)
        if source.exists() or source.is_symlink():
            _move(source, target)
        shutil.rmtree(old, ignore_errors=True)
        published.append(target)
    _sync_folder(destination)
    return published


def _move(source: Path, target: Path) -> None:
    """Rename `source` to `target`, replacing a file of that name (tests stop here)."""
    os.replace(source, target)


def _sync_folder(folder: Path) -> None:
    """Flush a folder's entries (the renames into it) to disk."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
