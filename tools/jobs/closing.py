"""Closing a client's month: the checklist, then entries, lock and statements in one commit.

Any member of staff may close, a preparer as well (记账会计 close the months they keep): what
makes it safe is the approval, not the role. The checklist asks every change to the client
approved by a reviewer before the close; the close's own commit, the closing entries that
beanfirm works out with the lock that seals them, is a change that a second person approves
next, before the client's portal shows its statements (docs/close.md). Locking alone and
reopening stay with reviewers and partners (`jobs/locking.py`).
The commit holds the month's accruals (计提) and closing entries, the lock, and what
`monthend/filing.py` files: the statements, computed from one load of the books with the new
entries booked, and the close report.
On any refusal nothing is written; a dry run runs every check and writes nothing.
"""

from __future__ import annotations

import concurrent.futures
import datetime
import functools
import multiprocessing
from dataclasses import dataclass
from typing import TYPE_CHECKING

from beancount.parser import booking, parser

from beanfirm.core import paths, pdf
from beanfirm.core.bulk import collector_paused
from beanfirm.core.journal import Txn, month_path, txn_text
from beanfirm.core.monthfiles import NewEntry, merge_entries
from beanfirm.errors import (
    EXIT_FINDINGS,
    BeanfirmError,
    Problem,
    UsageError,
    WriteRefusedError,
    relative_to,
)
from beanfirm.jobs.clientcheck import write_client
from beanfirm.jobs.locking import (
    lock_changes,
    lock_directive,
    refuse_ignored,
    unapproved_reason,
)
from beanfirm.monthend.accruals import accrual_entries
from beanfirm.monthend.checklist import Checklist, Facts, Reconciled, checklist
from beanfirm.monthend.closing import PAGE, Period, closing_entries
from beanfirm.monthend.filing import Closed, close_report, statement_files
from beanfirm.monthend.revaluation import revaluation_entry, revaluation_of
from beanfirm.monthend.statements import chart_of, financial_statements
from beanfirm.plugins.locked import MODULE
from beanfirm.reconcile.status import reconciled_through
from beanfirm.review.locks import client_locks, locks_file, period_seal
from beanfirm.store.gitrepo import PracticeRepo
from beanfirm.store.ledger import Ledger, error_problem, is_warning, load_staged
from beanfirm.store.writes import Planned

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from beanfirm.core.beans import Directive, Options
    from beanfirm.monthend.mapping import Revaluation
    from beanfirm.store.gitrepo import Author
    from beanfirm.store.practice import Practice
    from beanfirm.store.registry import Client, Staff


@dataclass(frozen=True)
class GitFacts:
    """What the close reads from git, in the process that writes: approval and the lock."""

    unapproved: str | None  # why the client's changes are not all approved; None: they are
    locked_through: datetime.date | None  # the latest standing lock


@dataclass(frozen=True)
class ClosePlan:
    """A close worked out from one load of the books, ready to write (or refused)."""

    client_id: str
    period: Period
    checklist: Checklist
    accruals: tuple[Txn, ...]
    entries: tuple[Txn, ...]  # the closing entries
    directive: str
    filed: tuple[str, ...]  # the statements and the close report, practice-relative
    changes: dict[str, bytes | None]
    message: str
    revaluation: tuple[Txn, ...] = ()  # the period-end revaluation (期末调汇), if any


@dataclass(frozen=True)
class CloseResult:
    """A close written (or, in a dry run, checked): the checklist, the entries, the lock, commit."""

    client_id: str
    period: Period
    checklist: Checklist
    accruals: tuple[Txn, ...]
    entries: tuple[Txn, ...]
    directive: str
    filed: tuple[str, ...]
    commit: str | None
    revaluation: tuple[Txn, ...] = ()


class CloseRefusedError(WriteRefusedError):
    """A close refused by its checklist; it carries the checklist, for the caller to show."""

    def __init__(self, message: str, found: Checklist) -> None:
        super().__init__(message)
        self.checklist = found


def git_facts(repo: PracticeRepo, client: Client) -> GitFacts:
    """Read the client's approval state and its latest standing lock from git."""
    rel = locks_file(client.id)
    standing = client_locks(repo.texts_at(None, [rel])[rel], rel)
    return GitFacts(
        unapproved=unapproved_reason(repo, client.id),
        locked_through=max((lock.through for lock in standing), default=None),
    )


