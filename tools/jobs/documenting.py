"""A receipt or invoice filed as a Beancount `document` linked to the transaction it supports.

`attach_document` copies the file (a PDF, JPEG or PNG, typed by content) into the client's
`documents/receipts/YYYY/MM/`, named after the transaction's day, and writes a `document`
directive with the transaction's link into the month file of that day, in one commit. The
transaction is named by a link it carries (`--link INV-2026-001`) or by its first line
(`--entry FILE:LINE`), which then gets a link of its own, `^doc-YYYYMMDD-<n>`, in the same
commit. Fava shows the document on the transaction's linked entries. The receipts folder is no
account's folder, so Beancount's own document finder does not list the file a second time.
A file taken from the client's inbox leaves it once committed.
"""

from __future__ import annotations

import datetime
import hashlib
import posixpath
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from beancount.core import data

from beanfirm.core import paths
from beanfirm.core.journal import quote
from beanfirm.core.monthfiles import NewEntry, merge_entries
from beanfirm.errors import UsageError
from beanfirm.ingest.uploads import HEAD_BYTES, safe_stem, sniff
from beanfirm.jobs.clientcheck import write_client
from beanfirm.store.ledger import parse_ledger
from beanfirm.store.writes import Planned

if TYPE_CHECKING:
    from beanfirm.store.gitrepo import Author, PracticeRepo
    from beanfirm.store.practice import Practice
    from beanfirm.store.registry import Client
    from beanfirm.store.writes import Written

LINK_RE = re.compile(r"[A-Za-z0-9\-_/.]+")
MAX_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class Attached:
    """What was filed: the file, its account and day, the link it shares with the entry."""

    path: str  # practice-relative
    account: str
    date: datetime.date
    link: str
    linked_entry: bool  # the entry got the link in this commit


def attach_document(
    practice: Practice,
    repo: PracticeRepo,
    client: Client,
    file: Path,
    *,
    link: str | None,
    entry: str | None,
    account: str | None,
    author: Author,
    dry_run: bool = False,
) -> Written[Attached]:
    """File a receipt or invoice as a document linked to a transaction, in one commit."""
    content, extension = _read_document(file)
    if (link is None) == (entry is None):
        msg = "Name the transaction the file supports: --link LINK or --entry FILE:LINE."
        raise UsageError(msg)
    wanted = link.removeprefix("^") if link is not None else None
    if wanted is not None and not LINK_RE.fullmatch(wanted):
        raise UsageError(f"--link {link!r} is not a Beancount link (letters, digits, -_/.).")

    def prepare() -> Planned[Attached]:
        root = practice.root
        ledger = parse_ledger(practice.main_file(client.id))
        txns = [e for e in ledger.entries if isinstance(e, data.Transaction)]
        changes: dict[str, bytes | None] = {}
        if wanted is not None:
            found = [t for t in txns if wanted in (t.links or ())]
            if not found:
                msg = (
                    f"No transaction of {client.id} carries the link ^{wanted}. Give the entry "
                    "the file supports by its first line instead (--entry FILE:LINE)."
                )
                raise UsageError(msg)
            txn, the_link = min(found, key=lambda t: t.date), wanted
        else:
            txn = _entry_at(txns, root, entry or "", client)
            the_link = next(iter(sorted(txn.links or ())), None) or _new_link(txns, txn.date)
            if the_link not in (txn.links or ()):
                rel, text = _with_link(root, txn, the_link)
                changes[rel] = text.encode("utf-8")
        chosen = account or _account_of(txn)
        if account is not None and account not in {p.account for p in txn.postings}:
            msg = f"--account {account} is not an account of that transaction; leave it out."
            raise UsageError(msg)
        folder = paths.receipts_folder(client.id, txn.date)
        name = f"{txn.date.isoformat()}.{safe_stem(file.name)}.{extension}"
        target = f"{folder}/{name}"
        if (root / target).exists():
            msg = f"{target} exists already: this file was filed before. Nothing was written."
            raise UsageError(msg)
        _refuse_filed(root, client.id, file, content)
        month = paths.month_file(client.id, txn.date)
        relative = posixpath.relpath(target, posixpath.dirname(month))
        directive = f"{txn.date.isoformat()} document {chosen} {quote(relative)} ^{the_link}\n"
        current = changes.get(month)
        before = current.decode("utf-8") if current is not None else _text(root / month)
        first = txn.date.replace(day=1)
        placed = NewEntry(txn.date, is_balance=False, text=directive)
        changes[month] = merge_entries(before, first, [placed]).encode("utf-8")
        changes[target] = content
        message = (
            f"File {name} for {client.id}: a document of {chosen}\n\n"
            f"Files {file.name} as {target}, linked (^{the_link}) to the transaction of "
            f"{txn.date} ({txn.payee or ''} {txn.narration or ''})."
        )
        return Planned(
            changes,
            message,
            Attached(target, chosen, txn.date, the_link, the_link not in (txn.links or ())),
        )

    written = write_client(practice, repo, client, prepare, author=author, dry_run=dry_run)
    inbox = (practice.root / paths.inbox_folder(client.id)).resolve()
    if not dry_run and inbox in file.resolve().parents:
        file.unlink(missing_ok=True)  # filed and committed: no longer waiting
    return written


