"""`beanfirm restore` and `beanfirm backup --verify`: a practice rebuilt from its backups, proven.

Every file is decrypted and checked against its manifest, the chain is followed from the
newest backup back to its full one (each link by id and checksum), every bundle passes
`git bundle verify` before its objects are added, and the rebuilt practice must have exactly
the manifest's refs and tree ids, a clean working tree, and every client's ledger loaded
with its plugins. It is built in a hidden folder beside the target and renamed into place
only when all of that holds, so a failed restore leaves nothing behind. Its git has the merge
and diff drivers set up, as a practice `beanfirm init` makes.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from beanfirm.core import paths
from beanfirm.core.scratch import scratch_folder
from beanfirm.errors import BackupError
from beanfirm.firm.checking import CheckResult, check_clients
from beanfirm.jobs.newpractice import set_up_clone
from beanfirm.store import backupset
from beanfirm.store.backupset import BUNDLE, USERS, Opened
from beanfirm.store.gitrepo import PracticeRepo
from beanfirm.store.practice import STATE_DIRNAME, open_practice

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from beanfirm.store.sealed import Identity

USERS_DB = "portal.sqlite"


@dataclass(frozen=True)
class Restored:
    """A practice rebuilt from a chain of backups and checked."""

    folder: Path
    chain: tuple[str, ...]
    refs: int
    checks: tuple[CheckResult, ...]
    users: bool

    @property
    def clients_with_errors(self) -> list[str]:
        """Return the clients whose ledgers have errors."""
        return [result.client_id for result in self.checks if result.summary.errors]


def _refuse_target(target: Path) -> None:
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        msg = (
            f"{target} exists and is not empty; restore never writes over a folder. Name a "
            "new folder (it is created), and move the restored practice into place yourself."
        )
        raise BackupError(msg)


def restore(
    backups: Iterable[Path], identities: Sequence[Identity], target: Path, *, jobs: int
) -> Restored:
    """Rebuild the practice of the newest backup given into the new folder `target`."""
    target = target.resolve()
    _refuse_target(target)
    chain = backupset.open_chain(backups, identities)
    target.parent.mkdir(parents=True, exist_ok=True)
    building = Path(tempfile.mkdtemp(prefix=f".{target.name}.restoring-", dir=target.parent))
    try:
        restored = _rebuild(chain, building, jobs=jobs)
        # The merge and diff drivers, as `beanfirm init` sets them: a staff member's first
        # `git merge` or `git pull` in the restored practice merges ledgers entry by entry.
        set_up_clone(PracticeRepo(building))
        _refuse_target(target)
        with contextlib.suppress(FileNotFoundError):
            target.rmdir()
        building.rename(target)
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise
    return Restored(target, restored.chain, restored.refs, restored.checks, restored.users)


def verify(backups: Iterable[Path], identities: Sequence[Identity], *, jobs: int) -> Restored:
    """Restore the newest backup given into a scratch folder, check it, and delete it."""
    chain = backupset.open_chain(backups, identities)
    with scratch_folder("verify") as scratch:
        return _rebuild(chain, Path(scratch) / "practice", jobs=jobs)


def _rebuild(chain: Sequence[Opened], folder: Path, *, jobs: int) -> Restored:
    folder.mkdir(exist_ok=True)
    last = chain[-1].manifest
    repo = PracticeRepo.init(folder)
    with scratch_folder("bundles") as scratch:
        for backup in chain:
            if BUNDLE not in backup.parts:
                continue
            bundle = Path(scratch) / f"{backup.manifest.id}.bundle"
            bundle.write_bytes(backup.parts[BUNDLE])
            problem = repo.bundle_problem(bundle)
            if problem is not None:
                msg = (
                    f"{backup.path}: its git bundle does not apply on the backups before it "
                    f"({problem}). A link of the chain is missing or wrong: pass every backup "
                    "from the full one on."
                )
                raise BackupError(msg)
            repo.unbundle(bundle)
    repo.set_refs(last.refs, last.head)
    _compare(repo, chain[-1])
    users = USERS in chain[-1].parts
    if users:
        state = folder / STATE_DIRNAME
        state.mkdir(mode=0o700, exist_ok=True)
        fd = os.open(state / USERS_DB, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(chain[-1].parts[USERS])
    practice = open_practice(folder)
    checks = check_clients(practice, repo, list(practice.registry.clients), jobs=jobs)
    return Restored(
        folder,
        tuple(backup.manifest.id for backup in chain),
        len(last.refs),
        tuple(checks),
        users,
    )


def _compare(repo: PracticeRepo, backup: Opened) -> None:
    """Refuse a rebuilt repository whose refs or trees differ from the manifest's."""
    manifest = backup.manifest
    differences: list[str] = []
    refs = repo.refs()
    differences.extend(
        f"ref {name}"
        for name in sorted(set(refs) | set(manifest.refs))
        if refs.get(name) != manifest.refs.get(name)
    )
    if repo.root_tree() != manifest.root_tree:
        differences.append("the practice's tree")
    trees = repo.subtree_hashes(paths.LEDGERS)
    differences.extend(
        f"client {client}"
        for client in sorted(set(trees) | set(manifest.clients))
        if trees.get(client) != manifest.clients.get(client)
    )
    if repo.changed_paths(["."]):
        differences.append("the working tree")
    if differences:
        msg = (
            f"The practice rebuilt from {backup.path} differs from its manifest: "
            f"{', '.join(differences)}. The backups given are not one whole chain; do not "
            "use this restore, and try an older full backup."
        )
        raise BackupError(msg)
