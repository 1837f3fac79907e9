"""`beanfirm invoice new|print`: record a client's invoices and print one; the options of both."""

from __future__ import annotations

import datetime
import sys
from pathlib import Path
from typing import TYPE_CHECKING, cast

import click

from beanfirm.accounts.customers import client_book, today
from beanfirm.accounts.invoiceprint import INVOICE_FORMATS, InvoiceFormat, render_invoice
from beanfirm.accounts.invoices import (
    Document,
    InvoiceDocument,
    find_item,
    invoice_document,
    parse_item,
    percent,
)
from beanfirm.accounts.letterhead import letterheads
from beanfirm.cli.accounts import DATE, amount_of, print_written
from beanfirm.cli.context import author_of, practice_of, repo_of, staff_of
from beanfirm.cli.output import echo, echo_json, json_option, write_file
from beanfirm.errors import UsageError, relative_to
from beanfirm.jobs.invoicing import NewDocument, record_document
from beanfirm.jobs.statements import statement_language
from beanfirm.store.registry import LANGUAGES, parse_rate

if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any


class DefaultPrint(click.Group):
    """A group whose first argument, when it is no subcommand, is the client of `print`."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        """Read `invoice CLIENT NUMBER` as `invoice print CLIENT NUMBER`."""
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            args = ["print", *args]
        return super().parse_args(ctx, args)


def document_options(kind: Document) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Give `invoice new` or `bill new` its options, which differ only in their words."""
    party = "--customer" if kind == "invoice" else "--supplier"
    whom = "customer" if kind == "invoice" else "supplier"
    booked = "revenue" if kind == "invoice" else "cost"

    def decorate(function: Callable[..., Any]) -> Callable[..., Any]:
        decorators: list[Callable[[Callable[..., Any]], Callable[..., Any]]] = [
            click.argument("client_id", metavar="CLIENT"),
            click.option(
                party,
                "party",
                required=True,
                help=f"The {whom}: its account, the account's last component or its name.",
            ),
            click.option(
                "--amount",
                default=None,
                help="The total, VAT included (default: the sum of the items plus VAT).",
            ),
            click.option(
                "--date", "day", type=DATE, default=None, help="Its date (default: today)."
            ),
            click.option(
                "--due",
                type=DATE,
                default=None,
                help=f"Due date (default: the date plus the {whom}'s terms-days).",
            ),
            click.option(
                "--item",
                "items",
                multiple=True,
                metavar='"DESC:QTY:PRICE"',
                help="A line: description, quantity, unit price before VAT (repeatable).",
            ),
            click.option(
                "--vat-rate",
                default=None,
                help="VAT rate, like 13% or 0 (default: the client's vat-rate; VAT payers).",
            ),
            click.option(
                "--account",
                default=None,
                help=f"The {booked} account (default: the chart's main one).",
            ),
            click.option("--narration", default=None, help="The entry's narration."),
            click.option(
                "-n",
                "--dry-run",
                is_flag=True,
                help="Check everything and show it; write nothing.",
            ),
            json_option(),
            click.pass_context,
        ]
        for option in reversed(decorators):
            function = option(function)
        return function

    return decorate


def run_new(kind: Document, ctx: click.Context, params: dict[str, Any]) -> None:
    """Record an invoice or bill from the options and report it."""
    rate_text = params["vat_rate"]
    rate = None
    if rate_text is not None:
        rate = parse_rate(rate_text)
        if rate is None:
            msg = f"--vat-rate '{rate_text}' is not a rate; write it like 13% or 0.13, or 0."
            raise UsageError(msg)
    amount = params["amount"]
    day = params["day"]
    due = params["due"]
    new = NewDocument(
        kind=kind,
        party=params["party"],
        date=day.date() if day else today(),
        amount=amount_of(amount, "--amount") if amount is not None else None,
        due=due.date() if due else None,
        items=tuple(parse_item(text) for text in params["items"]),
        vat_rate=rate,
        account=params["account"],
        narration=params["narration"],
    )
    practice = practice_of(ctx)
    client = practice.registry.client(params["client_id"])
    repo = repo_of(practice)
    author = author_of(staff_of(ctx, practice, repo))
    written = record_document(practice, repo, client, new, author=author, dry_run=params["dry_run"])
    done = written.value
    if params["as_json"]:
        echo_json(
            {
                "number": done.number,
                "party": done.party,
                "date": done.date.isoformat(),
                "due": done.due.isoformat(),
                "due_from": done.due_from,
                "net": str(done.split.net),
                "vat": str(done.split.vat),
                "vat_rate": percent(done.split.rate) if done.split.rate is not None else None,
                "total": str(done.split.total),
                "currency": done.currency,
                "commit": written.commit,
                "paths": list(written.paths),
                "notes": list(done.notes),
            }
        )
        return
    head = f"{kind.capitalize()} {done.number}: {done.split.total} {done.currency} due {done.due}"
    print_written(written, f"Recorded {head}", f"would record {head}")
    for note in done.notes:
        echo(f"Note: {note}")


