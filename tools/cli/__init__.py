"""The beanfirm command line: one click group, one module per command.

This layer is thin: it parses options, calls domain code and renders results. Domain code
raises `BeanfirmError`s; `main` prints them as one paragraph and exits with their code
(1 findings or ledger errors, 2 usage or configuration errors), never with a traceback.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from beanfirm import __version__
from beanfirm.cli.aging import aging
from beanfirm.cli.audit import audit
from beanfirm.cli.backup import backup, restore_command
from beanfirm.cli.check import check
from beanfirm.cli.clients import clients
from beanfirm.cli.credit import credit
from beanfirm.cli.diff import diff
from beanfirm.cli.dunning import dunning
from beanfirm.cli.forecast import forecast_command
from beanfirm.cli.generate import generate
from beanfirm.cli.import_ import import_
from beanfirm.cli.init import init
from beanfirm.cli.opening import opening
from beanfirm.cli.output import echo
from beanfirm.cli.portal import portal
from beanfirm.cli.reconcile import reconcile
from beanfirm.cli.repair import repair
from beanfirm.cli.rules import rules
from beanfirm.cli.serve import serve_command
from beanfirm.cli.statement import statement
from beanfirm.cli.status import status
from beanfirm.errors import BeanfirmError


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--practice",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="BEANFIRM_PRACTICE",
    help="The practice folder (default: the nearest folder above with clients.yaml).",
)
@click.option(
    "--as",
    "staff_id",
    envvar="BEANFIRM_STAFF",
    help="Your staff id, the author of commits (default: matched from git's user.email).",
)
@click.version_option(__version__, prog_name="beanfirm")
@click.pass_context
def cli(ctx: click.Context, practice: Path | None, staff_id: str | None) -> None:
    """beanfirm: plain-text accounting for accounting firms, on Beancount and Fava.

    Exit codes: 0 ok, 1 findings or ledger errors, 2 usage or configuration errors.
    """
    ctx.ensure_object(dict)
    ctx.obj["practice"] = practice
    ctx.obj["staff_id"] = staff_id


for command in (init, clients, check, status, generate, rules, import_):
    cli.add_command(command)
cli.add_command(reconcile)  # issue 6
cli.add_command(repair)  # issue 14
for command in (serve_command, portal, audit):  # the client portal (issue 7)
    cli.add_command(command)

for command in (aging, credit, forecast_command):  # customer accounts (issue 8)
    cli.add_command(command)
for command in (statement, dunning):  # statements of account and reminders (issue 8)
    cli.add_command(command)
cli.add_command(opening)  # opening balances (issue 13)
for command in (backup, restore_command):  # encrypted backups (issue 14)
    cli.add_command(command)
cli.add_command(diff)  # the reviewer's desk (issue 15)


def main() -> None:
    """Run the command line, turning beanfirm errors into one paragraph and an exit code."""
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(1)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except BeanfirmError as exc:
        echo(f"Error: {exc}", err=True)  # data in the message is printed as data
        sys.exit(exc.exit_code)
