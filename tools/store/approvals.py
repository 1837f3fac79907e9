"""The approval record: one annotated git tag per approval of a client's books.

An approval is the tag `beanfirm/approved/<client>/<NNNN>` (numbered 0001, 0002, ... per
client), pointing at the approved commit; its tagger is the approver, and it is signed when
the approver has a `signing-key:` in clients.yaml. Its message is a subject line and a body of
`key: value` lines (see `approval_message`). A tag travels with every clone and push, and a
tag object cannot be changed without changing its id; a moved or deleted one shows as a gap
or a mismatch (see `beanfirm.review.approving`). Sending a change back is the mirror record,
`beanfirm/returned/<client>/<NNNN>`, whose body carries the note.

Tags are written under the client's write lock (`beanfirm.store.locks`), and each is created
in one step (`PracticeRepo.create_tag`: the ref is created only if it does not exist), so two
approvals of one client never take the same number.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

from beanfirm.errors import BeanfirmError, WriteRefusedError
from beanfirm.store.gitrepo import Author, TagRecord
from beanfirm.store.locks import locked
from beanfirm.store.practice import STATE_DIRNAME

if TYPE_CHECKING:
    from beanfirm.store.gitrepo import PracticeRepo
    from beanfirm.store.registry import Staff

APPROVED = "beanfirm/approved"
RETURNED = "beanfirm/returned"
FORMAT_VERSION = "1"
NUMBER_RE = re.compile(r"^\d{4,}$")
SHA_RE = re.compile(r"^[0-9a-f]{40}(?:[0-9a-f]{24})?$")
APPROVAL_KEYS = ("beanfirm-approval", "client", "approver", "commit", "tree", "previous", "commits")
RETURN_KEYS = ("beanfirm-return", "client", "reviewer", "commit", "note")


class ApprovalRecordError(BeanfirmError):
    """A tag in beanfirm's approval namespace is not a well-formed approval record."""


@dataclass(frozen=True)
class Approval:
    """One approval of a client's books, as its tag records it."""

    client: str
    number: int
    approver: str  # the staff id
    commit: str
    tree: str  # of ledgers/<client>/ at `commit`
    previous: str | None  # the previous approval's commit
    tagger_email: str
    when: datetime.datetime
    tag: str
    signed: bool
    commits: int = 0  # how many commits touching the client it covers
    tagger_name: str = ""
    object_id: str = ""  # the tag object


@dataclass(frozen=True)
class Returned:
    """A change sent back to the preparer: who, which commit, and the note."""

    client: str
    number: int
    reviewer: str
    commit: str
    note: str
    when: datetime.datetime
    tag: str


@dataclass(frozen=True)
class Malformed:
    """A tag in beanfirm's namespaces that is no well-formed record: its name and why."""

    tag: str
    reason: str


def tag_name(kind: str, client: str, number: int) -> str:
    """Return the tag name of a client's `number`th record of `kind` (APPROVED, RETURNED)."""
    return f"{kind}/{client}/{number:04d}"


def approval_message(
    *, client: str, approver: str, commit: str, tree: str, previous: str | None, commits: int
) -> str:
    """Return the message of an approval tag (see the module docstring)."""
    lines = [
        f"Approve {client} up to {commit[:8]}",
        "",
        f"beanfirm-approval: {FORMAT_VERSION}",
        f"client: {client}",
        f"approver: {approver}",
        f"commit: {commit}",
        f"tree: {tree}",
        f"previous: {previous or 'none'}",
        f"commits: {commits}",
    ]
    return "\n".join(lines) + "\n"


def return_message(*, client: str, reviewer: str, commit: str, note: str) -> str:
    """Return the message of a send-back tag; the note is one line (newlines become spaces)."""
    note = " ".join(note.split())
    lines = [
        f"Send back {client} at {commit[:8]}",
        "",
        f"beanfirm-return: {FORMAT_VERSION}",
        f"client: {client}",
        f"reviewer: {reviewer}",
        f"commit: {commit}",
        f"note: {note}",
    ]
    return "\n".join(lines) + "\n"


def _fields(tag: str, message: str, keys: tuple[str, ...]) -> dict[str, str]:
    """Read the `key: value` body of a record; every key once, nothing else."""
    body = message.split("\n\n", 1)[1] if "\n\n" in message else ""
    fields: dict[str, str] = {}
    for line in body.splitlines():
        if not line.strip():
            continue
        key, sep, value = line.partition(": ")
        if not sep or key not in keys:
            msg = f"The tag {tag} has a line that is not part of the record: {line!r}."
            raise ApprovalRecordError(msg)
        if key in fields:
            msg = f"The tag {tag} gives '{key}' twice."
            raise ApprovalRecordError(msg)
        fields[key] = value.strip()
    missing = [key for key in keys if key not in fields]
    if missing:
        msg = f"The tag {tag} lacks {', '.join(missing)}."
        raise ApprovalRecordError(msg)
    if fields[keys[0]] != FORMAT_VERSION:
        msg = f"The tag {tag} is a record of format {fields[keys[0]]!r}, not {FORMAT_VERSION}."
        raise ApprovalRecordError(msg)
    return fields


