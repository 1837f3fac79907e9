"""`beanfirm generate`: the demo practice, or a synthetic practice of any size."""

from __future__ import annotations

import datetime
import random
from pathlib import Path

import click

from beanfirm.cli.progress import client_progress
from beanfirm.demo.clients import (
    DEMO_REGISTRY_MARK,
    STAFF,
    demo_clients,
    demo_requests,
    synthetic_clients,
)
from beanfirm.demo.generate import (
    DEMO_MONTHS,
    DEMO_SEED,
    DEMO_START,
    practice_files,
    write_practice,
)
from beanfirm.errors import UsageError
from beanfirm.store.gitrepo import Author, PracticeRepo


def _holds_generated_demo(folder: Path) -> bool:
    registry = folder / "clients.yaml"
    if not registry.is_file():
        return False
    with registry.open(encoding="utf-8") as handle:
        return handle.readline().startswith(DEMO_REGISTRY_MARK)


@click.command()
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option("--demo", is_flag=True, help="The four demo clients (as bundled in the repository).")
@click.option(
    "--clients",
    "count",
    type=click.IntRange(min=1),
    default=4,
    show_default=True,
    help="Number of synthetic clients (ignored with --demo).",
)
@click.option(
    "--transactions",
    type=click.IntRange(min=50),
    default=600,
    show_default=True,
    help="About this many transactions per client.",
)
@click.option("--months", type=click.IntRange(min=1), default=DEMO_MONTHS, show_default=True)
@click.option(
    "--start",
    type=click.DateTime(["%Y-%m-%d"]),
    default=str(DEMO_START),
    show_default=True,
    help="First day of the first month.",
)
@click.option("--seed", type=int, default=DEMO_SEED, show_default=True)
@click.option(
    "--no-commit", is_flag=True, help="Write the files only: no git repository, no commit."
)
def generate(
    folder: Path,
    demo: bool,
    count: int,
    transactions: int,
    months: int,
    start: datetime.datetime,
    seed: int,
    no_commit: bool,
) -> None:
    """Generate a practice in FOLDER with a fixed seed: same arguments, same bytes.

    With --demo it writes the bundled demo practice (run it on the repository root to
    regenerate it). Otherwise FOLDER must be new or empty; the practice gets a git repository
    and one commit, ready for `beanfirm check` and the benchmarks.
    """
    kinds = demo_clients() if demo else synthetic_clients(count, random.Random(seed))
    fresh = not (folder.exists() and any(folder.iterdir()))
    if not fresh and not (demo and _holds_generated_demo(folder)):
        msg = (
            f"{folder} is not empty; generate a practice into a new folder. (--demo rewrites "
            "an existing folder only when it holds the generated demo practice, so that it "
            "can never overwrite a firm's own clients.yaml.)"
        )
        raise UsageError(msg)
    folder.mkdir(parents=True, exist_ok=True)
    with client_progress("Generating ledgers", len(kinds)) as progress:
        files = practice_files(
            kinds,
            seed=seed,
            start=start.date(),
            months=months,
            transactions=transactions,
            on_client=lambda _client: progress.advance(progress.task_ids[0]),
        )
    if demo:
        files.update(demo_requests())
    write_practice(folder, files, with_gitignore=fresh)
    if fresh and not no_commit:
        repo = PracticeRepo.init(folder)
        partner = STAFF[0]
        repo.commit(
            [*files, ".gitignore"], "Generated practice", Author(partner.name, partner.email)
        )
    click.echo(f"Wrote {len(kinds)} clients into {folder}.")