def _read_document(file: Path) -> tuple[bytes, str]:
    if not file.is_file():
        raise UsageError(f"No such file: {file}. Nothing was written.")
    if file.stat().st_size > MAX_BYTES:
        raise UsageError(f"{file} is larger than 20 MB; file a smaller scan. Nothing was written.")
    content = file.read_bytes()
    sniffed = sniff(content[:HEAD_BYTES], file.name)
    if sniffed is None or sniffed.kind != "document":
        msg = (
            f"{file} is not a PDF, JPEG or PNG (by its content). Receipts and invoices are "
            "filed here; a bank export is imported with `beanfirm import`."
        )
        raise UsageError(msg)
    return content, sniffed.extension


def _refuse_filed(root: Path, client_id: str, file: Path, content: bytes) -> None:
    """Refuse a file whose content a file under the client's documents/ has already.

    Only a file of the same size is read and hashed.
    """
    folder = root / paths.client_folder(client_id) / paths.DOCUMENTS
    digest = hashlib.sha256(content).digest()
    for path in sorted(folder.rglob("*")):
        if not path.is_file() or path.stat().st_size != len(content):
            continue
        if hashlib.sha256(path.read_bytes()).digest() == digest:
            msg = (
                f"{file.name} is filed already for {client_id}: "
                f"{path.relative_to(root).as_posix()} has the same content (byte for byte), so "
                "the same receipt would be filed twice. Nothing was written. A receipt is filed "
                "once; to support another transaction too, give that transaction the link of "
                "the document's entry."
            )
            raise UsageError(msg)


def _text(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None


def _entry_at(
    txns: list[data.Transaction], root: Path, where: str, client: Client
) -> data.Transaction:
    """Return the transaction whose first line is FILE:LINE."""
    name, _, number = where.rpartition(":")
    wanted = (root / name).resolve() if name else None
    if wanted is None or not number.isdigit():
        raise UsageError(f"--entry {where!r}: write the entry's file and line, FILE:LINE.")
    for txn in txns:
        meta = txn.meta or {}
        same_file = Path(str(meta.get("filename", ""))).resolve() == wanted
        if same_file and meta.get("lineno") == int(number):
            return txn
    msg = (
        f"--entry {where}: no transaction of {client.id} starts on that line. Give the line of "
        "its date (`beanfirm check` and Fava show each entry's file and line)."
    )
    raise UsageError(msg)


def _new_link(txns: list[data.Transaction], date: datetime.date) -> str:
    taken = {link for t in txns for link in (t.links or ())}
    for n in range(1, 10_000):
        link = f"doc-{date:%Y%m%d}-{n}"
        if link not in taken:
            return link
    raise UsageError("Too many documents on one day; give the entry a link of its own.")


def _with_link(root: Path, txn: data.Transaction, link: str) -> tuple[str, str]:
    """Return the entry's file (practice-relative) with the link added to its first line.

    The link goes after the narration's closing quote (links and tags may stand in any order),
    or after the flag of an entry without strings.
    """
    meta = txn.meta or {}
    path = Path(str(meta["filename"]))
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    index = int(meta["lineno"]) - 1
    line = lines[index]
    body, newline = (line[:-1], "\n") if line.endswith("\n") else (line, "")
    quote_end = body.rfind('"')
    at = quote_end + 1 if quote_end >= 0 else len(body.split(";", 1)[0].rstrip())
    lines[index] = f"{body[:at]} ^{link}{body[at:]}{newline}"
    return path.resolve().relative_to(root.resolve()).as_posix(), "".join(lines)


def _account_of(txn: data.Transaction) -> str:
    """Return the account a receipt documents: the first expense or income posting, or the first."""
    for posting in txn.postings:
        if posting.account.split(":", 1)[0] in {"Expenses", "Income"}:
            return posting.account
    return txn.postings[0].account
