"""A client's bank accounts and customers added by command: registry, chart and opening, one commit.

`add_account` registers a bank, card, payment or cash account in clients.yaml, opens it in the
client's accounts.beancount (unless the chart already opens it) and, when asked, books its
opening balance as `beanfirm opening` books one: a transaction against the opening equity
account on the day, and the balance assertion on the next day that the first reconciliation
starts from. `add_customer` opens a customer's receivable account, with the customer's master
data as metadata, under the receivable root of the client's chart. Everything is validated
before anything is written; the write is one commit through `apply_write`.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Never

from beancount.core import data
from beancount.core.amount import Amount

from beanfirm.accounts.customers import root_for_chart
from beanfirm.accounts.invoices import cents
from beanfirm.accounts.openitems import settings_of
from beanfirm.core import paths
from beanfirm.core.accountnames import STATEMENT_ROOTS, is_account_name
from beanfirm.core.journal import meta_text, quote
from beanfirm.core.ledgertext import entry_text
from beanfirm.core.monthfiles import NewEntry, merge_entries
from beanfirm.errors import ConfigError, UsageError, relative_to
from beanfirm.importers import IMPORTER_NAMES
from beanfirm.jobs.clientcheck import ClientCheck, write_client
from beanfirm.jobs.opening import opening_posting, opening_txn
from beanfirm.review.locks import locked_through
from beanfirm.store.ledger import parse_ledger
from beanfirm.store.registry import (
    ACCOUNT_KINDS,
    LANGUAGES,
    REGISTRY_FILENAME,
    Client,
)
from beanfirm.store.registrytext import append_item, validated
from beanfirm.store.writes import Planned, WritePlan, Written, apply_write

if TYPE_CHECKING:
    from pathlib import Path

    from beanfirm.core.beans import Directive
    from beanfirm.store.gitrepo import Author, PracticeRepo
    from beanfirm.store.practice import Practice

ONE_DAY = datetime.timedelta(days=1)


@dataclass(frozen=True)
class NewAccount:
    """A bank, card, payment or cash account to register, and its opening balance if any."""

    account: str
    kind: str
    importer: str
    number: str | None = None
    currency: str | None = None
    opened: datetime.date | None = None  # default: the day the chart opens
    opening: Decimal | None = None  # its balance at the end of `on`
    on: datetime.date | None = None


@dataclass(frozen=True)
class NewCustomer:
    """A customer of a client, with the master data its receivable account carries."""

    name: str  # the last component of its account (`Acme-Robotics`, `华联超市`)
    full_name: str | None = None  # its legal name, `name:` on the account
    terms_days: int | None = None
    credit_limit: Decimal | None = None
    email: str | None = None
    language: str | None = None
    opened: datetime.date | None = None
    customer_class: str | None = None  # `class:`, by which visit expenses are summed


@dataclass(frozen=True)
class Added:
    """What an `accounts add` or `customers add` wrote, for its report."""

    account: str
    opened: datetime.date | None  # None: the chart already opened it
    opening: Decimal | None = None
    currency: str = ""


def _opens(entries: list[Directive]) -> dict[str, data.Open]:
    return {entry.account: entry for entry in entries if isinstance(entry, data.Open)}


def _start(opens: dict[str, data.Open]) -> datetime.date:
    """Return the day the chart opens: the earliest `open` of the ledger."""
    if not opens:
        msg = "the client's ledger opens no account; create its chart with `beanfirm clients add`."
        raise ConfigError(msg)
    return min(entry.date for entry in opens.values())


def _opening_day(
    client: Client,
    what: str,
    entries: list[Directive],
    opens: dict[str, data.Open],
    given: datetime.date | None,
) -> datetime.date:
    """Return the day an account opens: given, else the chart's first day, after any lock.

    An `open` dated in a locked period changes what the lock sealed, and the check refuses
    it with the lock's words, not the date's: refused here, saying which day to give.
    """
    through = locked_through(entries)
    if given is None:
        start = _start(opens)
        return max(start, through + datetime.timedelta(days=1)) if through else start
    if through is not None and given <= through:
        _refuse(
            client,
            what,
            f"it would open on {given}, but the books through {through} are locked (closed). "
            f"Give --opened {through + datetime.timedelta(days=1)} or later, or have a partner "
            "reopen the period first (`beanfirm reopen`, docs/lock.md).",
        )
    return given


def _appended(text: str, block: str) -> str:
    """Return accounts.beancount with an `open` block added at its end, after a blank line."""
    if text and not text.endswith("\n"):
        text += "\n"
    return text + ("\n" if text.strip() else "") + block


def _where(entry: Directive, root: Path) -> str:
    return f"{relative_to(str(entry.meta.get('filename')), root)}:{entry.meta.get('lineno')}"


def _refuse(client: Client, what: str, why: str) -> Never:
    msg = f"Cannot add {what} to client '{client.id}': {why} Nothing was written."
    raise UsageError(msg)


def _check_account(client: Client, new: NewAccount) -> None:
    """Refuse what the registry would refuse, with what to do, before reading anything."""
    what = new.account
    if not is_account_name(new.account, STATEMENT_ROOTS):
        _refuse(
            client,
            what,
            f"'{new.account}' is not a valid account name for a bank, card, payment or cash "
            "account; it must start with Assets: or Liabilities: and each component must start "
            "with a capital letter, a digit or a code prefix (like Assets:1002-银行存款:工商银行).",
        )
    if new.importer not in IMPORTER_NAMES:
        _refuse(
            client,
            what,
            f"there is no importer '{new.importer}'; use one of: {', '.join(IMPORTER_NAMES)} "
            "(docs/importers.md).",
        )
    if new.kind not in ACCOUNT_KINDS:
        _refuse(client, what, f"the kind must be one of: {', '.join(ACCOUNT_KINDS)}.")
    for registered in client.accounts:
        if registered.account == new.account:
            _refuse(
                client,
                what,
                f"it is already registered, at {REGISTRY_FILENAME}:{registered.line} "
                f"(importer {registered.importer}).",
            )
    if (new.opening is None) != (new.on is None):
        _refuse(client, what, "--opening AMOUNT and --on DATE go together; give both or neither.")


def _registry_text(practice: Practice, client: Client, new: NewAccount) -> str:
    """Return clients.yaml with the account appended to the client's, validated."""
    record: dict[str, object] = {
        "account": new.account,
        "kind": new.kind,
        "importer": new.importer,
    }
    if new.number is not None:
        record["number"] = new.number
    if new.currency is not None:
        record["currency"] = new.currency
    old = practice.registry_path.read_text(encoding="utf-8")
    index = [c.id for c in practice.registry.clients].index(client.id)
    text = append_item(old, ("clients", index, "accounts"), record, f"the accounts of {client.id}")
    validated(practice.registry_path, text, f"Account {new.account} cannot be added")
    return text


