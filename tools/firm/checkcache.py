"""A cache of check results keyed on content, so an unchanged client is never reloaded.

The key of a client is a SHA-256 over: the toolkit's fingerprint (beanfirm's version, the
hash of its own source files, Beancount's version), the client's registry record, the
content of its ledger folder, and today's date (the plugins' grace periods and lags count from
it). For a folder with no uncommitted changes the content is the git
tree hash at HEAD (free to read); for a changed folder it is a hash of every file git would
see (tracked or untracked, not ignored). Entries are JSON in `.beanfirm/cache/check/`: data,
never code, so a planted cache file can at worst claim a wrong result, not run anything.
"""

from __future__ import annotations

import dataclasses
import datetime
import functools
import hashlib
import json
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import beancount

import beanfirm
from beanfirm.accounts.aging import Overdue
from beanfirm.core import paths
from beanfirm.errors import Problem
from beanfirm.firm.summary import LedgerSummary, MonthActivity
from beanfirm.reconcile.status import ReconciliationStatus
from beanfirm.store.writes import write_atomic

if TYPE_CHECKING:
    from beanfirm.store.gitrepo import PracticeRepo
    from beanfirm.store.registry import Client

CACHE_FORMAT = 7  # 5: each month's activity, for the month board; 6: customers' reviews;
# 7: the anomalies found


@functools.cache
def toolkit_fingerprint() -> str:
    """Hash beanfirm's own source (plugins included) with the versions it runs on."""
    digest = hashlib.sha256()
    digest.update(f"{beanfirm.__version__}|{beancount.__version__}|{CACHE_FORMAT}".encode())
    package = Path(beanfirm.__file__).resolve().parent
    roots = [package, *(Path(p).resolve() for p in _subpackage_dirs())]
    for root in roots:
        for source in sorted(root.rglob("*.py")):
            digest.update(source.relative_to(root).as_posix().encode())
            digest.update(source.read_bytes())
    return digest.hexdigest()


def _subpackage_dirs() -> list[str]:
    import beanfirm.importers  # noqa: PLC0415 - only needed for the fingerprint
    import beanfirm.plugins  # noqa: PLC0415

    return [*beanfirm.plugins.__path__, *beanfirm.importers.__path__]


def client_keys(
    repo: PracticeRepo, clients: list[Client], *, today: datetime.date | None = None
) -> dict[str, str]:
    """Compute the cache key of each client from git, with one status call for all.

    Git is asked about the given clients' folders only: a write's check asks for its one
    client, and its cost must not grow with the number of clients in the practice.
    """
    # The plugins count grace periods and reconciliation lags up to today, so an unchanged
    # ledger can check differently tomorrow: a result is valid for one day.
    day = (today or datetime.date.today()).isoformat()  # noqa: DTZ011 - the books' local day
    tree = repo.subtree_hashes(paths.LEDGERS)
    folders = [paths.client_folder(client.id) for client in clients]
    changed = repo.changed_paths(folders) if folders else []
    dirty = {path.split("/")[1] for path in changed if path.count("/") >= 1}
    keys: dict[str, str] = {}
    for client in clients:
        content = tree.get(client.id) if client.id not in dirty else None
        if content is None:
            content = "worktree:" + _folder_hash(repo, paths.client_folder(client.id))
        record = json.dumps(dataclasses.asdict(client), sort_keys=True, default=str)
        digest = hashlib.sha256()
        for part in (toolkit_fingerprint(), record, content, day):
            digest.update(part.encode())
            digest.update(b"\0")
        keys[client.id] = digest.hexdigest()
    return keys


def _folder_hash(repo: PracticeRepo, folder: str) -> str:
    digest = hashlib.sha256()
    for relpath in repo.files_under(folder):
        path = repo.root / relpath
        digest.update(relpath.encode() + b"\0")
        # A tracked file deleted in the worktree is listed too; it must not hash like an
        # empty file (a missing main.beancount checks differently from an empty one).
        if path.is_file():
            content = path.read_bytes()
            digest.update(b"%d\0" % len(content) + content)
        else:
            digest.update(b"missing\0")
    return digest.hexdigest()


class CheckCache:
    """Stored check summaries, one JSON file per client."""

    def __init__(self, state_dir: Path) -> None:
        self.folder = state_dir / "cache" / "check"

    def get(self, client_id: str, key: str) -> LedgerSummary | None:
        """Return the stored summary if its key matches; anything unreadable is a miss."""
        try:
            stored = json.loads((self.folder / f"{client_id}.json").read_text(encoding="utf-8"))
            if stored.get("key") != key:
                return None
            return _summary_from_json(stored["summary"])
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            # AttributeError: valid JSON that is not an object, such as `[]`.
            return None

    def put(self, client_id: str, key: str, summary: LedgerSummary) -> None:
        """Store a summary under its key."""
        self.folder.mkdir(parents=True, exist_ok=True)
        payload = {"key": key, "summary": summary_to_json(summary)}
        write_atomic(self.folder / f"{client_id}.json", json.dumps(payload).encode())


def summary_to_json(summary: LedgerSummary) -> dict[str, Any]:
    """Turn a summary into plain JSON data."""
    return {
        "errors": [dataclasses.asdict(p) for p in summary.errors],
        "warnings": [dataclasses.asdict(p) for p in summary.warnings],
        "transactions": summary.transactions,
        "last_entry": summary.last_entry.isoformat() if summary.last_entry else None,
        "uncategorized": summary.uncategorized,
        "reconciliations": [r.as_json() for r in summary.reconciliations],
        "receivables": overdue_to_json(summary.receivables),
        "months": {
            month: {
                "covered": sorted(activity.covered),
                "open_count": activity.open_count,
                "first_open": activity.first_open,
            }
            for month, activity in summary.months.items()
        },
        "customer_reviews": [
            [account, day.isoformat() if day else None] for account, day in summary.customer_reviews
        ],
        "anomalies": summary.anomalies,
    }


def overdue_to_json(overdue: Overdue) -> dict[str, Any]:
    """Return the overdue receivables as plain JSON data (amounts as strings)."""
    return {
        "count": overdue.count,
        "amounts": {currency: str(amount) for currency, amount in overdue.amounts.items()},
        "oldest_days": overdue.oldest_days,
    }


def _summary_from_json(raw: dict[str, Any]) -> LedgerSummary:
    def problems(items: list[dict[str, Any]]) -> tuple[Problem, ...]:
        return tuple(Problem(str(i["filename"]), i["line"], str(i["message"])) for i in items)

    last = raw["last_entry"]
    reconciliations = tuple(ReconciliationStatus.from_json(i) for i in raw["reconciliations"])
    return LedgerSummary(
        errors=problems(raw["errors"]),
        warnings=problems(raw["warnings"]),
        transactions=int(raw["transactions"]),
        last_entry=datetime.date.fromisoformat(last) if last else None,
        uncategorized=int(raw["uncategorized"]),
        reconciliations=reconciliations,
        receivables=Overdue(
            int(raw["receivables"]["count"]),
            {str(c): Decimal(str(a)) for c, a in raw["receivables"]["amounts"].items()},
            int(raw["receivables"]["oldest_days"]),
        ),
        months={
            str(month): MonthActivity(
                frozenset(str(account) for account in item["covered"]),
                int(item["open_count"]),
                None if item["first_open"] is None else str(item["first_open"]),
            )
            for month, item in raw["months"].items()
        },
        customer_reviews=tuple(
            (str(account), datetime.date.fromisoformat(day) if day else None)
            for account, day in raw.get("customer_reviews", [])
        ),
        anomalies=int(raw.get("anomalies", 0)),
    )
