"""A client's customer (or vendor) accounts, as the aging, credit and forecast reports read them.

`client_book` loads a client's ledger and reads its receivables or payables; `select_party`
finds the customer a user names on the command line, or says what to add and where.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from beancount.core import data

from beanfirm.accounts.openitems import Book, Party, Side, read_book, settings_of
from beanfirm.core import paths
from beanfirm.errors import ConfigError, UsageError, relative_to
from beanfirm.store.ledger import Ledger, is_warning, load_ledger

if TYPE_CHECKING:
    from collections.abc import Collection, Sequence

    from beanfirm.store.practice import Practice
    from beanfirm.store.registry import Client


CODED_CHART = re.compile(r"^Assets:\d{4}-")  # a chart with account codes: 小企业会计准则


@dataclass(frozen=True)
class ClientBooks:
    """A client's loaded ledger and its receivables or payables."""

    client: Client
    ledger: Ledger
    book: Book

    @property
    def errors(self) -> int:
        """How many errors (not warnings) the ledger has."""
        return sum(1 for error in self.ledger.errors if not is_warning(error))


def load_client(practice: Practice, client_id: str) -> tuple[Client, Ledger]:
    """Load a client's ledger (raising ConfigError for an unknown client or missing ledger)."""
    client = practice.registry.client(client_id)
    main = practice.main_file(client.id)
    if not main.is_file():
        msg = (
            f"The ledger of client {client.id} is missing: no {relative_to(main, practice.root)}. "
            "Restore it from git, or run `beanfirm clients add` to create it."
        )
        raise ConfigError(msg)
    return client, load_ledger(main)


def client_book(practice: Practice, client_id: str, side: Side = "receivables") -> ClientBooks:
    """Load a client's ledger and read its receivables (or payables)."""
    client, ledger = load_client(practice, client_id)
    return ClientBooks(client, ledger, read_book(ledger.entries, ledger.options, side))


def select_party(ledger: Ledger, book: Book, name: str, client_id: str) -> Party:
    """Find the customer (or vendor) named `name`, or raise UsageError saying what to do."""
    party = book.find_party(name)
    if party is not None:
        return party
    settings = settings_of(ledger.options)
    other_side: Side = "payables" if book.side == "receivables" else "receivables"
    other = read_book(ledger.entries, ledger.options, other_side).find_party(name)
    customer = book.side == "receivables"
    what = "customer" if customer else "vendor"
    roots = settings.receivable if customer else settings.payable
    if other is not None:
        flag = "--payables" if customer else "no --payables"
        msg = (
            f"{name!r} is a {'vendor' if customer else 'customer'} of {client_id} "
            f"({other.account}), not a {what}: run the report with {flag}."
        )
        raise UsageError(msg)
    opened = {entry.account for entry in ledger.entries if isinstance(entry, data.Open)}
    example = f"{root_for_chart(client_id, opened, roots)}{name}"
    account = _account_named(ledger, name)
    known = ", ".join(f"{p.key} ({p.name})" if p.name != p.key else p.key for p in _sorted(book))
    if account is not None:
        reason = (
            f"{account} is not a {what} account: {what} accounts are under "
            f"{' or '.join(roots)} (one per {what})"
        )
    elif _is_payee(ledger, name):
        reason = f"{name!r} appears as a payee in the ledger but has no {what} account"
    else:
        reason = f"{client_id} has no {what} {name!r}"
    msg = (
        f"{reason}. Known {what}s: {known or 'none yet'}. To add one, open its account in "
        f"{paths.accounts_file(client_id)}, like `2025-01-01 open {example}` with "
        "`name:`, `terms-days:` and `credit-limit:` metadata (docs/conventions.md)."
    )
    raise UsageError(msg)


def root_for_chart(client_id: str, opened: Collection[str], roots: Sequence[str]) -> str:
    """Return the root of a client's chart among `roots` (`Assets:1122-应收账款:` or not).

    The root under which the ledger already opens an account, or whose account it opens; else
    the coded root for a chart with account codes, the other for one without. The plugin's
    defaults name the roots of both charts: a customer opened under the other chart's root
    would be one its statements never show.
    """
    for root in roots:
        if root.rstrip(":") in opened or any(account.startswith(root) for account in opened):
            return root
    coded = any(CODED_CHART.match(account) for account in opened)
    for root in roots:
        if bool(re.search(r":\d{4}-", root)) == coded:
            return root
    if not roots:
        msg = f"client '{client_id}' has no receivable root configured in its receivables plugin."
        raise ConfigError(msg)
    return roots[0]


def today() -> datetime.date:
    """Return the default report date: today, on this machine."""
    return datetime.date.today()  # noqa: DTZ011 - the books have no time zone; local date


def _sorted(book: Book) -> list[Party]:
    return sorted(book.parties.values(), key=lambda party: party.key)


def _account_named(ledger: Ledger, name: str) -> str | None:
    for entry in ledger.entries:
        if isinstance(entry, data.Open) and name in (entry.account, entry.account.split(":")[-1]):
            return entry.account
    return None


def _is_payee(ledger: Ledger, name: str) -> bool:
    return any(isinstance(e, data.Transaction) and e.payee == name for e in ledger.entries)
