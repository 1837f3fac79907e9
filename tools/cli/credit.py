"""`beanfirm credit CLIENT`."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from beanfirm.accounts.credit import RULES, Rating, Worth, rate_customers
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

GRADE_STYLES = {"A": "green", "B": None, "C": "yellow", "D": "red"}


@click.command()
@click.argument("client_id", metavar="CLIENT")
@as_of_option("Rate on the payment history up to the end of this day")
@customer_option("Only this customer: its account, last component or `name:`.")
@json_option()
@click.pass_context
def credit(
    ctx: click.Context,
    client_id: str,
    as_of: datetime.datetime | None,
    customer: str | None,
    as_json: bool,
) -> None:
    """Rate each customer A/B/C/D from its payment history, and show how.

    Four factors give points: days to pay (weighted by amount, measured from the due date),
    share paid late, the oldest invoice overdue now, and the trend of the last 3 months. The
    balance is shown against the customer's credit-limit. Rules: docs/credit.md.
    """
    day = report_date(as_of)
    practice = practice_of(ctx)
    books = client_book(practice, client_id, "receivables")
    party = None
    if customer is not None:
        party = select_party(books.ledger, books.book, customer, books.client.id).account
    worth = Worth.of_ledger(books.ledger.entries, books.client.currency)
    ratings = rate_customers(books.book, day, worth, party=party)
    ledger_note(books.errors, books.client.id)
    if as_json:
        echo_json(
            {
                "client": books.client.id,
                "as_of": day.isoformat(),
                "rules": RULES.as_json(),
                "customers": [rating.as_json() for rating in ratings],
            }
        )
        return
    if not ratings:
        say(f"{books.client.id} has no customer accounts to rate.")
        return
    _print(f"{books.client.name}: credit ratings as of {day}", ratings)


def _print(title: str, ratings: list[Rating]) -> None:
    columns = (
        "customer",
        "rating",
        "points",
        "days to pay",
        "paid late",
        "overdue now",
        "trend",
        "balance",
        "credit limit",
        "headroom",
    )
    table = plain_table(title, columns, numeric=columns[2:])
    for rating in ratings:
        values = {factor.key: factor for factor in rating.factors}
        exposure = rating.exposure
        balance = ", ".join(f"{n} {c}" for c, n in exposure.balance.items()) or "0"
        table.add_row(
            *cells(
                rating.party.name,
                rating.grade,
                rating.points,
                _value(values["days_to_pay"].value, " d late"),
                _value(values["paid_late"].value, "%"),
                _value(values["overdue_now"].value, " d"),
                _value(values["trend"].value, " d", signed=True),
                balance,
                "" if exposure.limit is None else f"{exposure.limit} {exposure.currency}",
                exposure.headroom,
            ),
            style=GRADE_STYLES[rating.grade],
        )
    console().print(table)
    for rating in ratings:
        say(f"\n{rating.party.name}: {rating.grade} ({rating.points} points)")
        for factor in rating.factors:
            say(f"  {factor.name}: {factor.shown}; {factor.rule}")
        for note in rating.notes:
            say(f"  {note}")
        exposure = rating.exposure
        if exposure.limit is not None:
            say(
                f"  Credit limit {exposure.limit} {exposure.currency}: headroom "
                f"{exposure.headroom} {exposure.currency} ({exposure.used}% used)"
            )
    grades = ", ".join(f"{grade} up to {most} points" for most, grade in RULES.grades)
    say(f"\nGrades: {grades}, D above. Rules: docs/credit.md.")


def _value(value: object, unit: str, *, signed: bool = False) -> str:
    if value is None:
        return "-"
    text = f"{value:+}" if signed and not str(value).startswith("-") else str(value)
    return f"{text}{unit}"
