"""Why a statement and the ledger differ: each difference with its effect and likely cause.

After matching (`beanfirm.reconcile.matching`), what is left over explains the closing difference
(statement minus ledger) exactly: each item below has an *effect* on it, and the effects add up
to it. The kinds:

- `timing`: a posting of the period not on the statement, dated within the window of its
  last day (outstanding at the end, it should clear on the next statement); a line matched to
  a posting dated before the period (outstanding at the previous statement, cleared now) or
  after it (the ledger's date is later than the bank's); an opening difference that such
  items, or the difference accepted at the previous reconciliation, explain.
- `outstanding`: a posting of the period not on the statement, earlier in the period (an
  uncleared cheque or transfer, or an entry of another account).
- `duplicate`: a posting not on the statement with the amount of a matched posting, within
  the window, with a similar payee: two ledger entries for one statement line.
- `amount`: a line and a posting of about the same date whose amounts differ, with digits
  transposed, one digit different or the decimal point shifted, or with the same payee; also
  a line whose `import-id` a posting of another amount carries. The amount was typed wrong.
- `missing`: a line not in the ledger at all: a missing entry.
- `opening`: an opening difference nothing above explains: an entry before the period was
  changed after it was reconciled, or the previous period was never reconciled.

`timing` and `outstanding` items are ones an accountant may accept (`--accept-outstanding`);
the others are mistakes to correct. Every look-up is by amount or by day in a hash index, so
explaining grows with the number of leftovers, not with the size of the ledger.
"""

from __future__ import annotations

import datetime
import itertools
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Final, Literal

from beanfirm.ingest.dedup import similarity
from beanfirm.reconcile.accountbook import BookPosting
from beanfirm.reconcile.matching import Match
from beanfirm.reconcile.period import StatementLine

# The kinds of difference (see the module docstring); the reports name them.
DifferenceKind = Literal["timing", "outstanding", "duplicate", "amount", "missing", "opening"]
TIMING: Final = "timing"
OUTSTANDING: Final = "outstanding"
DUPLICATE: Final = "duplicate"
AMOUNT: Final = "amount"
MISSING: Final = "missing"
OPENING: Final = "opening"
ACCEPTABLE: frozenset[DifferenceKind] = frozenset({TIMING, OUTSTANDING})
KINDS: tuple[DifferenceKind, ...] = (TIMING, OUTSTANDING, DUPLICATE, AMOUNT, MISSING, OPENING)

ZERO = Decimal(0)
CENT = Decimal("0.01")
SAME_PAYEE = 0.8  # text similarity above which two entries have the same payee
LIKE_PAYEE = 0.6  # ... above which a second posting of the same amount is a duplicate
TYPO_CANDIDATES = 16  # postings nearest in date that one line is compared with
DECIMAL_SHIFTS = (Decimal(10), Decimal(100), Decimal("0.1"), Decimal("0.01"))


@dataclass(frozen=True)
class Difference:
    """One item of the difference: its kind, its effect on it, and its likely cause."""

    kind: DifferenceKind
    effect: Decimal
    cause: str
    date: datetime.date
    line: StatementLine | None = None
    posting: BookPosting | None = None
    twin: BookPosting | None = None

    @property
    def amount(self) -> Decimal | None:
        """Return the amount of the line, else of the posting (None for the opening)."""
        if self.line is not None:
            return self.line.number
        return self.posting.number if self.posting is not None else None

    @property
    def description(self) -> str:
        """Return the payee and narration of the line, else of the posting."""
        if self.line is not None:
            return self.line.text
        return self.posting.text if self.posting is not None else ""

    @property
    def acceptable(self) -> bool:
        """Tell whether the accountant may accept this item as outstanding."""
        return self.kind in ACCEPTABLE

    @property
    def not_on_statement(self) -> bool:
        """Tell whether this is a ledger posting the statement lacks (no line, no match)."""
        return self.line is None and self.posting is not None


@dataclass(frozen=True)
class Leftovers:
    """What matching left over, and the figures at the start of the period."""

    start: datetime.date
    end: datetime.date
    window: int
    matches: Sequence[Match]
    lines: Sequence[StatementLine]
    postings: Sequence[BookPosting]
    opening_difference: Decimal | None
    carried: Decimal | None


def kinds_text(items: Sequence[Difference]) -> str:
    """Count items by kind, in the order of `KINDS`: `1 missing, 2 outstanding`."""
    counts = {kind: sum(1 for item in items if item.kind == kind) for kind in KINDS}
    return ", ".join(f"{count} {kind}" for kind, count in counts.items() if count)


