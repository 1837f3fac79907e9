"""What an import does to a ledger, decided before anything is written: the import plan.

`beanfirm.ingest.plan.plan_import` fills an `ImportPlan`: the decision for every row of the
export (`RowOutcome`: added, a transfer, already imported (by its id, or from another
export), matched to an entry typed by hand, a transfer completed or merged) and for every
balance it states (`BalanceOutcome`), the new entries of each month file, the edits of
existing entries, and the archive. The plan gives the counts that the output and the commit
message say.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

from beanfirm.core.monthfiles import Edit, NewEntry
from beanfirm.errors import BeanfirmError
from beanfirm.ingest.exports import Export
from beanfirm.ingest.ledgerindex import UNCATEGORIZED


class BookingError(BeanfirmError):
    """An export cannot be booked into the ledger (a balance that contradicts it, say)."""


# What the import did with a row (`OUTCOMES` words each); the JSON of `import --json` says it.
Outcome = Literal["added", "transfer", "duplicate", "elsewhere", "matched", "completed", "merged"]
# What it did with a balance the export states.
BalanceResult = Literal["added", "exists"]


@dataclass(frozen=True)
class RowOutcome:
    """What the import did with one row of the export, and why."""

    line: int
    import_id: str
    date: datetime.date
    number: Decimal
    currency: str
    payee: str | None
    narration: str
    outcome: Outcome
    account: str
    detail: str
    where: str | None = None
    category: str | None = None
    # The row may explain a problem the preparer must look at (a transfer it did not complete):
    # said after an import, and with the errors of an import that is refused.
    to_check: bool = False


OUTCOMES: dict[Outcome, str] = {
    "added": "added",
    "transfer": "added as a transfer",
    "duplicate": "already imported",
    "elsewhere": "already imported from another export",
    "matched": "matches an entry typed by hand",
    "completed": "completes a transfer booked from the other side",
    "merged": "turned an uncategorized entry into a transfer",
}


@dataclass(frozen=True)
class BalanceOutcome:
    """A balance assertion the export states: added, or already in the ledger."""

    date: datetime.date
    account: str
    number: Decimal
    currency: str
    outcome: BalanceResult
    where: str | None = None


@dataclass
class ImportPlan:
    """What an import adds and changes, decided before anything is written."""

    export: Export
    client_id: str
    rows: list[RowOutcome] = field(default_factory=list)
    balances: list[BalanceOutcome] = field(default_factory=list)
    new_entries: dict[str, list[NewEntry]] = field(default_factory=lambda: defaultdict(list))
    edits: dict[str, list[Edit]] = field(default_factory=lambda: defaultdict(list))
    archive: str = ""
    archive_needed: bool = True
    text: list[str] = field(default_factory=list)
    openings: list[str] = field(default_factory=list)  # opening balances booked (--opening)

    def count(self, *outcomes: Outcome) -> int:
        """Return how many rows had one of these outcomes."""
        return sum(1 for row in self.rows if row.outcome in outcomes)

    @property
    def uncategorized(self) -> int:
        """Return how many rows were added still uncategorized."""
        return sum(
            1 for row in self.rows if row.outcome == "added" and row.account in UNCATEGORIZED
        )

    @property
    def changes_anything(self) -> bool:
        """Tell whether the plan adds or changes anything at all."""
        return bool(self.new_entries or self.edits or self.archive_needed)

    def summary(self) -> str:
        """Return the counts in one line, as the commit message and the report say them."""
        added = self.count("added", "transfer")
        parts = [f"{_rows(added)} added ({self.uncategorized} uncategorized)"]
        counted = (
            (self.count("duplicate", "elsewhere"), "already imported"),
            (self.count("matched"), "matched to entries typed by hand"),
            (self.count("completed", "merged"), "merged into transfers"),
            (len(self.export.statement.skipped), "skipped by the importer"),
        )
        parts += [f"{_rows(number)} {what}" for number, what in counted if number]
        new_balances = sum(1 for b in self.balances if b.outcome == "added")
        if new_balances:
            parts.append(f"{new_balances} balance assertion{'s' if new_balances != 1 else ''}")
        if self.openings:
            parts.append("the opening balance (--opening)")
        return ", ".join(parts)

    def message(self) -> str:
        """Return the commit message: what was imported, every count, where it is archived."""
        export = self.export
        added = self.count("added", "transfer")
        new_balances = sum(1 for b in self.balances if b.outcome == "added")
        counts = (
            f"{_rows(added)} added, {self.uncategorized} of them left uncategorized",
            f"{_rows(self.count('duplicate', 'elsewhere'))} skipped: already imported",
            f"{_rows(self.count('matched'))} skipped: matched to entries typed by hand",
            f"{_rows(self.count('completed', 'merged'))} merged into transfers",
            f"{_rows(len(export.statement.skipped))} skipped by the importer",
            f"{new_balances} balance assertion{'s' if new_balances != 1 else ''} added",
            *(f"the {note}" for note in self.openings),
        )
        return (
            f"Import {export.path.name} into {self.client_id}: {_rows(added)} added\n\n"
            f"{export.account.account}, read with the {export.account.importer} importer:\n"
            + "".join(f"- {line}\n" for line in counts)
            + f"\nThe export is archived as {self.archive}.\n"
        )


def _rows(number: int) -> str:
    return f"{number} row{'s' if number != 1 else ''}"


def rows_text(rows: Sequence[RowOutcome]) -> list[str]:
    """Return one line per row decision, for a dry run."""
    return [f"line {row.line}: {row_text(row)}" for row in rows]


def row_text(row: RowOutcome) -> str:
    """Return a row and its decision: date, amount, payee, narration, what and why."""
    shown = f"{row.date} {row.number} {row.currency} {row.payee or ''} {row.narration}".rstrip()
    return f"{shown} -> {OUTCOMES[row.outcome]}: {row.detail}"