def _name_parts(tag: str, kind: str) -> tuple[str, int]:
    parts = tag.split("/")
    if len(parts) != 4 or "/".join(parts[:2]) != kind or not NUMBER_RE.match(parts[3]):  # noqa: PLR2004
        msg = f"The tag {tag} is not named {kind}/<client>/<NNNN>."
        raise ApprovalRecordError(msg)
    return parts[2], int(parts[3])


def _sha(tag: str, key: str, value: str) -> str:
    if not SHA_RE.match(value):
        msg = f"The tag {tag} gives {key} {value!r}, which is not a full git object id."
        raise ApprovalRecordError(msg)
    return value


def parse_approval(
    tag_name: str,
    message: str,
    *,
    tagger_email: str,
    when: datetime.datetime,
    signed: bool,
    target: str | None = None,
    tagger_name: str = "",
    object_id: str = "",
) -> Approval:
    """Read an approval tag's record; raise `ApprovalRecordError` when it is malformed.

    `target` is the commit the tag points at: when given, it must be the record's `commit`
    (a tag re-pointed by hand keeps the old record and fails here).
    """
    client, number = _name_parts(tag_name, APPROVED)
    fields = _fields(tag_name, message, APPROVAL_KEYS)
    if fields["client"] != client:
        msg = f"The tag {tag_name} records client {fields['client']!r}, not {client!r}."
        raise ApprovalRecordError(msg)
    commit = _sha(tag_name, "commit", fields["commit"])
    if target is not None and target != commit:
        msg = (
            f"The tag {tag_name} points at {target[:12]} but records the approval of "
            f"{commit[:12]}: it was moved."
        )
        raise ApprovalRecordError(msg)
    named = fields["previous"]
    previous = None if named == "none" else _sha(tag_name, "previous", named)
    if not fields["commits"].isdigit():
        msg = f"The tag {tag_name} gives commits {fields['commits']!r}, not a count."
        raise ApprovalRecordError(msg)
    return Approval(
        client=client,
        number=number,
        approver=fields["approver"],
        commit=commit,
        tree=_sha(tag_name, "tree", fields["tree"]),
        previous=previous,
        tagger_email=tagger_email,
        when=when,
        tag=tag_name,
        signed=signed,
        commits=int(fields["commits"]),
        tagger_name=tagger_name,
        object_id=object_id,
    )


def parse_return(tag_name: str, message: str, *, when: datetime.datetime, target: str) -> Returned:
    """Read a send-back tag's record; raise `ApprovalRecordError` when it is malformed."""
    client, number = _name_parts(tag_name, RETURNED)
    fields = _fields(tag_name, message, RETURN_KEYS)
    commit = _sha(tag_name, "commit", fields["commit"])
    if fields["client"] != client or commit != target:
        msg = f"The tag {tag_name} does not match its record (client or commit)."
        raise ApprovalRecordError(msg)
    return Returned(client, number, fields["reviewer"], commit, fields["note"], when, tag_name)


def _header_problem(record: TagRecord) -> str | None:
    if not record.annotated:
        return "it is a lightweight tag, not an annotated approval record"
    if record.tag_header != record.name:
        return f"its tag object is named {record.tag_header!r}: the ref was moved onto it"
    if record.when is None:
        return "it has no tagger date"
    return None


@dataclass(frozen=True)
class ApprovalRecords:
    """Every approval and send-back record of a practice (or a client), and the malformed."""

    approvals: tuple[Approval, ...]
    returned: tuple[Returned, ...]
    malformed: tuple[Malformed, ...]


def _prefix(kind: str, client: str | None) -> str:
    return f"refs/tags/{kind}/" + ("" if client is None else f"{client}/")


def pushed_approval(repo: PracticeRepo, ref: str, object_id: str) -> Approval:
    """Read a new approval tag from its object, before its ref exists (a pre-receive hook).

    Raises `ApprovalRecordError` when it is no well-formed approval record.
    """
    return _approval_of(repo.tag_object(ref, object_id))


def _approval_of(record: TagRecord) -> Approval:
    """Read an approval from a tag; raise `ApprovalRecordError` when it is malformed."""
    problem = _header_problem(record)
    if problem is not None:
        raise ApprovalRecordError(problem)
    assert record.when is not None  # noqa: S101 - _header_problem checked it
    return parse_approval(
        record.name,
        record.message,
        tagger_email=record.tagger.email,
        when=record.when,
        signed=record.signed,
        target=record.target,
        tagger_name=record.tagger.name,
        object_id=record.object_id,
    )


