"""`beanfirm close CLIENT --period YYYY-MM` and `beanfirm close --all`: the month-end close."""

from __future__ import annotations

import sys

import click

from beanfirm.cli.context import author_of, practice_of, repo_of, staff_of
from beanfirm.cli.output import echo, echo_table
from beanfirm.core.journal import txn_text
from beanfirm.errors import EXIT_FINDINGS, BeanfirmError, UsageError
from beanfirm.jobs.closing import CloseRefusedError, CloseResult, close_month
from beanfirm.monthend.checklist import Checklist
from beanfirm.monthend.closing import Period, parse_period
from beanfirm.review.locks import client_locks, locks_file
from beanfirm.store.gitrepo import PracticeRepo
from beanfirm.store.registry import Client


def _show_checklist(found: Checklist) -> None:
    echo(f"Checklist of {found.client_id} for {found.period.label}:")
    for item in found.items:
        mark = "ok  " if item.passed else "FAIL"
        echo(f"  {mark} {item.name}: {item.found}" + ("" if item.passed else f" ({item.todo})"))


def _show(result: CloseResult, *, dry_run: bool) -> None:
    _show_checklist(result.checklist)
    echo("")
    if result.entries:
        echo("Would book:" if dry_run else "Booked:")
        for txn in result.entries:
            echo(txn_text(txn))
    else:
        echo("No closing entries: nothing to move this month.")
    echo(("Would write" if dry_run else "Wrote") + " in locks.beancount:\n")
    echo(result.directive)
    if dry_run:
        echo("Dry run: nothing was written.")
    else:
        commit = (result.commit or "")[:10]
        echo(f"Closed {result.client_id} for {result.period.label}. Commit {commit}.")


def _closed_through(repo: PracticeRepo, client: Client, period: Period) -> bool:
    rel = locks_file(client.id)
    standing = client_locks(repo.texts_at(None, [rel])[rel], rel)
    return any(lock.through >= period.end for lock in standing)


@click.command()
@click.argument("client_id", required=False)
@click.option("--period", "period_text", required=True, help="The month to close, YYYY-MM.")
@click.option("--all", "every", is_flag=True, help="Close every client whose month is open.")
@click.option("--as", "staff_id", help="Your staff id: a reviewer or partner closes.")
@click.option(
    "-n", "--dry-run", is_flag=True, help="Run every check the close runs; write nothing."
)
@click.option("-x", "--exitfirst", is_flag=True, help="With --all: stop at the first refusal.")
@click.pass_context
def close(
    ctx: click.Context,
    client_id: str | None,
    period_text: str,
    every: bool,
    staff_id: str | None,
    dry_run: bool,
    exitfirst: bool,
) -> None:
    """Close a client's month: the checklist, then the closing entries and the lock, one commit.

    Refused, with what to do, when any item of the checklist fails: books not imported or
    reconciled through the month's end, entries left uncategorized or flagged, ledger errors,
    changes not approved, the previous month open, the month closed already (docs/close.md).
    """
    if bool(client_id) == every:
        msg = "Give one client (beanfirm close CLIENT --period YYYY-MM) or --all, not both."
        raise UsageError(msg)
    if staff_id:
        ctx.find_root().obj["staff_id"] = staff_id
    period = parse_period(period_text)
    practice = practice_of(ctx)
    repo = repo_of(practice)
    staff = staff_of(ctx, practice, repo)
    author = author_of(staff)
    if client_id:
        client = practice.registry.client(client_id)
        try:
            result = close_month(
                practice, repo, client, period, staff=staff, author=author, dry_run=dry_run
            )
        except CloseRefusedError as refused:
            _show_checklist(refused.checklist)
            echo("")
            raise
        _show(result, dry_run=dry_run)
        return
    rows: list[tuple[str, str, str]] = []
    for client in practice.registry.clients:
        if _closed_through(repo, client, period):
            rows.append((client.id, "skipped", f"closed through {period.end} already"))
            echo(f"{client.id}: skipped (closed already)", err=True)
            continue
        try:
            result = close_month(
                practice, repo, client, period, staff=staff, author=author, dry_run=dry_run
            )
        except BeanfirmError as refused:
            first = (
                refused.checklist.first_failure()
                if isinstance(refused, CloseRefusedError)
                else None
            )
            reason = f"{first.name}: {first.found}" if first else str(refused)
            rows.append((client.id, "refused", reason))
            echo(f"{client.id}: refused", err=True)
            if exitfirst:
                break
            continue
        state = "would close" if dry_run else "closed"
        count = len(result.entries)
        rows.append((client.id, state, f"{count} closing entr{'y' if count == 1 else 'ies'}"))
        echo(f"{client.id}: {state}", err=True)
    echo_table(f"Close of {period.label}", ["Client", "Result", "Detail"], rows)
    if any(row[1] == "refused" for row in rows):
        sys.exit(EXIT_FINDINGS)
