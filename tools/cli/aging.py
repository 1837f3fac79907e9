"""`beanfirm aging CLIENT`."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from beanfirm.accounts.aging import DEFAULT_BUCKETS, Aged, Aging, age_items, parse_buckets
from beanfirm.accounts.customers import client_book, select_party
from beanfirm.cli.context import practice_of
from beanfirm.cli.output import console, echo_json, json_option
from beanfirm.cli.reportopts import (
    as_of_option,
    cells,
    customer_option,
    ledger_note,
    plain_table,
    report_date,
    say,
)

if TYPE_CHECKING:
    import datetime

DEFAULT_BUCKETS_TEXT = ",".join(str(limit) for limit in DEFAULT_BUCKETS)


@click.command()
@click.argument("client_id", metavar="CLIENT")
@click.option("--payables", is_flag=True, help="Age the payables (bills) instead of receivables.")
@as_of_option("Age the items open at the end of this day")
@click.option(
    "--buckets",
    default=DEFAULT_BUCKETS_TEXT,
    show_default=True,
    help="Upper limits of the past-due buckets in days, increasing, separated by commas.",
)
@customer_option("Only this customer (or vendor): its account, last component or `name:`.")
@click.option("--summary", is_flag=True, help="One row per customer, without the invoices.")
@json_option()
@click.pass_context
def aging(
    ctx: click.Context,
    client_id: str,
    payables: bool,
    as_of: datetime.datetime | None,
    buckets: str,
    customer: str | None,
    summary: bool,
    as_json: bool,
) -> None:
    """Age a client's open invoices (or bills) by due date, per customer and invoice.

    Buckets: Current (not yet due), then days past due (1-30, 31-60, 61-90, 91+ by default).
    Unapplied credits have a column of their own; each total equals the account's balance.
    """
    limits = parse_buckets(buckets)
    day = report_date(as_of)
    practice = practice_of(ctx)
    books = client_book(practice, client_id, "payables" if payables else "receivables")
    party = None
    if customer is not None:
        party = select_party(books.ledger, books.book, customer, books.client.id).account
    report = age_items(books.book, day, limits, party=party, root=practice.root)
    ledger_note(books.errors, books.client.id)
    if as_json:
        echo_json({"client": books.client.id, **report.as_json()})
        return
    _print(books.client.name, report, summary=summary)


def _print(client_name: str, report: Aging, *, summary: bool) -> None:
    if not report.parties:
        say(f"No open {report.side} on {report.as_of}.")
        return
    what = "receivables" if report.side == "receivables" else "payables"
    who = "customer / invoice" if report.side == "receivables" else "vendor / bill"
    detail = () if summary else ("date", "due", "days")
    amounts = (*report.labels, "credits", "total")
    table = plain_table(
        f"{client_name}: {what} aging as of {report.as_of}",
        (who, *detail, *amounts, "currency"),
        numeric=amounts,
    )
    blank = ("",) * len(detail)
    for row in report.parties:
        for currency, aged in row.totals.items():
            table.add_row(
                *cells(row.party.name, *blank, *_amounts(aged), aged.total, currency),
                style="bold",
            )
        if summary:
            continue
        for line in row.lines:
            buckets: list[object] = [""] * len(report.labels)
            if line.bucket is not None:
                buckets[line.bucket] = line.open
            label = line.number or ("unapplied credit" if line.kind == "credit" else "no number")
            mark = "*" if line.due_from not in (None, "due") else ""
            table.add_row(
                *cells(
                    f"  {label}",
                    line.date,
                    "" if line.due is None else f"{line.due}{mark}",
                    line.days_overdue or "",
                    *buckets,
                    line.open if line.kind == "credit" else "",
                    "",
                    line.currency,
                )
            )
    for currency, aged in report.totals.items():
        table.add_row(*cells("total", *blank, *_amounts(aged), aged.total, currency), style="bold")
    console().print(table)
    if not summary and any(
        line.due_from not in (None, "due") for row in report.parties for line in row.lines
    ):
        say(
            "* no `due:` on the entry: due after the terms-days of the open directive "
            "(without them, on its date)."
        )


def _amounts(aged: Aged) -> list[object]:
    """Return the bucket amounts and the credits, blank where zero."""
    return [amount or "" for amount in (*aged.buckets, aged.credits)]
