"""`beanfirm clients list|show|add`."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

import click

from beanfirm.cli.context import author_of, practice_of, repo_of, staff_of
from beanfirm.cli.filters import filter_options, select_clients
from beanfirm.cli.output import echo_csv, echo_json, echo_table, format_option
from beanfirm.core import paths
from beanfirm.errors import UsageError
from beanfirm.firm.charts import TEMPLATES
from beanfirm.importers import IMPORTER_NAMES
from beanfirm.jobs.onboarding import add_client, client_yaml
from beanfirm.store.registry import (
    ACCOUNT_KINDS,
    CADENCES,
    FREQUENCIES,
    LANGUAGES,
    SIZES,
    Classification,
    Client,
    FundingAccount,
)

if TYPE_CHECKING:
    from beanfirm.firm.filters import ClientFilter

LIST_COLUMNS = (
    "id",
    "name",
    "industry",
    "frequency",
    "region",
    "size",
    "preparer",
    "reviewer",
    "currency",
    "language",
    "reconcile",
)


def _row(client: Client) -> list[Any]:
    kind = client.classification
    return [
        client.id,
        client.name,
        kind.industry,
        kind.frequency,
        kind.region,
        kind.size,
        client.preparer,
        client.reviewer,
        client.currency,
        client.language,
        client.reconcile,
    ]


@click.group()
def clients() -> None:
    """List, show and add the clients of the practice."""


@clients.command("list")
@filter_options
@format_option()
@click.option("--json", "as_json", is_flag=True, help="Same as --format json.")
@click.pass_context
def list_clients(
    ctx: click.Context, client_filter: ClientFilter, output_format: str, as_json: bool
) -> None:
    """List clients, filtered by classification and staff."""
    practice = practice_of(ctx)
    selected = select_clients(practice, client_filter)
    if as_json or output_format == "json":
        echo_json([client_yaml(client) for client in selected])
    elif output_format == "csv":
        echo_csv(LIST_COLUMNS, [_row(c) for c in selected])
    else:
        noun = "client" if len(selected) == 1 else "clients"
        title = f"{practice.registry.firm.name}: {len(selected)} {noun}"
        echo_table(title, LIST_COLUMNS, [_row(c) for c in selected])


@clients.command("show")
@click.argument("client_id")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def show_client(ctx: click.Context, client_id: str, as_json: bool) -> None:
    """Show one client's registry record and ledger folder."""
    practice = practice_of(ctx)
    client = practice.registry.client(client_id)
    if as_json:
        echo_json({**client_yaml(client), "ledger": paths.main_file(client.id)})
        return
    staff = {s.id: s for s in practice.registry.firm.staff}
    kind = client.classification
    lines = [
        f"{client.id}: {client.name}",
        (
            f"  classification  industry {kind.industry}, frequency {kind.frequency}, "
            f"region {kind.region}, size {kind.size}"
        ),
        f"  preparer        {client.preparer} ({staff[client.preparer].name})",
        f"  reviewer        {client.reviewer} ({staff[client.reviewer].name})",
        f"  currency        {client.currency}",
        f"  fiscal year     starts {client.fiscal_year_start}",
        f"  language        {client.language}",
        f"  reconcile       {client.reconcile}",
        f"  ledger          ledgers/{client.id}/main.beancount",
    ]
    if client.accounts:
        lines.append("  accounts")
        for acc in client.accounts:
            extra = f" no. {acc.number}" if acc.number else ""
            cadence = client.reconcile_cadence(acc)
            lines.append(
                f"    {acc.account}  [{acc.kind}, importer {acc.importer}{extra}, "
                f"reconcile {cadence}]"
            )
    click.echo("\n".join(lines))


