"""The firm status for staff in the portal: the data of `beanfirm status`, filtered.

The month board (`beanfirm status --period`) too: the same rows, from the same cached check.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from beanfirm.firm.board import BoardRow, board_rows
from beanfirm.firm.checking import CheckResult, check_clients
from beanfirm.firm.filters import ClientFilter
from beanfirm.firm.status import StatusRow, status_rows
from beanfirm.store.gitrepo import PracticeRepo
from beanfirm.store.practice import Practice

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from pathlib import Path

    from beanfirm.monthend.closing import Period
    from beanfirm.store.registry import Client, Registry

FILTER_FIELDS = ("industry", "frequency", "region", "size", "preparer", "reviewer")

# One check at a time: a cold check loads every ledger, and two at once only compete.
_checking = threading.Lock()


def filter_from(args: Mapping[str, Sequence[str]]) -> ClientFilter:
    """Build a client filter from query parameters (empty values mean all)."""
    values = {field: tuple(v for v in args.get(field, ()) if v) for field in FILTER_FIELDS}
    return ClientFilter(**values)


def filter_choices(clients: Sequence[Client]) -> list[tuple[str, list[str]]]:
    """Return each filter field with the values the visible clients have."""

    def values(field: str) -> list[str]:
        if field in {"preparer", "reviewer"}:
            return sorted({getattr(c, field) for c in clients})
        return sorted({getattr(c.classification, field) for c in clients})

    return [(field, values(field)) for field in FILTER_FIELDS]


def _checked(root: Path, registry: Registry, clients: list[Client]) -> list[CheckResult]:
    """Check the clients, from the content-keyed cache where unchanged."""
    practice = Practice(root=root, registry=registry)
    with _checking:
        # One process: forking a threaded server is unsafe; `beanfirm status` warms the cache.
        return check_clients(practice, PracticeRepo(root), clients, jobs=1)


def firm_status(root: Path, registry: Registry, clients: list[Client]) -> list[StatusRow]:
    """Check the clients (from the content-keyed cache where unchanged) and return rows."""
    return status_rows(clients, _checked(root, registry, clients))


def firm_board(
    root: Path, registry: Registry, clients: list[Client], period: Period
) -> list[BoardRow]:
    """Return the month board of the clients (`beanfirm status --period`)."""
    results = _checked(root, registry, clients)
    return board_rows(registry, PracticeRepo(root), clients, results, period)
