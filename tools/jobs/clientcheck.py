"""The check of a write to one client's ledger: its problems before and after, found cheaply.

The problems before the write come from the check cache when the client's content is known
to it (as it is after the previous write or `beanfirm check`); otherwise they are only worked
out, from HEAD, if the check after the write finds errors at all. So a write loads the ledger
with its plugins once.

Errors that record work left to do (`BACKLOG`: rows still uncategorized past the grace
period, periods not reconciled yet) never undo a write, which adds such work by its nature
when it brings in an old statement; the check lists them in `backlog`. Every other new error
undoes the write.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from beanfirm.core import paths
from beanfirm.core.bulk import collector_paused
from beanfirm.errors import Problem
from beanfirm.firm.checkcache import CheckCache, client_keys
from beanfirm.firm.summary import LedgerSummary, summarize
from beanfirm.store.gitrepo import PracticeRepo
from beanfirm.store.ledger import error_problem, is_warning, load_ledger
from beanfirm.store.practice import Practice
from beanfirm.store.registry import Client
from beanfirm.store.writes import problem_key, problem_keys

BACKLOG = ("CategorizedError", "ReconciledError")


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
        self.summary_after = summarize(ledger, root) if root == self.practice.root else None
        self.backlog = []
        problems = []
        for error in ledger.errors:
            if is_warning(error):
                continue
            problem = error_problem(error, root, main)
            if type(error).__name__ in BACKLOG:
                self.backlog.append(problem)
            else:
                problems.append(problem)
        if problems and self.known_before is None:
            at_head = self.head_problems()
            problems = [problem for problem in problems if problem_key(problem) not in at_head]
        return problems

    def head_problems(self) -> set[tuple[str, str]]:
        """Check the client's ledger as committed at HEAD, in a scratch copy."""
        with tempfile.TemporaryDirectory(prefix="beanfirm-head-") as scratch:
            folder = Path(scratch)
            top = [name for name in self.repo.names_at_head() if name != paths.LEDGERS]
            self.repo.export_head([*top, paths.client_folder(self.client.id)], folder)
            main = folder / paths.main_file(self.client.id)
            if not main.is_file():
                return set()
            return problem_keys(summarize(load_ledger(main), folder).errors)

    def remember(self) -> None:
        """Store the check after the write in the check cache, under the committed content."""
        if self.summary_after is None:
            return
        key = client_keys(self.repo, [self.client])[self.client.id]
        CheckCache(self.practice.state_dir).put(self.client.id, key, self.summary_after)
