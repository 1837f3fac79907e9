"""A folder of backups: each one file, its manifest inside the encryption, and the chain.

A backup is `NNNNNN-YYYYMMDDTHHMMSSZ-full.age` (or `-incremental.age`): an age-encrypted tar
of `manifest.json` and the parts it lists (`practice.bundle`, `portal.sqlite`). The manifest
names the backup, its refs, tree ids and the sha256 of every part, and links to the backup
it builds on by that file's id *and sha256*. It is inside the encryption, so nobody without
a private key reads the firm's ref names; and because a link holds the checksum of the whole
previous file, a previous backup that was swapped, altered or re-encrypted breaks the chain.
A manifest moved into another archive (by someone with the public keys) is caught by its id
and the checksums of the parts beside it.

Beside each backup a plain `.json` label holds what the next backup needs without a private
key: its sequence, kind, link and the commit ids it ends at. Labels only plan; restore
trusts nothing but the encrypted files.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from beanfirm.errors import BackupError
from beanfirm.store.sealed import Identity, Recipients, UndecryptableError, seal, unseal

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence

FORMAT = 1
BACKUP_SUFFIX = ".age"
LABEL_SUFFIX = ".json"
MANIFEST = "manifest.json"
BUNDLE = "practice.bundle"
USERS = "portal.sqlite"
FULL = "full"
INCREMENTAL = "incremental"


def sha256(data: bytes) -> str:
    """Return the hex sha256 of bytes."""
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class Link:
    """The backup a backup builds on: its id and the sha256 of its encrypted file."""

    id: str
    sha256: str


@dataclass(frozen=True)
class Manifest:
    """What a backup holds and where it stands in its chain."""

    id: str
    sequence: int
    kind: str
    created: str
    previous: Link | None
    refs: dict[str, str]
    head: str | None
    prerequisites: tuple[str, ...]
    root_tree: str | None
    clients: dict[str, str]
    parts: dict[str, str]  # part name -> sha256
    format: int = FORMAT

    def to_bytes(self) -> bytes:
        """Return the manifest as JSON."""
        data = {
            "format": self.format,
            "id": self.id,
            "sequence": self.sequence,
            "kind": self.kind,
            "created": self.created,
            "previous": None if self.previous is None else vars(self.previous),
            "refs": self.refs,
            "head": self.head,
            "prerequisites": list(self.prerequisites),
            "root_tree": self.root_tree,
            "clients": self.clients,
            "parts": self.parts,
        }
        return json.dumps(data, indent=1, sort_keys=True).encode("utf-8")

    @classmethod
    def from_bytes(cls, data: bytes, name: str) -> Manifest:
        """Read a manifest; raise a BackupError naming the backup file when it is not one."""
        try:
            raw = json.loads(data)
            previous = raw["previous"]
            manifest = cls(
                id=str(raw["id"]),
                sequence=int(raw["sequence"]),
                kind=str(raw["kind"]),
                created=str(raw["created"]),
                previous=None if previous is None else Link(previous["id"], previous["sha256"]),
                refs={str(k): str(v) for k, v in raw["refs"].items()},
                head=raw["head"],
                prerequisites=tuple(raw["prerequisites"]),
                root_tree=raw["root_tree"],
                clients={str(k): str(v) for k, v in raw["clients"].items()},
                parts={str(k): str(v) for k, v in raw["parts"].items()},
                format=int(raw["format"]),
            )
        except (ValueError, KeyError, TypeError, AttributeError):
            msg = (
                f"{name} holds no readable manifest: it was not made by `beanfirm backup`, or "
                "by a version that wrote another format. Restore from another backup."
            )
            raise BackupError(msg) from None
        if manifest.format != FORMAT or manifest.kind not in (FULL, INCREMENTAL):
            msg = f"{name} is a backup of format {manifest.format}; this beanfirm reads {FORMAT}."
            raise BackupError(msg)
        return manifest


@dataclass(frozen=True)
class Label:
    """The plain label beside a backup: enough to plan the next one and apply retention."""

    id: str
    sequence: int
    kind: str
    previous: str | None
    sha256: str
    tips: tuple[str, ...]

    def to_bytes(self) -> bytes:
        """Return the label as JSON."""
        return json.dumps(vars(self) | {"tips": list(self.tips)}, indent=1).encode("utf-8")


@dataclass(frozen=True)
class Opened:
    """A backup file decrypted, with its manifest and parts checked against each other."""

    path: Path
    sha256: str
    manifest: Manifest
    parts: dict[str, bytes] = field(repr=False)


def backup_name(sequence: int, stamp: str, kind: str) -> str:
    """Return the id (file stem) of a backup."""
    return f"{sequence:06d}-{stamp}-{kind}"


def read_labels(folder: Path) -> tuple[list[Label], list[str]]:
    """Return the labels in a backup folder, oldest first, and notes on files without one."""
    labels: list[Label] = []
    notes: list[str] = []
    if not folder.is_dir():
        return labels, notes
    for path in sorted(folder.glob(f"*{LABEL_SUFFIX}")):
        try:
            raw = json.loads(path.read_bytes())
            labels.append(
                Label(
                    str(raw["id"]),
                    int(raw["sequence"]),
                    str(raw["kind"]),
                    raw["previous"],
                    str(raw["sha256"]),
                    tuple(raw["tips"]),
                )
            )
        except (ValueError, KeyError, TypeError, OSError):
            notes.append(f"{path.name} is not a backup label; it was left alone and not used.")
    known = {label.id for label in labels}
    notes.extend(
        f"{path.name} has no label beside it (a backup cut short?); the next backup does not "
        "build on it."
        for path in sorted(folder.glob(f"*{BACKUP_SUFFIX}"))
        if path.stem not in known
    )
    labels.sort(key=lambda label: label.sequence)
    return labels, notes


def seal_backup(manifest: Manifest, parts: Mapping[str, bytes], recipients: Recipients) -> bytes:
    """Return the encrypted archive of a manifest and its parts."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as archive:
        for name, data in ((MANIFEST, manifest.to_bytes()), *sorted(parts.items())):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mode = 0o600
            archive.addfile(info, io.BytesIO(data))
    return seal(buffer.getvalue(), recipients)


