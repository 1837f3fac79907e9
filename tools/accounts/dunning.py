"""Dunning: which invoices to chase on a day, and at which reminder stage.

The stages come from `clients.yaml` (`dunning:`, docs/registry.md): a courtesy reminder
`before-due` days before an invoice falls due (stage 0), then one stage per `after-due` day
count (stage 1 from 7 days past due, stage 2 from 14, stage 3 from 30 by default; the last stage
is the final notice). An invoice past due but short of the first stage is listed as overdue
with no stage yet. A customer is sent one reminder covering all of its invoices that are past
due or at stage 0, at the highest stage among them.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from beanfirm.accounts.aging import AgingLine, age_items
from beanfirm.accounts.openitems import Book, Party
from beanfirm.store.contacts import DunningStages

ZERO = Decimal(0)


@dataclass(frozen=True)
class DunningLine:
    """One open invoice to chase: past due, or at the courtesy stage before its due date."""

    item: AgingLine
    days: int  # days past due; negative: days until due
    stage: int | None  # 0: before due; 1..n: reminder stage; None: overdue, no stage yet


@dataclass(frozen=True)
class CustomerDunning:
    """A customer's invoices to chase, and the stage of the reminder it is due."""

    party: Party
    lines: tuple[DunningLine, ...]
    stages: DunningStages

    @property
    def stage(self) -> int | None:
        """The reminder's stage: the highest of its lines (None: nothing reached a stage)."""
        staged = [line.stage for line in self.lines if line.stage is not None]
        return max(staged) if staged else None

    @property
    def is_final(self) -> bool:
        """The reminder is the last stage: the final notice."""
        return self.stage is not None and self.stage == len(self.stages.after_due)

    @property
    def overdue(self) -> bool:
        """Some invoice of the reminder is past due."""
        return any(line.days > 0 for line in self.lines)

    def totals(self) -> dict[str, Decimal]:
        """Return what is open on the listed invoices, per currency."""
        found: dict[str, Decimal] = {}
        for line in self.lines:
            currency = line.item.currency
            found[currency] = found.get(currency, ZERO) + line.item.open
        return found


def stage_of(days: int, stages: DunningStages) -> int | None:
    """Return the stage of an invoice `days` past due (negative: not yet due)."""
    if days <= 0:
        return 0 if stages.before_due and -days <= stages.before_due else None
    reached = sum(1 for limit in stages.after_due if days >= limit)
    return reached or None


def stage_label(stage: int | None, stages: DunningStages, *, overdue: bool = True) -> str:
    """Name a stage for the command line: `before due`, `reminder 1 (7d)`, `final (30d)`."""
    if stage is None:
        return f"overdue, reminder from {stages.after_due[0]}d" if overdue else "not due"
    if stage == 0:
        return "before due"
    days = stages.after_due[stage - 1]
    return f"final ({days}d)" if stage == len(stages.after_due) else f"reminder {stage} ({days}d)"


def customers_to_chase(
    book: Book, stages: DunningStages, as_of: datetime.date, root: Path | None = None
) -> list[CustomerDunning]:
    """Return, per customer with something to chase on `as_of`, its lines (by customer key)."""
    report = age_items(book, as_of, party=None, root=root)
    found = []
    for row in report.parties:
        lines = []
        for item in row.lines:
            if item.kind == "credit" or item.due is None or item.open <= 0:
                continue
            days = (as_of - item.due).days
            stage = stage_of(days, stages)
            if days > 0 or stage is not None:
                lines.append(DunningLine(item, days, stage))
        if lines:
            lines.sort(key=lambda line: (-line.days, line.item.number or ""))
            found.append(CustomerDunning(row.party, tuple(lines), stages))
    return sorted(found, key=lambda customer: customer.party.key)


def dunning_json(customer: CustomerDunning) -> dict[str, Any]:
    """Return a customer's dunning as plain JSON data."""
    return {
        "customer": customer.party.key,
        "account": customer.party.account,
        "name": customer.party.name,
        "email": customer.party.text("email"),
        "stage": customer.stage,
        "final": customer.is_final,
        "invoices": [
            {
                "number": line.item.number,
                "date": line.item.date.isoformat(),
                "due": line.item.due.isoformat() if line.item.due else None,
                "days_overdue": line.days,
                "open": str(line.item.open),
                "currency": line.item.currency,
                "stage": line.stage,
                "location": line.item.location,
            }
            for line in customer.lines
        ],
    }
