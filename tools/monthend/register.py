"""The fixed-asset register against the ledger: each asset's depreciation and book value, tied out.

Each asset's accumulated depreciation is what the ledger has booked for it (the entries whose
`accrual:` names it) plus its `opening-depreciation` (booked before the books came to
beanfirm); beside it, what its schedule says for the same months, so that a month missed or
booked twice shows. Then the ledger's balances: each accumulated-depreciation account (累计折旧)
against the sum of its assets, and each asset account (固定资产) against the cost of its assets
in service; assets disposed of are left out of both, their cost and depreciation having left
the books with them. A difference is named, never left to be found.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from beancount.core import data

from beanfirm.errors import ConfigError
from beanfirm.monthend.accruals import depreciation_booked
from beanfirm.monthend.assets import PAGE, ZERO, FixedAsset, load_register

if TYPE_CHECKING:
    from pathlib import Path

    from beanfirm.core.beans import Entries


@dataclass(frozen=True)
class AssetRow:
    """One asset on a day: its cost, its depreciation booked and scheduled, its book value."""

    asset: FixedAsset
    booked: Decimal  # opening depreciation and the ledger's entries for it, through the day
    scheduled: Decimal  # what its schedule depreciates through the day's month

    @property
    def net_book_value(self) -> Decimal:
        """Return cost less the depreciation booked (账面净值)."""
        return self.asset.cost - self.booked


@dataclass(frozen=True)
class TieOut:
    """An account of the ledger against the register: its balance and the register's sum."""

    account: str
    what: str  # "accumulated depreciation" or "cost"
    ledger: Decimal  # as the register counts it: a debit for cost, a credit for depreciation
    register: Decimal

    @property
    def difference(self) -> Decimal:
        """Return the ledger's figure less the register's."""
        return self.ledger - self.register


@dataclass(frozen=True)
class AssetBook:
    """A client's register on a day: its assets and its accounts tied to the ledger."""

    client_id: str
    through: datetime.date
    rows: tuple[AssetRow, ...]
    ties: tuple[TieOut, ...]

    @property
    def tied(self) -> bool:
        """Tell whether every account ties to the register."""
        return all(not tie.difference for tie in self.ties)


def asset_book(
    entries: Entries, client_id: str, client_dir: Path, through: datetime.date, *, currency: str
) -> AssetBook:
    """Return a client's register through a day (raises ConfigError for a register's mistakes).

    `currency` is the client's, in which the register's amounts are read.
    """
    opened = {entry.account for entry in entries if isinstance(entry, data.Open)}
    assets, problems = load_register(client_id, client_dir, opened, currency=currency)
    if problems:
        message = (
            f"The fixed-asset register of {client_id} has mistakes: correct them (see {PAGE})."
        )
        raise ConfigError(message, tuple(problems))
    booked = depreciation_booked(entries, assets, through + datetime.timedelta(days=1))
    balances: dict[str, Decimal] = defaultdict(Decimal)  # by account
    watched = {a.depreciation_account for a in assets} | {a.account for a in assets}
    for entry in entries:
        if not isinstance(entry, data.Transaction) or entry.date > through:
            continue
        for posting in entry.postings:
            units = posting.units
            if posting.account in watched and units and isinstance(units.number, Decimal):
                balances[posting.account] += units.number
    rows = tuple(AssetRow(a, booked[a.id], a.depreciated_through(through)) for a in assets)
    return AssetBook(client_id, through, rows, _ties(rows, balances, through))


def _ties(
    rows: tuple[AssetRow, ...], balances: dict[str, Decimal], through: datetime.date
) -> tuple[TieOut, ...]:
    depreciation: dict[str, Decimal] = defaultdict(Decimal)
    cost: dict[str, Decimal] = defaultdict(Decimal)
    for row in rows:
        asset = row.asset
        if asset.disposed is not None and asset.disposed <= through:
            continue  # its cost and depreciation have left the books with it (固定资产清理)
        depreciation[asset.depreciation_account] += row.booked
        cost[asset.account] += asset.cost if asset.in_service <= through else ZERO
    return (
        *(
            TieOut(account, "accumulated depreciation", -balances[account], total)
            for account, total in sorted(depreciation.items())
        ),
        *(
            TieOut(account, "cost", balances[account], total)
            for account, total in sorted(cost.items())
        ),
    )
