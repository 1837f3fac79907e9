"""`beanfirm merge-driver`: git's merge driver for ledgers, and `--install` to set it up."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from beanfirm.cli.context import practice_of, repo_of
from beanfirm.cli.output import echo
from beanfirm.errors import EXIT_FINDINGS, UsageError
from beanfirm.store.mergedriver import (
    ATTRIBUTES_FILE,
    ATTRIBUTES_LINE,
    attributes_name_driver,
    install_merge_driver,
    run_merge,
)

FILE = click.Path(dir_okay=False, path_type=Path)


@click.command("merge-driver")
@click.argument("base", type=FILE, required=False)
@click.argument("ours", type=FILE, required=False)
@click.argument("theirs", type=FILE, required=False)
@click.argument("path", required=False)
@click.option("--install", is_flag=True, help="Set the driver up in this practice's git config.")
@click.pass_context
def merge_driver(
    ctx: click.Context,
    base: Path | None,
    ours: Path | None,
    theirs: Path | None,
    path: str | None,
    install: bool,
) -> None:
    """Merge a ledger file entry by entry, as git's merge driver (BASE OURS THEIRS PATH).

    Git calls it as `beanfirm merge-driver %O %A %B %P`; the result replaces OURS. Entries
    added on both sides are kept once each (by import-id, or by content); the same entry
    changed both ways stays a conflict, named by date, payee, amount and import-id, and the
    exit status is 1. `--install` sets the driver up in this clone.
    """
    if install:
        practice = practice_of(ctx)
        command = install_merge_driver(repo_of(practice))
        click.echo(f"git now merges ledgers with: {command}")
        if not attributes_name_driver(practice.root):
            click.echo(
                f"This clone's .git/info/attributes names it; {ATTRIBUTES_FILE} does not yet: "
                f"add the line `{ATTRIBUTES_LINE}` to it and commit it, so that the practice "
                "says how its ledgers merge."
            )
        return
    if base is None or ours is None or theirs is None:
        msg = (
            "merge-driver needs the three files git passes (BASE OURS THEIRS [PATH]); to set "
            "the driver up, run `beanfirm merge-driver --install` in the practice."
        )
        raise UsageError(msg)
    outcome = run_merge(base, ours, theirs, path or str(ours))
    if not outcome.clean:
        echo(outcome.report(), err=True)
        sys.exit(EXIT_FINDINGS)
