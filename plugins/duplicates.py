"""Probable duplicate transactions: same account, same amount, close dates, similar payee.

Each transaction is compared by the posting a statement would show: its largest posting to a
watched account (by default an asset or liability account: the bank, card, wallet, customer or
vendor side). Two transactions are probable duplicates when those postings have the same
account, amount and currency, their dates are at most `window-days` apart, and their payees are
similar (the narration stands in for a missing payee). The later one is reported, naming the
location of the other, as a `DuplicatesWarning` by default.

They are not duplicates when both carry `import-id` metadata with different values (the bank
numbered them as two), when both carry links and share none (payments of two different
invoices), or when either carries `distinct:` metadata (a person said so, e.g.
`distinct: "two deliveries on the same day"`). Two transactions with the same `import-id` are
the same bank row imported twice: always a `DuplicatesError`.

Why: importing an export twice, or typing an entry that an import also brings in, doubles an
amount; balance assertions catch it only at the end of the period and only on reconciled
accounts.

Configuration (a Python dict literal, every key optional; see docs/plugins/duplicates.md):
`window-days` (3), `accounts` (regexes, default ['Assets:', 'Liabilities:']),
`payee-similarity` (a percentage, 80), `severity` ('warning' or 'error').
"""

from __future__ import annotations

import collections
import datetime
import difflib
import re
from dataclasses import dataclass
from decimal import Decimal

from beancount.core import data

from beanfirm.core.beans import Entries, Options
from beanfirm.plugins.config import ConfigReader, plugin
from beanfirm.plugins.postings import units
from beanfirm.plugins.severity import (
    DuplicatesError,
    DuplicatesWarning,
    Finding,
    location,
    source_of,
)

__plugins__ = ("duplicates",)

MODULE = "beanfirm.plugins.duplicates"
KEYS = ("window-days", "accounts", "payee-similarity", "severity")
IMPORT_ID = "import-id"
DISTINCT = "distinct"
PERCENT = 100
DEFAULT_WINDOW_DAYS = 3
_NOT_WORD = re.compile(r"[\W_]+")
Key = tuple[str, str, Decimal]  # account, currency, amount


@dataclass(frozen=True)
class Settings:
    """The validated configuration."""

    window_days: int
    accounts: tuple[re.Pattern[str], ...]
    similarity: int
    severity: str


def read_settings(config: str | None) -> tuple[Settings, list[str]]:
    """Validate the configuration string; return the settings and every problem."""
    reader = ConfigReader(config, KEYS)
    settings = Settings(
        window_days=reader.integer("window-days", DEFAULT_WINDOW_DAYS, maximum=366),
        accounts=reader.patterns("accounts", ("Assets:", "Liabilities:")),
        similarity=reader.integer("payee-similarity", 80, maximum=PERCENT),
        severity=reader.choice("severity", "warning", ("warning", "error")),
    )
    return settings, reader.problems


@plugin(MODULE, read_settings)
def duplicates(
    entries: Entries, options_map: Options, settings: Settings
) -> tuple[Entries, list[Finding]]:
    """Report probable duplicate transactions (see the module docstring)."""
    watched: dict[str, bool] = {}
    # The transactions within the window for each (account, currency, amount), oldest first,
    # and the keys in the order they were seen, to forget what falls out of the window.
    recent: dict[Key, list[data.Transaction]] = {}
    seen: collections.deque[tuple[datetime.date, Key]] = collections.deque()
    findings: list[Finding] = []
    main_file = options_map.get("filename")
    for entry in entries:
        if not isinstance(entry, data.Transaction):
            continue
        while seen and (entry.date - seen[0][0]).days > settings.window_days:
            _forget(recent, seen.popleft()[1], entry.date, settings.window_days)
        found = _statement_posting(entry, watched, settings)
        if found is None:
            continue
        posting, number, currency = found
        key = (posting.account, currency, number)
        seen.append((entry.date, key))
        earlier = recent.get(key)
        if earlier is None:
            recent[key] = [entry]
            continue
        posted = f"{number} {currency} on {posting.account}"
        for other in earlier:
            finding = _compare(other, entry, posted, settings, main_file)
            if finding is not None:
                findings.append(finding)
                break  # one finding per transaction, naming the first it repeats
        earlier.append(entry)
    return entries, findings


def _statement_posting(
    entry: data.Transaction, watched: dict[str, bool], settings: Settings
) -> tuple[data.Posting, Decimal, str] | None:
    """Return the posting a statement would show (the largest on a watched account)."""
    best: tuple[data.Posting, Decimal, str] | None = None
    best_size = Decimal(-1)
    for posting in entry.postings:
        account = posting.account
        watch = watched.get(account)
        if watch is None:
            watch = watched[account] = any(p.match(account) for p in settings.accounts)
        amount = units(posting) if watch else None
        if amount is None:
            continue
        size = abs(amount[0])
        if best is None or size > best_size or (size == best_size and account < best[0].account):
            best, best_size = (posting, *amount), size
    return best


def _forget(
    recent: dict[Key, list[data.Transaction]],
    key: Key,
    today: datetime.date,
    window_days: int,
) -> None:
    """Drop the transactions of a key that are now outside the window."""
    earlier = recent.get(key)
    while earlier and (today - earlier[0].date).days > window_days:
        earlier.pop(0)
    if earlier == []:
        del recent[key]


def _compare(
    first: data.Transaction,
    second: data.Transaction,
    posted: str,
    settings: Settings,
    main_file: str | None,
) -> Finding | None:
    first_meta, second_meta = first.meta or {}, second.meta or {}
    if DISTINCT in first_meta or DISTINCT in second_meta:
        return None
    if first.links and second.links and not first.links & second.links:
        return None
    first_id, second_id = first_meta.get(IMPORT_ID), second_meta.get(IMPORT_ID)
    where = location(first.meta, main_file)
    days = (second.date - first.date).days
    apart = "on the same day" if days == 0 else f"{days} day{'s' if days > 1 else ''} apart"
    same = f"{posted}, {apart}"
    if first_id is not None and first_id == second_id:
        return DuplicatesError(
            source_of(second.meta),
            f'Duplicate of the transaction at {where}: the same import-id "{first_id}" '
            f"({same}); the same bank row was imported twice, delete this one.",
            second,
        )
    if first_id is not None and second_id is not None:
        return None
    if not _similar(_payee(first), _payee(second), settings.similarity):
        return None
    kind = DuplicatesError if settings.severity == "error" else DuplicatesWarning
    return kind(
        source_of(second.meta),
        f'Probable duplicate of the transaction at {where} ({same}, payee "{_payee(second)}"); '
        f"if it was entered twice delete one, if both are real add "
        f'`distinct: "<why>"` metadata to this one.',
        second,
    )


def _payee(entry: data.Transaction) -> str:
    return str(entry.payee or entry.narration or "")


def _similar(first: str, second: str, threshold: int) -> bool:
    one, two = _NOT_WORD.sub("", first.casefold()), _NOT_WORD.sub("", second.casefold())
    if one == two:
        return True
    if not one or not two:
        return False
    if one in two or two in one:
        return True
    return difflib.SequenceMatcher(None, one, two).ratio() * PERCENT >= threshold
