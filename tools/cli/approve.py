"""`beanfirm approve`: record that a reviewer approved a client's books up to a commit."""

from __future__ import annotations

import sys

import click

from beanfirm.cli.context import exactly_one, practice_of, repo_of, staff_of
from beanfirm.cli.output import echo, echo_json, json_option
from beanfirm.errors import BeanfirmError, batch_exit_code
from beanfirm.jobs.approving import ApprovalOutcome, approve_client
from beanfirm.review.pending import pending_reviews
from beanfirm.store.gitrepo import PracticeRepo
from beanfirm.store.practice import Practice
from beanfirm.store.registry import Staff


def as_option(ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    """Let `--as ID` follow the command too (it is the group's option): the same setting."""
    if value:
        ctx.find_root().obj["staff_id"] = value
    return value


AS_OPTION = click.option(
    "--as",
    "staff_id",
    metavar="ID",
    callback=as_option,
    expose_value=False,
    help="Your staff id (the same as `beanfirm --as ID`).",
)


@click.command()
@click.argument("client_ids", metavar="[CLIENT]...", nargs=-1)
@click.option("--rev", metavar="REV", help="Approve up to this commit (default: HEAD).")
@click.option(
    "--all",
    "all_clients",
    is_flag=True,
    help="Approve every client with commits not yet approved.",
)
@click.option(
    "-x", "--failfast", is_flag=True, help="With several clients: stop at the first refusal."
)
@click.option("-n", "--dry-run", is_flag=True, help="Check everything, write no approval.")
@AS_OPTION
@json_option()
@click.pass_context
def approve(
    ctx: click.Context,
    client_ids: tuple[str, ...],
    rev: str | None,
    all_clients: bool,
    failfast: bool,
    dry_run: bool,
    as_json: bool,
) -> None:
    """Approve clients' books up to REV (default HEAD), as a reviewer or partner.

    Each approval is an annotated git tag beanfirm/approved/<client>/<NNNN> (signed when you
    have a signing-key in clients.yaml). Refused, with nothing written: an approver who is not
    a reviewer or partner, who wrote any of the commits approved, a client that does not check
    clean at REV, or REV not descending from the previous approval. With several clients, exits
    with the highest code of those refused.
    """
    practice = practice_of(ctx)
    repo = repo_of(practice)
    exactly_one(
        "Say whose books to approve", "the clients (CLIENT...)", "--all",
        given=(bool(client_ids), all_clients),
    )  # fmt: skip
    approver = staff_of(ctx, practice, repo)
    client_ids = chosen_clients(practice, repo, client_ids, quiet=as_json)
    single = not all_clients and len(client_ids) == 1
    outcomes: list[dict[str, object]] = []
    failures: list[int] = []
    for client_id in client_ids:
        try:
            outcome = approve_client(practice, repo, client_id, approver, rev=rev, dry_run=dry_run)
        except BeanfirmError as exc:
            if single:
                raise
            outcomes.append({"client": client_id, "result": "refused", "reason": str(exc)})
            failures.append(exc.exit_code)
            if not as_json:
                echo(f"Refused {client_id}: {exc}", err=True)
            if failfast:
                break
            continue
        outcomes.append(outcome_json(outcome, dry_run=dry_run))
        if not as_json:
            echo(outcome_text(outcome, approver))
    if as_json:
        echo_json(outcomes)
    if failures:
        sys.exit(batch_exit_code(failures))


def chosen_clients(
    practice: Practice, repo: PracticeRepo, client_ids: tuple[str, ...], *, quiet: bool
) -> tuple[str, ...]:
    """Return the clients named (each checked to be known), or all those waiting (--all)."""
    for client_id in client_ids:
        practice.registry.client(client_id)  # all known before any approval
    if client_ids:
        return client_ids
    waiting = tuple(waiting_clients(practice, repo))
    if not waiting and not quiet:
        click.echo("Every client's commits are approved: nothing to do.")
    return waiting


def waiting_clients(practice: Practice, repo: PracticeRepo) -> list[str]:
    """Return the clients with commits not yet approved, in registry order."""
    return list(pending_reviews(repo, [client.id for client in practice.registry.clients]))


def outcome_text(outcome: ApprovalOutcome, approver: Staff) -> str:
    """Return one line that says what approving one client did."""
    if outcome.nothing_new:
        return outcome.nothing_new
    count = len(outcome.commits)
    commits = f"{count} commit{'s' if count != 1 else ''}"
    if outcome.approval is None:
        return (
            f"Would approve {outcome.client} up to {outcome.commit[:8]} ({commits}) as "
            f"{approver.id} (dry run: nothing written)."
        )
    signed = ", signed" if outcome.approval.signed else ""
    return (
        f"Approved {outcome.client} up to {outcome.commit[:8]} ({commits}) as {approver.id}: "
        f"{outcome.approval.tag}{signed}."
    )


def outcome_json(outcome: ApprovalOutcome, *, dry_run: bool) -> dict[str, object]:
    """Return what approving one client did as JSON data."""
    if outcome.nothing_new:
        result = "nothing new"
    elif outcome.approval is None:
        result = "would approve" if dry_run else "nothing new"
    else:
        result = "approved"
    return {
        "client": outcome.client,
        "result": result,
        "commit": outcome.commit,
        "commits": [c.sha for c in outcome.commits],
        "tag": outcome.approval.tag if outcome.approval else None,
        "signed": outcome.approval.signed if outcome.approval else False,
        "reason": outcome.nothing_new,
    }
