"""Options and notes shared by the customer-account reports (aging, credit, forecast)."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

import click
from rich.table import Table

from beanfirm.accounts.customers import today
from beanfirm.accounts.forecastchart import ChartFormat, chart_format
from beanfirm.cli.output import cell, console
from beanfirm.core.terminal import plain_lines
from beanfirm.errors import UsageError

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from pathlib import Path

    from rich.text import Text

    Decorator = Callable[[Callable[..., Any]], Callable[..., Any]]


def as_of_option(help_text: str) -> Decorator:
    """Return the --as-of option: a report date, YYYY-MM-DD, today by default."""
    return click.option(
        "--as-of",
        type=click.DateTime(["%Y-%m-%d"]),
        default=None,
        help=f"{help_text}, YYYY-MM-DD (default: today).",
    )


def customer_option(help_text: str) -> Decorator:
    """Return the --customer option."""
    return click.option("--customer", metavar="NAME", default=None, help=help_text)


def report_date(value: datetime.datetime | None) -> datetime.date:
    """Return the --as-of date, or today."""
    return value.date() if value is not None else today()


def ledger_note(errors: int, client_id: str) -> None:
    """Warn on stderr that a ledger with errors may give incomplete figures."""
    if errors:
        click.echo(
            f"Note: the ledger of {client_id} has {errors} error(s); the figures may be "
            f"incomplete. Run `beanfirm check {client_id}` to see them.",
            err=True,
        )


def say(text: str) -> None:
    """Print a line as it is: account names like `Assets:Bank:CMB` are not emoji codes."""
    console().print(plain_lines(text), markup=False, emoji=False, highlight=False)


def plain_table(title: str, columns: Sequence[str], *, numeric: Sequence[str] = ()) -> Table:
    """Return a table whose cells are printed as they are (no markup, no emoji codes)."""
    table = Table(title=cell(title), header_style="bold")
    for column in columns:
        table.add_column(
            cell(column), justify="right" if column in numeric else "left", no_wrap=True
        )
    return table


def cells(*values: object) -> list[Text]:
    """Return table cells for values: text as it is, None as empty, controls replaced."""
    return [cell(value) for value in values]


def chart_file_format(chart_path: Path | None) -> ChartFormat | None:
    """Return the format a --chart file asks for (None: no chart); refuse a bad name or folder."""
    if chart_path is None:
        return None
    fmt = chart_format(chart_path.name)
    if fmt is None:
        msg = (
            f"--chart {chart_path}: the chart is drawn as PNG or SVG; give a file name ending "
            "in .png or .svg."
        )
        raise UsageError(msg)
    if not chart_path.parent.is_dir():
        msg = f"--chart {chart_path}: the folder {chart_path.parent} does not exist."
        raise UsageError(msg)
    return fmt
