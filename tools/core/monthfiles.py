"""Merging new entries into a client's month files, so that a diff shows only what was added.

A month file (`journal/YYYY/MM.beancount`) is a header comment and entries in date order,
separated by blank lines. A new entry goes right after the last entry dated on or before it
(a balance assertion: before it, as Beancount checks it at the start of its day), with one
blank line before it, so `git diff` shows the new entry's lines and one blank line, all added,
and not one existing line changed. A new month file starts with the usual header.

Edits to existing entries (the id a matched entry absorbs, a transfer completed by its other
side) are line edits at the lines the parser reported, made before new entries are placed.
"""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from dataclasses import dataclass

DATED = re.compile(r"^(\d{4})-(\d{2})-(\d{2})\s")
META_LINE = re.compile(r"^\s+[a-z][A-Za-z0-9_-]*:(\s|$)")
HEADER_FLAG = re.compile(r"^(\d{4}-\d{2}-\d{2}\s+)(\S+)")


def month_header(month: datetime.date) -> str:
    """Return the first line of a new month file."""
    return f"; {month:%Y-%m}: entries of this month, in date order.\n"


@dataclass(frozen=True)
class NewEntry:
    """An entry to place: its date, whether it is a balance assertion, and its text."""

    date: datetime.date
    is_balance: bool
    text: str


@dataclass(frozen=True)
class AddMeta:
    """Add a metadata line to the transaction whose first line is `line`."""

    line: int
    key: str
    value: str


@dataclass(frozen=True)
class ReplaceLine:
    """Replace one line (a posting) with new text."""

    line: int
    text: str


@dataclass(frozen=True)
class SetFlag:
    """Set the flag of the transaction whose first line is `line`."""

    line: int
    flag: str


@dataclass(frozen=True)
class Relocate:
    """Move the transaction whose first line is `line` to a new date, in its month file."""

    line: int
    date: datetime.date


Edit = AddMeta | ReplaceLine | SetFlag | Relocate


class EditError(ValueError):
    """An edit does not fit the file (it changed since it was read)."""


def apply_edits(text: str, edits: list[Edit]) -> tuple[str, list[NewEntry]]:
    """Apply line edits (line numbers as in `text`); raise EditError if one does not fit.

    Returns the new text and the entries taken out of it to be placed at a new date
    (`Relocate`), with the other edits of those entries made.
    """
    lines = text.splitlines(keepends=True)
    lines = [line if line.endswith("\n") else line + "\n" for line in lines]
    inserts: dict[int, list[str]] = defaultdict(list)
    moves: list[Relocate] = []
    for edit in edits:
        index = edit.line - 1
        if not 0 <= index < len(lines):
            raise EditError(f"line {edit.line} is past the end of the file")
        if isinstance(edit, ReplaceLine):
            lines[index] = edit.text.rstrip("\n") + "\n"
            continue
        header = HEADER_FLAG.match(lines[index])
        if header is None:
            raise EditError(f"line {edit.line} is not the first line of a transaction")
        if isinstance(edit, SetFlag):
            lines[index] = header.group(1) + edit.flag + lines[index][header.end() :]
        elif isinstance(edit, Relocate):
            moves.append(edit)
        else:
            after = index
            while after + 1 < len(lines) and META_LINE.match(lines[after + 1]):
                after += 1
            inserts[after].append(f"  {edit.key}: {edit.value}\n")
    removed: set[int] = set()
    moved = [_take_out(lines, inserts, move, removed) for move in moves]
    out: list[str] = []
    for index, line in enumerate(lines):
        if index not in removed:
            out.append(line)
            out += inserts.get(index, [])
    return "".join(out), moved


def _take_out(
    lines: list[str], inserts: dict[int, list[str]], move: Relocate, removed: set[int]
) -> NewEntry:
    """Take an entry (and one blank line beside it) out of the lines, at its new date."""
    start = move.line - 1
    end = start
    while end < len(lines) and lines[end].strip():
        end += 1
    block = [part for i in range(start, end) for part in (lines[i], *inserts.get(i, []))]
    block[0] = move.date.isoformat() + block[0][len("YYYY-MM-DD") :]
    removed.update(range(start, end))
    if end < len(lines) and not lines[end].strip():
        removed.add(end)
    elif start > 0 and not lines[start - 1].strip():
        removed.add(start - 1)
    return NewEntry(move.date, is_balance=False, text="".join(block))


def _blocks(lines: list[str]) -> list[tuple[int, int, datetime.date | None]]:
    """Return each run of non-blank lines as (start, end, date of its first dated line)."""
    blocks: list[tuple[int, int, datetime.date | None]] = []
    start: int | None = None
    for index, line in enumerate([*lines, "\n"]):
        if line.strip():
            if start is None:
                start = index
            continue
        if start is not None:
            blocks.append((start, index, _block_date(lines[start:index])))
            start = None
    return blocks


def _block_date(lines: list[str]) -> datetime.date | None:
    for line in lines:
        found = DATED.match(line)
        if found:
            try:
                return datetime.date(int(found[1]), int(found[2]), int(found[3]))
            except ValueError:
                return None
    return None


def merge_entries(text: str | None, month: datetime.date, entries: list[NewEntry]) -> str:
    """Return a month file's text with new entries placed in date order (module docstring)."""
    if text is None:
        body = "\n".join(entry.text for entry in entries)
        return month_header(month) + ("\n" + body if body else "")
    if text and not text.endswith("\n"):
        text += "\n"
    lines = text.splitlines(keepends=True)
    blocks = _blocks(lines)
    dated = [(start, end, date) for start, end, date in blocks if date is not None]
    after: dict[int, list[str]] = defaultdict(list)
    before: dict[int, list[str]] = defaultdict(list)
    for entry in entries:
        earlier = [
            end
            for _, end, date in dated
            if date < entry.date or (date == entry.date and not entry.is_balance)
        ]
        if earlier:
            after[max(earlier)].append(entry.text)
        elif dated:
            first = min(start for start, _, _ in dated if start >= 0)
            before[first].append(entry.text)
        else:
            after[len(lines)].append(entry.text)
    out: list[str] = []
    for index in range(len(lines) + 1):
        for chunk in before.get(index, []):
            out += [chunk, "\n"]
        for chunk in after.get(index, []):
            out += ["\n", chunk]
        if index < len(lines):
            out.append(lines[index])
    return "".join(out)
