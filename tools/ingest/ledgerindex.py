"""What a client's ledger already holds, indexed for an import: ids, open slots, balances.

An import must know which statement rows the ledger already accounts for. Three things tell:

- **Import ids.** `import-id` names the row booked on the transaction's first posting on one
  of the client's own accounts (clients.yaml `accounts`), `import-id-2` the row booked on
  its second: a transfer between two own accounts carries the id of each side. An id is
  known *per account*, so that identical rows of two accounts never shadow each other.
- **Open slots.** Each of the first two own-account postings of a transaction is a slot; a
  slot without its id is open, and can absorb one statement row of its account with the same
  amount (entries typed by hand, and transfers booked from the other side, awaiting this one).
  Slots are indexed by (account, currency, amount), then by day: a row looks up its amount,
  then the days of its window, and never scans the ledger.
- **Convertible entries.** An imported entry still booked to `Expenses:Uncategorized` /
  `Income:Uncategorized` that a row of another own account may turn into a transfer.
- **Imported legs.** With the export's `span` (its first and last day), the legs of the
  statement account that carry an import id, dated in the span, indexed as the open slots
  are: a row of another export of the account (another layout of the bank's, another format)
  has another id for the same bank row, and is found by its day and amount
  (`beanfirm.ingest.dedup.match_imported`).

Balance assertions are indexed by (account, currency, date). Entries are read as parsed
(`beanfirm.store.ledger.parse_ledger`); a posting whose amount is left out is interpolated when the
others are plain amounts of one currency.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import NamedTuple

from beancount.core import data
from beancount.core.amount import Amount

from beanfirm.core.beans import Directive, Meta
from beanfirm.core.bulk import collector_paused
from beanfirm.errors import relative_to

ID_KEYS = ("import-id", "import-id-2")
UNCATEGORIZED = ("Expenses:Uncategorized", "Income:Uncategorized")


def id_key(position: int) -> str:
    """Return the metadata key of a slot: `import-id` (first), `import-id-2` (second)."""
    return ID_KEYS[position]


class Location(NamedTuple):
    """Where an entry or a posting is written."""

    filename: str
    line: int

    def shown(self, root: Path) -> str:
        """Return `file:line` with the file relative to the practice root."""
        return f"{relative_to(self.filename, root)}:{self.line}"


class Leg(NamedTuple):
    """One posting of a booked transaction, its amount interpolated where it was left out."""

    account: str
    number: Decimal | None
    currency: str | None
    line: int


@dataclass(eq=False, slots=True)
class BookedEntry:
    """A transaction already in the ledger, as an import sees it."""

    date: datetime.date
    flag: str
    payee: str
    narration: str
    counterparty: str
    location: Location
    ids: dict[int, str]
    slots: list[Slot] = field(default_factory=list)

    @property
    def text(self) -> str:
        """Return the payee and narration, the text a row is compared with."""
        return f"{self.payee} {self.narration}".strip()


@dataclass(eq=False, slots=True)
class Slot:
    """An own-account posting of a booked transaction that one statement row can claim."""

    entry: BookedEntry
    position: int
    leg: Leg
    claimed_by: str | None = None

    @property
    def key(self) -> str:
        """Return the metadata key that records the row this slot absorbed."""
        return id_key(self.position)


@dataclass(frozen=True)
class Convertible:
    """An imported, still uncategorized entry: its own-account leg and its Uncategorized leg."""

    entry: BookedEntry
    own: Leg
    uncategorized: Leg


@dataclass(frozen=True)
class BookedBalance:
    """A balance assertion already in the ledger."""

    number: Decimal
    location: Location


@dataclass
class LedgerIndex:
    """The index of one client's ledger (see the module docstring)."""

    own_accounts: frozenset[str]
    editable: Path | None = None
    statement_account: str | None = None
    ids: dict[tuple[str | None, str], Location] = field(default_factory=dict)
    slots: dict[tuple[str, str, Decimal], dict[int, list[Slot]]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(list))
    )
    convertibles: dict[tuple[str, Decimal], dict[int, list[Convertible]]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(list))
    )
    balances: dict[tuple[str, str, datetime.date], BookedBalance] = field(default_factory=dict)
    span: tuple[datetime.date, datetime.date] | None = None
    imported: dict[tuple[str, str, Decimal], dict[int, list[Slot]]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(list))
    )
    transactions: int = 0
    editable_files: dict[str, bool] = field(default_factory=dict)
    # The currencies an account's `open` allows (only accounts that name some), and where.
    currencies: dict[str, tuple[frozenset[str], Location]] = field(default_factory=dict)

    def known(self, account: str, import_id: str) -> Location | None:
        """Return where a row's id is already booked for this account (or for any account)."""
        return self.ids.get((account, import_id)) or self.ids.get((None, import_id))

    def open_slots(
        self, account: str, currency: str, number: Decimal, date: datetime.date
    ) -> list[Slot]:
        """Return the unclaimed slots of an account with this amount on this day."""
        days = self.slots.get((account, currency, number))
        found = days.get(date.toordinal()) if days else None
        return [slot for slot in found if slot.claimed_by is None] if found else []

    def may_edit(self, location: Location) -> bool:
        """Tell whether an entry is in a file an import may edit (the client's own folder)."""
        if self.editable is None:
            return True
        known = self.editable_files.get(location.filename)
        if known is None:
            known = Path(location.filename).resolve().is_relative_to(self.editable)
            self.editable_files[location.filename] = known
        return known

    def add(self, entry: Directive) -> None:
        """Index one parsed directive."""
        if not isinstance(entry, data.Transaction):
            self._add_directive(entry)
            return
        self.transactions += 1
        meta = entry.meta or {}
        ids = {position: str(meta[key]) for position, key in enumerate(ID_KEYS) if key in meta}
        own_accounts = self.own_accounts
        own = [p.account for p in entry.postings if p.account in own_accounts][:2]
        if not ids and not own:
            return
        location = Location(meta.get("filename", "<unknown>"), meta.get("lineno", 0))
        for position, import_id in ids.items():
            account = own[position] if position < len(own) else None
            self.ids.setdefault((account, import_id), location)
        wanted = [
            account
            for position, account in enumerate(own)
            if position not in ids and self.statement_account in (None, account)
        ]
        span = self.span
        recorded = (
            span is not None
            and span[0] <= entry.date <= span[1]
            and any(
                position < len(own) and own[position] == self.statement_account for position in ids
            )
        )
        if not wanted and not recorded and not _may_convert(entry, ids, own):
            return  # no open slot a row of this import could match (most imported entries)
        amounts = _amounts(entry)
        booked = BookedEntry(
            date=entry.date,
            flag=entry.flag or "*",
            payee=entry.payee or "",
            narration=entry.narration or "",
            counterparty=str(meta.get("counterparty") or ""),
            location=location,
            ids=ids,
        )
        own_legs = [
            _leg(posting, amount)
            for posting, amount in zip(entry.postings, amounts, strict=True)
            if posting.account in own_accounts
        ][:2]
        day = entry.date.toordinal()
        if recorded:
            self._record_imported(booked, own_legs, day)
        if not self.may_edit(location):
            return
        for position, leg in enumerate(own_legs):
            slot = Slot(booked, position, leg, ids.get(position))
            booked.slots.append(slot)
            if (
                slot.claimed_by is None
                and leg.number is not None
                and leg.currency is not None
                and self.statement_account in (None, leg.account)
            ):
                self.slots[(leg.account, leg.currency, leg.number)][day].append(slot)
        convertible = _convertible(booked, entry.postings, own_legs)
        if convertible is not None:
            own_leg = convertible.own
            assert own_leg.number is not None  # noqa: S101 - checked by _convertible
            assert own_leg.currency is not None  # noqa: S101
            self.convertibles[(own_leg.currency, own_leg.number)][day].append(convertible)

    def _add_directive(self, entry: Directive) -> None:
        """Index an `open`'s currencies and a balance assertion; other directives say nothing."""
        if isinstance(entry, data.Open):
            if entry.currencies:
                held = frozenset(entry.currencies)
                self.currencies[entry.account] = (held, _location(entry.meta))
        elif isinstance(entry, data.Balance):
            number = entry.amount.number
            if isinstance(number, Decimal):
                key = (entry.account, str(entry.amount.currency), entry.date)
                self.balances[key] = BookedBalance(number, _location(entry.meta))

    def _record_imported(self, booked: BookedEntry, own_legs: list[Leg], day: int) -> None:
        """Index the statement account's legs of an imported entry (see the docstring)."""
        for position, leg in enumerate(own_legs):
            if (
                position in booked.ids
                and leg.account == self.statement_account
                and leg.number is not None
                and leg.currency is not None
            ):
                slot = Slot(booked, position, leg)  # free: a row of another export may claim it
                self.imported[(leg.account, leg.currency, leg.number)][day].append(slot)


