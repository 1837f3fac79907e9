"""Importing an export into a client's books: extract, categorize, de-duplicate, book, commit.

`plan_import` decides, row by row, what an export adds to a ledger, from the statement, a
categorizer (a function `txn -> (txn, decision)`, such as `RuleSet.categorize`) and the
ledger's index. Nothing in it reads or writes files:

1. the statement's rows become `!` transactions on the account, booked against
   `Expenses:Uncategorized` / `Income:Uncategorized`, and its balances balance assertions;
2. each transaction is categorized;
3. a row whose import id is already booked is skipped (`beanfirm.ingest.dedup`);
4. a row that matches an open slot (an entry typed by hand, or a transfer booked from the
   other side) is absorbed: the entry records the row's id; a row of the day and amount of
   an entry imported from another export of the account (another layout) is skipped;
5. a transfer between the client's own accounts becomes one transaction with both legs
   (`beanfirm.ingest.transfers`);
6. every other row is added; a balance assertion is added unless the ledger has it already
   (the same figure: skipped; another figure: the import is refused).

The decisions go into an `ImportPlan` (`beanfirm.ingest.outcome`); `beanfirm.jobs.importing` carries
it out under the write discipline (`beanfirm.store.writes`): new entries go into the month files in
date order (`beanfirm.core.monthfiles`), the export is archived under `documents/`, the ledger is
checked with its plugins, and one commit says what was imported, in the staff member's name.
On any failure nothing is written.
"""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from operator import attrgetter
from pathlib import Path

from beancount.core import data

from beanfirm.core import paths
from beanfirm.core.beans import amount_of
from beanfirm.core.journal import Posting, month_path, posting_text, quote
from beanfirm.core.ledgertext import entry_text
from beanfirm.core.monthfiles import AddMeta, NewEntry, Relocate, ReplaceLine, SetFlag
from beanfirm.importers.entries import balance_entries, transactions
from beanfirm.importers.statement import BankStatement
from beanfirm.ingest.currencies import refuse_foreign_currencies
from beanfirm.ingest.dedup import (
    DEFAULT_WINDOW_DAYS,
    Candidate,
    known_rows,
    match_imported,
    match_open_slots,
)
from beanfirm.ingest.exports import Export
from beanfirm.ingest.ledgerindex import BookedEntry, LedgerIndex, Location, Slot, id_key
from beanfirm.ingest.openingbalance import AccountStart, opening_booking
from beanfirm.ingest.outcome import BalanceOutcome, BookingError, ImportPlan, Outcome, RowOutcome
from beanfirm.ingest.transfers import (
    Target,
    completes,
    convertible_for,
    merge_confirmed,
    names_a_card,
    paying_account,
    top_up,
    transfer_date,
    transfer_target,
)
from beanfirm.rules.categorize import Decision
from beanfirm.store.registry import Client, FundingAccount

# A transaction of a statement as booked now, and the decision that says how (None without rules).
Booked = tuple[data.Transaction, Decision | None]
# Categorizes the transactions of a statement booked to an account, all at once, in date order
# (`RuleSet.categorize_statement`).
Categorize = Callable[[BankStatement, str], Sequence[Booked]]
LEADING_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}\.")


def uncategorized(statement: BankStatement, account: str) -> list[Booked]:
    """Categorize nothing: every row stays on its Uncategorized account (no rules at all)."""
    return [(txn, None) for txn in transactions(statement, account)]


def categorized_entries(
    statement: BankStatement, account: str, categorize: Categorize
) -> tuple[list[data.Balance], Sequence[Booked]]:
    """Return a statement's balance assertions, and its transactions categorized.

    This is the reading an import does before it looks at the ledger, and what the import
    benchmark measures.
    """
    balances = sorted(balance_entries(statement, account), key=attrgetter("date"))
    return balances, categorize(statement, account)


