"""Recording a customer visit's expenses: one `#visit` transaction, validated, in one commit.

The entry carries the tag and metadata of docs/conventions.md (`customer:`, `visit:`, `staff:`)
and books each category (transport, meals, lodging, other) to the account the client's chart
has for it: an account whose `open` carries `visit-cost:` for the category, else the usual
account of the English or the Chinese chart. Where that account does not name the category by
itself (the Chinese chart's 差旅费 holds transport and lodging alike), the posting carries
`visit-cost:` so that `beanfirm visits` reads it back in its category.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Never

from beancount.core import data

from beanfirm.accounts.openitems import read_book
from beanfirm.accounts.visits import (
    CATEGORIES,
    COST_KEY,
    VISIT_TAG,
    account_categories,
    category_by_name,
)
from beanfirm.core import paths
from beanfirm.core.journal import CENT, Posting, Txn, meta_text, quote, txn_text
from beanfirm.core.monthfiles import NewEntry, merge_entries
from beanfirm.core.translation import Words
from beanfirm.errors import UsageError, relative_to
from beanfirm.jobs.clientcheck import write_client
from beanfirm.review.locks import client_locks, locks_file
from beanfirm.store.ledger import parse_ledger
from beanfirm.store.writes import Planned, Written

if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path

    from beanfirm.core.beans import Directive
    from beanfirm.store.gitrepo import Author, PracticeRepo
    from beanfirm.store.practice import Practice
    from beanfirm.store.registry import Client

# The usual account of each category, English chart first, then the Chinese (小企业会计准则):
# a visit to a customer is a selling expense (5601-销售费用), but its meals are 业务招待费, which
# 小企业会计准则 第六十五条 puts in 管理费用 (5602; 会小企02表 line 16).
USUAL_ACCOUNTS = {
    "transport": ("Expenses:Travel:Transport", "Expenses:5601-销售费用:差旅费"),
    "meals": ("Expenses:Travel:Meals", "Expenses:5602-管理费用:业务招待费"),
    "lodging": ("Expenses:Travel:Lodging", "Expenses:5601-销售费用:差旅费"),
    "other": ("Expenses:Travel:Other", "Expenses:5601-销售费用:其他"),
}
VISIT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
PAYING_ROOTS = ("Assets:", "Liabilities:")


@dataclass(frozen=True)
class NewVisit:
    """What `beanfirm visits add` is asked to record."""

    customer: str  # its account, last component or full name
    date: datetime.date
    amounts: dict[str, Decimal]  # per category given
    paid_from: str
    staff: str | None = None
    visit: str | None = None  # default: the next V-YYYY-NNNN
    note: str | None = None


@dataclass(frozen=True)
class Recorded:
    """What was recorded, for the command's report."""

    visit: str
    customer: str
    total: Decimal
    currency: str
    accounts: dict[str, str] = field(default_factory=dict)  # category: account


def _refuse(client: Client, why: str) -> Never:
    msg = f"Cannot record the visit for client '{client.id}': {why} Nothing was written."
    raise UsageError(msg)


def _check(client: Client, new: NewVisit) -> None:
    """Refuse bad input before reading anything."""
    for category, amount in new.amounts.items():
        if amount < 0:
            _refuse(client, f"--{category} {amount} is negative; give what it cost, 0 or more.")
        if amount != amount.quantize(CENT):
            _refuse(client, f"--{category} {amount} has more than two decimals; give it in cents.")
    if not any(new.amounts.values()):
        _refuse(
            client,
            "no cost given; give at least one of --transport, --meals, --lodging, --other above 0.",
        )
    for option, text in (("--staff", new.staff), ("--note", new.note)):
        if text is not None and (not text.strip() or any(c in text for c in "\n\r\t")):
            _refuse(client, f"{option} must be one line of text.")
    if new.visit is not None and not VISIT_ID.match(new.visit):
        _refuse(
            client,
            f"--visit {new.visit!r} is not a visit id: letters, digits, '.', '_' and '-' "
            "(like V-2026-0001).",
        )


def _locked_through(practice: Practice, client: Client) -> datetime.date | None:
    rel = locks_file(client.id)
    path = practice.root / rel
    text = path.read_text(encoding="utf-8") if path.is_file() else None
    return max((lock.through for lock in client_locks(text, rel)), default=None)


def _opens(entries: Sequence[Directive]) -> dict[str, data.Open]:
    return {entry.account: entry for entry in entries if isinstance(entry, data.Open)}


def _closed(entries: Sequence[Directive]) -> dict[str, datetime.date]:
    return {entry.account: entry.date for entry in entries if isinstance(entry, data.Close)}


def visit_accounts(entries: Sequence[Directive], day: datetime.date) -> dict[str, str]:
    """Return the account of each category the chart has open on `day`."""
    opens, closed = _opens(entries), _closed(entries)

    def usable(account: str) -> bool:
        opened = opens.get(account)
        return (
            opened is not None
            and opened.date <= day
            and (account not in closed or closed[account] > day)
            and account.startswith("Expenses:")
        )

    marked = account_categories(entries)
    found: dict[str, str] = {}
    for category in CATEGORIES:
        choices = [account for account, value in marked.items() if value == category]
        choices += list(USUAL_ACCOUNTS[category])
        if category != "other":
            choices += sorted(a for a in opens if category_by_name(a) == category)
        account = next((a for a in choices if usable(a)), None)
        if account is not None:
            found[category] = account
    return found


def _next_visit_id(entries: Sequence[Directive], day: datetime.date) -> str:
    pattern = re.compile(rf"^V-{day.year}-(\d+)$")
    numbers = [
        int(match[1])
        for entry in entries
        if isinstance(entry, data.Transaction)
        and isinstance((entry.meta or {}).get("visit"), str)
        and (match := pattern.match(entry.meta["visit"]))
    ]
    return f"V-{day.year}-{max(numbers, default=0) + 1:04d}"


