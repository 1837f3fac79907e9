"""A client's uploads: the record, in its git-ignored inbox, of each file sent through the portal.

The files themselves wait in the inbox (`ledgers/<id>/inbox/`: exports; `inbox/documents/`:
receipts and invoices) until the preparer imports or files them. The record,
`inbox/.uploads.jsonl`, keeps one JSON line per accepted upload (when, who, the stored name,
its kind, the request it answers), appended under a lock of its own, so that the upload page
and `requests list` know what arrived even after the import took the file away. A line that
does not read (a file edited by hand) is skipped, never fatal.
"""

from __future__ import annotations

import contextlib
import datetime
import fcntl
import json
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

from beanfirm.core import paths

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

KINDS = ("export", "document")


@dataclass(frozen=True)
class Upload:
    """One file a client user sent: where it waits, what it is, and which request it answers."""

    at: datetime.datetime
    by: str  # the portal user's email
    name: str  # the file's name in the inbox (sanitized)
    kind: str  # "export" (a statement an importer reads) or "document" (receipt, invoice)
    size: int
    request: int | None = None  # the id of the request it answers
    account: str | None = None  # for an export: the account whose importer recognised it

    def relpath(self, client_id: str) -> str:
        """Return where the file waits, relative to the practice."""
        folder = (
            paths.inbox_folder(client_id)
            if self.kind == "export"
            else paths.uploads_folder(client_id)
        )
        return f"{folder}/{self.name}"

    def as_json(self) -> dict[str, object]:
        """Return the record as plain JSON data."""
        return {
            "at": self.at.isoformat(timespec="seconds"),
            "by": self.by,
            "name": self.name,
            "kind": self.kind,
            "size": self.size,
            "request": self.request,
            "account": self.account,
        }


def _from_json(data: object) -> Upload | None:
    if not isinstance(data, dict):
        return None
    try:
        request = data.get("request")
        account = data.get("account")
        upload = Upload(
            at=datetime.datetime.fromisoformat(str(data["at"])),
            by=str(data["by"]),
            name=str(data["name"]),
            kind=str(data["kind"]),
            size=int(data["size"]),
            request=int(request) if request is not None else None,
            account=str(account) if account is not None else None,
        )
    except (KeyError, TypeError, ValueError):
        return None
    return upload if upload.kind in KINDS and "/" not in upload.name else None


@contextlib.contextmanager
def inbox_locked(root: Path, client_id: str) -> Iterator[Path]:
    """Hold the lock of a client's inbox record (uploads append one at a time); yield the inbox."""
    inbox = root / paths.inbox_folder(client_id)
    inbox.mkdir(parents=True, exist_ok=True)
    fd = os.open(inbox / ".uploads.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield inbox
    finally:
        os.close(fd)  # closing drops the lock


def record_upload(root: Path, client_id: str, upload: Upload) -> None:
    """Append an upload to the client's record (call under `inbox_locked`)."""
    line = json.dumps(upload.as_json(), ensure_ascii=False) + "\n"
    fd = os.open(
        root / paths.uploads_record(client_id), os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600
    )
    try:
        os.write(fd, line.encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)


def uploads_of(root: Path, client_id: str) -> list[Upload]:
    """Return a client's recorded uploads, oldest first (none if nothing was ever uploaded)."""
    path = root / paths.uploads_record(client_id)
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return []
    found: list[Upload] = []
    for line in text.splitlines():
        try:
            upload = _from_json(json.loads(line))
        except ValueError:
            continue
        if upload is not None:
            found.append(upload)
    return found


def waiting(root: Path, client_id: str) -> list[Upload]:
    """Return the recorded uploads whose file is still in the inbox (not imported or filed)."""
    return [u for u in uploads_of(root, client_id) if (root / u.relpath(client_id)).is_file()]


def inbox_counts(root: Path, client_id: str) -> tuple[int, int]:
    """Return how many exports and how many receipts or invoices wait in a client's inbox."""

    def count(relpath: str) -> int:
        folder = root / relpath
        if not folder.is_dir():
            return 0
        return sum(1 for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))

    return count(paths.inbox_folder(client_id)), count(paths.uploads_folder(client_id))
