"""Invoices and bills agree with their payments; customers stay within their credit limits.

Receivables are the accounts under `Assets:Receivable:` and `Assets:1122-应收账款:`, payables
those under `Liabilities:Payable:` and `Liabilities:2202-应付账款:` (one account per customer or
vendor; the roots are configurable). An invoice is a transaction that charges a receivable and
carries a link `^INV-…` and `due:` metadata; a payment (or a credit note) carries the same link
and reduces the receivable. Bills mirror invoices on payables, with `^BILL-…`.

What it checks (errors unless said otherwise):

1. An invoice has a `due:` date, on or after its own date, and exactly one invoice link. An
   invoice carried in from earlier books (`invoice-date:` metadata, as `beanfirm opening`
   writes it) is booked on the opening date and may fall due before it, not before its
   `invoice-date:`.
2. An invoice number is booked once.
3. A payment names a known invoice, on the same account and in the same currency. A payment
   linked to several invoices says what each posting pays with posting metadata `invoice:`
   (`bill:` on payables) naming one of the transaction's links; a posting without it is applied
   to the invoices it is linked to oldest first.
4. Payments never exceed their invoice: an over-payment is reported on the payment that
   crosses the invoice's amount, unless a refund pays the excess back. A refund is a second
   charge of the account with the invoice's link that moves money (the bank pays the customer
   back); it pays back at most what was paid or credited on the invoice beyond its amount. Any
   other second charge with the number is the invoice booked twice (2).
5. A customer's open balance above the `credit-limit` on its `open` directive is reported on the
   entry that last took it over the limit, while it is still over: a `ReceivablesWarning` by
   default (configurable). A `credit-limit` that is not an amount is an error.

Postings to these accounts without any invoice or bill link are left to the `categorized` plugin,
which requires the link. The month-end revaluation (`#revaluation`, docs/close.md) restates a
foreign balance in the client's currency: no one's invoice or payment, it is left out.

Configuration (a Python dict literal, every key optional; see docs/plugins/receivables.md):
`receivable` and `payable` (lists of account prefixes), `invoice-prefix` ('INV-'),
`bill-prefix` ('BILL-'), `credit-limit` ('warning', 'error' or 'ignore').
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple

from beancount.core import data
from beancount.core.amount import Amount

from beanfirm.core.beans import Entries, Options
from beanfirm.plugins.config import ConfigReader, plugin
from beanfirm.plugins.postings import is_revaluation, moves_money, units
from beanfirm.plugins.severity import (
    Finding,
    ReceivablesError,
    ReceivablesWarning,
    location,
    source_of,
)

__plugins__ = ("receivables",)

MODULE = "beanfirm.plugins.receivables"
KEYS = ("receivable", "payable", "invoice-prefix", "bill-prefix", "credit-limit")
DEFAULT_RECEIVABLE = ("Assets:Receivable:", "Assets:1122-应收账款:")
DEFAULT_PAYABLE = ("Liabilities:Payable:", "Liabilities:2202-应付账款:")
ZERO = Decimal(0)


@dataclass(frozen=True)
class Settings:
    """The validated configuration."""

    receivable: tuple[str, ...]
    payable: tuple[str, ...]
    invoice_prefix: str
    bill_prefix: str
    credit_limit: str


@dataclass(frozen=True)
class Side:
    """Receivables or payables: the link prefix, the word for a document and the sign."""

    prefix: str
    document: str
    sign: int  # +1: a charge raises the balance (receivables); -1: it lowers it (payables)


class _Leg(NamedTuple):
    """A posting to a receivable or payable: positive `amount` charges, negative settles."""

    entry: data.Transaction
    account: str
    amount: Decimal
    currency: str
    side: Side
    numbers: tuple[str, ...]


@dataclass
class _Credit:
    """What a payment (or credit note) paid beyond its invoices, until refunded."""

    payment: _Leg
    numbers: tuple[str, ...]  # the invoices it paid
    total: Decimal  # their amount
    left: Decimal  # not refunded yet


@dataclass
class _Documents:
    """The invoices and bills booked so far (their charging leg) and how much each is paid.

    `paid` never exceeds an invoice's amount: what a payment paid beyond it is a credit, in
    ledger order, that refunds linked to the invoice pay back.
    """

    charges: dict[str, _Leg] = field(default_factory=dict)
    paid: dict[str, Decimal] = field(default_factory=dict)
    credits: list[_Credit] = field(default_factory=list)


@dataclass(slots=True)
class _Exposure:
    """A customer's running balance against its credit limit."""

    limit: Decimal
    currency: str
    open: data.Open
    balance: Decimal = ZERO
    over_since: data.Transaction | None = None
    peak: Decimal = ZERO
    sign: int = 1