def _may_convert(entry: data.Transaction, ids: dict[int, str], own: list[str]) -> bool:
    """Tell cheaply whether an entry may be an uncategorized import (see `_convertible`)."""
    postings = entry.postings
    return (
        len(ids) == 1
        and 0 in ids
        and len(own) == 1
        and len(postings) == 2  # noqa: PLR2004
        and postings[0].account == own[0]
        and postings[1].account in UNCATEGORIZED
    )


def build_index(
    entries: Iterable[Directive],
    own_accounts: Iterable[str],
    *,
    editable: Path | None = None,
    statement_account: str | None = None,
    span: tuple[datetime.date, datetime.date] | None = None,
) -> LedgerIndex:
    """Index parsed entries for an import into one client's ledger.

    Only entries in files under `editable` (the client's folder) can absorb a row, since
    absorbing one means writing its id into the entry. With `statement_account`, only the
    slots of that account are indexed: an export's rows are all on it; with `span` too (the
    export's first and last day), its imported legs of those days.
    """
    index = LedgerIndex(
        frozenset(own_accounts),
        editable.resolve() if editable else None,
        statement_account,
        span=span if statement_account is not None else None,
    )
    with collector_paused():
        for entry in entries:
            index.add(entry)
    return index


def _location(meta: Meta | None) -> Location:
    meta = meta or {}
    return Location(meta.get("filename", "<unknown>"), meta.get("lineno", 0))


