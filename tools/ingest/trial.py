"""A trial run of the categorization rules on an export: what `beanfirm rules test` shows.

The export is read with the client's importer, and each row is categorized exactly as an
import would categorize it (the client's rules, the firm's, then history's suggestion from
the client's ledger), but nothing is written.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from beancount.core import data

from beanfirm.errors import relative_to
from beanfirm.importers.entries import statement_entries
from beanfirm.importers.statement import SkippedRow
from beanfirm.ingest.exports import read_export
from beanfirm.rules.categorize import Decision, load_ruleset
from beanfirm.rules.history import learn_history
from beanfirm.store.ledger import load_ledger
from beanfirm.store.practice import Practice


@dataclass(frozen=True)
class TrialRow:
    """One row of the export and what categorization made of it."""

    line: int
    date: datetime.date
    number: Decimal
    currency: str
    payee: str | None
    narration: str
    entry: data.Transaction
    decision: Decision

    def as_json(self) -> dict[str, object]:
        """Return the row for `--json`."""
        suggestion = self.decision.suggestion
        return {
            "line": self.line,
            "date": self.date.isoformat(),
            "amount": str(self.number),
            "currency": self.currency,
            "payee": self.payee,
            "narration": self.narration,
            "rule": self.decision.rule,
            "account": self.decision.account,
            "flag": self.decision.flag,
            "suggested_account": suggestion.account if suggestion else None,
            "suggestion_confidence": str(suggestion.confidence) if suggestion else None,
            "reason": self.decision.reason,
            "booked_payee": self.entry.payee,
            "booked_narration": self.entry.narration,
            "tags": sorted(self.entry.tags or ()),
            "links": sorted(self.entry.links or ()),
        }


@dataclass(frozen=True)
class Trial:
    """The outcome of trying the rules on one export."""

    client_id: str
    filename: str
    account: str
    importer: str
    rows: tuple[TrialRow, ...]
    skipped: tuple[SkippedRow, ...]

    def counts(self) -> dict[str, int]:
        """Return how many rows a rule categorized, history suggested, and stayed open."""
        by_rule = sum(1 for row in self.rows if row.decision.rule is not None)
        suggested = sum(1 for row in self.rows if row.decision.suggested)
        return {
            "rows": len(self.rows),
            "by_rule": by_rule,
            "suggested": suggested,
            "uncategorized": len(self.rows) - by_rule - suggested,
            "skipped": len(self.skipped),
        }

    def as_json(self) -> dict[str, object]:
        """Return the trial for `--json`."""
        return {
            "client": self.client_id,
            "file": self.filename,
            "account": self.account,
            "importer": self.importer,
            "summary": self.counts(),
            "rows": [row.as_json() for row in self.rows],
            "skipped": [{"line": s.line, "reason": s.reason} for s in self.skipped],
        }


def try_rules(
    practice: Practice, client_id: str, path: Path, *, account: str | None = None
) -> Trial:
    """Categorize every row of an export as an import would, without writing anything.

    Raises ConfigError for a bad rules file, and the errors of `beanfirm.ingest.exports.read_export`
    when the export is not the client's or cannot be read.
    """
    client = practice.registry.client(client_id)
    ruleset = load_ruleset(practice.root, client.id)
    export = read_export(client, path, account)
    statement = export.statement
    ledger = load_ledger(practice.main_file(client.id))
    history = learn_history(ledger.entries, statement_accounts=[a.account for a in client.accounts])
    ruleset = ruleset.with_history(history)
    rows: list[TrialRow] = []
    for entry in statement_entries(statement, export.account.account):
        if not isinstance(entry, data.Transaction):
            continue
        booked, decision = ruleset.categorize(entry)
        units = entry.postings[0].units
        if units is None or units.number is None:  # pragma: no cover - importers give amounts
            continue
        rows.append(
            TrialRow(
                line=entry.meta.get("lineno", 0),
                date=entry.date,
                number=units.number,
                currency=units.currency,
                payee=entry.payee,
                narration=entry.narration or "",
                entry=booked,
                decision=decision,
            )
        )
    return Trial(
        client_id=client.id,
        filename=relative_to(path, practice.root),
        account=export.account.account,
        importer=export.account.importer,
        rows=tuple(rows),
        skipped=statement.skipped,
    )
