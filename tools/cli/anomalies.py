"""`beanfirm anomalies [CLIENT...]` and `beanfirm anomalies dismiss CLIENT ID`."""

from __future__ import annotations

import datetime
import sys
from collections import Counter
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import click

from beanfirm.anomalies.findings import KINDS, money
from beanfirm.anomalies.report import AnomalyReport, anomaly_report
from beanfirm.cli.accounts import DATE
from beanfirm.cli.context import author_of, practice_of, repo_of, staff_of
from beanfirm.cli.output import echo, echo_json, json_option
from beanfirm.cli.progress import client_progress
from beanfirm.cli.reportopts import ledger_note
from beanfirm.errors import EXIT_FINDINGS
from beanfirm.jobs.dismissing import dismiss_anomaly
from beanfirm.store.ledger import is_warning, load_ledger

if TYPE_CHECKING:
    from beanfirm.store.registry import Client


class ReportGroup(click.Group):
    """A group that runs its report when the first word is not one of its commands."""

    def __init__(self, *args: Any, report: click.Command, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.report = report

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        """Return the named command, or the report with every word given to it."""
        if args and args[0] in self.commands:
            return super().resolve_command(ctx, args)
        return "", self.report, args


class ReportContext(click.Context):
    """The report's context: its command path is the group's (it has no name of its own)."""

    @property
    def command_path(self) -> str:
        """Return `beanfirm anomalies`, without the empty name's space."""
        return " ".join(super().command_path.split())


class Report(click.Command):
    """The report that `beanfirm anomalies` runs when no command is named."""

    context_class = ReportContext


@click.command(cls=Report)
@click.argument("client_ids", metavar="[CLIENT]...", nargs=-1)
@click.option("--since", type=DATE, default=None, help="Only entries on or after this day.")
@click.option(
    "--kind",
    "kinds",
    type=click.Choice(list(KINDS)),
    multiple=True,
    help="Only anomalies of this kind (repeat for more).",
)
@json_option()
@click.pass_context
def report(
    ctx: click.Context,
    client_ids: tuple[str, ...],
    since: datetime.datetime | None,
    kinds: tuple[str, ...],
    as_json: bool,
) -> None:
    """Find the anomalies in the books of CLIENT (default: every client)."""
    practice = practice_of(ctx)
    registry = practice.registry
    clients = [registry.client(cid) for cid in client_ids] if client_ids else registry.clients
    reports: list[tuple[Client, AnomalyReport]] = []
    with client_progress("Finding anomalies", len(clients)) as progress:
        for client in clients:
            main = practice.main_file(client.id)
            ledger = load_ledger(main)
            ledger_note(sum(1 for e in ledger.errors if not is_warning(e)), client.id)
            registered = [(account.account, account.kind) for account in client.accounts]
            day = since.date() if since else None
            found = anomaly_report(ledger.entries, main, practice.root, registered, since=day)
            if kinds:
                found = replace(found, found=[a for a in found.found if a.kind in kinds])
            reports.append((client, found))
            progress.advance(progress.task_ids[0])
    if as_json:
        echo_json(
            [
                {
                    "client": client.id,
                    "anomalies": [anomaly.as_json() for anomaly in found.found],
                    "dismissed": len(found.dismissed),
                    "problems": [str(problem) for problem in found.problems],
                }
                for client, found in reports
            ]
        )
    else:
        for client, found in reports:
            _print_report(client, found)
    if any(found.found or found.problems for _client, found in reports):
        sys.exit(EXIT_FINDINGS)


def _print_report(client: Client, report: AnomalyReport) -> None:
    dismissed = f", {len(report.dismissed)} dismissed" if report.dismissed else ""
    count = len(report.found)
    kinds = Counter(anomaly.kind for anomaly in report.found)
    by_kind = ", ".join(f"{kinds[kind]} {kind}" for kind in KINDS if kinds[kind])
    shown = f" ({by_kind})" if by_kind else ""
    echo(f"{client.id}: {count} {'anomaly' if count == 1 else 'anomalies'}{shown}{dismissed}")
    for problem in report.problems:
        echo(f"  {problem}")
    for anomaly in report.found:
        amount = "" if anomaly.amount is None else f"  {money(anomaly.amount, anomaly.currency)}"
        echo(f"  {anomaly.id}  {anomaly.date}  {anomaly.where}{amount}")
        echo(f"    {anomaly.finding}")


HELP = (
    "Find unusual entries in the clients' books, or dismiss one (docs/anomalies.md).\n\n"
    "`beanfirm anomalies [CLIENT]... [--since DATE] [--kind KIND]... [--json]` lists, for each "
    "client (default: "
    "every client), each anomaly with its id, its entry's file:line and the evidence; it exits 1 "
    "when it finds any. `beanfirm anomalies dismiss CLIENT ID --reason TEXT` records that one "
    "is not a problem, so that it is not listed again. Kinds:\n\n\b\n"
    + "\n".join(f"{kind}: {meaning}" for kind, meaning in KINDS.items())
)


@click.group(
    cls=ReportGroup,
    report=report,
    help=HELP,
    invoke_without_command=True,
    # The report's options may come first (`anomalies --json`): the group leaves them to it.
    context_settings={"ignore_unknown_options": True},
    subcommand_metavar="[CLIENT]... [--since DATE] [--kind KIND] [--json] | dismiss CLIENT ID ...",
)
@click.pass_context
def anomalies(ctx: click.Context) -> None:  # noqa: D103 - its help is HELP
    if ctx.invoked_subcommand is None:
        ctx.invoke(report)


@anomalies.command("dismiss")
@click.argument("client_id", metavar="CLIENT")
@click.argument("anomaly_id", metavar="ID")
@click.option("--reason", required=True, help="Why it is not a problem, in one line.")
@click.option("--on", type=DATE, default=None, help="Day of the dismissal (default: today).")
@click.option("-n", "--dry-run", is_flag=True, help="Check everything and show it; write nothing.")
@click.pass_context
def dismiss(
    ctx: click.Context,
    client_id: str,
    anomaly_id: str,
    reason: str,
    on: datetime.datetime | None,
    dry_run: bool,
) -> None:
    """Dismiss anomaly ID of CLIENT for good, with the reason, in one commit.

    The dismissal goes into the client's anomalies.yaml, under git; the anomaly is not
    listed again, and `beanfirm status` no longer counts it.
    """
    practice = practice_of(ctx)
    client = practice.registry.client(client_id)
    repo = repo_of(practice)
    staff = staff_of(ctx, practice, repo)
    day = on.date() if on else datetime.date.today()  # noqa: DTZ011 - the firm's local day
    written = dismiss_anomaly(
        practice,
        repo,
        client,
        anomaly_id,
        reason,
        by=staff.id,
        on=day,
        author=author_of(staff),
        dry_run=dry_run,
    )
    anomaly = written.value
    if written.commit is None:
        echo(f"Dry run: would dismiss {anomaly.id} ({anomaly.kind} at {anomaly.where}), writing:")
    else:
        commit = written.commit[:10]
        echo(f"Dismissed {anomaly.id} ({anomaly.kind} at {anomaly.where}), commit {commit}:")
    for path in written.paths:
        echo(f"  {path}")
