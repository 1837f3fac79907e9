"""The firm's requests to a client for documents: opened and closed, each in one commit.

Both write `ledgers/<id>/requests.yaml` through the write path (`write_client`): validated
first, under the client's lock, atomic, checked and committed in the staff member's name.
Closing a request writes into it the uploads that answered it (from the inbox's record).
"""

from __future__ import annotations

import dataclasses
import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING

from beanfirm.core import paths
from beanfirm.errors import UsageError, WriteRefusedError
from beanfirm.jobs.clientcheck import write_client
from beanfirm.store.requests import (
    Request,
    client_requests,
    parse_requests,
    read_requests,
    requests_text,
)
from beanfirm.store.writes import Planned

if TYPE_CHECKING:
    from beanfirm.store.gitrepo import Author, PracticeRepo
    from beanfirm.store.practice import Practice
    from beanfirm.store.registry import Client
    from beanfirm.store.writes import Written

MAX_TITLE = 200


@dataclass(frozen=True)
class NewRequest:
    """A document to ask a client for."""

    title: str
    due: datetime.date | None
    opened_by: str  # staff id
    opened_at: datetime.date


def _check_title(title: str) -> str:
    title = title.strip()
    if not title:
        raise UsageError("The request's title is empty. Say what the client should send.")
    if not title.isprintable():
        raise UsageError("The request's title must be one line of text, without tabs or breaks.")
    if len(title) > MAX_TITLE:
        msg = f"The request's title is {len(title)} characters long; keep it to {MAX_TITLE}."
        raise UsageError(msg)
    return title


def add_request(
    practice: Practice,
    repo: PracticeRepo,
    client: Client,
    new: NewRequest,
    *,
    author: Author,
    dry_run: bool = False,
) -> Written[Request]:
    """Open a request for a document from a client, in one commit."""
    title = _check_title(new.title)
    if new.due is not None and new.due < new.opened_at:
        msg = f"--due {new.due} is before today ({new.opened_at}); give a day still to come."
        raise UsageError(msg)

    def prepare() -> Planned[Request]:
        existing = read_requests(practice.root, client.id)
        number = max((r.id for r in existing), default=0) + 1
        request = Request(number, title, new.opened_by, new.opened_at, due=new.due)
        due = f", due {new.due}" if new.due else ""
        message = (
            f"Request from {client.id}: {title}\n\n"
            f"Opens request {number} in {paths.requests_file(client.id)}{due}: the client sees "
            "it on the portal and may answer it with an upload."
        )
        return _planned(client, [*existing, request], message, request)

    return write_client(practice, repo, client, prepare, author=author, dry_run=dry_run)


def close_request(
    practice: Practice,
    repo: PracticeRepo,
    client: Client,
    number: int,
    *,
    closed_at: datetime.date,
    author: Author,
    dry_run: bool = False,
) -> Written[Request]:
    """Close an open request, recording the uploads that answered it, in one commit."""

    def prepare() -> Planned[Request]:
        existing = client_requests(practice.root, client.id)
        found = [r for r in existing if r.id == number]
        if not found:
            known = ", ".join(str(r.id) for r in existing if r.is_open) or "none"
            msg = (
                f"{client.id} has no request {number} (open ones: {known}). "
                f"`beanfirm requests list {client.id}` lists them."
            )
            raise UsageError(msg)
        request = found[0]
        if not request.is_open:
            msg = f"Request {number} of {client.id} was closed on {request.closed_at} already."
            raise UsageError(msg)
        closed = dataclasses.replace(request, closed_at=closed_at)
        answered = f" Answered by {', '.join(closed.answered_by)}." if closed.answered_by else ""
        message = (
            f"Close request {number} of {client.id}: {request.title}\n\n"
            f"Closed on {closed_at} in {paths.requests_file(client.id)}.{answered}"
        )
        others = [r for r in read_requests(practice.root, client.id) if r.id != number]
        return _planned(client, [*others, closed], message, closed)

    return write_client(practice, repo, client, prepare, author=author, dry_run=dry_run)


def _planned(
    client: Client, requests: list[Request], message: str, value: Request
) -> Planned[Request]:
    """Plan the requests file's new text, refused unless its own reader reads it back."""
    relpath = paths.requests_file(client.id)
    text = requests_text(requests)
    _found, problems = parse_requests(text, relpath)
    if problems:
        msg = (
            f"Refusing to write {relpath}: the text it would write is one its own reader "
            f"refuses, and {client.id}'s requests could no longer be read. Nothing was "
            "written. An upload's name that answered the request (from the inbox's record, "
            f"{paths.uploads_record(client.id)}) may hold a tab or a line break: rename the "
            "upload in the inbox and its name in the record, then run the command again:"
        )
        raise WriteRefusedError(msg, tuple(problems))
    return Planned({relpath: text.encode("utf-8")}, message, value)
