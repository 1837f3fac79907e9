"""`beanfirm diff [REV[..REV]] [CLIENT...]`, and `--install` of git's diff driver."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click
from rich.table import Table

from beanfirm.cli.context import author_of, practice_of, repo_of, staff_of
from beanfirm.cli.output import cell, console, echo, echo_json
from beanfirm.core.paths import LEDGERS
from beanfirm.errors import ConfigError, UsageError
from beanfirm.jobs.diffdriver import (
    ATTRIBUTE_LINE,
    ATTRIBUTES_FILE,
    install_diff_driver,
    uninstall_diff_driver,
)
from beanfirm.review.changes import diff as diff_between
from beanfirm.review.diffreport import (
    counts_line,
    diff_html,
    diff_json,
    file_lines,
    impact_rows,
    impact_totals,
    title,
    uncounted_note,
)
from beanfirm.store.gitrepo import PracticeRepo
from beanfirm.store.practice import find_practice_root
from beanfirm.store.registry import REGISTRY_FILENAME, load_registry

if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path

    from beanfirm.review.changes import ClientChanges, Diff

IMPACT_COLUMNS = ("account", "currency", "before", "after", "net")


@click.command()
@click.argument("args", nargs=-1, metavar="[REV[..REV]] [CLIENT...]")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--html", "as_html", is_flag=True, help="Print a standalone HTML page.")
@click.option("--raw", is_flag=True, help="Print git's own text diff of the same files.")
@click.option(
    "--install", is_flag=True, help="Make git show *.beancount diffs this way (see docs/diff.md)."
)
@click.option("--uninstall", is_flag=True, help="Undo --install.")
@click.option("-n", "--dry-run", is_flag=True, help="With --install/--uninstall: change nothing.")
@click.pass_context
def diff(
    ctx: click.Context,
    args: tuple[str, ...],
    as_json: bool,
    as_html: bool,
    raw: bool,
    install: bool,
    uninstall: bool,
    dry_run: bool,
) -> None:
    """Show what changed in accounting terms, per client: entries added, removed, changed.

    No REV: the working tree against HEAD. REV: what that commit did (its parent against
    it). A..B: A against B. Each client's changed entries are shown as Beancount text, with
    the balance impact per account and currency (before, after, net) over the changed files.
    Only the files the revisions changed are read. Exit 0 with or without changes.
    """
    if sum((as_json, as_html, raw)) > 1:
        msg = "Choose one of --json, --html and --raw."
        raise UsageError(msg)
    if install or uninstall:
        _install(ctx, install=install, uninstall=uninstall, dry_run=dry_run, args=args)
        return
    root = find_practice_root(ctx.find_root().obj.get("practice"))
    repo = PracticeRepo(root)
    old, new, clients = revisions_and_clients(repo, root, args)
    if raw:
        pathspecs = [f"{LEDGERS}/{client}/" for client in clients] or ["."]
        click.echo(repo.raw_diff(old, new, pathspecs), nl=False)
        return
    result = diff_between(repo, old, new, clients or None)
    if as_json:
        echo_json(diff_json(result))
    elif as_html:
        click.echo(diff_html(result), nl=False)
    else:
        print_diff(result)


def revisions_and_clients(
    repo: PracticeRepo, root: Path, args: Sequence[str]
) -> tuple[str | None, str | None, list[str]]:
    """Return the two sides (commit ids; None for the empty or working tree) and the clients."""
    known = set(repo.subtree_hashes(LEDGERS))  # the clients' folders, not a file (.gitkeep)
    ledgers = root / LEDGERS
    if ledgers.is_dir():
        known.update(path.name for path in ledgers.iterdir() if path.is_dir())
    first = args[0] if args else None
    rev = None
    if first is not None and (".." in first or (first not in known and repo.commit_of(first))):
        rev, args = first, args[1:]
    unknown = [name for name in args if name not in known]
    if unknown:
        shown = ", ".join(_client_ids(root, known)) or "none yet"
        msg = (
            f"{', '.join(unknown)}: neither a client of this practice nor a revision git "
            f"knows. Clients: {shown}. A revision comes first: `beanfirm diff HEAD~2..HEAD "
            "CLIENT`."
        )
        raise UsageError(msg)
    if rev is None:
        return repo.head(), None, list(args)
    if ".." in rev:
        start, _, end = rev.partition("..")
        return _commit(repo, start or "HEAD"), _commit(repo, end or "HEAD"), list(args)
    new = _commit(repo, rev)
    return repo.first_parent(new), new, list(args)


def _client_ids(root: Path, folders: set[str]) -> list[str]:
    """Return the ids of the registry's clients (the client folders when it does not load)."""
    try:
        registry = load_registry(root / REGISTRY_FILENAME)
    except ConfigError:
        return sorted(folders)
    return sorted(client.id for client in registry.clients)


