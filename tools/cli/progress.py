"""Progress for long work over many clients, on stderr so that --json output stays clean."""

from __future__ import annotations

import contextlib
import os
from typing import TYPE_CHECKING

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from beanfirm.firm.checking import CheckResult, check_clients

if TYPE_CHECKING:
    from collections.abc import Iterator

    from beanfirm.store.gitrepo import PracticeRepo
    from beanfirm.store.practice import Practice
    from beanfirm.store.registry import Client


@contextlib.contextmanager
def client_progress(description: str, total: int) -> Iterator[Progress]:
    """Show a progress bar on stderr (hidden when stderr is not a terminal)."""
    stderr = Console(stderr=True)
    progress = Progress(
        TextColumn("{task.description}", markup=False),  # a description may name a file
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=stderr,
        transient=True,
        disable=not stderr.is_terminal,
    )
    with progress:
        progress.add_task(description, total=total)
        yield progress


def checked(
    practice: Practice,
    repo: PracticeRepo,
    clients: list[Client],
    *,
    jobs: int | None = None,
    use_cache: bool = True,
) -> list[CheckResult]:
    """Check clients with a progress bar."""
    workers = jobs or os.cpu_count() or 1
    with client_progress("Checking ledgers", len(clients)) as progress:
        task = progress.task_ids[0]
        return check_clients(
            practice,
            repo,
            clients,
            jobs=workers,
            use_cache=use_cache,
            on_result=lambda _result: progress.advance(task),
        )