def archive_path(client_id: str, export: Export, end: datetime.date) -> str:
    """Return where the export is filed: documents/<Account/Path>/YYYY-MM-DD.<name>."""
    name = LEADING_DATE.sub("", export.path.name) or export.path.name
    return f"{paths.documents_folder(client_id, export.account.account)}/{end.isoformat()}.{name}"


def statement_end(export: Export) -> datetime.date:
    """Return the last day the export covers (its archival date)."""
    statement = export.statement
    days = [row.date for row in statement.rows]
    days += [closing.date for closing in statement.balances]
    days += [opening.date - datetime.timedelta(days=1) for opening in statement.openings]
    if not days:
        reasons = "; ".join(f"line {s.line}: {s.reason}" for s in statement.skipped[:5])
        msg = (
            f"{export.path}: the export holds no transaction and no balance to import"
            + (f" (the importer skipped every row: {reasons})" if reasons else "")
            + ". Check that it is the right export; remove it from the inbox if it is empty."
        )
        raise BookingError(msg)
    return max(days)


@dataclass
class _Planner:
    """The state of one plan while its rows are decided."""

    plan: ImportPlan
    client: Client
    index: LedgerIndex
    root: Path
    window: int
    taken: set[int] = field(default_factory=set)
    assertions: dict[str, set[datetime.date]] = field(default_factory=lambda: defaultdict(set))

    def move_transfer(self, entry: BookedEntry, rel: str, sides: dict[str, datetime.date]) -> None:
        """Date a completed transfer so that both accounts' balance assertions hold."""
        date = transfer_date(sides, entry.date, self.assertions)
        if date != entry.date:
            self.plan.edits[rel].append(Relocate(entry.location.line, date))

    def relpath(self, filename: str) -> str:
        return str(Path(filename).resolve().relative_to(self.root.resolve()))

    def shown(self, filename: str, line: int) -> str:
        return f"{self.relpath(filename)}:{line}"

    def add_entry(self, entry: data.Transaction | data.Balance) -> None:
        is_balance = isinstance(entry, data.Balance)
        day = entry.date - datetime.timedelta(days=1) if is_balance else entry.date
        text = entry_text(entry)
        self.plan.new_entries[month_path(self.client.id, day)].append(
            NewEntry(entry.date, is_balance, text)
        )
        self.plan.text.append(text)


def _outcome(
    row: Candidate,
    txn: data.Transaction,
    decision: Decision | None,
    outcome: Outcome,
    detail: str,
    where: str | None = None,
) -> RowOutcome:
    return RowOutcome(
        line=int(txn.meta.get("lineno") or 0),
        import_id=row.import_id,
        date=row.date,
        number=row.number,
        currency=row.currency,
        payee=txn.payee,
        narration=txn.narration or "",
        outcome=outcome,
        account=txn.postings[1].account,
        detail=detail,
        where=where,
        category=decision.reason if decision is not None else None,
    )


def plan_import(
    export: Export,
    client: Client,
    index: LedgerIndex,
    categorize: Categorize,
    *,
    root: Path,
    archive: str,
    window: int = DEFAULT_WINDOW_DAYS,
    start: AccountStart | None = None,
    opening: bool = False,
) -> ImportPlan:
    """Decide what an export adds to a ledger (see the module docstring).

    `archive` is where the export will be filed (`archive_path`), which the balance
    assertions name as their statement. `start` is what the ledger holds of the account: when
    it has no history, the export's opening balance is booked first with `opening`
    (`--opening`), and refused without (`beanfirm.ingest.openingbalance`).
    """
    plan = ImportPlan(export=export, client_id=client.id, archive=archive)
    planner = _Planner(plan, client, index, root, window)
    account = export.account.account
    balances, booked = categorized_entries(export.statement, account, categorize)
    booked, notes, paid = with_top_ups(booked, account, client.accounts)
    written: list[data.Transaction | data.Balance] = [*(txn for txn, _ in booked), *balances]
    refuse_foreign_currencies(export, written, index, root, client.currency)
    booking = None
    if start is not None:
        booking = opening_booking(export.statement, start, wanted=opening, export=export.path.name)
    if booking is not None:
        balances = [
            entry
            for entry in balances
            if (entry.date, entry.amount.currency) not in booking.replaced
        ]
        for opening_entry in booking.entries:
            planner.add_entry(opening_entry)
        plan.openings = list(booking.notes)
    for asserted, _, day in index.balances:
        planner.assertions[asserted].add(day)
    for entry in balances:
        planner.assertions[account].add(entry.date)
    rows = [_candidate(number, account, txn) for number, (txn, _) in enumerate(booked)]
    rows, found = _find(rows, booked, paid, planner)
    for row in rows:
        txn, decision = booked[row.key]
        plan.rows.append(_decide(planner, row, (txn, decision), found, notes.get(row.key)))
    statement_file = archive.split("/", 2)[2]
    for entry in balances:
        _balance(planner, entry, statement_file)
    return plan


