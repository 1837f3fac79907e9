"""`beanfirm requests add|list|close`: the documents the firm asks its clients for (资料收集)."""

from __future__ import annotations

import datetime

import click

from beanfirm.cli.accounts import DATE, print_written
from beanfirm.cli.context import author_of, practice_of, repo_of, staff_of
from beanfirm.cli.output import echo, echo_json, echo_table, json_option
from beanfirm.jobs.requesting import NewRequest, add_request, close_request
from beanfirm.store.requests import client_requests
from beanfirm.store.uploads import waiting

DRY_RUN_HELP = "Run every check the write runs; write nothing."


@click.group()
def requests() -> None:
    """Ask clients for documents, and see what they sent (docs/requests.md)."""


@requests.command("add")
@click.argument("client_id")
@click.argument("title")
@click.option("--due", type=DATE, default=None, help="The day the firm needs it by (YYYY-MM-DD).")
@click.option("-n", "--dry-run", is_flag=True, help=DRY_RUN_HELP)
@click.pass_context
def add(
    ctx: click.Context, client_id: str, title: str, due: datetime.datetime | None, dry_run: bool
) -> None:
    """Ask CLIENT_ID for a document: TITLE is what the client reads on the portal.

    Write the title in the client's language ("11月工商银行对账单"); the request is open until
    `beanfirm requests close`.
    """
    practice = practice_of(ctx)
    client = practice.registry.client(client_id)
    repo = repo_of(practice)
    staff = staff_of(ctx, practice, repo)
    new = NewRequest(
        title=title,
        due=due.date() if due else None,
        opened_by=staff.id,
        opened_at=datetime.date.today(),  # noqa: DTZ011 - the firm's day
    )
    written = add_request(practice, repo, client, new, author=author_of(staff), dry_run=dry_run)
    number = written.value.id
    print_written(written, f"Opened request {number}", f"would open request {number}")


@requests.command("close")
@click.argument("client_id")
@click.argument("number", type=click.IntRange(min=1))
@click.option("-n", "--dry-run", is_flag=True, help=DRY_RUN_HELP)
@click.pass_context
def close(ctx: click.Context, client_id: str, number: int, dry_run: bool) -> None:
    """Close request NUMBER of CLIENT_ID: the firm has what it asked for."""
    practice = practice_of(ctx)
    client = practice.registry.client(client_id)
    repo = repo_of(practice)
    staff = staff_of(ctx, practice, repo)
    written = close_request(
        practice,
        repo,
        client,
        number,
        closed_at=datetime.date.today(),  # noqa: DTZ011 - the firm's day
        author=author_of(staff),
        dry_run=dry_run,
    )
    print_written(written, f"Closed request {number}", f"would close request {number}")


@requests.command("list")
@click.argument("client_id", required=False)
@click.option("--all", "show_all", is_flag=True, help="Closed requests too.")
@json_option()
@click.pass_context
def list_(ctx: click.Context, client_id: str | None, show_all: bool, as_json: bool) -> None:
    """List the open requests of CLIENT_ID (default: every client), and the uploads waiting."""
    practice = practice_of(ctx)
    registry = practice.registry
    clients = [registry.client(client_id)] if client_id else list(registry.clients)
    today = datetime.date.today()  # noqa: DTZ011 - the firm's day
    data: list[dict[str, object]] = []
    rows: list[list[object]] = []
    for client in clients:
        for request in client_requests(practice.root, client.id):
            if not (request.is_open or show_all):
                continue
            data.append({"client": client.id, **request.as_json()})
            state = "open" if request.is_open else f"closed {request.closed_at}"
            if request.overdue(today):
                state = "overdue"
            rows.append(
                [
                    client.id,
                    request.id,
                    request.title,
                    request.due or "",
                    state,
                    ", ".join(request.answered_by),
                ]
            )
    uploads = {c.id: [u.as_json() for u in waiting(practice.root, c.id)] for c in clients}
    if as_json:
        echo_json({"requests": data, "waiting": uploads})
        return
    if rows:
        echo_table(None, ["client", "id", "request", "due", "state", "answered by"], rows)
    else:
        echo("No open requests." if not show_all else "No requests.")
    for client_key, files in uploads.items():
        if files:
            echo(f"{client_key}: {len(files)} uploaded file(s) waiting in the inbox.")
