"""The firm dashboard: one row per client, from the registry and the (cached) check.

Each row carries how far each reconciled account of the client is reconciled and whether it is
overdue for its cadence (`beanfirm.reconcile.status`), and the client's receivables past due
(`beanfirm.accounts.aging.overdue_receivables`); `overdue_only` keeps what needs work: clients with
an account overdue for reconciliation or with invoices past due.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from beanfirm.accounts.aging import Overdue
    from beanfirm.firm.checking import CheckResult
    from beanfirm.reconcile.status import ReconciliationStatus
    from beanfirm.store.registry import Client


@dataclass(frozen=True)
class StatusRow:
    """What the firm needs to see about one client at a glance."""

    client: Client
    transactions: int
    last_entry: datetime.date | None
    errors: int
    warnings: int
    uncategorized: int
    reconciliations: tuple[ReconciliationStatus, ...] = ()
    receivables: Overdue | None = None

    @property
    def overdue(self) -> int:
        """Return how many accounts are overdue for reconciliation."""
        return sum(1 for item in self.reconciliations if item.overdue)

    def as_json(self) -> dict[str, Any]:
        """Return the row as plain JSON data."""
        kind = self.client.classification
        return {
            "client": self.client.id,
            "name": self.client.name,
            "preparer": self.client.preparer,
            "reviewer": self.client.reviewer,
            "industry": kind.industry,
            "frequency": kind.frequency,
            "region": kind.region,
            "size": kind.size,
            "transactions": self.transactions,
            "last_entry": self.last_entry.isoformat() if self.last_entry else None,
            "errors": self.errors,
            "warnings": self.warnings,
            "uncategorized": self.uncategorized,
            "overdue": self.overdue,
            "receivables_overdue": {
                "invoices": self.receivables.count if self.receivables else 0,
                "amounts": {
                    currency: str(amount)
                    for currency, amount in (
                        self.receivables.amounts if self.receivables else {}
                    ).items()
                },
                "oldest_days": self.receivables.oldest_days if self.receivables else 0,
            },
            "reconciliations": [item.as_json() for item in self.reconciliations],
        }


def status_rows(clients: list[Client], results: list[CheckResult]) -> list[StatusRow]:
    """Join registry records with their check results (both in registry order)."""
    by_id = {result.client_id: result.summary for result in results}
    rows = []
    for client in clients:
        summary = by_id[client.id]
        rows.append(
            StatusRow(
                client=client,
                transactions=summary.transactions,
                last_entry=summary.last_entry,
                errors=len(summary.errors),
                warnings=len(summary.warnings),
                uncategorized=summary.uncategorized,
                reconciliations=summary.reconciliations,
                receivables=summary.receivables,
            )
        )
    return rows


def overdue_only(rows: list[StatusRow]) -> list[StatusRow]:
    """Keep the clients with work overdue; of their accounts, only those overdue."""
    return [
        replace(row, reconciliations=tuple(r for r in row.reconciliations if r.overdue))
        for row in rows
        if row.overdue or (row.receivables is not None and row.receivables.count)
    ]
