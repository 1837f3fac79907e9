"""Categorizing what a ledger still holds on Uncategorized: rules, suggestions, choices, one commit.

`survey` reads a client's ledger and tells which entries waiting on an Uncategorized account
the client's rules, the firm's and history's suggestions book, which are left for a person,
and which lie in a locked period (left as they are: a lock seals them). `run_categorize` does
the same under the client's lock and writes the bookings, with the choices a person made
(`Choices`, from the interactive mode), through the write path: the month files change only
in the lines of the entries booked (the uncategorized posting, the flag, the metadata that
says what booked it, and the header when a rule rewrites the payee or narration), the client's
rules file gains the rules the person made, and everything is one commit, checked with the
client's plugins.
"""

from __future__ import annotations

import datetime
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from beancount.core import data

from beanfirm.core import paths
from beanfirm.core.beans import Directive
from beanfirm.core.bulk import collector_paused
from beanfirm.core.journal import aligned, quote
from beanfirm.core.monthfiles import (
    META_LINE,
    AddMeta,
    Edit,
    EditError,
    ReplaceLine,
    SetFlag,
    apply_edits,
)
from beanfirm.errors import ConfigError, UsageError, relative_to
from beanfirm.ingest.ledgerindex import with_amounts
from beanfirm.jobs.clientcheck import write_client
from beanfirm.review.locks import locked_through
from beanfirm.rules.categorize import RuleSet, load_ruleset
from beanfirm.rules.history import learn_history
from beanfirm.rules.waiting import (
    Booking,
    Left,
    Waiting,
    categorize_waiting,
    chart_accounts,
    waiting_entries,
)
from beanfirm.store.ledger import parse_ledger
from beanfirm.store.writes import Planned, Stopped, Written

if TYPE_CHECKING:
    from beanfirm.store.gitrepo import Author, PracticeRepo
    from beanfirm.store.practice import Practice
    from beanfirm.store.registry import Client

POSTING_LINE = re.compile(r"^(\s+)([!*]\s+)?(\S+)(?:\s+(\S+)(?:\s+(.*?))?)?\s*$")
META_KEY = re.compile(r"^\s+([a-z][A-Za-z0-9_-]*):")
RULES_PAGE = "docs/categorize.md"


@dataclass(frozen=True)
class Survey:
    """What categorizing a client finds: entries booked, left for a person, and locked."""

    client_id: str
    root: Path
    booked: tuple[Booking, ...]
    left: tuple[Left, ...]
    locked: tuple[Waiting, ...]
    locked_through: datetime.date | None
    chart: tuple[str, ...]
    ruleset: RuleSet

    def where(self, item: Waiting) -> str:
        """Return an entry's `file:line`, relative to the practice."""
        return f"{relative_to(item.filename, self.root)}:{item.line}"  # cached per file


@dataclass(frozen=True)
class Choices:
    """What a person decided in the interactive mode: bookings, and the rules file they made."""

    bookings: tuple[Booking, ...] = ()
    rules_before: str | None = None  # the client's rules file as the session read it
    rules_after: str | None = None  # with the rules made; None when none was made
    rules_made: int = 0


def survey(practice: Practice, client: Client, *, since: datetime.date | None = None) -> Survey:
    """Read the ledger and categorize what waits (nothing is written; raises ConfigError)."""
    ruleset = load_ruleset(practice.root, client.id)
    with collector_paused():
        ledger = parse_ledger(practice.main_file(client.id))
    return _survey(practice.root, client, ruleset, ledger.entries, since)


def rules_text(practice: Practice, client: Client) -> str | None:
    """Return the client's rules file as it is on disk (None when there is none)."""
    path = practice.root / paths.rules_file(client.id)
    return path.read_text(encoding="utf-8") if path.is_file() else None