@dataclass
class _Found:
    """What the ledger holds of an export's rows: by id, in an open slot, or from another export.

    `passed_over` are the rows that a transfer booked `!` on a name did not take (its slot
    matched their day and amount, but they name nothing of it).
    """

    known: dict[int, Location]
    matched: dict[int, Slot]
    elsewhere: dict[int, Slot]
    passed_over: dict[int, Slot]


def _find(
    rows: list[Candidate], booked: Sequence[Booked], paid: dict[int, int], planner: _Planner
) -> tuple[list[Candidate], _Found]:
    """Find the rows the ledger holds already, and the rows left to decide (see `_Found`)."""
    index, client = planner.index, planner.client
    produced = {row.import_id for row in rows}
    known = known_rows(rows, index)
    # A top-up belongs to its row: a row imported before (perhaps before top-ups were made)
    # gets none now, so that importing an export again adds nothing.
    rows = [row for row in rows if not (paid.get(row.key) in known and row.key not in known)]
    passed_over: dict[int, Slot] = {}

    def accepts(row: Candidate, slot: Slot) -> bool:
        if completes(booked[row.key][0], slot, client.accounts, client.name):
            return True
        passed_over.setdefault(row.key, slot)
        return False

    fresh = [row for row in rows if row.key not in known]
    matched = match_open_slots(fresh, index, planner.window, accepts)
    elsewhere = match_imported([row for row in fresh if row.key not in matched], index, produced)
    taken = elsewhere.keys() | matched.keys()
    rows = [row for row in rows if not (paid.get(row.key) in elsewhere and row.key not in taken)]
    return rows, _Found(known, matched, elsewhere, passed_over)


def _decide(
    planner: _Planner, row: Candidate, booked: Booked, found: _Found, note: str | None
) -> RowOutcome:
    """Return what becomes of one row: skipped, absorbed, or booked (a transfer, a merge)."""
    txn, decision = booked
    if row.key in found.known:
        where = found.known[row.key].shown(planner.root)
        return _outcome(row, txn, decision, "duplicate", f"import-id in {where}", where)
    if row.key in found.matched:
        return _absorb(planner, row, txn, decision, found.matched[row.key])
    if row.key in found.elsewhere:
        slot = found.elsewhere[row.key]
        where = planner.shown(slot.entry.location.filename, slot.entry.location.line)
        detail = (
            f"the same day and amount as the entry in {where}, whose import-id "
            f"{slot.entry.ids[slot.position]} is none of this export's"
        )
        return _outcome(row, txn, decision, "elsewhere", detail, where)
    outcome = _book(planner, row, txn, decision)
    if note is not None:
        outcome = replace(outcome, detail=f"{outcome.detail}; {note}")
    if row.key in found.passed_over:
        said = _not_completed(planner, row, found.passed_over[row.key])
        outcome = replace(outcome, detail=f"{outcome.detail}; {said}", to_check=True)
    return outcome