def read_settings(config: str | None) -> tuple[Settings, list[str]]:
    """Validate the configuration string; return the settings and every problem."""
    reader = ConfigReader(config, KEYS)
    settings = Settings(
        receivable=reader.strings("receivable", DEFAULT_RECEIVABLE),
        payable=reader.strings("payable", DEFAULT_PAYABLE),
        invoice_prefix=reader.text("invoice-prefix", "INV-"),
        bill_prefix=reader.text("bill-prefix", "BILL-"),
        credit_limit=reader.choice("credit-limit", "warning", ("warning", "error", "ignore")),
    )
    return settings, reader.problems


def settings_of(options_map: Options) -> Settings:
    """Return the settings of the ledger's own `receivables` plugin line, else the defaults.

    A configuration with problems (the plugin reports them) gives the defaults too. Other
    checks and reports read the roots here, so that a ledger sets them once, on this line.
    """
    for name, config in options_map.get("plugin", ()):
        if name == MODULE:
            settings, problems = read_settings(config)
            if not problems:
                return settings
            break
    return read_settings(None)[0]


@plugin(MODULE, read_settings)
def receivables(
    entries: Entries, options_map: Options, settings: Settings
) -> tuple[Entries, list[Finding]]:
    """Check invoices, payments and credit limits (see the module docstring)."""
    main_file = options_map.get("filename")
    findings: list[Finding] = []
    exposures = _exposures(entries, settings, findings)
    documents = _Documents()
    payments: list[_Leg] = []
    for leg in _legs(entries, settings, exposures, findings):
        if leg.amount > 0 and not _is_refund(documents, leg):
            findings.extend(_charge(documents, leg, main_file))
        else:
            payments.append(leg)  # payments, credit notes and refunds, in ledger order
    settled: list[Finding | _Credit] = []
    for payment in payments:
        if payment.amount > 0:
            settled.extend(_refund(documents, payment, main_file))
        else:
            settled.extend(_settle(documents, payment, main_file))
    for found in settled:  # an over-payment is reported where it was, unless refunded since
        if not isinstance(found, _Credit):
            findings.append(found)
        elif found.left > 0:
            findings.append(_over_payment(found))
    findings.extend(_over_limit(exposures, settings))
    return entries, findings


def _legs(
    entries: Entries,
    settings: Settings,
    exposures: dict[str, _Exposure],
    findings: list[Finding],
) -> Iterator[_Leg]:
    """Yield the linked postings to receivables and payables in order; run the exposures.

    A posting's own `invoice:` (`bill:`) metadata says which document it is for (see
    `posting_number`); a bad one is reported in `findings`.
    """
    sides: dict[str, Side | None] = {}
    for entry in entries:
        if not isinstance(entry, data.Transaction) or not (entry.links or exposures):
            continue
        if is_revaluation(entry):  # the client's currency restated: no one's invoice or payment
            continue
        for posting in entry.postings:
            # One pass over every posting of the ledger: kept flat, it is the plugin's cost.
            account = posting.account
            side = sides.get(account)
            if side is None:
                if account in sides:
                    continue
                side = sides[account] = _side(account, settings)
                if side is None:
                    continue
            amount = units(posting)
            if amount is None:
                continue
            if exposures and account in exposures:
                _expose(exposures[account], entry, *amount)
            numbers = _numbers(entry.links, side.prefix)
            meta = posting.meta
            if meta and side.document in meta:
                numbers = _attributed(entry, posting, side, numbers, findings)
            if numbers:
                yield _Leg(entry, account, amount[0] * side.sign, amount[1], side, numbers)


