"""The month board: each client's place in a month's pipeline, and its deadlines.

One row per client and month (`beanfirm status --period`, the portal's board): its exports
received, the month booked, reconciled, approved, closed and its statements issued, each an
item of the month-end checklist (`beanfirm.monthend.checklist`, the same words and the same
rules as `beanfirm close`), read from the cached check (`LedgerSummary.months`) and from git
once for the whole practice: the approvals (`pending_reviews`), the locks and the closing
folders at HEAD. A closed month counts as approved: the close needed every change approved,
and its own commit (closing entries and lock) is the one change a lock accepts unapproved.
The deadlines are days of the month after the period (`clients.yaml` `deadlines:`, the
firm's, a client's own overriding); one not met by its day is overdue.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from beanfirm.core import paths
from beanfirm.monthend.checklist import (
    Item,
    Reconciled,
    approved_item,
    categorized_item,
    imported_item,
    reconciled_item,
)
from beanfirm.monthend.closing import Period, month_of
from beanfirm.plugins.locked import broken_lock
from beanfirm.review.locks import client_locks, locks_file
from beanfirm.review.pending import pending_reviews

if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path

    from beanfirm.errors import Problem
    from beanfirm.firm.checking import CheckResult
    from beanfirm.review.pending import Pending
    from beanfirm.store.gitrepo import PracticeRepo
    from beanfirm.store.registry import Client, Deadlines, Registry

STAGES = ("received", "booked", "reconciled", "approved", "closed", "issued")


@dataclass(frozen=True)
class Deadline:
    """A day a month's work is due by: to close it, or to issue its statements."""

    what: str  # "close" or "statements"
    day: datetime.date
    met: bool
    overdue: bool  # not met, and the day has passed

    def as_json(self) -> dict[str, Any]:
        """Return the deadline as plain JSON data."""
        return {"day": self.day.isoformat(), "met": self.met, "overdue": self.overdue}


@dataclass(frozen=True)
class BoardRow:
    """One client's month: each stage of the pipeline (a checklist item), its deadlines."""

    client: Client
    period: Period
    errors: int
    stages: tuple[Item, ...]  # in STAGES order, each named as its stage
    inbox: int  # files waiting in the client's inbox: received, not imported
    deadlines: tuple[Deadline, ...]

    def next_step(self) -> Item | None:
        """Return the first stage not done (None: the month is through the pipeline)."""
        return next((item for item in self.stages if not item.passed), None)

    @property
    def overdue(self) -> bool:
        """Tell whether a deadline has passed with its work not done."""
        return any(deadline.overdue for deadline in self.deadlines)

    def as_json(self) -> dict[str, Any]:
        """Return the row as plain JSON data."""
        return {
            "client": self.client.id,
            "name": self.client.name,
            "preparer": self.client.preparer,
            "reviewer": self.client.reviewer,
            "period": self.period.label,
            "errors": self.errors,
            "inbox": self.inbox,
            **{
                item.name: {"done": item.passed, "found": item.found, "todo": item.todo}
                for item in self.stages
            },
            "deadlines": {d.what: d.as_json() for d in self.deadlines},
            "overdue": self.overdue,
        }


def _named(name: str, item: Item) -> Item:
    return Item(name, item.passed, item.found, item.todo)


def due_day(period: Period, day: int) -> datetime.date:
    """Return day `day` of the month after the period (its last day when the month is short)."""
    following = month_of(period.end + datetime.timedelta(days=1))
    return following.start + datetime.timedelta(days=min(day, following.end.day) - 1)


def _deadlines(
    period: Period, deadlines: Deadlines, *, closed: bool, issued: bool, today: datetime.date
) -> tuple[Deadline, ...]:
    found = []
    for what, day, met in (
        ("close", deadlines.close, closed),
        ("statements", deadlines.statements, issued),
    ):
        if day is not None:
            due = due_day(period, day)
            found.append(Deadline(what, due, met, overdue=not met and today > due))
    return tuple(found)


def unapproved(pending: Pending | None) -> str | None:
    """Return why a client's changes are not all approved (None: they are), as `close` says."""
    if pending is None:
        return None
    if pending.approval is None:
        return "it has never been approved"
    count = len(pending.commits)
    return f"{count} commit{'s' if count > 1 else ''} since its latest approval changed it"


def _approved(
    client_id: str, period: Period, closed: Item, pending: Pending | None, broken: str | None
) -> Item:
    """Return the approved stage: a closed month was approved before its close.

    Not when its seal is broken by commits not approved: they changed the month since.
    """
    if closed.passed:
        return Item("approved", passed=True, found=f"{period.label} closed: approved before")
    if pending is not None and broken is not None:
        count = len(pending.commits)
        return Item(
            "approved",
            passed=False,
            found=f"{period.label} changed after its close, and {count} commit"
            f"{'s' if count > 1 else ''} since the latest approval "
            f"{'are' if count > 1 else 'is'} not approved",
            todo=f"undo the change, or have a reviewer approve it (`beanfirm review`, "
            f"`beanfirm approve {client_id}`) once a partner reopened the month",
        )
    return _named("approved", approved_item(client_id, unapproved(pending)))


