"""Opening a client's books from a trial balance and its open items, in one commit.

`run_opening` maps every line of a trial balance (`beanfirm.ingest.trialbalance`) onto the
client's chart (`beanfirm.ingest.chartmap`) and writes, into the month file of the trial
balance's date D:

- one transaction dated D with a posting per account (the balance at the end of D), balanced
  by the opening equity account (Beancount's `name_equity` and `account_previous_balances`
  options: `Equity:Opening-Balances`) for what the open items carry;
- one transaction per open invoice or bill, dated D, with its `^INV-…`/`^BILL-…` link, its
  `due:` date and its `invoice-date:`, so that aging, statements and dunning see it from the
  first day; the items of a customer (or of every customer, for a control line such as
  `1122 应收账款`) must add up to the trial balance's line to the cent;
- a balance assertion on D + 1 for each reconciled account (`reconcile:` on its `open`), the
  figure the first statement opens with, so that the period of D counts as reconciled.

Everything is checked before anything is written, and all problems are reported at once:
every line maps to one open account (open on D, in the client's currency), debits equal
credits, the accounts have no entries on or before D (the opening comes first), each open
item names a known customer or vendor and a new number. Then the write goes through
`apply_write`: locked, atomic, checked with the plugins, one commit.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Literal

import yaml
from beancount.core import data
from beancount.core.amount import Amount

from beanfirm.accounts.openitems import Book, Party, Settings, read_book, settings_of
from beanfirm.core import paths
from beanfirm.core.beans import Directive, Options
from beanfirm.core.ledgertext import entry_text
from beanfirm.core.monthfiles import NewEntry, merge_entries
from beanfirm.errors import BeanfirmError, Problem, UsageError
from beanfirm.ingest.chartmap import Mapped, Roots, map_lines
from beanfirm.ingest.openitemsfile import OpenItemRow
from beanfirm.ingest.trialbalance import TrialBalance, TrialLine
from beanfirm.jobs.clientcheck import write_client
from beanfirm.store.gitrepo import Author, PracticeRepo
from beanfirm.store.ledger import parse_ledger
from beanfirm.store.practice import Practice
from beanfirm.store.registry import Client
from beanfirm.store.writes import Planned

ZERO = Decimal(0)
ONE_DAY = datetime.timedelta(days=1)
LINK = re.compile(r"^[A-Za-z0-9\-_/.]+$")
Document = Literal["invoice", "bill"]
DOCUMENT_WORDS: dict[Document, str] = {
    "invoice": "期初未结发票 Open invoice",
    "bill": "期初未结账单 Open bill",
}


class OpeningError(BeanfirmError):
    """A trial balance or its open items cannot open a client's books."""


@dataclass(frozen=True)
class OpeningRequest:
    """What to open the books with: the trial balance, the open items, the date, a mapping."""

    client: Client
    trial: TrialBalance
    date: datetime.date
    items: tuple[OpenItemRow, ...] = ()
    items_file: str | None = None
    mapping: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class CarriedItem:
    """An open invoice or bill as it is booked."""

    row: OpenItemRow
    party: Party
    document: Document
    link: str
    posting: Decimal  # on the party's account: positive for an invoice, negative for a bill


@dataclass
class OpeningPlan:
    """What the opening writes: the accounts and their balances, the items, the assertions."""

    request: OpeningRequest
    equity: str
    currency: str
    month_file: str
    balances: dict[str, Decimal] = field(default_factory=dict)  # per account, from the lines
    lines: dict[str, list[Mapped]] = field(default_factory=dict)
    items: list[CarriedItem] = field(default_factory=list)
    assertions: list[tuple[str, Decimal]] = field(default_factory=list)
    text: list[str] = field(default_factory=list)
    new_entries: list[NewEntry] = field(default_factory=list)

    def count(self, document: Document) -> int:
        """How many open invoices (or bills) are carried in."""
        return sum(1 for item in self.items if item.document == document)

    def message(self) -> str:
        """Return the commit message: what opened the books, every count, the totals."""
        request = self.request
        trial = request.trial
        client = request.client
        booked = sum(len(found) for found in self.lines.values())
        lines = [
            f"Open the books of {client.id} on {request.date} from {trial.filename}",
            "",
            (
                f"The trial balance's {trial.columns} balances at the end of {request.date}: "
                f"debits {trial.debits:,} = credits {trial.credits:,} {self.currency}."
            ),
            (
                f"- {len(self.balances)} account{_s(len(self.balances))} from {booked} "
                f"line(s), booked against {self.equity}"
            ),
            (
                f"- {len(trial.parents)} parent line(s) checked against their sub-accounts, "
                f"{len(trial.skipped)} row(s) skipped (headings, zero balances, totals)"
            ),
        ]
        if request.items_file:
            lines.append(
                f"- {self.count('invoice')} open invoice(s) and {self.count('bill')} open "
                f"bill(s) from {request.items_file}, carried in as open items"
            )
        lines.append(
            f"- {len(self.assertions)} balance assertion(s) on {request.date + ONE_DAY} for "
            "the reconciled accounts"
        )
        return "\n".join(lines) + "\n"


