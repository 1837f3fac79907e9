"""The seal of a locked period: each entry in a canonical form, hashed, and summed per month.

What the digest covers: every entry dated on or before the lock's date as Beancount has it after
booking (so an amount left for Beancount to fill in counts as the amount it fills in), except

- the lock's own directives (`custom "beanfirm-lock"` and `custom "beanfirm-reopen"`);
- Fava's settings (`custom "fava-option"`, `custom "fava-extension"`): how the books are shown,
  not what they say;
- the `document` entries Beancount makes for the files it finds in the `documents` folder
  (they have no line in the ledger): a scan filed late is not an edit of the books. A
  `document` directive written in the ledger counts like any other entry.

Everything else counts: transactions, `balance`, `pad`, `open`, `close`, `commodity`, `price`,
`note`, `event`, `query` and every other `custom`. The padding transactions Beancount adds for a
`pad` do not exist yet when the plugin runs (Beancount runs `pad` after the ledger's plugins);
the `pad` directive itself counts.

The canonical form of an entry is its type, date and every field that matters in a fixed
order: flag, payee, narration, tags and links (sorted), each posting (account, flag, units,
cost, price and metadata; the postings sorted, so their order is not a change) and the entry's
metadata (sorted by key) without `filename` and `lineno` and without the keys Beancount adds
while booking (those starting with `__`). Numbers are written as they are (`100.00` and `100`
differ: Beancount reads an amount's precision, and so its tolerance, from its digits). So
the form does not change when a file is re-ordered, re-aligned,
re-commented or split, or when an entry moves to another file; it changes with any edit of
what an entry says.

The digest: each entry's form is hashed (SHA-256); a month's digest is the SHA-256 of its
entries' hashes, sorted (so the order of entries is not a change); the total is the SHA-256 of
the lines `YYYY-MM count month-digest`, one per month in order. A lock keeps the total and,
per month, the count and the first 16 hex digits of the month's digest (`months:` metadata,
`2026-09:37:ab12cd34ef567890 2026-10:...`), so that a changed lock names its changed months.
"""

from __future__ import annotations

import datetime
import hashlib
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from beancount.core import amount as bc_amount
from beancount.core import data
from beancount.core.position import Cost

from beanfirm.core.beans import Directive, Meta

LOCK = "beanfirm-lock"
REOPEN = "beanfirm-reopen"
IGNORED_CUSTOM = (LOCK, REOPEN, "fava-option", "fava-extension")
PREFIX = "sha256:"
SHORT = 16  # hex digits of a month's digest kept in a lock's `months:`
SOURCE_SET = frozenset(("filename", "lineno"))
# What a parsed and booked entry's or posting's metadata commonly holds and the form leaves out.
SKIPPED_META = SOURCE_SET | {"__tolerances__", "__automatic__", "__residual__"}


@dataclass(frozen=True)
class MonthSeal:
    """One month of a sealed period: how many entries, and the digest of their forms."""

    month: str  # YYYY-MM
    count: int
    digest: str  # full hex

    @property
    def short(self) -> str:
        """Return the month as a lock keeps it: `YYYY-MM:count:first-16-hex-digits`."""
        return f"{self.month}:{self.count}:{self.digest[:SHORT]}"


@dataclass(frozen=True)
class Seal:
    """The digest of every entry dated on or before a day, and its months."""

    through: datetime.date
    months: tuple[MonthSeal, ...]

    @property
    def digest(self) -> str:
        """Return the total, `sha256:<hex>`."""
        lines = "".join(f"{m.month} {m.count} {m.digest}\n" for m in self.months)
        return PREFIX + hashlib.sha256(lines.encode()).hexdigest()

    @property
    def months_text(self) -> str:
        """Return the `months:` metadata of a lock: each month's short form, space-separated."""
        return " ".join(month.short for month in self.months)


def counted(entry: Directive) -> bool:
    """Tell whether an entry is one a lock covers (see the module docstring)."""
    if type(entry) is data.Transaction:
        return True
    if isinstance(entry, data.Custom):
        return entry.type not in IGNORED_CUSTOM
    if isinstance(entry, data.Document):
        return bool(entry.meta and entry.meta.get("lineno"))
    return True


def entry_hash(entry: Directive, root: str | None = None) -> bytes:
    """Return the SHA-256 of an entry's canonical form."""
    return hashlib.sha256(canonical(entry, root).encode()).digest()


