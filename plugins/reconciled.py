"""Every reconciled account has a passing balance assertion for each closed period, and no pad.

Which accounts: those whose `open` directive carries `reconcile:` metadata, a cadence
(`"weekly"`, `"monthly"`, `"quarterly"`, or a statement cycle such as `"monthly@25"`;
`"none"` exempts an account), and those matching the `accounts` patterns of the configuration.
`beanfirm clients add` and the demo generator write the cadence of clients.yaml onto the `open`
directive of each bank, card and payment account, so the ledger holds everything the plugin needs.

What a balance assertion reconciles: a statement closing on day D is asserted on D + 1, since
Beancount checks a balance at the start of its date, so a passing assertion dated D reconciles
the account through D - 1, whatever the day. It covers the days since the assertion before it
(or since the account began, for the first): the account is *covered* on a day when the first
assertion dated after that day passes. An assertion that fails, or that passes only because a
pad before it fills the difference, leaves its days uncovered, even if later ones pass.

What it checks, for each such account:

1. Each period, from the one of the account's first entry to the last one that ended more than
   `lag-days` ago, is covered through its last day. The periods are those of the cadence
   (`beanfirm.plugins.periods`): ISO weeks, calendar months or quarters, or a card's statement
   cycles (`"monthly@25"`: the 26th to the 25th). An assertion on the first day of the next
   period covers a period, and so does any later one when every assertion from the period's
   start to it passes: an OFX's balance of the 3rd (asserted on the 4th) covers the month
   before. Without a statement day, a card closing on the 25th covers a calendar month only when
   the next statement is asserted: give its cadence as `"monthly@25"`. The missing periods are
   listed in one error on the account's `open` line.
2. No `pad` into the account or below it: a pad invents the entry that makes the next balance
   assertion pass, which hides exactly the differences reconciliation is there to find.

It also reports how far each account is reconciled: for each reconciled account it adds
`YYYY-MM-DD custom "reconciled-through" Account "cadence"` to the entries, dated the last day of
the unbroken run of covered days from the first period (the day before the first period when
nothing is covered yet): the day before the last assertion of that run. Every period that ends
by then is reconciled, and the one holding the next day is the next one due.
`beanfirm.reconcile.status.reconciled_through` reads them back; Fava lists them in the journal
like any custom entry.

Configuration (a Python dict literal, every key optional; see docs/plugins/reconciled.md):
`lag-days` (15), `today` ('YYYY-MM-DD', default the current date), `since` ('YYYY-MM-DD':
periods that end before it are not required), `accounts` (`{REGEX: CADENCE}`).
"""

from __future__ import annotations

import bisect
import datetime
import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from beancount.core import account as bc_account
from beancount.core import data
from beancount.ops.balance import get_balance_tolerance
from beancount.parser.grammar import ValueType

from beanfirm.core.beans import Entries, Meta, Options
from beanfirm.plugins import periods
from beanfirm.plugins.config import ConfigReader, plugin
from beanfirm.plugins.postings import units
from beanfirm.plugins.severity import Finding, ReconciledError, source_of

__plugins__ = ("reconciled",)

MODULE = "beanfirm.plugins.reconciled"
KEYS = ("lag-days", "today", "since", "accounts")
META_KEY = "reconcile"
EXEMPT = "none"
RECONCILED_THROUGH = "reconciled-through"
DEFAULT_LAG_DAYS = 15
MAX_LISTED = 6
HINT_AFTER = 3  # passing assertions on one day of the month that suggest a statement cycle
ZERO = Decimal(0)
ONE_DAY = datetime.timedelta(days=1)
# The type Beancount's parser gives an account value of a custom directive: a string, where
# `ValueType.dtype` is typed `type`.
ACCOUNT_TYPE: Any = bc_account.TYPE


@dataclass(frozen=True)
class Settings:
    """The validated configuration."""

    lag_days: int
    today: datetime.date
    since: datetime.date | None
    accounts: tuple[tuple[re.Pattern[str], str], ...]


