"""De-duplication of statement rows against a client's ledger, one-to-one, never by guess.

Two rules, in this order:

1. **By import id.** A row whose id is already booked for its account (`import-id`, or
   `import-id-2` on a transfer) is a row imported before: skipped. Re-importing an export, or
   one that overlaps it, adds nothing; two identical genuine rows of one file have different
   ids (`#1`, `#2`) and both survive.
2. **Against open slots** (`beanfirm.ingest.ledgerindex`): entries typed by hand, and transfers
   booked from the other side. A row matches a slot of its own account with exactly its amount
   within the date window (±3 days by default). Matching is one-to-one: each slot absorbs at
   most one row. Pairs are taken closest date first over the whole export (every row at 0
   days apart, then 1, …), and among equally close ones, closest payee and narration text.
   Each row looks up its amount, then the days of its window, in a hash index (at most 8
   slots of one day are compared by text), so the work grows with the rows times the window,
   never with rows times ledger entries. The caller may pass over some pairs (`Accepts`): an
   import leaves a transfer booked `!` from one side to the rows that name it
   (`beanfirm.ingest.transfers.completes`).

3. **Against rows imported from another export of the account.** A bank offers an account's
   statement in several layouts (ICBC's two 明细 downloads, a CSV and a CAMT.053), and the
   same bank row gets another id in each: its fingerprint hashes the fields as the layout
   writes them (a narration made of other columns, a counterparty the other layout lacks).
   A row whose id is unknown, and that no open slot took, matches an entry of its account
   imported with an id that this export does not give any of its rows, of exactly its amount
   on exactly its day (`match_imported`; one-to-one, closest text first). An export lists
   every row of the days it covers, so a row of the same day and amount that another export
   brought is this row, unless this export holds that id itself (two identical rows of one
   day, the second new: `#1` is known, `#2` added). The import says so row by row, and the
   export's balance assertions check the result.

Unlike beangulp's heuristic (any entry within 5 % and 2 days counts, many rows to one entry),
an amount that differs by a cent is never a duplicate, and one entry never swallows two rows.
"""

from __future__ import annotations

import datetime
import difflib
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from decimal import Decimal

from beanfirm.core.bulk import collector_paused
from beanfirm.core.textmatch import folded
from beanfirm.ingest.ledgerindex import LedgerIndex, Location, Slot

DEFAULT_WINDOW_DAYS = 3
TEXT_CANDIDATES = 8  # slots of one day compared by text; beyond that the first ones are taken


@dataclass(frozen=True)
class Candidate:
    """A statement row about to be booked: its account, amount, date, text and import id."""

    key: int
    account: str
    number: Decimal
    currency: str
    date: datetime.date
    text: str
    import_id: str


def known_rows(rows: list[Candidate], index: LedgerIndex) -> dict[int, Location]:
    """Return, for each row whose import id is already booked, where it is booked."""
    found: dict[int, Location] = {}
    for row in rows:
        location = index.known(row.account, row.import_id)
        if location is not None:
            found[row.key] = location
    return found


def similarity(left: str, right: str) -> float:
    """Return how alike two texts are, 0 to 1, ignoring case and full-width forms."""
    a, b = folded(left), folded(right)
    if a == b:
        return 1.0
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


# Whether a row may fill a slot that its amount and day match (None: any may).
Accepts = Callable[[Candidate, Slot], bool] | None


def match_open_slots(
    rows: list[Candidate],
    index: LedgerIndex,
    window: int = DEFAULT_WINDOW_DAYS,
    accepts: Accepts = None,
) -> dict[int, Slot]:
    """Match rows one-to-one to open slots (see the module docstring); claim each slot taken."""
    return match_slots(rows, index.slots, window, accepts)


def match_imported(
    rows: list[Candidate], index: LedgerIndex, produced: Collection[str]
) -> dict[int, Slot]:
    """Match rows one-to-one to legs imported from another export, on the same day.

    `produced` are the ids of every row of this export: an entry that holds one of them is
    this export's own row, known by its id, never another row's (see the module docstring).
    """

    def accepts(_row: Candidate, slot: Slot) -> bool:
        return slot.entry.ids[slot.position] not in produced

    return match_slots(rows, index.imported, 0, accepts)


SlotIndex = Mapping[tuple[str, str, Decimal], Mapping[int, list[Slot]]]


def match_slots(
    rows: list[Candidate], slots: SlotIndex, window: int, accepts: Accepts = None
) -> dict[int, Slot]:
    """Match rows one-to-one to the free slots of an index by (account, currency, amount), day.

    The matcher of `match_open_slots`, for any set of slots (reconciliation matches statement
    lines to every posting of an account this way). A slot that `accepts` refuses for a row
    is not paired with it.
    """
    with collector_paused():
        return _match(rows, slots, window, accepts)


def _match(
    rows: list[Candidate], slots: SlotIndex, window: int, accepts: Accepts
) -> dict[int, Slot]:
    matched: dict[int, Slot] = {}
    waiting: list[tuple[Candidate, Mapping[int, list[Slot]], int]] = []
    for row in rows:
        days = slots.get((row.account, row.currency, row.number))
        if days:  # most new rows stop here: no entry of the account has their amount
            waiting.append((row, days, row.date.toordinal()))
    for distance in range(window + 1):
        # A pass compares each row with at most TEXT_CANDIDATES free slots of a day; while a
        # pass matches something, the next one sees the slots that were beyond that limit.
        while waiting and _pass(waiting, distance, matched, accepts):
            waiting = [item for item in waiting if item[0].key not in matched]
    return matched


def _pass(
    waiting: list[tuple[Candidate, Mapping[int, list[Slot]], int]],
    distance: int,
    matched: dict[int, Slot],
    accepts: Accepts,
) -> bool:
    """Pair rows with free slots `distance` days away, best text first; tell if any matched."""
    pairs: list[tuple[tuple[float, int, str, int, int], Slot]] = []
    for order, (row, days, day) in enumerate(waiting):
        for probe in (day,) if distance == 0 else (day - distance, day + distance):
            slots = days.get(probe)
            if not slots:
                continue
            free = [
                slot
                for slot in slots
                if slot.claimed_by is None and (accepts is None or accepts(row, slot))
            ][:TEXT_CANDIDATES]
            pairs += [
                ((-similarity(row.text, slot.entry.text), order, *_place(slot)), slot)
                for slot in free
            ]
    pairs.sort(key=lambda pair: pair[0])
    found = False
    for (_, order, *_), slot in pairs:
        row = waiting[order][0]
        if row.key in matched or slot.claimed_by is not None:
            continue
        slot.claimed_by = row.import_id
        matched[row.key] = slot
        found = True
    return found


def _place(slot: Slot) -> tuple[str, int, int]:
    """Order slots that are equally good by where they are written (deterministic)."""
    location = slot.entry.location
    return location.filename, location.line, slot.position
