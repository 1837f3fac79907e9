"""`beanfirm statement CLIENT --customer C | --all-customers`."""

from __future__ import annotations

import dataclasses
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, cast

import click

from beanfirm.accounts.customers import client_book, select_party, today
from beanfirm.accounts.letterhead import letterheads
from beanfirm.accounts.messages import check_language
from beanfirm.accounts.render import FORMATS, OutputFormat, render
from beanfirm.accounts.statements import STATEMENT_TYPES, StatementType, statement_period
from beanfirm.cli.context import exactly_one, practice_of
from beanfirm.cli.output import cannot_write, echo, echo_json, json_option
from beanfirm.cli.progress import client_progress
from beanfirm.cli.reportopts import customer_option, ledger_note
from beanfirm.errors import UsageError, relative_to
from beanfirm.jobs.statements import StatementPlan, plan_statements, write_statements
from beanfirm.store.registry import LANGUAGES

if TYPE_CHECKING:
    import datetime

    from beanfirm.store.practice import Practice

DATE = click.DateTime(["%Y-%m-%d"])


@click.command()
@click.argument("client_id", metavar="CLIENT")
@customer_option("The customer: its account, the account's last component or its `name:`.")
@click.option("--all-customers", is_flag=True, help="One statement per customer, into a folder.")
@click.option(
    "--from", "start", type=DATE, help="First day of the period (default: the 1st of --to's month)."
)
@click.option(
    "--to", "end", type=DATE, help="Statement date, last day of the period (default: today)."
)
@click.option(
    "--type",
    "kind",
    type=click.Choice(STATEMENT_TYPES),
    default="balance-forward",
    show_default=True,
    help="balance-forward, open-item or activity (see docs/statement.md).",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(FORMATS),
    default="pdf",
    show_default=True,
    help="The file format.",
)
@click.option(
    "--lang",
    "language",
    metavar="|".join(LANGUAGES),
    help="Language (default: the customer's `language:`, else the client's).",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    help="File or folder to write (`-`: standard output, one customer only). "
    "Default: .beanfirm/statements/CLIENT/DATE/.",
)
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=1),
    default=None,
    help="Processes rendering PDF files (default: one per core).",
)
@json_option()
@click.pass_context
def statement(
    ctx: click.Context,
    client_id: str,
    customer: str | None,
    all_customers: bool,
    start: datetime.datetime | None,
    end: datetime.datetime | None,
    kind: str,
    output_format: str,
    language: str | None,
    output: Path | None,
    jobs: int | None,
    as_json: bool,
) -> None:
    """Write statements of account (对账单) of a client's customers, as PDF, HTML or CSV.

    Nothing is sent. With --all-customers, every customer with a balance or with transactions
    in the period gets a file (open-item: every customer with open items), and the batch is
    written whole or not at all.
    """
    statement_type = cast("StatementType", kind)
    fmt = cast("OutputFormat", output_format)
    exactly_one(
        "Say whose statement to write", "one customer with --customer NAME", "--all-customers",
        given=(customer is not None, all_customers),
    )  # fmt: skip
    if all_customers and output is not None and str(output) == "-":
        raise UsageError("--output - writes one statement; give a folder for --all-customers.")
    if language is not None:
        check_language(language, where="--lang")
    first, last = statement_period(
        statement_type,
        start.date() if start else None,
        end.date() if end else None,
        today(),
    )
    practice = practice_of(ctx)
    client = practice.registry.client(client_id)
    firm_head, client_head = letterheads(practice.registry.firm, client)
    books = client_book(practice, client.id)
    if customer is not None:
        parties = [select_party(books.ledger, books.book, customer, client.id)]
    else:
        parties = sorted(books.book.parties.values(), key=lambda party: party.key)
    plans = plan_statements(
        client,
        books.ledger,
        books.book,
        parties,
        statement_type,
        start=first,
        end=last,
        language=language,
        output=fmt,
        root=practice.root,
        skip_empty=all_customers,
    )
    if output is not None and str(output) == "-":
        plan = plans[0]
        data = render(plan.statement, firm_head, client_head, plan.language, fmt)
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    folder, plans = _destination(practice, client.id, last.isoformat(), output, plans)
    with client_progress("Writing statements", len(plans)) as progress:
        task = progress.task_ids[0]
        try:
            written = write_statements(
                plans,
                folder,
                firm_head,
                client_head,
                fmt,
                jobs=jobs or os.cpu_count() or 1,
                on_written=lambda _plan: progress.advance(task),
            )
        except OSError as exc:
            raise cannot_write(output or folder, exc) from None
    unrelated = books.errors
    if unrelated:
        ledger_note(unrelated, client.id)
    _report(plans, written, as_json=as_json, all_customers=all_customers)


def _destination(
    practice: Practice,
    client_id: str,
    day: str,
    output: Path | None,
    plans: list[StatementPlan],
) -> tuple[Path, list[StatementPlan]]:
    """Return the folder to write into, and the plans with their final file names."""
    if output is None:
        return practice.state_dir / "statements" / client_id / day, plans
    if len(plans) == 1 and not output.is_dir() and output.suffix:
        return output.parent, [dataclasses.replace(plans[0], filename=output.name)]
    return output, plans


def _report(
    plans: list[StatementPlan], written: list[Path], *, as_json: bool, all_customers: bool
) -> None:
    cwd = Path.cwd()
    if as_json:
        echo_json(
            [
                {**plan.statement.as_json(), "language": plan.language, "file": str(path)}
                for plan, path in zip(plans, written, strict=True)
            ]
        )
        return
    for plan, path in zip(plans, written, strict=True):
        closing = ", ".join(f"{amount} {code}" for code, amount in plan.statement.closing.items())
        echo(f"{relative_to(path, cwd)}  {plan.statement.party.name}: {closing}")
    if all_customers:
        echo(f"Wrote {len(written)} statement(s).")
