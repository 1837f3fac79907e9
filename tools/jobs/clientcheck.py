"""The check of a write to one client's ledger: its problems before and after, found cheaply.

The problems before the write come from the check cache when the client's content is known
to it (as it is after the previous write or `beanfirm check`); otherwise they are only worked
out, from HEAD, if the check after the write finds errors at all. So a write loads the ledger
with its plugins once. `write_client` writes a client's change through the write path with it.

Errors that record work left to do (rows still uncategorized past the grace period, the
plugin findings marked `backlog`; periods not reconciled yet, `BACKLOG`) never undo a write,
which adds such work by its nature when it brings in an old statement; the check lists them in
`backlog`. Every other new error undoes the write, a posting to a heading or a missing link
among them.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, TypeVar, overload

from beanfirm.core import paths
from beanfirm.core.bulk import collector_paused
from beanfirm.core.scratch import scratch_folder
from beanfirm.errors import Problem
from beanfirm.firm.checkcache import CheckCache, client_keys
from beanfirm.firm.summary import LedgerSummary, summarize
from beanfirm.store.gitrepo import PracticeRepo
from beanfirm.store.ledger import Ledger, error_problem, is_warning, load_ledger
from beanfirm.store.practice import Practice
from beanfirm.store.registry import Client
from beanfirm.store.writes import (
    Planned,
    Stopped,
    WritePlan,
    Written,
    apply_write,
    problem_key,
    problem_keys,
)

if TYPE_CHECKING:
    from collections.abc import Callable

    from beanfirm.store.gitrepo import Author

T = TypeVar("T")
S = TypeVar("S")

BACKLOG = ("ReconciledError",)


class ClientCheck:
    """A `WriteCheck` for a write to one client's ledger (see the module docstring)."""

    def __init__(self, practice: Practice, repo: PracticeRepo, client: Client) -> None:
        self.practice = practice
        self.repo = repo
        self.client = client
        self.known_before: set[tuple[str, str]] | None = None
        self.summary_after: LedgerSummary | None = None
        self.backlog: list[Problem] = []

    def before(self, root: Path) -> list[Problem]:
        """Return the cached problems before the write; none when the cache does not know."""
        del root  # the cache is the practice's
        key = client_keys(self.repo, [self.client])[self.client.id]
        cached = CheckCache(self.practice.state_dir).get(self.client.id, key)
        if cached is None:
            return []
        self.known_before = problem_keys(cached.errors)
        return list(cached.errors)

    def after(self, root: Path) -> list[Problem]:
        """Load the written ledger with its plugins; return its errors that are not backlog.

        `root` is the practice, or a dry run's scratch copy. When the problems before were
        unknown, those already at HEAD are left out here.
        """
        main = root / paths.main_file(self.client.id)
        with collector_paused():
            ledger = load_ledger(main)
        self.summary_after = (
            summarize(ledger, root, self.client.accounts) if root == self.practice.root else None
        )
        problems, self.backlog = split_errors(ledger, root, main)
        if problems and self.known_before is None:
            at_head = self.head_problems()
            problems = [problem for problem in problems if problem_key(problem) not in at_head]
        return problems

    def head_problems(self) -> set[tuple[str, str]]:
        """Check the client's ledger as committed at HEAD, in a scratch copy."""
        if not self.repo.has_commits():
            return set()
        return problem_keys(problems_at(self.repo, "HEAD", self.client.id, backlog=True))

    def remember(self) -> None:
        """Store the check after the write in the check cache, under the committed content."""
        if self.summary_after is None:
            return
        key = client_keys(self.repo, [self.client])[self.client.id]
        CheckCache(self.practice.state_dir).put(self.client.id, key, self.summary_after)


def split_errors(ledger: Ledger, root: Path, main: Path) -> tuple[list[Problem], list[Problem]]:
    """Return a loaded ledger's errors as problems: those that count, and the backlog."""
    problems: list[Problem] = []
    backlog: list[Problem] = []
    for error in ledger.errors:
        if is_warning(error):
            continue
        problem = error_problem(error, root, main)
        late = getattr(error, "backlog", False) is True or type(error).__name__ in BACKLOG
        (backlog if late else problems).append(problem)
    return problems, backlog


def problems_at(
    repo: PracticeRepo, commit: str, client_id: str, *, backlog: bool = False
) -> list[Problem]:
    """Check a client's ledger as committed at `commit`, in a scratch copy of what it reads.

    The copy holds the practice's top-level files and the client's folder, no other client.
    The errors that record work left to do are left out unless `backlog`; a client with no
    ledger at `commit` has none.
    """
    main_path = paths.main_file(client_id)
    if repo.texts_at(commit, [main_path])[main_path] is None:
        return []
    with scratch_folder("at") as scratch:
        folder = Path(scratch)
        top = [name for name in repo.names_at(commit) if name != paths.LEDGERS]
        repo.export_at(commit, [*top, paths.client_folder(client_id)], folder)
        main = folder / paths.main_file(client_id)
        if not main.is_file():
            return []
        with collector_paused():
            ledger = load_ledger(main)
        if backlog:
            return list(summarize(ledger, folder).errors)
        return split_errors(ledger, folder, main)[0]


@overload
def write_client(
    practice: Practice,
    repo: PracticeRepo,
    client: Client,
    prepare: Callable[[], Planned[T]],
    *,
    author: Author,
    dry_run: bool,
) -> Written[T]: ...


@overload
def write_client(
    practice: Practice,
    repo: PracticeRepo,
    client: Client,
    prepare: Callable[[], Planned[T] | Stopped[S]],
    *,
    author: Author,
    dry_run: bool,
) -> Written[T] | Stopped[S]: ...


def write_client(
    practice: Practice,
    repo: PracticeRepo,
    client: Client,
    prepare: Callable[[], Planned[T] | Stopped[S]],
    *,
    author: Author,
    dry_run: bool,
) -> Written[T] | Stopped[S]:
    """Write one client's change through the write path, checked with the client's plugins.

    `prepare` may find, under the client's lock, that there is nothing to write (`Stopped`).
    """
    check = ClientCheck(practice, repo, client)
    plan: WritePlan[T, S] = WritePlan(
        prepare,
        locks=(client.id,),
        guard=(paths.client_folder(client.id),),
        what=f"client {client.id}",
    )
    written = apply_write(practice.root, repo, plan, author=author, check=check, dry_run=dry_run)
    if not dry_run and not isinstance(written, Stopped):
        check.remember()
    return written
