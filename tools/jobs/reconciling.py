"""Reconciling one account against a statement, under the write discipline: one commit.

`read_request` reads and checks everything that needs no ledger: the account (clients.yaml),
the statement (read by the account's importer, `beanfirm.ingest.exports.read_export`, which refuses
another account's number) and its period and balances (`beanfirm.reconcile.period`, which
refuses another currency and a statement that does not add up).

`run_reconcile` then, under the client's lock, loads the ledger with its plugins, compares
(`beanfirm.reconcile.comparison`), and refuses a statement that contradicts an assertion already in
its period. When the statement and the ledger agree, or differ only by outstanding items the
accountant accepts, it writes the `balance` assertion dated the day after the statement's last
day (`statement:`, `reconciled-by:`, and `statement-balance:` when outstanding items were
accepted) at the end of that month's file, files the statement and the reconciliation report
(HTML and CSV, `beanfirm.reconcile.report`) under `documents/`, checks the ledger and commits, all
through `beanfirm.store.writes.apply_write`. With any other difference nothing is written.
Nothing it writes is dated in a locked period: the `document` directives of a statement whose
last day a lock seals are dated with the assertion, the day after, and an assertion inside a
lock is refused in words that name it (`beanfirm.review.locks.lock_refusal`).
"""

from __future__ import annotations

import datetime
import posixpath
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from typing import Final, Literal

from beancount.core import account as bc_account
from beancount.core import data

from beanfirm.core import paths
from beanfirm.core.bulk import collector_paused
from beanfirm.core.journal import balance_text, money, month_path, quote
from beanfirm.core.monthfiles import NewEntry, merge_entries
from beanfirm.errors import UsageError, WriteRefusedError
from beanfirm.importers.amounts import (
    AmountError,
    excess_places,
    minor_digits,
    parse_amount,
    places_problem,
)
from beanfirm.ingest.exports import Export, find_account, read_export
from beanfirm.ingest.plan import archive_path, free_archive, statement_end
from beanfirm.jobs.clientcheck import ClientCheck
from beanfirm.plugins.locked import Lock
from beanfirm.reconcile.accountbook import STATEMENT_BALANCE, account_book
from beanfirm.reconcile.comparison import (
    ACCEPTED,
    DIFFERS,
    Comparison,
    Verdict,
    check_overlap,
    compare,
)
from beanfirm.reconcile.differences import kinds_text
from beanfirm.reconcile.period import StatementPeriod, read_period, stated_balance
from beanfirm.reconcile.report import ReportContext, render_csv, render_html
from beanfirm.review.locks import latest_lock, lock_refusal
from beanfirm.store.gitrepo import Author, PracticeRepo
from beanfirm.store.ledger import load_ledger
from beanfirm.store.practice import Practice
from beanfirm.store.registry import Client, FundingAccount
from beanfirm.store.writes import Planned, Stopped, WritePlan, apply_write

DEFAULT_WINDOW_DAYS = 7
ONE_DAY = datetime.timedelta(days=1)
# What `reconcile` came to: the comparison's verdict, or "already" when the same closing is
# asserted already (nothing to write). `reconcile --json` says it.
ReconcileOutcome = Verdict | Literal["already"]
ALREADY: Final = "already"


@dataclass(frozen=True)
class ReconcileRequest:
    """What to reconcile: a client's account against a statement or a stated balance."""

    client: Client
    account: FundingAccount
    period: StatementPeriod
    export: Export | None
    window: int = DEFAULT_WINDOW_DAYS
    accept_outstanding: bool = False


@dataclass(frozen=True)
class ReconcileResult:
    """The outcome: the comparison, and what was written (or would be, in a dry run)."""

    comparison: Comparison
    outcome: ReconcileOutcome
    commit: str | None = None
    assertion: str | None = None
    statement: str | None = None
    reports: tuple[str, ...] = ()
    existing: str | None = None
    documents: tuple[str, ...] = ()


def account_currency(client: Client, account: FundingAccount) -> str:
    """Return the currency an account is kept in: its own, else the client's."""
    return account.currency or client.currency