def approval_records(repo: PracticeRepo, client: str | None = None) -> ApprovalRecords:
    """Read the approval and send-back tags, oldest first per client, and name malformed ones."""
    approved: list[Approval] = []
    returned: list[Returned] = []
    malformed: list[Malformed] = []
    for record in repo.tag_records(_prefix(APPROVED, client)):
        try:
            approved.append(_approval_of(record))
        except ApprovalRecordError as exc:
            malformed.append(Malformed(record.name, exc.message))
    for record in repo.tag_records(_prefix(RETURNED, client)):
        problem = _header_problem(record)
        if problem is not None:
            malformed.append(Malformed(record.name, problem))
            continue
        assert record.when is not None  # noqa: S101 - _header_problem checked it
        try:
            returned.append(
                parse_return(record.name, record.message, when=record.when, target=record.target)
            )
        except ApprovalRecordError as exc:
            malformed.append(Malformed(record.name, exc.message))
    approved.sort(key=lambda approval: (approval.client, approval.number))
    returned.sort(key=lambda back: (back.client, back.number))
    return ApprovalRecords(tuple(approved), tuple(returned), tuple(malformed))


def approvals(repo: PracticeRepo, client: str | None = None) -> list[Approval]:
    """Return the well-formed approvals (of `client`, or all), oldest first per client.

    A malformed tag is left out here (so a forged record is never taken as an approval);
    `approval_records` names it, and `beanfirm audit --verify` reports it.
    """
    return list(approval_records(repo, client).approvals)


def latest_approval(repo: PracticeRepo, client: str) -> Approval | None:
    """Return the client's most recent well-formed approval, or None if it has none."""
    found = approvals(repo, client)
    return found[-1] if found else None


def latest_return(repo: PracticeRepo, client: str) -> Returned | None:
    """Return the client's most recent send-back, or None."""
    found = approval_records(repo, client).returned
    return found[-1] if found else None


def _next_number(repo: PracticeRepo, kind: str, client: str) -> int:
    numbers = [0]
    for record in repo.tag_records(_prefix(kind, client)):
        last = record.name.rsplit("/", 1)[-1]
        if last.isdigit():
            numbers.append(int(last))
    return max(numbers) + 1


def write_approval(
    repo: PracticeRepo,
    client: str,
    approver: Staff,
    commit: str,
    *,
    previous: str | None,
    commits: int,
    lock_wait: float = 10.0,
) -> Approval:
    """Create the client's next approval tag at `commit`, signed if the approver has a key.

    The caller has checked the rules (`beanfirm.review.approving`); this holds the client's
    write lock while it numbers and creates the tag, and refuses (nothing written) when
    another approval of the client appeared since `previous` was read.
    """
    tree = repo.tree_at(commit, f"ledgers/{client}")
    if tree is None:
        msg = f"The commit {commit[:12]} has no ledgers/{client}/ folder; nothing was written."
        raise WriteRefusedError(msg)
    with locked(repo.root / STATE_DIRNAME, (client,), wait_seconds=lock_wait):
        repo.refuse_mid_operation(f"client {client}")
        latest = latest_approval(repo, client)
        if (latest.commit if latest else None) != previous:
            msg = (
                f"{client} was approved by someone else meanwhile; nothing was written. "
                "Run the command again to approve what is new since."
            )
            raise WriteRefusedError(msg)
        name = tag_name(APPROVED, client, _next_number(repo, APPROVED, client))
        message = approval_message(
            client=client,
            approver=approver.id,
            commit=commit,
            tree=tree,
            previous=previous,
            commits=commits,
        )
        _create(repo, name, commit, message, approver)
    return _read_back(name, latest_approval(repo, client))


def write_return(
    repo: PracticeRepo,
    client: str,
    reviewer: Staff,
    commit: str,
    note: str,
    *,
    lock_wait: float = 10.0,
) -> Returned:
    """Create the client's next send-back tag at `commit` with the note."""
    with locked(repo.root / STATE_DIRNAME, (client,), wait_seconds=lock_wait):
        repo.refuse_mid_operation(f"client {client}")
        name = tag_name(RETURNED, client, _next_number(repo, RETURNED, client))
        message = return_message(client=client, reviewer=reviewer.id, commit=commit, note=note)
        _create(repo, name, commit, message, reviewer)
    return _read_back(name, latest_return(repo, client))


def _create(repo: PracticeRepo, name: str, commit: str, message: str, staff: Staff) -> None:
    repo.create_tag(
        name, commit, message, Author(staff.name, staff.email), signing_key=staff.signing_key
    )


R = TypeVar("R", Approval, Returned)


def _read_back(name: str, written: R | None) -> R:
    if written is None or written.tag != name:  # pragma: no cover - we just wrote it
        msg = f"The tag {name} was written but does not read back as a record."
        raise ApprovalRecordError(msg)
    return written
