"""The open items of customer and vendor accounts: invoices and bills, and what settles them.

One account per customer (`Assets:Receivable:<Customer>`) or vendor
(`Liabilities:Payable:<Vendor>`); its `open` directive carries the party's master data. An
invoice is a transaction that charges the account and carries one link `^INV-…` and `due:`
metadata; a payment or credit note carries the same link and reduces it (docs/conventions.md,
the `receivables` plugin checks all this). Bills mirror invoices with `^BILL-…` on payables.

`read_book` turns a loaded ledger into a `Book`: per party its master data, its invoices with
their settlements, and every movement on its account. Amounts are in the party's sense
(positive: the customer owes us, or we owe the vendor), so receivables and payables read
alike. Postings without an invoice link are kept too, so that reports tie to the account
balance to the cent:

- an unlinked charge (an opening balance, a sale booked without a number) is an item without
  a number, due after the party's `terms-days`;
- an unlinked payment settles the oldest unlinked charges first (first in, first out); what is
  left over is an unapplied credit, reported as such (a negative open amount), and settles the
  party's next unlinked charges when they are booked.

A payment linked to several invoices is applied to them oldest first, posting by posting,
unless a posting says which it pays with its own `invoice:` (`bill:`) metadata, like `invoice:
"INV-2026-0002"`: then it settles that one (the plugin checks the transaction carries its link).

A payment linked to an invoice booked later (a prepayment; the plugin accepts it) is an
unapplied credit until the invoice is booked, and settles it on that day. What a payment or a
credit note pays beyond its invoice's amount (an over-payment) is an unapplied credit too, kept
with the invoice's number, until a refund linked to the invoice pays it back: a second charge
of the account with the invoice's link that moves money (`moves_money`: the bank pays the
customer back) uses up the invoice's credits, oldest first, on its own date. A payment that
names an invoice booked on another account, an over-payment that is not refunded, and a refund
of more than the invoice's credits are errors of the `receivables` plugin; here the excess of a
payment is an unapplied credit, and that of a refund an unlinked charge, so the totals still tie.

The month-end revaluation (`#revaluation`, docs/close.md) is left out: it restates a foreign
balance in the client's currency for the statements, and is no one's invoice or payment (a
customer's account is kept in the customer's currency).

Due dates: an invoice's `due:` date; without one (an error of the `receivables` plugin) or for
an unlinked charge, the item's date plus the party's `terms-days`, else its date (due at once).
`Item.due_from` says which (`"due"`, `"terms"` or `"date"`), so reports can point it out.

Cut-offs: an item exists from its date (`Item.date <= as_of`); `Item.open_amount(as_of)` and
`Credit.open_amount(as_of)` count what was applied up to and including `as_of`. For every
party, currency and date, the open amounts of its items less the open amounts of its credits
equal `Book.balance(account, as_of)`.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

from beancount.core import data
from beancount.core.amount import Amount

from beanfirm.core.beans import Directive, Meta, Options
from beanfirm.plugins.postings import is_revaluation, moves_money, units
from beanfirm.plugins.receivables import DEFAULT_PAYABLE, DEFAULT_RECEIVABLE, posting_number
from beanfirm.plugins.receivables import settings_of as plugin_settings_of

ZERO = Decimal(0)
Side = Literal["receivables", "payables"]
Kind = Literal["invoice", "payment", "credit", "charge", "unapplied", "refund"]
DueFrom = Literal["due", "terms", "date"]


@dataclass(frozen=True)
class Party:
    """A customer (receivables) or vendor (payables): one account and its master data."""

    account: str
    opened: datetime.date
    meta: Meta
    currencies: tuple[str, ...]

    @property
    def key(self) -> str:
        """The last component of the account, e.g. `华联超市`."""
        return self.account.rsplit(":", 1)[-1]

    @property
    def name(self) -> str:
        """The party's full name (`name:`), else the account's last component."""
        name = self.meta.get("name")
        return name if isinstance(name, str) and name else self.key

    def text(self, key: str) -> str | None:
        """Return a text field of the master data (`email`, `language`, `address`, ...)."""
        value = self.meta.get(key)
        return value if isinstance(value, str) and value else None

    @property
    def terms_days(self) -> int | None:
        """Payment terms in days (`terms-days:`), if given as a whole number."""
        value = self.meta.get("terms-days")
        if isinstance(value, Decimal) and value == value.to_integral_value() and value >= 0:
            return int(value)
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    @property
    def credit_limit(self) -> Amount | None:
        """The credit limit (`credit-limit:`), if given as an amount."""
        value = self.meta.get("credit-limit")
        return value if isinstance(value, Amount) and isinstance(value.number, Decimal) else None

    @property
    def location(self) -> str:
        """Where the party is declared: file:line of its `open` directive."""
        return f"{self.meta.get('filename', '?')}:{self.meta.get('lineno', '?')}"


@dataclass(frozen=True)
class Settlement:
    """A payment or credit applied to an item; `amount` is positive and reduces it."""

    date: datetime.date
    amount: Decimal
    entry: data.Transaction
    kind: Kind


@dataclass
class Item:
    """An invoice or bill (or an unlinked charge, `number` None) and what settled it."""

    party: str  # the account
    number: str | None
    date: datetime.date
    due: datetime.date
    amount: Decimal
    currency: str
    entry: data.Transaction
    settlements: list[Settlement] = field(default_factory=list)
    due_from: DueFrom = "due"  # where `due` comes from (see the module docstring)

    @property
    def narration(self) -> str:
        """The invoice's narration."""
        return self.entry.narration or ""

    @property
    def issued(self) -> datetime.date:
        """The invoice's own date: `invoice-date:` for one carried in from earlier books.

        `beanfirm opening` books an open invoice on the opening date with its own date as
        `invoice-date:`; reports show that date, while cut-offs go by `date`, when it entered
        the books.
        """
        carried = (self.entry.meta or {}).get("invoice-date")
        return carried if isinstance(carried, datetime.date) else self.date

    def paid(self, as_of: datetime.date | None = None) -> Decimal:
        """Return what was paid or credited on the item up to and including `as_of`."""
        return sum((s.amount for s in self.settlements if as_of is None or s.date <= as_of), ZERO)

    def open_amount(self, as_of: datetime.date | None = None) -> Decimal:
        """Return what is still owed at the end of `as_of` (all dates if None)."""
        return self.amount - self.paid(as_of)

    def settled_on(self, as_of: datetime.date | None = None) -> datetime.date | None:
        """Return the day the item was paid in full (by `as_of`), None while open."""
        paid = ZERO
        for settlement in self.settlements:
            if as_of is not None and settlement.date > as_of:
                break
            paid += settlement.amount
            if paid >= self.amount:
                return settlement.date
        return None

    def days_overdue(self, as_of: datetime.date) -> int:
        """Days past due on `as_of` (zero or negative: not yet due)."""
        return (as_of - self.due).days


