"""Where a practice lives on disk, and the paths inside it.

A practice is a folder with `clients.yaml`, `ledgers/<client-id>/` and git. Commands find it
from `--practice DIR`, then `BEANFIRM_PRACTICE`, then by walking up from the current
directory to the nearest `clients.yaml`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from beanfirm.core import paths
from beanfirm.errors import ConfigError
from beanfirm.store.registry import REGISTRY_FILENAME, Registry, load_registry

PRACTICE_ENV = "BEANFIRM_PRACTICE"
STATE_DIRNAME = ".beanfirm"


@dataclass(frozen=True)
class Practice:
    """A practice folder and its parsed registry."""

    root: Path
    registry: Registry

    @property
    def registry_path(self) -> Path:
        """Return the path of `clients.yaml`."""
        return self.root / REGISTRY_FILENAME

    def ledger_dir(self, client_id: str) -> Path:
        """Return the folder of a client's ledger."""
        return self.root / paths.client_folder(client_id)

    def main_file(self, client_id: str) -> Path:
        """Return the top-level ledger file of a client."""
        return self.root / paths.main_file(client_id)

    @property
    def state_dir(self) -> Path:
        """Return the git-ignored folder for caches and locks."""
        return self.root / STATE_DIRNAME


def find_practice_root(explicit: Path | None = None, start: Path | None = None) -> Path:
    """Find the practice folder, or raise a ConfigError that says how to point at one."""
    if explicit is None and os.environ.get(PRACTICE_ENV):
        explicit = Path(os.environ[PRACTICE_ENV])
    if explicit is not None:
        if not (explicit / REGISTRY_FILENAME).is_file():
            msg = (
                f"{explicit} is not a beanfirm practice: it has no {REGISTRY_FILENAME}. "
                "Point --practice (or BEANFIRM_PRACTICE) at the folder that holds "
                f"{REGISTRY_FILENAME}, or create a practice with `beanfirm init DIR`."
            )
            raise ConfigError(msg)
        return explicit.resolve()
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / REGISTRY_FILENAME).is_file():
            return folder
    msg = (
        f"No beanfirm practice here: no {REGISTRY_FILENAME} in {here} or any folder above it. "
        "Run the command inside a practice, pass --practice DIR, set BEANFIRM_PRACTICE, or "
        "create one with `beanfirm init DIR`."
    )
    raise ConfigError(msg)


def open_practice(explicit: Path | None = None) -> Practice:
    """Find the practice and parse its registry (raising on any registry problem)."""
    root = find_practice_root(explicit)
    return Practice(root=root, registry=load_registry(root / REGISTRY_FILENAME))
