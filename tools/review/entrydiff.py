"""Two sets of Beancount entries compared in accounting terms: added, removed, changed, impact.

Pure functions over parsed entries, with no git and no loader, so that git's diff driver
(`beanfirm.review.gitdriver`) imports this module alone and starts fast.

An entry is compared by its **canonical form**: every field but where it was written (file,
line), numbers by value (`10.0` is `10.00`), tags, links and metadata as sets, postings in any
order. A file re-ordered, re-aligned or moved to another file compares equal. Entries whose
canonical forms differ are paired by **identity**: the same `import-id` (the row of a bank
export it was imported from), else the same date, kind and key (an account for most
directives, payee and narration for a transaction), else (a transaction) the same date and
amounts; a pair is a changed entry, what is left over is added or removed.
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Literal, cast

from beancount.core import data
from beancount.core.amount import Amount
from beancount.core.position import Cost, CostSpec
from beancount.parser import booking, options, parser, printer

from beanfirm.core.beans import amount_of
from beanfirm.core.ledgertext import cost_text
from beanfirm.errors import Problem

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping, Sequence

    from beanfirm.core.beans import BeanError, Directive, Entries, Meta

    # The key two entries are paired on (None: not paired on this key).
    KeyOf = Callable[[Directive], tuple[object, ...] | None]

# Beancount's booking, typed as it is called here: entries and options in, entries and errors out.
_book = cast(
    "Callable[[Entries, Mapping[str, object]], tuple[Entries, list[BeanError]]]", booking.book
)
ChangeKind = Literal["added", "removed", "changed"]
IDENTITY_META = ("import-id", "import-id-2")
# Metadata that says where an entry was written, not what it says.
PLACE_META = ("filename", "lineno")


@dataclass(frozen=True)
class EntryChange:
    """One entry added, removed or changed; `path` is the repository-relative file it is in."""

    kind: ChangeKind
    old: Directive | None
    new: Directive | None
    path: str


@dataclass(frozen=True)
class AccountImpact:
    """An account's total in one currency over the changed files, before and after."""

    account: str
    currency: str
    before: Decimal
    after: Decimal

    @property
    def net(self) -> Decimal:
        """Return what the change did to the account: after less before."""
        return self.after - self.before


@dataclass(frozen=True)
class ParsedFile:
    """One file's entries as parsed on its own, and its syntax errors."""

    path: str
    entries: tuple[Directive, ...]
    problems: tuple[Problem, ...]


def parse_text(text: str, path: str) -> ParsedFile:
    """Parse one file's text on its own: no includes, no plugins, no booking.

    Parsed alone, a file has no context errors (accounts opened elsewhere are only checked by
    the loader's validation), so every error the parser reports is a real one of this file.
    """
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:  # bytes that were not UTF-8 (see PracticeRepo.texts_at)
        line = text.count("\n", 0, exc.start) + 1
        message = "this line is not UTF-8 text; Beancount reads ledgers as UTF-8"
        return ParsedFile(path, (), (Problem(path, line, message),))
    entries, errors, _options = parser.parse_string(text, path)
    problems = tuple(_syntax_problem(error, path) for error in errors)
    return ParsedFile(path, tuple(entries), problems)


def _syntax_problem(error: BeanError, path: str) -> Problem:
    source = error.source or {}
    line = source.get("lineno")
    message = " ".join(error.message.split())
    return Problem(path, line if isinstance(line, int) else None, message)


# Canonical forms.

Canon = tuple[object, ...]


def _canon_value(value: object) -> object:
    """Return a value in a hashable form that compares by meaning, not by how it was written.

    Numbers stay Decimals, which compare (and hash) by value: `10.0` equals `10.00`.
    """
    # Amounts and costs hold numbers, currencies, dates and labels: hashable as they are.
    if isinstance(value, (str, Decimal, datetime.date, Amount, Cost, CostSpec)) or value is None:
        return value
    if isinstance(value, dict):
        return _canon_meta(value)
    if isinstance(value, (set, frozenset)):  # tags and links: names
        return frozenset(value)
    if isinstance(value, list):
        items = [_canon_value(v) for v in value]
        if value and isinstance(value[0], data.Posting):  # postings in any order
            return frozenset(Counter(items).items())
        return tuple(items)  # the values of a `custom` directive keep their order
    if isinstance(value, tuple):
        return (type(value).__name__, *(_canon_value(v) for v in value))
    try:
        hash(value)
    except TypeError:
        return (type(value).__name__, str(value))
    return (type(value).__name__, value)


