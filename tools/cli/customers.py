"""`beanfirm customers add`: a client's customer, its receivable account and master data."""

from __future__ import annotations

import datetime

import click

from beanfirm.cli.accounts import DATE, amount_of, print_written
from beanfirm.cli.context import author_of, practice_of, repo_of, staff_of
from beanfirm.jobs.chartsetup import NewCustomer, add_customer
from beanfirm.store.registry import LANGUAGES


@click.group()
def customers() -> None:
    """Add a client's customers (docs/customers.md)."""


@customers.command("add")
@click.argument("client_id")
@click.argument("name")
@click.option("--full-name", default=None, help="The customer's legal name (default: NAME).")
@click.option(
    "--terms-days", type=click.IntRange(min=0), default=None, help="Payment terms, in days."
)
@click.option(
    "--credit-limit", default=None, help="Credit limit, in the client's currency, to the cent."
)
@click.option("--email", default=None, help="Where statements and reminders go.")
@click.option(
    "--language",
    type=click.Choice(LANGUAGES),
    default=None,
    help="Language of its statements (default: the client's).",
)
@click.option(
    "--opened", type=DATE, default=None, help="Day it opens (default: the day the chart opens)."
)
@click.option(
    "--class",
    "customer_class",
    default=None,
    help="Its class (key, regular, 重点), by which `beanfirm visits` sums visit expenses.",
)
@click.option("-n", "--dry-run", is_flag=True, help="Check everything and show it; write nothing.")
@click.pass_context
def add(
    ctx: click.Context,
    client_id: str,
    name: str,
    full_name: str | None,
    terms_days: int | None,
    credit_limit: str | None,
    email: str | None,
    language: str | None,
    opened: datetime.datetime | None,
    customer_class: str | None,
    dry_run: bool,
) -> None:
    """Open the receivable account of customer NAME of CLIENT_ID, with its master data.

    NAME is the last part of the account (Acme-Robotics, 华联超市); the account goes under
    the receivable root of the client's chart (Assets:1122-应收账款 for the Chinese chart,
    Assets:Receivable for the English one), in one commit.
    """
    practice = practice_of(ctx)
    client = practice.registry.client(client_id)
    new = NewCustomer(
        name=name,
        full_name=full_name,
        terms_days=terms_days,
        credit_limit=amount_of(credit_limit, "--credit-limit") if credit_limit else None,
        email=email,
        language=language,
        opened=opened.date() if opened else None,
        customer_class=customer_class,
    )
    repo = repo_of(practice)
    author = author_of(staff_of(ctx, practice, repo))
    written = add_customer(practice, repo, client, new, author=author, dry_run=dry_run)
    account = written.value.account
    print_written(written, f"Opened {account}", f"would open {account}")