def _candidate(key: int, account: str, txn: data.Transaction) -> Candidate:
    """Return the row of a statement's transaction, as de-duplication compares it."""
    number, currency = amount_of(txn.postings[0])
    return Candidate(
        key=key,
        account=account,
        number=number,
        currency=currency,
        date=txn.date,
        text=f"{txn.payee or ''} {txn.narration or ''}".strip(),
        import_id=str(txn.meta["import-id"]),
    )


def with_top_ups(
    booked: Sequence[Booked], account: str, own: Sequence[FundingAccount]
) -> tuple[list[Booked], dict[int, str], dict[int, int]]:
    """Add, after each payment-app row paid with one of the client's cards, its top-up.

    See `beanfirm.ingest.transfers` (paid with a card). Returns the rows with the top-ups; notes by
    position for rows paid with a card that is not among the client's accounts (they stay on
    the app's account, as if paid from its balance, which the dry run says); and the position
    of each top-up's row, by the top-up's position.
    """
    found: list[Booked] = []
    notes: dict[int, str] = {}
    paid: dict[int, int] = {}
    for txn, decision in booked:
        found.append((txn, decision))
        card = paying_account(txn, account, own)
        method = txn.meta.get("method")
        if card is not None:
            reason = f"paid with {method}: moved from {card.account} into {account}"
            if not card.confirmed:
                reason += f" (by {card.evidence}: flagged ! to check)"
            paid[len(found)] = len(found) - 1
            flag = "*" if card.confirmed else "!"
            found.append((top_up(txn, card), Decision(None, card.account, flag, reason)))
        elif names_a_card(txn):
            notes[len(found) - 1] = (
                f"paid with {method}, which is none of the client's accounts in clients.yaml: "
                f"booked on {account} as if from its balance; add the card's account to book it "
                "from the card"
            )
    return found, notes, paid


def _absorb(
    planner: _Planner,
    row: Candidate,
    txn: data.Transaction,
    decision: Decision | None,
    slot: Slot,
) -> RowOutcome:
    """Record a row on the entry whose open slot it matched."""
    entry = slot.entry
    rel = planner.relpath(entry.location.filename)
    planner.plan.edits[rel].append(AddMeta(entry.location.line, slot.key, quote(row.import_id)))
    others = [other for other in entry.slots if other is not slot]
    if entry.flag == "!" and others and all(other.claimed_by for other in others):
        planner.plan.edits[rel].append(SetFlag(entry.location.line, "*"))
    where = planner.shown(entry.location.filename, entry.location.line)
    if entry.ids:
        sides = {other.leg.account: entry.date for other in others}
        planner.move_transfer(entry, rel, {**sides, row.account: row.date})
        detail = f"the other side of the transfer in {where}"
        return _outcome(row, txn, decision, "completed", detail, where)
    detail = f"same account and amount, {abs((entry.date - row.date).days)} day(s) apart: {where}"
    return _outcome(row, txn, decision, "matched", detail, where)


def _not_completed(planner: _Planner, row: Candidate, slot: Slot) -> str:
    """Say why a row of a transfer's amount and days did not complete it."""
    entry = slot.entry
    where = planner.shown(entry.location.filename, entry.location.line)
    others = " or ".join(other.leg.account for other in entry.slots if other is not slot)
    return (
        f"not taken as the other side of the transfer in {where} (same amount, "
        f"{abs((entry.date - row.date).days)} day(s) apart): that transfer rests on a name, and "
        f"this row names neither {others} nor the client; check the transfer"
    )


