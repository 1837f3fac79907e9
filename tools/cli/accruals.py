"""`beanfirm accruals CLIENT --period YYYY-MM`: the accruals the close would book, read only."""

from __future__ import annotations

import click

from beanfirm.accounts.customers import load_client
from beanfirm.cli.context import practice_of
from beanfirm.cli.output import echo, echo_json, echo_table, json_option
from beanfirm.cli.reportopts import ledger_note
from beanfirm.core.journal import money, txn_text
from beanfirm.monthend.accruals import plan_accruals
from beanfirm.monthend.closing import parse_period
from beanfirm.store.ledger import is_warning


@click.command()
@click.argument("client_id", metavar="CLIENT")
@click.option("--period", "period_text", required=True, help="The month, YYYY-MM.")
@json_option()
@click.pass_context
def accruals(ctx: click.Context, client_id: str, period_text: str, as_json: bool) -> None:
    """Show a month's accruals (计提) that the close books, and those it leaves out, with why.

    Depreciation of each asset of ledgers/CLIENT/fixed-assets.yaml, then each template of
    ledgers/CLIENT/accruals.yaml (docs/accruals.md). Writes nothing: `beanfirm close` books them.
    """
    practice = practice_of(ctx)
    period = parse_period(period_text)
    client, ledger = load_client(practice, client_id)
    client_dir = practice.main_file(client.id).parent
    plan = plan_accruals(ledger.entries, client, client_dir, period)
    ledger_note(sum(1 for error in ledger.errors if not is_warning(error)), client.id)
    if as_json:
        echo_json(
            {
                "client": client.id,
                "period": period.label,
                "accruals": [
                    {
                        "accrual": found.key,
                        "kind": found.kind,
                        "amount": money(found.amount),
                        "book": found.entry is not None,
                        "note": found.note,
                        "source": found.source.location(),
                        "entry": txn_text(found.entry) if found.entry else None,
                    }
                    for found in plan.accruals
                ],
            }
        )
        return
    if not plan.accruals:
        echo(
            f"{client.id} has no fixed-asset register and no accrual templates: nothing to "
            "accrue (docs/accruals.md)."
        )
        return
    echo_table(
        f"Accruals of {client.id} for {period.label}",
        ("Accrual", "Kind", "Amount", "Booked by the close"),
        [
            (
                found.key,
                found.kind,
                money(found.amount),
                ("yes" + (f" ({found.note})" if found.note else ""))
                if found.entry
                else f"no: {found.note}",
            )
            for found in plan.accruals
        ],
    )
    if plan.entries:
        echo("\nThe close would book:")
        for txn in plan.entries:
            echo(txn_text(txn))
