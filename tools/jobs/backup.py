"""`beanfirm backup`: every ref, the portal's users, encrypted to the key holders, and retention.

A backup is full (every object) or incremental (a git bundle of what is new since the last
backup's commits); the plan comes from the plain labels of the backup folder, the contents
from git and the portal's database. It changes nothing in the practice: it reads the
committed history under the practice's `backup` lock, so two backups never interleave, and
writes each file whole into the backup folder (`beanfirm.store.backupset`). Retention runs
only after the new backup is written.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from beanfirm.core import paths
from beanfirm.core.scratch import scratch_folder
from beanfirm.errors import BackupError
from beanfirm.store import backupset
from beanfirm.store.backupset import (
    BUNDLE,
    FULL,
    INCREMENTAL,
    USERS,
    Label,
    Link,
    Manifest,
)
from beanfirm.store.locks import locked
from beanfirm.store.practice import STATE_DIRNAME
from beanfirm.store.sealed import recipients_of

if TYPE_CHECKING:
    from beanfirm.store.backuppolicy import BackupPolicy
    from beanfirm.store.gitrepo import PracticeRepo

BACKUP_LOCK = "backup"


@dataclass(frozen=True)
class BackupMade:
    """A backup written: which, what it holds, what retention deleted, what to know."""

    path: Path
    manifest: Manifest
    size: int
    deleted: tuple[str, ...]
    notes: tuple[str, ...]


def backup_folder(policy: BackupPolicy, to: Path | None) -> Path:
    """Return the folder backups go to: --to, else `backup: to:`."""
    folder = to or policy.to
    if folder is None:
        msg = (
            "Where should the backup go? Pass --to DIR, or set `to:` under backup: in "
            "clients.yaml (a folder on another disk or a mounted share, not in the practice)."
        )
        raise BackupError(msg)
    return folder


def _kind(
    labels: list[Label], folder: Path, repo: PracticeRepo, policy: BackupPolicy, *, full: bool
) -> tuple[Label | None, list[str]]:
    """Return the backup to build on (None: make a full one) and why not, when not."""
    if full or not labels:
        return None, []
    last = labels[-1]
    since_full = 0
    for label in reversed(labels):
        if label.kind == FULL:
            break
        since_full += 1
    else:
        return None, ["no full backup in the folder to build on, so this one is full."]
    if since_full >= policy.full_every:
        return None, []
    path = folder / f"{last.id}{backupset.BACKUP_SUFFIX}"
    try:
        actual = backupset.sha256(path.read_bytes())
    except OSError:
        actual = None
    if actual != last.sha256:
        why = f"{path.name} does not match its label (missing or changed), so this backup is full."
        return None, [why]
    if not repo.has_commits_named(last.tips):
        why = f"the history {last.id} ends at was rewritten, so this backup is full."
        return None, [why]
    return last, []


def make_backup(
    root: Path,
    repo: PracticeRepo,
    policy: BackupPolicy,
    folder: Path,
    *,
    users: Path | None,
    full: bool = False,
    dry_run: bool = False,
    now: datetime.datetime | None = None,
) -> BackupMade:
    """Write a backup of the practice at `root` into `folder`, and apply retention.

    On failure it raises and writes nothing.
    `users` is a consistent copy of the portal's database (None when there is none). A dry
    run makes and encrypts the backup, and says what retention would delete, writing nothing.
    """
    if not repo.has_commits():
        msg = "The practice has no commits yet; there is nothing to back up."
        raise BackupError(msg)
    folder = folder.resolve()
    if folder == root or root in folder.parents:
        msg = (
            f"{folder} is inside the practice; a backup there is lost with it. Choose a folder "
            "on another disk or share."
        )
        raise BackupError(msg)
    now = now or datetime.datetime.now(tz=datetime.UTC)
    with locked(root / STATE_DIRNAME, (BACKUP_LOCK,), wait_seconds=30.0):
        labels, notes = backupset.read_labels(folder)
        base, why = _kind(labels, folder, repo, policy, full=full)
        notes.extend(why)
        refs = repo.refs()
        parts: dict[str, bytes] = {}
        with scratch_folder("backup") as scratch:
            bundle = Path(scratch) / BUNDLE
            since = base.tips if base is not None else ()
            if repo.write_bundle(bundle, since=since):
                parts[BUNDLE] = bundle.read_bytes()
        if users is not None:
            parts[USERS] = users.read_bytes()
        sequence = labels[-1].sequence + 1 if labels else 1
        kind = INCREMENTAL if base is not None else FULL
        manifest = Manifest(
            id=backupset.backup_name(sequence, now.strftime("%Y%m%dT%H%M%SZ"), kind),
            sequence=sequence,
            kind=kind,
            created=now.isoformat(timespec="seconds"),
            previous=None if base is None else Link(base.id, base.sha256),
            refs=refs,
            head=repo.head_ref(),
            prerequisites=tuple(since),
            root_tree=repo.root_tree(),
            clients=repo.subtree_hashes(paths.LEDGERS),
            parts={name: backupset.sha256(data) for name, data in parts.items()},
        )
        sealed = backupset.seal_backup(manifest, parts, recipients_of(policy.recipients))
        label = backupset.label_of(manifest, sealed, refs.values())
        path = folder / f"{label.id}{backupset.BACKUP_SUFFIX}"
        if not dry_run:
            backupset.write_backup(folder, sealed, label)
        deleted = []
        for old in backupset.expired([*labels, label], policy.keep_fulls):
            if not dry_run:
                backupset.delete_backup(folder, old.id)
            deleted.append(old.id)
    uncommitted = repo.changed_paths(["."])
    if uncommitted:
        notes.append(
            f"{len(uncommitted)} file(s) with uncommitted changes are not in it (a backup "
            "holds commits only); `git status` lists them."
        )
    return BackupMade(path, manifest, len(sealed), tuple(deleted), tuple(notes))
