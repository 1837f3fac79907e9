"""Making statement files for a client's customers: check everything, then write, all or nothing.

`plan_statements` loads nothing itself: it takes a client's loaded books and returns one
`StatementPlan` per customer after every check (the customer exists and its entries are free
of ledger errors, its invoices have due dates, the language is known). `write_statements`
renders the plans into a temporary folder beside the destination (PDF in parallel over the
machine's cores) and moves the files into place only when every one was made, so that a failure
leaves no half-written batch.

`render_statement` is the same pipeline for one customer of a ledger already loaded (Fava).
"""

from __future__ import annotations

import concurrent.futures
import datetime
import multiprocessing
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from beancount.core import data

from beanfirm.accounts import customers
from beanfirm.accounts.letterhead import Letterhead, letterheads
from beanfirm.accounts.messages import check_language
from beanfirm.accounts.openitems import Book, Party, read_book
from beanfirm.accounts.render import OutputFormat, render, statement_csv, statement_html
from beanfirm.accounts.statements import (
    AccountStatement,
    StatementType,
    build_statement,
    location_of,
    party_books,
    statement_period,
)
from beanfirm.core import pdf
from beanfirm.core.beans import BeanError, Directive, Options
from beanfirm.core.pdf import html_to_pdf, needs_cjk, require_cjk_font
from beanfirm.errors import LedgerError
from beanfirm.store.ledger import Ledger, error_problem, is_warning
from beanfirm.store.staging import Staging

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from beanfirm.store.registry import Client, Firm


@dataclass(frozen=True)
class StatementPlan:
    """One statement to write: its figures, its language and its file name."""

    statement: AccountStatement
    language: str
    filename: str


def statement_language(
    requested: str | None, party: Party, client: Client, root: Path | None = None
) -> str:
    """Return the language: --lang, else the customer's `language:`, else the client's."""
    if requested is not None:
        return check_language(requested, where="--lang")
    own = party.text("language")
    if own is not None:
        where = location_of(party.meta, root)
        return check_language(own, where=f"`language:` of {party.account} at {where}")
    return check_language(client.language, where=f"`language:` of client {client.id}")


def customer_errors(ledger: Ledger, account: str) -> list[BeanError]:
    """Return the ledger errors (not warnings) that concern a customer's account.

    An error without an entry (a line that does not parse, a plugin that failed) may hide one
    of the customer's entries, so it counts too.
    """
    found = []
    for error in ledger.errors:
        if is_warning(error):
            continue
        entry = getattr(error, "entry", None)
        if entry is None or _touches(entry, account):
            found.append(error)
    return found


def plan_statements(
    client: Client,
    ledger: Ledger,
    book: Book,
    parties: Sequence[Party],
    kind: StatementType,
    *,
    start: datetime.date | None,
    end: datetime.date,
    language: str | None,
    output: OutputFormat,
    root: Path,
    skip_empty: bool,
) -> list[StatementPlan]:
    """Check and build the statements of some customers; raise before anything is written."""
    plans = []
    books = party_books(book, [party.account for party in parties])
    for party in parties:
        errors = customer_errors(ledger, party.account)
        if errors:
            problems = tuple(error_problem(error, root, ledger.path) for error in errors[:20])
            msg = (
                f"The ledger of {client.id} has {len(errors)} error(s) in the entries of "
                f"{party.name} ({party.account}) or that may hide some of them, so its "
                f"statement would not tie to the books. Fix them (`beanfirm check`) and run "
                "the command again:"
            )
            raise LedgerError(msg, problems)
        statement = build_statement(
            books[party.account],
            party,
            kind,
            start=start,
            end=end,
            currency=client.currency,
            root=root,
        )
        if skip_empty and (
            statement.is_empty
            or (kind == "open-item" and all(not s.open_lines for s in statement.sections))
        ):
            continue
        lang = statement_language(language, party, client, root)
        plans.append(StatementPlan(statement, lang, statement_filename(statement, output)))
    return plans


def statement_filename(statement: AccountStatement, output: OutputFormat) -> str:
    """Name a statement's file: `<customer>-<type>-<date>.<format>`."""
    return f"{statement.party.key}-{statement.type}-{statement.end.isoformat()}.{output}"