def _commit(repo: PracticeRepo, rev: str) -> str:
    commit = repo.commit_of(rev)
    if commit is None:
        msg = f"git knows no commit {rev!r}. `git log --oneline` lists the commits."
        raise UsageError(msg)
    return commit


def print_diff(result: Diff) -> None:
    """Print a diff as text: per client, each changed entry, then the balance impact table."""
    echo(title(result))
    if result.also_changed:
        echo(f"Also changed (not ledger files): {', '.join(result.also_changed)}")
    if not result.clients:
        echo("No ledger entries changed.")
    for client in result.clients:
        echo(f"\n{client.client}: {counts_line(client)}")
        for line in client.registry:
            echo(f"clients.yaml: {line}")
        if client.changes:
            echo("\n".join(file_lines(client.changes)))
        elif client.files:
            echo("  no entry changed (only layout, order or comments)")
        _print_impact(client)


def _print_impact(client: ClientChanges) -> None:
    if not client.files:
        return
    echo("")
    if not client.impact:
        echo("No balance changed.")
        return
    # A rich table of its own (not reportopts', which would import the accounts layer).
    table = Table(
        title=cell(f"{client.client}: balance impact (totals over the changed files)"),
        header_style="bold",
    )
    for column in IMPACT_COLUMNS:
        numeric = column in IMPACT_COLUMNS[2:]
        table.add_column(cell(column), justify="right" if numeric else "left", no_wrap=True)
    for row in impact_rows(client.impact):
        table.add_row(*(cell(value) for value in row))
    table.add_section()
    for account, *rest in impact_rows(impact_totals(client.impact)):
        table.add_row(cell(f"{account} total"), *(cell(value) for value in rest), style="bold")
    console().print(table)
    note = uncounted_note(client)
    if note:
        echo(note)


def _install(
    ctx: click.Context, *, install: bool, uninstall: bool, dry_run: bool, args: Sequence[str]
) -> None:
    if install and uninstall:
        msg = "Choose one of --install and --uninstall."
        raise UsageError(msg)
    if args:
        msg = "--install and --uninstall take no revision or client."
        raise UsageError(msg)
    practice = practice_of(ctx)
    repo = repo_of(practice)
    author = author_of(staff_of(ctx, practice, repo))
    job = install_diff_driver if install else uninstall_diff_driver
    done = job(practice.root, repo, author, dry_run=dry_run)
    line = repr(ATTRIBUTE_LINE)
    if dry_run:
        echo(
            f"Dry run, nothing changed: {ATTRIBUTES_FILE} would {'have' if install else 'lose'} "
            f"the line {line}, and .git/config would {'set' if install else 'lose'} "
            f"{', '.join(done.config)}."
        )
        return
    if done.commit is not None:
        echo(
            f"{ATTRIBUTES_FILE}: {line} {'added' if install else 'removed'} "
            f"(commit {done.commit[:10]})."
        )
    else:
        echo(f"{ATTRIBUTES_FILE} {'already has' if install else 'has no'} line {line}.")
    for key, value in done.config.items():
        echo(f".git/config: {key} " + ("removed" if value is None else f"= {value}"))
    if install:
        echo(
            "git diff now shows *.beancount files in accounting terms, git log -p and git show "
            "in canonical form. The raw text: git diff --no-ext-diff --no-textconv, "
            "git log -p --no-textconv."
        )
