"""`beanfirm status`."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import click

from beanfirm.cli.context import practice_of, repo_of
from beanfirm.cli.filters import filter_options, select_clients
from beanfirm.cli.output import echo_json, echo_table, json_option
from beanfirm.cli.progress import checked
from beanfirm.errors import EXIT_FINDINGS
from beanfirm.status import StatusRow, status_rows

if TYPE_CHECKING:
    from beanfirm.filters import ClientFilter


@click.command()
@filter_options
@json_option()
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=1),
    default=None,
    help="Worker processes for ledgers not in the cache.",
)
@click.pass_context
def status(
    ctx: click.Context, client_filter: ClientFilter, as_json: bool, jobs: int | None
) -> None:
    """Show the firm dashboard: one row per client, with the same filters as `clients list`.

    Exits 1 if any client shown has ledger errors.
    """
    practice = practice_of(ctx)
    repo = repo_of(practice)
    clients = select_clients(practice, client_filter)
    rows = status_rows(clients, checked(practice, repo, clients, jobs=jobs))
    if as_json:
        echo_json([row.as_json() for row in rows])
    else:
        _print_table(practice.registry.firm.name, rows)
    if any(row.errors for row in rows):
        sys.exit(EXIT_FINDINGS)


def _print_table(firm_name: str, rows: list[StatusRow]) -> None:
    """Print the dashboard; red rows have errors, yellow rows work awaiting categorization."""
    table = [
        [
            r.client.id,
            r.client.preparer,
            r.client.reviewer,
            r.client.classification.industry,
            r.client.classification.frequency,
            r.client.classification.size,
            r.client.classification.region,
            r.last_entry,
            r.transactions,
            r.errors,
            r.uncategorized,
        ]
        for r in rows
    ]
    styles = ["red" if r.errors else ("yellow" if r.uncategorized else None) for r in rows]
    echo_table(
        f"{firm_name}: status",
        (
            "client",
            "preparer",
            "reviewer",
            "industry",
            "frequency",
            "size",
            "region",
            "last entry",
            "transactions",
            "errors",
            "uncategorized",
        ),
        table,
        styles=styles,
    )
