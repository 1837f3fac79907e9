"""The audit trail from git: who changed what, who approved or sent back, who locked or reopened.

One timeline of `AuditEntry` values, oldest first: each commit to a client's folder (or to
clients.yaml), each approval and send-back tag, and each lock and reopen directive as it
appeared in `ledgers/<id>/locks.beancount` (read from that file's history, in the commit that
added it). The portal's log of who viewed what is added by the command line, which owns the
portal. `verify_approvals` proves the approvals (`beanfirm.review.approving`).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from beancount.core import data

from beanfirm.core.paths import LEDGERS, client_folder
from beanfirm.errors import Problem
from beanfirm.plugins.locked import LOCKS_FILENAME as LOCKS_FILE
from beanfirm.plugins.seal import LOCK, REOPEN
from beanfirm.review.approving import (
    approval_problems,
    chain_problems,
    registry_at,
    staff_by_email,
)
from beanfirm.review.entrydiff import parse_text
from beanfirm.store.approvals import APPROVED, RETURNED, approval_records
from beanfirm.store.registry import REGISTRY_FILENAME

if TYPE_CHECKING:
    from collections.abc import Sequence

    from beanfirm.store.gitrepo import CommitRecord, PracticeRepo
    from beanfirm.store.registry import Registry


@dataclass(frozen=True)
class AuditEntry:
    """One event of the trail: when, which client, who, what kind, what, and its git name."""

    when: datetime.datetime
    client: str | None
    who: str
    kind: str  # commit, approved, sent-back, lock, reopen (the portal's: view, login, ...)
    what: str
    ref: str  # a commit id, a tag, or the page viewed

    def as_json(self) -> dict[str, Any]:
        """Return the entry as JSON data."""
        return {
            "when": self.when.isoformat(),
            "client": self.client,
            "who": self.who,
            "kind": self.kind,
            "what": self.what,
            "ref": self.ref,
        }


def git_timeline(
    repo: PracticeRepo,
    registry: Registry,
    client_ids: Sequence[str] | None = None,
    *,
    since: datetime.datetime | None = None,
) -> list[AuditEntry]:
    """Return the trail git holds for the clients (None: all, and clients.yaml), oldest first."""
    wanted = None if client_ids is None else set(client_ids)
    entries: list[AuditEntry] = []
    if repo.has_commits():
        paths = (
            [LEDGERS, REGISTRY_FILENAME]
            if wanted is None
            else [client_folder(c) for c in sorted(wanted)]
        )
        commits = list(reversed(repo.log_records("HEAD", *paths)))  # oldest first
        blobs = repo.blobs_at([commit.sha for commit in commits], REGISTRY_FILENAME)
        then: dict[str | None, Registry] = {None: registry}
        for commit in commits:  # who wrote it: the staff as clients.yaml had them then
            blob = blobs.get(commit.sha)
            if blob not in then:
                then[blob] = registry_at(repo, commit.sha, registry)
            entries.extend(_commit_entries(repo, then[blob], commit, wanted))
    records = approval_records(repo)
    entries.extend(
        AuditEntry(
            a.when,
            a.client,
            a.approver,
            "approved",
            f"approved up to {a.commit[:8]} ({a.commits} commit{'s' if a.commits != 1 else ''}"
            f"{', signed' if a.signed else ''})",
            a.tag,
        )
        for a in records.approvals
        if wanted is None or a.client in wanted
    )
    entries.extend(
        AuditEntry(r.when, r.client, r.reviewer, "sent-back", f"sent back: {r.note}", r.tag)
        for r in records.returned
        if wanted is None or r.client in wanted
    )
    if since is not None:
        entries = [entry for entry in entries if entry.when >= since]
    return sorted(entries, key=lambda entry: entry.when)


def _commit_entries(
    repo: PracticeRepo, registry: Registry, commit: CommitRecord, wanted: set[str] | None
) -> list[AuditEntry]:
    member = staff_by_email(registry, commit.author.email)
    who = member.id if member else f"{commit.author.name} <{commit.author.email}>"
    by_client: dict[str | None, list[str]] = {}
    for path in commit.files:
        parts = path.split("/")
        client = parts[1] if len(parts) > 2 and parts[0] == LEDGERS else None  # noqa: PLR2004
        if wanted is None or client in wanted:
            by_client.setdefault(client, []).append(path)
    found = []
    for client, files in sorted(by_client.items(), key=lambda item: item[0] or ""):
        count = f"{len(files)} file{'s' if len(files) != 1 else ''}"
        found.append(
            AuditEntry(
                commit.when, client, who, "commit", f"{commit.subject} ({count})", commit.sha
            )
        )
        locks = f"{client_folder(client)}/{LOCKS_FILE}" if client else None
        if locks in files:
            found.extend(_lock_entries(repo, commit, client, locks, who))
    return found


def _lock_entries(
    repo: PracticeRepo, commit: CommitRecord, client: str | None, path: str | None, who: str
) -> list[AuditEntry]:
    """Return the lock and reopen directives the commit added to the client's locks file."""
    if path is None:
        return []
    parent = repo.first_parent(commit.sha)
    now = _directives(repo.texts_at(commit.sha, [path])[path], path)
    before = _directives(repo.texts_at(parent, [path])[path], path) if parent else set()
    found = []
    for date, kind, detail, by in sorted(now - before):
        what = f"locked through {date}" if kind == LOCK else f"reopened the lock of {detail}"
        if by and by != who:  # `by:` is a claim: the commit is who wrote it
            what += f" (says by: {by}, but written by {who})"
        found.append(
            AuditEntry(
                commit.when,
                client,
                who if by and by != who else by or who,
                "lock" if kind == LOCK else "reopen",
                what,
                commit.sha,
            )
        )
    return found