@dataclass
class _Account:
    """What the plugin learns about one reconciled account in its pass over the entries."""

    open: data.Open
    cadence: str
    close: datetime.date | None = None
    first_entry: datetime.date | None = None
    # The date of each balance assertion on the account: True while every one on it passes.
    asserted: dict[datetime.date, bool] = field(default_factory=dict)
    asserted_at: dict[datetime.date, Meta] = field(default_factory=dict)
    # Assertions that pass only because a pad before them fills the difference.
    padded: set[datetime.date] = field(default_factory=set)
    pad_pending: bool = False


def read_settings(config: str | None) -> tuple[Settings, list[str]]:
    """Validate the configuration string; return the settings and every problem."""
    reader = ConfigReader(config, KEYS)
    settings = Settings(
        lag_days=reader.integer("lag-days", DEFAULT_LAG_DAYS),
        today=reader.date("today", datetime.date.today()),  # noqa: DTZ011 - the books' local day
        since=reader.optional_date("since"),
        accounts=_account_patterns(reader),
    )
    return settings, reader.problems


def _account_patterns(reader: ConfigReader) -> tuple[tuple[re.Pattern[str], str], ...]:
    raw = reader.raw.get("accounts", {})
    if not isinstance(raw, dict):
        reader.problems.append(
            f"'accounts' must be a dict of account regex to cadence, like "
            f"{{'Assets:Bank:': 'monthly'}}; got {raw!r}"
        )
        return ()
    found = []
    for text, cadence in raw.items():
        if cadence != EXEMPT and not periods.is_cadence(cadence):
            forms = (*periods.CADENCES, *periods.CYCLE_FORMS, EXEMPT)
            reader.problems.append(
                f"'accounts': the cadence of {text!r} must be one of "
                f"{', '.join(repr(c) for c in forms)}; got {cadence!r}"
            )
            continue
        pattern = reader.pattern(str(text), "'accounts'")
        if pattern is not None:
            found.append((pattern, str(cadence)))
    return tuple(found)


@plugin(MODULE, read_settings)
def reconciled(
    entries: Entries, options_map: Options, settings: Settings
) -> tuple[Entries, list[Finding]]:
    """Check reconciliation and report it per account (see the module docstring)."""
    findings: list[Finding] = []
    accounts = _reconciled_accounts(entries, settings, findings)
    if not accounts:
        return entries, findings
    _scan(entries, accounts, options_map, findings)
    through_entries = []
    for name, state in accounts.items():
        through, finding = _periods(name, state, settings)
        if finding is not None:
            findings.append(finding)
        through_entries.append(_through_entry(name, state, through))
    return [*entries, *through_entries], findings


def _reconciled_accounts(
    entries: Entries, settings: Settings, findings: list[Finding]
) -> dict[str, _Account]:
    accounts: dict[str, _Account] = {}
    closes: dict[str, datetime.date] = {}
    for entry in entries:
        if isinstance(entry, data.Close):
            closes[entry.account] = entry.date
        if not isinstance(entry, data.Open):
            continue
        cadence = next((c for p, c in settings.accounts if p.match(entry.account)), None)
        marked = (entry.meta or {}).get(META_KEY)
        if marked is not None:
            if marked != EXEMPT and not periods.is_cadence(marked):
                findings.append(
                    ReconciledError(
                        source_of(entry.meta),
                        f"{META_KEY}: {marked!r} on {entry.account} is not a cadence; write "
                        f'{META_KEY}: "monthly" (or "weekly", "quarterly", "monthly@25" for '
                        'statements that close on the 25th, or "none" for an account that is '
                        "not reconciled).",
                        entry,
                    )
                )
                continue
            cadence = str(marked)
        if cadence is not None and cadence != EXEMPT:
            accounts[entry.account] = _Account(entry, cadence)
    for name, closed in closes.items():
        if name in accounts:
            accounts[name].close = closed
    return accounts


