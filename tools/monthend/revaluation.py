"""The period-end revaluation of foreign-currency monetary balances (期末调汇).

小企业会计准则 第七十七条 (for the English chart, IAS 21.23): at the balance-sheet date a monetary
item in a foreign currency is stated at that date's spot rate, and the difference from its book
value goes to the period's profit or loss (财务费用-汇兑损益). Which accounts are monetary is the
mapping's `revaluation` section (`mapping.py`). For each such account that held a foreign
currency by the period's end, its book value in the client's currency (what the statements
state: each posting at the rate of its own date, plus the revaluations before) is compared with
its own-currency units plus each foreign balance at the period-end rate; the difference is
posted to the account in the client's currency, against the gain-loss account. The foreign
units, and the balance assertions on them, are left as they are.

The rate of a currency is the latest `price` directive or priced posting on or before the
period's end, and not before its start. One transaction a period, on its last day, tagged
`#revaluation` (not `#closing`: the difference is the month's activity), with each rate used
as metadata (`rate-usd: 7.1000 CNY`).
"""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

from beancount.core import data

from beanfirm.core.journal import Posting, Txn
from beanfirm.core.rates import Rates
from beanfirm.errors import ConfigError, Problem, relative_to
from beanfirm.monthend.closing import PAGE
from beanfirm.monthend.mapping import (
    Revaluation,
    has_template,
    read_mapping,
    template_file,
    template_text,
)
from beanfirm.monthend.statements import book_values, chart_of, load_mapping
from beanfirm.plugins.postings import REVALUATION, is_revaluation

if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path

    from beanfirm.core.beans import Directive
    from beanfirm.monthend.closing import Period

CENT = Decimal("0.01")
_NOT_IN_KEY = re.compile(r"[^a-z0-9-]")
ZERO = Decimal(0)