def _directives(text: str | None, path: str) -> set[tuple[str, str, str, str]]:
    """Return the lock and reopen directives of a locks file: date, kind, detail, by."""
    if text is None:
        return set()
    found = set()
    for entry in parse_text(text, path).entries:
        if isinstance(entry, data.Custom) and entry.type in (LOCK, REOPEN):
            values = [str(getattr(value, "value", value)) for value in entry.values]
            detail = " ".join(values) if entry.type == REOPEN else ""
            by = str(entry.meta.get("by", "")) if entry.meta else ""
            found.add((entry.date.isoformat(), entry.type, detail, by))
    return found


@dataclass(frozen=True)
class Verification:
    """What `audit --verify` proved: approvals checked, how many signed, the problems."""

    checked: int
    signed: int
    problems: tuple[Problem, ...]


def verify_approvals(
    repo: PracticeRepo, registry: Registry, client_id: str | None = None
) -> Verification:
    """Prove every approval (of one client, or all) and each client's series of them.

    Each approval is judged against the registry as it was at the approved commit (the staff
    and roles when it was made); see `approval_problems` and `chain_problems`.
    """
    records = approval_records(repo, client_id)
    problems: list[Problem] = []
    clients = sorted(
        {a.client for a in records.approvals}
        | {m.tag.split("/")[2] for m in records.malformed if m.tag.count("/") >= 3}  # noqa: PLR2004
    )
    for client in clients:
        approvals = [a for a in records.approvals if a.client == client]
        malformed = [m for m in records.malformed if m.tag.startswith(f"{APPROVED}/{client}/")]
        for approval in approvals:
            problems.extend(
                approval_problems(repo, approval, registry_at(repo, approval.commit, registry))
            )
        problems.extend(chain_problems(client, approvals, malformed))
    problems.extend(  # a malformed send-back record is named too: it is in beanfirm's namespace
        Problem(m.tag, None, f"not a valid record: {m.reason}")
        for m in records.malformed
        if m.tag.startswith(f"{RETURNED}/") or m.tag.count("/") < 3  # noqa: PLR2004 - no client
    )
    signed = sum(1 for approval in records.approvals if approval.signed)
    return Verification(len(records.approvals), signed, tuple(problems))