def label_of(manifest: Manifest, sealed: bytes, tips: Iterable[str]) -> Label:
    """Return the plain label of a sealed backup that ends at the commits `tips`."""
    return Label(
        manifest.id,
        manifest.sequence,
        manifest.kind,
        None if manifest.previous is None else manifest.previous.id,
        sha256(sealed),
        tuple(sorted(set(tips))),
    )


def write_backup(folder: Path, sealed: bytes, label: Label) -> Path:
    """Write a sealed backup and its label into `folder`, each file whole or not at all."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{label.id}{BACKUP_SUFFIX}"
    if path.exists():
        msg = f"{path} exists already; a backup never overwrites another. Run it again."
        raise BackupError(msg)
    _write_whole(path, sealed)
    _write_whole(folder / f"{label.id}{LABEL_SUFFIX}", label.to_bytes())
    return path


def _write_whole(path: Path, data: bytes) -> None:
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)
        raise


def delete_backup(folder: Path, backup_id: str) -> None:
    """Delete a backup and its label."""
    for suffix in (LABEL_SUFFIX, BACKUP_SUFFIX):
        with contextlib.suppress(FileNotFoundError):
            (folder / f"{backup_id}{suffix}").unlink()


def open_backup(path: Path, identities: Sequence[Identity]) -> Opened:
    """Decrypt a backup file and check its manifest against its name and its parts."""
    name = str(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        msg = f"Cannot read the backup {name}: {exc.strerror}. Check the path."
        raise BackupError(msg) from None
    try:
        archive_bytes = unseal(data, identities)
    except UndecryptableError as exc:
        raise BackupError(_undecryptable(path, data, exc)) from None
    parts: dict[str, bytes] = {}
    try:
        with tarfile.open(fileobj=io.BytesIO(archive_bytes), mode="r:") as archive:
            for member in archive.getmembers():
                handle = archive.extractfile(member)
                if handle is None or member.name in parts:
                    raise tarfile.TarError(member.name)
                parts[member.name] = handle.read()
    except tarfile.TarError:
        msg = f"{name} decrypts but is not a backup archive; restore from another backup."
        raise BackupError(msg) from None
    if MANIFEST not in parts:
        msg = f"{name} holds no manifest; it was not made by `beanfirm backup`."
        raise BackupError(msg)
    manifest = Manifest.from_bytes(parts.pop(MANIFEST), name)
    if manifest.id != path.stem.removesuffix(BACKUP_SUFFIX):
        msg = (
            f"{name} holds the manifest of backup {manifest.id}: the file was renamed or its "
            f"manifest swapped. Restore from the file named {manifest.id}{BACKUP_SUFFIX}, or "
            "from another backup."
        )
        raise BackupError(msg)
    if set(parts) != set(manifest.parts) or any(
        sha256(parts[part]) != manifest.parts[part] for part in parts
    ):
        differ = sorted(
            part
            for part in set(parts) | set(manifest.parts)
            if part not in parts or manifest.parts.get(part) != sha256(parts[part])
        )
        msg = (
            f"{name}: the manifest does not match the parts beside it ({', '.join(differ)}): "
            "the manifest was swapped or the archive rebuilt by someone with the public keys. "
            "Do not use this file; restore from another copy or another backup."
        )
        raise BackupError(msg)
    return Opened(path, sha256(data), manifest, parts)


def _undecryptable(path: Path, data: bytes, exc: UndecryptableError) -> str:
    """Say why a backup does not decrypt, using its label's checksum to tell damage from keys."""
    damaged = (
        f"{path} is damaged: a byte was changed or the file was cut short, so it does not "
        "decrypt. Do not use it: restore from another copy of this file, or an older backup."
    )
    if not exc.no_key:
        return damaged
    label = path.with_suffix(LABEL_SUFFIX)
    try:
        recorded = json.loads(label.read_bytes())["sha256"]
    except (OSError, ValueError, KeyError, TypeError):
        recorded = None
    if recorded is not None and recorded != sha256(data):
        return damaged
    wrong_key = (
        f"{path} does not decrypt with the identity given: it was encrypted to other key "
        "holders. Pass --identity with the private key of one of the recipients listed under "
        "backup: in clients.yaml when it was made"
    )
    if recorded is None:
        return (
            f"{wrong_key}; if that key was right, the file's header is damaged: restore from "
            "another copy."
        )
    return f"{wrong_key}."