@dataclass(frozen=True)
class Movement:
    """One posting to a party's account, in the party's sense (positive: it owes more)."""

    date: datetime.date
    amount: Decimal
    currency: str
    entry: data.Transaction
    kind: Kind
    numbers: tuple[str, ...]

    @property
    def description(self) -> str:
        """Payee and narration, as a statement line shows them."""
        parts = [self.entry.payee or "", self.entry.narration or ""]
        return " ".join(part for part in parts if part)


@dataclass
class Credit:
    """A credit not applied to any item (unlinked payment left over, or an over-payment).

    `amount` is the credit as booked; a later item may use it up, or a refund pay it back
    (`applied`, of kind "refund"), so what is left on a given day is `open_amount(as_of)`.
    """

    party: str
    date: datetime.date
    amount: Decimal  # positive: what the party has to its credit
    currency: str
    entry: data.Transaction
    numbers: tuple[str, ...] = ()  # the invoice links of the payment, if any
    applied: list[Settlement] = field(default_factory=list)

    def open_amount(self, as_of: datetime.date | None = None) -> Decimal:
        """Return what is left of the credit at the end of `as_of` (all dates if None)."""
        used = sum((s.amount for s in self.applied if as_of is None or s.date <= as_of), ZERO)
        return self.amount - used


