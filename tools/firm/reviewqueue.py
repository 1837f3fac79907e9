"""The review queue: each client with commits not yet approved, oldest waiting first.

A row says who wrote the commits, how many entries they add, remove and change and what they
do to the balances (`beanfirm.review.changes`, which parses only the changed files between
the last approval and HEAD), what the firm's plugins flag, how many days the oldest commit
has waited, and whether the reviewer sent the change back. The plugins' findings come from the
check cache (`checkcache`): a row shows the errors and warnings of the client's current
content when `beanfirm check` (or a write) has checked it, and "not checked" otherwise; the
queue never loads a ledger. A client's changes since its approval are kept in
`.beanfirm/cache/review/`, keyed on the git trees of its folder at the approval and at HEAD
(and the toolkit's fingerprint): a client whose commits have not moved costs a JSON read.
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from beanfirm.core.paths import LEDGERS
from beanfirm.errors import BeanfirmError
from beanfirm.firm.checkcache import CheckCache, client_keys, toolkit_fingerprint
from beanfirm.review.approving import staff_by_email
from beanfirm.review.changes import AccountImpact, changes_between
from beanfirm.review.pending import Pending, pending_reviews
from beanfirm.store.writes import write_atomic

if TYPE_CHECKING:
    from pathlib import Path

    from beanfirm.store.gitrepo import CommitRecord, PracticeRepo
    from beanfirm.store.practice import Practice
    from beanfirm.store.registry import Client, Registry


@dataclass(frozen=True)
class QueueRow:
    """One client waiting for review."""

    client: Client
    pending: Pending
    authors: tuple[str, ...]  # staff ids, or the names of authors outside the staff
    days_waiting: int
    added: int | None  # None: the changes could not be read (see `changes_problem`)
    removed: int | None
    changed: int | None
    impact: tuple[AccountImpact, ...]
    errors: int | None  # from the check cache; None: not checked at this content
    warnings: int | None
    changes_problem: str | None = None

    @property
    def oldest(self) -> datetime.datetime:
        """Return when the oldest commit waiting was written."""
        return self.pending.commits[0].when

    def as_json(self) -> dict[str, Any]:
        """Return the row as JSON data (amounts as strings)."""
        pending = self.pending
        back = pending.returned
        return {
            "client": self.client.id,
            "preparer": self.client.preparer,
            "reviewer": self.client.reviewer,
            "approved": pending.approval.commit if pending.approval else None,
            "approval": pending.approval.tag if pending.approval else None,
            "commits": [_commit_json(commit) for commit in pending.commits],
            "authors": list(self.authors),
            "oldest": self.oldest.isoformat(),
            "days_waiting": self.days_waiting,
            "added": self.added,
            "removed": self.removed,
            "changed": self.changed,
            "changes_problem": self.changes_problem,
            "impact": [
                {
                    "account": item.account,
                    "currency": item.currency,
                    "before": str(item.before),
                    "after": str(item.after),
                    "net": str(item.net),
                }
                for item in self.impact
            ],
            "errors": self.errors,
            "warnings": self.warnings,
            "sent_back": None
            if back is None
            else {
                "by": back.reviewer,
                "when": back.when.isoformat(),
                "note": back.note,
                "tag": back.tag,
            },
        }


def _commit_json(commit: CommitRecord) -> dict[str, str]:
    return {
        "commit": commit.sha,
        "author": commit.author.name,
        "email": commit.author.email,
        "when": commit.when.isoformat(),
        "subject": commit.subject,
    }


def review_queue(
    practice: Practice,
    repo: PracticeRepo,
    *,
    today: datetime.date,
    reviewer: str | None = None,
    client_ids: tuple[str, ...] = (),
) -> list[QueueRow]:
    """Return the clients waiting for review, the longest waiting first.

    `reviewer` keeps the clients whose reviewer is that staff member (a partner sees all);
    `client_ids` keeps those clients.
    """
    registry = practice.registry
    clients = list(registry.clients)
    if client_ids:
        clients = [registry.client(client_id) for client_id in client_ids]
    if reviewer is not None:
        member = registry.staff_member(reviewer)
        if member.role != "partner":
            clients = [client for client in clients if client.reviewer == reviewer]
    waiting = pending_reviews(repo, [client.id for client in clients])
    chosen = [client for client in clients if client.id in waiting]
    cache = CheckCache(practice.state_dir)
    changes = ChangeCache(practice.state_dir)
    keys = client_keys(repo, chosen) if chosen else {}
    trees = repo.subtree_hashes(LEDGERS) if chosen else {}
    head = repo.head()
    rows = []
    for client in chosen:
        pending = waiting[client.id]
        summary = cache.get(client.id, keys[client.id])
        found = _changes(repo, pending, head, changes, trees.get(client.id))
        counts, impact, problem = found.counts, found.impact, found.problem
        rows.append(
            QueueRow(
                client=client,
                pending=pending,
                authors=_authors(registry, pending),
                days_waiting=max(0, (today - pending.commits[0].when.date()).days),
                added=counts[0],
                removed=counts[1],
                changed=counts[2],
                impact=impact,
                errors=None if summary is None else len(summary.errors),
                warnings=None if summary is None else len(summary.warnings),
                changes_problem=problem,
            )
        )
    rows.sort(key=lambda row: (row.oldest, row.client.id))
    return rows


def _authors(registry: Registry, pending: Pending) -> tuple[str, ...]:
    names: dict[str, None] = {}
    for commit in pending.commits:
        member = staff_by_email(registry, commit.author.email)
        names[member.id if member else commit.author.name] = None
    return tuple(names)


Counts = tuple[int | None, int | None, int | None]


@dataclass(frozen=True)
class ChangeSummary:
    """A client's entries added, removed and changed since its approval, and their impact."""

    counts: Counts
    impact: tuple[AccountImpact, ...]
    problem: str | None  # why the changes could not be read

    def as_json(self) -> dict[str, Any]:
        """Return the summary as JSON data for the cache."""
        return {
            "counts": list(self.counts),
            "impact": [[i.account, i.currency, str(i.before), str(i.after)] for i in self.impact],
            "problem": self.problem,
        }

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> ChangeSummary:
        """Read a summary back from the cache."""
        added, removed, changed = (None if n is None else int(n) for n in raw["counts"])
        impact = tuple(
            AccountImpact(str(account), str(currency), Decimal(before), Decimal(after))
            for account, currency, before, after in raw["impact"]
        )
        problem = raw["problem"]
        return cls((added, removed, changed), impact, None if problem is None else str(problem))


