"""Putting a practice right after a crash: git's stale locks, writes that died half-way."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

from beanfirm.core import paths
from beanfirm.store.intents import read_intents
from beanfirm.store.locks import locked
from beanfirm.store.practice import STATE_DIRNAME
from beanfirm.store.registry import REGISTRY_FILENAME
from beanfirm.store.writes import Settled, settle

if TYPE_CHECKING:
    from beanfirm.store.gitrepo import PracticeRepo
    from beanfirm.store.practice import Practice


@dataclass(frozen=True)
class Repair:
    """What `repair` did, and the uncommitted changes it left alone (not beanfirm's)."""

    cleared_locks: tuple[str, ...]
    settled: tuple[Settled, ...]
    left_alone: tuple[str, ...]


def repair_practice(
    practice: Practice, repo: PracticeRepo, client_id: str | None = None, *, lock_wait: float = 10.0
) -> Repair:
    """Clear git's stale locks and finish or undo the dead writes (of one client, if given).

    Uncommitted changes that no dead write of beanfirm's explains are someone's own work:
    they are listed, never touched.
    """
    # Settling puts files back as they are at HEAD: not HEAD in the middle of a rebase.
    repo.refuse_mid_operation("the practice")
    settled = []
    for intent in read_intents(repo.state_dir):
        if client_id is not None and client_id not in intent.locks:
            continue
        with locked(practice.root / STATE_DIRNAME, intent.locks, wait_seconds=lock_wait):
            # Under its locks: the record is still there unless a write settled it meanwhile.
            if intent.record.exists():
                settled.append(settle(practice.root, repo, intent))
    with repo.index_lock():
        scope = [paths.LEDGERS, REGISTRY_FILENAME]
        if client_id is not None:
            scope = [paths.client_folder(client_id)]
        left = repo.changed_paths(scope)
    cleared = tuple(os.path.relpath(path, repo.top) for path in repo.cleared)
    return Repair(cleared, tuple(settled), tuple(left))
