"""`beanfirm forecast CLIENT`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from beanfirm.accounts.customers import load_client
from beanfirm.accounts.forecast import DEFAULT_WEEKS, Forecast, check_weeks, client_forecast
from beanfirm.accounts.forecastchart import render_chart
from beanfirm.cli.context import practice_of
from beanfirm.cli.output import console, echo, echo_json, json_option, write_file
from beanfirm.cli.reportopts import (
    as_of_option,
    cells,
    chart_file_format,
    ledger_note,
    plain_table,
    report_date,
    say,
)
from beanfirm.store.ledger import is_warning

if TYPE_CHECKING:
    import datetime


@click.command(name="forecast")
@click.argument("client_id", metavar="CLIENT")
@click.option(
    "--weeks",
    type=int,
    default=DEFAULT_WEEKS,
    show_default=True,
    help="How many weeks to forecast (1 to 52).",
)
@as_of_option("Start from the cash at the end of this day")
@click.option(
    "--chart",
    "chart_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Also draw the forecast into this .png or .svg file.",
)
@json_option()
@click.pass_context
def forecast_command(
    ctx: click.Context,
    client_id: str,
    weeks: int,
    as_of: datetime.datetime | None,
    chart_path: Path | None,
    as_json: bool,
) -> None:
    """Forecast a client's cash week by week, from its bank balances and open items.

    Open invoices and bills, and recurring items found in the history, make up each week.
    Receipts come on the due date shifted by each customer's typical delay; overdue items in
    week 1. Recurring items (rent, salaries, ...) are listed with why they were recognized.
    """
    check_weeks(weeks)
    fmt = chart_file_format(chart_path)
    day = report_date(as_of)
    practice = practice_of(ctx)
    client, ledger = load_client(practice, client_id)
    result = client_forecast(ledger.entries, ledger.options, day, client, weeks=weeks)
    ledger_note(sum(1 for e in ledger.errors if not is_warning(e)), client.id)
    if chart_path is not None and fmt is not None:
        image = render_chart(result, fmt, title=client.name, language=client.language)
        write_file(chart_path, image)
    if as_json:
        echo_json({"client": client.id, **result.as_json()})
        return
    _print(client.name, result)
    if chart_path is not None:
        echo(f"Chart written to {chart_path}.")


def _print(client_name: str, result: Forecast) -> None:
    columns = ("week", "from", "to", "opening", "inflows", "outflows", "closing")
    table = plain_table(
        f"{client_name}: cash-flow forecast from {result.as_of} ({result.currency})",
        columns,
        numeric=("week", *columns[3:]),
    )
    for week in result.weeks:
        table.add_row(
            *cells(
                week.number,
                week.start,
                week.end,
                week.opening,
                week.inflows,
                week.outflows,
                week.closing,
            ),
            style="red" if week.closing < 0 else None,
        )
    console().print(table)
    cash = ", ".join(f"{account} {balance}" for account, balance in result.cash) or "none"
    say(f"Cash at the end of {result.as_of}: {result.opening} ({cash})")
    if result.recurring:
        say("Recurring items found in the history:")
        for item in result.recurring:
            say(f"  {item.payee} ({', '.join(item.accounts)}): {item.why}")
    else:
        say("No recurring items found in the history.")
    if result.not_recurring:
        say("Regular, but not counted:")
        for missed in result.not_recurring:
            accounts = ", ".join(missed.accounts)
            say(f"  {missed.payee} ({accounts}, {missed.cadence}): {missed.reason}")
    if result.later:
        total = sum(flow.amount for flow in result.later)
        say(f"After the last week: {len(result.later)} item(s), {total} {result.currency}.")
    note = f"(the forecast is in {result.currency})"
    for currency, count in result.left_out.items():
        say(f"Left out: {count} item(s) in {currency} {note}.")
    for currency, amount in result.other_cash.items():
        say(f"Left out: cash of {amount} {currency} {note}.")
