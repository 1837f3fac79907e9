"""`beanfirm repair`."""

from __future__ import annotations

import sys

import click

from beanfirm.cli.context import practice_of, repo_of
from beanfirm.errors import EXIT_FINDINGS
from beanfirm.jobs.repair import repair_practice


@click.command()
@click.argument("client_id", metavar="[CLIENT]", required=False)
@click.pass_context
def repair(ctx: click.Context, client_id: str | None) -> None:
    """Put the practice right after a crash: stale git locks, changes killed half-way.

    A change beanfirm was making when it was killed is finished (its commit was made) or
    undone (its files are put back as at the last commit). Uncommitted changes beanfirm did
    not make are listed and left alone. Exit 1 when such changes remain.
    """
    practice = practice_of(ctx)
    done = repair_practice(practice, repo_of(practice), client_id)
    for path in done.cleared_locks:
        click.echo(f"Removed {path}, a lock file left by a git that was killed.")
    for write in done.settled:
        subject = write.message.splitlines()[0] if write.message else "(no message)"
        if write.finished:
            click.echo(f"Finished: {subject} (it was committed; the index now matches it).")
        else:
            files = f"{len(write.paths)} file" + ("s are" if len(write.paths) != 1 else " is")
            click.echo(f"Undid: {subject} (killed before its commit; {files} as before).")
    if done.left_alone:
        shown = ", ".join(done.left_alone[:5]) + (" …" if len(done.left_alone) > 5 else "")  # noqa: PLR2004
        click.echo(
            f"Left alone: uncommitted changes beanfirm did not make ({shown}). Commit them, or "
            "put them back with `git restore` and `git clean`, before beanfirm changes these "
            "clients.",
            err=True,
        )
        sys.exit(EXIT_FINDINGS)
    if not done.cleared_locks and not done.settled:
        click.echo("Nothing to repair: no stale lock, no change left half-way.")
