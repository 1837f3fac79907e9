"""`beanfirm sync`."""

from __future__ import annotations

import click

from beanfirm.cli.context import practice_of, repo_of
from beanfirm.jobs.syncing import sync_practice


@click.command()
@click.option("-n", "--dry-run", is_flag=True, help="Fetch, rebase and check; push nothing.")
@click.pass_context
def sync(ctx: click.Context, dry_run: bool) -> None:
    """Share your commits with the firm's remote: fetch, rebase, re-check, push.

    Your local commits are replayed onto the remote branch (ledgers merge entry by entry),
    every client the replay changed is checked, then the branch and the approval tags are
    pushed together. On a conflict, a broken client or a refusal by the remote, your branch
    is put back as it was and nothing is pushed.
    """
    practice = practice_of(ctx)
    done = sync_practice(practice, repo_of(practice), dry_run=dry_run)
    where = f"{done.remote}/{done.branch}"
    if done.recovered is not None:
        click.echo(
            f"An interrupted sync was put right first: HEAD is back on {done.branch} at "
            f"{done.recovered[:10]}, with every commit."
        )
    clients = ", ".join(done.checked) or "none"
    for name in done.dropped:
        verb = "would not push" if done.dry_run else "did not push and removed"
        click.echo(
            f"The approval {name} was of your commits that sync replayed onto the remote's "
            f"newer work, so it names commits no branch holds: sync {verb} it. Approve the "
            "client again (`beanfirm approve`)."
        )
    if done.dry_run:
        click.echo(
            f"Dry run: would take {done.pulled} commit(s) from {where} and push "
            f"{done.pushed}; clients checked: {clients}. Nothing was changed."
        )
        return
    tries = ""
    if done.attempts > 1:
        tries = f" It took {done.attempts} tries: other clones pushed first."
    click.echo(
        f"Synced with {where}: took {done.pulled} commit(s), pushed {done.pushed}; "
        f"clients checked: {clients}. Now at {done.after[:10]}.{tries}"
    )