@dataclass
class Book:
    """The receivables (or payables) of one ledger."""

    side: Side
    parties: dict[str, Party]
    items: list[Item]
    movements: dict[str, list[Movement]]
    credits: list[Credit]

    @property
    def sign(self) -> int:
        """+1 for receivables (assets), -1 for payables (liabilities)."""
        return 1 if self.side == "receivables" else -1

    def party_items(self, account: str) -> list[Item]:
        """Return the items of one party, in date order."""
        return [item for item in self.items if item.party == account]

    def balance(self, account: str, as_of: datetime.date | None = None) -> dict[str, Decimal]:
        """Return the balance per currency at the end of `as_of`, in the party's sense."""
        totals: dict[str, Decimal] = {}
        for move in self.movements.get(account, ()):
            if as_of is not None and move.date > as_of:
                break
            totals[move.currency] = totals.get(move.currency, ZERO) + move.amount
        return totals

    def find_party(self, name: str) -> Party | None:
        """Find a party by account, last component or full name (exact, then case-blind)."""
        for party in self.parties.values():
            if name in (party.account, party.key, party.name):
                return party
        folded = name.casefold()
        for party in self.parties.values():
            if folded in (party.account.casefold(), party.key.casefold(), party.name.casefold()):
                return party
        return None


@dataclass(frozen=True)
class Settings:
    """Account roots and link prefixes, as the `receivables` plugin line configures them."""

    receivable: tuple[str, ...] = DEFAULT_RECEIVABLE
    payable: tuple[str, ...] = DEFAULT_PAYABLE
    invoice_prefix: str = "INV-"
    bill_prefix: str = "BILL-"


def settings_of(options_map: Options) -> Settings:
    """Read the roots and prefixes from the ledger's `receivables` plugin line, if any.

    A configuration the plugin rejects (it reports it) gives the defaults here.
    """
    plugin = plugin_settings_of(options_map)
    return Settings(
        receivable=plugin.receivable,
        payable=plugin.payable,
        invoice_prefix=plugin.invoice_prefix,
        bill_prefix=plugin.bill_prefix,
    )


def read_book(
    entries: Sequence[Directive], options_map: Options, side: Side = "receivables"
) -> Book:
    """Return the open items of the ledger's receivables (or payables)."""
    settings = settings_of(options_map)
    roots = settings.receivable if side == "receivables" else settings.payable
    prefix = settings.invoice_prefix if side == "receivables" else settings.bill_prefix
    sign = 1 if side == "receivables" else -1
    document = "invoice" if side == "receivables" else "bill"  # a posting's own number
    parties = _parties(entries, roots)
    book = Book(side, parties, [], {account: [] for account in parties}, [])
    pending = _Open()
    for entry in entries:
        if not isinstance(entry, data.Transaction) or is_revaluation(entry):
            continue
        numbers: tuple[str, ...] | None = None
        for posting in entry.postings:
            if posting.account not in parties:
                continue
            amount = units(posting)
            if amount is None:
                continue
            number, currency = amount[0] * sign, amount[1]
            if numbers is None:
                numbers = tuple(sorted(link for link in entry.links if link.startswith(prefix)))
            named = posting_number(posting, document, prefix)
            own = numbers if named is None else (named,)
            kind = _post(book, entry, posting.account, number, currency, own, pending)
            book.movements[posting.account].append(
                Movement(entry.date, number, currency, entry, kind, own)
            )
    book.items.sort(key=lambda item: (item.date, item.number or ""))
    return book


def _parties(entries: Iterable[Directive], roots: tuple[str, ...]) -> dict[str, Party]:
    found: dict[str, Party] = {}
    for entry in entries:
        if isinstance(entry, data.Open) and entry.account.startswith(roots):
            meta = dict(entry.meta or {})
            found[entry.account] = Party(
                entry.account, entry.date, meta, tuple(entry.currencies or ())
            )
    return found


@dataclass
class _Open:
    """What `read_book` keeps while it walks the entries: the items and credits still open."""

    by_number: dict[str, Item] = field(default_factory=dict)
    charges: dict[tuple[str, str], list[Item]] = field(default_factory=dict)  # unlinked, open
    credits: dict[tuple[str, str], list[Credit]] = field(default_factory=dict)  # unapplied