@click.group(cls=DefaultPrint)
def invoice() -> None:
    """Record a client's invoices and print them (docs/invoice.md).

    `beanfirm invoice CLIENT NUMBER` is short for `beanfirm invoice print CLIENT NUMBER`.
    """


@invoice.command("new")
@document_options("invoice")
def invoice_new(ctx: click.Context, **params: Any) -> None:
    """Record an invoice of CLIENT to a customer, numbered next in the client's series.

    Books the customer's receivable, the revenue and, for a VAT payer, the output VAT (销项税额),
    with the ^INV- link, the due date and the line items, in one commit.
    """
    run_new("invoice", ctx, params)


@invoice.command("print")
@click.argument("client_id", metavar="CLIENT")
@click.argument("number")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(INVOICE_FORMATS),
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
@click.option("--as-of", type=DATE, default=None, help="Payments up to this day (default: all).")
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    help="File to write (`-`: standard output). Default: .beanfirm/invoices/CLIENT/NUMBER.pdf.",
)
@json_option()
@click.pass_context
def invoice_print(
    ctx: click.Context,
    client_id: str,
    number: str,
    output_format: str,
    language: str | None,
    as_of: datetime.datetime | None,
    output: Path | None,
    as_json: bool,
) -> None:
    """Write invoice NUMBER of CLIENT as a PDF or HTML file, from the books.

    Line items, totals and VAT come from the invoice's entry; the amount paid and outstanding
    from the payments linked to it. Nothing is committed.
    """
    fmt = cast("InvoiceFormat", output_format)
    practice = practice_of(ctx)
    client = practice.registry.client(client_id)
    firm_head, client_head = letterheads(practice.registry.firm, client)
    books = client_book(practice, client.id)
    item = find_item(books.book, number, client.id)
    document = invoice_document(books.book, item, as_of.date() if as_of else datetime.date.max)
    lang = statement_language(language, document.party, client, practice.root)
    data = render_invoice(document, firm_head, client_head, lang, fmt)
    if output is not None and str(output) == "-":
        if as_json:
            msg = "--json describes the file written; give -o FILE, or leave -o out."
            raise UsageError(msg)
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    path = output or practice.state_dir / "invoices" / client.id / f"{number}.{fmt}"
    write_file(path, data)
    if as_json:
        echo_json(_document_json(document, lang, path))
        return
    echo(
        f"{relative_to(path, Path.cwd())}  {document.party.name}: {document.total} "
        f"{item.currency}, outstanding {document.outstanding}"
    )


def _document_json(document: InvoiceDocument, language: str, path: Path) -> dict[str, Any]:
    """Return what an invoice's document shows, as JSON (amounts as strings, to the cent)."""
    return {
        "number": document.number,
        "customer": document.party.account,
        "name": document.party.name,
        "date": document.item.issued.isoformat(),
        "due": document.item.due.isoformat(),
        "currency": document.item.currency,
        "lines": [
            {
                "description": line.description,
                "quantity": str(line.quantity),
                "price": str(line.price),
                "amount": str(line.amount),
            }
            for line in document.lines
        ],
        "net": str(document.net),
        "vat": str(document.vat),
        "vat_rate": percent(document.rate) if document.rate is not None else None,
        "total": str(document.total),
        "payments": [
            {"date": s.date.isoformat(), "amount": str(s.amount), "kind": s.kind}
            for s in document.payments
        ],
        "paid": str(document.paid),
        "outstanding": str(document.outstanding),
        "language": language,
        "file": str(path),
    }
