"""The entry-level three-way merge of a ledger file, for git's merge driver `beanfirm`.

Git merges text line by line, so two preparers who import into the same month file conflict
wherever their new entries land side by side. Here each of the three versions (base, ours,
theirs) is parsed into entries, and each entry is followed, not its lines:

- an entry is known by its `import-id` when it has one, else by its content (its fields and
  metadata, not its layout), numbered when the same content occurs more than once;
- an entry edited in place without an import-id (same kind, where the other was) is paired
  with the entry it replaced, so that an edit is a change, not a removal and an addition;
- added on either side: kept, once (the same import-id or content added on both is one entry);
  removed on one side and untouched on the other: removed; changed on one side: the change;
  changed the same way on both: once; changed differently on both sides (or changed on one
  and removed on the other): a conflict, with git's markers around just that entry.

The result keeps our file as it is, our side's changes and theirs applied entry by entry, and
places the entries only they added after the last entry dated on or before them
(`beanfirm.core.monthfiles`), so the merged file stays in the journal's date order and layout.
Comments travel with the entry they follow. A version that does not parse, or a file with
directives whose meaning depends on their place (`option`, `include`, `pushtag`...), is not
merged here: `merge` returns None and the driver falls back to git's text merge.
"""

from __future__ import annotations

import datetime
import difflib
import re
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from beancount.core import data
from beancount.core.amount import Amount
from beancount.parser import parser

from beanfirm.core.monthfiles import NewEntry, merge_entries

if TYPE_CHECKING:
    from collections.abc import Sequence

    from beanfirm.core.beans import Directive

IMPORT_ID = "import-id"
PLACE_BOUND = re.compile(
    r"^(option|plugin|include|pushtag|poptag|pushmeta|popmeta)\b", re.MULTILINE
)
COMMENT = re.compile(r"^\s*[;#*]")
HIDDEN_META = ("filename", "lineno")
MARKER = 7  # git's conflict marker size


@dataclass(frozen=True)
class Entry:
    """One entry of a version: its identity, its content, its text and the parsed directive."""

    key: tuple[str, ...]
    content: str
    text: str
    directive: Directive


@dataclass(frozen=True)
class Version:
    """A parsed version of the file: what comes before the first entry, then the entries."""

    preamble: str
    entries: tuple[Entry, ...]


@dataclass(frozen=True)
class Conflict:
    """An entry changed differently on both sides; `ours`/`theirs` None where removed."""

    base: Entry
    ours: Entry | None
    theirs: Entry | None

    def describe(self) -> str:
        """Return one paragraph naming the entry and how each side changed it."""
        return (
            f"{entry_name(self.base.directive)} was changed on both sides: ours "
            f"{_how(self.base, self.ours)}; theirs {_how(self.base, self.theirs)}."
        )


@dataclass(frozen=True)
class Clash:
    """The same import-id added on both sides with different content."""

    ours: Entry
    theirs: Entry

    def describe(self) -> str:
        """Return one paragraph naming the row and how the two sides booked it."""
        return (
            f"{entry_name(self.ours.directive)} was added on both sides, booked differently: "
            f"theirs {_how(self.ours, self.theirs)}."
        )


@dataclass(frozen=True)
class Merged:
    """The merged text, and the conflicts left in it (marked), if any."""

    text: str
    conflicts: tuple[Conflict | Clash, ...]


def parse_version(text: str) -> Version | None:
    """Split a file into its preamble and entries; None when it cannot be merged by entries."""
    if PLACE_BOUND.search(text):
        return None
    directives, errors, _options = parser.parse_string(text)
    if errors:
        return None
    lines = text.splitlines(keepends=True)
    directives = sorted(directives, key=lambda d: int(d.meta["lineno"]))  # in file order
    starts = [int(d.meta["lineno"]) - 1 for d in directives]
    if len(set(starts)) != len(starts):
        return None
    firsts = [_with_comments(lines, start) for start in starts]
    entries: list[Entry] = []
    seen: Counter[str] = Counter()
    ids: set[tuple[str, ...]] = set()
    for index, directive in enumerate(directives):
        end = firsts[index + 1] if index + 1 < len(firsts) else len(lines)
        block = "".join(lines[firsts[index] : end]).rstrip("\n") + "\n"
        content = canonical(directive)
        import_id = directive.meta.get(IMPORT_ID)
        if isinstance(import_id, str):
            key: tuple[str, ...] = ("id", import_id)
            if key in ids:
                return None  # one import-id twice: not ours to say which is which
            ids.add(key)
        else:
            key = ("content", content, str(seen[content]))
            seen[content] += 1
        entries.append(Entry(key, content, block, directive))
    preamble = "".join(lines[: firsts[0]]) if firsts else text
    return Version(preamble, tuple(entries))