def _opening_entries(
    client: Client,
    new: NewAccount,
    opens: dict[str, data.Open],
    entries: list[Directive],
    options: dict[str, object],
    currency: str,
    root: Path,
) -> list[data.Transaction | data.Balance]:
    """Return the opening balance's transaction and assertion, validated against the ledger."""
    if new.opening is None or new.on is None:
        return []
    equity = f"{options.get('name_equity', 'Equity')}:"
    equity += str(options.get("account_previous_balances", "Opening-Balances"))
    if equity not in opens or opens[equity].date > new.on:
        _refuse(
            client,
            new.account,
            f"the chart has no {equity} open on {new.on} to book the opening balance against; "
            f"open it in {paths.accounts_file(client.id)} first.",
        )
    for entry in entries:
        postings = entry.postings if isinstance(entry, data.Transaction) else ()
        if any(posting.account == new.account for posting in postings):
            _refuse(
                client,
                new.account,
                f"the ledger already has entries on it ({_where(entry, root)}); an opening "
                "balance comes before every entry. Book it with `beanfirm opening`, or leave "
                "--opening out.",
            )
    meta = {"opening-balance": "beanfirm accounts add"}
    narration = f"期初余额 Opening balance of {new.account}"
    postings = [
        opening_posting(new.account, new.opening, currency),
        opening_posting(equity, -new.opening, currency),
    ]
    found: list[data.Transaction | data.Balance] = [
        opening_txn(new.on, None, narration, postings, meta, frozenset())
    ]
    assertion = data.new_metadata("<opening>", 0)
    found.append(
        data.Balance(
            assertion, new.on + ONE_DAY, new.account, Amount(new.opening, currency), None, None
        )
    )
    return found


def add_account(
    practice: Practice,
    repo: PracticeRepo,
    client: Client,
    new: NewAccount,
    *,
    author: Author,
    dry_run: bool = False,
) -> Written[Added]:
    """Register an account, open it and book its opening balance, validated, in one commit."""
    _check_account(client, new)
    currency = new.currency or client.currency
    cadence = client.reconcile

    def prepare() -> Planned[Added]:
        registry = _registry_text(practice, client, new)
        ledger = parse_ledger(practice.main_file(client.id))
        opens = _opens(ledger.entries)
        files: dict[str, bytes | None] = {REGISTRY_FILENAME: registry.encode()}
        opened: datetime.date | None = None
        if new.account not in opens:
            opened = _opening_day(client, new.account, ledger.entries, opens, new.opened)
            if new.on is not None and new.on < opened:
                _refuse(
                    client,
                    new.account,
                    f"the opening balance is dated {new.on}, before the account opens on "
                    f"{opened}; give --opened {new.on} or a later --on.",
                )
            accounts_path = practice.root / paths.accounts_file(client.id)
            # a foreign account takes the client's currency too: the month-end revaluation
            takes = ",".join(dict.fromkeys((currency, client.currency)))
            block = f"{opened.isoformat()} open {new.account} {takes}\n"
            block += meta_text("reconcile", quote(cadence)) + "\n"
            text = accounts_path.read_text(encoding="utf-8")
            files[paths.accounts_file(client.id)] = _appended(text, block).encode()
        entries = _opening_entries(
            client, new, opens, ledger.entries, dict(ledger.options), currency, practice.root
        )
        registers = f"Registers {new.account} ({new.kind}, importer {new.importer})"
        lines = [f"{registers} in {REGISTRY_FILENAME}"]
        if opened is not None:
            lines.append(f"opens it on {opened} in {paths.accounts_file(client.id)}")
        if entries and new.on is not None and new.opening is not None:
            month_file = paths.month_file(client.id, new.on)
            path = practice.root / month_file
            old = path.read_text(encoding="utf-8") if path.exists() else None
            merged = merge_entries(
                old,
                new.on.replace(day=1),
                [
                    NewEntry(entry.date, isinstance(entry, data.Balance), entry_text(entry))
                    for entry in entries
                ],
            )
            files[month_file] = merged.encode()
            lines.append(
                f"books its opening balance of {new.opening} {currency} at the end of {new.on}, "
                f"asserted on {new.on + ONE_DAY}"
            )
        message = f"Add account {new.account} to {client.id}\n\n" + ", ".join(lines) + "."
        return Planned(files, message, Added(new.account, opened, new.opening, currency))

    plan: WritePlan[Added, Never] = WritePlan(
        prepare,
        locks=("registry", client.id),
        guard=(REGISTRY_FILENAME, paths.client_folder(client.id)),
        what=f"client {client.id}",
    )
    check = ClientCheck(practice, repo, client)
    return apply_write(practice.root, repo, plan, author=author, check=check, dry_run=dry_run)


