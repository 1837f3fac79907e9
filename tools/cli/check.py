"""`beanfirm check [ID...]`."""

from __future__ import annotations

import sys

import click

from beanfirm.cli.context import practice_of, repo_of
from beanfirm.cli.output import echo, echo_json, echo_table, json_option
from beanfirm.cli.progress import checked
from beanfirm.errors import EXIT_FINDINGS


@click.command()
@click.argument("client_ids", nargs=-1)
@json_option()
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=1),
    default=None,
    help="Worker processes (default: one per core).",
)
@click.option("--no-cache", is_flag=True, help="Reload every ledger, ignoring cached results.")
@click.option("-x", "--failfast", is_flag=True, help="Stop at the first client with errors.")
@click.pass_context
def check(
    ctx: click.Context,
    client_ids: tuple[str, ...],
    as_json: bool,
    jobs: int | None,
    no_cache: bool,
    failfast: bool,
) -> None:
    """Load each client's ledger with its plugins and report errors (all clients by default).

    Exits 1 if any client has errors. Results are cached by content: an unchanged client is
    not reloaded.
    """
    practice = practice_of(ctx)
    repo = repo_of(practice)
    registry = practice.registry
    clients = [registry.client(cid) for cid in client_ids] if client_ids else list(registry.clients)
    if failfast:
        results = []
        for client in clients:
            results += checked(practice, repo, [client], jobs=1, use_cache=not no_cache)
            if results[-1].summary.errors:
                break
    else:
        results = checked(practice, repo, clients, jobs=jobs, use_cache=not no_cache)
    failed = [r for r in results if r.summary.errors]
    if as_json:
        echo_json(
            [
                {
                    "client": r.client_id,
                    "ok": not r.summary.errors,
                    "transactions": r.summary.transactions,
                    "last_entry": r.summary.last_entry,
                    "errors": [vars(p) for p in r.summary.errors],
                    "warnings": [vars(p) for p in r.summary.warnings],
                    "cached": r.cached,
                }
                for r in results
            ]
        )
    else:
        rows = [
            [
                r.client_id,
                "ok" if not r.summary.errors else "ERRORS",
                len(r.summary.errors),
                len(r.summary.warnings),
                r.summary.transactions,
                r.summary.last_entry,
                "cached" if r.cached else f"{r.seconds:.1f}s",
            ]
            for r in results
        ]
        styles = [None if not r.summary.errors else "red" for r in results]
        echo_table(
            f"{registry.firm.name}: check",
            ("client", "status", "errors", "warnings", "transactions", "last entry", "loaded"),
            rows,
            styles=styles,
        )
        for result in results:
            for problem in (*result.summary.errors, *result.summary.warnings):
                kind = "warning" if problem in result.summary.warnings else "error"
                echo(f"{result.client_id}: {kind}: {problem}")
        echo(f"{len(results) - len(failed)} of {len(results)} clients ok.")
    if failed:
        sys.exit(EXIT_FINDINGS)
