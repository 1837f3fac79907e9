"""`beanfirm visits CLIENT` (the visit expenses report) and `beanfirm visits add` (record one)."""

from __future__ import annotations

import datetime
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from beanfirm.accounts.customers import load_client
from beanfirm.accounts.visitchart import render_visit_chart
from beanfirm.accounts.visits import (
    CATEGORIES,
    COLUMNS,
    GROUPINGS,
    Costs,
    VisitReport,
    visit_report,
)
from beanfirm.cli.accounts import DATE, amount_of, print_written
from beanfirm.cli.context import author_of, practice_of, repo_of, staff_of
from beanfirm.cli.output import console, echo, echo_csv, echo_json, write_file
from beanfirm.cli.reportopts import cells, chart_file_format, ledger_note, plain_table, say
from beanfirm.errors import EXIT_FINDINGS, UsageError, relative_to
from beanfirm.jobs.visits import NewVisit, add_visit
from beanfirm.store.ledger import is_warning

if TYPE_CHECKING:
    from beanfirm.accounts.visits import Grouping

REPORT = "report"
NONE_SHOWN = "(none)"
AMOUNTS = (*CATEGORIES, "total")


class VisitsGroup(click.Group):
    """`visits CLIENT ...` is the report; `visits add ...` records a visit."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        """Run the report when the first word is not a subcommand (nor a request for help)."""
        if args and args[0] not in self.commands and args[0] not in ("-h", "--help"):
            args = [REPORT, *args]
        return super().parse_args(ctx, args)


@click.group(cls=VisitsGroup)
def visits() -> None:
    """Visit expenses per customer (docs/visits.md).

    `beanfirm visits CLIENT [--by visit|customer|class|month|staff] [--from D] [--to D]` is
    the report (the command `report`, its name left out); `beanfirm visits add CLIENT ...`
    records the expenses of one visit.
    """


@visits.command(REPORT)
@click.argument("client_id", metavar="CLIENT")
@click.option(
    "--by",
    type=click.Choice(GROUPINGS),
    default="visit",
    show_default=True,
    help="One row per visit, or the totals per customer, customer class, month or staff.",
)
@click.option("--from", "start", type=DATE, default=None, help="First day, YYYY-MM-DD.")
@click.option("--to", "end", type=DATE, default=None, help="Last day, YYYY-MM-DD.")
@click.option(
    "--chart",
    "chart_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Also draw the monthly costs by category into this .png or .svg file.",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.option("--csv", "as_csv", is_flag=True, help="Print CSV instead of a table.")
@click.pass_context
def report(
    ctx: click.Context,
    client_id: str,
    by: Grouping,
    start: datetime.datetime | None,
    end: datetime.datetime | None,
    chart_path: Path | None,
    as_json: bool,
    as_csv: bool,
) -> None:
    """Show the cost of each visit (transport, meals, lodging, other), or totals by --by.

    Entries tagged #visit without `customer:` or `visit:` are flagged with file:line, their
    costs counted apart; with any flagged, the command exits 1.
    """
    if as_json and as_csv:
        msg = "--json and --csv are two outputs; give one of them."
        raise UsageError(msg)
    first, last = (start.date() if start else None), (end.date() if end else None)
    if first is not None and last is not None and last < first:
        msg = f"--to {last} is before --from {first}; give a period that ends after it starts."
        raise UsageError(msg)
    fmt = chart_file_format(chart_path)
    practice = practice_of(ctx)
    client, ledger = load_client(practice, client_id)
    result = visit_report(
        ledger.entries,
        ledger.options,
        start=first,
        end=last,
        relative=lambda name: relative_to(name, practice.root),
    )
    ledger_note(sum(1 for e in ledger.errors if not is_warning(e)), client.id)
    if chart_path is not None and fmt is not None:
        image = render_visit_chart(result, fmt, title=client.name, language=client.language)
        write_file(chart_path, image)
    if as_json:
        echo_json({"client": client.id, "by": by, **_json(result, by)})
    elif as_csv:
        columns = (*COLUMNS[by], *(() if by == "visit" else ("visits",)), *AMOUNTS, "currency")
        echo_csv(columns, [_cells(row.key, row.costs, by) for row in result.rows(by)])
    else:
        _print(client.name, result, by)
    for problem in result.problems:
        echo(f"Warning: {problem}", err=True)
    if chart_path is not None and not as_json and not as_csv:
        echo(f"Chart written to {chart_path}.")
    if result.flagged:
        sys.exit(EXIT_FINDINGS)


def _cells(
    key: tuple[str, ...], costs: Costs, by: Grouping, *, blank_zero: bool = False
) -> list[object]:
    count: tuple[object, ...] = () if by == "visit" else (len(costs.visits),)
    amounts = (costs.amounts[c] or ("" if blank_zero else costs.amounts[c]) for c in CATEGORIES)
    return [*key, *count, *amounts, costs.total, costs.currency]


def _shown(key: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(part or NONE_SHOWN for part in key)


def _print(client_name: str, result: VisitReport, by: Grouping) -> None:
    period = _period(result)
    rows = result.rows(by)
    if not rows and not result.flagged:
        say(f"No visit expenses{period}.")
        return
    count = () if by == "visit" else ("visits",)
    numeric = (*count, *AMOUNTS)
    title = f"{client_name}: visit expenses{period}" + ("" if by == "visit" else f", by {by}")
    table = plain_table(title, (*COLUMNS[by], *numeric, "currency"), numeric=numeric)
    for row in rows:
        table.add_row(*cells(*_cells(_shown(row.key), row.costs, by, blank_zero=True)))
    blank = ("",) * (len(COLUMNS[by]) - 1)
    for costs in result.totals():
        visits_count: tuple[object, ...] = () if by == "visit" else (len(costs.visits),)
        amounts = (costs.amounts[c] for c in CATEGORIES)
        table.add_row(
            *cells("total", *blank, *visits_count, *amounts, costs.total, costs.currency),
            style="bold",
        )
    console().print(table)
    if result.flagged:
        flagged = plain_table(
            "Flagged: #visit entries counted in no visit",
            ("where", "missing", "amount", "currency"),
            numeric=("amount",),
        )
        for entry in result.flagged:
            missing = ", ".join(f"{key}:" for key in entry.missing)
            for cost in entry.costs or (None,):  # an entry without expenses is listed too
                flagged.add_row(
                    *cells(
                        entry.problem.location(),
                        missing,
                        cost.amount if cost else "",
                        cost.currency if cost else "",
                    )
                )
        console().print(flagged)
        say(
            "Add `customer:` (the customer's account, its last part) and `visit:` (the visit's "
            "id) to each flagged entry; until then its costs are in no visit."
        )


def _period(result: VisitReport) -> str:
    if result.start and result.end:
        return f" from {result.start} to {result.end}"
    if result.start:
        return f" from {result.start}"
    if result.end:
        return f" to {result.end}"
    return ""


def _json(result: VisitReport, by: Grouping) -> dict[str, object]:
    def amounts(costs: Costs) -> dict[str, object]:
        return {
            **{c: str(costs.amounts[c]) for c in CATEGORIES},
            "total": str(costs.total),
            "currency": costs.currency,
            "visits": len(costs.visits),
        }

    return {
        "from": result.start,
        "to": result.end,
        "rows": [
            {**dict(zip(COLUMNS[by], row.key, strict=True)), **amounts(row.costs)}
            for row in result.rows(by)
        ],
        "totals": [amounts(costs) for costs in result.totals()],
        "flagged": [
            {
                "file": entry.problem.filename,
                "line": entry.problem.line,
                "message": entry.problem.message,
                "costs": [
                    {"account": c.account, "amount": str(c.amount), "currency": c.currency}
                    for c in entry.costs
                ],
            }
            for entry in result.flagged
        ],
        "warnings": [str(problem) for problem in result.problems],
    }


@visits.command("add")
@click.argument("client_id", metavar="CLIENT")
@click.option("--customer", required=True, help="The customer visited: account, last part or name.")
@click.option("--date", "day", type=DATE, required=True, help="The day of the visit, YYYY-MM-DD.")
@click.option("--staff", default=None, help="Who went (the `staff:` of the entry).")
@click.option(
    "--visit", "visit_id", default=None, help="The visit's id (default: the next V-YYYY-NNNN)."
)
@click.option("--transport", default=None, help="Transport (taxi, train, flights).")
@click.option("--meals", default=None, help="Meals and entertainment.")
@click.option("--lodging", default=None, help="Hotel nights.")
@click.option("--other", default=None, help="Any other cost of the visit.")
@click.option("--paid-from", required=True, help="The account it was paid from (bank, card, cash).")
@click.option("--note", default=None, help="The entry's narration (default: Visit to CUSTOMER).")
@click.option("-n", "--dry-run", is_flag=True, help="Check everything and show it; write nothing.")
@click.pass_context
def add(
    ctx: click.Context,
    client_id: str,
    customer: str,
    day: datetime.datetime,
    staff: str | None,
    visit_id: str | None,
    transport: str | None,
    meals: str | None,
    lodging: str | None,
    other: str | None,
    paid_from: str,
    note: str | None,
    dry_run: bool,
) -> None:
    """Record the expenses of one visit to a customer, tagged #visit, in one commit."""
    given = {"transport": transport, "meals": meals, "lodging": lodging, "other": other}
    amounts = {
        category: amount_of(text, f"--{category}")
        for category, text in given.items()
        if text is not None
    }
    practice = practice_of(ctx)
    client = practice.registry.client(client_id)
    new = NewVisit(
        customer=customer,
        date=day.date(),
        amounts=amounts,
        paid_from=paid_from,
        staff=staff,
        visit=visit_id,
        note=note,
    )
    repo = repo_of(practice)
    author = author_of(staff_of(ctx, practice, repo))
    written = add_visit(practice, repo, client, new, author=author, dry_run=dry_run)
    recorded = written.value
    what = f"visit {recorded.visit} to {recorded.customer}, {recorded.total} {recorded.currency}"
    print_written(written, f"Recorded {what}", f"would record {what}")