class ChangeCache:
    """Change summaries by client, keyed on the trees compared: JSON, never code."""

    def __init__(self, state_dir: Path) -> None:
        self.folder = state_dir / "cache" / "review"

    @staticmethod
    def key(old_tree: str | None, new_tree: str | None) -> str:
        """Return the key of a comparison of two trees of a client's folder."""
        return f"{toolkit_fingerprint()}:{old_tree}:{new_tree}"

    def get(self, client_id: str, key: str) -> ChangeSummary | None:
        """Return the stored summary if its key matches; anything unreadable is a miss."""
        try:
            stored = json.loads((self.folder / f"{client_id}.json").read_text(encoding="utf-8"))
            if stored.get("key") != key:
                return None
            return ChangeSummary.from_json(stored["summary"])
        except (OSError, ValueError, KeyError, TypeError, AttributeError, ArithmeticError):
            return None

    def put(self, client_id: str, key: str, summary: ChangeSummary) -> None:
        """Store a summary under its key."""
        self.folder.mkdir(parents=True, exist_ok=True)
        payload = {"key": key, "summary": summary.as_json()}
        write_atomic(self.folder / f"{client_id}.json", json.dumps(payload).encode())


def _changes(
    repo: PracticeRepo, pending: Pending, head: str | None, cache: ChangeCache, new_tree: str | None
) -> ChangeSummary:
    old = pending.approval.commit if pending.approval else None
    key = cache.key(pending.approval.tree if pending.approval else None, new_tree)
    cached = cache.get(pending.client, key)
    if cached is not None:
        return cached
    try:
        found = changes_between(repo, old, head, [pending.client])
    except BeanfirmError as exc:
        return ChangeSummary((None, None, None), (), exc.message)  # not kept: a fix may follow
    if not found:
        summary = ChangeSummary((0, 0, 0), (), None)
    else:
        changes = found[0]
        impact = tuple(item for item in changes.impact if item.net)
        summary = ChangeSummary((changes.added, changes.removed, changes.changed), impact, None)
    if new_tree is not None:
        cache.put(pending.client, key, summary)
    return summary
