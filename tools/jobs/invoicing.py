"""Recording invoices, bills and their payments in a client's ledger, each in one commit.

`record_document` books an invoice (or bill) numbered next in the client's series, due by the
customer's terms unless given, its VAT split for a VAT payer, its line items as metadata;
`record_payment` books a payment or part payment linked to one. Everything the command line
can get wrong is refused before anything is written; the number and the open amount are read
under the client's lock, so that two writes at once cannot take one number or overpay one
invoice. The write is `write_client`'s: atomic, checked with the client's plugins, one commit.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Never

from beancount.core import data

from beanfirm.accounts.customers import select_party
from beanfirm.accounts.invoices import (
    DEFAULT_COUNTER,
    VAT_ACCOUNTS,
    Chart,
    Document,
    LineItem,
    Split,
    cents,
    chart_of,
    find_item,
    next_number,
    percent,
    split_vat,
)
from beanfirm.accounts.openitems import Book, DueFrom, Party, Side, read_book, settings_of
from beanfirm.core import paths
from beanfirm.core.journal import Posting, Txn, quote, txn_text
from beanfirm.core.monthfiles import NewEntry, merge_entries
from beanfirm.errors import UsageError, relative_to
from beanfirm.jobs.clientcheck import write_client
from beanfirm.review.locks import locked_through
from beanfirm.rules.rulesfile import Scope, read_rules_file
from beanfirm.store.ledger import Ledger, load_ledger, parse_ledger
from beanfirm.store.writes import Planned, Written

if TYPE_CHECKING:
    from beanfirm.core.beans import Directive
    from beanfirm.store.gitrepo import Author, PracticeRepo
    from beanfirm.store.practice import Practice
    from beanfirm.store.registry import Client

ZERO = Decimal(0)
SIDES: dict[Document, Side] = {"invoice": "receivables", "bill": "payables"}
PARTY_WORD: dict[Document, str] = {"invoice": "customer", "bill": "supplier"}
ARTICLED: dict[Document, str] = {"invoice": "an invoice", "bill": "a bill"}
NARRATIONS: dict[tuple[str, str], str] = {
    ("invoice", "zh"): "销售 {number}",
    ("invoice", "en"): "Invoice {number}",
    ("bill", "zh"): "采购 {number}",
    ("bill", "en"): "Bill {number}",
    ("receivables", "zh"): "收到货款 {number}",
    ("receivables", "en"): "Payment received {number}",
    ("payables", "zh"): "支付货款 {number}",
    ("payables", "en"): "Payment {number}",
}
BALANCE_SHEET = ("Assets:", "Liabilities:")


@dataclass(frozen=True)
class NewDocument:
    """An invoice or bill to record, as the command line gives it."""

    kind: Document
    party: str  # the customer's (supplier's) account, its last component or its name
    date: datetime.date
    amount: Decimal | None = None  # the total, VAT included; None: the sum of the items
    due: datetime.date | None = None  # None: the date plus the party's terms-days
    items: tuple[LineItem, ...] = ()
    vat_rate: Decimal | None = None  # None: the client's `vat-rate`
    account: str | None = None  # revenue (invoice) or cost (bill); None: the chart's default
    narration: str | None = None


@dataclass(frozen=True)
class Recorded:
    """What `record_document` booked, for its report."""

    number: str
    party: str
    date: datetime.date
    due: datetime.date
    due_from: DueFrom
    split: Split
    currency: str
    account: str
    vat_account: str | None
    notes: tuple[str, ...] = ()  # what the user should put right, said after the write


@dataclass(frozen=True)
class NewPayment:
    """A payment of an invoice, or of a bill, as the command line gives it."""

    number: str
    amount: Decimal
    date: datetime.date
    account: str  # where the money came in or went out (a bank account)
    narration: str | None = None


@dataclass(frozen=True)
class Paid:
    """What `record_payment` booked, for its report."""

    number: str
    party: str
    amount: Decimal
    currency: str
    total: Decimal
    outstanding: Decimal  # after this payment


def _refuse(client: Client, what: str, why: str) -> Never:
    msg = f"Cannot record {what} for client '{client.id}': {why} Nothing was written."
    raise UsageError(msg)


def _opens(entries: list[Directive]) -> dict[str, data.Open]:
    return {entry.account: entry for entry in entries if isinstance(entry, data.Open)}


def _closed(entries: list[Directive]) -> set[str]:
    return {entry.account for entry in entries if isinstance(entry, data.Close)}


def _refuse_future(client: Client, what: str, day: datetime.date) -> None:
    """Refuse a date after today: an invoice is issued, and money moves, on a day that came."""
    today = datetime.date.today()  # noqa: DTZ011 - the firm's calendar day
    if day > today:
        _refuse(
            client,
            what,
            f"it is dated {day}, after today ({today}). Give the day it was issued or paid "
            "(--date), once that day has come.",
        )


def _refuse_locked(client: Client, what: str, entries: list[Directive], day: datetime.date) -> None:
    """Refuse a date in a locked (closed) period, naming the lock and how to reopen."""
    through = locked_through(entries)
    if through is not None and day <= through:
        _refuse(
            client,
            what,
            f"the books through {through} are locked (closed), and {day} falls in them. "
            "Date it after the lock, or have a partner reopen the period first "
            "(`beanfirm reopen`, docs/lock.md).",
        )


def _party(ledger: Ledger, book: Book, client: Client, new: NewDocument) -> Party:
    """Find the customer (supplier), or refuse with the root to open it under."""
    party = book.find_party(new.party)
    if party is not None:
        return party
    other: Side = "payables" if book.side == "receivables" else "receivables"
    if read_book(ledger.entries, ledger.options, other).find_party(new.party) is not None:
        command = "bill new" if new.kind == "invoice" else "invoice new"
        _refuse(
            client,
            ARTICLED[new.kind],
            f"'{new.party}' is a {PARTY_WORD['bill' if new.kind == 'invoice' else 'invoice']}, "
            f"not a {PARTY_WORD[new.kind]}: record it with `beanfirm {command}`.",
        )
    try:
        return select_party(ledger, book, new.party, client.id)
    except UsageError as exc:
        hint = (
            f" `beanfirm customers add {client.id} {new.party}` opens it for you."
            if new.kind == "invoice"
            else ""
        )
        _refuse(client, ARTICLED[new.kind], f"{exc}{hint}")


def _start(opens: dict[str, data.Open]) -> datetime.date:
    return min(entry.date for entry in opens.values())


def _appended(text: str, block: str) -> str:
    if text and not text.endswith("\n"):
        text += "\n"
    return text + ("\n" if text.strip() else "") + block


def _month_text(
    practice: Practice, client: Client, day: datetime.date, text: str
) -> tuple[str, bytes]:
    month_file = paths.month_file(client.id, day)
    path = practice.root / month_file
    old = path.read_text(encoding="utf-8") if path.exists() else None
    merged = merge_entries(old, day.replace(day=1), [NewEntry(day, False, text)])  # noqa: FBT003
    return month_file, merged.encode()


def _counter_account(
    client: Client, new: NewDocument, ledger: Ledger, party: Party, chart: Chart
) -> str:
    """Return the revenue (cost) account to book to, or refuse one the ledger does not open."""
    account = new.account or DEFAULT_COUNTER[chart, new.kind]
    opens = _opens(ledger.entries)
    # An invoice's revenue is income; a bill's cost an expense, or an asset bought (stock, a
    # machine), never money itself: a bank account there booked the bank down, no revenue.
    funding = {funding.account for funding in client.accounts}
    fits = (
        account.startswith("Income:")
        if new.kind == "invoice"
        else account.startswith("Expenses:")
        or (account.startswith("Assets:") and account not in funding)
    )
    if not fits:
        what = (
            "an Income: account"
            if new.kind == "invoice"
            else "an Expenses: account, or the Assets: account of what was bought"
        )
        _refuse(
            client,
            ARTICLED[new.kind],
            f"--account {account} is not where {'revenue' if new.kind == 'invoice' else 'a cost'}"
            f" is booked. Give {what}.",
        )
    if account not in opens or account in _closed(ledger.entries) or account == party.account:
        root = "Income:" if new.kind == "invoice" else "Expenses:"
        _refuse(
            client,
            ARTICLED[new.kind],
            f"{account} is not an open account of the ledger to book the "
            f"{'revenue' if new.kind == 'invoice' else 'cost'} to. Give --account with "
            f"an {root} account that {paths.accounts_file(client.id)} opens.",
        )
    return account


def _vat_account(ledger: Ledger, chart: Chart, kind: Document) -> tuple[str, bool]:
    """Return the account for a document's VAT, and whether the write must open it.

    The sub-account (销项税额, 进项税额) when the chart opens it, or can: a chart that already
    posts to its parent (the demo's books post VAT to 应交增值税 itself) keeps doing so,
    since a parent with a sub-account is a heading that takes no postings.
    """
    account = VAT_ACCOUNTS[chart, kind]
    if account in _opens(ledger.entries):
        return account, False
    parent = account.rsplit(":", 1)[0]
    for entry in ledger.entries:
        if isinstance(entry, data.Transaction) and any(
            posting.account == parent for posting in entry.postings
        ):
            return parent, False
    return account, True


def _rules_on(practice: Practice, client: Client, vat_account: str) -> tuple[str, ...]:
    """Name the categorization rules that book to the parent of a VAT account being opened.

    Once the sub-account is open, the parent is a heading that takes no postings, so an
    import that such a rule books would be refused by the `categorized` plugin.
    """
    parent = vat_account.rsplit(":", 1)[0]
    client_rules = f"{paths.client_folder(client.id)}/{paths.RULES}"
    files: tuple[tuple[str, Scope], ...] = ((paths.RULES, "firm"), (client_rules, "client"))
    notes = []
    for name, scope in files:
        rules, _problems = read_rules_file(practice.root / name, name, scope=scope)
        notes += [
            f"rule {rule.label()} books to {parent}, which is now a heading (it has "
            f"{vat_account} under it) and takes no postings; point the rule at one of its "
            "sub-accounts before the next import."
            for rule in rules.rules
            if rule.account == parent
        ]
    return tuple(notes)


def _plan_document(
    practice: Practice, client: Client, new: NewDocument, split: Split
) -> Planned[Recorded]:
    """Plan an invoice's (bill's) files under the client's lock: number, due date, entry."""
    what = ARTICLED[new.kind]
    ledger = parse_ledger(practice.main_file(client.id))
    opens = _opens(ledger.entries)
    book = read_book(ledger.entries, ledger.options, SIDES[new.kind])
    party = _party(ledger, book, client, new)
    _refuse_future(client, what, new.date)
    _refuse_locked(client, what, ledger.entries, new.date)
    if new.date < party.opened:
        where = relative_to(party.location, practice.root)
        _refuse(client, what, f"{party.account} opens on {party.opened} ({where}), after it.")
    chart = chart_of(opens)
    account = _counter_account(client, new, ledger, party, chart)
    settings = settings_of(ledger.options)
    prefix = settings.invoice_prefix if new.kind == "invoice" else settings.bill_prefix
    number = next_number(ledger.entries, prefix, new.date)
    terms = party.terms_days
    due_from: DueFrom = "due" if new.due else ("terms" if terms is not None else "date")
    due = new.due or new.date + datetime.timedelta(days=terms or 0)
    currency = party.currencies[0] if party.currencies else client.currency
    files: dict[str, bytes | None] = {}
    vat_account, opens_vat = _vat_account(ledger, chart, new.kind) if split.vat else (None, False)
    opening = ""
    notes: tuple[str, ...] = ()
    if vat_account is not None and opens_vat:
        accounts_file = paths.accounts_file(client.id)
        text = (practice.root / accounts_file).read_text(encoding="utf-8")
        # Constrained to the client's currency, as the chart's accounts are, unless this
        # invoice is in another one, which the account must then take too.
        only = f" {client.currency}" if currency == client.currency else ""
        block = f"{_start(opens).isoformat()} open {vat_account}{only}\n"
        files[accounts_file] = _appended(text, block).encode()
        opening = f" Opens {vat_account} for its VAT."
        notes = _rules_on(practice, client, vat_account)
    sign = 1 if new.kind == "invoice" else -1
    postings = [Posting(account, -sign * split.net, currency)]
    if vat_account is not None:
        postings.append(Posting(vat_account, -sign * split.vat, currency))
    receivable = Posting(party.account, sign * split.total, currency)
    # An invoice reads receivable first (as the demo's do), a bill cost first, payable last.
    postings = [receivable, *postings] if new.kind == "invoice" else [*postings, receivable]
    meta = [("due", due.isoformat())]
    if split.rate is not None:
        meta.append(("vat-rate", quote(percent(split.rate))))
    meta += [(f"item-{i}", quote(item.text)) for i, item in enumerate(new.items, start=1)]
    narration = new.narration or NARRATIONS[new.kind, _language(client)].format(number=number)
    txn = Txn(new.date, party.key, narration, tuple(postings), links=(number,), meta=tuple(meta))
    month_file, month = _month_text(practice, client, new.date, txn_text(txn))
    files[month_file] = month
    vat_words = (
        f", {split.net} before VAT and {split.vat} VAT at {percent(split.rate)}"
        if split.rate is not None
        else ""
    )
    message = (
        f"Record {new.kind} {number} of {client.id}: {party.name}, {split.total} {currency}\n\n"
        f"Books {new.kind} {number} dated {new.date}, due {due}, to {party.account}"
        f"{vat_words}.{opening}"
    )
    value = Recorded(
        number, party.account, new.date, due, due_from, split, currency, account, vat_account, notes
    )
    return Planned(files, message, value)


