"""What a client uploads: its type by content, a safe name, and whether an importer reads it.

A file's name says nothing about what it is: the type is read from its first bytes. Receipts
and invoices are PDF, JPEG or PNG (their magic numbers); anything else must be an export that
one of the client's registered accounts' importers recognises (`identify`, as
`beanfirm import` asks them), and it is first told apart from binaries by its shape: text
(no NUL byte), an XLSX (a zip) or an XLS (an OLE compound file). Nothing else is accepted,
and nothing is opened but by the importers' own readers. The stored name is made from the
sent one, never trusted: its last component only, Unicode normalised (NFKC), letters,
digits and a few marks kept, no dots but the one before an extension the content decides.
"""

from __future__ import annotations

import re
import unicodedata
import zipfile
from dataclasses import dataclass
from typing import TYPE_CHECKING

from beanfirm.errors import BeanfirmError
from beanfirm.ingest.exports import importer_for

if TYPE_CHECKING:
    from pathlib import Path

    from beanfirm.store.registry import Client

HEAD_BYTES = 8192
# An export's format (its header) and account number (its preamble) are in this much of it.
HEAD_FOR_IDENTIFY = 64 * 1024
# Receipts and invoices, by their magic numbers: (prefix, extension).
DOCUMENT_MAGIC = (
    (b"%PDF-", "pdf"),
    (b"\xff\xd8\xff", "jpg"),
    (b"\x89PNG\r\n\x1a\n", "png"),
)
XLSX_MAGIC = b"PK\x03\x04"
XLS_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# The extensions an export may keep from its sent name, by the shape of its content.
TEXT_EXTENSIONS = ("csv", "txt", "tsv", "xml", "ofx", "qfx", "sta", "mt940", "940")
SHAPE_EXTENSIONS = {"text": TEXT_EXTENSIONS, "xlsx": ("xlsx",), "xls": ("xls",)}
MAX_STEM = 60
_KEPT_MARKS = "-_()"  # NFKC has made full-width brackets these


@dataclass(frozen=True)
class Sniffed:
    """What a file's first bytes say it is: a document or an export's shape, and an extension."""

    kind: str  # "document" or "export"
    extension: str  # without the dot


def sniff(head: bytes, sent_name: str) -> Sniffed | None:
    """Tell from a file's first bytes whether it may be a document or an export; None if neither.

    An export keeps its sent extension when that agrees with its shape (`.ofx` text stays
    `.ofx`), else gets the shape's own (`.csv`, `.xlsx`, `.xls`).
    """
    for magic, extension in DOCUMENT_MAGIC:
        if head.startswith(magic):
            return Sniffed("document", extension)
    if head.startswith(XLSX_MAGIC):
        shape = "xlsx"
    elif head.startswith(XLS_MAGIC):
        shape = "xls"
    elif head and b"\x00" not in head and not _utf16(head):
        shape = "text"
    else:
        return None
    sent = extension_of(sent_name)
    allowed = SHAPE_EXTENSIONS[shape]
    return Sniffed("export", sent if sent in allowed else allowed[0])


def _utf16(head: bytes) -> bool:
    return head.startswith((b"\xff\xfe", b"\xfe\xff"))


def unpacked_size(path: Path) -> int | None:
    """Return how large an XLSX's parts are once unpacked (from its zip directory), None if no zip.

    Read before any importer opens the workbook: 20 MB of zip can unpack to gigabytes (a zip
    bomb), which a reader would hold in memory. The directory is read, nothing is unpacked.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            return sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return None


def extension_of(name: str) -> str:
    """Return a sent name's extension, lower case (empty when it has none)."""
    last = _last_component(name)
    stem, dot, extension = last.rpartition(".")
    if not dot or not stem:
        return ""
    return extension.lower()


def _last_component(name: str) -> str:
    name = unicodedata.normalize("NFKC", name)
    return re.split(r"[/\\]", name)[-1]


def safe_stem(name: str) -> str:
    """Return the part of a sent name kept in the stored name (never empty, never a path).

    `../../etc/passwd` gives `passwd`, `.bashrc` gives `bashrc`, `工商银行 11月.csv` gives
    `工商银行-11月`; control characters, dots, slashes and quotes become `-`.
    """
    last = _last_component(name)
    stem = last.rpartition(".")[0] if extension_of(last) else last
    kept = "".join(
        char if unicodedata.category(char)[0] in "LN" or char in _KEPT_MARKS else "-"
        for char in stem
    )
    kept = re.sub(r"-{2,}", "-", kept).strip("-_")[:MAX_STEM].strip("-_")
    return kept or "upload"


def recognising_accounts(client: Client, path: Path, config_dir: Path) -> list[str]:
    """Return the client's accounts whose importer recognises a file, with its stated number.

    Each account's importer is asked as `beanfirm import` asks it (`identify`, which compares
    the account number the export states with the account's), on the export's head
    (`identifying_head`): the header and the preamble, where the format and the number are, so
    that a large export answers as fast as a small one. What the head cannot tell (a row further
    down that does not read) `beanfirm import` finds, reading the whole file. An account whose
    importer cannot be built (a `csv` account without its config) recognises nothing; the
    preparer sees why at `beanfirm import`.
    """
    found: list[str] = []
    head = identifying_head(path)
    try:
        for account in client.accounts:
            try:
                importer = importer_for(account, config_dir, number=account.number)
            except BeanfirmError:
                continue
            if importer is not None and importer.identify(str(head)):
                found.append(account.account)
    finally:
        if head != path:
            head.unlink(missing_ok=True)
    return found


def identifying_head(path: Path) -> Path:
    """Return a copy of a long text export's whole first lines, beside it; else the file itself.

    An XLSX or XLS is read whole: a workbook cut short is no workbook.
    """
    with path.open("rb") as handle:
        data = handle.read(HEAD_FOR_IDENTIFY + 1)
    if len(data) <= HEAD_FOR_IDENTIFY or b"\x00" in data:
        return path
    if data.startswith((XLSX_MAGIC, XLS_MAGIC)) or b"\n" not in data:
        return path
    cut = data[:HEAD_FOR_IDENTIFY].rpartition(b"\n")[0] + b"\n"
    head = path.with_name(f"{path.name}.head{path.suffix}")
    head.write_bytes(cut)
    return head