def _canon_meta(meta: dict[str, object]) -> frozenset[tuple[str, object]]:
    # A value's type is kept: TRUE is not 1, and "1" is not 1.
    return frozenset(
        (key, (type(value).__name__, _canon_value(value)))
        for key, value in meta.items()
        if key not in PLACE_META and not key.startswith("__")
    )


def canonical(entry: Directive) -> Canon:
    """Return the canonical form of an entry: equal for entries that say the same thing."""
    return (type(entry).__name__, *(_canon_value(value) for value in entry))


def identity(entry: Directive) -> tuple[object, ...]:
    """Return what makes an entry the same entry after an edit: its date, kind and key."""
    kind = type(entry).__name__
    if isinstance(entry, data.Transaction):
        return (entry.date, kind, entry.payee or "", entry.narration or "")
    account = getattr(entry, "account", None)
    if isinstance(entry, data.Balance):
        return (entry.date, kind, account, entry.amount.currency)
    if isinstance(entry, data.Pad):
        return (entry.date, kind, account, entry.source_account)
    if isinstance(entry, data.Document):
        return (entry.date, kind, account, entry.filename)
    if isinstance(entry, data.Price):
        return (entry.date, kind, entry.currency, entry.amount.currency)
    if isinstance(entry, data.Commodity):
        return (entry.date, kind, entry.currency)
    if isinstance(entry, (data.Custom, data.Event)):
        return (entry.date, kind, entry.type)
    if isinstance(entry, data.Query):
        return (entry.date, kind, entry.name)
    return (entry.date, kind, account)


def import_ids(entry: Directive) -> tuple[str, ...]:
    """Return the import ids an entry carries (the rows of an export it was booked from)."""
    meta = entry.meta or {}
    return tuple(f"{key}={meta[key]}" for key in IDENTITY_META if isinstance(meta.get(key), str))


# Comparing two sides.

Located = tuple[str, "Directive"]


def compare_entries(old: Sequence[Located], new: Sequence[Located]) -> list[EntryChange]:
    """Return the entries added, removed and changed from `old` to `new`, in date order.

    Each side is (path, entry) pairs. Entries equal in canonical form cancel out, wherever
    they are; the rest are paired by import id, then by identity.
    """
    forms = _Forms()
    old_left, new_left = _without_equal(old, new, forms)
    changes: list[EntryChange] = []
    for key_of in (_import_key, _identity_key, _amounts_key):
        pairs, old_left, new_left = _pair(old_left, new_left, key_of, forms)
        changes.extend(
            EntryChange("changed", before, after, path) for (_, before), (path, after) in pairs
        )
    changes.extend(EntryChange("removed", entry, None, path) for path, entry in old_left)
    changes.extend(EntryChange("added", None, entry, path) for path, entry in new_left)
    changes.sort(key=_change_order)
    return changes


KIND_ORDER = {"removed": 0, "changed": 1, "added": 2}
MOST_CANDIDATES = 64  # of one key, compared for likeness


def _change_order(change: EntryChange) -> tuple[datetime.date, str, int, int]:
    entry = change.new if change.new is not None else change.old
    assert entry is not None  # noqa: S101 - every change has a side
    line = entry.meta.get("lineno", 0) if entry.meta else 0
    return (entry.date, change.path, KIND_ORDER[change.kind], line if isinstance(line, int) else 0)


class _Forms:
    """The canonical form of each entry of one comparison, computed once."""

    def __init__(self) -> None:
        self._forms: dict[int, Canon] = {}

    def __call__(self, entry: Directive) -> Canon:
        form = self._forms.get(id(entry))
        if form is None:
            form = self._forms[id(entry)] = canonical(entry)
        return form


def _without_equal(
    old: Sequence[Located], new: Sequence[Located], forms: _Forms
) -> tuple[list[Located], list[Located]]:
    """Return the entries of each side not matched one-for-one by an equal entry of the other."""
    waiting: dict[Canon, list[int]] = defaultdict(list)
    for index, (_, entry) in enumerate(new):
        waiting[forms(entry)].append(index)
    matched: set[int] = set()
    old_left: list[Located] = []
    for located in old:
        same = waiting.get(forms(located[1]))
        if same:
            matched.add(same.pop())
        else:
            old_left.append(located)
    return old_left, [located for index, located in enumerate(new) if index not in matched]


