"""`beanfirm rules test CLIENT FILE`."""

from __future__ import annotations

from pathlib import Path

import click

from beanfirm.cli.context import practice_of
from beanfirm.cli.output import echo, echo_json, echo_table, json_option
from beanfirm.ingest.trial import Trial, TrialRow, try_rules


@click.group()
def rules() -> None:
    """Categorization rules: the client's ledgers/<id>/rules.yaml over the firm's rules.yaml."""


@rules.command("test")
@click.argument("client_id", metavar="CLIENT")
@click.argument(
    "export", metavar="FILE", type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option(
    "--account",
    metavar="ACCOUNT",
    help="The client's account the export belongs to (default: the one whose importer "
    "identifies the file).",
)
@json_option()
@click.pass_context
def test(
    ctx: click.Context, client_id: str, export: Path, account: str | None, as_json: bool
) -> None:
    """Show which rule each row of an export hits, and the account it would be booked to.

    Reads FILE with the importer clients.yaml names for the account, categorizes every row as
    `beanfirm import` would (the client's rules, then the firm's, then a suggestion learned
    from the client's ledger) and writes nothing.
    """
    trial = try_rules(practice_of(ctx), client_id, export, account=account)
    if as_json:
        echo_json(trial.as_json())
        return
    _print_trial(trial)


def _print_trial(trial: Trial) -> None:
    echo_table(
        f"{trial.client_id}: {trial.filename} as {trial.account} ({trial.importer})",
        ("line", "date", "amount", "payee", "narration", "rule", "flag", "account"),
        [_cells(row) for row in trial.rows],
        styles=[_style(row) for row in trial.rows],
    )
    counts = trial.counts()
    echo(
        f"{counts['rows']} rows: {counts['by_rule']} by a rule, {counts['suggested']} with a "
        f"suggestion, {counts['uncategorized']} uncategorized; {counts['skipped']} skipped by "
        "the importer."
    )
    for skipped in trial.skipped:
        echo(f"  skipped line {skipped.line}: {skipped.reason}")


def _cells(row: TrialRow) -> list[object]:
    decision = row.decision
    account = decision.account
    if decision.suggestion is not None and not decision.suggestion.applied:
        account = (
            f"{account} (suggested {decision.suggestion.account}, "
            f"{decision.suggestion.confidence:.0%})"
        )
    return [
        row.line,
        row.date,
        f"{row.number} {row.currency}",
        row.payee or "",
        row.narration,
        decision.rule or "no rule",
        decision.flag,
        account,
    ]


def _style(row: TrialRow) -> str | None:
    if row.decision.rule is None:
        return "yellow"
    return None
