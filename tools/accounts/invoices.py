"""Invoices and bills by command: their numbers, line items and VAT, and an invoice as a document.

An invoice written by `beanfirm invoice new` is an open item of `openitems` like any other: a
transaction linked `^INV-<year>-<serial>`, with `due:` metadata, charging the customer's
receivable account. It also carries what the document needs and the ledger does not say:
its line items as `item-1:`, `item-2:` ... metadata (`"description:quantity:unit price"`, the
form `--item` takes) and, for a VAT payer, `vat-rate:`. Bills mirror this on payables.

Numbers: one running serial per client and prefix, the year of the invoice in front
(`INV-2026-0085` follows `INV-2025-0084`), the next after the highest the ledger holds, so
that no number is skipped or given twice (the job computes it under the client's lock).

VAT: a VAT payer's invoice books the amount before VAT to revenue and the VAT to the output
VAT account (销项税额), a bill to the input VAT account (进项税额); both are sub-accounts of
应交税费—应交增值税 in the Chinese chart and of Liabilities:Tax:Sales in the English one.
Line item prices are before VAT; a total given alone (`--amount`) includes it.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import TYPE_CHECKING, Literal

from beancount.core import data

from beanfirm.accounts.customers import CODED_CHART
from beanfirm.errors import UsageError
from beanfirm.plugins.postings import TAX_ROOTS
from beanfirm.store.registry import parse_rate

if TYPE_CHECKING:
    from collections.abc import Collection, Iterable, Sequence

    from beanfirm.accounts.openitems import Book, Item, Party, Settlement
    from beanfirm.core.beans import Directive, Meta

CENT = Decimal("0.01")
ZERO = Decimal(0)
Document = Literal["invoice", "bill"]
Chart = Literal["cn", "en"]

# The account the VAT of each document goes to, per chart; opened by the job when missing.
VAT_ACCOUNTS: dict[tuple[Chart, Document], str] = {
    ("cn", "invoice"): "Liabilities:2221-应交税费:应交增值税:销项税额",
    ("cn", "bill"): "Liabilities:2221-应交税费:应交增值税:进项税额",
    ("en", "invoice"): "Liabilities:Tax:Sales:Output",
    ("en", "bill"): "Liabilities:Tax:Sales:Input",
}
# The revenue (invoice) or cost (bill) account when --account is not given.
DEFAULT_COUNTER: dict[tuple[Chart, Document], str] = {
    ("cn", "invoice"): "Income:5001-主营业务收入",
    ("cn", "bill"): "Expenses:5401-主营业务成本",
    ("en", "invoice"): "Income:Sales",
    ("en", "bill"): "Expenses:Cost-of-Sales",
}
ITEM_KEY = re.compile(r"^item-(\d+)$")
SERIAL_END = re.compile(r"(\d+)$")  # the running serial that ends a document number
FULL_WIDTH_COLON = "\uff1a"


@dataclass(frozen=True)
class LineItem:
    """One line of an invoice: what, how many, at what unit price before VAT."""

    description: str
    quantity: Decimal
    price: Decimal

    @property
    def amount(self) -> Decimal:
        """Quantity times unit price, to the cent."""
        return money(self.quantity * self.price)

    @property
    def text(self) -> str:
        """The line as `--item` takes it and `item-N:` metadata holds it."""
        return f"{self.description}:{self.quantity}:{self.price}"


@dataclass(frozen=True)
class Split:
    """An invoice's total split into the amount before VAT and the VAT."""

    net: Decimal
    vat: Decimal
    rate: Decimal | None  # None: no VAT split (the client is no VAT payer)

    @property
    def total(self) -> Decimal:
        """What the customer owes: before VAT plus VAT (价税合计)."""
        return self.net + self.vat


def money(number: Decimal) -> Decimal:
    """Round to the cent, halves away from zero (as invoices do)."""
    return number.quantize(CENT, rounding=ROUND_HALF_UP)


def cents(amount: Decimal, option: str) -> Decimal:
    """Return an amount to the cent (`5000` is `5000.00`); refuse one with smaller units."""
    if amount != amount.quantize(CENT):
        msg = f"{option} {amount} has more than two decimals; give the amount in cents, like 12.35."
        raise UsageError(msg)
    return amount.quantize(CENT)


def parse_item(text: str) -> LineItem:
    """Read `--item "description:quantity:unit price"`; the description may hold colons.

    Full-width colons (U+FF1A, as a Chinese input method types them) separate the parts too
    when the text has fewer than two ASCII ones.
    """
    separated = text if text.count(":") >= 2 else text.replace(FULL_WIDTH_COLON, ":")  # noqa: PLR2004
    parts = separated.rsplit(":", 2)
    problem = None
    if len(parts) != 3 or not parts[0].strip():  # noqa: PLR2004 - description, quantity, price
        problem = "it needs three parts"
    else:
        try:
            quantity, price = Decimal(parts[1].replace(",", "")), Decimal(parts[2].replace(",", ""))
        except InvalidOperation:
            problem = "its quantity and unit price must be numbers"
        else:
            if not (quantity.is_finite() and price.is_finite()) or quantity <= 0 or price < 0:
                problem = "its quantity must be above 0 and its unit price 0 or more"
            else:
                return LineItem(parts[0].strip(), quantity, price)
    msg = (
        f"--item '{text}' cannot be read: {problem}. Write it as \"description:quantity:unit "
        'price", the price before VAT, like --item "咨询服务:2:5000.00".'
    )
    raise UsageError(msg)