def _import_key(entry: Directive) -> tuple[object, ...] | None:
    ids = import_ids(entry)
    return (type(entry).__name__, ids) if ids else None


def _identity_key(entry: Directive) -> tuple[object, ...] | None:
    return identity(entry)


def _amounts_key(entry: Directive) -> tuple[object, ...] | None:
    """Return a transaction's date and written amounts: what a retyped narration keeps."""
    if not isinstance(entry, data.Transaction):
        return None
    amounts = Counter(_canon_value(p.units) for p in entry.postings if isinstance(p.units, Amount))
    return (entry.date, frozenset(amounts.items())) if amounts else None


def _pair(
    old: list[Located], new: list[Located], key_of: KeyOf, forms: _Forms
) -> tuple[list[tuple[Located, Located]], list[Located], list[Located]]:
    """Pair old and new entries of one key, most alike first; return the pairs and the rest."""
    waiting: dict[tuple[object, ...], list[int]] = defaultdict(list)
    same_postings: dict[tuple[object, ...], list[int]] = defaultdict(list)
    for index, (_, entry) in enumerate(new):
        key = key_of(entry)
        if key is not None:
            waiting[key].append(index)
            same_postings[(key, _postings(forms(entry)))].append(index)
    pairs: list[tuple[Located, Located]] = []
    taken: set[int] = set()
    old_rest: list[Located] = []
    for located in old:
        key = key_of(located[1])
        if key is None:
            old_rest.append(located)
            continue
        ids = import_ids(located[1])

        def fits(i: int, ids: tuple[str, ...] = ids) -> bool:
            # Two different import ids are two rows of an export, never one entry edited.
            return i not in taken and not (ids and import_ids(new[i][1]) not in ((), ids))

        # An entry whose postings stayed (a flag, a narration, metadata edited) pairs at once;
        # otherwise the most alike of the first candidates, so that a thousand twins stay cheap.
        form = forms(located[1])
        alike = [i for i in same_postings.get((key, _postings(form)), ()) if fits(i)]
        candidates = alike[:1] or [i for i in waiting[key] if fits(i)][:MOST_CANDIDATES]
        if not candidates:
            old_rest.append(located)
            continue
        best = max(candidates, key=lambda i: _likeness(form, forms(new[i][1])))
        taken.add(best)
        pairs.append((located, new[best]))
    new_rest = [located for index, located in enumerate(new) if index not in taken]
    return pairs, old_rest, new_rest


def _postings(form: Canon) -> object:
    """Return the postings part of a transaction's canonical form (None for other entries)."""
    return form[-1] if form[0] == "Transaction" else None


def _likeness(old: Canon, new: Canon) -> int:
    """Return how many fields (and postings) two entries' canonical forms share."""
    same = sum(1 for x, y in zip(old, new, strict=False) if x == y)
    for x, y in zip(old, new, strict=False):
        if isinstance(x, frozenset) and isinstance(y, frozenset) and x != y:
            same += len(x & y)  # postings (or tags) in common
    return same


def differences(change: EntryChange) -> list[str]:
    """Return what differs between the two sides of a changed entry, in words."""
    old, new = change.old, change.new
    if old is None or new is None:
        return []
    found: list[str] = []
    for field, before, after in zip(old._fields, old, new, strict=True):
        if field in {"meta", "postings"}:
            continue
        if field == "flag" and before != after:
            found.append(f"flag: {before} -> {after}")
        elif _canon_value(before) != _canon_value(after):
            found.append(f"{field}: {_shown(before)} -> {_shown(after)}")
    found.extend(_meta_differences(old.meta or {}, new.meta or {}))
    if isinstance(old, data.Transaction) and isinstance(new, data.Transaction):
        found.extend(_posting_differences(old.postings, new.postings))
    return found


