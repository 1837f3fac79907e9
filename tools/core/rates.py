"""The rates of foreign currencies in a client's currency, as its ledger gives them.

Price directives (`2026-11-30 price USD 7.10 CNY`) and priced postings (`@ 7.10 CNY`): the
statements, the revaluation and the closing entries value foreign amounts at the latest rate on
or before the day (`beanfirm.monthend.valuation`), and so do the credit ratings weigh payments.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from decimal import Decimal
from typing import TYPE_CHECKING

from beancount.core import data

if TYPE_CHECKING:
    import datetime
    from collections.abc import Sequence

    from beanfirm.core.beans import Directive


class Rates:
    """The rates of foreign currencies in the client's: price directives and priced postings."""

    def __init__(self, entries: Sequence[Directive], currency: str) -> None:
        found: dict[str, list[tuple[datetime.date, Decimal]]] = defaultdict(list)
        for entry in entries:
            if isinstance(entry, data.Price) and entry.amount.currency == currency:
                number = entry.amount.number
                if isinstance(number, Decimal):
                    found[entry.currency].append((entry.date, number))
            elif isinstance(entry, data.Transaction):
                for posting in entry.postings:
                    price = posting.price
                    if (
                        price is not None
                        and price.currency == currency
                        and posting.units
                        and isinstance(price.number, Decimal)
                    ):
                        found[posting.units.currency].append((entry.date, price.number))
        self._dates = {key: [day for day, _ in sorted(rows)] for key, rows in found.items()}
        self._rates = {key: [rate for _, rate in sorted(rows)] for key, rows in found.items()}

    def on(self, foreign: str, day: datetime.date) -> Decimal | None:
        """Return the latest rate of a currency on or before a day, or None."""
        found = self.latest(foreign, day)
        return found[1] if found else None

    def latest(self, foreign: str, day: datetime.date) -> tuple[datetime.date, Decimal] | None:
        """Return the latest rate of a currency on or before a day, with its date, or None."""
        dates = self._dates.get(foreign, [])
        index = bisect.bisect_right(dates, day)
        return (dates[index - 1], self._rates[foreign][index - 1]) if index else None