def _scan(
    entries: Entries,
    accounts: dict[str, _Account],
    options_map: Options,
    findings: list[Finding],
) -> None:
    """Run the balances of reconciled accounts; record assertions, first entries and pads."""
    targets: dict[str, tuple[str, ...]] = {}

    def reconciled_above(name: str) -> tuple[str, ...]:
        found = targets.get(name)
        if found is None:
            found = targets[name] = tuple(a for a in bc_account.parents(name) if a in accounts)
        return found

    balances: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for entry in entries:
        if isinstance(entry, data.Transaction):
            for posting in entry.postings:
                above = reconciled_above(posting.account)
                amount = units(posting) if above else None
                if amount is None:
                    continue
                for name in above:
                    balances[name, amount[1]] += amount[0]
                    state = accounts[name]
                    if state.first_entry is None:
                        state.first_entry = entry.date
        elif isinstance(entry, data.Balance) and entry.account in accounts:
            state = accounts[entry.account]
            key = (entry.account, str(entry.amount.currency))
            expected = entry.amount.number or ZERO
            tolerance = get_balance_tolerance(entry, options_map)  # type: ignore[no-untyped-call]
            passes = abs(balances[key] - expected) <= tolerance
            if state.pad_pending:
                # Beancount's pad makes this assertion pass; the period is still not reconciled.
                state.pad_pending, passes = False, False
                state.padded.add(entry.date)
                balances[key] = expected
            state.asserted[entry.date] = state.asserted.get(entry.date, True) and passes
            state.asserted_at.setdefault(entry.date, source_of(entry.meta))
            if state.first_entry is None:
                state.first_entry = entry.date
        elif isinstance(entry, data.Pad):
            findings.extend(
                _pad(entry, name, accounts[name].cadence)
                for name in reconciled_above(entry.account)
            )
            if entry.account in accounts:
                accounts[entry.account].pad_pending = True


def _pad(entry: data.Pad, name: str, cadence: str) -> Finding:
    into = entry.account if entry.account == name else f"{entry.account} (under {name})"
    return ReconciledError(
        source_of(entry.meta),
        f"pad into {into}, which is reconciled {cadence}: a pad invents whatever entry makes "
        "the next balance assertion pass, and so hides the differences reconciliation is there "
        "to find; delete the pad and book the missing entries from the statement.",
        entry,
    )


@dataclass(frozen=True)
class _Coverage:
    """An account's balance assertions in date order, and whether each passes."""

    dates: list[datetime.date]
    passes: list[bool]

    @classmethod
    def of(cls, state: _Account) -> _Coverage:
        dates = sorted(state.asserted)
        return cls(dates, [state.asserted[day] for day in dates])

    def closing(self, start: datetime.date, end: datetime.date) -> slice:
        """Return the assertions that cover a period: from its start to the first after it."""
        return slice(
            bisect.bisect_right(self.dates, start), bisect.bisect_right(self.dates, end) + 1
        )

    def covers(self, start: datetime.date, end: datetime.date) -> bool:
        """Say whether every day from `start` to `end` is covered (see the module docstring)."""
        closing = self.closing(start, end)
        return closing.stop <= len(self.dates) and all(self.passes[closing])

    def through(self, start: datetime.date) -> datetime.date:
        """Return the last day of the unbroken run of covered days from `start`."""
        through = start - ONE_DAY
        for day, passes in zip(self.dates, self.passes, strict=True):
            if day <= start:
                continue
            if not passes:
                break
            through = day - ONE_DAY
        return through


