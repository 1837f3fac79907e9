"""`beanfirm audit --portal`: who logged in to the portal and what they looked at."""

from __future__ import annotations

from pathlib import Path

import click

from beanfirm.cli.context import practice_of
from beanfirm.cli.output import echo_json, echo_table, json_option
from beanfirm.cli.portalstate import open_store, state_dir_option
from beanfirm.errors import UsageError
from beanfirm.portal.audit import EVENTS, recent


@click.command("audit")
@click.option(
    "--portal",
    "portal_log",
    is_flag=True,
    help="Show the portal's log of logins, refusals and page views.",
)
@click.option(
    "--limit",
    type=click.IntRange(min=1),
    default=100,
    show_default=True,
    help="Show this many of the latest events.",
)
@click.option("--user", "email", metavar="EMAIL", help="Only events of this user.")
@click.option("--client", "client_id", metavar="ID", help="Only events about this client.")
@click.option("--event", type=click.Choice(EVENTS), help="Only events of this kind.")
@json_option()
@state_dir_option
@click.pass_context
def audit(
    ctx: click.Context,
    portal_log: bool,
    limit: int,
    email: str | None,
    client_id: str | None,
    event: str | None,
    as_json: bool,
    state_dir: Path | None,
) -> None:
    """Show an audit trail (today: the portal's, with --portal)."""
    if not portal_log:
        raise UsageError("Say which trail to show: `beanfirm audit --portal`.")
    practice = practice_of(ctx)
    events = recent(
        open_store(practice, state_dir),
        limit=limit,
        email=email and email.lower(),
        client_id=client_id,
        event=event,
    )
    if as_json:
        echo_json([e.as_json() for e in events])
        return
    echo_table(
        "portal audit log",
        ("at (UTC)", "user", "event", "client", "path", "status", "address"),
        [(e.when(), e.email, e.event, e.client_id, e.path, e.status, e.address) for e in events],
    )