def _check_customer(client: Client, new: NewCustomer) -> None:
    if new.language is not None and new.language not in LANGUAGES:
        _refuse(client, new.name, f"--language must be one of: {', '.join(LANGUAGES)}.")
    if new.terms_days is not None and new.terms_days < 0:
        _refuse(client, new.name, "--terms-days must be 0 or more days.")
    if new.credit_limit is not None and new.credit_limit < 0:
        _refuse(client, new.name, "--credit-limit must be 0 or more.")
    if new.credit_limit is not None:
        try:
            cents(new.credit_limit, "--credit-limit")
        except UsageError as exc:
            _refuse(client, new.name, str(exc))
    if new.email is not None and "@" not in new.email:
        _refuse(client, new.name, f"'{new.email}' is not an email address.")
    if new.customer_class is not None and (
        not new.customer_class.strip() or any(c in new.customer_class for c in "\n\r\t")
    ):
        _refuse(client, new.name, "--class must be one line of text, like key or 重点.")


def add_customer(
    practice: Practice,
    repo: PracticeRepo,
    client: Client,
    new: NewCustomer,
    *,
    author: Author,
    dry_run: bool = False,
) -> Written[Added]:
    """Open a customer's receivable account with its master data, validated, in one commit."""
    _check_customer(client, new)

    def prepare() -> Planned[Added]:
        ledger = parse_ledger(practice.main_file(client.id))
        opens = _opens(ledger.entries)
        root = root_for_chart(client.id, opens, settings_of(ledger.options).receivable)
        account = root + new.name
        if ":" in new.name or not is_account_name(account):
            _refuse(
                client,
                f"customer '{new.name}'",
                f"{account} is not a valid account name: the customer's part must start with a "
                "capital letter, a digit or a CJK character, and hold no spaces or colons "
                "(write Acme-Robotics, not 'Acme Robotics'; the full name goes in --full-name).",
            )
        full_name = new.full_name or new.name
        for other in opens.values():
            if other.account == account or (
                other.account.startswith(root) and (other.meta or {}).get("name") == full_name
            ):
                where = _where(other, practice.root)
                _refuse(
                    client,
                    f"customer '{new.name}'",
                    f"the ledger already opens {other.account} for it ({where}). Update its "
                    "metadata there, or choose another name.",
                )
        opened = _opening_day(client, f"customer '{new.name}'", ledger.entries, opens, new.opened)
        meta = [("name", quote(full_name))]
        if new.terms_days is not None:
            meta.append(("terms-days", str(new.terms_days)))
        if new.credit_limit is not None:
            meta.append(("credit-limit", f"{new.credit_limit:.2f} {client.currency}"))
        if new.email is not None:
            meta.append(("email", quote(new.email)))
        meta.append(("language", quote(new.language or client.language)))
        if new.customer_class is not None:
            meta.append(("class", quote(new.customer_class.strip())))
        block = f"{opened.isoformat()} open {account} {client.currency}\n"
        block += "".join(meta_text(key, value) + "\n" for key, value in meta)
        accounts_file = paths.accounts_file(client.id)
        text = (practice.root / accounts_file).read_text(encoding="utf-8")
        message = (
            f"Add customer {new.name} to {client.id}\n\n"
            f"Opens {account} on {opened} in {accounts_file}, with the customer's master data "
            f"({', '.join(key for key, _ in meta)})."
        )
        files: dict[str, bytes | None] = {accounts_file: _appended(text, block).encode()}
        return Planned(files, message, Added(account, opened, None, client.currency))

    return write_client(practice, repo, client, prepare, author=author, dry_run=dry_run)