def _facts(
    root: Path,
    client: Client,
    period: Period,
    known: GitFacts,
    ledger: Ledger,
    revaluation: Revaluation | None,
) -> Facts:
    """Gather what the checklist reads: the loaded ledger, its errors, approval, locks."""
    main = root / paths.main_file(client.id)
    errors = [error_problem(e, root, main) for e in ledger.errors if not is_warning(e)]
    known_through = reconciled_through(ledger.entries)
    reconciled = {
        f.account: Reconciled(
            client.reconcile_cadence(f),
            known_through[f.account].through if f.account in known_through else None,
        )
        for f in client.accounts
    }
    return Facts(
        client_id=client.id,
        period=period,
        entries=ledger.entries,
        errors=errors,
        accounts=[funding.account for funding in client.accounts],
        reconciled=reconciled,
        unapproved=known.unapproved,
        locked_through=known.locked_through,
        root=root,
        currency=client.currency,
        revaluation=revaluation if client.revaluation else None,
        revaluation_off=not client.revaluation,
    )


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


def _booked(txns: list[Txn], filename: Path, options: Options) -> list[Directive]:
    """Return new entries as Beancount books them, as if written in `filename`."""
    parsed, _errors, _options = parser.parse_string("".join(map(txn_text, txns)), str(filename))
    booked, _booking_errors = booking.book(parsed, options)  # type: ignore[no-untyped-call]
    return list(booked)


def _refused(error: BeanfirmError, client: Client, period: Period, root: Path) -> BeanfirmError:
    """Return an error of the close's input as a refusal, its files relative to the practice."""
    problems = tuple(
        Problem(relative_to(p.filename, root), p.line, p.message) for p in error.problems
    )
    message = (
        f"Refusing to close {client.id} for {period.label}: {error.message} Nothing was "
        f"written (see {PAGE})."
    )
    return type(error)(message, problems)


