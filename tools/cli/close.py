"""`beanfirm close CLIENT --period YYYY-MM` and `beanfirm close --all`: the month-end close."""

from __future__ import annotations

import os
import sys

import click

from beanfirm.cli.context import author_of, exactly_one, practice_of, repo_of, staff_of
from beanfirm.cli.output import echo, echo_table
from beanfirm.cli.progress import client_progress
from beanfirm.core.journal import txn_text
from beanfirm.errors import batch_exit_code
from beanfirm.jobs.closing import (
    REFUSED,
    CloseRefusedError,
    CloseResult,
    Outcome,
    close_all,
    close_month,
)
from beanfirm.monthend.checklist import Checklist
from beanfirm.monthend.closing import parse_period

DETAIL_WIDTH = 140


def _show_checklist(found: Checklist) -> None:
    echo(f"Checklist of {found.client_id} for {found.period.label}:")
    for item in found.items:
        mark = "ok  " if item.passed else "FAIL"
        echo(f"  {mark} {item.name}: {item.found}" + ("" if item.passed else f" ({item.todo})"))


def _show(result: CloseResult, *, dry_run: bool) -> None:
    _show_checklist(result.checklist)
    echo("")
    if result.accruals or result.revaluation or result.entries:
        echo("Would book:" if dry_run else "Booked:")
        for txn in (*result.accruals, *result.revaluation, *result.entries):
            echo(txn_text(txn))
    else:
        echo("No closing entries: nothing to move this month.")
    echo(("Would write" if dry_run else "Wrote") + " in locks.beancount:\n")
    echo(result.directive)
    echo(("Would file" if dry_run else "Filed") + ":")
    for path in result.filed:
        echo(f"  {path}")
    echo("")
    if dry_run:
        echo("Dry run: nothing was written.")
    else:
        commit = (result.commit or "")[:10]
        echo(f"Closed {result.client_id} for {result.period.label}. Commit {commit}.")


def _short(detail: str) -> str:
    """Keep a table's detail to one readable line; the client's own close says it all."""
    return detail if len(detail) <= DETAIL_WIDTH else detail[: DETAIL_WIDTH - 1] + "…"


@click.command()
@click.argument("client_id", required=False)
@click.option("--period", "period_text", required=True, help="The month to close, YYYY-MM.")
@click.option("--all", "every", is_flag=True, help="Close every client whose month is open.")
@click.option("--as", "staff_id", help="Your staff id (any role: the month must be approved).")
@click.option(
    "-n", "--dry-run", is_flag=True, help="Run every check the close runs; write nothing."
)
@click.option("-x", "--exitfirst", is_flag=True, help="With --all: stop at the first refusal.")
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=1),
    default=None,
    help="With --all: worker processes (default: one per core).",
)
@click.pass_context
def close(
    ctx: click.Context,
    client_id: str | None,
    period_text: str,
    every: bool,
    staff_id: str | None,
    dry_run: bool,
    exitfirst: bool,
    jobs: int | None,
) -> None:
    """Close a client's month: the checklist, then the closing entries and the lock, one commit.

    Refused, with what to do, when any item of the checklist fails: books not imported or
    reconciled through the month's end, entries left uncategorized or flagged, ledger errors,
    changes not approved, the previous month open, the month closed already, a foreign
    currency held without a rate of the month (docs/close.md). Foreign-currency balances of
    monetary accounts are revalued at the period-end rate before the closing entries.
    """
    exactly_one(
        "Say whose month to close", "one client (beanfirm close CLIENT --period YYYY-MM)",
        "--all", given=(bool(client_id), every),
    )  # fmt: skip
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
    clients = list(practice.registry.clients)
    with client_progress("Closing", len(clients)) as progress:
        task = progress.task_ids[0]

        def shown(outcome: Outcome) -> None:
            progress.update(task, advance=1, description=f"{outcome.client_id}: {outcome.state}")

        outcomes = close_all(
            practice, repo, clients, period, staff=staff, author=author,
            jobs=jobs or os.cpu_count() or 1, dry_run=dry_run, exitfirst=exitfirst,
            on_outcome=shown,
        )  # fmt: skip
    rows = [(outcome.client_id, outcome.state, _short(outcome.detail)) for outcome in outcomes]
    echo_table(f"Close of {period.label}", ["Client", "Result", "Detail"], rows)
    if any(outcome.state == REFUSED for outcome in outcomes):
        sys.exit(batch_exit_code(o.exit_code for o in outcomes if o.state == REFUSED))
