"""`beanfirm diff --install`: git's diff driver for `*.beancount`, in a practice and its git.

Two halves: the line `*.beancount diff=beanfirm` in the practice's `.gitattributes` (committed,
so every clone has it), and the driver's commands in the repository's own `.git/config` (not
committed: they name this machine's Python). Git uses both: the external diff `command` for
`git diff` (and `git log -p --ext-diff`), the `textconv` for `git log -p` and `git show`, where
git runs no external diff unless asked.
"""

from __future__ import annotations

import shlex
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING

from beanfirm.store.writes import NO_CHECK, Planned, Stopped, WritePlan, apply_write

if TYPE_CHECKING:
    from pathlib import Path

    from beanfirm.store.gitrepo import Author, PracticeRepo

ATTRIBUTES_FILE = ".gitattributes"
DRIVER = "beanfirm"
ATTRIBUTE_LINE = f"*.beancount diff={DRIVER}"
DRIVER_MODULE = "beanfirm.review.gitdriver"


@dataclass(frozen=True)
class DriverChange:
    """What an install or uninstall did: the commit of `.gitattributes`, the config set."""

    commit: str | None  # None: .gitattributes was already as wanted, or a dry run
    config: dict[str, str | None]  # key to the value set, None for removed


def driver_config(python: str = sys.executable) -> dict[str, str]:
    """Return the git settings of the driver, run by `python` (this one by default)."""
    run = f"{shlex.quote(python)} -m {DRIVER_MODULE}"
    return {
        f"diff.{DRIVER}.command": f"{run} diff",
        f"diff.{DRIVER}.textconv": f"{run} textconv",
    }


def install_diff_driver(
    root: Path, repo: PracticeRepo, author: Author, *, dry_run: bool = False
) -> DriverChange:
    """Add the attribute line (one commit, if missing) and set the driver in `.git/config`."""
    commit = _write_attributes(root, repo, author, add=True, dry_run=dry_run)
    config = driver_config()
    if not dry_run:
        for key, value in config.items():
            repo.set_config(key, value)
    return DriverChange(commit, dict(config))


def uninstall_diff_driver(
    root: Path, repo: PracticeRepo, author: Author, *, dry_run: bool = False
) -> DriverChange:
    """Remove the attribute line (one commit, if there) and the driver from `.git/config`."""
    commit = _write_attributes(root, repo, author, add=False, dry_run=dry_run)
    keys = list(driver_config())
    if not dry_run:
        for key in keys:
            repo.unset_config(key)
    return DriverChange(commit, dict.fromkeys(keys))


def _write_attributes(
    root: Path, repo: PracticeRepo, author: Author, *, add: bool, dry_run: bool
) -> str | None:
    plan = _attributes_plan(root, add=add)
    written = apply_write(root, repo, plan, author=author, check=NO_CHECK, dry_run=dry_run)
    return None if isinstance(written, Stopped) else written.commit


def _attributes_plan(root: Path, *, add: bool) -> WritePlan[None, None]:
    def prepare() -> Planned[None] | Stopped[None]:
        path = root / ATTRIBUTES_FILE
        text = path.read_text(encoding="utf-8") if path.exists() else ""
        new = with_driver_line(text) if add else without_driver_line(text)
        if new == text:
            return Stopped(None)
        content = new.encode("utf-8") if new.strip() else None  # an emptied file goes
        verb = "Show" if add else "Stop showing"
        message = (
            f"{verb} *.beancount diffs in accounting terms (beanfirm diff --install)\n\n"
            f"{ATTRIBUTES_FILE}: {ATTRIBUTE_LINE!r} {'added' if add else 'removed'}; each "
            "clone runs `beanfirm diff --install` once to set the driver in its .git/config."
        )
        return Planned({ATTRIBUTES_FILE: content}, message, None)

    return WritePlan(
        prepare, locks=(ATTRIBUTES_FILE,), guard=(ATTRIBUTES_FILE,), what=ATTRIBUTES_FILE
    )


def with_driver_line(text: str) -> str:
    """Return `.gitattributes` text with the driver's line, everything else kept."""
    if ATTRIBUTE_LINE in (line.strip() for line in text.splitlines()):
        return text
    if text and not text.endswith("\n"):
        text += "\n"
    return f"{text}{ATTRIBUTE_LINE}\n"


def without_driver_line(text: str) -> str:
    """Return `.gitattributes` text without the driver's line, everything else kept."""
    lines = text.splitlines(keepends=True)
    return "".join(line for line in lines if line.strip() != ATTRIBUTE_LINE)
