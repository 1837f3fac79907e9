"""The firm dashboard: one row per client, from the registry and the (cached) check."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from beanfirm.checking import CheckResult
    from beanfirm.registry import Client


@dataclass(frozen=True)
class StatusRow:
    """What the firm needs to see about one client at a glance."""

    client: Client
    transactions: int
    last_entry: datetime.date | None
    errors: int
    warnings: int
    uncategorized: int

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
            )
        )
    return rows