def _s(number: int) -> str:
    return "" if number == 1 else "s"


def read_mapping(text: str, filename: str) -> dict[str, str]:
    """Read a mapping file: `code or name: Account` per line (YAML), checked for form."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        msg = f"{filename}: is not YAML ({exc}); write one `code or name: Account` per line."
        raise UsageError(msg) from exc
    if root is None:
        return {}
    if not isinstance(root, yaml.MappingNode):
        msg = f"{filename}: write one `code or name: Account` per line (a YAML mapping)."
        raise UsageError(msg)
    mapping: dict[str, str] = {}
    for key, value in root.value:
        if not isinstance(value, yaml.ScalarNode) or not isinstance(key, yaml.ScalarNode):
            line = key.start_mark.line + 1
            msg = f"{filename}:{line}: map a code or name to one account name."
            raise UsageError(msg)
        mapping[str(key.value).strip()] = str(value.value).strip()
    return mapping


def plan_opening(
    request: OpeningRequest, entries: Sequence[Directive], options: Options, root: Path
) -> OpeningPlan:
    """Decide every entry of the opening (see the module docstring); raise with every problem."""
    client, date, trial = request.client, request.date, request.trial
    _refuse_second_opening(request, entries, root)
    opens = {e.account: e for e in entries if isinstance(e, data.Open)}
    closed = {e.account: e.date for e in entries if isinstance(e, data.Close)}
    equity = f"{options.get('name_equity', 'Equity')}:"
    equity += str(options.get("account_previous_balances", "Opening-Balances"))
    settings = settings_of(options)
    roots = Roots(settings.receivable, settings.payable)
    plan = OpeningPlan(request, equity, client.currency, paths.month_file(client.id, date))
    mapped, problems = map_lines(
        trial.lines, list(opens.values()), roots, request.mapping, trial.filename
    )
    unmapped = bool(problems)
    usable: list[Mapped] = []
    for found in mapped:
        problem = _account_problem(found, opens, closed, date, client.currency, trial.filename)
        if problem is None:
            usable.append(found)
        else:
            problems.append(problem)
    books = {side: read_book(entries, options, side) for side in ("receivables", "payables")}
    items, item_problems = _carried(
        request, (books["receivables"], books["payables"]), settings, entries
    )
    problems += item_problems
    problems += _ties(usable, items, trial.filename, request.items_file)
    if equity not in opens or opens[equity].date > date:
        problems.append(
            Problem(
                paths.accounts_file(client.id),
                None,
                f"the chart has no {equity} open on {date} to book the opening against; open "
                f"it on or before {date}.",
            )
        )
    touched = {found.account for found in usable if found.target != "control"}
    touched |= {item.party.account for item in items}
    problems += _history(entries, touched, date, root)
    if problems:
        raise _refusal(request, problems, unmapped=unmapped)
    _book(plan, usable, items, opens)
    return plan


def _refuse_second_opening(
    request: OpeningRequest, entries: Sequence[Directive], root: Path
) -> None:
    """Refuse to open books that were opened from a trial balance before."""
    for entry in entries:
        if isinstance(entry, data.Transaction) and "trial-balance" in (entry.meta or {}):
            meta = entry.meta
            where = f"{_relative(str(meta.get('filename', '?')), root)}:{meta.get('lineno', '?')}"
            msg = (
                f"The books of {request.client.id} were opened from a trial balance already "
                f"({meta['trial-balance']}, on {entry.date}, in {where}); nothing was written. "
                "To open them again, revert that commit first (`git revert`)."
            )
            raise OpeningError(msg)


def _account_problem(
    found: Mapped,
    opens: Mapping[str, data.Open],
    closed: Mapping[str, datetime.date],
    date: datetime.date,
    currency: str,
    filename: str,
) -> Problem | None:
    line = found.line
    if found.target == "control":
        return None
    entry = opens.get(found.account)
    where = f"{line.label} maps to {found.account}"
    if entry is None:
        return Problem(filename, line.line, f"{where}, which the chart does not open; open it.")
    if entry.date > date:
        return Problem(
            filename,
            line.line,
            f"{where}, which is opened on {entry.date}, after {date}: the opening balances are "
            f"the balances at the end of {date} and are booked that day. Open the account on "
            f"or before {date} (for a new client, `clients add --opened {date}`).",
        )
    if found.account in closed:
        return Problem(filename, line.line, f"{where}, which is closed; reopen or remap it.")
    stated = line.currency or currency
    if entry.currencies and stated not in entry.currencies:
        return Problem(
            filename,
            line.line,
            f"{where}, which holds only {', '.join(entry.currencies)}, but the balance is in "
            f"{stated}. Book a foreign-currency balance by hand, with its price.",
        )
    if line.currency and line.currency != currency:
        return Problem(
            filename,
            line.line,
            f"the balance of {line.label} is in {line.currency}, not the client's {currency}.",
        )
    return None


def _carried(
    request: OpeningRequest,
    books: tuple[Book, Book],
    settings: Settings,
    entries: Sequence[Directive],
) -> tuple[list[CarriedItem], list[Problem]]:
    """Resolve each open item's party, side and link; return them and every problem."""
    receivables, payables = books
    filename = request.items_file or "?"
    used = {link for e in entries if isinstance(e, data.Transaction) for link in e.links}
    seen: dict[str, int] = {}
    items: list[CarriedItem] = []
    problems: list[Problem] = []
    known = sorted(
        {p.key for p in receivables.parties.values()} | {p.key for p in payables.parties.values()}
    )
    for row in request.items:
        customer = receivables.find_party(row.party)
        vendor = payables.find_party(row.party)
        if customer is None and vendor is None:
            problems.append(
                Problem(
                    filename,
                    row.line,
                    f"{row.party!r} is no customer or vendor of {request.client.id} (known: "
                    f"{', '.join(known) or 'none yet'}). Open its account under "
                    f"{' or '.join((*settings.receivable, *settings.payable))} with `name:` "
                    "metadata first (docs/conventions.md).",
                )
            )
            continue
        if customer is not None and vendor is not None:
            problems.append(
                Problem(
                    filename,
                    row.line,
                    f"{row.party!r} is both a customer ({customer.account}) and a vendor "
                    f"({vendor.account}); write the account in full in the party column.",
                )
            )
            continue
        party = customer or vendor
        assert party is not None  # noqa: S101 - one of the two, checked above
        document: Document = "invoice" if customer is not None else "bill"
        prefix = settings.invoice_prefix if document == "invoice" else settings.bill_prefix
        link = row.number if row.number.startswith(prefix) else prefix + row.number
        problem = _item_problem(row, link, party, request, used, seen)
        if problem is not None:
            problems.append(Problem(filename, row.line, problem))
            continue
        seen[link] = row.line
        posting = row.amount if document == "invoice" else -row.amount
        items.append(CarriedItem(row, party, document, link, posting))
    return items, problems


