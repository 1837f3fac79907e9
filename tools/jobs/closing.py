"""Closing a client's month: the checklist, then the closing entries and the lock in one commit.

The close is written by a reviewer or a partner, the staff who may lock (`jobs/locking.py`).
The lock needs every change to the client approved: the checklist asks it of the books as they
are before the close, and the close's own commit, the closing entries with the lock that seals
them, is the one change the lock accepts unapproved, since it is made by a locker and sealed as
it is written; the next approval covers it with the next month's work (docs/close.md).
On any refusal nothing is written; a dry run runs every check and writes nothing.
"""

from __future__ import annotations

import dataclasses
import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING

from beancount.parser import booking, parser

from beanfirm.core import paths
from beanfirm.core.bulk import collector_paused
from beanfirm.core.journal import month_path, txn_text
from beanfirm.core.monthfiles import NewEntry, merge_entries
from beanfirm.errors import UsageError, WriteRefusedError
from beanfirm.jobs.locking import (
    LOCKERS,
    lock_changes,
    lock_directive,
    refuse_role,
    unapproved_reason,
    write_client,
)
from beanfirm.monthend.checklist import Checklist, Facts, Reconciled, checklist
from beanfirm.monthend.closing import PAGE, Period, closing_entries
from beanfirm.plugins.locked import MODULE
from beanfirm.reconcile.status import reconciled_through
from beanfirm.review.locks import client_locks, locks_file, period_seal
from beanfirm.store.ledger import error_problem, is_warning, load_ledger, load_until_plugin
from beanfirm.store.writes import Planned

if TYPE_CHECKING:
    from pathlib import Path

    from beanfirm.core.beans import Directive
    from beanfirm.core.journal import Txn
    from beanfirm.plugins.seal import Seal
    from beanfirm.store.gitrepo import Author, PracticeRepo
    from beanfirm.store.practice import Practice
    from beanfirm.store.registry import Client, Staff

# SEAM (part FS, issue 16): the statements filed under documents/ in the close's commit come
# from `financial_statements(...)` of the financials branch, called in `prepare` below with the
# client, the month and the entries with the closing entries; its files (practice-relative
# path: bytes) join `changes`. The close writes no statements of its own.


@dataclass(frozen=True)
class CloseResult:
    """A close written (or, in a dry run, checked): the checklist, the entries, the lock, commit."""

    client_id: str
    period: Period
    checklist: Checklist
    entries: tuple[Txn, ...]
    directive: str
    commit: str | None


class CloseRefusedError(WriteRefusedError):
    """A close refused by its checklist; it carries the checklist, for the caller to show."""

    def __init__(self, message: str, found: Checklist) -> None:
        super().__init__(message)
        self.checklist = found


def _facts(
    practice: Practice, repo: PracticeRepo, client: Client, period: Period
) -> tuple[Facts, list[Directive]]:
    """Gather what the checklist reads: the ledger with its plugins, approval, locks."""
    main = practice.main_file(client.id)
    with collector_paused():
        ledger = load_ledger(main)
    errors = [error_problem(e, practice.root, main) for e in ledger.errors if not is_warning(e)]
    rel = locks_file(client.id)
    standing = client_locks(repo.texts_at(None, [rel])[rel], rel)
    known = reconciled_through(ledger.entries)
    accounts = [funding.account for funding in client.accounts]
    reconciled = {
        f.account: Reconciled(
            client.reconcile_cadence(f), known[f.account].through if f.account in known else None
        )
        for f in client.accounts
    }
    facts = Facts(
        client_id=client.id,
        period=period,
        entries=ledger.entries,
        errors=errors,
        accounts=accounts,
        reconciled=reconciled,
        unapproved=unapproved_reason(repo, client.id),
        locked_through=max((lock.through for lock in standing), default=None),
        root=practice.root,
    )
    return facts, list(ledger.entries)


def refusal(found: Checklist) -> CloseRefusedError:
    """Return the one-paragraph error of a failed checklist: its first failure, what to do."""
    failed = [item for item in found.items if not item.passed]
    first = failed[0]
    others = ", ".join(item.name for item in failed[1:])
    msg = (
        f"Refusing to close {found.client_id} for {found.period.label}: {first.name}: "
        f"{first.found}. To do: {first.todo}; then close again"
        + (f" (also failing: {others})" if others else "")
        + f". Nothing was written (see {PAGE})."
    )
    return CloseRefusedError(msg, found)


def _seal_with(main: Path, month_abs: Path, text: str, through: datetime.date) -> Seal:
    """Return the seal of the books through a day with the closing entries added."""
    with collector_paused():
        seen = load_until_plugin(main, MODULE)
    parsed, _errors, _options = parser.parse_string(text, str(month_abs))
    booked, _booking_errors = booking.book(parsed, seen.options)  # type: ignore[no-untyped-call]
    return period_seal([*seen.entries, *booked], through, main.parent)


def close_month(
    practice: Practice,
    repo: PracticeRepo,
    client: Client,
    period: Period,
    *,
    staff: Staff,
    author: Author,
    today: datetime.date | None = None,
    dry_run: bool = False,
) -> CloseResult:
    """Close a client's month in one commit (raises on any refusal, nothing written)."""
    refuse_role(staff, LOCKERS, f"close {client.id}")
    today = today or datetime.date.today()  # noqa: DTZ011 - the firm's calendar day
    if period.end >= today:
        msg = (
            f"Refusing to close {client.id} for {period.label}: the month is not over yet "
            f"(today is {today}). Close a month that has ended."
        )
        raise UsageError(msg)
    main = practice.main_file(client.id)

    def prepare() -> Planned[CloseResult]:
        facts, entries = _facts(practice, repo, client, period)
        items = checklist(facts)
        if not items.passed:
            raise refusal(items)
        closing = closing_entries(entries, period, client.fiscal_year_start, client.id)
        month = month_path(client.id, period.end)
        month_abs = practice.root / month
        old = month_abs.read_text(encoding="utf-8") if month_abs.exists() else None
        new = [NewEntry(t.date, is_balance=False, text=txn_text(t)) for t in closing]
        seal = _seal_with(main, month_abs, "".join(e.text for e in new), period.end)
        directive = lock_directive(seal, staff.id)
        changes, _added = lock_changes(practice.root, client.id, directive)
        if new:
            changes[month] = merge_entries(old, period.start, new).encode("utf-8")
        # SEAM (part FS): changes.update(statements(client, period, entries + closing)) here.
        message = (
            f"Close {client.id} for {period.label}\n\n"
            f"{staff.id} closes {period.label} of {client.id}: {len(closing)} closing "
            f"entr{'y' if len(closing) == 1 else 'ies'} (#closing) and the lock through "
            f"{period.end}, in {paths.client_folder(client.id)}."
        )
        result = CloseResult(client.id, period, items, tuple(closing), directive, None)
        return Planned(changes, message, result)

    written = write_client(practice, repo, client, prepare, author=author, dry_run=dry_run)
    return dataclasses.replace(written.value, commit=written.commit)