def _number(units: Amount | None) -> tuple[Decimal | None, str | None]:
    if type(units) is Amount and type(units.number) is Decimal:
        return units.number, units.currency
    number = getattr(units, "number", None)
    currency = getattr(units, "currency", None)
    return (
        number if isinstance(number, Decimal) else None,
        currency if isinstance(currency, str) else None,
    )


def _amounts(entry: data.Transaction) -> list[tuple[Decimal | None, str | None]]:
    """Return each posting's amount, filling in one left out where the others are plain."""
    amounts = [_number(posting.units) for posting in entry.postings]
    missing = [i for i, (number, _) in enumerate(amounts) if number is None]
    if len(missing) == 1 and len(amounts) > 1:
        given = [amounts[i] for i in range(len(amounts)) if i != missing[0]]
        plain = all(
            posting.cost is None and posting.price is None
            for i, posting in enumerate(entry.postings)
            if i != missing[0]
        )
        currencies = {currency for _, currency in given}
        if plain and len(currencies) == 1 and None not in currencies:
            total = sum((number for number, _ in given if number is not None), Decimal(0))
            amounts[missing[0]] = (-total, currencies.pop())
    return amounts


def _leg(posting: data.Posting, amount: tuple[Decimal | None, str | None]) -> Leg:
    return Leg(posting.account, amount[0], amount[1], (posting.meta or {}).get("lineno", 0))


def _convertible(
    entry: BookedEntry, postings: Sequence[data.Posting], own: list[Leg]
) -> Convertible | None:
    """Return the entry as convertible into a transfer, if it is an uncategorized import."""
    if 0 not in entry.ids or 1 in entry.ids or len(postings) != 2 or len(own) != 1:  # noqa: PLR2004
        return None
    first = own[0]
    if postings[0].account != first.account or postings[1].account not in UNCATEGORIZED:
        return None
    second = _leg(postings[1], _number(postings[1].units))
    if first.number is None or first.currency is None or second.number != -first.number:
        return None
    return Convertible(entry, first, second)


def with_amounts(entries: Iterable[Directive]) -> list[Directive]:
    """Return parsed entries with left-out amounts filled in (transactions that cannot be: dropped).

    For readers that expect booked entries, such as `beanfirm.rules.history.learn_history`.
    """
    completed: list[Directive] = []
    for entry in entries:
        if not isinstance(entry, data.Transaction):
            completed.append(entry)
            continue
        if all(_number(posting.units)[0] is not None for posting in entry.postings):
            completed.append(entry)
            continue
        postings = []
        for posting, (number, currency) in zip(entry.postings, _amounts(entry), strict=True):
            if number is None or currency is None:
                break
            postings.append(posting._replace(units=Amount(number, currency)))
        else:
            completed.append(entry._replace(postings=postings))
    return completed
