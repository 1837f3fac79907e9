"""Carrying out an import under the write discipline: one client, one export, one commit.

Under the client's lock `run_import` parses the ledger (`beanfirm.store.ledger.parse_ledger`),
indexes it, plans the import (`beanfirm.ingest.plan`), renders the changed month files and the
archived export, and hands them to `apply_write`, which checks the ledger with its plugins
(`beanfirm.jobs.clientcheck`) and commits. So an import loads the ledger with its plugins once,
and parses it once. Work the import leaves to do (rows to categorize, periods to reconcile) is
listed in the result's `backlog`; it does not undo the import.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from beanfirm.core import paths
from beanfirm.core.beans import Directive
from beanfirm.core.bulk import collector_paused
from beanfirm.core.journal import month_path
from beanfirm.core.monthfiles import EditError, NewEntry, apply_edits, merge_entries
from beanfirm.errors import ConfigError, LedgerError, Problem, WriteRefusedError
from beanfirm.firm.checking import unopened_accounts
from beanfirm.ingest.dedup import DEFAULT_WINDOW_DAYS
from beanfirm.ingest.exports import Export
from beanfirm.ingest.ledgerindex import build_index, with_amounts
from beanfirm.ingest.openingbalance import account_start
from beanfirm.ingest.outcome import BookingError, ImportPlan, row_text
from beanfirm.ingest.plan import Categorize, archive_path, free_archive, plan_import, statement_end
from beanfirm.jobs.clientcheck import ClientCheck
from beanfirm.plugins.locked import Lock
from beanfirm.review.locks import latest_lock, lock_refusal, locked_change
from beanfirm.rules.categorize import load_ruleset
from beanfirm.rules.history import learn_history
from beanfirm.store.gitrepo import Author, PracticeRepo
from beanfirm.store.ledger import parse_ledger
from beanfirm.store.practice import Practice
from beanfirm.store.registry import Client
from beanfirm.store.writes import Planned, Stopped, WritePlan, apply_write

CategorizerFactory = Callable[[Sequence[Directive]], Categorize]


@dataclass(frozen=True)
class ImportResult:
    """A finished import (or dry run): the plan, the commit made, and whether it was all known."""

    plan: ImportPlan
    commit: str | None
    nothing_new: bool = False
    backlog: tuple[Problem, ...] = ()


def render_changes(plan: ImportPlan, root: Path, content: bytes) -> dict[str, bytes | None]:
    """Return the files an import writes: month files with edits and new entries, the archive."""
    texts: dict[str, str | None] = {}
    placed: dict[str, list[NewEntry]] = defaultdict(list)
    for rel, entries in plan.new_entries.items():
        placed[rel] += entries
    for rel, edits in sorted(plan.edits.items()):
        path = root / rel
        if not path.exists():
            raise BookingError(f"{rel} disappeared while it was read; import again.")
        try:
            texts[rel], moved = apply_edits(path.read_text(encoding="utf-8"), edits)
        except EditError as exc:
            msg = f"{rel} changed while the import read it ({exc}); import again."
            raise BookingError(msg) from exc
        for entry in moved:
            placed[month_path(plan.client_id, entry.date)].append(entry)
    for rel, entries in placed.items():
        if rel not in texts:
            path = root / rel
            texts[rel] = path.read_text(encoding="utf-8") if path.exists() else None
        year, month = rel.rsplit("/", 2)[-2:]
        first = datetime.date(int(year), int(month.split(".")[0]), 1)
        ordered = sorted(entries, key=lambda entry: (entry.date, not entry.is_balance))
        texts[rel] = merge_entries(texts[rel], first, ordered)
    changes: dict[str, bytes | None] = {
        rel: text.encode("utf-8") for rel, text in sorted(texts.items()) if text is not None
    }
    if plan.archive_needed:
        changes[plan.archive] = content
    return changes


def refuse_locked(
    practice: Practice,
    repo: PracticeRepo,
    client: Client,
    export: Export,
    lock: Lock | None,
    changes: dict[str, bytes | None],
) -> None:
    """Refuse an import that adds, edits or removes an entry dated in a locked period.

    Such as October's export imported into a locked October: its rows typed by hand already
    would record their import-id, and its balance assertion would be added. Refused before
    the write, in words that name the lock, rather than by the check after it.
    """
    if lock is None:
        return
    change = locked_change(practice.root, changes, lock.through)
    if change is None:
        return
    count = f"{change.entries} entr{'y' if change.entries == 1 else 'ies'}"
    partners = [staff.id for staff in practice.registry.firm.staff if staff.role == "partner"]
    msg = lock_refusal(
        repo,
        client.id,
        lock,
        partners,
        doing=f"import {export.path.name} into {client.id} {export.account.account}",
        change=(
            f"the import would add or change {count} dated in that period ({change.span}): "
            "its rows there, or the entries typed by hand that they match, and its balance "
            "assertions"
        ),
        instead=(
            f"Rows of that period are booked already or wait for it to be reopened: import "
            f"an export that starts after {lock.through}"
        ),
    )
    raise WriteRefusedError(msg)


def run_import(
    practice: Practice,
    repo: PracticeRepo,
    client: Client,
    export: Export,
    *,
    categorizer: CategorizerFactory,
    author: Author,
    dry_run: bool = False,
    window: int = DEFAULT_WINDOW_DAYS,
    opening: bool = False,
) -> ImportResult:
    """Import one export into a client's ledger in one commit (raises on any failure).

    The result says `nothing_new` when every row is booked already and the export is archived.
    With `opening`, an account without history gets the opening balance the export states
    (`beanfirm.ingest.openingbalance`); without it, such an import is refused.
    """
    root = practice.root
    content = export.path.read_bytes()
    planned: list[ImportPlan] = []

    def prepare() -> Planned[ImportPlan] | Stopped[ImportPlan]:
        with collector_paused():
            ledger = parse_ledger(practice.main_file(client.id))
        unopened = unopened_accounts(ledger.entries, client.id, (export.account,))
        if unopened:  # else every entry it wrote would fail the check, naming no real file
            msg = f"Cannot import {export.path.name} into {export.account.account}:"
            raise ConfigError(msg, tuple(unopened))
        own = [account.account for account in client.accounts]
        days = [row.date for row in export.statement.rows]
        index = build_index(
            ledger.entries,
            own,
            editable=practice.ledger_dir(client.id),
            statement_account=export.account.account,
            span=(min(days), max(days)) if days else None,
        )
        base = archive_path(client.id, export, statement_end(export))
        archive, needed = free_archive(base, root, content)
        categorize = categorizer(ledger.entries)
        start = account_start(ledger.entries, export.account.account, ledger.options)
        plan = plan_import(
            export,
            client,
            index,
            categorize,
            root=root,
            archive=archive,
            window=window,
            start=start,
            opening=opening,
        )
        plan.archive_needed = needed
        planned.append(plan)
        if not plan.changes_anything and not dry_run:
            return Stopped(plan)
        changes = render_changes(plan, root, content)
        refuse_locked(practice, repo, client, export, latest_lock(ledger.entries), changes)
        return Planned(changes, plan.message(), plan)

    check = ClientCheck(practice, repo, client)
    write = WritePlan(
        prepare,
        locks=(client.id,),
        guard=(paths.client_folder(client.id),),
        what=f"client {client.id}",
    )
    try:
        written = apply_write(root, repo, write, author=author, check=check, dry_run=dry_run)
    except LedgerError as exc:
        raise with_rows_to_check(exc, planned[-1] if planned else None) from exc
    if isinstance(written, Stopped):
        return ImportResult(written.value, None, nothing_new=True)
    if not dry_run:
        check.remember()
    return ImportResult(written.value, written.commit, backlog=tuple(check.backlog))


def with_rows_to_check(error: LedgerError, plan: ImportPlan | None) -> LedgerError:
    """Return a refused import's error with the rows that may explain it.

    A row that did not complete a transfer booked `!` from the other side leaves that
    transfer's leg open on the account, which a balance assertion of the export then finds
    too much or too little: the row names the transfer to check.
    """
    if plan is None:
        return error
    name = plan.export.path.name
    found = tuple(Problem(name, row.line, row_text(row)) for row in plan.rows if row.to_check)
    if not found:
        return error
    return LedgerError(error.message, (*error.problems, *found))


def rules_categorizer(practice: Practice, client: Client) -> CategorizerFactory:
    """Return the client's categorization: its rules, the firm's, and its history's suggestions.

    The rules are read now (a mistake in them stops the import before anything else); the
    history is learned from the ledger as the import reads it, under the lock.
    """
    ruleset = load_ruleset(practice.root, client.id)
    own = [account.account for account in client.accounts]

    def factory(entries: Sequence[Directive]) -> Categorize:
        history = learn_history(with_amounts(entries), statement_accounts=own)
        categorize: Categorize = ruleset.with_history(history).categorize_statement
        return categorize

    return factory
