"""One account of a loaded ledger as reconciliation reads it: its postings and its assertions.

The postings are those on the account and the accounts below it (a `balance` assertion covers
them all), in the account's currency, in date order, each with where it is written and the
`import-id` of the statement row it was imported from. That id is the transaction's
`import-id` when the posting is the first posting on one of the client's own accounts
(clients.yaml `accounts`), `import-id-2` when it is the second (docs/conventions.md).

The balance assertions on the account come with their `statement:` and, when a reconciliation
accepted outstanding items, `statement-balance:`, the figure the statement itself gave.
"""

from __future__ import annotations

import bisect
import datetime
import itertools
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from beancount.core import data

from beanfirm.core.beans import Directive, Meta
from beanfirm.core.bulk import collector_paused
from beanfirm.ingest.ledgerindex import ID_KEYS, Location

ZERO = Decimal(0)
STATEMENT_BALANCE = "statement-balance"


@dataclass(frozen=True, slots=True)
class BookPosting:
    """One posting on the account."""

    key: int
    date: datetime.date
    number: Decimal
    account: str
    payee: str
    narration: str
    import_id: str | None
    location: Location

    @property
    def text(self) -> str:
        """Return the payee and narration, the text a statement line is compared with."""
        return f"{self.payee} {self.narration}".strip()


@dataclass(frozen=True)
class BookAssertion:
    """A balance assertion on the account (at the start of `date`)."""

    date: datetime.date
    number: Decimal
    statement_balance: Decimal | None
    statement: str | None
    location: Location

    @property
    def statement_figure(self) -> Decimal:
        """Return what the statement said: `statement-balance:` if recorded, else the figure."""
        return self.number if self.statement_balance is None else self.statement_balance


@dataclass
class AccountBook:
    """The postings (by date) and balance assertions of one account in one currency."""

    account: str
    currency: str
    postings: list[BookPosting] = field(default_factory=list)
    assertions: list[BookAssertion] = field(default_factory=list)
    opened: datetime.date | None = None
    _days: list[datetime.date] = field(default_factory=list)
    _totals: list[Decimal] = field(default_factory=list)

    def seal(self) -> None:
        """Sort the postings by date and prepare running totals (after the last `add`)."""
        self.postings.sort(key=lambda posting: posting.date)
        self.assertions.sort(key=lambda assertion: assertion.date)
        self._days = [posting.date for posting in self.postings]
        self._totals = [ZERO, *itertools.accumulate(p.number for p in self.postings)]

    def balance_before(self, day: datetime.date) -> Decimal:
        """Return the account's balance at the start of a day."""
        return self._totals[bisect.bisect_left(self._days, day)]

    def between(self, first: datetime.date, last: datetime.date) -> list[BookPosting]:
        """Return the postings dated from `first` to `last`, both included."""
        low = bisect.bisect_left(self._days, first)
        high = bisect.bisect_right(self._days, last)
        return self.postings[low:high]

    def assertion_before(self, day: datetime.date) -> BookAssertion | None:
        """Return the latest assertion dated on or before a day."""
        found = [assertion for assertion in self.assertions if assertion.date <= day]
        return found[-1] if found else None

    def assertions_between(self, first: datetime.date, last: datetime.date) -> list[BookAssertion]:
        """Return the assertions dated from `first` to `last`, both included."""
        return [a for a in self.assertions if first <= a.date <= last]


def _covers(account: str, name: str) -> bool:
    return name == account or name.startswith(account + ":")


def _location(meta: Meta | None) -> Location:
    meta = meta or {}
    return Location(str(meta.get("filename", "<unknown>")), int(meta.get("lineno") or 0))


def _posting_ids(entry: data.Transaction, own_accounts: frozenset[str]) -> dict[int, str]:
    """Return, by posting index, the import id recorded for that posting."""
    meta = entry.meta or {}
    own = [i for i, p in enumerate(entry.postings) if p.account in own_accounts][: len(ID_KEYS)]
    return {index: str(meta[key]) for index, key in zip(own, ID_KEYS, strict=False) if key in meta}


def account_book(
    entries: Iterable[Directive], account: str, currency: str, own_accounts: Iterable[str]
) -> AccountBook:
    """Collect one account's postings and assertions from loaded (booked) entries."""
    with collector_paused():  # a posting object per posting, next to a loaded ledger's millions
        return _collect(entries, account, currency, frozenset(own_accounts))


def _collect(
    entries: Iterable[Directive], account: str, currency: str, own: frozenset[str]
) -> AccountBook:
    book = AccountBook(account, currency)
    for entry in entries:
        if isinstance(entry, data.Transaction):
            wanted = [
                (index, units.number)
                for index, posting in enumerate(entry.postings)
                if _covers(account, posting.account)
                and (units := posting.units) is not None
                and units.currency == currency
                and isinstance(units.number, Decimal)
            ]
            if not wanted:
                continue
            ids = _posting_ids(entry, own)
            for index, number in wanted:
                book.postings.append(
                    BookPosting(
                        key=len(book.postings),
                        date=entry.date,
                        number=number,
                        account=entry.postings[index].account,
                        payee=entry.payee or "",
                        narration=entry.narration or "",
                        import_id=ids.get(index),
                        location=_location(entry.meta),
                    )
                )
        elif isinstance(entry, data.Balance):
            if entry.account != account or entry.amount.currency != currency:
                continue
            asserted = entry.amount.number
            if not isinstance(asserted, Decimal):
                continue
            meta = entry.meta or {}
            stated = meta.get(STATEMENT_BALANCE)
            stated_number = getattr(stated, "number", stated)
            book.assertions.append(
                BookAssertion(
                    date=entry.date,
                    number=asserted,
                    statement_balance=(
                        stated_number if isinstance(stated_number, Decimal) else None
                    ),
                    statement=str(meta["statement"]) if "statement" in meta else None,
                    location=_location(meta),
                )
            )
        elif isinstance(entry, data.Open) and entry.account == account:
            book.opened = entry.date
    book.seal()
    return book