def write_statements(
    plans: Sequence[StatementPlan],
    folder: Path,
    firm: Letterhead,
    client: Letterhead,
    output: OutputFormat,
    *,
    jobs: int = 1,
    on_written: Callable[[StatementPlan], None] | None = None,
) -> list[Path]:
    """Render the plans into `folder`, all or nothing; return the files written.

    The files are made in a scratch folder next to `folder`, then moved in
    (`beanfirm.store.staging`); a file of the same name already in `folder` is replaced.
    """
    documents: list[str | bytes] = [
        statement_csv(plan.statement, plan.language)
        if output == "csv"
        else statement_html(plan.statement, firm, client, plan.language)
        for plan in plans
    ]
    if output == "pdf" and any(needs_cjk(str(document)) for document in documents):
        require_cjk_font()  # before any work: no worker should meet it first
    with Staging(folder) as staging:
        scratch = staging.scratch
        if output == "pdf" and jobs > 1 and len(plans) > 1:
            _render_parallel(plans, documents, scratch, jobs, on_written)
        else:
            for plan, document in zip(plans, documents, strict=True):
                if isinstance(document, bytes):
                    content = document
                else:
                    content = html_to_pdf(document) if output == "pdf" else document.encode()
                (scratch / plan.filename).write_bytes(content)
                if on_written:
                    on_written(plan)
        return staging.publish(plan.filename for plan in plans)


def render_statement(
    entries: Sequence[Directive],
    options_map: Options,
    client: Client,
    firm: Firm,
    customer: str,
    *,
    kind: StatementType = "balance-forward",
    start: datetime.date | None = None,
    end: datetime.date | None = None,
    language: str | None = None,
    output: OutputFormat = "html",
    today: datetime.date | None = None,
    errors: Sequence[BeanError] = (),
) -> bytes:
    """Render one customer's statement from a loaded ledger, as PDF, HTML or CSV bytes.

    For callers that hold a loaded ledger (Fava): `errors` are the ledger's load errors, which
    refuse the statement as `beanfirm statement` does when they concern the customer. Raises
    `BeanfirmError`s with the message to show: `UsageError` for an unknown customer or
    language or a bad period, `ConfigError` for missing letterhead data, `LedgerError` for
    ledger errors in the customer's entries or an invoice without a due date. File locations
    in messages are relative to the ledger's folder.
    """
    firm_head, client_head = letterheads(firm, client)
    start, end = statement_period(kind, start, end, today or customers.today())
    main = Path(str(options_map.get("filename", "main.beancount")))
    ledger = Ledger(main, list(entries), options_map, list(errors))
    book = read_book(entries, options_map, "receivables")
    party = customers.select_party(ledger, book, customer, client.id)
    (plan,) = plan_statements(
        client,
        ledger,
        book,
        [party],
        kind,
        start=start,
        end=end,
        language=language,
        output=output,
        root=main.parent,
        skip_empty=False,
    )
    return render(plan.statement, firm_head, client_head, plan.language, output)


def _touches(entry: Directive, account: str) -> bool:
    if isinstance(entry, data.Transaction):
        return any(posting.account == account for posting in entry.postings)
    return getattr(entry, "account", None) == account


def _render_pdf_file(html: str, path: str) -> None:
    """Render one PDF in a worker process."""
    Path(path).write_bytes(html_to_pdf(html))


def _render_parallel(
    plans: Sequence[StatementPlan],
    documents: Sequence[str | bytes],
    scratch: Path,
    jobs: int,
    on_written: Callable[[StatementPlan], None] | None,
) -> None:
    # fork: the workers inherit the imported WeasyPrint and its fonts instead of loading them.
    pdf.prepare()
    context = multiprocessing.get_context("fork")
    with concurrent.futures.ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
        futures = {
            pool.submit(_render_pdf_file, str(document), str(scratch / plan.filename)): plan
            for plan, document in zip(plans, documents, strict=True)
        }
        for future in concurrent.futures.as_completed(futures):
            future.result()
            if on_written:
                on_written(futures[future])