def _with_comments(lines: list[str], start: int) -> int:
    """Return where an entry's block starts: its first line, or the comment lines just above."""
    while start > 0 and lines[start - 1].strip() and COMMENT.match(lines[start - 1]):
        start -= 1
    return start


def canonical(value: object) -> str:
    """Return an entry's content as text that ignores layout and where it was parsed."""
    if isinstance(value, dict):
        items = sorted(
            (k, canonical(v))
            for k, v in value.items()
            if k not in HIDDEN_META and not str(k).startswith("__")
        )
        return "{" + ", ".join(f"{k}: {v}" for k, v in items) + "}"
    if isinstance(value, tuple) and hasattr(value, "_fields"):
        fields = ", ".join(f"{f}={canonical(getattr(value, f))}" for f in value._fields)
        return f"{type(value).__name__}({fields})"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(canonical(v) for v in value) + "]"
    if isinstance(value, (set, frozenset)):
        return "{" + ", ".join(sorted(canonical(v) for v in value)) + "}"
    if isinstance(value, Decimal):
        return str(value)
    return repr(value)


@dataclass(frozen=True)
class Side:
    """What one side did to the base: each base entry's fate, and what it added."""

    fate: dict[tuple[str, ...], Entry | None]  # base key -> the entry now, None when removed
    added: tuple[Entry, ...]


