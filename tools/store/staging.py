"""Folders of files made out of sight and moved into place together, or not at all.

Statements and reminder drafts are not ledger files: they are written to a folder the user
names, not committed. `Staging` makes them in a scratch folder beside the destination (the
same file system, so each move is a rename) and `publish` moves the finished names in,
replacing any of the same name. A failure before `publish` leaves the destination as it was;
the scratch folder is removed on the way out, whatever happened. A process killed outright
cannot remove it: its name carries the process id, and the next staging beside the same
destination removes the scratch folders of processes that are gone.
"""

from __future__ import annotations

import glob
import os
import shutil
import tempfile
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Self

from beanfirm.store.writes import umask

if TYPE_CHECKING:
    from collections.abc import Iterable


class Staging:
    """A scratch folder beside `destination`, for files to publish there all together."""

    def __init__(self, destination: Path) -> None:
        self.destination = destination
        self._scratch: Path | None = None

    def __enter__(self) -> Self:
        self.destination.parent.mkdir(parents=True, exist_ok=True)
        prefix = f".{self.destination.name}."
        for left in self.destination.parent.glob(f"{glob.escape(prefix)}*.*"):
            pid = left.name.removeprefix(prefix).split(".", 1)[0]
            if left.is_dir() and pid.isdigit() and not _alive(int(pid)):
                shutil.rmtree(left, ignore_errors=True)  # a killed process's scratch folder
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
        moving the old one aside first. Return the published paths.
        """
        self.destination.mkdir(parents=True, exist_ok=True)
        mode = 0o777 & ~umask()  # mkdtemp made the scratch private; what it holds is not
        published = []
        for name in names:
            source, target = self.scratch / name, self.destination / name
            if source.is_dir():
                source.chmod(mode)
                if target.is_dir():
                    old = self.scratch / f".old-{name}"
                    target.rename(old)
                    source.rename(target)
                    shutil.rmtree(old, ignore_errors=True)
                    published.append(target)
                    continue
            os.replace(source, target)
            published.append(target)
        return published


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's
    return True
