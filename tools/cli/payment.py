"""`beanfirm payment CLIENT NUMBER`: a payment of an invoice or bill, in full or in part."""

from __future__ import annotations

import datetime

import click

from beanfirm.cli.accounts import DATE, amount_of, print_written
from beanfirm.cli.context import author_of, practice_of, repo_of, staff_of
from beanfirm.cli.output import echo_json, json_option
from beanfirm.jobs.invoicing import NewPayment, record_payment


@click.command()
@click.argument("client_id", metavar="CLIENT")
@click.argument("number")
@click.option("--amount", required=True, help="What was paid (at most what is still open).")
@click.option("--date", "day", type=DATE, required=True, help="The day the money moved.")
@click.option(
    "--account", required=True, help="The bank, cash or payment account the money moved through."
)
@click.option("--narration", default=None, help="The entry's narration.")
@click.option("-n", "--dry-run", is_flag=True, help="Check everything and show it; write nothing.")
@json_option()
@click.pass_context
def payment(
    ctx: click.Context,
    client_id: str,
    number: str,
    amount: str,
    day: datetime.datetime,
    account: str,
    narration: str | None,
    dry_run: bool,
    as_json: bool,
) -> None:
    """Record a payment of invoice (or bill) NUMBER of CLIENT, linked to it, in one commit.

    NUMBER is an invoice's (INV-...) or a bill's (BILL-...). A payment of more than is still
    open on it is refused; a part payment leaves the rest open, as aging and statements show.
    """
    new = NewPayment(number, amount_of(amount, "--amount"), day.date(), account, narration)
    practice = practice_of(ctx)
    client = practice.registry.client(client_id)
    repo = repo_of(practice)
    author = author_of(staff_of(ctx, practice, repo))
    written = record_payment(practice, repo, client, new, author=author, dry_run=dry_run)
    paid = written.value
    if as_json:
        echo_json(
            {
                "number": paid.number,
                "party": paid.party,
                "amount": str(paid.amount),
                "currency": paid.currency,
                "total": str(paid.total),
                "outstanding": str(paid.outstanding),
                "commit": written.commit,
                "paths": list(written.paths),
            }
        )
        return
    state = "paid in full" if paid.outstanding == 0 else f"{paid.outstanding} still open"
    head = f"payment of {paid.amount} {paid.currency} on {paid.number} ({state})"
    print_written(written, f"Recorded {head}", f"would record {head}")
