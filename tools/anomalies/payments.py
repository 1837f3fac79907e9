"""The client's money movements as its bank, payment and cash accounts show them.

A *source* is an account whose statements come from outside: each account registered in
clients.yaml (bank, card, payment app, cash) and each cash account of the chart
(`…库存现金`, `…:Cash`). A transaction that moves one source is a `Payment` of it: the signed
amount on that source (negative: money paid out), the payee (the narration where there is
none) and the category, the largest other leg. A transaction between two sources is a transfer
between the client's own accounts: never a payment, but activity on both. The month-end
revaluation (`#revaluation`) moves no money: neither a payment nor activity.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, NamedTuple

from beancount.core import data

from beanfirm.core.textmatch import folded
from beanfirm.plugins.postings import is_revaluation

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

CASH_NAME = re.compile(r"(?:^|:)(?:\d+-)?(?:库存现金|现金|Cash|Petty-?Cash)$")
PAD_FLAG = "P"  # the transactions Beancount's `pad` makes: no one's payment


@dataclass(frozen=True)
class Source:
    """An account whose entries come from an outside statement."""

    account: str
    kind: str  # bank, credit-card, payment or cash


class Payment(NamedTuple):
    """A transaction that moves exactly one source account (a tuple: made once per entry)."""

    entry: data.Transaction
    date: datetime.date
    account: str
    number: Decimal  # on the source: negative when money goes out
    currency: str
    payee: str  # as written
    key: str  # the payee folded, for grouping
    category: str | None  # the largest other leg's account


@dataclass(frozen=True)
class Movements:
    """What the detectors read: the payments, and the days each source account moved."""

    payments: list[Payment]
    activity: dict[str, list[data.Transaction]]  # by source account, in date order
    cash: frozenset[str]


def sources_of(entries: Sequence[data.Directive], registered: Iterable[Source]) -> list[Source]:
    """Return the registered accounts and the chart's cash accounts."""
    found = {source.account: source for source in registered}
    for entry in entries:
        if (
            isinstance(entry, data.Open)
            and entry.account.startswith("Assets:")
            and CASH_NAME.search(entry.account)
        ):
            found.setdefault(entry.account, Source(entry.account, "cash"))
    return list(found.values())


def movements(entries: Sequence[data.Directive], sources: Sequence[Source]) -> Movements:
    """Return the payments of the sources and each source's activity, in date order.

    See the module docstring. Payees are folded once each: a ledger has few of them.
    """
    accounts = {source.account for source in sources}
    cash = frozenset(source.account for source in sources if source.kind == "cash")
    found: list[Payment] = []
    activity: dict[str, list[data.Transaction]] = {account: [] for account in accounts}
    keys: dict[str, str] = {}
    for entry in sorted(entries, key=_date):  # the loader's order already: a linear pass
        if type(entry) is not data.Transaction or entry.flag == PAD_FLAG or is_revaluation(entry):
            continue
        moved: list[str] = []
        for posting in entry.postings:
            if posting.account in accounts and posting.account not in moved:
                moved.append(posting.account)
        if not moved:
            continue
        for account in moved:
            activity[account].append(entry)
        if len(moved) == 1:
            payment = _payment(entry, moved[0], keys)
            if payment is not None:
                found.append(payment)
    return Movements(found, activity, cash)


def _date(entry: data.Directive) -> datetime.date:
    return entry.date


def _payment(entry: data.Transaction, account: str, keys: dict[str, str]) -> Payment | None:
    number = Decimal(0)
    currency: str | None = None
    category: str | None = None
    largest = Decimal(-1)
    for posting in entry.postings:
        units = posting.units
        if units is None or units.number is None:
            continue
        if posting.account == account:
            if currency is None:
                currency = units.currency
            if units.currency == currency:
                number += units.number
        else:
            size = abs(units.number)
            if size > largest:
                largest, category = size, posting.account
    if currency is None or not number:
        return None
    payee = entry.payee or entry.narration or ""
    key = keys.get(payee)
    if key is None:
        key = keys[payee] = folded(payee.strip())
    return Payment(entry, entry.date, account, number, currency, payee, key, category)
