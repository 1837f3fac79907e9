"""`beanfirm lock CLIENT --through DATE` and `beanfirm reopen CLIENT --through DATE --reason R`."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import click

from beanfirm.cli.context import author_of, practice_of, repo_of, staff_of
from beanfirm.cli.output import echo
from beanfirm.jobs.locking import LockResult, lock_period, parse_through, reopen_period
from beanfirm.store.gitrepo import PracticeRepo
from beanfirm.store.practice import Practice
from beanfirm.store.registry import Client, Staff

THROUGH_HELP = "The last day locked: YYYY-MM-DD, or YYYY-MM for the month's last day."
AS_HELP = "Your staff id (the same as beanfirm's --as; default: from git's user.email)."
DRY_RUN_HELP = "Run every check the write runs; write nothing."


@dataclass(frozen=True)
class _Request:
    practice: Practice
    repo: PracticeRepo
    client: Client
    through: datetime.date
    staff: Staff


def _request(
    ctx: click.Context, client_id: str, through_text: str, staff_id: str | None
) -> _Request:
    """Read what both commands take: the client, the day, and who (their --as or beanfirm's)."""
    if staff_id:
        ctx.find_root().obj["staff_id"] = staff_id
    practice = practice_of(ctx)
    repo = repo_of(practice)
    client = practice.registry.client(client_id)
    through = parse_through(through_text)
    return _Request(practice, repo, client, through, staff_of(ctx, practice, repo))


def _print(result: LockResult, *, dry_run: bool, what: str) -> None:
    echo(("Would write" if dry_run else "Wrote") + " in locks.beancount:\n")
    echo(result.directive)
    if result.added_plugin:
        echo("and the `locked` plugin line and the include of locks.beancount in main.beancount.")
    if dry_run:
        echo("Dry run: nothing was written.")
    else:
        commit = (result.commit or "")[:10]
        echo(f"{what} {result.client_id} through {result.through}. Commit {commit}.")


@click.command()
@click.argument("client_id")
@click.option("--through", "through_text", required=True, help=THROUGH_HELP)
@click.option("--as", "staff_id", help=AS_HELP)
@click.option("-n", "--dry-run", is_flag=True, help=DRY_RUN_HELP)
@click.pass_context
def lock(
    ctx: click.Context, client_id: str, through_text: str, staff_id: str | None, dry_run: bool
) -> None:
    """Lock a client's books through a day: every entry on or before it sealed, one commit.

    A reviewer or partner locks; the client must check clean and have every commit approved.
    Any later change to an entry dated in the period is then an error in `beanfirm check`,
    `bean-check` and Fava, until a partner reopens it (docs/lock.md).
    """
    req = _request(ctx, client_id, through_text, staff_id)
    result = lock_period(
        req.practice,
        req.repo,
        req.client,
        req.through,
        staff=req.staff,
        author=author_of(req.staff),
        dry_run=dry_run,
    )
    _print(result, dry_run=dry_run, what="Locked")


@click.command()
@click.argument("client_id")
@click.option("--through", "through_text", required=True, help="The date of the lock to lift.")
@click.option("--reason", required=True, help="Why the period is reopened (kept in the ledger).")
@click.option("--as", "staff_id", help=AS_HELP)
@click.option("-n", "--dry-run", is_flag=True, help=DRY_RUN_HELP)
@click.pass_context
def reopen(
    ctx: click.Context,
    client_id: str,
    through_text: str,
    reason: str,
    staff_id: str | None,
    dry_run: bool,
) -> None:
    """Reopen a locked period (a partner only), with the reason on record, in one commit."""
    req = _request(ctx, client_id, through_text, staff_id)
    result = reopen_period(
        req.practice,
        req.repo,
        req.client,
        req.through,
        reason=reason,
        staff=req.staff,
        author=author_of(req.staff),
        dry_run=dry_run,
    )
    _print(result, dry_run=dry_run, what="Reopened")