def _language(client: Client) -> str:
    """Return the language of the narrations written for a client: Chinese or English."""
    return "zh" if client.language == "zh" else "en"


def record_document(
    practice: Practice,
    repo: PracticeRepo,
    client: Client,
    new: NewDocument,
    *,
    author: Author,
    dry_run: bool = False,
) -> Written[Recorded]:
    """Record an invoice or bill, numbered next in the client's series, in one commit."""
    what = ARTICLED[new.kind]
    if new.vat_rate is not None and client.vat_rate is None:
        _refuse(
            client,
            what,
            f"--vat-rate {percent(new.vat_rate)} splits VAT, but the client is not registered "
            "as a VAT payer. Add `vat-rate:` (like 13%) to the client in clients.yaml "
            "(docs/registry.md), commit, and run the command again; or leave --vat-rate out.",
        )
    rate = new.vat_rate if new.vat_rate is not None else client.vat_rate
    total = cents(new.amount, "--amount") if new.amount is not None else None
    split = split_vat(total, new.items, rate)
    if new.due is not None and new.due < new.date:
        _refuse(client, what, f"it is due on {new.due}, before its date {new.date}.")

    def prepare() -> Planned[Recorded]:
        return _plan_document(practice, client, new, split)

    return write_client(practice, repo, client, prepare, author=author, dry_run=dry_run)