def canonical(entry: Directive, root: str | None = None) -> str:
    """Return the canonical form of an entry (see the module docstring).

    `root` is the ledger's folder (of its main file): a `document`'s file, which Beancount
    makes absolute, is written relative to it, so that the form does not depend on where the
    ledger is checked out.
    """
    if isinstance(entry, data.Document) and root and os.path.isabs(entry.filename):
        entry = entry._replace(filename=os.path.relpath(entry.filename, root))
    if type(entry) is data.Transaction:  # the bulk of a ledger: one string, few calls
        postings = []
        for posting in entry.postings:
            units, cost, price, meta = posting.units, posting.cost, posting.price, posting.meta
            if type(units) is bc_amount.Amount and units.number is not None:
                shown = f"a:{units.number} {units.currency}"
            else:
                shown = _value(units)
            postings.append(
                f"{posting.account}\x1f{posting.flag or ''}\x1f{shown}\x1f"
                f"{'-' if cost is None else _value(cost)}\x1f"
                f"{'-' if price is None else _value(price)}\x1f"
                f"{'' if not meta or meta.keys() <= SKIPPED_META else _meta(meta)}"
            )
        postings.sort()
        tags = " ".join(sorted(entry.tags)) if entry.tags else ""
        links = " ".join(sorted(entry.links)) if entry.links else ""
        head = (
            f"Transaction\x1e{entry.date}\x1e{entry.flag or ''}\x1e{entry.payee or ''}\x1e"
            f"{entry.narration or ''}\x1e{tags}\x1e{links}\x1e"
        )
        return head + "\x1e".join(postings) + "\x1e" + _meta(entry.meta)
    fields = [type(entry).__name__, entry.date.isoformat()]
    fields += [_value(value) for _name, value in _fields(entry)]
    fields.append(_meta(entry.meta))
    return "\x1e".join(fields)


def _fields(entry: Directive) -> Iterable[tuple[str, object]]:
    """Return the fields of a directive other than its metadata and date, in their order."""
    return ((name, getattr(entry, name)) for name in entry._fields if name not in ("meta", "date"))


def _meta(meta: Meta | None) -> str:
    if not meta or meta.keys() <= SKIPPED_META:
        return ""
    kept = [
        f"{key}={_value(value)}"
        for key, value in meta.items()
        if key not in SOURCE_SET and not key.startswith("__")
    ]
    kept.sort()
    return "\x1d".join(kept)


def _value(value: object) -> str:
    """Return a value in a form that depends on what it is, not on how it was written."""
    if type(value) is str:  # the most common metadata value first
        return "s:" + value
    if value is None:
        return "-"
    if isinstance(value, bool):
        return f"b:{value}"
    if isinstance(value, Decimal):
        return f"n:{value}"
    if isinstance(value, bc_amount.Amount):
        return f"a:{'-' if value.number is None else value.number} {value.currency}"
    if isinstance(value, Cost):
        return "c:" + " ".join(_value(part) for part in value)
    if isinstance(value, datetime.date):
        return "d:" + value.isoformat()
    if isinstance(value, str):
        return "s:" + value
    if isinstance(value, list | tuple | set | frozenset):
        items = [_value(item) for item in value]
        unordered = isinstance(value, set | frozenset)
        return "l:[" + ",".join(sorted(items) if unordered else items) + "]"
    return f"r:{type(value).__name__}:{value!r}"


class Sealer:
    """The entries of a ledger hashed once, to seal (or check) any number of days cheaply."""

    def __init__(
        self, entries: Sequence[Directive], through: datetime.date, root: str | None = None
    ) -> None:
        self.by_month: dict[str, list[tuple[datetime.date, bytes]]] = {}
        by_number: dict[int, list[tuple[datetime.date, bytes]]] = {}
        for entry in entries:
            day = entry.date
            if day <= through and counted(entry):
                found = (day, hashlib.sha256(canonical(entry, root).encode()).digest())
                by_number.setdefault(day.year * 100 + day.month, []).append(found)
        for number, hashed in by_number.items():
            self.by_month[f"{number // 100:04d}-{number % 100:02d}"] = hashed
        self._whole: dict[str, MonthSeal] = {}

    def seal(self, through: datetime.date) -> Seal:
        """Return the seal of the entries dated on or before `through`."""
        last = f"{through:%Y-%m}"
        months = []
        for month in sorted(self.by_month):
            if month < last:
                months.append(self._whole_month(month))
            elif month == last:
                hashes = [digest for day, digest in self.by_month[month] if day <= through]
                if hashes:
                    months.append(_month_seal(month, hashes))
        return Seal(through, tuple(months))

    def _whole_month(self, month: str) -> MonthSeal:
        found = self._whole.get(month)
        if found is None:
            found = _month_seal(month, [digest for _day, digest in self.by_month[month]])
            self._whole[month] = found
        return found


def _month_seal(month: str, hashes: list[bytes]) -> MonthSeal:
    return MonthSeal(month, len(hashes), hashlib.sha256(b"".join(sorted(hashes))).hexdigest())


def seal(entries: Sequence[Directive], through: datetime.date, root: str | None = None) -> Seal:
    """Return the seal of the entries dated on or before `through` (`root`: see `canonical`)."""
    return Sealer(entries, through, root).seal(through)


def parse_months(text: object) -> dict[str, tuple[int, str]] | None:
    """Read a lock's `months:` metadata; None when it is missing or not in that form."""
    if not isinstance(text, str):
        return None
    months: dict[str, tuple[int, str]] = {}
    for item in text.split():
        parts = item.split(":")
        if len(parts) != 3 or not parts[1].isdigit():  # noqa: PLR2004 - month, count, digest
            return None
        months[parts[0]] = (int(parts[1]), parts[2])
    return months
