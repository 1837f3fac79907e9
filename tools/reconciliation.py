"""How far each reconciled account of a loaded ledger is reconciled.

The `reconciled` plugin adds one `custom "reconciled-through" Account "cadence"` entry per
reconciled account to the loaded entries, dated the last day of the unbroken run of reconciled
periods (see docs/plugins/reconciled.md). This module reads them back, for `beanfirm status`
and later reports; it needs a ledger loaded with the plugin.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from beancount.core import data

from beanfirm.plugins.reconciled import RECONCILED_THROUGH


@dataclass(frozen=True)
class Reconciliation:
    """The reconciliation state of one account."""

    account: str
    cadence: str
    through: datetime.date | None  # None: no period reconciled yet


def reconciled_through(entries: list[Any]) -> dict[str, Reconciliation]:
    """Return the reconciliation of each reconciled account, by account name."""
    opened = {e.account: e.date for e in entries if isinstance(e, data.Open)}
    found: dict[str, Reconciliation] = {}
    for entry in entries:
        if not isinstance(entry, data.Custom) or entry.type != RECONCILED_THROUGH:
            continue
        values = [value.value for value in entry.values]
        if len(values) < 2 or not all(isinstance(v, str) for v in values[:2]):  # noqa: PLR2004
            continue
        account, cadence = values[0], values[1]
        opened_on = opened.get(account)
        through = entry.date if opened_on is None or entry.date >= opened_on else None
        found[account] = Reconciliation(account, cadence, through)
    return found