def _with_posting_meta(text: str, postings: Sequence[Posting], marks: dict[int, str]) -> str:
    """Add `visit-cost:` under the postings whose account does not name their category."""
    lines = text.rstrip("\n").split("\n")
    first = len(lines) - len(postings)
    out = lines[:first]
    for index, line in enumerate(lines[first:]):
        out.append(line)
        if index in marks:
            out.append("  " + meta_text(COST_KEY, quote(marks[index])))
    return "\n".join(out) + "\n"


def _check_paid_from(client: Client, new: NewVisit, entries: Sequence[Directive]) -> None:
    opens, closed = _opens(entries), _closed(entries)
    paying = opens.get(new.paid_from)
    if (
        paying is None
        or not new.paid_from.startswith(PAYING_ROOTS)
        or paying.date > new.date
        or (new.paid_from in closed and closed[new.paid_from] <= new.date)
    ):
        _refuse(
            client,
            f"--paid-from {new.paid_from} is not an asset or liability account the ledger "
            f"has open on {new.date}; give the bank, card or cash account it was paid from "
            f"(as opened in {paths.accounts_file(client.id)}).",
        )


def _check_visit_id(
    client: Client, visit_id: str, customer: str, entries: Sequence[Directive], root: Path
) -> None:
    for entry in entries:
        meta = entry.meta or {}
        if (
            isinstance(entry, data.Transaction)
            and meta.get("visit") == visit_id
            and meta.get("customer") != customer
        ):
            _refuse(
                client,
                f"visit {visit_id} is already a visit to {meta.get('customer')!r} "
                f"({relative_to(str(meta.get('filename')), root)}:{meta.get('lineno')}); give "
                "another --visit.",
            )


def add_visit(
    practice: Practice,
    repo: PracticeRepo,
    client: Client,
    new: NewVisit,
    *,
    author: Author,
    dry_run: bool = False,
) -> Written[Recorded]:
    """Record one visit's expenses in the client's month file, validated, in one commit."""
    _check(client, new)

    def prepare() -> Planned[Recorded]:
        through = _locked_through(practice, client)
        if through is not None and new.date <= through:
            _refuse(
                client,
                f"its books are locked through {through} ({locks_file(client.id)}), and the "
                f"visit is dated {new.date}. Record it on a day after {through}, or ask a "
                "partner to reopen the period (`beanfirm reopen`, docs/lock.md).",
            )
        ledger = parse_ledger(practice.main_file(client.id))
        entries = ledger.entries
        book = read_book(entries, ledger.options, "receivables")
        party = book.find_party(new.customer)
        if party is None:
            known = ", ".join(sorted(p.key for p in book.parties.values())) or "none yet"
            _refuse(
                client,
                f"it has no customer {new.customer!r} (known customers: {known}). Add it with "
                f"`beanfirm customers add {client.id} NAME` first, or give one of these.",
            )
        _check_paid_from(client, new, entries)
        visit_id = new.visit or _next_visit_id(entries, new.date)
        _check_visit_id(client, visit_id, party.key, entries, practice.root)
        accounts = visit_accounts(entries, new.date)
        marked = account_categories(entries)
        postings: list[Posting] = []
        marks: dict[int, str] = {}
        currency = client.currency
        for category in CATEGORIES:
            amount = new.amounts.get(category, Decimal(0))
            if not amount:
                continue
            account = accounts.get(category)
            if account is None:
                _refuse(
                    client,
                    f"its chart has no account for {category} costs of a visit. Open one in "
                    f'{paths.accounts_file(client.id)} with `{COST_KEY}: "{category}"` '
                    "metadata (docs/visits.md), or leave the cost out.",
                )
            if marked.get(account, category_by_name(account)) != category:
                marks[len(postings)] = category
            postings.append(Posting(account, amount, currency))
        total = sum((p.amount or Decimal(0) for p in postings), Decimal(0)).quantize(CENT)
        postings.append(Posting(new.paid_from, -total, currency))
        t = Words(client.language)
        keys = [("customer", quote(party.key)), ("visit", quote(visit_id))]
        if new.staff:
            keys.append(("staff", quote(new.staff.strip())))
        txn = Txn(
            new.date,
            None,
            new.note.strip() if new.note else t("Visit to {customer}", customer=party.name),
            tuple(postings),
            tags=(VISIT_TAG,),
            meta=tuple(keys),
        )
        text = _with_posting_meta(txn_text(txn), postings, marks)
        month_file = paths.month_file(client.id, new.date)
        path = practice.root / month_file
        old = path.read_text(encoding="utf-8") if path.exists() else None
        placed = NewEntry(new.date, is_balance=False, text=text)
        merged = merge_entries(old, new.date.replace(day=1), [placed])
        booked = ", ".join(
            f"{category} {new.amounts[category].quantize(CENT)} to {accounts[category]}"
            for category in CATEGORIES
            if new.amounts.get(category)
        )
        message = (
            f"Record visit {visit_id} to {party.key} for {client.id}\n\n"
            f"Books {total} {currency} of visit expenses on {new.date} ({booked}), paid from "
            f"{new.paid_from}, tagged #visit with customer: and visit:, in {month_file}."
        )
        used = {c: accounts[c] for c in CATEGORIES if new.amounts.get(c)}
        return Planned(
            {month_file: merged.encode()},
            message,
            Recorded(visit_id, party.key, total, currency, used),
        )

    return write_client(practice, repo, client, prepare, author=author, dry_run=dry_run)