def compare(base: Version, side: Version) -> Side:
    """Follow each base entry into `side` (see the module docstring)."""
    by_key = {entry.key: entry for entry in side.entries}
    fate: dict[tuple[str, ...], Entry | None] = {}
    for entry in base.entries:
        fate[entry.key] = by_key.get(entry.key)
    base_keys = [entry.key for entry in base.entries]
    side_keys = [entry.key for entry in side.entries]
    known = set(base_keys)
    paired: set[tuple[str, ...]] = set()
    matcher = difflib.SequenceMatcher(None, base_keys, side_keys, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag != "replace":
            continue
        gone = [e for e in base.entries[i1:i2] if fate[e.key] is None and e.key[0] == "content"]
        new = [e for e in side.entries[j1:j2] if e.key not in known and e.key[0] == "content"]
        for old, now in zip(gone, new, strict=False):
            if type(old.directive) is type(now.directive):
                fate[old.key] = now
                paired.add(now.key)
    added = tuple(e for e in side.entries if e.key not in known and e.key not in paired)
    return Side(fate, added)


@dataclass
class _Outcome:
    """What the merge does to our file, gathered entry by entry."""

    replace: dict[tuple[str, ...], str] = field(default_factory=dict)  # our key -> new text
    dropped: set[tuple[str, ...]] = field(default_factory=set)  # our entries that go
    placed: list[NewEntry] = field(default_factory=list)  # go where their date falls
    conflicts: list[Conflict | Clash] = field(default_factory=list)


def merge(base_text: str, ours_text: str, theirs_text: str) -> Merged | None:
    """Merge three versions of a ledger file by entries; None when one cannot be parsed."""
    if theirs_text in {ours_text, base_text}:
        return Merged(ours_text, ())
    if ours_text == base_text:
        return Merged(theirs_text, ())
    base, ours, theirs = (parse_version(text) for text in (base_text, ours_text, theirs_text))
    if base is None or ours is None or theirs is None:
        return None
    our_side, their_side = compare(base, ours), compare(base, theirs)
    outcome = _Outcome()
    for entry in base.entries:
        _resolve(entry, our_side.fate[entry.key], their_side.fate[entry.key], outcome)
    _take_additions(ours, their_side, outcome)
    text = _rebuilt(ours, theirs, base, outcome)
    if outcome.placed:
        text = merge_entries(text, datetime.date.min, outcome.placed)
    return Merged(text, tuple(outcome.conflicts))


def _resolve(entry: Entry, ours: Entry | None, theirs: Entry | None, outcome: _Outcome) -> None:
    """Decide what becomes of one base entry that each side kept, changed or removed."""
    if _same(theirs, entry) or _same(theirs, ours) or (ours is None and theirs is None):
        return  # theirs left it alone, or did what we did: ours stands
    if ours is not None and _same(ours, entry):
        if theirs is None:
            outcome.dropped.add(ours.key)
        else:
            outcome.replace[ours.key] = theirs.text
        return
    if ours is not None and theirs is not None and ours.content == theirs.content:
        return  # the same change, written differently: ours
    outcome.conflicts.append(Conflict(entry, ours, theirs))
    if ours is not None:
        outcome.replace[ours.key] = _markers(ours.text, _text(theirs))
    else:  # we removed it: the conflict goes where their version falls by date
        text = _markers("", _text(theirs))
        outcome.placed.append(NewEntry(entry.directive.date, is_balance=False, text=text))


def _take_additions(ours: Version, their_side: Side, outcome: _Outcome) -> None:
    """Add the entries only they added; the same import-id booked two ways is a conflict."""
    ours_by_key = {entry.key: entry for entry in ours.entries}
    ours_contents = Counter(entry.content for entry in ours.entries)
    for entry in their_side.added:
        mine = ours_by_key.get(entry.key)
        if mine is not None:
            if mine.content != entry.content:
                outcome.conflicts.append(Clash(mine, entry))
                outcome.replace[mine.key] = _markers(mine.text, entry.text)
            continue
        if entry.key[0] == "content" and ours_contents[entry.content] > int(entry.key[2]):
            continue  # we added the same entry as often
        outcome.placed.append(_placed(entry))


def _same(now: Entry | None, other: Entry | None) -> bool:
    if now is None or other is None:
        return False
    return now.content == other.content and now.text == other.text


def _text(entry: Entry | None) -> str:
    return "" if entry is None else entry.text


def _markers(ours: str, theirs: str) -> str:
    return f"{'<' * MARKER} ours\n{ours}{'=' * MARKER}\n{theirs}{'>' * MARKER} theirs\n"


def _placed(entry: Entry) -> NewEntry:
    return NewEntry(entry.directive.date, isinstance(entry.directive, data.Balance), entry.text)


def _rebuilt(ours: Version, theirs: Version, base: Version, outcome: _Outcome) -> str:
    """Return our file with their changes and the conflicts in place of our entries."""
    kept = [entry for entry in ours.entries if entry.key not in outcome.dropped]
    body = "\n".join(outcome.replace.get(entry.key, entry.text) for entry in kept)
    preamble = theirs.preamble if ours.preamble == base.preamble else ours.preamble
    if preamble and not preamble.endswith("\n"):
        preamble += "\n"
    return preamble + body


def entry_name(directive: Directive) -> str:
    """Name an entry as an accountant would: date, kind or payee, amount, import-id."""
    words = [directive.date.isoformat()]
    if isinstance(directive, data.Transaction):
        who = directive.payee or directive.narration or ""
        if who:
            words.append(f'"{who}"')
        amount = _first_amount(directive)
        if amount:
            words.append(amount)
    elif isinstance(directive, data.Balance):
        words.append(f"balance of {directive.account} {directive.amount}")
    else:
        words.append(type(directive).__name__.lower())
        account = getattr(directive, "account", None)
        if isinstance(account, str):
            words.append(account)
    import_id = directive.meta.get(IMPORT_ID)
    if isinstance(import_id, str):
        words.append(f"(import-id {import_id})")
    return "the entry " + " ".join(words)


def _first_amount(txn: data.Transaction) -> str:
    for posting in txn.postings:
        if isinstance(posting.units, Amount) and posting.units.number is not None:
            return f"{abs(posting.units.number)} {posting.units.currency}"
    return ""


def _how(before: Entry, after: Entry | None) -> str:
    """Say how an entry changed, field by field, in a few words."""
    if after is None:
        return "removed it"
    old, new = before.directive, after.directive
    said: list[str] = []
    for name in old._fields:
        if name == "meta":
            said += _meta_changes(old.meta, new.meta)
            continue
        was, now = getattr(old, name), getattr(new, name, None)
        if name == "postings":
            said += _posting_changes(was, now)
        elif canonical(was) != canonical(now):
            said.append(f"set the {name} from {_shown(was)} to {_shown(now)}")
    return ", ".join(said) if said else "rewrote its text"


def _meta_changes(old: dict[str, object], new: dict[str, object]) -> list[str]:
    said = []
    for key in sorted(set(old) | set(new)):
        if key in HIDDEN_META or key.startswith("__"):
            continue
        if canonical(old.get(key)) != canonical(new.get(key)):
            said.append(f"set {key} from {_shown(old.get(key))} to {_shown(new.get(key))}")
    return said


def _posting_changes(
    old: Sequence[data.Posting] | None, new: Sequence[data.Posting] | None
) -> list[str]:
    was = {f"{p.account} {_shown(p.units)}" for p in old or ()}
    now = {f"{p.account} {_shown(p.units)}" for p in new or ()}
    said = [f"removed the posting {p}" for p in sorted(was - now)]
    said += [f"added the posting {p}" for p in sorted(now - was)]
    return said


def _shown(value: object) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, Amount):
        return str(value) if value.number is not None else "(inferred)"
    if isinstance(value, (set, frozenset)):
        return "{" + ", ".join(sorted(map(str, value))) + "}" if value else "none"
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, str):
        return f'"{value}"'
    return str(value)
