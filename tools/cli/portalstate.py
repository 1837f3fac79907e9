"""The `--state-dir` option shared by `serve`, `portal` and `audit --portal`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from beanfirm.portal.store import PortalStore

if TYPE_CHECKING:
    from collections.abc import Callable

    from beanfirm.store.practice import Practice


def state_dir_option(func: Callable[..., Any]) -> Callable[..., Any]:
    """Add --state-dir (default: the practice's git-ignored .beanfirm/)."""
    return click.option(
        "--state-dir",
        type=click.Path(file_okay=False, path_type=Path),
        envvar="BEANFIRM_PORTAL_STATE",
        help="Folder of the portal's database (default: .beanfirm/ in the practice, git-ignored).",
    )(func)


def state_dir_of(practice: Practice, state_dir: Path | None) -> Path:
    """Return the folder of the portal's database."""
    return (state_dir or practice.state_dir).resolve()


def open_store(practice: Practice, state_dir: Path | None) -> PortalStore:
    """Open (creating) the portal's database."""
    return PortalStore.in_folder(state_dir_of(practice, state_dir))
