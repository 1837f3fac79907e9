"""`beanfirm reconcile CLIENT --account ACCOUNT (--statement FILE | --balance AMOUNT --date D)`."""

from __future__ import annotations

import datetime
import sys
from pathlib import Path

import click

from beanfirm.cli.context import author_of, practice_of, repo_of, staff_of
from beanfirm.cli.output import echo, echo_json, json_option
from beanfirm.core.journal import money
from beanfirm.errors import EXIT_FINDINGS
from beanfirm.jobs.reconciling import (
    ALREADY,
    DEFAULT_WINDOW_DAYS,
    ReconcileResult,
    read_request,
    run_reconcile,
)
from beanfirm.reconcile.comparison import DIFFERS, RECONCILED, Comparison
from beanfirm.reconcile.differences import kinds_text
from beanfirm.reconcile.report import report_data


def _figures(comparison: Comparison) -> list[str]:
    currency = comparison.currency
    period = comparison.period
    rows = []
    if period.opening is not None:
        rows.append(
            f"  opening {comparison.start}: statement {money(period.opening)}, ledger "
            f"{money(comparison.ledger_opening)}, difference "
            f"{money(period.opening - comparison.ledger_opening)} {currency}"
        )
    else:
        rows.append(
            f"  ledger balance at the start of {comparison.start}: "
            f"{money(comparison.ledger_opening)} {currency}"
        )
    rows.append(
        f"  closing {comparison.end}: statement {money(period.closing)}, ledger "
        f"{money(comparison.ledger_closing)}, difference {money(comparison.difference)} "
        f"{currency}"
    )
    return rows


def _differences(comparison: Comparison, root: Path) -> list[str]:
    rows = []
    for item in comparison.differences:
        where = []
        if item.line is not None:
            where.append(f"statement line {item.line.line}")
        if item.posting is not None:
            where.append(item.posting.location.shown(root))
        head = f"  {item.date} {item.kind:<11} effect {money(item.effect):>12}"
        if item.amount is not None:
            head += f"  {money(item.amount)} {item.description}".rstrip()
        rows.append(head)
        rows.append(f"      {item.cause}" + (f" [{'; '.join(where)}]" if where else ""))
    return rows


def _print(result: ReconcileResult, root: Path, *, dry_run: bool) -> None:
    comparison = result.comparison
    period = comparison.period
    echo(
        f"Reconciliation of {comparison.account} from {comparison.start} to {comparison.end} "
        f"against {period.source}:"
    )
    if comparison.has_lines:
        postings = len(comparison.outstanding)
        echo(
            f"  {len(period.lines)} statement lines: {len(comparison.matches)} matched, "
            f"{len(comparison.lines_not_in_ledger)} not in the ledger; {postings} ledger "
            f"posting{'' if postings == 1 else 's'} not on the statement"
        )
    for row in _figures(comparison):
        echo(row)
    if comparison.differences:
        title = "Differences" if comparison.has_lines else "Possible causes"
        echo(f"{title} (effect on the closing difference, statement minus ledger):")
        for row in _differences(comparison, root):
            echo(row)
    _print_outcome(result, dry_run=dry_run)


def _not_reconciled(comparison: Comparison) -> str:
    """Say why nothing was written: the difference, or the items that cancel out, and what to do."""
    if comparison.difference != 0:
        head = (
            f"Not reconciled: a difference of {money(comparison.difference)} {comparison.currency}."
        )
        whole = "The whole difference is"
    else:
        head = (
            "Not reconciled: the closing balances agree, but only because differences cancel "
            f"out ({kinds_text(comparison.items)})."
        )
        whole = "They are all"
    if comparison.outstanding_only():
        return (
            f"{head} {whole} outstanding items: if they are right, accept them with "
            "--accept-outstanding."
        )
    return f"{head} Correct the ledger (or the statement) and run the command again."


def _print_outcome(result: ReconcileResult, *, dry_run: bool) -> None:
    comparison = result.comparison
    outcome = result.outcome
    if outcome == ALREADY:
        echo(
            f"Reconciled already: the ledger asserts this closing balance in {result.existing}. "
            "Nothing was written."
        )
        return
    if outcome == DIFFERS:
        echo(f"{_not_reconciled(comparison)} Nothing was written.")
        return
    what = "Would write" if dry_run else "Wrote"
    echo(f"{what} in {'the month file' if dry_run else 'the ledger'}:\n")
    for text in (*result.documents, result.assertion or ""):
        echo(text)
    if result.statement:
        echo(f"  statement archived as {result.statement}")
    for report in result.reports:
        echo(f"  report {report}")
    if dry_run:
        echo("Dry run: nothing was written.")
    else:
        verb = "Reconciled" if outcome == RECONCILED else "Reconciled with outstanding items"
        echo(f"{verb}. Commit {(result.commit or '')[:10]}.")


@click.command()
@click.argument("client_id")
@click.option(
    "--account", required=True, help="The account to reconcile (in full, or its last components)."
)
@click.option(
    "--statement",
    type=click.Path(path_type=Path, dir_okay=False),
    help="The statement file, read by the account's importer (clients.yaml).",
)
@click.option(
    "--balance",
    help="The statement's closing balance: without --statement, a paper statement's; with it, "
    "for an export that states none.",
)
@click.option(
    "--date",
    "through",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="The statement's last day (YYYY-MM-DD): required with --balance alone; with "
    "--statement, a day later than its last line.",
)
@click.option(
    "--accept-outstanding",
    is_flag=True,
    help="Accept a difference made only of outstanding items (timing), and write the assertion.",
)
@click.option(
    "--window",
    type=click.IntRange(0, 31),
    default=DEFAULT_WINDOW_DAYS,
    show_default=True,
    help="Days a statement line and its ledger entry may be apart.",
)
@click.option(
    "-n", "--dry-run", is_flag=True, help="Compare and show what would be written; write nothing."
)
@json_option()
@click.pass_context
def reconcile(
    ctx: click.Context,
    client_id: str,
    account: str,
    statement: Path | None,
    balance: str | None,
    through: datetime.datetime | None,
    accept_outstanding: bool,
    window: int,
    dry_run: bool,
    as_json: bool,
) -> None:
    """Reconcile a client's account against a statement; write the balance assertion.

    Matches the statement's lines to the ledger one-to-one (import-id, then amount and date,
    then payee), explains every difference, and when there is none (or only outstanding
    items you accept) writes the balance assertion, files the statement and the report under
    documents/ and commits. Exits 1, writing nothing, when they differ.
    """
    practice = practice_of(ctx)
    client = practice.registry.client(client_id)
    request = read_request(
        practice,
        client,
        account,
        statement=statement,
        balance=balance,
        through=through.date() if through else None,
        window=window,
        accept_outstanding=accept_outstanding,
    )
    repo = repo_of(practice)
    staff = staff_of(ctx, practice, repo)
    result = run_reconcile(
        practice, repo, request, author=author_of(staff), staff_id=staff.id, dry_run=dry_run
    )
    if as_json:
        data = {
            "client": client.id,
            "outcome": result.outcome,
            "dry_run": dry_run,
            "commit": result.commit,
            "assertion": result.assertion,
            "documents": list(result.documents),
            "statement_archive": result.statement,
            "reports": list(result.reports),
            "existing": result.existing,
            **report_data(result.comparison, practice.root),
        }
        echo_json(data)
    else:
        _print(result, practice.root, dry_run=dry_run)
    if result.outcome == DIFFERS:
        sys.exit(EXIT_FINDINGS)
