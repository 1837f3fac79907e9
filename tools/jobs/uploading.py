"""A client user's upload into the client's inbox: limited, typed by content, identified, recorded.

The file is written to a hidden scratch file in the inbox (never picked up by an import), at
most `MAX_FILE_BYTES`, then typed by its content (`ingest/uploads.py`): a receipt or invoice
(PDF, JPEG, PNG) moves to `inbox/documents/`, an export only if one of the client's accounts'
importers recognises it, into `inbox/` where `beanfirm import --inbox` takes it. Anything
else is refused and deleted at once, with a sentence for the client. The stored name is
`YYYYMMDD-HHMMSS-<safe stem>.<extension the content decides>`, never an existing file's; each
accepted file is appended to the inbox's record with who sent it and the request it answers.
"""

from __future__ import annotations

import datetime
import logging
import os
import secrets
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING

from beanfirm.core import paths
from beanfirm.ingest.uploads import (
    HEAD_BYTES,
    recognising_accounts,
    safe_stem,
    sniff,
    unpacked_size,
)
from beanfirm.store.uploads import Upload, inbox_counts, inbox_locked, record_upload

if TYPE_CHECKING:
    from pathlib import Path

    from beanfirm.store.practice import Practice
    from beanfirm.store.registry import Client

log = logging.getLogger(__name__)

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_FILES = 20  # in one upload
MAX_UNPACKED_BYTES = 200 * 1024 * 1024  # an XLSX's parts once unpacked (zip bombs)
MAX_WAITING = 500  # files a client's inbox may hold before the firm empties it
_CHUNK = 1024 * 1024
# Why a file is refused; the portal words each in the client's language.
REFUSALS = (
    "inbox-full",
    "too-large",
    "empty",
    "not-allowed",
    "not-a-statement",
    "busy",
    "inbox-unsafe",
    "unpacks-too-large",
)


@dataclass(frozen=True)
class Received:
    """What became of one uploaded file: accepted (the record), or refused (why: `REFUSALS`)."""

    sent_name: str
    upload: Upload | None
    refusal: str | None = None


def receive_upload(
    practice: Practice,
    client: Client,
    sent_name: str,
    source: IO[bytes],
    *,
    by: str,
    request: int | None,
    now: datetime.datetime,
) -> Received:
    """Take one uploaded file into the client's inbox, or refuse it (nothing is left behind)."""
    root = practice.root
    if not _inbox_inside(root, client.id):
        log.warning(
            "%s: the inbox or its documents folder leads outside the client's folder; "
            "upload refused",
            paths.inbox_folder(client.id),
        )
        return Received(sent_name, None, "inbox-unsafe")
    with inbox_locked(root, client.id) as inbox:
        if sum(inbox_counts(root, client.id)) >= MAX_WAITING:
            return Received(sent_name, None, "inbox-full")
        scratch = inbox / f".upload-{secrets.token_hex(8)}"
        try:
            size = _copy_limited(source, scratch)
            if size is None:
                return Received(sent_name, None, "too-large")
            if size == 0:
                return Received(sent_name, None, "empty")
            return _keep(
                practice, client, scratch, sent_name, size, by=by, request=request, now=now
            )
        finally:
            scratch.unlink(missing_ok=True)
            for left in inbox.glob(scratch.name + ".*"):
                left.unlink(missing_ok=True)


def _inbox_inside(root: Path, client_id: str) -> bool:
    """Tell whether the inbox and its documents folder are real folders of the client's own.

    A symlink planted there would send a client's files elsewhere.
    """
    folder = (root / paths.client_folder(client_id)).resolve()
    if folder.parent != (root / paths.LEDGERS).resolve():
        return False
    for relpath in (paths.inbox_folder(client_id), paths.uploads_folder(client_id)):
        path = root / relpath
        if path.is_symlink() or (path.exists() and not path.resolve().is_relative_to(folder)):
            return False
    return True


def _copy_limited(source: IO[bytes], target: Path) -> int | None:
    """Copy a stream into a new private file; None (and nothing kept) if it is too large."""
    size = 0
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o640)
    with os.fdopen(fd, "wb") as handle:
        while chunk := source.read(_CHUNK):
            size += len(chunk)
            if size > MAX_FILE_BYTES:
                return None
            handle.write(chunk)
    return size


def _keep(
    practice: Practice,
    client: Client,
    scratch: Path,
    sent_name: str,
    size: int,
    *,
    by: str,
    request: int | None,
    now: datetime.datetime,
) -> Received:
    root = practice.root
    with scratch.open("rb") as handle:
        head = handle.read(HEAD_BYTES)
    sniffed = sniff(head, sent_name)
    if sniffed is None:
        return Received(sent_name, None, "not-allowed")
    named = scratch.with_name(f"{scratch.name}.{sniffed.extension}")
    os.rename(scratch, named)  # importers may look at the extension
    account: str | None = None
    if sniffed.extension == "xlsx":
        unpacked = unpacked_size(named)
        if unpacked is None or unpacked > MAX_UNPACKED_BYTES:
            return Received(sent_name, None, "unpacks-too-large" if unpacked else "not-allowed")
    if sniffed.kind == "export":
        config_dir = root / paths.importers_folder(client.id)
        accounts = recognising_accounts(client, named, config_dir)
        if not accounts:
            return Received(sent_name, None, "not-a-statement")
        account = accounts[0] if len(accounts) == 1 else None
    export = sniffed.kind == "export"
    folder = root / (paths.inbox_folder(client.id) if export else paths.uploads_folder(client.id))
    folder.mkdir(parents=True, exist_ok=True)
    stamp = now.strftime("%Y%m%d-%H%M%S")
    stem = safe_stem(sent_name)
    for attempt in range(1, 100):
        suffix = "" if attempt == 1 else f"-{attempt}"
        name = f"{stamp}-{stem}{suffix}.{sniffed.extension}"
        try:
            os.link(named, folder / name)  # never over an existing file
        except FileExistsError:
            continue
        break
    else:
        return Received(sent_name, None, "busy")
    upload = Upload(now, by, name, sniffed.kind, size, request=request, account=account)
    record_upload(root, client.id, upload)
    return Received(sent_name, upload)
