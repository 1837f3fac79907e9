"""`beanfirm clients list|show|add`."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from beanfirm.cli.context import author_of, practice_of, repo_of, staff_of
from beanfirm.cli.filters import filter_options, select_clients
from beanfirm.cli.output import echo, echo_csv, echo_json, echo_table, format_option
from beanfirm.core import paths
from beanfirm.errors import UsageError
from beanfirm.firm.charts import TEMPLATES
from beanfirm.importers import IMPORTER_NAMES
from beanfirm.jobs.adoption import Adoption, adopt_client, parse_roots, read_source
from beanfirm.jobs.onboarding import add_client, client_yaml
from beanfirm.jobs.staffing import Review, verify_client
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

F = TypeVar("F", bound=Callable[..., Any])

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
    """List, show, add, adopt and verify the clients of the practice."""


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
    if client.last_verified is not None:  # the day its data was last reviewed (clients verify)
        by = f" by {client.verified_by}" if client.verified_by else ""
        lines.append(f"  last verified   {client.last_verified}{by}")
    if client.accounts:
        lines.append("  accounts")
        for acc in client.accounts:
            extra = f" no. {acc.number}" if acc.number else ""
            cadence = client.reconcile_cadence(acc)
            lines.append(
                f"    {acc.account}  [{acc.kind}, importer {acc.importer}{extra}, "
                f"reconcile {cadence}]"
            )
    echo("\n".join(lines))


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


def _registry_options(*, adopting: bool) -> Callable[[F], F]:
    """Add the options of a client's registry record, shared by `add` and `adopt`."""
    name_help = (
        "Legal name of the client business (default: the ledger's title)."
        if adopting
        else "Legal name of the client business."
    )
    currency = (
        {"default": None, "help": "Base currency (default: the ledger's first operating one)."}
        if adopting
        else {"default": "CNY", "show_default": True, "help": "Base currency."}
    )
    options = (
        click.option("--name", required=not adopting, help=name_help),
        click.option("--industry", required=True, help="Industry (free text, e.g. retail)."),
        click.option(
            "--frequency",
            type=click.Choice(FREQUENCIES),
            required=True,
            help="Transaction frequency.",
        ),
        click.option("--region", required=True, help="Region (free text, e.g. shanghai)."),
        click.option("--size", type=click.Choice(SIZES), required=True, help="Business size."),
        click.option("--preparer", required=True, help="Staff id of the preparer."),
        click.option("--reviewer", required=True, help="Staff id of the reviewer."),
        click.option("--currency", **currency),
        click.option("--fiscal-year-start", default="01-01", show_default=True, help="MM-DD."),
        click.option("--language", type=click.Choice(LANGUAGES), default="zh", show_default=True),
        click.option(
            "--reconcile",
            type=click.Choice(CADENCES),
            default="monthly",
            show_default=True,
            help="Reconciliation cadence.",
        ),
    )

    def decorate(command: F) -> F:
        for option in reversed(options):
            command = option(command)
        return command

    return decorate


def _account_option(extra: str = "") -> Callable[[F], F]:
    return click.option(
        "--account",
        "accounts",
        multiple=True,
        help="A bank/payment account: ACCOUNT,KIND,IMPORTER[,NUMBER]. Repeatable." + extra,
    )


DRY_RUN = click.option("-n", "--dry-run", is_flag=True, help="Validate and show; write nothing.")


def _client(
    client_id: str, name: str, currency: str, accounts: tuple[str, ...], record: dict[str, Any]
) -> Client:
    """Return the registry record of a new client from the shared options."""
    return Client(
        id=client_id,
        name=name,
        classification=Classification(
            record["industry"], record["frequency"], record["region"], record["size"]
        ),
        preparer=record["preparer"],
        reviewer=record["reviewer"],
        currency=currency,
        fiscal_year_start=record["fiscal_year_start"],
        language=record["language"],
        reconcile=record["reconcile"],
        accounts=tuple(_parse_account(spec) for spec in accounts),
        line=0,
    )


@clients.command("add")
@click.argument("client_id")
@_registry_options(adopting=False)
@click.option(
    "--template",
    type=click.Choice(list(TEMPLATES)),
    default=None,
    help="Chart of accounts (default: cn-small for zh, en-simple for en).",
)
@_account_option()
@click.option(
    "--opened",
    type=click.DateTime(["%Y-%m-%d"]),
    default=None,
    help="Date the books start (default: the first of this month).",
)
@DRY_RUN
@click.pass_context
def add(
    ctx: click.Context,
    /,
    client_id: str,
    name: str,
    currency: str,
    template: str | None,
    accounts: tuple[str, ...],
    opened: datetime.datetime | None,
    dry_run: bool,
    **record: str,
) -> None:
    """Register CLIENT_ID and create its ledger skeleton, in one commit."""
    practice = practice_of(ctx)
    repo = repo_of(practice)
    author = staff_of(ctx, practice, repo)
    client = _client(client_id, name, currency, accounts, record)
    start = opened.date() if opened else datetime.date.today().replace(day=1)  # noqa: DTZ011
    chart = template or ("cn-small" if client.language == "zh" else "en-simple")
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
        echo(f"Dry run: would add client {client_id} and write:")
    else:
        echo(f"Added client {client_id} (commit {str(result.commit)[:10]}):")
    for path in result.paths:
        echo(f"  {path}")


