"""`beanfirm financials CLIENT --period YYYY-MM`."""

from __future__ import annotations

import datetime

import click

from beanfirm.accounts.customers import load_client
from beanfirm.cli.context import practice_of
from beanfirm.cli.output import FORMATS as REPORT_FORMATS
from beanfirm.cli.output import console, echo_csv, echo_json
from beanfirm.cli.reportopts import cells, ledger_note, plain_table, say
from beanfirm.core.translation import Words
from beanfirm.errors import BeanfirmError, Problem, relative_to
from beanfirm.monthend.render import amount_text, render_html
from beanfirm.monthend.statements import Statements, financial_statements, month_period
from beanfirm.store.ledger import is_warning

FORMATS = (*REPORT_FORMATS, "html")
LANGUAGES = ("zh", "en")


@click.command()
@click.argument("client_id", metavar="CLIENT")
@click.option("--period", required=True, help="The month, YYYY-MM.")
@click.option(
    "--to",
    "to",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="End the period on this day of the month, YYYY-MM-DD (default: its last day).",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(FORMATS),
    default="table",
    show_default=True,
    help="Output format: a table, JSON, CSV, or an HTML page laid out like the forms.",
)
@click.option(
    "--lang",
    "language",
    type=click.Choice(LANGUAGES),
    help="Language of the statements (default: the client's).",
)
@click.pass_context
def financials(
    ctx: click.Context,
    client_id: str,
    period: str,
    to: datetime.datetime | None,
    output_format: str,
    language: str | None,
) -> None:
    """Print a client's balance sheet and income statement for a month.

    The Chinese chart gives 会小企01表 资产负债表 (期末余额, 年初余额) and 会小企02表 利润表
    (本月金额, 本年累计金额); the English chart a balance sheet and income statement with the
    start of the fiscal year and the year to date beside the month. Lines and accounts come
    from the chart's mapping, or the client's ledgers/CLIENT/financials.yaml.
    """
    practice = practice_of(ctx)
    client, ledger = load_client(practice, client_id)
    chosen = month_period(period, to=to.date() if to else None)
    try:
        statements = financial_statements(ledger.entries, ledger.options, client, chosen)
    except BeanfirmError as exc:
        problems = tuple(
            Problem(relative_to(p.filename, practice.root), p.line, p.message) for p in exc.problems
        )
        raise type(exc)(exc.message, problems) from None
    ledger_note(sum(1 for error in ledger.errors if not is_warning(error)), client.id)
    language = language or ("zh" if client.language == "zh" else "en")
    if output_format == "json":
        echo_json(statements.as_json(language))
    elif output_format == "html":
        click.echo(render_html(statements, language), nl=False)
    elif output_format == "csv":
        echo_csv(
            ("statement", "line", "name", "first", "second"),
            [
                (statement.form.key, number, name, first, second)
                for statement in statements.all
                for name, number, first, second in statement.rows(language)
            ],
        )
    else:
        _print(statements, language)


def _print(statements: Statements, language: str) -> None:
    t = Words(language)
    for statement in statements.all:
        form = f" {statement.form.form}" if statement.form.form else ""
        when = (
            statements.period.end.isoformat()
            if statement is statements.balance_sheet
            else statements.period.label
        )
        unit = t("Unit: {currency}", currency=statements.currency)
        first, second = statement.columns(language)
        table = plain_table(
            f"{statements.client_name}: {statement.title(language)}{form} {when} {unit}",
            (t("Item"), t("Line"), first, second),
            numeric=(first, second),
        )
        for name, number, current, earlier in statement.rows(language):
            bold = number is None or statement.form.line(number).is_total
            table.add_row(
                *cells(name, number or "", amount_text(current), amount_text(earlier)),
                style="bold" if bold else None,
            )
        console().print(table)
    if statements.mapping_file:
        say(f"Mapping: {statements.mapping_file}")