def _item_problem(
    row: OpenItemRow,
    link: str,
    party: Party,
    request: OpeningRequest,
    used: set[str],
    seen: dict[str, int],
) -> str | None:
    if not LINK.match(link):
        return (
            f"the number {row.number!r} cannot be a Beancount link (letters, digits, - _ / . "
            "only); write it so in the file."
        )
    if link in seen:
        return f"{link} is listed twice (first on line {seen[link]}); list each document once."
    if link in used:
        return f"{link} is booked in the ledger already; an open item needs a new number."
    currency = row.currency or request.client.currency
    if currency != request.client.currency:
        return f"the item is in {currency}; carry in items in {request.client.currency} only."
    if row.date > request.date:
        return (
            f"the item is dated {row.date}, after {request.date}: it was not open then; book it "
            "as a new invoice or bill."
        )
    if row.due < row.date:
        return f"it falls due on {row.due}, before its date {row.date}; correct the due date."
    if party.opened > request.date:
        return (
            f"{party.account} is opened on {party.opened}, after {request.date}; open it on or "
            f"before {request.date}."
        )
    return None


def _ties(
    mapped: Sequence[Mapped],
    items: Sequence[CarriedItem],
    filename: str,
    items_file: str | None,
) -> list[Problem]:
    """Check that the open items add up to the lines of their parties and control accounts."""
    problems: list[Problem] = []
    party_lines = {found.account: found for found in mapped if found.target == "party"}
    controls = [found for found in mapped if found.target == "control"]
    by_party: dict[str, Decimal] = {}
    for item in items:
        by_party[item.party.account] = by_party.get(item.party.account, ZERO) + item.posting
    for account, found in party_lines.items():
        carried = by_party.get(account, ZERO)
        if carried != found.line.balance:
            problems.append(_tie_problem(found.line, carried, filename, items_file, account))
    for found in controls:
        root = found.account + ":"
        carried = sum(
            (
                amount
                for account, amount in by_party.items()
                if account.startswith(root) and account not in party_lines
            ),
            ZERO,
        )
        if carried != found.line.balance:
            problems.append(_tie_problem(found.line, carried, filename, items_file, root))
    for item in items:
        account = item.party.account
        if account not in party_lines and not any(
            account.startswith(found.account + ":") for found in controls
        ):
            problems.append(
                Problem(
                    items_file or "?",
                    item.row.line,
                    f"{item.link} of {item.party.key} has no line in the trial balance to "
                    f"carry it: neither {account} nor its control account "
                    f"({account.rsplit(':', 1)[0]}) has a balance there.",
                )
            )
    return problems


