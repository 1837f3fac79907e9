"""How far each reconciled account of a loaded ledger is reconciled, and whether it is overdue.

The `reconciled` plugin adds one `custom "reconciled-through" Account "cadence"` entry per
reconciled account to the loaded entries, dated the last day the account is reconciled through
without a break: the day before a passing balance assertion (see docs/plugins/reconciled.md).
This module reads them back, for `beanfirm status` and later reports; it needs a ledger loaded
with the plugin.

An account is *overdue* when the period holding the day after its reconciled-through date (a
calendar period, or a statement cycle such as `monthly@25`) ended more than the plugin's
`lag-days` ago (counted to the plugin's `today`), exactly when the plugin reports that period
missing; an account with no entries yet is never overdue.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from beancount.core import data

from beanfirm.core.beans import Directive, Options
from beanfirm.plugins import periods
from beanfirm.plugins.reconciled import MODULE, RECONCILED_THROUGH, read_settings


@dataclass(frozen=True)
class Reconciliation:
    """The reconciliation state of one account."""

    account: str
    cadence: str
    through: datetime.date | None  # None: no period reconciled yet


def _through_entries(entries: Sequence[Directive]) -> list[tuple[str, str, datetime.date]]:
    """Return (account, cadence, date) of each reconciled-through entry."""
    found = []
    for entry in entries:
        if not isinstance(entry, data.Custom) or entry.type != RECONCILED_THROUGH:
            continue
        values = [value.value for value in entry.values]
        if len(values) < 2 or not all(isinstance(v, str) for v in values[:2]):  # noqa: PLR2004
            continue
        found.append((values[0], values[1], entry.date))
    return found


def reconciled_through(entries: Sequence[Directive]) -> dict[str, Reconciliation]:
    """Return the reconciliation of each reconciled account, by account name.

    An account is reconciled through the day before a passing balance assertion; one that has
    none (the plugin then dates its mark the day before its first period) is through no day:
    `status` shows "never".
    """
    passing = {
        (entry.account, entry.date)
        for entry in entries
        if isinstance(entry, data.Balance) and entry.diff_amount is None
    }
    found: dict[str, Reconciliation] = {}
    for account, cadence, date in _through_entries(entries):
        asserted = (account, date + datetime.timedelta(days=1)) in passing
        found[account] = Reconciliation(account, cadence, date if asserted else None)
    return found


@dataclass(frozen=True)
class ReconciliationStatus:
    """How far an account is reconciled, by when the next period is due, and if it is late.

    `due` is the last day to reconcile the period holding the day after `through` (its end plus
    the plugin's `lag-days`); None for an account with no entries yet, which needs no statement.
    """

    account: str
    cadence: str
    through: datetime.date | None
    due: datetime.date | None
    overdue: bool

    def as_json(self) -> dict[str, Any]:
        """Return the status as plain JSON data (as `beanfirm status --json` shows it)."""
        return {
            "account": self.account,
            "cadence": self.cadence,
            "reconciled_through": _iso(self.through),
            "due": _iso(self.due),
            "overdue": self.overdue,
        }

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> ReconciliationStatus:
        """Read back what `as_json` returned."""
        return cls(
            str(raw["account"]),
            str(raw["cadence"]),
            _day(raw["reconciled_through"]),
            _day(raw["due"]),
            bool(raw["overdue"]),
        )


def _iso(day: datetime.date | None) -> str | None:
    return day.isoformat() if day else None


def _day(text: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(text) if text else None


def _plugin_config(options_map: Options) -> str | None:
    for name, config in options_map.get("plugin") or ():
        if name == MODULE:
            return str(config) if config is not None else None
    return None


def ledger_today(options_map: Options) -> datetime.date:
    """Return the day the ledger's checks count to: the `reconciled` plugin's `today`."""
    settings, _ = read_settings(_plugin_config(options_map))
    return settings.today


def reconciliation_status(
    entries: Sequence[Directive], options_map: Options
) -> list[ReconciliationStatus]:
    """Return the status of each reconciled account (see the module docstring), by name."""
    settings, _ = read_settings(_plugin_config(options_map))
    marks = _through_entries(entries)
    names = {account for account, _, _ in marks}
    active: set[str] = set()
    for entry in entries:
        if isinstance(entry, data.Transaction):
            for posting in entry.postings:
                name = posting.account
                while name and name not in active:
                    if name in names:
                        active.add(name)
                    name = name.rpartition(":")[0]
        elif isinstance(entry, data.Balance) and entry.account in names:
            active.add(entry.account)
    known = reconciled_through(entries)
    found = []
    for account, cadence, date in sorted(marks):
        due: datetime.date | None = None
        if account in active:
            following = date + datetime.timedelta(days=1)
            end = periods.next_start(periods.period_start(following, cadence), cadence)
            due = end - datetime.timedelta(days=1) + datetime.timedelta(days=settings.lag_days)
        overdue = due is not None and settings.today > due
        found.append(ReconciliationStatus(account, cadence, known[account].through, due, overdue))
    return found