def _meta_differences(before: Meta, after: Meta) -> list[str]:
    found: list[str] = []
    for key in sorted(set(before) | set(after)):
        if key in PLACE_META or key.startswith("__"):
            continue
        was, now = before.get(key), after.get(key)
        if key not in after:
            found.append(f"metadata {key} removed (was {_shown(was)})")
        elif key not in before:
            found.append(f"metadata {key} added: {_shown(now)}")
        elif _canon_value(was) != _canon_value(now):
            found.append(f"metadata {key}: {_shown(was)} -> {_shown(now)}")
    return found


def _posting_differences(before: list[data.Posting], after: list[data.Posting]) -> list[str]:
    old = {_canon_value(p): p for p in before}
    new = {_canon_value(p): p for p in after}
    found = [f"posting removed: {_posting_text(p)}" for k, p in old.items() if k not in new]
    found += [f"posting added: {_posting_text(p)}" for k, p in new.items() if k not in old]
    return found


def _posting_text(posting: data.Posting) -> str:
    words = [posting.flag or "", posting.account]
    if isinstance(posting.units, Amount):
        words.append(posting.units.to_string())
    if posting.cost is not None:
        try:
            words.append(f"{{{cost_text(posting.cost)}}}")
        except TypeError:  # a total or merged cost, which beanfirm never writes
            words.append(str(posting.cost))
    if posting.price is not None:
        words.append(f"@ {posting.price.to_string()}")
    return " ".join(word for word in words if word)


def _shown(value: object) -> str:
    if value is None:
        return "none"
    if isinstance(value, (set, frozenset)):
        return "{" + ", ".join(sorted(str(v) for v in value)) + "}" if value else "none"
    if isinstance(value, str):
        return f'"{value}"'
    return str(value)


def entry_text(entry: Directive) -> str:
    """Return an entry as Beancount text (Beancount's printer, its own layout)."""
    return printer.format_entry(entry).rstrip("\n")


# Balance impact.


def totals(entries: Iterable[Directive]) -> tuple[dict[tuple[str, str], Decimal], list[str]]:
    """Return each (account, currency)'s total of the postings, and what could not be counted.

    Postings whose amount is left out are filled in as Beancount's booking does; a posting
    that reduces a lot held elsewhere cannot be, without the rest of the ledger, and is named.
    """
    sums: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    incomplete: Entries = []
    for entry in entries:
        if isinstance(entry, data.Transaction):
            if all(_written_number(p) for p in entry.postings):
                for posting in entry.postings:
                    number, currency = amount_of(posting)
                    sums[(posting.account, currency)] += number
            else:
                incomplete.append(entry)
    if not incomplete:
        return dict(sums), []
    booked, errors = _book(incomplete, options.OPTIONS_DEFAULTS)
    failed = {id(error.entry) for error in errors if error.entry is not None}
    unknown: list[str] = []
    for entry in booked:
        assert isinstance(entry, data.Transaction)  # noqa: S101 - only transactions were booked
        if id(entry) in failed or not entry.postings:
            unknown.append(place(entry))
            continue
        for posting in entry.postings:
            units = posting.units
            if isinstance(units, Amount) and isinstance(units.number, Decimal):
                sums[(posting.account, units.currency)] += units.number
    return dict(sums), unknown


def _written_number(posting: data.Posting) -> bool:
    """Return whether a posting's units are written out in full (booking has nothing to do)."""
    units = posting.units
    return (
        isinstance(units, Amount)
        and isinstance(units.number, Decimal)
        and (posting.cost is None or isinstance(posting.cost, Cost))
    )


def place(entry: Directive) -> str:
    """Return where an entry was written: `file:line`."""
    meta = entry.meta or {}
    return f"{meta.get('filename', '?')}:{meta.get('lineno', '?')}"


def impact_between(
    before: Iterable[Directive], after: Iterable[Directive]
) -> tuple[tuple[AccountImpact, ...], list[str]]:
    """Return the accounts whose totals differ between two sets of entries.

    Also returns the places of the entries that could not be counted (see `totals`).
    """
    was, unknown_before = totals(before)
    now, unknown_after = totals(after)
    impacts = [
        AccountImpact(account, currency, was.get(key, Decimal(0)), now.get(key, Decimal(0)))
        for key in sorted(set(was) | set(now))
        for account, currency in (key,)
        if was.get(key, Decimal(0)) != now.get(key, Decimal(0))
    ]
    return tuple(impacts), unknown_before + unknown_after
