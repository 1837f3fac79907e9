"""`beanfirm check`: load every client's ledger with its plugins, in parallel, with a cache.

Each client is loaded in a worker process (Beancount's loader is pure Python, so threads
would not use the second core). Results are cached by content (`checkcache`): an unchanged
client costs one dictionary look-up.
"""

from __future__ import annotations

import concurrent.futures
import multiprocessing
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from beancount.core import data

from beanfirm.core import paths
from beanfirm.errors import Problem
from beanfirm.firm.checkcache import CheckCache, client_keys
from beanfirm.firm.summary import LedgerSummary, summarize
from beanfirm.plugins.locked import broken_lock
from beanfirm.plugins.seal import REOPEN
from beanfirm.review.locks import (
    changed_entries,
    committed_reopen_problems,
    lock_regressions,
    locks_file,
)
from beanfirm.store.ledger import load_ledger
from beanfirm.store.registry import REGISTRY_FILENAME, FundingAccount

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from beanfirm.core.beans import Directive
    from beanfirm.store.gitrepo import PracticeRepo
    from beanfirm.store.practice import Practice
    from beanfirm.store.registry import Client


@dataclass(frozen=True)
class CheckResult:
    """The check of one client."""

    client_id: str
    summary: LedgerSummary
    cached: bool
    seconds: float


def check_ledger(
    root: Path, client_id: str, registered: tuple[FundingAccount, ...] = ()
) -> LedgerSummary:
    """Load one client's ledger and summarize it (runs in a worker process).

    `registered` are the client's accounts in clients.yaml: each the ledger does not open is
    an error at its line there (an import into it would fail on files it never wrote).
    """
    main = root / paths.main_file(client_id)
    if not main.is_file():
        missing = Problem(
            paths.main_file(client_id),
            None,
            "the client's ledger file is missing; restore it from git or run "
            "`beanfirm clients add` to create it.",
        )
        return LedgerSummary((missing,), (), 0, None, 0)
    ledger = load_ledger(main)
    summary = summarize(ledger, root, registered)
    unopened = unopened_accounts(ledger.entries, client_id, registered)
    if unopened:
        summary = replace(summary, errors=(*unopened, *summary.errors))
    return summary


def unopened_accounts(
    entries: Sequence[Directive], client_id: str, registered: tuple[FundingAccount, ...]
) -> list[Problem]:
    """Return a problem for each registered account that the ledger does not open."""
    opened = {entry.account for entry in entries if isinstance(entry, data.Open)}
    return [
        Problem(
            REGISTRY_FILENAME,
            account.line or None,
            f"{account.account} of client '{client_id}' is registered for imports "
            f"({account.importer}), but its ledger does not open it, so an import into it "
            "fails. Open it with `beanfirm accounts add` (run it after removing this entry), "
            f"add its `open` directive to {paths.accounts_file(client_id)}, or remove the "
            "entry.",
        )
        for account in registered
        if account.account not in opened
    ]


def _timed_check(
    root: Path, client_id: str, registered: tuple[FundingAccount, ...] = ()
) -> tuple[LedgerSummary, float]:
    started = time.perf_counter()
    try:
        summary = check_ledger(root, client_id, registered)
    except Exception as exc:  # noqa: BLE001 - a broken plugin must not stop the other clients
        crash = Problem(
            paths.main_file(client_id),
            None,
            f"loading the ledger failed: {type(exc).__name__}: {exc}. A plugin or include is "
            "broken; run `bean-check` on this file for details.",
        )
        summary = LedgerSummary((crash,), (), 0, None, 0)
    return summary, time.perf_counter() - started


def check_clients(
    practice: Practice,
    repo: PracticeRepo,
    clients: list[Client],
    *,
    jobs: int,
    use_cache: bool = True,
    on_result: Callable[[CheckResult], None] | None = None,
) -> list[CheckResult]:
    """Check clients, from the cache where their content is unchanged; keep registry order."""
    cache = CheckCache(practice.state_dir)
    keys = client_keys(repo, clients)
    results: dict[str, CheckResult] = {}
    todo: list[str] = []
    for client in clients:
        summary = cache.get(client.id, keys[client.id]) if use_cache else None
        if summary is None:
            todo.append(client.id)
        else:
            results[client.id] = CheckResult(client.id, summary, cached=True, seconds=0.0)
            if on_result:
                on_result(results[client.id])

    def record(client_id: str, summary: LedgerSummary, seconds: float) -> None:
        cache.put(client_id, keys[client_id], summary)
        results[client_id] = CheckResult(client_id, summary, cached=False, seconds=seconds)
        if on_result:
            on_result(results[client_id])

    registered = {client.id: client.accounts for client in clients}
    if jobs <= 1 or len(todo) <= 1:
        for client_id in todo:
            record(client_id, *_timed_check(practice.root, client_id, registered[client_id]))
    else:
        # fork: the workers inherit the imported Beancount instead of importing it again.
        context = multiprocessing.get_context("fork")
        with concurrent.futures.ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
            futures = {
                pool.submit(_timed_check, practice.root, cid, registered[cid]): cid for cid in todo
            }
            for future in concurrent.futures.as_completed(futures):
                record(futures[future], *future.result())
    regressions = uncommitted_lock_regressions(repo, [client.id for client in clients])
    for client_id, forged in committed_reopens(repo, [client.id for client in clients]).items():
        regressions[client_id] = [*regressions.get(client_id, []), *forged]
    for client_id, result in results.items():
        if any(broken_lock(problem.message) for problem in result.summary.errors):
            named = changed_entries(repo, client_id)
            regressions[client_id] = [*regressions.get(client_id, []), *named]
    for client_id, problems in regressions.items():
        result = results[client_id]
        errors = (*problems, *result.summary.errors)
        results[client_id] = replace(result, summary=replace(result.summary, errors=errors))
    return [results[client.id] for client in clients]


def uncommitted_lock_regressions(
    repo: PracticeRepo, client_ids: list[str]
) -> dict[str, list[Problem]]:
    """Return what uncommitted changes undid of each client's locks (`lock_regressions`).

    Cheap: only the clients whose main.beancount or locks.beancount differ from HEAD are
    compared, and the comparison reads those two files. Never cached: it depends on HEAD.
    """
    if not repo.has_commits():
        return {}
    watched = {
        path: client_id
        for client_id in client_ids
        for path in (paths.main_file(client_id), locks_file(client_id))
    }
    changed = {watched[path] for path in repo.changed_paths(watched) if path in watched}
    found = {cid: lock_regressions(repo, cid, "HEAD", None) for cid in sorted(changed)}
    return {cid: problems for cid, problems in found.items() if problems}


def committed_reopens(repo: PracticeRepo, client_ids: list[str]) -> dict[str, list[Problem]]:
    """Return the reopens committed at HEAD that lift nothing (`committed_reopen_problems`).

    Only a client whose locks.beancount at HEAD holds a reopen is asked git about it (one
    pickaxe search of that file's history per reopen). Never cached: it depends on history.
    """
    if not repo.has_commits():
        return {}
    names = {locks_file(client_id): client_id for client_id in client_ids}
    texts = repo.texts_at("HEAD", names)
    found = {
        names[name]: committed_reopen_problems(repo, names[name])
        for name, text in texts.items()
        if text is not None and REOPEN in text
    }
    return {cid: problems for cid, problems in found.items() if problems}
