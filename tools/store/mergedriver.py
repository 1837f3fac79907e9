"""Git's merge driver `beanfirm` for `*.beancount`: how git calls it, and how it is installed.

Git runs `beanfirm merge-driver %O %A %B %P` for every ledger file both sides changed, with
the base, our and their versions in temporary files; the driver leaves the result in our file
(%A) and exits 0 when it is clean. The merge itself is `beanfirm.store.entrymerge`; a file it
cannot merge by entries goes to git's own line merge (`git merge-file`), so no line is lost.
"""

from __future__ import annotations

import shlex
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from beanfirm.core.terminal import plain_lines
from beanfirm.store.entrymerge import merge
from beanfirm.store.gitrepo import merge_file
from beanfirm.store.writes import write_atomic

if TYPE_CHECKING:
    from beanfirm.store.gitrepo import PracticeRepo

DRIVER = "beanfirm"
ATTRIBUTES_FILE = ".gitattributes"
ATTRIBUTES_LINE = f"*.beancount merge={DRIVER}"
ATTRIBUTES = (
    "# Ledgers merge entry by entry (docs/merge-driver.md); set up with\n"
    "# `beanfirm merge-driver --install` in each clone.\n"
    f"{ATTRIBUTES_LINE}\n"
)


@dataclass(frozen=True)
class MergeOutcome:
    """What the driver did to one file: merged by entries or by lines, and what is left."""

    path: str
    by_entries: bool
    conflicts: tuple[str, ...]  # each conflict, in accounting terms where merged by entries
    line_conflicts: int = 0  # conflicts git's line merge left, where it fell back to it

    @property
    def clean(self) -> bool:
        """Return whether the file merged without conflict."""
        return not self.conflicts and not self.line_conflicts

    def report(self) -> str:
        """Return the lines to print for git's user, empty when clean."""
        if self.by_entries:
            return "\n".join(
                f"{self.path}: {conflict} Edit the entry between the markers "
                "<<<<<<< and >>>>>>> to what it should be, then `git add` the file "
                "and continue."
                for conflict in self.conflicts
            )
        if not self.line_conflicts:
            return ""
        return (
            f"{self.path}: not merged entry by entry (one side does not parse as a ledger, or "
            "it holds options or includes), so git merged it line by line and left "
            f"{self.line_conflicts} conflict(s) between markers; resolve them, check the file "
            "with `bean-check`, then `git add` it and continue."
        )


def run_merge(base: Path, ours: Path, theirs: Path, path: str) -> MergeOutcome:
    """Merge `theirs` into `ours` (which receives the result) from their common `base`."""
    texts = []
    for version in (base, ours, theirs):
        try:
            texts.append(version.read_bytes().decode("utf-8"))
        except UnicodeDecodeError:
            break
    merged = merge(*texts) if len(texts) == 3 else None  # noqa: PLR2004 - all three decoded
    if merged is None:
        left = merge_file(ours, base, theirs)
        return MergeOutcome(path, by_entries=False, conflicts=(), line_conflicts=left)
    write_atomic(ours, merged.text.encode("utf-8"))
    conflicts = tuple(conflict.describe() for conflict in merged.conflicts)
    return MergeOutcome(path, by_entries=True, conflicts=conflicts)


def python_command(module: str) -> str:
    """Return a shell command that runs `module` with this very Python, by absolute path.

    Git runs drivers and hooks with whatever PATH it has (a server's may have no beanfirm at
    all), so they name the interpreter of the environment beanfirm is installed in. A module
    run this way starts in a third of the time the whole command line takes to import.
    """
    return f"{shlex.quote(sys.executable)} -m {module}"


def install_merge_driver(repo: PracticeRepo) -> str:
    """Set the driver in the repository's git config; return the command it runs."""
    command = f"{python_command(__name__)} %O %A %B %P"
    repo.set_config(f"merge.{DRIVER}.name", "beanfirm: merge ledgers entry by entry")
    repo.set_config(f"merge.{DRIVER}.driver", command)
    # The clone's own attributes name the driver too, so that it merges ledgers even in a
    # practice whose committed .gitattributes does not (one made before the driver existed).
    attributes = _clone_attributes(repo)
    lines = attributes.read_text(encoding="utf-8").splitlines() if attributes.is_file() else []
    if ATTRIBUTES_LINE not in lines:
        attributes.parent.mkdir(parents=True, exist_ok=True)
        text = "".join(f"{line}\n" for line in [*lines, ATTRIBUTES_LINE])
        write_atomic(attributes, text.encode("utf-8"))
    return command


def merge_driver_installed(repo: PracticeRepo) -> bool:
    """Return whether the clone's git config and own attributes name the driver."""
    attributes = _clone_attributes(repo)
    return (
        repo.config(f"merge.{DRIVER}.driver") is not None
        and attributes.is_file()
        and ATTRIBUTES_LINE in attributes.read_text(encoding="utf-8").splitlines()
    )


def _clone_attributes(repo: PracticeRepo) -> Path:
    """Return the clone's own attributes file, which git reads and never commits."""
    common = repo.run_git("rev-parse", "--git-common-dir").strip()
    return (repo.root / common).resolve() / "info" / "attributes"


def attributes_name_driver(root: Path) -> bool:
    """Return whether the practice's `.gitattributes` sends ledgers to the driver."""
    path = root / ATTRIBUTES_FILE
    if not path.is_file():
        return False
    return ATTRIBUTES_LINE in path.read_text(encoding="utf-8").splitlines()


def main(argv: list[str] | None = None) -> int:
    """Run as git's merge driver: `python -m beanfirm.store.mergedriver %O %A %B %P`."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) not in {3, 4}:
        usage = "usage: python -m beanfirm.store.mergedriver BASE OURS THEIRS [PATH]"
        print(usage, file=sys.stderr)  # noqa: T201
        return 2
    base, ours, theirs = (Path(arg) for arg in args[:3])
    outcome = run_merge(base, ours, theirs, args[3] if len(args) == 4 else args[1])  # noqa: PLR2004
    if outcome.clean:
        return 0
    print(plain_lines(outcome.report()), file=sys.stderr)  # noqa: T201
    return 1


if __name__ == "__main__":
    sys.exit(main())
