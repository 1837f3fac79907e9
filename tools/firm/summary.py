"""What `beanfirm check` and `status` report about one loaded ledger."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from pathlib import Path

from beancount.core import data

from beanfirm.accounts.aging import Overdue, overdue_receivables
from beanfirm.accounts.openitems import settings_of
from beanfirm.anomalies.report import anomaly_report
from beanfirm.core.accountnames import STATEMENT_ROOTS
from beanfirm.errors import Problem, relative_to
from beanfirm.monthend.checklist import covered_days, is_open
from beanfirm.reconcile.status import (
    ReconciliationStatus,
    ledger_today,
    reconciliation_status,
)
from beanfirm.store.ledger import Ledger, error_problem, is_warning
from beanfirm.store.registry import FundingAccount

UNCATEGORIZED_LEAF = "Uncategorized"
NO_OVERDUE = Overdue(0, {}, 0)


@dataclass(frozen=True)
class MonthActivity:
    """What the month board reads of one month of a ledger (`beanfirm status --period`)."""

    covered: frozenset[str]  # balance-sheet accounts it shows imported (checklist.covered_days)
    open_count: int = 0  # transactions left uncategorized or flagged `!` (checklist.is_open)
    first_open: str | None = None  # the first of them, as file:line


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
    months: dict[str, MonthActivity] = field(default_factory=dict)  # by `YYYY-MM`
    # each customer's receivable account and its `last-verified:` day (None: never reviewed)
    customer_reviews: tuple[tuple[str, datetime.date | None], ...] = ()
    anomalies: int = 0  # found and not dismissed (`beanfirm anomalies`)


def customer_reviews(ledger: Ledger) -> tuple[tuple[str, datetime.date | None], ...]:
    """Return each customer's receivable account with the day its data was last verified."""
    roots = settings_of(ledger.options).receivable
    found: list[tuple[str, datetime.date | None]] = []
    for entry in ledger.entries:
        if isinstance(entry, data.Open) and entry.account.startswith(roots):
            day = (entry.meta or {}).get("last-verified")
            found.append((entry.account, day if isinstance(day, datetime.date) else None))
    return tuple(found)


def months_of(ledger: Ledger, root: Path) -> dict[str, MonthActivity]:
    """Return each month's activity: the accounts it covers and the entries left open.

    Only asset and liability accounts are kept: the registered accounts (banks, cards,
    payment and cash accounts) are among them (`STATEMENT_ROOTS`), and the cache stays small.
    """
    roots = tuple(f"{root}:" for root in STATEMENT_ROOTS)
    covered: dict[str, set[str]] = {}
    opened: dict[str, list[str]] = {}
    shown: dict[str, str] = {}  # file names relative to the practice, each resolved once
    for entry in ledger.entries:
        for account, day in covered_days(entry):
            if account.startswith(roots):
                covered.setdefault(f"{day:%Y-%m}", set()).add(account)
        if is_open(entry):
            filename = str(entry.meta.get("filename"))
            if filename not in shown:
                shown[filename] = relative_to(filename, root)
            where = f"{shown[filename]}:{entry.meta.get('lineno')}"
            opened.setdefault(f"{entry.date:%Y-%m}", []).append(where)
    return {
        month: MonthActivity(
            frozenset(covered.get(month, ())),
            len(opened.get(month, ())),
            next(iter(opened.get(month, ())), None),
        )
        for month in sorted(covered.keys() | opened.keys())
    }


def summarize(
    ledger: Ledger, root: Path, registered: tuple[FundingAccount, ...] = ()
) -> LedgerSummary:
    """Count what a ledger holds and sort its problems into errors and warnings.

    `registered` are the client's accounts in clients.yaml, the sources anomalies are found in.
    """
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
    anomalies = anomaly_report(
        ledger.entries, ledger.path, root, [(a.account, a.kind) for a in registered]
    )
    errors = tuple(error_problem(e, root, ledger.path) for e in ledger.errors if not is_warning(e))
    errors += tuple(anomalies.problems)
    warnings = tuple(error_problem(e, root, ledger.path) for e in ledger.errors if is_warning(e))
    reconciliations = tuple(reconciliation_status(ledger.entries, ledger.options))
    receivables = overdue_receivables(ledger.entries, ledger.options, ledger_today(ledger.options))
    return LedgerSummary(
        errors,
        warnings,
        transactions,
        last_entry,
        uncategorized,
        reconciliations,
        receivables,
        months_of(ledger, root),
        customer_reviews(ledger),
        len(anomalies.found),
    )
