"""`beanfirm remote install-hooks` and the hook it installs, `beanfirm remote pre-receive`."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from beanfirm.errors import EXIT_FINDINGS
from beanfirm.jobs.prereceive import install_hooks, run_hook


@click.group()
def remote() -> None:
    """Make the firm's shared remote refuse what the command line refuses (its hooks)."""


@remote.command("install-hooks")
@click.argument("bare", metavar="REPO.git", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--command",
    "command",
    help="The command the hook runs (default: this Python, -m beanfirm.jobs.prereceive).",
)
@click.option("--force", is_flag=True, help="Replace a pre-receive hook beanfirm did not write.")
def install_hooks_command(bare: Path, command: str | None, force: bool) -> None:
    """Install the pre-receive hook into the bare repository REPO.git.

    The hook refuses a push that breaks a changed client's check, edits a locked period,
    rewrites or deletes approved history, or carries an approval against the two-person rule,
    with the same messages as the command line. It runs the Python beanfirm is installed in,
    by its absolute path (or --command).
    """
    hook = install_hooks(bare, command, force=force)
    click.echo(f"Installed {hook}; it runs: {hook.read_text(encoding='utf-8').splitlines()[-1]}")


@remote.command("pre-receive", hidden=True)
def pre_receive() -> None:
    """Git's pre-receive hook: read `old new ref` lines on stdin, refuse a push that fails."""
    said = run_hook(Path(os.environ.get("GIT_DIR", ".")), sys.stdin.read())
    for paragraph in said:
        click.echo(paragraph, err=True)
    if said:
        sys.exit(EXIT_FINDINGS)