def run_categorize(
    practice: Practice,
    repo: PracticeRepo,
    client: Client,
    *,
    author: Author,
    since: datetime.date | None = None,
    choices: Choices | None = None,
    dry_run: bool = False,
) -> Written[Survey] | Stopped[Survey]:
    """Book what the rules, suggestions and a person's choices book, in one commit.

    Stopped when there is nothing to book. A person's booking of an entry that changed since
    the session read it, or a rules file changed meanwhile, stops the write (UsageError).
    """
    ruleset = load_ruleset(practice.root, client.id)  # mistakes stop here, before the lock
    root = practice.root

    def prepare() -> Planned[Survey] | Stopped[Survey]:
        with collector_paused():
            ledger = parse_ledger(practice.main_file(client.id))
        found = _survey(root, client, ruleset, ledger.entries, since)
        bookings = list(found.booked)
        files: dict[str, bytes | None] = {}
        if choices is not None:
            bookings += _still_waiting(found, choices)
            if choices.rules_after is not None:
                if rules_text(practice, client) != choices.rules_before:
                    msg = (
                        f"{paths.rules_file(client.id)} changed while you were categorizing, so "
                        "the rules you made were not added and nothing was written. Run "
                        "`beanfirm categorize -i` again."
                    )
                    raise UsageError(msg)
                files[paths.rules_file(client.id)] = choices.rules_after.encode("utf-8")
        if not bookings and not files:
            return Stopped(found)
        files.update(_month_files(root, client, bookings))
        message = _message(client, bookings, choices)
        return Planned(files, message, found)

    return write_client(practice, repo, client, prepare, author=author, dry_run=dry_run)


def _survey(
    root: Path,
    client: Client,
    ruleset: RuleSet,
    entries: list[Directive],
    since: datetime.date | None,
) -> Survey:
    through = locked_through(entries)
    waiting = waiting_entries(entries, since=since)
    locked = [item for item in waiting if through is not None and item.date <= through]
    open_ = [item for item in waiting if through is None or item.date > through]
    own = [account.account for account in client.accounts]
    history = learn_history(with_amounts(entries), statement_accounts=own)
    ruleset = ruleset.with_history(history)
    booked, left = categorize_waiting(ruleset, open_)
    return Survey(
        client.id,
        root,
        tuple(booked),
        tuple(left),
        tuple(locked),
        through,
        tuple(chart_accounts(entries)),
        ruleset,
    )


def _still_waiting(found: Survey, choices: Choices) -> list[Booking]:
    """Return a person's bookings, each of an entry still waiting as the session read it."""
    waiting = {left.waiting.key: left.waiting for left in found.left}
    waiting.update((booking.waiting.key, booking.waiting) for booking in found.booked)
    taken = {booking.waiting.key for booking in found.booked}
    chosen: list[Booking] = []
    for booking in choices.bookings:
        key = booking.waiting.key
        if key in taken:
            continue  # a rule made meanwhile books it; the rule's booking stands
        if key not in waiting:
            msg = (
                f"{found.where(booking.waiting)} changed or was categorized while you were "
                "deciding, so nothing was written. Run `beanfirm categorize -i` again."
            )
            raise UsageError(msg)
        chosen.append(booking)
    return chosen


def _month_files(root: Path, client: Client, bookings: list[Booking]) -> dict[str, bytes | None]:
    """Return each month file with the lines of its booked entries changed."""
    folder = (root / paths.client_folder(client.id)).resolve()
    by_file: dict[str, list[Booking]] = defaultdict(list)
    for booking in bookings:
        by_file[booking.waiting.filename].append(booking)
    files: dict[str, bytes | None] = {}
    for filename, booked in sorted(by_file.items()):
        path = Path(filename).resolve()
        if folder not in path.parents:
            msg = (
                f"{filename} is outside the client's folder ledgers/{client.id}/, so "
                "beanfirm does not write it; categorize its entries by hand."
            )
            raise ConfigError(msg)
        rel = relative_to(path, root)
        text = path.read_text(encoding="utf-8")
        lines = text.splitlines()
        edits = [edit for booking in booked for edit in _edits(booking, lines, rel)]
        try:
            new_text, _moved = apply_edits(text, edits)
        except EditError as exc:
            msg = f"{rel} changed while it was read ({exc}); run the command again."
            raise UsageError(msg) from exc
        files[rel] = new_text.encode("utf-8")
    return files