def plan_close(
    root: Path,
    client: Client,
    period: Period,
    known: GitFacts,
    *,
    staff: Staff,
    firm: str,
    closed_at: datetime.datetime,
) -> ClosePlan:
    """Work out a close from one load of the books; raise when it is refused.

    Reads files only (`known` is what git says). The one load serves the checklist, the
    accruals, the closing entries, the statements and the seal.
    """
    main = root / paths.main_file(client.id)
    with collector_paused():
        seen, ledger = load_staged(main, MODULE)
    try:
        rules = revaluation_of(main, ledger.entries) if client.revaluation else None
    except BeanfirmError as error:
        raise _refused(error, client, period, root) from None
    items = checklist(_facts(root, client, period, known, ledger, rules))
    if not items.passed:
        raise refusal(items)
    month = month_path(client.id, period.end)
    month_abs = root / month
    try:
        accruals = accrual_entries(ledger.entries, client, main.parent, period)
        accrued = _booked(accruals, month_abs, ledger.options)
        # Before the transfer to 本年利润, so that the exchange difference is closed with the
        # month's other expenses.
        revaluation = (
            revaluation_entry(
                [*ledger.entries, *accrued],
                client.currency,
                period,
                rules,
                chinese=chart_of(ledger.entries) == "cn-small",
            )
            if rules is not None
            else None
        )
        revaluations = [revaluation] if revaluation is not None else []
        revalued = _booked(revaluations, month_abs, ledger.options)
        closing = closing_entries(
            [*ledger.entries, *accrued, *revalued],
            period,
            client.fiscal_year_start,
            client.id,
            client.currency,
        )
        closed = _booked(closing, month_abs, ledger.options)
        statements = financial_statements(
            [*ledger.entries, *accrued, *revalued, *closed], ledger.options, client, period
        )
    except BeanfirmError as error:
        raise _refused(error, client, period, root) from None
    seal = period_seal([*seen.entries, *accrued, *revalued, *closed], period.end, main.parent)
    directive = lock_directive(seal, staff.id)
    changes, _added = lock_changes(root, client.id, directive)
    new = [
        NewEntry(t.date, is_balance=False, text=txn_text(t))
        for t in [*accruals, *revaluations, *closing]
    ]
    if new:
        old = month_abs.read_text(encoding="utf-8") if month_abs.exists() else None
        changes[month] = merge_entries(old, period.start, new).encode("utf-8")
    language = "zh" if client.language == "zh" else "en"
    files = statement_files(statements, language, prepared_by=staff.name, firm=firm)
    report = Closed(
        items,
        f"{staff.name} ({staff.id})",
        closed_at,
        accruals,
        closing,
        period.end,
        seal.digest,
        revaluation=tuple(revaluations),
    )
    report_path, report_text = close_report(report, statements, language, files)
    files[report_path] = report_text
    changes.update(files)
    count = len(closing) + len(accruals) + len(revaluations)
    revalued_text = (
        ", the revaluation of foreign-currency balances (#revaluation)," if revaluations else ""
    )
    message = (
        f"Close {client.id} for {period.label}\n\n"
        f"{staff.id} closes {period.label} of {client.id}: {len(accruals)} accrual"
        f"{'' if len(accruals) == 1 else 's'} (计提){revalued_text} and {len(closing)} closing "
        f"entr{'y' if len(closing) == 1 else 'ies'} (#closing), the lock through {period.end}, "
        f"and the statements and close report in {paths.closing_folder(client.id, period.label)}"
        f" ({count} entr{'y' if count == 1 else 'ies'} in all)."
    )
    return ClosePlan(
        client_id=client.id,
        period=period,
        checklist=items,
        accruals=tuple(accruals),
        entries=tuple(closing),
        directive=directive,
        filed=tuple(sorted(files)),
        changes=changes,
        message=message,
        revaluation=tuple(revaluations),
    )


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
    """Close a client's month in one commit (raises on any refusal, nothing written).

    The close is worked out under the client's lock, from one load of its books
    (`plan_close`), then written and checked by the write path.
    """
    today = today or datetime.date.today()  # noqa: DTZ011 - the firm's calendar day
    if period.end >= today:
        msg = (
            f"Refusing to close {client.id} for {period.label}: the month is not over yet "
            f"(today is {today}). Close a month that has ended."
        )
        raise UsageError(msg)
    closed_at = datetime.datetime.now(datetime.UTC)
    firm = practice.registry.firm.name

    def prepare() -> Planned[ClosePlan]:
        refuse_ignored(repo, client.id, f"close {client.id} for {period.label}")
        known = git_facts(repo, client)
        plan = plan_close(
            practice.root, client, period, known, staff=staff, firm=firm, closed_at=closed_at
        )
        return Planned(plan.changes, plan.message, plan)

    written = write_client(practice, repo, client, prepare, author=author, dry_run=dry_run)
    plan = written.value
    return CloseResult(
        client.id,
        period,
        plan.checklist,
        plan.accruals,
        plan.entries,
        plan.directive,
        plan.filed,
        written.commit,
        plan.revaluation,
    )


@dataclass(frozen=True)
class Outcome:
    """One client's line of `close --all`: closed (or would close), refused, or skipped."""

    client_id: str
    state: str
    detail: str
    result: CloseResult | None = None
    exit_code: int = 0  # a refusal's: its error's code (docs/README.md, exit codes)


CLOSED, WOULD_CLOSE, REFUSED, SKIPPED = "closed", "would close", "refused", "skipped"


def _first_reason(error: BeanfirmError) -> str:
    first = error.checklist.first_failure() if isinstance(error, CloseRefusedError) else None
    return f"{first.name}: {first.found}" if first else " ".join(str(error).split())


def _close_one(
    practice: Practice,
    repo: PracticeRepo,
    client_id: str,
    period: Period,
    *,
    staff: Staff,
    author: Author,
    today: datetime.date,
    dry_run: bool,
) -> Outcome:
    """Close one client's month, with the batch's practice (its registry read once)."""
    try:
        client = practice.registry.client(client_id)
        result = close_month(
            practice, repo, client, period, staff=staff, author=author, today=today,
            dry_run=dry_run,
        )  # fmt: skip
    except BeanfirmError as error:
        return Outcome(client_id, REFUSED, _first_reason(error), exit_code=error.exit_code)
    except Exception as exc:  # noqa: BLE001 - a broken plugin must not stop the other clients
        reason = f"the close failed: {type(exc).__name__}: {exc}; run `beanfirm close {client_id}`"
        return Outcome(client_id, REFUSED, reason, exit_code=EXIT_FINDINGS)
    count = len(result.entries) + len(result.accruals) + len(result.revaluation)
    detail = f"{count} entr{'y' if count == 1 else 'ies'}, {len(result.filed)} files"
    return Outcome(client_id, WOULD_CLOSE if dry_run else CLOSED, detail, result)


