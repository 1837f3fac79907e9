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
    reviews_due: tuple[str, ...] = ()  # client data not verified within the review interval
    anomalies: int = 0  # found and not dismissed (`beanfirm anomalies`)

    @property
    def overdue(self) -> int:
        """Return how many accounts are overdue for reconciliation."""
        return sum(1 for item in self.reconciliations if item.overdue)

    def as_json(self) -> dict[str, Any]:
        """Return the row as plain JSON data."""
        kind = self.client.classification
        found: dict[str, Any] = {
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
            "anomalies": self.anomalies,
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
        if self.reviews_due:  # only where the firm sets a review interval and one is due
            found["reviews_due"] = list(self.reviews_due)
        return found


def reviews_due(
    client: Client,
    customers: tuple[tuple[str, datetime.date | None], ...],
    interval_days: int | None,
    today: datetime.date,
) -> tuple[str, ...]:
    """Return the records of a client not verified within the firm's review interval.

    None when the firm sets no `review-interval-days`. A record never verified is due.
    """
    if interval_days is None:
        return ()
    oldest = today - datetime.timedelta(days=interval_days)

    def due(what: str, day: datetime.date | None) -> list[str]:
        if day is None:
            return [f"{what} never verified"]
        return [f"{what} last verified {day}"] if day < oldest else []

    found = due("client data", client.last_verified)
    for account, day in customers:
        found += due(f"customer {account.rsplit(':', 1)[-1]}", day)
    return tuple(found)


def status_rows(
    clients: list[Client],
    results: list[CheckResult],
    *,
    review_interval: int | None = None,
    today: datetime.date | None = None,
) -> list[StatusRow]:
    """Join registry records with their check results (both in registry order).

    With the firm's `review_interval` (days), each row lists the records due for a review.
    """
    day = today or datetime.date.today()  # noqa: DTZ011 - the firm's local day
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
                reviews_due=reviews_due(client, summary.customer_reviews, review_interval, day),
                anomalies=summary.anomalies,
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