def _edits(booking: Booking, lines: list[str], rel: str) -> list[Edit]:
    """Return the line edits that turn the entry as written into the booked one."""
    item, old, new = booking.waiting, booking.waiting.txn, booking.booked
    edits: list[Edit] = []
    if (old.payee, old.narration, old.tags, old.links) != (
        new.payee,
        new.narration,
        new.tags,
        new.links,
    ):
        edits.append(ReplaceLine(item.line, _header(new)))
    elif old.flag != new.flag:
        edits.append(SetFlag(item.line, new.flag or "*"))
    written = _meta_lines(lines, item.line)
    old_meta = old.meta or {}
    for key, value in (new.meta or {}).items():
        if key in ("filename", "lineno") or (key in old_meta and old_meta[key] == value):
            continue
        text = _meta_value(value)
        if key in written:
            edits.append(ReplaceLine(written[key], f"  {key}: {text}"))
        else:
            edits.append(AddMeta(item.line, key, text))
    edits.append(ReplaceLine(item.leg_line, _posting_line(lines, item, new, rel)))
    return edits


def _header(txn: data.Transaction) -> str:
    words = [txn.date.isoformat(), txn.flag or "*"]
    if txn.payee is not None:
        words.append(quote(txn.payee))
    words.append(quote(txn.narration or ""))
    words += [f"#{tag}" for tag in sorted(txn.tags or ())]
    words += [f"^{link}" for link in sorted(txn.links or ())]
    return " ".join(words)


def _meta_lines(lines: list[str], header: int) -> dict[str, int]:
    """Return the line of each metadata key written right under a transaction's first line."""
    found: dict[str, int] = {}
    index = header  # the line after the header, 0-based
    while index < len(lines) and META_LINE.match(lines[index] + "\n"):
        key = META_KEY.match(lines[index])
        if key:
            found[key.group(1)] = index + 1
        index += 1
    return found


def _meta_value(value: object) -> str:
    if isinstance(value, str):
        return quote(value)
    if isinstance(value, Decimal):
        return f"{value:f}"
    return str(value)


def _posting_line(lines: list[str], item: Waiting, new: data.Transaction, rel: str) -> str:
    """Return the uncategorized posting's line with the booked account, aligned as before."""
    index = item.leg_line - 1
    line = lines[index] if 0 <= index < len(lines) else ""
    match = POSTING_LINE.match(line)
    if match is None or match.group(3) != item.account:
        msg = f"{rel}:{item.leg_line} is not the posting on {item.account}; run the command again."
        raise UsageError(msg)
    indent, flag, _account, number, rest = match.groups()
    head = f"{indent}{flag or ''}{new.postings[item.leg].account}"
    if number is None:
        return head
    if rest and re.match(r"^-?[\d.,]+$", number):
        return aligned(head, number, rest)
    return f"{head}  {number}{' ' + rest if rest else ''}"


def _message(client: Client, bookings: list[Booking], choices: Choices | None) -> str:
    counts = Counter(booking.how for booking in bookings)
    rules = Counter(
        str(booking.booked.meta.get("categorized-by"))
        for booking in bookings
        if booking.how == "rule" and booking.booked.meta
    )
    parts = []
    if counts["rule"]:
        each = ", ".join(f"{rule}: {count}" for rule, count in sorted(rules.items()))
        parts.append(f"{counts['rule']} by rules ({each})")
    if counts["suggestion"]:
        parts.append(
            f"{counts['suggestion']} as the client's history suggests (flag ! kept for review)"
        )
    if counts["person"]:
        parts.append(f"{counts['person']} as chosen by hand")
    body = f"Books {'; '.join(parts)}." if parts else "Books nothing."
    if choices is not None and choices.rules_made:
        made = choices.rules_made
        body += f" Adds {made} rule{'s' if made != 1 else ''} to {paths.rules_file(client.id)}."
    total = len(bookings)
    return f"Categorize {total} entr{'ies' if total != 1 else 'y'} of {client.id}\n\n{body}"