@clients.command("adopt")
@click.argument("client_id")
@click.argument("path", type=click.Path(path_type=Path))
@_registry_options(adopting=True)
@click.option(
    "--receivable-root",
    default=None,
    help="Account under which the ledger opens one account per customer "
    "(default: Assets:Receivable and Assets:1122-应收账款).",
)
@click.option(
    "--payable-root",
    default=None,
    help="Account under which the ledger opens one account per vendor "
    "(default: Liabilities:Payable and Liabilities:2202-应付账款).",
)
@_account_option(" The ledger must open it.")
@DRY_RUN
@click.pass_context
def adopt(
    ctx: click.Context,
    /,
    client_id: str,
    path: Path,
    name: str | None,
    currency: str | None,
    receivable_root: str | None,
    payable_root: str | None,
    accounts: tuple[str, ...],
    dry_run: bool,
    **record: str,
) -> None:
    """Register CLIENT_ID with its existing Beancount ledger PATH, kept as it is, in one commit.

    PATH is the ledger's top file (or a folder with main.beancount). Its files become
    ledgers/CLIENT_ID/, the top file as main.beancount, with the firm's checks added at its
    end; then it reports what those checks flag.
    """
    practice = practice_of(ctx)
    repo = repo_of(practice)
    author = staff_of(ctx, practice, repo)
    roots = parse_roots(receivable_root, payable_root)
    source = read_source(path)
    base = currency or (source.currencies[0] if source.currencies else "CNY")
    client = _client(client_id, name or source.title or client_id, base, accounts, record)
    today = datetime.date.today()  # noqa: DTZ011 - the firm's local day
    result = adopt_client(
        practice,
        repo,
        client,
        source,
        roots=roots,
        author=author_of(author),
        today=today,
        dry_run=dry_run,
    )
    adoption = result.value
    if dry_run:
        echo(f"Dry run: would adopt {source.top.name} as client {client_id}, writing:")
    else:
        echo(
            f"Adopted {source.top.name} as client {client_id} "
            f"(commit {str(result.commit)[:10]}), writing:"
        )
    for written in result.paths:
        echo(f"  {written}")
    echo("\n".join(adoption_lines(adoption)))


@clients.command("verify")
@click.argument("client_id")
@click.option(
    "--customer",
    default=None,
    help="Record the review of one customer's master data (its account's last part or name).",
)
@click.option(
    "--as",
    "reviewer",
    default=None,
    help="The staff member who reviewed it (default: you, from beanfirm --as or git).",
)
@click.option(
    "--on", type=click.DateTime(["%Y-%m-%d"]), default=None, help="Day of the review (today)."
)
@DRY_RUN
@click.pass_context
def verify(
    ctx: click.Context,
    client_id: str,
    customer: str | None,
    reviewer: str | None,
    on: datetime.datetime | None,
    dry_run: bool,
) -> None:
    """Record that CLIENT_ID's data (or one customer's) was checked with the client, in one commit.

    Sets `last-verified:` and `verified-by:` on the client in clients.yaml, or on the
    customer's receivable account; `beanfirm status` flags records older than the firm's
    `review-interval-days`.
    """
    practice = practice_of(ctx)
    repo = repo_of(practice)
    client = practice.registry.client(client_id)
    by = practice.registry.staff_member(reviewer) if reviewer else staff_of(ctx, practice, repo)
    day = on.date() if on else datetime.date.today()  # noqa: DTZ011 - the firm's local day
    review = Review(client, by, day, customer)
    written = verify_client(practice, repo, review, author=author_of(by), dry_run=dry_run)
    what = f"customer {customer} of {client_id}" if customer else f"client {client_id}"
    if written.commit is None:
        echo(f"Dry run: would record the review of {what} by {by.id} on {day}.")
    else:
        echo(f"Recorded the review of {what} by {by.id} on {day} (commit {written.commit[:10]}).")


def adoption_lines(adoption: Adoption) -> list[str]:
    """Return the report of an adoption: notes, then what the firm's checks flag."""
    lines = [f"Note: {note}" for note in adoption.notes]
    report = adoption.report
    total = sum(report.counts.values())
    if not total:
        lines.append("The firm's checks flag nothing in these books.")
        return lines
    lines.append(f"The firm's checks flag {total} finding{'s' if total != 1 else ''}:")
    for (plugin, severity), count in sorted(report.counts.items()):
        lines.append(f"  {plugin} {severity}s: {count}")
        lines.extend(f"    {problem}" for problem in report.examples[plugin, severity])
    lines.append("Run `beanfirm check` for all of them (docs/onboarding.md says what to do).")
    return lines