def parse_balance(text: str, currency: str) -> Decimal:
    """Read `--balance` as the importers read an amount cell, in the account's currency.

    `beanfirm.importers.amounts.parse_amount` takes thousands separators, a sign and the
    currency's code or sign (`49,767.23`, `'49767.23 CNY'`, `¥49767.23`) and refuses what
    half-parses (`49.767,23`, `4,9767.23`, `1e3`); an amount finer than the currency's minor
    unit (`49767.234` CNY) is refused too, never rounded; trailing zeros beyond it are
    dropped (`49767.230` is 49767.23).
    """
    example = (
        f"give the statement's closing balance like 12345.67, 12,345.67 or '12345.67 "
        f"{currency}'. Nothing was written."
    )
    try:
        money = parse_amount(text)
    except AmountError as exc:
        raise UsageError(f"--balance {text!r} is not an amount ({exc}); {example}") from None
    if money is None:
        raise UsageError(f"--balance {text!r} is not an amount; {example}")
    if money.currency is not None and money.currency != currency:
        msg = (
            f"--balance {text!r} is in {money.currency}, but the account is kept in "
            f"{currency}; {example}"
        )
        raise UsageError(msg)
    places = excess_places(money.number, currency)
    if places is not None:
        msg = f"--balance {text!r} is not an amount: {places_problem(currency, places)}; {example}"
        raise UsageError(msg)
    digits = minor_digits(currency)
    if digits is None:
        return money.number
    return money.number.quantize(Decimal(1).scaleb(-digits))  # 8547.190 is 8547.19


def needs_document_entry(account: str) -> bool:
    """Tell whether Beancount misses the documents of an account in its documents folder.

    Beancount (3.2.3) finds documents only under folders that are valid account names for its
    folder walker, whose every component starts with a capital letter or a digit: the folder
    `工商银行` of `Assets:1002-银行存款:工商银行` is passed over, although the ledger accepts the
    account. Such an account's archived files get a `document` directive instead.
    """
    return not bc_account.is_valid(account)


def document_text(date: datetime.date, account: str, rel: str, month: str) -> str:
    """Return a `document` directive for an archived file (paths relative to the practice).

    Beancount reads the file name relative to the file the directive is in: the month file.
    """
    path = posixpath.relpath(rel, posixpath.dirname(month))
    return f"{date.isoformat()} document {account} {quote(path)}\n"


def read_request(
    practice: Practice,
    client: Client,
    account: str,
    *,
    statement: Path | None,
    balance: str | None,
    through: datetime.date | None,
    window: int = DEFAULT_WINDOW_DAYS,
    accept_outstanding: bool = False,
) -> ReconcileRequest:
    """Read and check the statement or stated balance (raises BeanfirmError)."""
    chosen = find_account(client, account)
    currency = account_currency(client, chosen)
    number = parse_balance(balance, currency) if balance is not None else None
    if statement is None:
        if number is None or through is None:
            msg = (
                "Give the statement to reconcile with --statement FILE, or, for a paper "
                "statement, its closing balance and last day with --balance AMOUNT --date "
                "YYYY-MM-DD."
            )
            raise UsageError(msg)
        period = stated_balance(number, currency, through)
        return ReconcileRequest(client, chosen, period, None, window, accept_outstanding)
    if not statement.is_file():
        raise UsageError(f"No such file: {statement}. Nothing was written.")
    config_dir = practice.root / paths.importers_folder(client.id)
    export = read_export(client, statement, chosen.account, config_dir=config_dir)
    period = read_period(
        export.statement, currency, source=str(statement), balance=number, through=through
    )
    return ReconcileRequest(client, chosen, period, export, window, accept_outstanding)


