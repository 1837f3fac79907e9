"""The month-end checklist of one client and month: each item passed or failed, and what to do.

It reads what the caller gathered (the ledger loaded with its plugins, its errors, the
registered accounts, the approval state, the standing lock) and decides nothing else: the
close (`beanfirm.jobs.closing`) refuses when any item fails.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from pathlib import Path

from beancount.core import data

from beanfirm.core.beans import Directive
from beanfirm.errors import Problem, relative_to
from beanfirm.monthend.closing import Period
from beanfirm.monthend.mapping import Revaluation
from beanfirm.monthend.revaluation import Holding, holdings, period_rates, untakeable
from beanfirm.plugins import periods

UNCATEGORIZED_LEAF = ":Uncategorized"


@dataclass(frozen=True)
class Item:
    """One item of the checklist: its name, whether it passed, what was found, what to do."""

    name: str
    passed: bool
    found: str
    todo: str = ""


@dataclass(frozen=True)
class Reconciled:
    """A registered account's reconciliation cadence (`none`: exempt) and how far it is done."""

    cadence: str
    through: datetime.date | None


def due_through(period: Period, cadence: str) -> datetime.date | None:
    """Return the day an account must be reconciled through to close a month; None: exempt.

    The end of the last period of its cadence that ends by the month's end: the month's end for
    a monthly account, the 25th for a card closing on the 25th, the quarter's end for a
    quarterly one (September's for October and November).
    """
    if periods.parse(cadence) is None:
        return None
    following = period.end + datetime.timedelta(days=1)
    return periods.period_start(following, cadence) - datetime.timedelta(days=1)


@dataclass(frozen=True)
class Facts:
    """What the checklist reads about a client, gathered by the caller."""

    client_id: str
    period: Period
    entries: Sequence[Directive]  # loaded with the client's plugins
    errors: Sequence[Problem]
    accounts: Sequence[str]  # the registered accounts (clients.yaml `accounts:`)
    reconciled: Mapping[str, Reconciled]  # by registered account
    unapproved: str | None  # why the client's changes are not all approved; None: they are
    locked_through: datetime.date | None  # the latest standing lock
    root: Path | None = None  # the practice, that file names are shown relative to
    currency: str = ""  # the client's (reporting) currency
    revaluation: Revaluation | None = None  # the monetary accounts; None: no revaluation
    revaluation_off: bool = False  # the client turned it off (clients.yaml `revaluation: false`)


@dataclass(frozen=True)
class Checklist:
    """The items of one client's month, in order."""

    client_id: str
    period: Period
    items: tuple[Item, ...]

    @property
    def passed(self) -> bool:
        """Tell whether every item passed."""
        return all(item.passed for item in self.items)

    def first_failure(self) -> Item | None:
        """Return the first item that failed."""
        return next((item for item in self.items if not item.passed), None)


def _passed(name: str, found: str) -> Item:
    return Item(name, passed=True, found=found)


def _failed(name: str, found: str, todo: str) -> Item:
    return Item(name, passed=False, found=found, todo=todo)


def covered_days(entry: Directive) -> Iterator[tuple[str, datetime.date]]:
    """Yield each account an entry shows imported, with the day whose month it covers.

    A transaction covers its accounts on its own day; a balance assertion covers its account
    on the day before it (it states the balance at the start of its day), so that an assertion
    on the 1st closes the month before.
    """
    if isinstance(entry, data.Balance):
        yield entry.account, entry.date - datetime.timedelta(days=1)
    elif isinstance(entry, data.Transaction):
        for posting in entry.postings:
            yield posting.account, entry.date


def covered_accounts(entries: Sequence[Directive], period: Period) -> set[str]:
    """Return the accounts with an entry in the month or a balance assertion closing it."""
    return {
        account
        for entry in entries
        for account, day in covered_days(entry)
        if period.start <= day <= period.end
    }


def imported_item(period: Period, accounts: Sequence[str], covered: AbstractSet[str]) -> Item:
    """Return the `imported` item: every registered account has the month (`covered`)."""
    missing = [a for a in accounts if a not in covered]
    if not missing:
        return _passed("imported", f"{len(accounts)} registered accounts have the month")
    return _failed(
        "imported",
        f"no entry and no balance assertion in {period.label}: {', '.join(missing)}",
        "import the month's export of each (`beanfirm import`), or assert its balance on the "
        f"day after {period.end} when it had no movement",
    )


def _imported(facts: Facts) -> Item:
    covered = covered_accounts(facts.entries, facts.period)
    return imported_item(facts.period, facts.accounts, covered)


def reconciled_item(period: Period, reconciled: Mapping[str, Reconciled]) -> Item:
    """Return the `reconciled` item: each account reconciled through its due day."""
    late = []
    dues = set()
    for account, state in reconciled.items():
        due = due_through(period, state.cadence)
        dues.add(due)
        if due is not None and (state.through is None or state.through < due):
            late.append(f"{account} (through {state.through or 'nothing yet'}, due {due})")
    if not late:
        if dues <= {period.end}:
            return _passed("reconciled", f"every registered account through {period.end}")
        return _passed("reconciled", "every registered account through its due day")
    return _failed(
        "reconciled",
        f"not reconciled through the month's end: {', '.join(late)}",
        "reconcile each against its statement (`beanfirm reconcile`, docs/reconcile.md)",
    )


def _reconciled(facts: Facts) -> Item:
    return reconciled_item(facts.period, facts.reconciled)


