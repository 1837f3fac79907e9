"""`beanfirm financials CLIENT --period YYYY-MM`."""

from __future__ import annotations

import datetime
import sys
from pathlib import Path

import click

from beanfirm.accounts.customers import load_client
from beanfirm.cli.context import practice_of
from beanfirm.cli.output import FORMATS as REPORT_FORMATS
from beanfirm.cli.output import console, echo_csv, echo_json, write_file
from beanfirm.cli.reportopts import cells, ledger_note, plain_table, say
from beanfirm.core.translation import Words
from beanfirm.errors import BeanfirmError, Problem, UsageError, relative_to
from beanfirm.monthend.pdf import render_pdf
from beanfirm.monthend.render import amount_text, render_html
from beanfirm.monthend.statements import Statements, financial_statements, month_period
from beanfirm.monthend.xlsx import render_xlsx
from beanfirm.store.ledger import is_warning

BINARY = {"pdf": render_pdf, "xlsx": render_xlsx}
FORMATS = (*REPORT_FORMATS, "html", *BINARY)
FILE_FORMATS = ("html", *BINARY)  # the documents -o writes
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
    help="Output format: a table, JSON, CSV, or the forms as an HTML page, a PDF (A4) or an "
    "Excel workbook (a sheet per statement).",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Write to this file instead of standard output (needed for pdf and xlsx on a terminal).",
)
@click.option(
    "--prepared-by",
    metavar="NAME",
    help="The name on the forms' 制表人 (Prepared by) line (default: left blank to sign).",
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
    output: Path | None,
    prepared_by: str | None,
    language: str | None,
) -> None:
    """Print a client's balance sheet, income statement and cash-flow statement for a month.

    The Chinese chart gives 会小企01表 资产负债表 (期末余额, 年初余额), 会小企02表 利润表 and
    会小企03表 现金流量表 (本月金额, 本年累计金额); the English chart the three statements with
    the start of the fiscal year and the year to date beside the month. Lines and accounts come
    from the chart's mapping, or the client's ledgers/CLIENT/financials.yaml. A PDF or a
    workbook goes to -o FILE (or to standard output that is not a terminal).
    """
    _check_destination(output_format, output, period)
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
    if output_format in FILE_FORMATS:
        firm = practice.registry.firm.name
        if output_format in BINARY:
            render = BINARY[output_format]
            document = render(statements, language, prepared_by=prepared_by, firm=firm)
        else:
            html = render_html(statements, language, prepared_by=prepared_by, firm=firm)
            document = html.encode("utf-8")
        if output is None:
            sys.stdout.buffer.write(document)
            sys.stdout.flush()
        else:
            write_file(output, document)
            say(f"Wrote {output}")
    elif output_format == "json":
        echo_json(statements.as_json(language))
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


def _check_destination(output_format: str, output: Path | None, period: str) -> None:
    """Refuse, before any work, a PDF or workbook for a terminal and -o for a printed report."""
    if output is not None and output_format not in FILE_FORMATS:
        message = (
            f"-o writes a document (--format {' | '.join(FILE_FORMATS)}); "
            f"redirect --format {output_format} to a file with > instead."
        )
        raise UsageError(message)
    if output is not None and not output.parent.is_dir():
        message = f"-o {output}: there is no folder {output.parent}; create it, or name another."
        raise UsageError(message)
    if output_format in BINARY and output is None and sys.stdout.isatty():
        message = (
            f"A {output_format.upper()} file is not for a terminal: give -o FILE "
            f"(e.g. -o financials-{period}.{output_format}), or redirect the output to a file."
        )
        raise UsageError(message)


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