@dataclass
class _Write:
    """The state of one reconciliation while its write is planned."""

    practice: Practice
    repo: PracticeRepo
    request: ReconcileRequest
    staff_id: str
    today: datetime.date
    documents: set[str] = field(default_factory=set)
    filed: datetime.date | None = None  # the day of the `document` directives

    def prepare(self) -> Planned[ReconcileResult] | Stopped[ReconcileResult]:
        """Compare under the lock; plan the files to write, or stop (a difference, done)."""
        request = self.request
        client, account = request.client, request.account.account
        root = self.practice.root
        with collector_paused():
            ledger = load_ledger(self.practice.main_file(client.id))
            own = [funding.account for funding in client.accounts]
            book = account_book(ledger.entries, account, request.period.currency, own)
        self.documents = {e.filename for e in ledger.entries if isinstance(e, data.Document)}
        if book.opened is None:
            msg = (
                f"{account} is not opened in the ledger of {client.id} "
                f"({paths.accounts_file(client.id)}); open it before reconciling it."
            )
            raise UsageError(msg)
        comparison = compare(request.period, book, request.window, root)
        existing = check_overlap(request.period, book, comparison.start, root)
        if existing is not None:
            return Stopped(
                ReconcileResult(comparison, ALREADY, existing=existing.location.shown(root))
            )
        outcome = comparison.verdict(accept_outstanding=request.accept_outstanding)
        if outcome == DIFFERS:
            return Stopped(ReconcileResult(comparison, DIFFERS))
        self.filed = self.outside_lock(latest_lock(ledger.entries), comparison.end)
        changes, result = self.files(comparison, outcome)
        return Planned(changes, self.message(result), result)

    def outside_lock(self, lock: Lock | None, end: datetime.date) -> datetime.date:
        """Return the day to date the `document` directives: the statement's last day, if open.

        A statement whose last day a lock seals is reconciled all the same: its assertion, the
        day after, is the first entry after the lock, and the directives of its files are
        dated with it (filed late, like a scan). An assertion inside the lock is refused.
        """
        if lock is None or end > lock.through:
            return end
        if end + ONE_DAY > lock.through:
            return end + ONE_DAY
        client = self.request.client
        partners = [s.id for s in self.practice.registry.firm.staff if s.role == "partner"]
        msg = lock_refusal(
            self.repo,
            client.id,
            lock,
            partners,
            doing=f"reconcile {client.id} {self.request.account.account} through {end}",
            change=f"its balance assertion would be dated {end + ONE_DAY}, in that period",
            instead=(
                f"Reconcile a statement that ends on {lock.through} or later: its assertion "
                "falls after the lock"
            ),
        )
        raise WriteRefusedError(msg)

    def files(
        self, comparison: Comparison, outcome: Verdict
    ) -> tuple[dict[str, bytes | None], ReconcileResult]:
        """Render the assertion, the archived statement and the reports."""
        request = self.request
        client = request.client
        root = self.practice.root
        folder = f"{paths.client_folder(client.id)}/"
        changes: dict[str, bytes | None] = {}
        statement_rel: str | None = None
        export = request.export
        end = comparison.end
        account = comparison.account
        if export is not None:
            content = export.path.read_bytes()
            imported = archive_path(client.id, export, statement_end(export))
            statement_rel, needed = free_archive(imported, root, content)
            if needed:  # not archived by an import: file it under the statement's last day
                statement_rel, needed = free_archive(
                    archive_path(client.id, export, end), root, content
                )
            if needed:
                changes[statement_rel] = content
        meta: list[tuple[str, str]] = []
        if statement_rel is not None:
            meta.append(("statement", quote(statement_rel.removeprefix(folder))))
        meta.append(("reconciled-by", quote(self.staff_id)))
        number = comparison.period.closing
        if outcome == ACCEPTED and comparison.difference != 0:
            number = comparison.ledger_closing
            meta.append(
                (STATEMENT_BALANCE, f"{money(comparison.period.closing)} {comparison.currency}")
            )
        assertion = balance_text(
            end + ONE_DAY, comparison.account, number, comparison.currency, tuple(meta)
        )
        documents = f"{paths.documents_folder(client.id, comparison.account)}/{end.isoformat()}"
        context = ReportContext(
            client_id=client.id,
            client_name=client.name,
            language=client.language,
            staff_id=self.staff_id,
            prepared=self.today,
            outcome=outcome,
            statement=statement_rel,
            assertion=assertion,
            root=root,
        )
        reports = []
        for suffix, body in (
            ("html", render_html(comparison, context)),
            ("csv", render_csv(comparison, context)),
        ):
            rel, needed = free_archive(f"{documents}.reconciliation.{suffix}", root, body)
            reports.append(rel)
            if needed:
                changes[rel] = body
        filed = self.filed or end
        month, filed_month = month_path(client.id, end), month_path(client.id, filed)
        archived = [statement_rel] if statement_rel else []
        documents_new = [
            NewEntry(filed, is_balance=False, text=document_text(filed, account, rel, filed_month))
            for rel in [*archived, *reports]
            if needs_document_entry(account) and str((root / rel).resolve()) not in self.documents
        ]
        placed = {filed_month: list(documents_new)}  # before the assertion, in one month
        placed.setdefault(month, []).append(
            NewEntry(end + ONE_DAY, is_balance=True, text=assertion)
        )
        for rel, new in placed.items():
            path = root / rel
            text = path.read_text(encoding="utf-8") if path.exists() else None
            first = (filed if rel == filed_month else end).replace(day=1)
            if new:
                changes[rel] = merge_entries(text, first, new).encode("utf-8")
        result = ReconcileResult(
            comparison,
            outcome,
            None,
            assertion,
            statement_rel,
            tuple(reports),
            documents=tuple(entry.text for entry in documents_new),
        )
        return changes, result

    def message(self, result: ReconcileResult) -> str:
        """Return the commit message: what was reconciled, the figures, where things are."""
        comparison = result.comparison
        client = self.request.client
        short = comparison.account.rsplit(":", 1)[-1]
        currency = comparison.currency
        by_id = sum(1 for m in comparison.matches if m.by == "import-id")
        source = self.request.export.path.name if self.request.export else "a stated balance"
        lines = [
            (
                f"Reconcile {client.id} {short} through {comparison.end}: "
                f"{money(comparison.period.closing)} {currency}"
            ),
            "",
            f"{comparison.account} against {source}, from {comparison.start} to {comparison.end}:",
        ]
        if comparison.has_lines:
            lines.append(
                f"- {len(comparison.matches)} statement lines matched to the ledger "
                f"({by_id} by import-id, {len(comparison.matches) - by_id} by amount and date)"
            )
        lines.append(
            f"- closing balance {money(comparison.period.closing)} {currency} on the "
            f"statement, {money(comparison.ledger_closing)} {currency} in the ledger"
        )
        if result.outcome == ACCEPTED:
            items = comparison.items
            accepted = (
                f"- {len(items)} difference{'' if len(items) == 1 else 's'} accepted "
                f"({kinds_text(items)})"
            )
            if comparison.difference == 0:
                accepted += ", which cancel out: the assertion is the statement's balance"
            else:
                accepted += (
                    f", a difference of {money(comparison.difference)} {currency}: the "
                    f"assertion is the ledger's balance, and {STATEMENT_BALANCE} records the "
                    "statement's"
                )
            lines.append(accepted)
        lines += [
            "",
            (
                f"Balance assertion {comparison.end + ONE_DAY} in "
                f"{month_path(client.id, comparison.end)}."
            ),
        ]
        if result.statement:
            lines.append(f"The statement is archived as {result.statement}.")
        lines.append(f"The reconciliation report is {' and '.join(result.reports)}.")
        return "\n".join(lines) + "\n"