def _book(
    planner: _Planner, row: Candidate, txn: data.Transaction, decision: Decision | None
) -> RowOutcome:
    """Book a row that is not in the ledger yet: a transfer, a merge, or a new entry."""
    own = planner.client.accounts
    target = transfer_target(txn, row.account, own, decision)
    # A row with a fee (a third posting) completes no entry of another account: the merge
    # would keep only its two legs.
    convertible = (
        convertible_for(
            row, txn, target, planner.index, own, planner.taken, planner.window, planner.client.name
        )
        if len(txn.postings) == 2  # noqa: PLR2004
        else None
    )
    if convertible is not None:
        planner.taken.add(id(convertible))
        entry = convertible.entry
        rel = planner.relpath(entry.location.filename)
        replacement = posting_text(Posting(row.account, row.number, row.currency))
        planner.plan.edits[rel] += [
            AddMeta(entry.location.line, id_key(1), quote(row.import_id)),
            ReplaceLine(convertible.uncategorized.line, replacement),
        ]
        by_account = {funding.account: funding for funding in own}
        pair = (by_account[convertible.own.account], by_account[row.account])
        confirmed = merge_confirmed(txn, target, convertible, pair, planner.client.name)
        if entry.flag == "!" and confirmed:
            planner.plan.edits[rel].append(SetFlag(entry.location.line, "*"))
        sides = {convertible.own.account: entry.date, row.account: row.date}
        planner.move_transfer(entry, rel, sides)
        where = planner.shown(entry.location.filename, entry.location.line)
        why = target.evidence if target else "a name ties the two rows"
        detail = f"with the entry of {convertible.own.account} in {where} ({why})"
        if not confirmed:
            detail += "; only one side names the other: left ! to check"
        merged = txn._replace(
            postings=[txn.postings[0], txn.postings[1]._replace(account=convertible.own.account)]
        )
        return _outcome(row, merged, decision, "merged", detail, where)
    if target is not None:
        transfer = _transfer(txn, target)
        planner.add_entry(transfer)
        return _outcome(
            row, transfer, decision, "transfer", f"to/from {target.account}: {target.evidence}"
        )
    planner.add_entry(txn)
    detail = (decision.reason if decision is not None else None) or "no categorization rules"
    return _outcome(row, txn, decision, "added", detail)


def _transfer(txn: data.Transaction, target: Target) -> data.Transaction:
    """Return a row booked as a transfer: its other leg on the client's other account."""
    other = txn.postings[1]
    by_rule = other.account == target.account
    flag = txn.flag if by_rule else ("*" if target.confirmed else "!")
    return txn._replace(
        flag=flag,
        postings=[txn.postings[0], other._replace(account=target.account), *txn.postings[2:]],
    )


def _balance(planner: _Planner, entry: data.Balance, statement_file: str) -> None:
    """Add a balance assertion unless the ledger has it; refuse one that contradicts it."""
    number, currency = amount_of(entry)
    existing = planner.index.balances.get((entry.account, currency, entry.date))
    if existing is not None:
        where = existing.location.shown(planner.root)
        if existing.number != number:
            msg = (
                f"{planner.plan.export.path}:{entry.meta.get('lineno')}: the export says "
                f"{entry.account} held {number} {currency} at the start of {entry.date}, but "
                f"the ledger asserts {existing.number} {currency} for that day in {where}. "
                "One of them is wrong: check the export and the entries of that period, "
                "correct the ledger, then import again. Nothing was written."
            )
            raise BookingError(msg)
        planner.plan.balances.append(
            BalanceOutcome(entry.date, entry.account, number, currency, "exists", where)
        )
        return
    meta = dict(entry.meta)
    meta["statement"] = statement_file
    planner.add_entry(entry._replace(meta=meta))
    planner.plan.balances.append(
        BalanceOutcome(entry.date, entry.account, number, currency, "added")
    )


def free_archive(base: str, root: Path, content: bytes) -> tuple[str, bool]:
    """Return where to file an export and whether to copy it (the same bytes are there).

    Another file under the same name (another export of the same period) keeps its place;
    this one becomes `<name>-2.<ext>`, `-3`, …
    """
    stem, dot, suffix = base.rpartition(".")
    if not dot or "/" in suffix:
        stem, suffix = base, ""
    number = 1
    while True:
        candidate = base if number == 1 else f"{stem}-{number}{'.' + suffix if suffix else ''}"
        path = root / candidate
        if not path.exists():
            return candidate, True
        if path.read_bytes() == content:
            return candidate, False
        number += 1
