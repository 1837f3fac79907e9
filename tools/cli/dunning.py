"""`beanfirm dunning [CLIENT...]`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from beanfirm.accounts.dunning import dunning_json, stage_label
from beanfirm.accounts.messages import money
from beanfirm.cli.context import practice_of
from beanfirm.cli.output import echo, echo_json, echo_table, json_option
from beanfirm.cli.progress import client_progress
from beanfirm.cli.reportopts import as_of_option, report_date
from beanfirm.errors import batch_exit_code, relative_to
from beanfirm.jobs.dunning import ClientDunning, run_dunning

if TYPE_CHECKING:
    import datetime


@click.command()
@click.argument("client_ids", metavar="[CLIENT]...", nargs=-1)
@as_of_option("Chase what is open at the end of this day")
@click.option(
    "-o",
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for the drafts, one subfolder per client (default: .beanfirm/dunning/DATE/).",
)
@json_option()
@click.option("-x", "--failfast", is_flag=True, help="Stop at the first client that fails.")
@click.option(
    "-n", "--dry-run", is_flag=True, help="Check and list everything, but write no draft."
)
@click.pass_context
def dunning(
    ctx: click.Context,
    client_ids: tuple[str, ...],
    as_of: datetime.datetime | None,
    output: Path | None,
    as_json: bool,
    failfast: bool,
    dry_run: bool,
) -> None:
    """List overdue invoices with their reminder stage, and write draft reminders (.eml).

    One draft per customer with something to chase, in the customer's language, with its
    open-item statement attached as PDF. Nothing is sent. Exits 1 if any client failed (its
    drafts are then not written; with -x nothing is written).
    """
    day = report_date(as_of)
    practice = practice_of(ctx)
    registry = practice.registry
    clients = [registry.client(cid) for cid in client_ids] if client_ids else list(registry.clients)
    folder = output or practice.state_dir / "dunning" / day.isoformat()
    with client_progress("Dunning", len(clients)) as progress:
        task = progress.task_ids[0]
        results = run_dunning(
            practice,
            clients,
            day,
            folder,
            failfast=failfast,
            dry_run=dry_run,
            on_client=lambda _result: progress.advance(task),
        )
    failed = [result for result in results if result.error is not None]
    if as_json:
        echo_json({"as_of": day.isoformat(), "clients": [_json(r) for r in results]})
    else:
        _print(results, day.isoformat(), dry_run=dry_run)
    for result in failed:
        echo(f"Error: {result.client.id}: {result.error}", err=True)
    if failed:
        sys.exit(batch_exit_code(r.error.exit_code for r in failed if r.error is not None))


def _print(results: list[ClientDunning], day: str, *, dry_run: bool) -> None:
    rows = []
    styles: list[str | None] = []
    cwd = Path.cwd()
    for result in results:
        for draft in result.drafts:
            customer = draft.customer
            for index, line in enumerate(customer.lines):
                item = line.item
                rows.append(
                    [
                        result.client.id,
                        customer.party.key,
                        item.number,
                        item.due,
                        line.days if line.days > 0 else "",
                        money(item.open),
                        item.currency,
                        stage_label(line.stage, customer.stages, overdue=line.days > 0),
                        (draft.note or relative_to(draft.path, cwd)) if index == 0 else "",
                    ]
                )
                styles.append("red" if customer.is_final else None)
    if not rows:
        echo(f"Nothing to chase on {day}.")
        return
    echo_table(
        f"Dunning as of {day}",
        (
            "client",
            "customer",
            "invoice",
            "due",
            "days overdue",
            "open",
            "currency",
            "stage",
            "draft",
        ),
        rows,
        styles=styles,
    )
    drafts = sum(len(result.drafts) for result in results)
    if dry_run:
        echo(f"{drafts} draft reminder(s) would be written (--dry-run: none was).")
    else:
        echo(f"{drafts} draft reminder(s) written; nothing was sent.")


def _json(result: ClientDunning) -> dict[str, object]:
    return {
        "client": result.client.id,
        "error": str(result.error) if result.error is not None else None,
        "stages": (
            {
                "before-due": result.stages.before_due,
                "after-due": list(result.stages.after_due),
            }
            if result.stages
            else None
        ),
        "customers": [
            {
                **dunning_json(draft.customer),
                "language": draft.language,
                "draft": str(draft.path),
                "note": draft.note,
            }
            for draft in result.drafts
        ],
    }