def _numbers(links: frozenset[str], prefix: str) -> tuple[str, ...]:
    """Return the document numbers among a transaction's links, sorted."""
    if len(links) == 1:  # the usual case, without building a list
        for link in links:
            return (link,) if link.startswith(prefix) else ()
    return tuple(sorted(link for link in links if link.startswith(prefix)))


def posting_number(posting: data.Posting, document: str, prefix: str) -> str | None:
    """Return the document a posting's own metadata names, if it names one.

    `document` is the key, `invoice` on receivables and `bill` on payables: a payment linked
    to several invoices says with it what each of its postings pays, like `invoice:
    "INV-2026-0002"`. A value that is not a number with the side's prefix names none.
    """
    named = posting.meta.get(document) if posting.meta else None
    return named if isinstance(named, str) and named.startswith(prefix) else None


def _attributed(
    entry: data.Transaction,
    posting: data.Posting,
    side: Side,
    numbers: tuple[str, ...],
    findings: list[Finding],
) -> tuple[str, ...]:
    """Return the numbers of a posting with its own `invoice:` (`bill:`); report a bad one."""
    key = side.document
    named = posting_number(posting, key, side.prefix)
    if named is None:
        value = (posting.meta or {}).get(key)
        shown = f'"{value}"' if isinstance(value, str) else str(value)
        findings.append(
            ReceivablesError(
                source_of(posting.meta),
                f"`{key}:` on this posting to {posting.account} is {shown}, not "
                f"{'an' if key == 'invoice' else 'a'} {key} number; write the number this "
                f'posting is for, as text, like `{key}: "{side.prefix}2026-0001"`.',
                entry,
            )
        )
        return numbers
    if named not in entry.links:
        findings.append(
            ReceivablesError(
                source_of(posting.meta),
                f'This posting to {posting.account} names {key} {named} (`{key}: "{named}"`), '
                f"but the transaction is not linked ^{named}; add the link, so that the {key} "
                "and its payments are found together, or correct the number.",
                entry,
            )
        )
    return (named,)


def _side(account: str, settings: Settings) -> Side | None:
    if account.startswith(settings.receivable):
        return Side(settings.invoice_prefix, "invoice", 1)
    if account.startswith(settings.payable):
        return Side(settings.bill_prefix, "bill", -1)
    return None


def _is_refund(documents: _Documents, leg: _Leg) -> bool:
    """Tell a refund from an invoice: a charge linked to a booked invoice that moves money."""
    if len(leg.numbers) != 1:
        return False
    known = documents.charges.get(leg.numbers[0])
    return (
        known is not None and known.entry is not leg.entry and moves_money(leg.entry, leg.account)
    )


def _charge(documents: _Documents, leg: _Leg, main_file: str | None) -> Sequence[Finding]:
    """Register an invoice (or bill); check its link, number and due date."""
    entry, side, numbers, charges = leg.entry, leg.side, leg.numbers, documents.charges
    if len(numbers) == 1 and numbers[0] not in charges:
        # The usual case, kept short: a new invoice with a proper due date.
        charges[numbers[0]] = leg
        due = entry.meta.get("due") if entry.meta else None
        if isinstance(due, datetime.date) and due >= issued(entry):
            return ()
        return _due_date(entry, numbers[0], side)
    if len(numbers) > 1:
        return [
            ReceivablesError(
                source_of(entry.meta),
                f"This {side.document} carries {len(numbers)} links ({', '.join(numbers)}); an "
                f"{side.document} has exactly one number: split it into one transaction per "
                f"{side.document}.",
                entry,
            )
        ]
    number = numbers[0]
    known = charges[number]
    if known.entry is entry and known.account == leg.account:
        # Two postings of one invoice to the same customer: one invoice.
        charges[number] = known._replace(amount=known.amount + leg.amount)
        return ()
    return [
        ReceivablesError(
            source_of(entry.meta),
            f"{side.document.capitalize()} {number} is booked twice (first at "
            f"{location(known.entry.meta, main_file)}); give this one its own number, or link a "
            f"payment or credit note to {number} so that it reduces the balance.",
            entry,
        )
    ]


def issued(entry: data.Transaction) -> datetime.date:
    """Return the day a document was issued: its `invoice-date:` if carried in, else its date."""
    carried = (entry.meta or {}).get("invoice-date")
    return carried if isinstance(carried, datetime.date) else entry.date


