"""`beanfirm status`."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

import click
from rich.text import Text

from beanfirm.cli.context import practice_of, repo_of
from beanfirm.cli.filters import filter_options, select_clients
from beanfirm.cli.output import echo, echo_json, echo_table, json_option
from beanfirm.cli.progress import checked
from beanfirm.core.terminal import plain
from beanfirm.errors import EXIT_FINDINGS
from beanfirm.firm.board import STAGES, BoardRow, board_rows
from beanfirm.firm.status import StatusRow, overdue_only, status_rows
from beanfirm.monthend.closing import parse_period
from beanfirm.review.pending import standing_returns
from beanfirm.store.uploads import inbox_counts

if TYPE_CHECKING:
    from beanfirm.accounts.aging import Overdue
    from beanfirm.firm.filters import ClientFilter
    from beanfirm.monthend.checklist import Item
    from beanfirm.reconcile.status import ReconciliationStatus
    from beanfirm.store.approvals import Returned
    from beanfirm.store.practice import Practice
    from beanfirm.store.registry import Client

OVERDUE_ALERT_DAYS = 30  # receivables past due longer than this are shown in red


@click.command()
@filter_options
@json_option()
@click.option(
    "--overdue",
    is_flag=True,
    help="Only what needs work: clients with an account overdue for reconciliation (only those "
    "accounts) or with invoices past due; with --period, the clients past a deadline.",
)
@click.option(
    "--period",
    "period_text",
    metavar="YYYY-MM",
    help="The month board instead: each client's place in the month's pipeline, with the "
    "deadlines (docs/status.md#the-month-board).",
)
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=1),
    default=None,
    help="Worker processes for ledgers not in the cache.",
)
@click.pass_context
def status(
    ctx: click.Context,
    client_filter: ClientFilter,
    as_json: bool,
    overdue: bool,
    period_text: str | None,
    jobs: int | None,
) -> None:
    """Show the firm dashboard: one row per client, with the same filters as `clients list`.

    Each row shows how far each reconciled account is reconciled (overdue ones in red) and the
    invoices past due; with --period, the month board: exports received, booked, reconciled,
    approved, closed, statements issued, and the deadlines (overdue in red).
    Exits 1 if any client shown has ledger errors.
    """
    practice = practice_of(ctx)
    repo = repo_of(practice)
    clients = select_clients(practice, client_filter)
    if period_text is not None:
        _board(practice, clients, period_text, as_json=as_json, overdue=overdue, jobs=jobs)
        return
    interval = practice.registry.firm.review_interval_days
    results = checked(practice, repo, clients, jobs=jobs)
    rows = status_rows(clients, results, review_interval=interval)
    if overdue:
        rows = overdue_only(rows)
    sent_back = standing_returns(repo, [row.client.id for row in rows])
    if as_json:
        echo_json([_row_json(practice, row, sent_back.get(row.client.id)) for row in rows])
    elif overdue and not rows:
        echo("No client shown is overdue for reconciliation or has invoices past due.")
    else:
        _print_table(practice.registry.firm.name, rows)
        for client_id, back in sent_back.items():
            echo(
                f"Sent back: {client_id}, by {back.reviewer} on {back.when.date()}: {back.note} "
                "(shown until new commits or an approval)"
            )
        _print_received(practice, rows)
        stopped = repo.operation_in_progress()
        if stopped is not None:  # every write refuses meanwhile: say so before one does
            echo(f"Writes are refused: {stopped.state}. {stopped.remedy}.")
        for row in rows:
            if row.reviews_due:
                echo(
                    f"Review due (every {interval} days): {row.client.id}: "
                    f"{'; '.join(row.reviews_due)}; check them with the client, then "
                    f"`beanfirm clients verify {row.client.id}`."
                )
    if any(row.errors for row in rows):
        sys.exit(EXIT_FINDINGS)


def _print_received(practice: Practice, rows: list[StatusRow]) -> None:
    """Say what clients sent that waits in their inboxes (uploads through the portal)."""
    for row in rows:
        exports, papers = inbox_counts(practice.root, row.client.id)
        if exports or papers:
            echo(
                f"Received, waiting in the inbox: {row.client.id}: {exports} export(s), "
                f"{papers} receipt(s) or invoice(s); import the exports (`beanfirm import "
                f"{row.client.id} --inbox`), file the receipts (`beanfirm documents attach`)."
            )


def _board(
    practice: Practice,
    clients: list[Client],
    period_text: str,
    *,
    as_json: bool,
    overdue: bool,
    jobs: int | None,
) -> None:
    """Show the month board; with --overdue, only the clients past a deadline."""
    period = parse_period(period_text)
    repo = repo_of(practice)
    results = checked(practice, repo, clients, jobs=jobs)
    rows = board_rows(practice.registry, repo, clients, results, period)
    if overdue:
        rows = [row for row in rows if row.overdue]
    if as_json:
        echo_json([row.as_json() for row in rows])
    elif overdue and not rows:
        echo(f"No client shown is past a deadline for {period.label}.")
    else:
        _print_board(practice.registry.firm.name, period.label, rows)
        for row in rows:
            step = row.next_step()
            if step is not None:
                echo(f"{row.client.id}: {step.name}: {step.found}. To do: {step.todo}.")
    if any(row.errors for row in rows):
        sys.exit(EXIT_FINDINGS)


def _stage_cell(item: Item, inbox: int) -> Text:
    """Show a stage as a word: `yes`, else `no` (`inbox N` for exports received, not imported)."""
    if item.passed:
        return Text("yes")
    if item.name == "received" and inbox:
        return Text(f"inbox {inbox}", style="yellow")
    return Text("no")


def _deadline_cells(row: BoardRow) -> list[Text]:
    cells = []
    for what in ("close", "statements"):
        deadline = next((d for d in row.deadlines if d.what == what), None)
        if deadline is None:
            cells.append(Text(""))
        elif deadline.overdue:
            cells.append(Text(f"{deadline.day} overdue", style="bold red"))
        else:
            cells.append(Text(f"{deadline.day}" + (" done" if deadline.met else "")))
    return cells


def _print_board(firm_name: str, label: str, rows: list[BoardRow]) -> None:
    """Print the month board; rows with errors in red, rows past a deadline in yellow."""
    table = [
        [
            row.client.id,
            row.client.preparer,
            row.client.reviewer,
            row.errors,
            *(_stage_cell(item, row.inbox) for item in row.stages),
            *_deadline_cells(row),
        ]
        for row in rows
    ]
    styles = ["red" if r.errors else ("yellow" if r.overdue else None) for r in rows]
    echo_table(
        f"{firm_name}: {label}",
        ("client", "preparer", "reviewer", "errors", *STAGES, "close by", "statements by"),
        table,
        styles=styles,
    )


def _row_json(practice: Practice, row: StatusRow, back: Returned | None) -> dict[str, Any]:
    """Return a row as JSON with what waits in the inbox; a change sent back adds `sent_back`."""
    data = row.as_json()
    exports, papers = inbox_counts(practice.root, row.client.id)
    data["inbox"] = {"exports": exports, "papers": papers}
    if back is not None:
        data["sent_back"] = {"by": back.reviewer, "when": back.when.isoformat(), "note": back.note}
    return data


def _print_table(firm_name: str, rows: list[StatusRow]) -> None:
    """Print the dashboard; red rows have errors, yellow rows work awaiting categorization."""
    table = [
        [
            r.client.id,
            r.client.preparer,
            r.client.reviewer,
            r.client.classification.industry,
            r.client.classification.frequency,
            r.client.classification.size,
            r.client.classification.region,
            r.last_entry,
            r.transactions,
            r.errors,
            r.uncategorized,
            r.anomalies,
            _reconciled(r.reconciliations),
            _receivables(r.receivables),
        ]
        for r in rows
    ]
    styles = ["red" if r.errors else ("yellow" if r.uncategorized else None) for r in rows]
    echo_table(
        f"{firm_name}: status",
        (
            "client",
            "preparer",
            "reviewer",
            "industry",
            "frequency",
            "size",
            "region",
            "last entry",
            "transactions",
            "errors",
            "uncategorized",
            "anomalies",
            "reconciled through",
            "past due",
        ),
        table,
        styles=styles,
    )


def _reconciled(items: tuple[ReconciliationStatus, ...]) -> Text:
    """One line per reconciled account: its last name part and date; overdue ones in red."""
    text = Text()
    for index, item in enumerate(items):
        name = _short_name(item.account, [other.account for other in items])
        through = item.through.isoformat() if item.through else "never"
        if index:
            text.append("\n")
        if item.overdue:
            text.append(plain(f"{name} {through} (overdue: due {item.due})"), style="bold red")
        else:
            text.append(plain(f"{name} {through}"))
    return text


def _receivables(overdue: Overdue | None) -> Text:
    """Overdue invoices: how many, how much, the oldest; in red past 30 days."""
    if overdue is None or not overdue.count:
        return Text()
    amounts = ", ".join(f"{amount:,} {currency}" for currency, amount in overdue.amounts.items())
    text = f"{overdue.count} · {amounts} · {overdue.oldest_days} d"
    return Text(text, style="bold red" if overdue.oldest_days > OVERDUE_ALERT_DAYS else "")


def _short_name(account: str, accounts: list[str]) -> str:
    """Return the fewest last components of an account that no other account ends with."""
    parts = account.split(":")
    for count in range(1, len(parts) + 1):
        tail = ":".join(parts[-count:])
        if not any(other != account and other.endswith(":" + tail) for other in accounts):
            return tail
    return account