def _post(
    book: Book,
    entry: data.Transaction,
    account: str,
    number: Decimal,
    currency: str,
    numbers: tuple[str, ...],
    pending: _Open,
) -> Kind:
    """Book one posting as a new item or a settlement; return what kind of movement it is."""
    if number > 0:
        return _charge(book, entry, account, number, currency, numbers, pending)
    credit = -number
    kind: Kind = "payment" if moves_money(entry, account) else "credit"
    by_number = pending.by_number
    if numbers:
        targets = [
            by_number[n]
            for n in numbers
            if n in by_number
            and by_number[n].party == account
            and by_number[n].currency == currency
        ]
        targets.sort(key=lambda item: item.date)
    else:
        targets = pending.charges.get((account, currency), [])
    for item in targets:
        share = min(credit, item.open_amount())
        if share > 0:
            item.settlements.append(Settlement(entry.date, share, entry, kind))
            credit -= share
        if credit == 0:
            break
    if not numbers and targets:
        targets[:] = [item for item in targets if item.open_amount() > 0]
    if credit > 0:
        left = Credit(account, entry.date, credit, currency, entry, numbers)
        book.credits.append(left)
        pending.credits.setdefault((account, currency), []).append(left)
        if not numbers:
            return "unapplied"
    return kind


def _charge(
    book: Book,
    entry: data.Transaction,
    account: str,
    number: Decimal,
    currency: str,
    numbers: tuple[str, ...],
    pending: _Open,
) -> Kind:
    """Book a charge: a new invoice, a second posting of one, a refund, or an unlinked charge."""
    party = book.parties[account]
    kind: Kind = "charge"
    if len(numbers) == 1:
        known = pending.by_number.get(numbers[0])
        if known is None:
            due, due_from = _due(entry, party)
            item = Item(account, numbers[0], entry.date, due, number, currency, entry)
            item.due_from = due_from
            pending.by_number[numbers[0]] = item
            book.items.append(item)
            _apply_credits(pending, item, linked=True)
            return "invoice"
        if known.entry is entry and known.party == account:
            known.amount += number  # two postings of one invoice to the same party
            _apply_credits(pending, known, linked=True)
            return "invoice"
        if known.entry is not entry and moves_money(entry, account):
            left = _refund(pending, entry, account, number, currency, numbers[0])
            if left == 0:
                return "refund"
            kind, number = ("refund" if left < number else "charge"), left
    due, due_from = _due(entry, party)
    item = Item(account, None, entry.date, due, number, currency, entry)
    item.due_from = due_from
    book.items.append(item)
    _apply_credits(pending, item, linked=False)
    if item.open_amount() > 0:
        pending.charges.setdefault((account, currency), []).append(item)
    return kind


def _refund(
    pending: _Open,
    entry: data.Transaction,
    account: str,
    number: Decimal,
    currency: str,
    invoice: str,
) -> Decimal:
    """Pay back the credits kept with an invoice's number, oldest first; return what is left."""
    waiting = pending.credits.get((account, currency))
    if not waiting:
        return number
    left = number
    for credit in waiting:
        if invoice in credit.numbers:
            share = min(credit.open_amount(), left)
            if share > 0:
                credit.applied.append(Settlement(entry.date, share, entry, "refund"))
                left -= share
            if left == 0:
                break
    waiting[:] = [credit for credit in waiting if credit.open_amount() > 0]
    return left


def _apply_credits(pending: _Open, item: Item, *, linked: bool) -> None:
    """Settle a new item from the party's unapplied credits, oldest first, on the item's date.

    An invoice takes the credits of payments linked to its number (prepayments); an unlinked
    charge takes the credits of unlinked payments.
    """
    waiting = pending.credits.get((item.party, item.currency))
    if not waiting:
        return
    for credit in waiting:
        if (item.number in credit.numbers) if linked else not credit.numbers:
            share = min(credit.open_amount(), item.open_amount())
            if share > 0:
                kind: Kind = "payment" if moves_money(credit.entry, item.party) else "credit"
                settlement = Settlement(item.date, share, credit.entry, kind)
                credit.applied.append(settlement)
                item.settlements.append(settlement)
            if item.open_amount() == 0:
                break
    waiting[:] = [credit for credit in waiting if credit.open_amount() > 0]


def _due(entry: data.Transaction, party: Party) -> tuple[datetime.date, DueFrom]:
    """Return an item's due date and where it comes from (see the module docstring)."""
    due = (entry.meta or {}).get("due")
    if isinstance(due, datetime.date):
        return due, "due"
    if party.terms_days is not None:
        return entry.date + datetime.timedelta(days=party.terms_days), "terms"
    return entry.date, "date"