def _due_date(entry: data.Transaction, number: str, side: Side) -> list[Finding]:
    due = (entry.meta or {}).get("due")
    if isinstance(due, datetime.date) and due >= issued(entry):
        return []
    if due is None:
        return [
            ReceivablesError(
                source_of(entry.meta),
                f"{side.document.capitalize()} {number} has no due date; add `due: YYYY-MM-DD` "
                f"to the transaction (its date plus the terms-days on the {side.document}'s "
                "account).",
                entry,
            )
        ]
    if not isinstance(due, datetime.date):
        return [
            ReceivablesError(
                source_of(entry.meta),
                f"The due date of {side.document} {number} is {due!r}, not a date; write it "
                "without quotes, like `due: 2026-01-31`.",
                entry,
            )
        ]
    if due < issued(entry):
        return [
            ReceivablesError(
                source_of(entry.meta),
                f"{side.document.capitalize()} {number} falls due on {due}, before its own date "
                f"{issued(entry)}; correct the due date.",
                entry,
            )
        ]
    return []


def _settle(
    documents: _Documents, payment: _Leg, main_file: str | None
) -> Sequence[Finding | _Credit]:
    """Apply a payment to the invoices it names; report what does not add up.

    What it pays beyond them is returned as a credit, reported as an over-payment at the end
    unless a refund pays it back.
    """
    charges, paid = documents.charges, documents.paid
    if len(payment.numbers) == 1:
        # The usual case, kept short: one invoice, on this account, in this currency.
        number = payment.numbers[0]
        invoice = charges.get(number)
        if (
            invoice is not None
            and invoice.account == payment.account
            and invoice.currency == payment.currency
            and paid.get(number, ZERO) - payment.amount <= invoice.amount
        ):
            paid[number] = paid.get(number, ZERO) - payment.amount
            return ()
    matched, findings = _matched(documents, payment, "payment", main_file)
    if findings:
        return findings
    remaining = -payment.amount
    for number, invoice in sorted(matched, key=lambda match: match[1].entry.date):
        share = min(remaining, invoice.amount - paid.get(number, ZERO))
        paid[number] = paid.get(number, ZERO) + share
        remaining -= share
    if remaining <= 0:
        return ()
    numbers = tuple(number for number, _ in matched)
    total = sum((invoice.amount for _, invoice in matched), ZERO)
    credit = _Credit(payment, numbers, total, remaining)
    documents.credits.append(credit)
    return [credit]


def _matched(
    documents: _Documents, leg: _Leg, what: str, main_file: str | None
) -> tuple[list[tuple[str, _Leg]], list[Finding]]:
    """Return the invoices a payment or refund names, or what is wrong with them."""
    side, entry, account = leg.side, leg.entry, leg.account
    findings: list[Finding] = []
    matched: list[tuple[str, _Leg]] = []
    for number in leg.numbers:
        invoice = documents.charges.get(number)
        if invoice is None:
            findings.append(
                ReceivablesError(
                    source_of(entry.meta),
                    f"This {what} names {side.document} {number}, but no {side.document} "
                    f"{number} is booked (a transaction linked ^{number} charging the "
                    f"account); correct the link, or book the {side.document} first.",
                    entry,
                )
            )
        elif invoice.account != account:
            findings.append(
                ReceivablesError(
                    source_of(entry.meta),
                    f"This {what} of {side.document} {number} posts to {account}, but "
                    f"the {side.document} is on {invoice.account} "
                    f"({location(invoice.entry.meta, main_file)}); post it to {invoice.account}.",
                    entry,
                )
            )
        elif invoice.currency != leg.currency:
            findings.append(
                ReceivablesError(
                    source_of(entry.meta),
                    f"This {what} of {side.document} {number} is in "
                    f"{leg.currency}, but the {side.document} is in "
                    f"{invoice.currency}; {'pay' if what == 'payment' else what} it in "
                    f"{invoice.currency}, converting with a price (@) on the bank posting if "
                    "needed.",
                    entry,
                )
            )
        else:
            matched.append((number, invoice))
    return matched, findings


