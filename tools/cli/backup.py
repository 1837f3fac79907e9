"""`beanfirm backup` and `beanfirm restore`: encrypted backups, and proof that they restore."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from beanfirm.cli.portalstate import state_dir_option
from beanfirm.core.scratch import scratch_folder
from beanfirm.errors import EXIT_FINDINGS, ConfigError, UsageError
from beanfirm.jobs.backup import backup_folder, make_backup
from beanfirm.jobs.restoring import Restored, restore, verify
from beanfirm.portal.store import DB_FILENAME, PortalStore
from beanfirm.store.backuppolicy import read_backup_policy
from beanfirm.store.gitrepo import PracticeRepo
from beanfirm.store.practice import STATE_DIRNAME, find_practice_root
from beanfirm.store.registry import REGISTRY_FILENAME
from beanfirm.store.sealed import IDENTITY_ENV, read_identities

if TYPE_CHECKING:
    from beanfirm.store.sealed import Identity


def _identity_option(func: click.decorators.FC) -> click.decorators.FC:
    return click.option(
        "--identity",
        type=click.Path(dir_okay=False, path_type=Path),
        envvar=IDENTITY_ENV,
        help=f"File holding a key holder's private age (or SSH) key (or set {IDENTITY_ENV}).",
    )(func)


def _jobs_option(func: click.decorators.FC) -> click.decorators.FC:
    return click.option(
        "-j",
        "--jobs",
        type=click.IntRange(min=1),
        default=None,
        help="Worker processes for checking the clients (default: one per core).",
    )(func)


def _identities(identity: Path | None) -> tuple[Identity, ...]:
    if identity is None:
        msg = (
            f"Decrypting a backup needs a private key: pass --identity FILE (or set "
            f"{IDENTITY_ENV} to the file's path). Never put the key itself on a command line."
        )
        raise UsageError(msg)
    return read_identities(identity)


def _users_snapshot(root: Path, state_dir: Path | None, scratch: Path) -> Path | None:
    """Copy the portal's database consistently (it may be in use), or None if it has none."""
    database = (state_dir or root / STATE_DIRNAME).resolve() / DB_FILENAME
    if not database.is_file():
        return None
    copy = scratch / DB_FILENAME
    PortalStore(database).execute("VACUUM INTO ?", (str(copy),))
    return copy


def _refs(count: int) -> str:
    return f"{count} ref{'' if count == 1 else 's'}"


def _report_restored(restored: Restored, what: str) -> None:
    chain = ", ".join(restored.chain)
    users = "the portal's users" if restored.users else "no portal users"
    click.echo(
        f"{what} {restored.chain[-1]} (chain: {chain}): {_refs(restored.refs)}, "
        f"{len(restored.checks)} clients and {users}, every ref and tree as its manifest says."
    )
    failed = restored.clients_with_errors
    if failed:
        click.echo(
            f"{len(failed)} client(s) have ledger errors: {', '.join(failed)}. They are the "
            "books as they were backed up; run `beanfirm check` in the restored practice.",
            err=True,
        )
        sys.exit(EXIT_FINDINGS)
    click.echo(f"Checked {len(restored.checks)} clients: no errors.")


@click.command()
@click.option(
    "--to",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for the backups (default: `to:` under backup: in clients.yaml).",
)
@click.option("--full", is_flag=True, help="Make a full backup, not an incremental one.")
@click.option(
    "-n", "--dry-run", is_flag=True, help="Make and encrypt the backup; write and delete nothing."
)
@click.option(
    "--verify",
    "verify_paths",
    multiple=True,
    metavar="BACKUP",
    type=click.Path(exists=True, path_type=Path),
    help="Prove that BACKUP (a file, or a folder of them) restores, writing no practice.",
)
@_identity_option
@_jobs_option
@state_dir_option
@click.pass_context
def backup(
    ctx: click.Context,
    to: Path | None,
    full: bool,
    dry_run: bool,
    verify_paths: tuple[Path, ...],
    identity: Path | None,
    jobs: int | None,
    state_dir: Path | None,
) -> None:
    """Back up every ref of the practice and the portal's users, encrypted to the key holders.

    Incremental since the last backup in the folder, full with --full or every `full-every`
    backups; old ones are deleted as `keep-fulls` in clients.yaml says. With --verify, restore
    a backup into a scratch folder, check it and delete it.
    """
    if verify_paths:
        restored = verify(verify_paths, _identities(identity), jobs=jobs or os.cpu_count() or 1)
        _report_restored(restored, "Verified: backup")
        return
    # Only the backup: section is read: a mistake elsewhere in clients.yaml stops no backup.
    root = find_practice_root(ctx.find_root().obj.get("practice"))
    policy = read_backup_policy(root / REGISTRY_FILENAME)
    if policy is None:
        msg = (
            "clients.yaml has no backup: section, so beanfirm does not know whose public keys "
            "to encrypt to. Add `backup:` with `recipients:` (each key holder's age1... or "
            "ssh-ed25519 public key); docs/backup.md shows how."
        )
        raise ConfigError(msg)
    folder = backup_folder(policy, to)
    with scratch_folder("users") as scratch:
        users = _users_snapshot(root, state_dir, Path(scratch))
        made = make_backup(
            root, PracticeRepo(root), policy, folder, users=users, full=full, dry_run=dry_run
        )
    manifest = made.manifest
    built_on = f"; builds on {manifest.previous.id}" if manifest.previous else ""
    holds = "the portal's users" if users else "no portal users"
    written = "would be written (dry run)" if dry_run else "written"
    click.echo(
        f"Backup {manifest.id} {written}: {made.path} ({made.size:,} bytes), "
        f"{_refs(len(manifest.refs))}, {len(manifest.clients)} clients and {holds}{built_on}."
    )
    for deleted in made.deleted:
        click.echo(f"Retention {'would delete' if dry_run else 'deleted'} {deleted}.")
    for note in made.notes:
        click.echo(f"Note: {note}", err=True)


@click.command("restore")
@click.argument(
    "backups",
    nargs=-1,
    required=True,
    metavar="BACKUP...",
    type=click.Path(exists=True, path_type=Path),
)
@click.option(
    "--to",
    "target",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="A new folder for the restored practice (never an existing, non-empty one).",
)
@_identity_option
@_jobs_option
def restore_command(
    backups: tuple[Path, ...], target: Path, identity: Path | None, jobs: int | None
) -> None:
    """Rebuild a practice from BACKUP... (the files of one chain, or their folder) into --to.

    Every file is decrypted and checked, the chain followed from the newest backup back to
    its full one, each bundle verified; the restored refs and trees must match the manifest
    and every client is checked.
    """
    restored = restore(backups, _identities(identity), target, jobs=jobs or os.cpu_count() or 1)
    _report_restored(restored, f"Restored into {restored.folder}: backup")