# What a worker process of `close_all` closes with, set once when it starts: the batch's
# practice, inherited through fork (never re-read per client: parsing clients.yaml costs in
# proportion to the number of clients), and a repository of the worker's own, opened at its
# first client (GitPython's readers are processes, not to be shared with the parent).
_worker: dict[str, Practice] = {}


def _start_worker(practice: Practice) -> None:
    _worker["practice"] = practice


@functools.cache
def _worker_repo(root: Path) -> PracticeRepo:
    return PracticeRepo(root)


def _close_in_worker(
    client_id: str,
    period: Period,
    *,
    staff: Staff,
    author: Author,
    today: datetime.date,
    dry_run: bool,
) -> Outcome:
    practice = _worker["practice"]
    try:
        repo = _worker_repo(practice.root)
    except BeanfirmError as error:
        return Outcome(client_id, REFUSED, _first_reason(error), exit_code=error.exit_code)
    return _close_one(
        practice, repo, client_id, period, staff=staff, author=author, today=today,
        dry_run=dry_run,
    )  # fmt: skip


def close_all(
    practice: Practice,
    repo: PracticeRepo,
    clients: list[Client],
    period: Period,
    *,
    staff: Staff,
    author: Author,
    jobs: int,
    today: datetime.date | None = None,
    dry_run: bool = False,
    exitfirst: bool = False,
    on_outcome: Callable[[Outcome], None] | None = None,
) -> list[Outcome]:
    """Close the month of every client not closed yet; return one outcome each, registry order.

    Each client's close runs in a worker process, as `beanfirm check` loads ledgers: worked
    out under the client's lock from one load of its books, written, checked by the write
    path's own load, and committed; the commits are made one at a time under the practice's
    git lock (`PracticeRepo.index_lock`), so each is one commit of one client.
    """
    today = today or datetime.date.today()  # noqa: DTZ011 - the firm's calendar day
    outcomes: dict[str, Outcome] = {}

    def record(outcome: Outcome) -> bool:
        """Keep an outcome; return whether it was a refusal."""
        outcomes[outcome.client_id] = outcome
        if on_outcome:
            on_outcome(outcome)
        return outcome.state == REFUSED

    rels = {client.id: locks_file(client.id) for client in clients}
    texts = repo.texts_at(None, list(rels.values()))  # one git call for every client
    todo: list[str] = []
    for client in clients:
        standing = client_locks(texts[rels[client.id]], rels[client.id])
        through = max((lock.through for lock in standing), default=None)
        if through is not None and through >= period.end:
            record(Outcome(client.id, SKIPPED, f"closed through {through} already"))
        else:
            todo.append(client.id)
    if jobs <= 1 or len(todo) <= 1:
        for client_id in todo:
            outcome = _close_one(
                practice, repo, client_id, period, staff=staff, author=author, today=today,
                dry_run=dry_run,
            )  # fmt: skip
            if record(outcome) and exitfirst:
                break
    else:
        # fork: the workers inherit the imported Beancount, as `beanfirm check`'s do, the
        # practice with its registry, and WeasyPrint with its fonts set up (a second or more
        # to import in each worker).
        pdf.prepare()
        context = multiprocessing.get_context("fork")
        with concurrent.futures.ProcessPoolExecutor(
            max_workers=jobs, mp_context=context, initializer=_start_worker, initargs=(practice,)
        ) as pool:
            close_one = functools.partial(
                _close_in_worker, period=period, staff=staff, author=author, today=today,
                dry_run=dry_run,
            )  # fmt: skip
            futures = [pool.submit(close_one, client_id) for client_id in todo]
            for future in concurrent.futures.as_completed(futures):
                if record(future.result()) and exitfirst:
                    pool.shutdown(wait=True, cancel_futures=True)
                    break
    return [outcomes[client.id] for client in clients if client.id in outcomes]