def items_of(meta: Meta | None) -> list[LineItem]:
    """Return an entry's line items (`item-1:`, `item-2:` ...), in their order.

    A value that does not read as a line item is kept as a line with its text as the
    description and no quantity, so that nothing written on an invoice goes missing.
    """
    found: list[tuple[int, LineItem]] = []
    for key, value in (meta or {}).items():
        matched = ITEM_KEY.match(str(key))
        if matched is None:
            continue
        try:
            item = parse_item(str(value))
        except UsageError:
            item = LineItem(str(value), ZERO, ZERO)
        found.append((int(matched.group(1)), item))
    return [item for _, item in sorted(found, key=lambda pair: pair[0])]


def split_vat(total: Decimal | None, items: Sequence[LineItem], rate: Decimal | None) -> Split:
    """Split an invoice into its amount before VAT and its VAT; refuse totals that disagree.

    With line items, the amount before VAT is their sum and the VAT is charged on it; a total
    given as well must equal the result. Without, the total includes the VAT.
    """
    factor = rate or ZERO
    if items:
        net = sum((item.amount for item in items), ZERO)
        split = Split(net, money(net * factor), rate)
        if total is not None and total != split.total:
            msg = (
                f"--amount {total} does not agree with the line items: they add up to {net}"
                + (f" before VAT, {split.total} with {percent(factor)} VAT" if rate else "")
                + ". Leave --amount out, or correct it or the items."
            )
            raise UsageError(msg)
    elif total is None:
        msg = "Give the invoice's total with --amount, or its lines with --item."
        raise UsageError(msg)
    else:
        net = money(total / (1 + factor))
        split = Split(net, total - net, rate)
    if split.total <= 0:
        msg = f"The total is {split.total}; an invoice or bill must be for more than 0."
        raise UsageError(msg)
    return split


def percent(rate: Decimal) -> str:
    """Write a rate as a percentage: `13%`, `5.5%`."""
    text = f"{(rate * 100).normalize():f}"
    return f"{text}%"


def chart_of(opened: Collection[str]) -> Chart:
    """Tell a Chinese chart (account codes in its names) from the English one."""
    return "cn" if any(CODED_CHART.match(account) for account in opened) else "en"


def next_number(entries: Iterable[Directive], prefix: str, date: datetime.date) -> str:
    """Return the next number of a client's series: `<prefix><year>-<serial + 1>`."""
    pattern = re.compile(rf"^{re.escape(prefix)}\d{{4}}-(\d+)$")
    highest = 0
    for entry in entries:
        if isinstance(entry, data.Transaction) and entry.links:
            for link in entry.links:
                found = pattern.match(link)
                if found is not None:
                    highest = max(highest, int(found.group(1)))
    return f"{prefix}{date.year}-{highest + 1:04d}"


@dataclass(frozen=True)
class InvoiceDocument:
    """An invoice as its document shows it: lines, totals, VAT, what was paid and is owed."""

    item: Item
    party: Party
    lines: tuple[LineItem, ...]
    net: Decimal
    vat: Decimal
    rate: Decimal | None
    as_of: datetime.date

    @property
    def number(self) -> str:
        """The invoice number."""
        return self.item.number or ""

    @property
    def total(self) -> Decimal:
        """What the invoice charges, VAT included."""
        return self.item.amount

    @property
    def payments(self) -> list[Settlement]:
        """The payments and credit notes applied to it up to `as_of`."""
        return [s for s in self.item.settlements if s.date <= self.as_of]

    @property
    def paid(self) -> Decimal:
        """What was paid or credited on it up to `as_of`."""
        return self.item.paid(self.as_of)

    @property
    def outstanding(self) -> Decimal:
        """What is still owed at the end of `as_of`."""
        return self.item.open_amount(self.as_of)


def find_item(book: Book, number: str, client_id: str) -> Item:
    """Return the invoice or bill numbered `number`, or raise UsageError saying what to do."""
    for item in book.items:
        if item.number == number:
            return item
    # By the running serial at the end (one series across years: INV-2027-0276 comes before
    # INV-2026-0297 when that was issued later); as text, the year decided.
    numbers = sorted(
        (item.number for item in book.items if item.number),
        key=lambda number: (int(found[1]) if (found := SERIAL_END.search(number)) else -1, number),
    )
    known = f"its numbers run from {numbers[0]} to {numbers[-1]}" if numbers else "it has none"
    what, report = ("invoice", "") if book.side == "receivables" else ("bill", " --payables")
    msg = (
        f"Client {client_id} has no {what} {number} ({known}). Check the number: "
        f"`beanfirm aging {client_id}{report}` lists the open ones."
    )
    raise UsageError(msg)


def invoice_document(book: Book, item: Item, as_of: datetime.date) -> InvoiceDocument:
    """Return an invoice's document: its VAT from its postings, its lines from its metadata."""
    party = book.parties[item.party]
    vat = ZERO
    for posting in item.entry.postings:
        if posting.account.startswith(TAX_ROOTS) and posting.units is not None:
            number = posting.units.number
            if isinstance(number, Decimal) and posting.units.currency == item.currency:
                vat -= number * book.sign
    rate_text = (item.entry.meta or {}).get("vat-rate")
    rate = parse_rate(rate_text) if isinstance(rate_text, str) else None
    lines = tuple(items_of(item.entry.meta))
    return InvoiceDocument(item, party, lines, item.amount - vat, vat, rate, as_of)
