"""Matching statement lines to ledger postings one-to-one, for reconciliation.

Each line is matched to at most one posting and each posting to at most one line:

1. **By import id.** A line whose `import-id` a posting carries (it was imported from that very
   row) is that posting's, whatever their dates.
2. **By exact amount within a date window**, stage by stage: first against the postings of the
   statement period, then against the others the caller offers (postings just outside the
   period, which are matched only when nothing inside it fits). Within a stage, pairs are taken
   closest date first over the whole statement, and among equally close ones closest payee and
   narration first: the matcher of import de-duplication (`beanfirm.ingest.dedup.match_slots`), so
   the work grows with the lines times the window (a hash look-up per amount and day, then a
   sort of the candidate pairs), never with lines times postings.

An amount that differs by a cent never matches here; `beanfirm.reconcile.differences` says what such
a near miss probably is.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Final, Literal

from beanfirm.core.bulk import collector_paused
from beanfirm.ingest.dedup import Candidate, match_slots
from beanfirm.ingest.ledgerindex import BookedEntry, Leg, Slot
from beanfirm.reconcile.accountbook import BookPosting
from beanfirm.reconcile.period import StatementLine

# How a statement line was matched to its posting; the reconciliation reports say it.
MatchedBy = Literal["import-id", "amount"]
BY_IMPORT_ID: Final = "import-id"
BY_AMOUNT: Final = "amount"


@dataclass(frozen=True, slots=True)
class Match:
    """A statement line and the posting it is, and how they were found."""

    line: StatementLine
    posting: BookPosting
    by: MatchedBy


def match_lines(
    lines: Sequence[StatementLine],
    stages: Sequence[Sequence[BookPosting]],
    account: str,
    window: int,
) -> list[Match]:
    """Match lines to postings (see the module docstring), in statement order."""
    found: dict[int, Match] = {}
    taken: set[int] = set()
    by_key = {line.key: line for line in lines}
    by_id: dict[str, BookPosting] = {}
    for stage in stages:
        for posting in stage:
            if posting.import_id is not None:
                by_id.setdefault(posting.import_id, posting)
    for line in lines:
        known = by_id.get(line.import_id)
        if known is not None and known.key not in taken:
            found[line.key] = Match(line, known, BY_IMPORT_ID)
            taken.add(known.key)
    for stage in stages:
        waiting = [line for line in lines if line.key not in found]
        free = [posting for posting in stage if posting.key not in taken]
        if not waiting or not free:
            continue
        for key, posting in _by_amount(waiting, free, account, window).items():
            found[key] = Match(by_key[key], posting, BY_AMOUNT)
            taken.add(posting.key)
    return [found[line.key] for line in lines if line.key in found]


def _by_amount(
    lines: list[StatementLine], postings: list[BookPosting], account: str, window: int
) -> dict[int, BookPosting]:
    """Match by amount within the window through the import matcher's slot index."""
    with collector_paused():
        slots: dict[tuple[str, str, Decimal], dict[int, list[Slot]]] = defaultdict(
            lambda: defaultdict(list)
        )
        owner: dict[int, BookPosting] = {}
        currency = lines[0].currency
        for posting in postings:
            entry = BookedEntry(
                date=posting.date,
                flag="*",
                payee=posting.payee,
                narration=posting.narration,
                counterparty="",
                location=posting.location,
                ids={},
            )
            slot = Slot(entry, 0, Leg(account, posting.number, currency, posting.location.line))
            owner[id(slot)] = posting
            slots[(account, currency, posting.number)][posting.date.toordinal()].append(slot)
        rows = [
            Candidate(
                key=line.key,
                account=account,
                number=line.number,
                currency=line.currency,
                date=line.date,
                text=line.text,
                import_id=line.import_id or f"line-{line.key}",
            )
            for line in lines
        ]
    matched = match_slots(rows, slots, window)
    return {key: owner[id(slot)] for key, slot in matched.items()}