def _tie_problem(
    line: TrialLine, carried: Decimal, filename: str, items_file: str | None, what: str
) -> Problem:
    if items_file is None:
        message = (
            f"{line.label} ({line.side} {abs(line.balance):,}) is carried by open invoices or "
            "bills, so that aging and statements see them: give them with --open-items FILE "
            "(docs/opening.md)."
        )
    else:
        message = (
            f"{line.label} has a balance of {line.balance:,} (debit positive), but the open "
            f"items of {what} in {items_file} add up to {carried:,}, a difference of "
            f"{line.balance - carried:,}. List every open document, with what is still open."
        )
    return Problem(filename, line.line, message)


def _history(
    entries: Sequence[Directive], accounts: set[str], date: datetime.date, root: Path
) -> list[Problem]:
    """Report each account that has entries on or before the opening date."""
    first: dict[str, Directive] = {}
    for entry in entries:
        if entry.date > date:
            continue
        if isinstance(entry, data.Transaction):
            names = [posting.account for posting in entry.postings]
        elif isinstance(entry, data.Balance | data.Pad):
            names = [entry.account]
        else:
            continue
        for name in names:
            if name in accounts and name not in first:
                first[name] = entry
    problems = []
    for account, entry in sorted(first.items()):
        meta = entry.meta or {}
        where = _relative(str(meta.get("filename", "?")), root)
        problems.append(
            Problem(
                where,
                int(meta.get("lineno", 0)) or None,
                f"{account} already has an entry on {entry.date}, on or before the opening "
                f"date {date}: the opening balances must come first. If these are opening "
                "balances booked before, revert that commit first; otherwise choose a --date "
                "before the account's first entry.",
            )
        )
    return problems


def _relative(filename: str, root: Path) -> str:
    try:
        return Path(filename).resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return filename


