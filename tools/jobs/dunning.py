"""`beanfirm dunning`: reminder drafts for the overdue invoices of many clients, all or nothing.

Each client is handled on its own: its letterheads, its ledger (no errors in a chased customer's
entries, due dates on its invoices), its stages, then one draft per customer with the customer's
open-item statement attached. Drafts are made in a temporary folder and a client's folder is
moved into place only when every draft of that client was made; with `failfast`, the first
client that fails stops the run and nothing is moved. Nothing is ever sent.
"""

from __future__ import annotations

import datetime
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from beanfirm.accounts.customers import client_book
from beanfirm.accounts.dunning import CustomerDunning, customers_to_chase
from beanfirm.accounts.eml import reminder_message
from beanfirm.accounts.letterhead import letterheads
from beanfirm.accounts.render import statement_html
from beanfirm.accounts.statements import location_of
from beanfirm.core.pdf import html_to_pdf
from beanfirm.errors import BeanfirmError
from beanfirm.jobs.statements import plan_statements
from beanfirm.store.contacts import EMAIL_RE
from beanfirm.store.staging import Staging

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from beanfirm.store.contacts import DunningStages
    from beanfirm.store.practice import Practice
    from beanfirm.store.registry import Client


@dataclass
class Draft:
    """One customer's reminder: where its draft is, and what to tell the user about it."""

    customer: CustomerDunning
    language: str
    path: Path
    note: str | None = None  # e.g. the customer has no email address


@dataclass
class ClientDunning:
    """The outcome for one client: its drafts, or the error that stopped it."""

    client: Client
    stages: DunningStages | None = None
    drafts: list[Draft] = field(default_factory=list)
    error: BeanfirmError | None = None


def run_dunning(
    practice: Practice,
    clients: Sequence[Client],
    as_of: datetime.date,
    output: Path,
    *,
    failfast: bool = False,
    dry_run: bool = False,
    on_client: Callable[[ClientDunning], None] | None = None,
) -> list[ClientDunning]:
    """Make the reminder drafts of some clients under `output/<client>/`; return each outcome.

    With `dry_run`, check everything and say where the drafts would go, but write nothing.
    """
    if dry_run:
        results = _dun_clients(practice, clients, as_of, output, failfast, on_client, write=False)
    else:
        with Staging(output) as staging:
            results = _dun_clients(
                practice, clients, as_of, staging.scratch, failfast, on_client, write=True
            )
            if not (failfast and any(result.error for result in results)):
                staging.publish(r.client.id for r in results if r.error is None and r.drafts)
    for result in results:
        for draft in result.drafts:
            draft.path = output / result.client.id / draft.path.name
    return results


def _dun_clients(
    practice: Practice,
    clients: Sequence[Client],
    as_of: datetime.date,
    folder: Path,
    failfast: bool,
    on_client: Callable[[ClientDunning], None] | None,
    *,
    write: bool,
) -> list[ClientDunning]:
    """Make each client's drafts in `folder/<client>`; stop at the first failure if `failfast`."""
    results: list[ClientDunning] = []
    for client in clients:
        result = ClientDunning(client)
        try:
            _dun_client(practice, client, as_of, folder / client.id, result, write=write)
        except BeanfirmError as exc:
            result.error = exc
            result.drafts = []
            if write:
                shutil.rmtree(folder / client.id, ignore_errors=True)
        results.append(result)
        if on_client:
            on_client(result)
        if result.error is not None and failfast:
            break
    return results


def _dun_client(
    practice: Practice,
    client: Client,
    as_of: datetime.date,
    folder: Path,
    result: ClientDunning,
    *,
    write: bool,
) -> None:
    registry = practice.registry
    books = client_book(practice, client.id)
    result.stages = registry.dunning_stages(client)
    customers = customers_to_chase(books.book, result.stages, as_of, practice.root)
    if not customers:
        return  # nothing to chase: no letterhead needed either
    firm_head, client_head = letterheads(registry.firm, client)
    sender = registry.staff_member(client.preparer)
    parties = [customer.party for customer in customers]
    plans = plan_statements(
        client,
        books.ledger,
        books.book,
        parties,
        "open-item",
        start=None,
        end=as_of,
        language=None,
        output="pdf",
        root=practice.root,
        skip_empty=False,
    )
    if write:
        folder.mkdir(parents=True, exist_ok=True)
    for customer, plan in zip(customers, plans, strict=True):
        path = folder / f"{customer.party.key}.eml"
        if write:
            html = statement_html(plan.statement, firm_head, client_head, plan.language)
            attachment = (plan.filename, html_to_pdf(html))
            message = reminder_message(
                customer, client_head, firm_head, sender, as_of, plan.language, attachment
            )
            path.write_bytes(message.as_bytes())
        note = _email_note(customer, practice.root)
        result.drafts.append(Draft(customer, plan.language, path, note))


def _email_note(customer: CustomerDunning, root: Path) -> str | None:
    """Say what to add when a customer cannot be written to."""
    party = customer.party
    email = party.text("email")
    where = location_of(party.meta, root)
    if email is None:
        return (
            "no email: the draft has no recipient; add `email:` to the open directive of "
            f"{party.account} ({where})"
        )
    if not EMAIL_RE.match(email):
        return (
            f"email {email!r} is not an address: the draft has no recipient; correct it at {where}"
        )
    return None
