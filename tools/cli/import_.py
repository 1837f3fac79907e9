"""`beanfirm import CLIENT FILE...` and `beanfirm import --inbox`."""

from __future__ import annotations

import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any

import click

from beanfirm.cli.context import author_of, practice_of, repo_of, staff_of
from beanfirm.cli.output import echo, echo_json, json_option
from beanfirm.cli.progress import client_progress
from beanfirm.errors import BeanfirmError, batch_exit_code
from beanfirm.ingest.dedup import DEFAULT_WINDOW_DAYS
from beanfirm.ingest.outcome import ImportPlan, rows_text
from beanfirm.jobs.importing import ImportResult
from beanfirm.jobs.inbox import ImportBatch, select_jobs
from beanfirm.store.registry import Client


def _plan_json(plan: ImportPlan) -> dict[str, Any]:
    statement = plan.export.statement
    return {
        "account": plan.export.account.account,
        "importer": plan.export.account.importer,
        "added": plan.count("added", "transfer"),
        "uncategorized": plan.uncategorized,
        "duplicates": plan.count("duplicate", "elsewhere"),
        "matched": plan.count("matched"),
        "transfers_merged": plan.count("completed", "merged"),
        "skipped_by_importer": [asdict(skipped) for skipped in statement.skipped],
        "rows": [asdict(row) for row in plan.rows],
        "balances": [asdict(balance) for balance in plan.balances],
        "openings": list(plan.openings),
        "archive": plan.archive,
        "archived": plan.archive_needed,
    }


def _report(result: ImportResult, path: Path, client: Client, *, dry_run: bool) -> None:
    plan = result.plan
    export = plan.export
    where = f"{client.id} {export.account.account} ({export.account.importer})"
    if dry_run:
        echo(f"Dry run: {path.name} into {where}; nothing is written.")
        echo(f"  {plan.summary()}.")
        if plan.text:
            echo("\nWould add:\n")
            echo("\n".join(plan.text))
        echo("Decisions:")
        for row, line in zip(plan.rows, rows_text(plan.rows), strict=True):
            echo(f"  {line}")
            if row.category and row.category != row.detail:
                echo(f"      category: {row.category}")
        for skipped in export.statement.skipped:
            echo(f"  line {skipped.line}: skipped by the importer: {skipped.reason}")
        for balance in plan.balances:
            what = "add" if balance.outcome == "added" else f"already in {balance.where}"
            echo(
                f"  balance {balance.account} {balance.number} {balance.currency} on "
                f"{balance.date}: {what}"
            )
        echo(f"  archive as {plan.archive}" + ("" if plan.archive_needed else " (there)"))
        return
    if result.nothing_new:
        rows = len(plan.rows)
        echo(
            f"Nothing new in {path.name} for {where}: "
            f"{'its row is' if rows == 1 else f'all {rows} rows are'} in the ledger already, "
            f"and it is archived as {plan.archive}."
        )
        return
    commit = (result.commit or "")[:10]
    echo(f"Imported {path.name} into {where}: {plan.summary()}. Commit {commit}.")
    for row, line in zip(plan.rows, rows_text(plan.rows), strict=True):
        if row.outcome not in ("added", "duplicate") or row.to_check:
            echo(f"  {line}")
    echo(f"  archived as {plan.archive}")
    if result.backlog:
        echo(
            f"  The ledger has {len(result.backlog)} finding(s) of work left (rows to categorize, "
            "periods to reconcile); `beanfirm check` lists them."
        )


@click.command("import")
@click.argument("client_id", required=False)
@click.argument("files", nargs=-1, type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--inbox",
    is_flag=True,
    help="Import every file waiting in ledgers/<id>/inbox/ (of CLIENT_ID, or of every client).",
)
@click.option(
    "--account",
    help="The client's account the files belong to (default: the one whose importer "
    "recognises each file).",
)
@click.option(
    "--window",
    type=click.IntRange(0, 31),
    default=DEFAULT_WINDOW_DAYS,
    show_default=True,
    help="Days a row and an entry typed by hand (or a transfer's other side) may be apart.",
)
@click.option(
    "-n", "--dry-run", is_flag=True, help="Show the entries and every decision; write nothing."
)
@click.option(
    "--opening",
    is_flag=True,
    help="For an account without entries yet, book the opening balance the export states "
    "(CAMT/MT940 opening balance, a CSV running balance) against the opening equity account.",
)
@click.option("-x", "--failfast", is_flag=True, help="Stop at the first file that fails.")
@json_option()
@click.pass_context
def import_(
    ctx: click.Context,
    client_id: str | None,
    files: tuple[Path, ...],
    inbox: bool,
    account: str | None,
    window: int,
    dry_run: bool,
    opening: bool,
    failfast: bool,
    as_json: bool,
) -> None:
    """Import bank and payment exports into a client's books, one commit per file.

    Each file is identified (or read with the importer of --account), categorized by the
    client's rules, de-duplicated against the ledger, merged into the month files, archived
    under documents/, checked and committed. A file that fails changes nothing; the others
    go on (unless -x). Exits with the highest code of the files that failed.
    """
    practice = practice_of(ctx)
    jobs = select_jobs(practice, client_id, files, inbox=inbox, account=account)
    repo = repo_of(practice)
    author = author_of(staff_of(ctx, practice, repo))
    batch = ImportBatch(practice, repo, author, account, window, dry_run, opening)
    reports: list[dict[str, Any]] = []
    failures: list[int] = []
    with client_progress("Importing", len(jobs)) as progress:
        for client, path in jobs:
            report: dict[str, Any] = {"file": str(path), "client": client.id}
            reports.append(report)
            progress.advance(progress.task_ids[0])
            try:
                result = batch.run(client, path)
            except BeanfirmError as exc:
                report.update(status="failed", error=str(exc))
                failures.append(exc.exit_code)
                echo(f"Error: {exc}", err=True)
                if failfast:
                    break
                continue
            status = "dry-run" if dry_run else "nothing-new" if result.nothing_new else "imported"
            report.update(status=status, commit=result.commit, **_plan_json(result.plan))
            report["backlog"] = [str(problem) for problem in result.backlog]
            if not as_json:
                _report(result, path, client, dry_run=dry_run)
    if as_json:
        echo_json(reports)
    elif inbox and not jobs:
        echo("No files waiting in the inboxes.")
    if failures:
        sys.exit(batch_exit_code(failures))