def digit_slip(right: Decimal, wrong: Decimal) -> str | None:
    """Say how one amount may be the other typed wrong, or None if they do not look alike."""
    if right == wrong or (right < 0) != (wrong < 0):
        return None
    a = f"{abs(right).quantize(CENT):f}".replace(".", "")
    b = f"{abs(wrong).quantize(CENT):f}".replace(".", "")
    if len(a) == len(b):
        apart = [i for i in range(len(a)) if a[i] != b[i]]
        if len(apart) == 1:
            return "one digit different"
        if len(apart) == 2 and a[apart[0]] == b[apart[1]] and a[apart[1]] == b[apart[0]]:  # noqa: PLR2004
            return "two digits transposed"
    if any(right == wrong * shift for shift in DECIMAL_SHIFTS):
        return "the decimal point shifted"
    return None


def _shown(posting: BookPosting, root: Path) -> str:
    return posting.location.shown(root)


def _pairs(left: Leftovers, root: Path) -> list[Difference]:
    """Explain matched pairs that cross the period's edges or differ in amount."""
    items: list[Difference] = []
    for match in left.matches:
        line, posting = match.line, match.posting
        inside = left.start <= posting.date <= left.end
        effect = line.number - (posting.number if inside else ZERO)
        if line.number != posting.number:
            cause = (
                f"amount typed wrong: the statement line says {line.number}, but the entry "
                f"imported from it ({_shown(posting, root)}, import-id {line.import_id}) says "
                f"{posting.number}"
            )
            items.append(Difference(AMOUNT, effect, cause, line.date, line, posting))
        elif posting.date < left.start:
            cause = (
                f"timing: booked in the ledger on {posting.date}, before the period; it was "
                "outstanding at the previous statement and cleared on this one"
            )
            items.append(Difference(TIMING, effect, cause, line.date, line, posting))
        elif posting.date > left.end:
            cause = (
                f"timing: booked in the ledger on {posting.date}, after the statement's last "
                f"day; the bank has it on {line.date}"
            )
            items.append(Difference(TIMING, effect, cause, line.date, line, posting))
    return items


def _duplicates(left: Leftovers, root: Path) -> dict[int, Difference]:
    """Find postings that repeat a matched posting: two ledger entries for one line."""
    matched: dict[tuple[Decimal, int], list[BookPosting]] = defaultdict(list)
    for match in left.matches:
        matched[match.posting.number, match.posting.date.toordinal()].append(match.posting)
    found: dict[int, Difference] = {}
    for posting in left.postings:
        day = posting.date.toordinal()
        nearest = (
            twin
            for distance in range(left.window + 1)
            for probe in sorted({day - distance, day + distance})
            for twin in matched.get((posting.number, probe), ())
        )
        twin = next(
            (
                twin
                for twin in itertools.islice(nearest, TYPO_CANDIDATES)
                if similarity(twin.text, posting.text) >= LIKE_PAYEE
            ),
            None,
        )
        if twin is None:
            continue
        cause = (
            f"duplicate: a second entry for the statement line already matched to the entry of "
            f"{twin.date} ({_shown(twin, root)}), same amount and payee"
        )
        found[posting.key] = Difference(
            DUPLICATE, -posting.number, cause, posting.date, posting=posting, twin=twin
        )
    return found


def _typos(
    lines: Sequence[StatementLine], postings: Sequence[BookPosting], window: int, root: Path
) -> list[Difference]:
    """Pair lines and postings of about the same date whose amounts look like a typing slip."""
    by_day: dict[int, list[BookPosting]] = defaultdict(list)
    for posting in postings:
        by_day[posting.date.toordinal()].append(posting)
    candidates: list[tuple[tuple[int, int, float, int, int], StatementLine, BookPosting, str]] = []
    for line in lines:
        day = line.date.toordinal()
        nearest = (
            (distance, posting)
            for distance in range(window + 1)
            for probe in sorted({day - distance, day + distance})
            for posting in by_day.get(probe, ())
        )
        for distance, posting in itertools.islice(nearest, TYPO_CANDIDATES):
            slip = digit_slip(line.number, posting.number)
            same_sign = (line.number < 0) == (posting.number < 0)
            if slip is None and not (same_sign and distance <= 1):
                continue
            alike = similarity(line.text, posting.text)
            if slip is None and alike < SAME_PAYEE:
                continue
            key = (0 if slip else 1, distance, -alike, line.key, posting.key)
            candidates.append((key, line, posting, slip or "same payee"))
    candidates.sort(key=lambda item: item[0])
    used_lines: set[int] = set()
    used_postings: set[int] = set()
    items: list[Difference] = []
    for _, line, posting, why in candidates:
        if line.key in used_lines or posting.key in used_postings:
            continue
        used_lines.add(line.key)
        used_postings.add(posting.key)
        cause = (
            f"amount typed wrong ({why}): the statement says {line.number}, the entry of "
            f"{posting.date} ({_shown(posting, root)}) says {posting.number}"
        )
        effect = line.number - posting.number
        items.append(Difference(AMOUNT, effect, cause, line.date, line, posting))
    return items


