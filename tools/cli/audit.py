"""`beanfirm audit`: one timeline of who changed, approved, locked and viewed what; --verify."""

from __future__ import annotations

import datetime
import sys
from pathlib import Path

import click

from beanfirm.cli.context import practice_of, repo_of
from beanfirm.cli.output import echo, echo_csv, echo_json, echo_table
from beanfirm.cli.portalstate import open_store, state_dir_of, state_dir_option
from beanfirm.errors import EXIT_FINDINGS, UsageError
from beanfirm.portal.audit import EVENTS, AuditEvent, recent
from beanfirm.portal.store import DB_FILENAME
from beanfirm.review.audit import AuditEntry, git_timeline, verify_approvals
from beanfirm.store.practice import Practice

COLUMNS = ("when (UTC)", "client", "who", "kind", "what", "ref")


@click.command("audit")
@click.argument("client_arg", metavar="[CLIENT]", required=False)
@click.option(
    "--portal",
    "portal_log",
    is_flag=True,
    help="Show only the portal's log of logins, refusals and page views.",
)
@click.option(
    "--since",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Only events on or after this day (UTC).",
)
@click.option(
    "--verify",
    is_flag=True,
    help="Prove every approval: permitted approver, two-person rule, signature, tree, series.",
)
@click.option(
    "--limit",
    type=click.IntRange(min=1),
    default=100,
    show_default=True,
    help="With --portal: show this many of the latest events.",
)
@click.option("--user", "email", metavar="EMAIL", help="With --portal: only this user's events.")
@click.option("--client", "client_id", metavar="ID", help="Only events about this client.")
@click.option("--event", type=click.Choice(EVENTS), help="With --portal: only events of this kind.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.option("--csv", "as_csv", is_flag=True, help="Print CSV instead of a table.")
@state_dir_option
@click.pass_context
def audit(
    ctx: click.Context,
    client_arg: str | None,
    portal_log: bool,
    since: datetime.datetime | None,
    verify: bool,
    limit: int,
    email: str | None,
    client_id: str | None,
    event: str | None,
    as_json: bool,
    as_csv: bool,
    state_dir: Path | None,
) -> None:
    """Show the audit trail: commits, approvals, send-backs, locks and portal views, by time.

    Who changed what comes from git (each commit to a client's ledger or to clients.yaml),
    who approved or sent back what from the approval tags, who locked or reopened a period
    from the history of ledgers/<id>/locks.beancount, and who viewed what from the portal's
    log. --verify proves every approval instead, and names each tampering (exit 1).
    """
    practice = practice_of(ctx)
    if client_arg and client_id and client_arg != client_id:
        msg = "Name one client: CLIENT or --client, not two different ones."
        raise UsageError(msg)
    client_id = client_arg or client_id
    if client_id:
        practice.registry.client(client_id)
    if as_json and as_csv:
        msg = "Choose one output: --json or --csv."
        raise UsageError(msg)
    if verify:
        _verify(practice, client_id, as_json=as_json)
        return
    if portal_log:
        events = recent(
            open_store(practice, state_dir),
            limit=limit,
            email=email and email.lower(),
            client_id=client_id,
            event=event,
        )
        _show_portal(events, as_json=as_json, as_csv=as_csv)
        return
    moment = None if since is None else since.replace(tzinfo=datetime.UTC)
    entries = git_timeline(
        repo_of(practice),
        practice.registry,
        None if client_id is None else [client_id],
        since=moment,
    )
    entries.extend(_portal_entries(practice, state_dir, client_id, moment))
    entries.sort(key=lambda entry: entry.when)
    rows = [
        (
            e.when.astimezone(datetime.UTC).isoformat(timespec="seconds"),
            e.client,
            e.who,
            e.kind,
            e.what,
            e.ref,
        )
        for e in entries
    ]
    if as_json:
        echo_json([entry.as_json() for entry in entries])
    elif as_csv:
        echo_csv(COLUMNS, rows)
    else:
        echo_table("audit trail", COLUMNS, rows)


def _portal_entries(
    practice: Practice,
    state_dir: Path | None,
    client_id: str | None,
    since: datetime.datetime | None,
) -> list[AuditEntry]:
    """Return the portal's log as timeline entries (none when the portal never ran)."""
    if not (state_dir_of(practice, state_dir) / DB_FILENAME).is_file():
        return []
    events = recent(open_store(practice, state_dir), limit=1_000_000, client_id=client_id)
    entries = []
    for event in events:
        when = datetime.datetime.fromtimestamp(event.at, tz=datetime.UTC)
        if since is not None and when < since:
            continue
        what = f"{event.event} {event.path or ''}".strip()
        if event.status is not None:
            what += f" ({event.status})"
        entries.append(
            AuditEntry(
                when, event.client_id, event.email or "", event.event, what, event.address or ""
            )
        )
    return entries


def _show_portal(events: list[AuditEvent], *, as_json: bool, as_csv: bool) -> None:
    columns = ("at (UTC)", "user", "event", "client", "path", "status", "address")
    rows = [(e.when(), e.email, e.event, e.client_id, e.path, e.status, e.address) for e in events]
    if as_json:
        echo_json([e.as_json() for e in events])
    elif as_csv:
        echo_csv(columns, rows)
    else:
        echo_table("portal audit log", columns, rows)


def _verify(practice: Practice, client_id: str | None, *, as_json: bool) -> None:
    result = verify_approvals(repo_of(practice), practice.registry, client_id)
    if as_json:
        echo_json(
            {
                "approvals": result.checked,
                "signed": result.signed,
                "problems": [{"tag": p.filename, "problem": p.message} for p in result.problems],
            }
        )
    elif result.problems:
        echo(
            f"{len(result.problems)} problem(s) with the approval records "
            f"({result.checked} approvals read):",
            err=True,
        )
        for problem in result.problems:
            echo(f"  {problem.filename}: {problem.message}", err=True)
    else:
        echo(
            f"{result.checked} approval(s) verified ({result.signed} signed): each by a permitted "
            "reviewer or partner who wrote none of its commits, each matching the books it "
            "approved, numbered without gaps."
        )
    if result.problems:
        sys.exit(EXIT_FINDINGS)
