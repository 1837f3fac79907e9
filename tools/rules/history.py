"""Suggestions learned from a client's own history, made only when the history is clear.

`learn_history` counts, for each payee (and payee plus counterparty) and direction, the
accounts that the client's already-categorized transactions were booked to. A new row gets a
suggestion only when one account holds at least `min_count` of those entries and at least
`min_share` of them (3 and 80 % by default); a payee never seen gets none. This is the
opposite of smart_importer, which always answers and so booked an unseen 中国移动 话费充值
to Coffee: here "unknown" is an answer, and the confidence behind every suggestion is shown.

What counts as history: transactions not flagged `!`, with no leg on an `Uncategorized`
account, of exactly two postings, one on the statement account (a bank, card or payment
account of the client) and one on the category. Transfers between two statement accounts
and split entries teach nothing, since a single account cannot be suggested for them.
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal

from beancount.core import data

from beanfirm.core.textmatch import folded
from beanfirm.rules.rulesfile import SuggestionSettings

UNCATEGORIZED_LEAF = ":Uncategorized"
CATEGORY_ROOTS = ("Income:", "Expenses:")
STATEMENT_ROOTS = ("Assets:", "Liabilities:")
CENT = Decimal("0.01")
SEPARATOR = "\x1f"


@dataclass(frozen=True)
class Suggestion:
    """An account learned from history: `count` of the `total` past entries of `key` went there."""

    account: str
    count: int
    total: int
    key: str
    applied: bool = False

    @property
    def confidence(self) -> Decimal:
        """Return the share of past entries booked to the account, rounded down to 0.01."""
        return (Decimal(self.count) / Decimal(self.total)).quantize(CENT, rounding=ROUND_DOWN)

    def describe(self) -> str:
        """Return the evidence in words, e.g. `12 of 13 past "国家电网" entries`."""
        return f'{self.count} of {self.total} past "{self.key}" entries'


@dataclass(frozen=True)
class History:
    """What a client's ledger teaches: its open accounts and past categories per payee."""

    accounts: frozenset[str] = frozenset()
    counts: Mapping[tuple[str, str], Mapping[str, int]] = field(default_factory=dict)
    opened_on: Mapping[str, datetime.date] = field(default_factory=dict)  # each `open`'s date

    def is_open(self, account: str, on: datetime.date | None = None) -> bool:
        """Tell whether the ledger opens the account (any account when none are known).

        With `on`, whether it is open on that day: an account the chart opens later is not.
        """
        if not self.accounts:
            return True
        if account not in self.accounts:
            return False
        opened = self.opened_on.get(account) if on is not None else None
        return opened is None or on is None or opened <= on

    def not_open(self, account: str, on: datetime.date | None = None) -> str:
        """Return why the account cannot be booked on that day (see `is_open`), in words."""
        opened = self.opened_on.get(account)
        if account in self.accounts and opened is not None and on is not None and on < opened:
            return f"{account} is opened only on {opened}"
        return f"{account} is not open in this ledger"

    def suggest(
        self,
        direction: str,
        payee: str | None,
        narration: str,
        counterparty: str | None,
        settings: SuggestionSettings,
        on: datetime.date | None = None,
    ) -> tuple[Suggestion | None, str]:
        """Return the suggestion for a row (of the day `on`), or None and why there is none."""
        key = history_key(payee, narration)
        if not key:
            return None, "the row has neither payee nor narration to look up"
        past = None
        if counterparty:
            past = self.counts.get((direction, key + SEPARATOR + folded(counterparty)))
        past = past or self.counts.get((direction, key))
        shown = (payee or narration).strip()
        if not past:
            return None, f'no past entries of "{shown}" ({_money(direction)}) to learn from'
        total = sum(past.values())
        account, count = max(past.items(), key=lambda item: (item[1], item[0]))
        evidence = Suggestion(account, count, total, shown)
        if count < settings.min_count or Decimal(count) < settings.min_share * total:
            return None, (
                f"{evidence.describe()} went to {account}: below the threshold of "
                f"{settings.min_count} entries and {settings.min_share:%} share"
            )
        if not self.is_open(account):
            return None, f"{evidence.describe()} went to {account}, which is no longer open"
        if not self.is_open(account, on):
            opened = self.opened_on[account]
            return None, f"{evidence.describe()} went to {account}, which opens only on {opened}"
        return evidence, ""


def history_key(payee: str | None, narration: str | None) -> str:
    """Return the text a row is looked up by: its payee, or its narration when it has none."""
    text = (payee or "").strip() or (narration or "").strip()
    return " ".join(folded(text).split())


def learn_history(
    entries: Iterable[data.Directive], *, statement_accounts: Collection[str] = ()
) -> History:
    """Learn from a client's loaded entries (see the module docstring).

    `statement_accounts` are the client's bank, card and payment accounts (clients.yaml
    `accounts`); without them the category of an entry is its one Income or Expenses leg.
    """
    opened: set[str] = set()
    opened_on: dict[str, datetime.date] = {}
    counts: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    statement = frozenset(statement_accounts)
    for entry in entries:
        if isinstance(entry, data.Open):
            opened.add(entry.account)
            opened_on[entry.account] = entry.date
        elif isinstance(entry, data.Close):
            opened.discard(entry.account)
        elif isinstance(entry, data.Transaction):
            learned = _category(entry, statement)
            if learned is None:
                continue
            direction, category = learned
            key = history_key(entry.payee, entry.narration)
            if not key:
                continue
            counts[(direction, key)][category] += 1
            counterparty = entry.meta.get("counterparty") if entry.meta else None
            if isinstance(counterparty, str) and counterparty.strip():
                counts[(direction, key + SEPARATOR + folded(counterparty))][category] += 1
    return History(
        frozenset(opened), {key: dict(counter) for key, counter in counts.items()}, opened_on
    )


def _category(entry: data.Transaction, statement: frozenset[str]) -> tuple[str, str] | None:
    """Return (direction, category account) of a past entry, or None if it teaches nothing."""
    postings = entry.postings
    if entry.flag == "!" or len(postings) != 2:  # noqa: PLR2004
        return None
    if any(p.account.endswith(UNCATEGORIZED_LEAF) for p in postings):
        return None
    if statement:
        sides = [p for p in postings if p.account in statement]
    else:
        sides = [p for p in postings if not p.account.startswith(CATEGORY_ROOTS)]
        if not all(p.account.startswith(STATEMENT_ROOTS) for p in sides):
            return None
    if len(sides) != 1 or sides[0].units is None or sides[0].units.number is None:
        return None
    category = next(p for p in postings if p is not sides[0])
    return ("in" if sides[0].units.number > 0 else "out"), category.account


def _money(direction: str) -> str:
    return "money in" if direction == "in" else "money out"