def _sequence(path: Path) -> int:
    number = path.name.split("-", 1)[0]
    return int(number) if number.isdigit() else -1


def open_chain(paths: Iterable[Path], identities: Sequence[Identity]) -> list[Opened]:
    """Open the newest backup named and, link by link, those it builds on; full first.

    Only the chain is decrypted: an unrelated older backup in the folder is not read. Each
    link must name a file given (by its id) whose sha256 is the one the link recorded.
    """
    by_id: dict[str, Path] = {}
    for path in backups_in(paths):
        backup_id = path.name.removesuffix(BACKUP_SUFFIX)
        if backup_id in by_id and by_id[backup_id].resolve() != path.resolve():
            msg = f"{path} and {by_id[backup_id]} are named as the same backup; pass one."
            raise BackupError(msg)
        by_id[backup_id] = path
    if not by_id:
        msg = "No backup files given (nor any *.age file in the folders given)."
        raise BackupError(msg)
    newest = max(by_id.values(), key=_sequence)
    chain = [open_backup(newest, identities)]
    while chain[-1].manifest.kind != FULL:
        current = chain[-1]
        link = current.manifest.previous
        if link is None or link.id not in by_id:
            missing = "its full backup" if link is None else f"{link.id}{BACKUP_SUFFIX}"
            msg = (
                f"{current.path} is an incremental backup, and the backup it builds on, "
                f"{missing}, is not among the files given: a link of the chain is missing. "
                "Pass every backup from the full one on (or the folder that holds them)."
            )
            raise BackupError(msg)
        previous = open_backup(by_id[link.id], identities)
        if previous.sha256 != link.sha256:
            msg = (
                f"{previous.path} is not the backup that {current.path} was made after: its "
                "checksum differs from the link recorded in the later backup (the file was "
                "replaced or re-made). Find the original file, or restore from an older full "
                "backup."
            )
            raise BackupError(msg)
        chain.append(previous)
    chain.reverse()
    return chain


def backups_in(paths: Iterable[Path]) -> list[Path]:
    """Return the backup files named: files as given, folders as every backup they hold."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(path.glob(f"*{BACKUP_SUFFIX}")))
        else:
            found.append(path)
    return found


def expired(labels: Sequence[Label], keep_fulls: int) -> list[Label]:
    """Return the backups retention deletes: those older than the `keep_fulls`-th newest full.

    Every backup builds on the one just before it, so everything from that full on is one of
    the kept chains, and nothing a kept incremental needs is older than it.
    """
    fulls = [label.sequence for label in labels if label.kind == FULL]
    if len(fulls) <= keep_fulls:
        return []
    cutoff = sorted(fulls)[-keep_fulls]
    return [label for label in labels if label.sequence < cutoff]