def refuse_unfinished(end: datetime.date, today: datetime.date, what: str) -> None:
    """Refuse a statement whose last day is not over: its closing balance is not known yet.

    The assertion, dated the day after, would count the account reconciled through a day that
    has not come (a year typed wrong: 2027 for 2026), and fail once that day's rows are
    imported. Today is not over either: the bank may still book on it. `what` is the client
    and the account.
    """
    if end < today:
        return
    msg = (
        f"Refusing to reconcile {what} through {end}: that day is not over yet (today is "
        f"{today}). A balance assertion of {end + ONE_DAY} would count the account reconciled "
        "through a day that has not come, and fail as soon as more of its entries are booked. "
        "Check the statement's last day (--date, or the export's last line; a year typed "
        "wrong?), and reconcile once that day is over. Nothing was written."
    )
    raise UsageError(msg)


def run_reconcile(
    practice: Practice,
    repo: PracticeRepo,
    request: ReconcileRequest,
    *,
    author: Author,
    staff_id: str,
    dry_run: bool = False,
    today: datetime.date | None = None,
) -> ReconcileResult:
    """Reconcile under the write discipline (see the module docstring); raise on bad input."""
    client = request.client
    today = today or datetime.date.today()  # noqa: DTZ011 - the firm's calendar day
    refuse_unfinished(request.period.end, today, f"{client.id} {request.account.account}")
    write = _Write(practice, repo, request, staff_id, today)
    check = ClientCheck(practice, repo, client)
    plan = WritePlan(
        write.prepare,
        locks=(client.id,),
        guard=(paths.client_folder(client.id),),
        what=f"client {client.id}",
    )
    written = apply_write(practice.root, repo, plan, author=author, check=check, dry_run=dry_run)
    if isinstance(written, Stopped):
        return written.value
    if not dry_run:
        check.remember()
    return replace(written.value, commit=written.commit)