def _opening(left: Leftovers, pairs: list[Difference]) -> Difference | None:
    difference = left.opening_difference
    if difference is None or difference == 0:
        return None
    cleared = sum(
        (d.effect for d in pairs if d.posting is not None and d.posting.date < left.start), ZERO
    )
    if difference + cleared == 0:
        cause = (
            "timing: the opening balances differ by the items booked before the period that "
            "cleared on this statement"
        )
        return Difference(TIMING, difference, cause, left.start)
    if left.carried is not None and difference == left.carried:
        cause = (
            "timing: the difference accepted at the previous reconciliation (the items "
            "outstanding then)"
        )
        return Difference(TIMING, difference, cause, left.start)
    cause = (
        f"opening balance differs: the ledger's balance at the start of {left.start} is not "
        "the statement's opening balance; an entry before the period was changed after it was "
        "reconciled, or the previous period is not reconciled"
    )
    return Difference(OPENING, difference, cause, left.start)


def explain(left: Leftovers, root: Path) -> list[Difference]:
    """Explain the difference item by item (see the module docstring), in date order."""
    items = _pairs(left, root)
    opening = _opening(left, items)
    if opening is not None:
        items.append(opening)
    duplicates = _duplicates(left, root)
    items += duplicates.values()
    others = [posting for posting in left.postings if posting.key not in duplicates]
    typos = _typos(left.lines, others, left.window, root)
    items += typos
    typed = {d.posting.key for d in typos if d.posting is not None}
    paired = {d.line.key for d in typos if d.line is not None}
    for line in left.lines:
        if line.key not in paired:
            cause = (
                "missing entry: on the statement, not in the ledger; import the statement "
                "(`beanfirm import`) or book it, or check the date and account of its entry"
            )
            items.append(Difference(MISSING, line.number, cause, line.date, line=line))
    near = left.end - datetime.timedelta(days=left.window)
    for posting in others:
        if posting.key in typed:
            continue
        if posting.date > near:
            cause = (
                f"timing: outstanding at the statement's end (booked {posting.date}, within "
                f"{left.window} days of it); it should clear on the next statement"
            )
            items.append(Difference(TIMING, -posting.number, cause, posting.date, posting=posting))
        else:
            cause = (
                "not on the statement: an uncleared cheque or transfer, or an entry that "
                "belongs to another account or never happened at the bank"
            )
            items.append(
                Difference(OUTSTANDING, -posting.number, cause, posting.date, posting=posting)
            )
    return sorted(items, key=lambda d: (d.date, KINDS.index(d.kind)))


def paper_hints(
    postings: Sequence[BookPosting],
    difference: Decimal,
    end: datetime.date,
    window: int,
    root: Path,
) -> list[Difference]:
    """Suggest causes of a difference against a balance given without its lines.

    Without the statement's lines nothing can be matched; these are the postings of the period
    that alone would explain the difference: one of exactly its amount (booked twice, or not
    at the bank), or one whose amount with a typing slip would.
    """
    if difference == 0:
        return []
    hints: list[Difference] = []
    by_number: dict[Decimal, list[BookPosting]] = defaultdict(list)
    for posting in postings:
        by_number[posting.number].append(posting)
    for posting in by_number.get(-difference, ()):
        twins = [
            other
            for other in by_number[posting.number]
            if other.key != posting.key
            and abs((other.date - posting.date).days) <= window
            and similarity(other.text, posting.text) >= LIKE_PAYEE
        ]
        if twins:
            cause = (
                f"possibly a duplicate of the entry of {twins[0].date} ({_shown(twins[0], root)})"
            )
            hints.append(Difference(DUPLICATE, difference, cause, posting.date, posting=posting))
        else:
            cause = "possibly not at the bank yet (outstanding), or an entry of another account"
            hints.append(Difference(OUTSTANDING, difference, cause, posting.date, posting=posting))
    for posting in postings:
        right = posting.number + difference
        slip = digit_slip(right, posting.number)
        if slip is not None:
            cause = f"possibly typed wrong ({slip}): {right} instead of {posting.number}"
            hints.append(Difference(AMOUNT, difference, cause, posting.date, posting=posting))
    if not hints:
        cause = (
            f"an entry of {difference} may be missing from the ledger; look for it on the statement"
        )
        hints.append(Difference(MISSING, difference, cause, end))
    return sorted(hints, key=lambda d: (d.date, KINDS.index(d.kind)))
