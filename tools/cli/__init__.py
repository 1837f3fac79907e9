"""The beanfirm command line: one click group, one module per command.

This layer is thin: it parses options, calls domain code and renders results. Domain code
raises `BeanfirmError`s; `main` prints them as one paragraph and exits with their code
(1 findings or ledger errors, 2 usage or configuration errors), never with a traceback.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import click

from beanfirm import __version__
from beanfirm.cli.output import echo, write_utf8
from beanfirm.errors import BeanfirmError, UsageError, not_utf8

# Each command's module, imported when the command runs (or `--help` lists it), so that a
# command pays for its own imports only: `beanfirm diff` starts in a third of the time.
COMMANDS = {
    "init": "beanfirm.cli.init:init",
    "clients": "beanfirm.cli.clients:clients",
    "check": "beanfirm.cli.check:check",
    "status": "beanfirm.cli.status:status",
    "generate": "beanfirm.cli.generate:generate",
    "rules": "beanfirm.cli.rules:rules",
    "import": "beanfirm.cli.import_:import_",
    "reconcile": "beanfirm.cli.reconcile:reconcile",  # issue 6
    "repair": "beanfirm.cli.repair:repair",  # issue 14
    "serve": "beanfirm.cli.serve:serve_command",  # the client portal (issue 7)
    "portal": "beanfirm.cli.portal:portal",
    "audit": "beanfirm.cli.audit:audit",
    "aging": "beanfirm.cli.aging:aging",  # customer accounts (issue 8)
    "credit": "beanfirm.cli.credit:credit",
    "forecast": "beanfirm.cli.forecast:forecast_command",
    "statement": "beanfirm.cli.statement:statement",
    "dunning": "beanfirm.cli.dunning:dunning",
    "opening": "beanfirm.cli.opening:opening",  # opening balances (issue 13)
    "backup": "beanfirm.cli.backup:backup",  # encrypted backups (issue 14)
    "restore": "beanfirm.cli.backup:restore_command",
    "diff": "beanfirm.cli.diff:diff",  # the reviewer's desk (issue 15)
    "review": "beanfirm.cli.review:review",
    "approve": "beanfirm.cli.approve:approve",
    "lock": "beanfirm.cli.lock:lock",  # locked periods (issue 15)
    "reopen": "beanfirm.cli.lock:reopen",
    "close": "beanfirm.cli.close:close",  # month-end close (issue 16)
    "merge-driver": "beanfirm.cli.mergedriver:merge_driver",  # the shared remote (issue 15)
    "remote": "beanfirm.cli.remote:remote",
    "sync": "beanfirm.cli.sync:sync",
    "financials": "beanfirm.cli.financials:financials",  # month end (issue 16)
    "accruals": "beanfirm.cli.accruals:accruals",
    "assets": "beanfirm.cli.assets:assets",
    "accounts": "beanfirm.cli.accounts:accounts",  # set-up by command (issue 17)
    "customers": "beanfirm.cli.customers:customers",
    "staff": "beanfirm.cli.staff:staff",
    "invoice": "beanfirm.cli.invoice:invoice",  # invoices, bills, payments (issue 17)
    "bill": "beanfirm.cli.bill:bill",
    "payment": "beanfirm.cli.payment:payment",
    "visits": "beanfirm.cli.visits:visits",  # visit expenses (issue 17)
    "categorize": "beanfirm.cli.categorize:categorize",  # day work (issue 17)
    "anomalies": "beanfirm.cli.anomalies:anomalies",  # anomaly warnings (issue 17)
    "requests": "beanfirm.cli.requests:requests",  # document collection (issue 18)
    "documents": "beanfirm.cli.documents:documents",
}


class LazyGroup(click.Group):
    """A click group that imports a command's module only when the command is wanted."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        """Return every command's name: those added and those to import."""
        return sorted({*super().list_commands(ctx), *COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """Return a command, importing its module the first time."""
        command = super().get_command(ctx, cmd_name)
        if command is None and cmd_name in COMMANDS:
            module_name, _, attribute = COMMANDS[cmd_name].partition(":")
            command = getattr(importlib.import_module(module_name), attribute)
            assert isinstance(command, click.Command)  # noqa: S101 - COMMANDS names commands
            self.add_command(command, cmd_name)
        return command


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
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

    Exit codes: 0 ok, 1 findings or ledger errors, 2 usage or configuration errors; a
    command that goes on past failures exits with the highest code among them.
    """
    ctx.ensure_object(dict)
    ctx.obj["practice"] = practice
    ctx.obj["staff_id"] = staff_id


def refuse_undecodable(args: list[str]) -> None:
    """Refuse an argument that is not UTF-8 (a GBK file name from Chinese Windows), up front.

    Python hands such bytes on as lone surrogates, which every write of them (a commit
    message, a record, YAML) fails on half-way; so nothing runs with one.
    """
    for number, arg in enumerate(args):
        shown = not_utf8(arg)
        if shown is None:
            continue
        before = args[number - 1] if number else ""
        of = f" (the value of {before})" if before.startswith("-") and "=" not in before else ""
        msg = (
            f"The argument '{shown}'{of} is not UTF-8 text: its bytes are in another "
            "encoding (most likely GBK, in which Chinese Windows names files), and beanfirm "
            "keeps every name and text in UTF-8. Nothing was written. If it is a file's name, "
            "rename the file (type its name again on this system) and run the command again; "
            "other text (such as --reason), type in UTF-8."
        )
        raise UsageError(msg)


def main() -> None:
    """Run the command line, turning beanfirm errors into one paragraph and an exit code."""
    write_utf8()
    try:
        refuse_undecodable(sys.argv[1:])
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
