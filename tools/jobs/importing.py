"""Carrying out an import under the write discipline: one client, one export, one commit.

Under the client's lock `run_import` parses the ledger (`beanfirm.store.ledger.parse_ledger`),
indexes it, plans the import (`beanfirm.ingest.plan`), renders the changed month files and the
archived export, and hands them to `apply_write`, which checks the ledger with its plugins and
commits. The check before the write comes from the check cache when the client's content is
known to it (as it is after the previous import or `beanfirm check`); otherwise it is only
worked out, from HEAD, if the check after the write finds errors at all. So an import loads
the ledger with its plugins once, and parses it once.

Errors that record work left to do (`BACKLOG`: rows still uncategorized past the grace
period, periods not reconciled yet) do not undo an import, which adds such work by its nature
when it brings in an old statement; the result lists them. Every other new error does.
"""

from __future__ import annotations

import datetime
import tempfile
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from beanfirm.core.bulk import collector_paused
from beanfirm.core.journal import month_path
from beanfirm.core.monthfiles import EditError, NewEntry, apply_edits, merge_entries
from beanfirm.errors import Problem
from beanfirm.firm.checkcache import CheckCache, client_keys
from beanfirm.firm.summary import LedgerSummary, summarize
from beanfirm.ingest.dedup import DEFAULT_WINDOW_DAYS
from beanfirm.ingest.exports import Export
from beanfirm.ingest.ledgerindex import build_index, with_amounts
from beanfirm.ingest.outcome import BookingError, ImportPlan, NothingToImport
from beanfirm.ingest.plan import Categorize, archive_path, plan_import, statement_end
from beanfirm.rules.categorize import load_ruleset
from beanfirm.rules.history import learn_history
from beanfirm.store.gitrepo import Author, PracticeRepo
from beanfirm.store.ledger import error_problem, is_warning, load_ledger, parse_ledger
from beanfirm.store.practice import Practice
from beanfirm.store.registry import Client
from beanfirm.store.writes import WritePlan, apply_write

CategorizerFactory = Callable[[Sequence[Any]], Categorize]
# Errors that record work left to do, which an import adds by its nature (rows to categorize,
# periods to reconcile), rather than books it breaks: they never undo an import.
BACKLOG = ("CategorizedError", "ReconciledError")


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


def free_archive(base: str, root: Path, content: bytes) -> tuple[str, bool]:
    """Return where to file an export and whether to copy it (the same bytes are there).

    Another file under the same name (another export of the same period) keeps its place;
    this one becomes `<name>-2.<ext>`, `-3`, …
    """
    stem, dot, suffix = base.rpartition(".")
    if not dot or "/" in suffix:
        stem, suffix = base, ""
    number = 1
    while True:
        candidate = base if number == 1 else f"{stem}-{number}{'.' + suffix if suffix else ''}"
        path = root / candidate
        if not path.exists():
            return candidate, True
        if path.read_bytes() == content:
            return candidate, False
        number += 1


class ImportCheck:
    """The `check` of `apply_write` for an import (see the module docstring)."""

    def __init__(self, practice: Practice, repo: PracticeRepo, client: Client) -> None:
        self.practice = practice
        self.repo = repo
        self.client = client
        self.calls = 0
        self.before: set[tuple[str, str]] | None = None
        self.after: LedgerSummary | None = None
        self.backlog: list[Problem] = []

    def __call__(self) -> list[Problem]:
        """Return the problems before the write (first call) or new since (second call)."""
        self.calls += 1
        if self.calls == 1:
            key = client_keys(self.repo, [self.client])[self.client.id]
            cached = CheckCache(self.practice.state_dir).get(self.client.id, key)
            if cached is None:
                return []
            self.before = {_key(problem) for problem in cached.errors}
            return list(cached.errors)
        main = self.practice.main_file(self.client.id)
        with collector_paused():
            ledger = load_ledger(main)
        self.after = summarize(ledger, self.practice.root)
        problems = []
        for error in ledger.errors:
            if is_warning(error):
                continue
            problem = error_problem(error, self.practice.root, main)
            if type(error).__name__ in BACKLOG:
                self.backlog.append(problem)
            else:
                problems.append(problem)
        if problems and self.before is None:
            before = self.head_problems()
            problems = [problem for problem in problems if _key(problem) not in before]
        return problems

    def head_problems(self) -> set[tuple[str, str]]:
        """Check the client's ledger as committed at HEAD, in a scratch copy."""
        with tempfile.TemporaryDirectory(prefix="beanfirm-head-") as scratch:
            folder = Path(scratch)
            top = [name for name in self.repo.names_at_head() if name != "ledgers"]
            self.repo.export_head([*top, f"ledgers/{self.client.id}"], folder)
            main = folder / "ledgers" / self.client.id / "main.beancount"
            if not main.is_file():
                return set()
            return {_key(problem) for problem in summarize(load_ledger(main), folder).errors}

    def remember(self) -> None:
        """Store the check after the write in the check cache, under the committed content."""
        if self.after is None:
            return
        key = client_keys(self.repo, [self.client])[self.client.id]
        CheckCache(self.practice.state_dir).put(self.client.id, key, self.after)


def _key(problem: Problem) -> tuple[str, str]:
    return (problem.filename, problem.message)


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
) -> ImportResult:
    """Import one export into a client's ledger in one commit (raises on any failure).

    Raises `NothingToImport` when every row is booked already and the export is archived.
    """
    root = practice.root
    content = export.path.read_bytes()
    plans: list[ImportPlan] = []

    def changes() -> Mapping[str, bytes | None]:
        with collector_paused():
            ledger = parse_ledger(practice.main_file(client.id))
        own = [account.account for account in client.accounts]
        index = build_index(
            ledger.entries,
            own,
            editable=practice.ledger_dir(client.id),
            statement_account=export.account.account,
        )
        base = archive_path(client.id, export, statement_end(export))
        archive, needed = free_archive(base, root, content)
        categorize = categorizer(ledger.entries)
        plan = plan_import(
            export, client, index, categorize, root=root, archive=archive, window=window
        )
        plan.archive_needed = needed
        plans.append(plan)
        if not plan.changes_anything and not dry_run:
            raise NothingToImport(f"{export.path}: every row is in the ledger already.")
        return render_changes(plan, root, content)

    check = ImportCheck(practice, repo, client)
    write = WritePlan(
        message=lambda: plans[-1].message(),  # noqa: PLW0108 - the plan exists only later
        changes=changes,
        locks=(client.id,),
        guard=(f"ledgers/{client.id}",),
        what=f"client {client.id}",
    )
    try:
        result = apply_write(root, repo, write, author=author, check=check, dry_run=dry_run)
    except NothingToImport:
        return ImportResult(plans[-1], None, nothing_new=True)
    if not dry_run:
        check.remember()
    return ImportResult(plans[-1], result.commit, backlog=tuple(check.backlog))


def rules_categorizer(practice: Practice, client: Client) -> CategorizerFactory:
    """Return the client's categorization: its rules, the firm's, and its history's suggestions.

    The rules are read now (a mistake in them stops the import before anything else); the
    history is learned from the ledger as the import reads it, under the lock.
    """
    ruleset = load_ruleset(practice.root, client.id)
    own = [account.account for account in client.accounts]

    def factory(entries: Sequence[Any]) -> Categorize:
        history = learn_history(with_amounts(entries), statement_accounts=own)
        categorize: Categorize = ruleset.with_history(history).categorize_statement
        return categorize

    return factory
