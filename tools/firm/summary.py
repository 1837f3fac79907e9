"""What `beanfirm check` and `status` report about one loaded ledger."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from pathlib import Path

from beancount.core import data

from beanfirm.accounts.aging import Overdue, overdue_receivables
from beanfirm.errors import Problem
from beanfirm.reconcile.status import (
    ReconciliationStatus,
    ledger_today,
    reconciliation_status,
)
from beanfirm.store.ledger import Ledger, error_problem, is_warning

UNCATEGORIZED_LEAF = "Uncategorized"
NO_OVERDUE = Overdue(0, {}, 0)


@dataclass(frozen=True)
class LedgerSummary:
    """What `beanfirm check` and `status` report about one ledger."""

    errors: tuple[Problem, ...]
    warnings: tuple[Problem, ...]
    transactions: int
    last_entry: datetime.date | None
    uncategorized: int
    reconciliations: tuple[ReconciliationStatus, ...] = ()
    receivables: Overdue = NO_OVERDUE


def summarize(ledger: Ledger, root: Path) -> LedgerSummary:
    """Count what a ledger holds and sort its problems into errors and warnings."""
    transactions = 0
    uncategorized = 0
    last_entry: datetime.date | None = None
    for entry in ledger.entries:
        if isinstance(entry, data.Transaction):
            transactions += 1
            if any(p.account.rsplit(":", 1)[-1] == UNCATEGORIZED_LEAF for p in entry.postings):
                uncategorized += 1
            if last_entry is None or entry.date > last_entry:
                last_entry = entry.date
    errors = tuple(error_problem(e, root, ledger.path) for e in ledger.errors if not is_warning(e))
    warnings = tuple(error_problem(e, root, ledger.path) for e in ledger.errors if is_warning(e))
    reconciliations = tuple(reconciliation_status(ledger.entries, ledger.options))
    receivables = overdue_receivables(ledger.entries, ledger.options, ledger_today(ledger.options))
    return LedgerSummary(
        errors, warnings, transactions, last_entry, uncategorized, reconciliations, receivables
    )