def record_payment(
    practice: Practice,
    repo: PracticeRepo,
    client: Client,
    new: NewPayment,
    *,
    author: Author,
    dry_run: bool = False,
) -> Written[Paid]:
    """Record a payment (in full or in part) of an invoice or bill, linked to it, in one commit."""
    what = f"a payment of {new.number}"
    if new.amount <= 0:
        _refuse(client, what, f"--amount is {new.amount}; a payment must be for more than 0.")
    amount = cents(new.amount, "--amount")

    def prepare() -> Planned[Paid]:
        ledger = load_ledger(practice.main_file(client.id))  # booked: open amounts to the cent
        settings = settings_of(ledger.options)
        if new.number.startswith(settings.invoice_prefix):
            side: Side = "receivables"
        elif new.number.startswith(settings.bill_prefix):
            side = "payables"
        else:
            _refuse(
                client,
                what,
                f"'{new.number}' is not an invoice or bill number; they start with "
                f"{settings.invoice_prefix} or {settings.bill_prefix} (like "
                f"{settings.invoice_prefix}2025-0024).",
            )
        book = read_book(ledger.entries, ledger.options, side)
        try:
            item = find_item(book, new.number, client.id)
        except UsageError as exc:
            _refuse(client, what, str(exc))
        _refuse_future(client, what, new.date)
        _refuse_locked(client, what, ledger.entries, new.date)
        if new.date < item.date:
            _refuse(
                client, what, f"it is dated {new.date}, before the {new.number} of {item.date}."
            )
        opens = _opens(ledger.entries)
        if (
            new.account not in opens
            or new.account in _closed(ledger.entries)
            or not new.account.startswith(BALANCE_SHEET)
            or new.account == item.party
            or opens[new.account].date > new.date
        ):
            _refuse(
                client,
                what,
                f"{new.account} is not an account open on {new.date} that money moves through; "
                "give --account with the client's bank, cash or payment account (like "
                f"{_example_bank(client, opens)}).",
            )
        outstanding = item.open_amount()
        if amount > outstanding:
            paid = item.paid()
            whose, advance = (
                (
                    "customer",
                    "an advance (预收账款: Liabilities:2203-预收账款 in the Chinese chart)",
                )
                if side == "receivables"
                else ("client", "an advance (预付账款: Assets:1123-预付账款 in the Chinese chart)")
            )
            beyond = (
                f"book what the {whose} paid beyond it as a transaction of its own, to "
                f"{advance} or as a refund, without the invoice's link."
            )
            if not outstanding:
                why = (
                    f"{new.number} is paid in full already (total {item.amount}, paid {paid}). "
                    f"To record more, {beyond}"
                )
            else:
                why = (
                    f"it pays {amount} {item.currency}, more than the {outstanding} still open "
                    f"on {new.number} (total {item.amount}, paid {paid}). Record at most "
                    f"{outstanding}, and {beyond}"
                )
            _refuse(client, what, why)
        party = book.parties[item.party]
        narration = new.narration or NARRATIONS[side, _language(client)].format(number=new.number)
        sign = 1 if side == "receivables" else -1
        postings = (
            Posting(new.account, sign * amount, item.currency),
            Posting(item.party, -sign * amount, item.currency),
        )
        txn = Txn(new.date, party.key, narration, postings, links=(new.number,))
        month_file, month = _month_text(practice, client, new.date, txn_text(txn))
        left = outstanding - amount
        state = "paid in full" if left == 0 else f"{left} {item.currency} still open"
        message = (
            f"Record payment of {new.number} of {client.id}: {amount} {item.currency}\n\n"
            f"Books {amount} {item.currency} on {new.date} from {new.account} against "
            f"{new.number} of {party.name} ({item.amount} {item.currency}); {state}."
        )
        value = Paid(new.number, item.party, amount, item.currency, item.amount, left)
        return Planned({month_file: month}, message, value)

    return write_client(practice, repo, client, prepare, author=author, dry_run=dry_run)


def _example_bank(client: Client, opens: dict[str, data.Open]) -> str:
    for registered in client.accounts:
        if registered.account in opens:
            return registered.account
    return "Assets:Bank"