@dataclass
class Holding:
    """A monetary account's units through the period's end: its own currency's and foreign ones."""

    account: str
    native: Decimal = ZERO  # the client's currency, earlier revaluations left out
    foreign: dict[str, Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    first: dict[str, data.Transaction] = field(default_factory=dict)  # in the period, by currency
    last: dict[str, data.Transaction] = field(default_factory=dict)  # before it, by currency

    def shown_at(self, currency: str) -> data.Transaction:
        """Return the transaction to name for a currency: its first in the period, else its last."""
        return self.first.get(currency) or self.last[currency]


def revaluation_of(main_file: Path, entries: Sequence[Directive]) -> Revaluation | None:
    """Return the revaluation section of a client's mapping, else its chart template's (or None).

    A client's `financials.yaml` without the section keeps its chart's monetary accounts.
    """
    chart = chart_of(entries)
    mapping = load_mapping(main_file, chart)
    if mapping.revaluation is not None or not has_template(chart):
        return mapping.revaluation
    template, _problems = read_mapping(template_text(chart), template_file(chart))
    return template.revaluation if template is not None else None


def holdings(
    entries: Sequence[Directive], currency: str, period: Period, rules: Revaluation
) -> dict[str, Holding]:
    """Return the monetary accounts that held a foreign currency by the period's end."""
    found: dict[str, Holding] = {}
    natives: dict[str, Decimal] = defaultdict(Decimal)
    monetary: dict[str, bool] = {}  # by account: the prefixes matched once each
    for entry in entries:
        if not isinstance(entry, data.Transaction) or entry.date > period.end:
            continue
        revalued = is_revaluation(entry)
        for posting in entry.postings:
            units = posting.units
            if units is None or not isinstance(units.number, Decimal):
                continue
            account = posting.account
            is_monetary = monetary.get(account)
            if is_monetary is None:
                is_monetary = monetary[account] = rules.is_monetary(account)
            if not is_monetary:
                continue
            if units.currency == currency:
                if not revalued:
                    natives[posting.account] += units.number
                continue
            holding = found.setdefault(posting.account, Holding(posting.account))
            holding.foreign[units.currency] += units.number
            if entry.date >= period.start:
                holding.first.setdefault(units.currency, entry)
            else:
                holding.last[units.currency] = entry
    for account, holding in found.items():
        holding.native = natives.get(account, ZERO)
    return dict(sorted(found.items()))


@dataclass(frozen=True)
class RateUsed:
    """The rate a currency is revalued at, and the day it is of."""

    currency: str
    rate: Decimal
    day: datetime.date


def period_rates(
    entries: Sequence[Directive],
    currency: str,
    period: Period,
    found: dict[str, Holding],
    root: Path | None = None,
    rates: Rates | None = None,
) -> tuple[dict[str, RateUsed], list[Problem]]:
    """Return the period-end rate of each foreign currency held, and a problem for each missing.

    A rate older than the period's start is missing: a month is revalued at a rate of its own.
    """
    needed: dict[str, Holding] = {}
    for holding in found.values():
        for foreign, units in holding.foreign.items():
            if units:
                needed.setdefault(foreign, holding)
    rates = rates or Rates(entries, currency)
    used: dict[str, RateUsed] = {}
    problems: list[Problem] = []
    for foreign, holding in sorted(needed.items()):
        latest = rates.latest(foreign, period.end)
        if latest is not None and latest[0] >= period.start:
            used[foreign] = RateUsed(foreign, latest[1], latest[0])
            continue
        entry = holding.shown_at(foreign)
        filename = str(entry.meta.get("filename", ""))
        older = f" (the latest is of {latest[0]}, before the month)" if latest else ""
        problems.append(
            Problem(
                relative_to(filename, root) if root else filename,
                entry.meta.get("lineno"),
                f"{holding.account} holds {holding.foreign[foreign]} {foreign} at "
                f"{period.end}, and {foreign} has no rate in {currency} dated from "
                f"{period.start} to {period.end}{older}",
            )
        )
    return used, problems


def untakeable(
    entries: Sequence[Directive], currency: str, found: dict[str, Holding], gain_loss: str
) -> list[Problem]:
    """Name the accounts whose `open` refuses the client's currency, and a gain-loss not opened."""
    opened = {entry.account: entry for entry in entries if isinstance(entry, data.Open)}
    problems: list[Problem] = []
    for account in [*found, gain_loss]:
        entry = opened.get(account)
        if entry is None:
            problems.append(
                Problem(
                    "",
                    None,
                    f"{account}, where exchange differences go, is not open; open it in "
                    "accounts.beancount",
                )
            )
        elif entry.currencies and currency not in entry.currencies:
            listed = ",".join(entry.currencies)
            problems.append(
                Problem(
                    str(entry.meta.get("filename", "")),
                    entry.meta.get("lineno"),
                    f"{account} is opened for {listed} only, so it cannot take the revaluation "
                    f"in {currency}; add {currency} to its open directive "
                    f"(`{entry.date} open {account} {listed},{currency}`)",
                )
            )
    return problems


def revaluation_entry(
    entries: Sequence[Directive],
    currency: str,
    period: Period,
    rules: Revaluation,
    *,
    chinese: bool,
) -> Txn | None:
    """Return the period's revaluation, or None when no monetary account needs one.

    Raises ConfigError naming file and line for a currency without a rate of the period, or an
    account that cannot take the client's currency (the checklist refuses both first).
    """
    found = holdings(entries, currency, period, rules)
    if not found:
        return None
    rates = Rates(entries, currency)  # one pass over the entries, for both uses
    used, problems = period_rates(entries, currency, period, found, rates=rates)
    problems += untakeable(entries, currency, found, rules.gain_loss)
    values, unpriced = book_values(entries, currency, period.end, set(found), rates)
    if problems or unpriced:
        message = (
            f"The foreign-currency balances at {period.end} cannot be revalued in {currency}: "
            f"give each currency its rate of the period (see {PAGE})."
        )
        raise ConfigError(message, (*problems, *unpriced))
    postings: list[Posting] = []
    for account, holding in found.items():
        target = holding.native + sum(
            (
                (units * used[foreign].rate).quantize(CENT, ROUND_HALF_UP)
                for foreign, units in holding.foreign.items()
                if units
            ),
            ZERO,
        )
        difference = (target - values.get(account, ZERO)).quantize(CENT, ROUND_HALF_UP)
        if difference:
            postings.append(Posting(account, difference, currency))
    if not postings:
        return None
    total = sum((posting.amount or ZERO for posting in postings), ZERO)
    if total:
        postings.append(Posting(rules.gain_loss, -total, currency))
    meta = tuple((rate_key(rate.currency), f"{rate.rate} {currency}") for rate in used.values())
    narration = (
        f"期末调汇 {period.label}" if chinese else f"Revaluation of foreign currency {period.label}"
    )
    return Txn(period.end, None, narration, tuple(postings), tags=(REVALUATION,), meta=meta)


def rate_key(currency: str) -> str:
    """Return the metadata key of a currency's rate (`rate-usd`)."""
    return "rate-" + _NOT_IN_KEY.sub("-", currency.lower())
