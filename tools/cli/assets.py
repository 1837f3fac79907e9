"""`beanfirm assets CLIENT`: the fixed-asset register with each asset's book value, tied out."""

from __future__ import annotations

import datetime
import sys

import click

from beanfirm.accounts.customers import load_client
from beanfirm.cli.context import practice_of
from beanfirm.cli.output import echo, echo_json, echo_table, json_option
from beanfirm.cli.reportopts import as_of_option, ledger_note, report_date
from beanfirm.core.journal import money
from beanfirm.errors import EXIT_FINDINGS
from beanfirm.monthend.register import AssetBook, asset_book
from beanfirm.store.ledger import is_warning


@click.command()
@click.argument("client_id", metavar="CLIENT")
@as_of_option("Show the register on this day")
@json_option()
@click.pass_context
def assets(
    ctx: click.Context, client_id: str, as_of: datetime.datetime | None, as_json: bool
) -> None:
    """List a client's fixed assets: cost, depreciation, net book value, tied to the ledger.

    Reads ledgers/CLIENT/fixed-assets.yaml (docs/assets.md). Each asset's accumulated
    depreciation is what the ledger booked for it; each 累计折旧 and 固定资产 account is tied
    to the register's sum. Exits 1 when an account does not tie, naming the difference.
    """
    practice = practice_of(ctx)
    client, ledger = load_client(practice, client_id)
    through = report_date(as_of)
    book = asset_book(
        ledger.entries,
        client.id,
        practice.main_file(client.id).parent,
        through,
        currency=client.currency,
    )
    ledger_note(sum(1 for error in ledger.errors if not is_warning(error)), client.id)
    if as_json:
        echo_json(_json(book))
    else:
        _print(book)
    if not book.tied:
        sys.exit(EXIT_FINDINGS)


def _json(book: AssetBook) -> dict[str, object]:
    return {
        "client": book.client_id,
        "through": book.through.isoformat(),
        "assets": [
            {
                "asset": row.asset.id,
                "name": row.asset.name,
                "account": row.asset.account,
                "in_service": row.asset.in_service.isoformat(),
                "disposed": row.asset.disposed.isoformat() if row.asset.disposed else None,
                "method": row.asset.method,
                "life_months": row.asset.life_months,
                "cost": money(row.asset.cost),
                "salvage": money(row.asset.salvage),
                "accumulated": money(row.booked),
                "scheduled": money(row.scheduled),
                "net_book_value": money(row.net_book_value),
            }
            for row in book.rows
        ],
        "ties": [
            {
                "account": tie.account,
                "what": tie.what,
                "ledger": money(tie.ledger),
                "register": money(tie.register),
                "difference": money(tie.difference),
            }
            for tie in book.ties
        ],
        "tied": book.tied,
    }


def _print(book: AssetBook) -> None:
    if not book.rows:
        echo(f"{book.client_id} has no fixed-asset register (docs/assets.md).")
        return
    echo_table(
        f"Fixed assets of {book.client_id} on {book.through}",
        ("Asset", "Name", "In service", "Method", "Life", "Cost", "Accumulated", "Net book value"),
        [
            (
                row.asset.id + (f" (disposed {row.asset.disposed})" if row.asset.disposed else ""),
                row.asset.name,
                row.asset.in_service,
                row.asset.method,
                row.asset.life_months,
                money(row.asset.cost),
                money(row.booked)
                + ("" if row.booked == row.scheduled else f" (schedule: {money(row.scheduled)})"),
                money(row.net_book_value),
            )
            for row in book.rows
        ],
    )
    for tie in book.ties:
        if tie.difference:
            echo(
                f"Does not tie: {tie.account} holds {money(tie.ledger)} of {tie.what}, the "
                f"register {money(tie.register)}: a difference of {money(tie.difference)}. "
                "Book what is missing, or correct the register (docs/assets.md)."
            )
        else:
            echo(f"Ties: {tie.account} holds {money(tie.ledger)} of {tie.what}, as the register.")
