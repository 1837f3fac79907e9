"""`beanfirm documents attach`: a receipt or invoice filed as a document linked to its entry."""

from __future__ import annotations

from pathlib import Path

import click

from beanfirm.cli.accounts import print_written
from beanfirm.cli.context import author_of, practice_of, repo_of, staff_of
from beanfirm.jobs.documenting import attach_document

DRY_RUN_HELP = "Run every check the write runs; write nothing."


@click.group()
def documents() -> None:
    """File clients' receipts and invoices in their books (docs/documents.md)."""


@documents.command("attach")
@click.argument("client_id")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--link", default=None, help="A link the transaction carries (INV-2026-001).")
@click.option(
    "--entry", default=None, help="The transaction's first line, FILE:LINE (it gets a link)."
)
@click.option(
    "--account", default=None, help="The posting's account it documents (default: the expense)."
)
@click.option("-n", "--dry-run", is_flag=True, help=DRY_RUN_HELP)
@click.pass_context
def attach(
    ctx: click.Context,
    client_id: str,
    file: Path,
    link: str | None,
    entry: str | None,
    account: str | None,
    dry_run: bool,
) -> None:
    """File FILE (a PDF, JPEG or PNG) as a document of CLIENT_ID linked to a transaction.

    Typically a receipt the client uploaded, waiting in ledgers/CLIENT/inbox/documents/; it
    leaves the inbox once filed.
    """
    practice = practice_of(ctx)
    client = practice.registry.client(client_id)
    repo = repo_of(practice)
    staff = staff_of(ctx, practice, repo)
    written = attach_document(
        practice,
        repo,
        client,
        file,
        link=link,
        entry=entry,
        account=account,
        author=author_of(staff),
        dry_run=dry_run,
    )
    done = written.value
    what = f"{done.account} on {done.date}, ^{done.link}"
    print_written(written, f"Filed as a document of {what}", f"would file as a document of {what}")
