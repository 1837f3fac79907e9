"""`beanfirm review`: the review queue, and sending a change back to its preparer."""

from __future__ import annotations

import datetime

import click
from rich.text import Text

from beanfirm.cli.approve import AS_OPTION
from beanfirm.cli.context import practice_of, repo_of, staff_of
from beanfirm.cli.output import echo, echo_json, echo_table, json_option
from beanfirm.core.terminal import plain
from beanfirm.errors import UsageError
from beanfirm.firm.reviewqueue import QueueRow, review_queue
from beanfirm.jobs.approving import send_back

IMPACT_SHOWN = 3  # accounts shown per row; --json has them all
LEAF_PARTS = 2  # an account is shown by its last two parts


def _leaf(account: str) -> str:
    return ":".join(account.split(":")[-LEAF_PARTS:])


@click.command()
@click.argument("client_ids", metavar="[CLIENT]...", nargs=-1)
@click.option(
    "--reviewer",
    metavar="ID",
    help="Only the clients this staff member reviews (a partner sees every client).",
)
@click.option(
    "--today",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Count days waiting up to this date (default: today).",
)
@click.option("--send-back", is_flag=True, help="Send CLIENT's waiting commits back, with --note.")
@click.option("--note", metavar="TEXT", help="What the preparer should change (with --send-back).")
@AS_OPTION
@json_option()
@click.pass_context
def review(
    ctx: click.Context,
    client_ids: tuple[str, ...],
    reviewer: str | None,
    today: datetime.datetime | None,
    send_back: bool,
    note: str | None,
    as_json: bool,
) -> None:
    """Show the review queue: each client with commits not yet approved, oldest first.

    A row shows the commits' authors, the entries added, removed and changed and their
    balance impact since the last approval, what the firm's plugins flag (from the check
    cache: run `beanfirm check` first), the days waiting, and a change sent back. With
    --send-back CLIENT --note TEXT, a reviewer sends the waiting commits back to the
    preparer, who sees the note in `beanfirm status` until new commits or an approval.
    """
    practice = practice_of(ctx)
    repo = repo_of(practice)
    if send_back or note is not None:
        _send_back(ctx, client_ids, note)
        return
    day = today.date() if today else datetime.date.today()  # noqa: DTZ011 - the firm's day
    rows = review_queue(practice, repo, today=day, reviewer=reviewer, client_ids=client_ids)
    if as_json:
        echo_json([row.as_json() for row in rows])
        return
    if not rows:
        echo("Nothing waits for review: every client's commits are approved.")
        return
    echo_table(
        f"{practice.registry.firm.name}: review queue",
        (
            "client",
            "reviewer",
            "since",
            "commits",
            "authors",
            "waiting",
            "entries",
            "balance impact",
            "plugins",
            "sent back",
        ),
        [_cells(row) for row in rows],
        styles=["red" if row.errors else None for row in rows],
    )


def _send_back(ctx: click.Context, client_ids: tuple[str, ...], note: str | None) -> None:
    if len(client_ids) != 1 or not note:
        msg = "Send one client back with a note: `beanfirm review CLIENT --send-back --note TEXT`."
        raise UsageError(msg)
    practice = practice_of(ctx)
    repo = repo_of(practice)
    reviewer = staff_of(ctx, practice, repo)
    back = send_back(practice, repo, client_ids[0], reviewer, note)
    echo(
        f"Sent {back.client} back at {back.commit[:8]} ({back.tag}); its preparer sees the "
        "note in `beanfirm status` until new commits or an approval."
    )


def _cells(row: QueueRow) -> list[object]:
    pending = row.pending
    since = pending.approval.commit[:8] if pending.approval else "never"
    if row.changes_problem is not None:
        entries = "unreadable"
    else:
        entries = f"+{row.added} -{row.removed} ~{row.changed}"
    lines = [
        f"{_leaf(item.account)} {item.net:+,} {item.currency}" for item in row.impact[:IMPACT_SHOWN]
    ]
    if len(row.impact) > IMPACT_SHOWN:
        lines.append(f"… {len(row.impact) - IMPACT_SHOWN} more (--json lists all)")
    impact = Text("\n").join(Text(plain(line)) for line in lines)
    if row.errors is None:
        plugins = "not checked"
    else:
        found = [
            f"{count} {word}{'s' if count != 1 else ''}"
            for count, word in ((row.errors, "error"), (row.warnings, "warning"))
            if count
        ]
        plugins = ", ".join(found) or "clean"
    back = pending.returned
    sent = "" if back is None else f"{back.reviewer}: {back.note}"
    return [
        row.client.id,
        row.client.reviewer,
        since,
        len(pending.commits),
        ", ".join(row.authors),
        f"{row.days_waiting} d",
        entries,
        impact,
        plugins,
        sent,
    ]
