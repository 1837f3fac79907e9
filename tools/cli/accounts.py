"""`beanfirm accounts add`: a client's bank, card, payment or cash account, by command."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import click

from beanfirm.cli.context import author_of, practice_of, repo_of, staff_of
from beanfirm.cli.output import echo
from beanfirm.errors import UsageError
from beanfirm.importers import IMPORTER_NAMES
from beanfirm.importers.amounts import AmountError, plain_amount
from beanfirm.jobs.chartsetup import NewAccount, add_account
from beanfirm.store.registry import ACCOUNT_KINDS
from beanfirm.store.writes import Written

DATE = click.DateTime(["%Y-%m-%d"])


def amount_of(text: str, option: str) -> Decimal:
    """Read a money amount given on the command line (`86400.00`, `-1,250.50`) as a Decimal.

    As the importers read an amount cell (`beanfirm.importers.amounts.plain_amount`): what
    half-parses (`49.767,23`, `4,9767.23`, `1e3`) is refused, never guessed. The number alone:
    the command knows the currency.
    """
    try:
        return plain_amount(text)
    except AmountError:
        msg = f"{option} '{text}' is not an amount; write it like 86400.00, 86,400.00 or -1250.50."
        raise UsageError(msg) from None


def print_written(written: Written[Any], done: str, dry: str) -> None:
    """Print what a write wrote, or would write in a dry run."""
    if written.commit is None:
        echo(f"Dry run: {dry}, writing:")
    else:
        echo(f"{done} (commit {written.commit[:10]}):")
    for path in written.paths:
        echo(f"  {path}")


@click.group()
def accounts() -> None:
    """Add a client's bank, card, payment and cash accounts (docs/accounts.md)."""


@accounts.command("add")
@click.argument("client_id")
@click.argument("account")
@click.option(
    "--importer",
    required=True,
    help=f"The importer its exports are read with: {', '.join(IMPORTER_NAMES)}.",
)
@click.option(
    "--kind",
    type=click.Choice(ACCOUNT_KINDS),
    default=None,
    help="bank, credit-card, payment or cash (default: credit-card under Liabilities, else bank).",
)
@click.option("--number", default=None, help="The account or card number on its statements.")
@click.option("--currency", default=None, help="Its currency (default: the client's).")
@click.option(
    "--opened", type=DATE, default=None, help="Day it opens (default: the day the chart opens)."
)
@click.option("--opening", default=None, help="Its opening balance (期初余额), at the end of --on.")
@click.option("--on", "on", type=DATE, default=None, help="The day of the opening balance.")
@click.option("-n", "--dry-run", is_flag=True, help="Check everything and show it; write nothing.")
@click.pass_context
def add(
    ctx: click.Context,
    client_id: str,
    account: str,
    importer: str,
    kind: str | None,
    number: str | None,
    currency: str | None,
    opened: datetime.datetime | None,
    opening: str | None,
    on: datetime.datetime | None,
    dry_run: bool,
) -> None:
    """Register ACCOUNT of CLIENT_ID for imports, open it and book its opening balance.

    Adds the account to the client's `accounts:` in clients.yaml, its `open` directive (with
    the client's reconcile cadence) to accounts.beancount unless the chart opens it already,
    and with --opening and --on the opening balance against Equity:Opening-Balances and its
    balance assertion on the next day, all in one commit.
    """
    practice = practice_of(ctx)
    client = practice.registry.client(client_id)
    new = NewAccount(
        account=account,
        kind=kind or ("credit-card" if account.startswith("Liabilities:") else "bank"),
        importer=importer,
        number=number,
        currency=currency,
        opened=opened.date() if opened else None,
        opening=amount_of(opening, "--opening") if opening is not None else None,
        on=on.date() if on else None,
    )
    repo = repo_of(practice)
    author = author_of(staff_of(ctx, practice, repo))
    written = add_account(practice, repo, client, new, author=author, dry_run=dry_run)
    print_written(written, f"Added {account} to {client_id}", f"would add {account} to {client_id}")