def _refusal(request: OpeningRequest, problems: list[Problem], *, unmapped: bool) -> OpeningError:
    hint = ""
    if unmapped:
        hint = (
            ' To map a line, give its account a code (`code: "1122"` under its `open` in '
            f"{paths.accounts_file(request.client.id)}), open the account it belongs to, or map "
            "the line's code or name in a --map file (docs/opening.md)."
        )
    message = (
        f"{request.trial.filename} cannot open the books of {request.client.id}; nothing was "
        f"written.{hint} Every problem:"
    )
    return OpeningError(message, tuple(problems))


def _book(
    plan: OpeningPlan,
    mapped: Sequence[Mapped],
    items: Sequence[CarriedItem],
    opens: Mapping[str, data.Open],
) -> None:
    """Fill the plan's balances, items, assertions and the entries' text."""
    request, currency = plan.request, plan.currency
    for found in mapped:
        if found.target == "account":
            plan.balances[found.account] = (
                plan.balances.get(found.account, ZERO) + found.line.balance
            )
        plan.lines.setdefault(found.account, []).append(found)
    plan.items = list(items)
    entries: list[data.Transaction | data.Balance] = []
    carried = sum((item.posting for item in items), ZERO)
    postings = [
        opening_posting(account, number, currency)
        for account, number in plan.balances.items()
        if number
    ]
    if carried:
        postings.append(opening_posting(plan.equity, carried, currency))
    if postings:
        meta = {"trial-balance": request.trial.filename}
        narration = f"期初余额 Opening balances from {request.trial.filename}"
        entries.append(opening_txn(request.date, None, narration, postings, meta, frozenset()))
    for item in items:
        word = DOCUMENT_WORDS[item.document]
        dates: dict[str, object] = {"due": item.row.due, "invoice-date": item.row.date}
        entries.append(
            opening_txn(
                request.date,
                item.party.name,
                f"{word} {item.link} of {item.row.date}",
                [
                    opening_posting(item.party.account, item.posting, currency),
                    opening_posting(plan.equity, -item.posting, currency),
                ],
                dates,
                frozenset({item.link}),
            )
        )
    for account, number in plan.balances.items():
        cadence = (opens[account].meta or {}).get("reconcile")
        if cadence and cadence != "none":
            plan.assertions.append((account, number))
            meta = data.new_metadata("<opening>", 0)
            meta["trial-balance"] = request.trial.filename
            amount = Amount(number, currency)
            entries.append(data.Balance(meta, request.date + ONE_DAY, account, amount, None, None))
    plan.text = [entry_text(entry) for entry in entries]
    plan.new_entries = [
        NewEntry(entry.date, isinstance(entry, data.Balance), text)
        for entry, text in zip(entries, plan.text, strict=True)
    ]


def opening_posting(account: str, number: Decimal, currency: str) -> data.Posting:
    """Return a posting of an opening entry: an amount, no cost or price."""
    return data.Posting(account, Amount(number, currency), None, None, None, None)


def opening_txn(
    date: datetime.date,
    payee: str | None,
    narration: str,
    postings: list[data.Posting],
    meta: Mapping[str, object],
    links: frozenset[str],
) -> data.Transaction:
    """Return an opening transaction, flagged `*`, with its metadata and links."""
    full = data.new_metadata("<opening>", 0)
    full.update(meta)
    return data.Transaction(full, date, "*", payee, narration, frozenset(), links, postings)


def run_opening(
    practice: Practice,
    repo: PracticeRepo,
    request: OpeningRequest,
    *,
    author: Author,
    dry_run: bool = False,
) -> tuple[OpeningPlan, str | None]:
    """Open a client's books in one commit (raises on any problem, writing nothing).

    Returns the plan and the commit (None for a dry run).
    """
    root = practice.root
    client = request.client

    def prepare() -> Planned[OpeningPlan]:
        ledger = parse_ledger(practice.main_file(client.id))
        plan = plan_opening(request, ledger.entries, ledger.options, root)
        path = root / plan.month_file
        text = path.read_text(encoding="utf-8") if path.exists() else None
        month = request.date.replace(day=1)
        merged = merge_entries(text, month, plan.new_entries)
        return Planned({plan.month_file: merged.encode("utf-8")}, plan.message(), plan)

    written = write_client(practice, repo, client, prepare, author=author, dry_run=dry_run)
    return written.value, written.commit