def is_open(entry: Directive) -> bool:
    """Tell whether an entry is a transaction left uncategorized or flagged `!`."""
    return isinstance(entry, data.Transaction) and (
        entry.flag == "!" or any(p.account.endswith(UNCATEGORIZED_LEAF) for p in entry.postings)
    )


def categorized_item(period: Period, count: int, first: str | None) -> Item:
    """Return the `categorized` item: `count` entries of the month open, the first at `first`."""
    if not count:
        return _passed("categorized", f"nothing in {period.label} left open")
    return _failed(
        "categorized",
        f"{count} entr{'ies' if count > 1 else 'y'} of {period.label} "
        f"uncategorized or flagged `!`, the first at {first}",
        "book each to its real account and flag it `*` (in Fava or the month file; a rule in "
        "rules.yaml categorizes the next import, docs/rules.md)",
    )


def _categorized(facts: Facts) -> Item:
    open_rows: list[str] = []
    for entry in facts.entries:
        if is_open(entry) and facts.period.start <= entry.date <= facts.period.end:
            filename = str(entry.meta.get("filename"))
            shown = relative_to(filename, facts.root) if facts.root else filename
            open_rows.append(f"{shown}:{entry.meta.get('lineno')}")
    return categorized_item(facts.period, len(open_rows), next(iter(open_rows), None))


def _clean(facts: Facts) -> Item:
    if not facts.errors:
        return _passed("no errors", "the ledger checks clean")
    return _failed(
        "no errors",
        f"{len(facts.errors)} ledger error{'s' if len(facts.errors) > 1 else ''}, the first "
        f"{facts.errors[0]}",
        f"fix them (`beanfirm check {facts.client_id}`)",
    )


def approved_item(client_id: str, unapproved: str | None) -> Item:
    """Return the `approved` item: `unapproved` says why not (None: every change approved)."""
    if unapproved is None:
        return _passed("approved", "every change is approved")
    return _failed(
        "approved",
        unapproved,
        f"have a reviewer approve it (`beanfirm review`, `beanfirm approve {client_id}`)",
    )


def _approved(facts: Facts) -> Item:
    return approved_item(facts.client_id, facts.unapproved)


def _previous_closed(facts: Facts) -> Item:
    previous = facts.period.previous()
    if facts.locked_through is None:
        return _passed("previous month closed", "the client's first close")
    if facts.locked_through >= previous.end:
        return _passed("previous month closed", f"locked through {facts.locked_through}")
    return _failed(
        "previous month closed",
        f"{previous.label} is open: the books are locked through {facts.locked_through} only",
        f"close {previous.label} first (`beanfirm close {facts.client_id} --period "
        f"{previous.label}`)",
    )


def _not_closed(facts: Facts) -> Item:
    if facts.locked_through is None or facts.locked_through < facts.period.end:
        return _passed("not closed yet", f"{facts.period.label} is open")
    return _failed(
        "not closed yet",
        f"{facts.period.label} is closed already: locked through {facts.locked_through}",
        "nothing to do; to change it, a partner reopens it first (`beanfirm reopen`)",
    )


def _revalued(facts: Facts) -> Item:
    """Return the `revaluation` item: each foreign currency held has a rate of the month."""
    name = "revaluation"
    if facts.revaluation_off:
        return _passed(name, "turned off for this client (clients.yaml `revaluation: false`)")
    if facts.revaluation is None:
        return _passed(name, "the statement mapping names no monetary accounts")
    found = holdings(facts.entries, facts.currency, facts.period, facts.revaluation)
    if not found:
        return _passed(name, "no foreign-currency balances")
    used, missing = period_rates(facts.entries, facts.currency, facts.period, found, facts.root)
    unopened = [
        Problem(relative_to(p.filename, facts.root) if facts.root and p.filename else p.filename,
                p.line, p.message)
        for p in untakeable(facts.entries, facts.currency, found, facts.revaluation.gain_loss)
    ]  # fmt: skip
    problems = [*missing, *unopened]
    if problems:
        first = str(problems[0]) if problems[0].filename else problems[0].message
        more = f" ({len(problems) - 1} more)" if len(problems) > 1 else ""
        unpriced = sorted(_held(found) - set(used))
        todo = [
            f"give each foreign currency its rate of {facts.period.end} in the ledger, such as "
            f"`{facts.period.end} price {unpriced[0]} 7.10 {facts.currency}` (the rate of that "
            "day)"
            if missing
            else "",
            f"open each account named for {facts.currency} too" if unopened else "",
        ]
        return _failed(
            name, f"{first}{more}", "; ".join(part for part in todo if part) + " (docs/close.md)"
        )
    rates = ", ".join(f"{r.currency} {r.rate} {facts.currency} ({r.day})" for r in used.values())
    accounts = f"{len(found)} account{'s' if len(found) > 1 else ''}"
    return _passed(name, f"{accounts} revalued at {rates or 'no rate needed'}")


def _held(found: Mapping[str, Holding]) -> set[str]:
    return {cur for holding in found.values() for cur, units in holding.foreign.items() if units}


def checklist(facts: Facts) -> Checklist:
    """Return the checklist of a client's month."""
    items = (
        _not_closed(facts),
        _previous_closed(facts),
        _clean(facts),
        _imported(facts),
        _reconciled(facts),
        _categorized(facts),
        _approved(facts),
        _revalued(facts),
    )
    return Checklist(facts.client_id, facts.period, items)
