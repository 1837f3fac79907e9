"""The firm's staff and the reviews of client data, changed by command in clients.yaml.

`add_staff` and `remove_staff` edit the list `firm: staff:` as text (`store.registrytext`),
so its comments and order stay; a member still assigned to a client, or the last partner, is
not removed. `verify_client` records that a client's data, or one customer's, was reviewed:
`last-verified:` and `verified-by:` on the client in clients.yaml, or on the customer's
receivable account. Each is validated in full, then one commit.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING, Never

from beancount.core import data

from beanfirm.accounts.openitems import settings_of
from beanfirm.core import paths
from beanfirm.core.journal import meta_text, quote
from beanfirm.errors import ConfigError, UsageError, relative_to
from beanfirm.jobs.clientcheck import write_client
from beanfirm.store.ledger import parse_ledger
from beanfirm.store.registry import REGISTRY_FILENAME, Client, Staff
from beanfirm.store.registrytext import append_item, remove_item, set_key, validated
from beanfirm.store.writes import NO_CHECK, Planned, WriteCheck, WritePlan, Written, apply_write

if TYPE_CHECKING:
    from collections.abc import Callable

    from beanfirm.store.gitrepo import Author, PracticeRepo
    from beanfirm.store.practice import Practice

VERIFIED_KEYS = ("last-verified", "verified-by")


def _registry_write(
    practice: Practice,
    repo: PracticeRepo,
    edit: tuple[str, str],  # the message, and what goes wrong in errors
    new_text: Callable[[str], str],
    *,
    author: Author,
    dry_run: bool,
    extra: tuple[str, ...] = (),
    check: WriteCheck = NO_CHECK,
) -> Written[None]:
    """Write a new clients.yaml (a function of the current text), validated, in one commit."""
    message, what = edit

    def prepare() -> Planned[None]:
        text = new_text(practice.registry_path.read_text(encoding="utf-8"))
        validated(practice.registry_path, text, what)
        return Planned({REGISTRY_FILENAME: text.encode()}, message, None)

    prepare()  # validate before taking a lock; the write validates again under it
    plan: WritePlan[None, Never] = WritePlan(
        prepare,
        locks=("registry", *extra),
        guard=(REGISTRY_FILENAME,),
        what="the registry",
    )
    return apply_write(practice.root, repo, plan, author=author, check=check, dry_run=dry_run)


def add_staff(
    practice: Practice, repo: PracticeRepo, member: Staff, *, author: Author, dry_run: bool = False
) -> Written[None]:
    """Add a staff member to `firm: staff:`, validated, in one commit."""
    record: dict[str, str] = {
        "id": member.id,
        "name": member.name,
        "email": member.email,
        "role": member.role,
    }
    message = (
        f"Add staff member {member.id}: {member.name}\n\n"
        f"Adds {member.name} <{member.email}> to the firm's staff in {REGISTRY_FILENAME} "
        f"as {member.role}."
    )
    return _registry_write(
        practice,
        repo,
        (message, f"Staff member '{member.id}' cannot be added"),
        lambda text: append_item(text, ("firm", "staff"), record, "'staff'"),
        author=author,
        dry_run=dry_run,
    )


def remove_staff(
    practice: Practice, repo: PracticeRepo, staff_id: str, *, author: Author, dry_run: bool = False
) -> Written[None]:
    """Remove a staff member who has no client and is not the last partner, in one commit."""
    registry = practice.registry
    member = registry.staff_member(staff_id)
    seats = [
        f"{client.id} ({seat})"
        for client in registry.clients
        for seat, holder in (("preparer", client.preparer), ("reviewer", client.reviewer))
        if holder == staff_id
    ]
    if seats:
        msg = (
            f"Cannot remove staff member '{staff_id}': they are still assigned to "
            f"{', '.join(seats)}. Give each of those clients another preparer or reviewer in "
            f"{REGISTRY_FILENAME} first. Nothing was written."
        )
        raise UsageError(msg)
    partners = [s.id for s in registry.firm.staff if s.role == "partner"]
    if partners == [staff_id]:
        msg = (
            f"Cannot remove staff member '{staff_id}': they are the firm's last partner, and "
            "only a partner may reopen a locked period. Add another partner first "
            "(`beanfirm staff add ... --role partner`). Nothing was written."
        )
        raise UsageError(msg)
    index = [s.id for s in registry.firm.staff].index(staff_id)
    message = (
        f"Remove staff member {staff_id}: {member.name}\n\n"
        f"Removes {member.name} <{member.email}> from the firm's staff in {REGISTRY_FILENAME}; "
        "they hold no client."
    )
    return _registry_write(
        practice,
        repo,
        (message, f"Staff member '{staff_id}' cannot be removed"),
        lambda text: remove_item(text, ("firm", "staff", index)),
        author=author,
        dry_run=dry_run,
    )


@dataclass(frozen=True)
class Review:
    """A review of client data: whose, by whom, on which day."""

    client: Client
    by: Staff
    on: datetime.date
    customer: str | None = None  # the last part of its receivable account, or its `name:`


def verify_client(
    practice: Practice, repo: PracticeRepo, review: Review, *, author: Author, dry_run: bool = False
) -> Written[None]:
    """Record a review of a client's data, or of one customer's, in one commit."""
    client = review.client
    if review.customer is None:
        index = [c.id for c in practice.registry.clients].index(client.id)
        message = (
            f"Verify the data of client {client.id}\n\n"
            f"{review.by.name} reviewed the registry record of {client.id} on {review.on}."
        )

        def verified(text: str) -> str:
            text = set_key(text, ("clients", index), "last-verified", review.on)
            return set_key(text, ("clients", index), "verified-by", review.by.id)

        return _registry_write(
            practice,
            repo,
            (message, f"The review of client '{client.id}' cannot be recorded"),
            verified,
            author=author,
            dry_run=dry_run,
            extra=(client.id,),
        )
    return _verify_customer(practice, repo, review, author=author, dry_run=dry_run)


def _customer_open(practice: Practice, client: Client, customer: str) -> data.Open:
    ledger = parse_ledger(practice.main_file(client.id))
    roots = settings_of(ledger.options).receivable
    opens = [e for e in ledger.entries if isinstance(e, data.Open) and e.account.startswith(roots)]
    for entry in opens:
        if entry.account.rsplit(":", 1)[-1] == customer or (entry.meta or {}).get("name") == (
            customer
        ):
            return entry
    known = ", ".join(e.account.rsplit(":", 1)[-1] for e in opens) or "none"
    msg = (
        f"Client '{client.id}' has no customer '{customer}' (its customers: {known}). Give "
        "the last part of the customer's receivable account or its name:, or add it with "
        "`beanfirm customers add`. Nothing was written."
    )
    raise UsageError(msg)


def with_verified(text: str, line: int, on: datetime.date, by: str) -> str:
    """Return a chart's text with `last-verified:` and `verified-by:` set on the open at `line`."""
    lines = text.splitlines(keepends=True)
    end = line  # the metadata lines under the `open` (1-based `line`) end at index `end`
    while end < len(lines) and lines[end].startswith((" ", "\t")) and lines[end].strip():
        end += 1
    kept = [row for row in lines[line:end] if row.strip().split(":", 1)[0] not in VERIFIED_KEYS]
    added = [meta_text("last-verified", on.isoformat()) + "\n"]
    added.append(meta_text("verified-by", quote(by)) + "\n")
    return "".join([*lines[:line], *kept, *added, *lines[end:]])


def _verify_customer(
    practice: Practice, repo: PracticeRepo, review: Review, *, author: Author, dry_run: bool
) -> Written[None]:
    client, customer = review.client, str(review.customer)

    def prepare() -> Planned[None]:
        entry = _customer_open(practice, client, customer)
        filename = relative_to(str(entry.meta["filename"]), practice.root)
        if not filename.startswith(paths.client_folder(client.id) + "/"):
            msg = f"the customer's account is opened outside the client's folder ({filename})."
            raise ConfigError(msg)
        text = (practice.root / filename).read_text(encoding="utf-8")
        new_text = with_verified(text, int(entry.meta["lineno"]), review.on, review.by.id)
        message = (
            f"Verify customer {customer} of {client.id}\n\n"
            f"{review.by.name} reviewed the master data of {entry.account} on {review.on}."
        )
        return Planned({filename: new_text.encode()}, message, None)

    return write_client(practice, repo, client, prepare, author=author, dry_run=dry_run)