def _closed(client_id: str, period: Period, locks_text: str | None, broken: str | None) -> Item:
    rel = locks_file(client_id)
    through = max((lock.through for lock in client_locks(locks_text, rel)), default=None)
    if through is not None and through >= period.end and broken is not None:
        return Item(
            "closed",
            passed=False,
            found=f"{period.label} was closed, but its seal is broken: {broken}",
            todo=f"undo the change (`beanfirm check {client_id}` names the entries), or have a "
            "partner reopen the month (`beanfirm reopen`) and close it again",
        )
    if through is not None and through >= period.end:
        return Item("closed", passed=True, found=f"locked through {through}")
    found = f"locked through {through} only" if through else "never locked"
    return Item(
        "closed",
        passed=False,
        found=f"{period.label} is open: {found}",
        todo=f"close it (`beanfirm close {client_id} --period {period.label}`)",
    )


def broken_seal(errors: Sequence[Problem], period: Period) -> str | None:
    """Return the `locked` plugin's report of a broken seal of this month (its first sentence).

    A lock through the month's end or later seals it; None when no such lock is broken.
    """
    for problem in errors:
        if not broken_lock(problem.message):
            continue
        day = problem.message.removeprefix("The books through ")[:10]
        try:
            seals = datetime.date.fromisoformat(day) >= period.end
        except ValueError:
            seals = True
        if seals:
            return problem.message.split(". ", 1)[0].rstrip(".") + "."
    return None


def _issued(client_id: str, period: Period, filed: list[str], *, closed: bool) -> Item:
    folder = paths.closing_folder(client_id, period.label)
    if filed:
        names = ", ".join(path.rsplit("/", 1)[-1] for path in filed)
        return Item("issued", passed=True, found=f"{len(filed)} files in {folder}: {names}")
    financials = f"`beanfirm financials {client_id} --period {period.label}`"
    todo = (
        f"the month is closed (a later close or lock took it) without them: commit its "
        f"statements there ({financials})"
        if closed
        else f"the close files them (`beanfirm close {client_id} --period {period.label}`)"
    )
    return Item("issued", passed=False, found=f"nothing committed in {folder}", todo=todo)


def _received(client: Client, period: Period, covered: frozenset[str], inbox: int) -> Item:
    accounts = [funding.account for funding in client.accounts]
    item = imported_item(period, accounts, covered)
    if item.passed or not inbox:
        return _named("received", item)
    return Item(
        "received",
        passed=False,
        found=f"{item.found}; {inbox} file{'s' if inbox > 1 else ''} in the inbox: received, "
        "not imported",
        todo=f"import them (`beanfirm import {client.id} --inbox`)",
    )


def inbox_count(root: Path, client_id: str) -> int:
    """Return how many files wait in a client's inbox (hidden files aside)."""
    folder = root / paths.inbox_folder(client_id)
    if not folder.is_dir():
        return 0
    return sum(1 for path in folder.iterdir() if path.is_file() and not path.name.startswith("."))


def board_rows(
    registry: Registry,
    repo: PracticeRepo,
    clients: list[Client],
    results: list[CheckResult],
    period: Period,
    *,
    today: datetime.date | None = None,
) -> list[BoardRow]:
    """Return the board of a month: one row per client, in the order given."""
    today = today or datetime.date.today()  # noqa: DTZ011 - the firm's calendar day
    ids = [client.id for client in clients]
    summaries = {result.client_id: result.summary for result in results}
    committed = repo.has_commits()
    pending = pending_reviews(repo, ids) if committed else {}
    locks = repo.texts_at("HEAD", [locks_file(i) for i in ids]) if committed else {}
    folders = {i: paths.closing_folder(i, period.label) for i in ids}
    filed: dict[str, list[str]] = {i: [] for i in ids}
    for path in repo.files_at("HEAD", folders.values()) if committed else []:
        client_id = path.split("/")[1]
        if client_id in filed and path.startswith(folders[client_id] + "/"):
            filed[client_id].append(path)
    rows = []
    for client in clients:
        summary = summaries[client.id]
        activity = summary.months.get(period.label)
        through = {item.account: item.through for item in summary.reconciliations}
        reconciled = {
            f.account: Reconciled(client.reconcile_cadence(f), through.get(f.account))
            for f in client.accounts
        }
        inbox = inbox_count(repo.root, client.id)
        broken = broken_seal(summary.errors, period)
        closed = _closed(client.id, period, locks.get(locks_file(client.id)), broken)
        issued = _issued(client.id, period, filed[client.id], closed=closed.passed)
        stages = (
            _received(client, period, activity.covered if activity else frozenset(), inbox),
            _named(
                "booked",
                categorized_item(
                    period,
                    activity.open_count if activity else 0,
                    activity.first_open if activity else None,
                ),
            ),
            _named("reconciled", reconciled_item(period, reconciled)),
            _approved(client.id, period, closed, pending.get(client.id), broken),
            closed,
            issued,
        )
        deadlines = _deadlines(
            period,
            registry.deadlines(client),
            closed=closed.passed,
            issued=issued.passed,
            today=today,
        )
        rows.append(BoardRow(client, period, len(summary.errors), stages, inbox, deadlines))
    return rows
