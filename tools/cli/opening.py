"""`beanfirm opening CLIENT FILE --date D`: a client's opening balances from a trial balance."""

from __future__ import annotations

import datetime
from pathlib import Path

import click

from beanfirm.cli.context import author_of, practice_of, repo_of, staff_of
from beanfirm.cli.output import echo
from beanfirm.errors import UsageError
from beanfirm.ingest.openitemsfile import read_open_items
from beanfirm.ingest.trialbalance import COLUMN_CHOICES, read_trial_balance
from beanfirm.jobs.opening import OpeningPlan, OpeningRequest, read_mapping, run_opening


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        msg = f"{path}: cannot be read ({exc.strerror}); check the path."
        raise UsageError(msg) from exc


def _text(path: Path) -> str:
    try:
        return _read(path).decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        msg = f"{path}: is not UTF-8 text (byte {exc.start}); save the mapping file as UTF-8."
        raise UsageError(msg) from exc


def _print(plan: OpeningPlan, commit: str | None) -> None:
    request = plan.request
    trial = request.trial
    echo(
        f"Opening balances of {request.client.id} at the end of {request.date} from "
        f"{trial.filename} ({trial.columns}):"
    )
    echo(
        f"  {trial.rows} rows read: {len(trial.lines)} account lines, {len(trial.parents)} "
        f"parent lines checked against their sub-accounts, {len(trial.skipped)} skipped"
    )
    echo(f"  debits {trial.debits:,} = credits {trial.credits:,} {plan.currency}")
    for account, found in plan.lines.items():
        labels = ", ".join(f"line {m.line.line} {m.line.label} (by {m.how})" for m in found)
        echo(f"  {account} <- {labels}")
    for row in trial.skipped:
        echo(f"  line {row.line}: skipped: {row.reason}")
    if request.items_file:
        echo(
            f"  {plan.count('invoice')} open invoice(s) and {plan.count('bill')} open bill(s) "
            f"from {request.items_file}"
        )
    echo(f"{'Would write' if commit is None else 'Wrote'} {plan.month_file}:\n")
    echo("\n".join(plan.text))
    if commit is None:
        echo("Dry run: nothing was written.")
    else:
        echo(f"Opened the books. Commit {commit[:10]}.")


@click.command()
@click.argument("client_id")
@click.argument("trial_balance", type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--date",
    "as_of",
    required=True,
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="The trial balance's date (YYYY-MM-DD): its balances are those at the end of this day, "
    "and the opening entries are dated this day.",
)
@click.option(
    "--open-items",
    type=click.Path(path_type=Path, dir_okay=False),
    help="The customers' open invoices and the vendors' open bills (CSV or XLSX).",
)
@click.option(
    "--column",
    type=click.Choice(COLUMN_CHOICES),
    help="Which balances of a file with both: 期初 (opening) or 期末 (closing).",
)
@click.option(
    "--map",
    "map_file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="A YAML file mapping a line's code or name to an account: `1122: Assets:Receivable`.",
)
@click.option("-n", "--dry-run", is_flag=True, help="Check everything and show it; write nothing.")
@click.pass_context
def opening(
    ctx: click.Context,
    client_id: str,
    trial_balance: Path,
    as_of: datetime.datetime,
    open_items: Path | None,
    column: str | None,
    map_file: Path | None,
    dry_run: bool,
) -> None:
    """Open a client's books from a trial balance (科目余额表), with its open items.

    Reads the trial balance (CSV or XLSX from 易代账, 金蝶, 用友, QuickBooks or Xero), maps each
    line onto the client's chart by code or name, checks that debits equal credits and that
    the open items add up to their lines, and books the balances, one entry per open invoice
    or bill and the balance assertions of the reconciled accounts, in one commit. Nothing is
    written if anything does not add up.
    """
    practice = practice_of(ctx)
    client = practice.registry.client(client_id)
    trial = read_trial_balance(_read(trial_balance), trial_balance.name, column)
    items = read_open_items(_read(open_items), open_items.name) if open_items else []
    mapping = read_mapping(_text(map_file), map_file.name) if map_file else {}
    request = OpeningRequest(
        client,
        trial,
        as_of.date(),
        tuple(items),
        open_items.name if open_items else None,
        mapping,
    )
    repo = repo_of(practice)
    staff = staff_of(ctx, practice, repo)
    plan, commit = run_opening(practice, repo, request, author=author_of(staff), dry_run=dry_run)
    _print(plan, commit)