def _periods(
    name: str, state: _Account, settings: Settings
) -> tuple[datetime.date, Finding | None]:
    """Return the reconciled-through date of an account and its missing periods, if any."""
    cadence = state.cadence
    first = state.first_entry or state.open.date
    start = periods.period_start(first, cadence)
    if settings.since is not None:
        while periods.next_start(start, cadence) <= settings.since:
            start = periods.next_start(start, cadence)
    coverage = _Coverage.of(state)
    through = coverage.through(start)
    missing: list[tuple[datetime.date, datetime.date]] = []
    while True:
        after = periods.next_start(start, cadence)
        end = after - ONE_DAY
        if end >= settings.today or (state.close is not None and end >= state.close):
            break
        if not coverage.covers(start, end) and (settings.today - end).days > settings.lag_days:
            missing.append((start, after))
        start = after
    if state.first_entry is None or not missing:
        return through, None
    return through, _missing(name, state, coverage, missing)


def _missing(
    name: str,
    state: _Account,
    coverage: _Coverage,
    missing: list[tuple[datetime.date, datetime.date]],
) -> Finding:
    cadence = state.cadence
    shown = missing if len(missing) <= MAX_LISTED else [*missing[:3], *missing[-2:]]
    gap = ", …" if len(missing) > MAX_LISTED else ""
    labels = ", ".join(periods.label(start, cadence) for start, _ in shown[:3])
    dates = ", ".join(str(after) for _, after in shown[:3])
    if len(shown) > 3:  # noqa: PLR2004
        labels += gap + ", " + ", ".join(periods.label(s, cadence) for s, _ in shown[3:])
        dates += gap + ", " + ", ".join(str(after) for _, after in shown[3:])
    closing = dict.fromkeys(
        day
        for start, after in missing
        for day in coverage.dates[coverage.closing(start, after - ONE_DAY)]
    )
    fails = _failing(state, list(closing)) + _cycle_hint(state)
    count = f"{len(missing)} closed period{'s' if len(missing) > 1 else ''}"
    return ReconciledError(
        source_of(state.open.meta),
        f"{name} (reconciled {cadence}) has no passing balance assertion for {count}: "
        f"{labels}; record each statement's closing balance as a balance directive dated the "
        f"day after its period ends ({dates}){fails}.",
        state.open,
    )


def _cycle_hint(state: _Account) -> str:
    """Suggest a statement cycle when the last assertions of a calendar cadence share a day."""
    cadence = periods.parse(state.cadence)
    if cadence is None or cadence.kind not in periods.CYCLES or cadence.closing_day is not None:
        return ""
    passing = sorted(day for day, passes in state.asserted.items() if passes)
    days = {day.day for day in passing[-HINT_AFTER:]}
    if len(passing) < HINT_AFTER or len(days) != 1 or days == {1}:
        return ""
    day = days.pop()
    return (
        f"; its last {HINT_AFTER} assertions are all dated day {day} of the month: if its "
        f'statements close on day {day - 1}, write {META_KEY}: "{cadence.kind}@{day - 1}" on '
        "its open directive"
    )


def _failing(state: _Account, dates: list[datetime.date]) -> str:
    """Say which assertions of the missing periods fail or pass through a pad."""
    padded = [str(d) for d in dates if d in state.padded]
    failing = [str(d) for d in dates if state.asserted.get(d) is False and d not in state.padded]
    notes = []
    if failing:
        plural = len(failing) > 1
        notes.append(
            f"the assertion{'s' if plural else ''} dated {', '.join(failing)} "
            f"fail{'' if plural else 's'} (see the balance error{'s' if plural else ''})"
        )
    if padded:
        plural = len(padded) > 1
        notes.append(
            f"the assertion{'s' if plural else ''} dated {', '.join(padded)} "
            f"pass{'' if plural else 'es'} only through a pad"
        )
    return "".join(f"; {note}" for note in notes)


def _through_entry(name: str, state: _Account, through: datetime.date) -> data.Custom:
    source = state.asserted_at.get(through + ONE_DAY, state.open.meta)
    return data.Custom(
        source_of(source),
        through,
        RECONCILED_THROUGH,
        [ValueType(name, ACCOUNT_TYPE), ValueType(state.cadence, str)],
    )