def _parse_account(spec: str) -> FundingAccount:
    parts = spec.split(",")
    if len(parts) < 3:  # noqa: PLR2004 - ACCOUNT,KIND,IMPORTER
        msg = (
            f"--account '{spec}' must be ACCOUNT,KIND,IMPORTER[,NUMBER], for example "
            "'Assets:1002-银行存款:工商银行,bank,icbc-debit,6222020200001234'."
        )
        raise UsageError(msg)
    account, kind, importer = (p.strip() for p in parts[:3])
    if kind not in ACCOUNT_KINDS or importer not in IMPORTER_NAMES:
        msg = (
            f"--account '{spec}': kind must be one of {', '.join(ACCOUNT_KINDS)} and importer "
            f"one of {', '.join(IMPORTER_NAMES)}."
        )
        raise UsageError(msg)
    number = parts[3].strip() if len(parts) > 3 and parts[3].strip() else None  # noqa: PLR2004
    return FundingAccount(account, kind, importer, number, None, None)


@clients.command("add")
@click.argument("client_id")
@click.option("--name", required=True, help="Legal name of the client business.")
@click.option("--industry", required=True, help="Industry (free text, e.g. retail).")
@click.option(
    "--frequency", type=click.Choice(FREQUENCIES), required=True, help="Transaction frequency."
)
@click.option("--region", required=True, help="Region (free text, e.g. shanghai).")
@click.option("--size", type=click.Choice(SIZES), required=True, help="Business size.")
@click.option("--preparer", required=True, help="Staff id of the preparer.")
@click.option("--reviewer", required=True, help="Staff id of the reviewer.")
@click.option("--currency", default="CNY", show_default=True, help="Base currency.")
@click.option("--fiscal-year-start", default="01-01", show_default=True, help="MM-DD.")
@click.option("--language", type=click.Choice(LANGUAGES), default="zh", show_default=True)
@click.option(
    "--reconcile",
    type=click.Choice(CADENCES),
    default="monthly",
    show_default=True,
    help="Reconciliation cadence.",
)
@click.option(
    "--template",
    type=click.Choice(list(TEMPLATES)),
    default=None,
    help="Chart of accounts (default: cn-small for zh, en-simple for en).",
)
@click.option(
    "--account",
    "accounts",
    multiple=True,
    help="A bank/payment account: ACCOUNT,KIND,IMPORTER[,NUMBER]. Repeatable.",
)
@click.option(
    "--opened",
    type=click.DateTime(["%Y-%m-%d"]),
    default=None,
    help="Date the books start (default: the first of this month).",
)
@click.option("-n", "--dry-run", is_flag=True, help="Validate and show; write nothing.")
@click.pass_context
def add(
    ctx: click.Context,
    client_id: str,
    name: str,
    industry: str,
    frequency: str,
    region: str,
    size: str,
    preparer: str,
    reviewer: str,
    currency: str,
    fiscal_year_start: str,
    language: str,
    reconcile: str,
    template: str | None,
    accounts: tuple[str, ...],
    opened: datetime.datetime | None,
    dry_run: bool,
) -> None:
    """Register CLIENT_ID and create its ledger skeleton, in one commit."""
    practice = practice_of(ctx)
    repo = repo_of(practice)
    author = staff_of(ctx, practice, repo)
    client = Client(
        id=client_id,
        name=name,
        classification=Classification(industry, frequency, region, size),
        preparer=preparer,
        reviewer=reviewer,
        currency=currency,
        fiscal_year_start=fiscal_year_start,
        language=language,
        reconcile=reconcile,
        accounts=tuple(_parse_account(spec) for spec in accounts),
        line=0,
    )
    start = opened.date() if opened else datetime.date.today().replace(day=1)  # noqa: DTZ011
    chart = template or ("cn-small" if language == "zh" else "en-simple")
    result = add_client(
        practice,
        repo,
        client,
        template=chart,
        opened=start,
        author=author_of(author),
        dry_run=dry_run,
    )
    if dry_run:
        click.echo(f"Dry run: would add client {client_id} and write:")
    else:
        click.echo(f"Added client {client_id} (commit {str(result.commit)[:10]}):")
    for path in result.paths:
        click.echo(f"  {path}")