def _over_payment(credit: _Credit) -> Finding:
    """Report what a payment paid beyond its invoices and no refund paid back."""
    payment, side = credit.payment, credit.payment.side
    names, currency, document = ", ".join(credit.numbers), payment.currency, side.document
    one = len(credit.numbers) == 1
    what = f"{document} {names} is" if one else f"{document}s {names} are"
    of = "its amount" if one else "their total"
    return ReceivablesError(
        source_of(payment.entry.meta),
        f"Over-payment: with this payment {what} paid {credit.left} {currency} more than "
        f"{of} of {credit.total} {currency}; correct the amount, link the excess to the "
        f"{document} it belongs to, book it as an advance, or book its refund linked to the "
        f"{document}.",
        payment.entry,
    )


def _refund(documents: _Documents, refund: _Leg, main_file: str | None) -> Sequence[Finding]:
    """Pay back what was paid beyond an invoice; report a refund of more than that."""
    matched, findings = _matched(documents, refund, "refund", main_file)
    if findings:
        return findings
    [(number, invoice)] = matched
    left = refund.amount
    for credit in documents.credits:
        if credit.left and number in credit.numbers:
            share = min(credit.left, left)
            credit.left -= share
            left -= share
            if not left:
                return ()
    side, currency = refund.side, refund.currency
    document, amount, beyond = side.document, invoice.amount, refund.amount - left
    what = f"This refund of {document} {number} pays back {refund.amount} {currency}, but "
    another = f"if this is another {document}, give it its own number."
    why = (
        f"only {beyond} {currency} was paid or credited on it beyond its amount of {amount} "
        f"{currency}; refund at most {beyond} {currency}, or, {another}"
        if beyond
        else f"nothing was paid or credited on it beyond its amount of {amount} {currency} "
        f"for a refund to pay back; correct the link, or, {another}"
    )
    return [ReceivablesError(source_of(refund.entry.meta), what + why, refund.entry)]


def _exposures(
    entries: Entries, settings: Settings, findings: list[Finding]
) -> dict[str, _Exposure]:
    """Read the credit limits from the `open` directives of receivable and payable accounts."""
    found: dict[str, _Exposure] = {}
    for entry in entries:
        if not isinstance(entry, data.Open) or "credit-limit" not in (entry.meta or {}):
            continue
        if not entry.account.startswith((*settings.receivable, *settings.payable)):
            continue
        limit = entry.meta["credit-limit"]
        if not isinstance(limit, Amount) or not isinstance(limit.number, Decimal):
            findings.append(
                ReceivablesError(
                    source_of(entry.meta),
                    f"credit-limit of {entry.account} is {limit!r}, not an amount; write it with "
                    "its currency, like `credit-limit: 200000.00 CNY`.",
                    entry,
                )
            )
            continue
        sign = 1 if entry.account.startswith(settings.receivable) else -1
        found[entry.account] = _Exposure(limit.number, str(limit.currency), entry, sign=sign)
    return found


def _expose(exposure: _Exposure, entry: data.Transaction, number: Decimal, currency: str) -> None:
    if currency != exposure.currency:
        return
    exposure.balance += number * exposure.sign
    if exposure.balance > exposure.limit:
        if exposure.over_since is None:
            exposure.over_since, exposure.peak = entry, exposure.balance
        exposure.peak = max(exposure.peak, exposure.balance)
    else:
        exposure.over_since = None


def _over_limit(exposures: dict[str, _Exposure], settings: Settings) -> list[Finding]:
    if settings.credit_limit == "ignore":
        return []
    kind = ReceivablesError if settings.credit_limit == "error" else ReceivablesWarning
    findings: list[Finding] = []
    for account, exposure in exposures.items():
        entry = exposure.over_since
        if entry is None:
            continue
        limit, currency = exposure.limit, exposure.currency
        peak = (
            f" (it reached {exposure.peak} {currency})" if exposure.peak > exposure.balance else ""
        )
        findings.append(
            kind(
                source_of(entry.meta),
                f"{account} went over its credit limit of {limit} {currency} with this entry "
                f"and is still over it: the open balance is {exposure.balance} {currency}{peak}; "
                "collect what is due before selling more on credit, or raise credit-limit on its "
                "open directive.",
                entry,
            )
        )
    return findings
