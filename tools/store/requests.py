"""The documents the firm has asked a client for (资料收集): `ledgers/<id>/requests.yaml`.

A request is opened and closed by staff (`beanfirm requests`, one commit each); the client
sees the open ones on the portal and may answer one with an upload. Uploads are outside git
(the inbox), so which uploads answered a request is read from the inbox's record
(`store/uploads.py`) while the request is open, and written into the file when it is closed.

```yaml
- id: 1
  title: 11月工商银行对账单
  due: 2026-12-10
  opened-by: li
  opened-at: 2026-12-01
  closed-at: 2026-12-08        # absent while open
  answered-by: [20261207-093012-icbc.csv]
```
"""

from __future__ import annotations

import dataclasses
import datetime
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import yaml

from beanfirm.core import paths
from beanfirm.core.yamlnodes import NodeReader
from beanfirm.errors import ConfigError, Problem
from beanfirm.store.uploads import uploads_of

if TYPE_CHECKING:
    from pathlib import Path

    from beanfirm.store.practice import Practice
    from beanfirm.store.registry import Client

KEYS = ("id", "title", "due", "opened-by", "opened-at", "closed-at", "answered-by")
REQUIRED = ("id", "title", "opened-by", "opened-at")
HEADER = "# Documents the firm has asked this client for (beanfirm requests; docs/requests.md).\n"


@dataclass(frozen=True)
class Request:
    """One document the firm is waiting for (or was)."""

    id: int
    title: str
    opened_by: str
    opened_at: datetime.date
    due: datetime.date | None = None
    closed_at: datetime.date | None = None
    answered_by: tuple[str, ...] = field(default=())

    @property
    def is_open(self) -> bool:
        """Tell whether the firm still waits for it."""
        return self.closed_at is None

    def overdue(self, today: datetime.date) -> bool:
        """Tell whether it is open past its due day."""
        return self.is_open and self.due is not None and today > self.due

    def as_json(self) -> dict[str, object]:
        """Return the request as plain JSON data."""
        return {
            "id": self.id,
            "title": self.title,
            "due": self.due.isoformat() if self.due else None,
            "opened-by": self.opened_by,
            "opened-at": self.opened_at.isoformat(),
            "closed-at": self.closed_at.isoformat() if self.closed_at else None,
            "answered-by": list(self.answered_by),
        }


def _date(reader: NodeReader, node: yaml.Node | None, what: str) -> datetime.date | None:
    if node is None or (isinstance(node, yaml.ScalarNode) and node.tag.endswith(":null")):
        return None
    text = reader.string(node, what)
    if text is None:
        return None
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        reader.problem(node, f"{what} must be a date written YYYY-MM-DD, not '{text}'.")
        return None


def _request(reader: NodeReader, node: yaml.Node, seen: set[int]) -> Request | None:
    keys = reader.mapping(node, "a request", allowed=KEYS, required=REQUIRED)
    if any(key not in keys for key in REQUIRED):
        return None
    number = reader.scalar(keys["id"], "id")
    if not isinstance(number, int) or isinstance(number, bool) or number < 1:
        reader.problem(keys["id"], "id must be a whole number from 1 up.")
        return None
    if number in seen:
        reader.problem(keys["id"], f"id {number} is used twice; give each request its own.")
        return None
    seen.add(number)
    title = reader.string(keys["title"], "title")
    opened_by = reader.string(keys["opened-by"], "opened-by")
    opened_at = _date(reader, keys["opened-at"], "opened-at")
    answered: list[str] = []
    if "answered-by" in keys:
        for item in reader.sequence(keys["answered-by"], "answered-by"):
            name = reader.string(item, "an answered-by file")
            if name is not None:
                answered.append(name)
    if title is None or opened_by is None or opened_at is None:
        return None
    return Request(
        id=number,
        title=title,
        opened_by=opened_by,
        opened_at=opened_at,
        due=_date(reader, keys.get("due"), "due"),
        closed_at=_date(reader, keys.get("closed-at"), "closed-at"),
        answered_by=tuple(answered),
    )


def parse_requests(text: str, filename: str) -> tuple[list[Request], list[Problem]]:
    """Read a requests file's text into requests and the problems found, with their lines."""
    reader = NodeReader(filename)
    root = reader.compose(text)
    found: list[Request] = []
    if root is not None:
        seen: set[int] = set()
        for node in reader.sequence(root, "requests.yaml"):
            request = _request(reader, node, seen)
            if request is not None:
                found.append(request)
    return found, reader.problems


def read_requests(root: Path, client_id: str) -> list[Request]:
    """Return a client's requests as committed to its file, or raise a ConfigError."""
    relpath = paths.requests_file(client_id)
    try:
        text = (root / relpath).read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    found, problems = parse_requests(text, relpath)
    if problems:
        msg = f"{relpath} has mistakes; correct them (docs/requests.md) and commit the file."
        raise ConfigError(msg, tuple(problems))
    return found


def with_answers(root: Path, client_id: str, requests: list[Request]) -> list[Request]:
    """Add to each open request the uploads that answered it since (from the inbox's record)."""
    answers: dict[int, list[str]] = {}
    for upload in uploads_of(root, client_id):
        if upload.request is not None:
            answers.setdefault(upload.request, []).append(upload.name)
    result: list[Request] = []
    for request in requests:
        new = [name for name in answers.get(request.id, []) if name not in request.answered_by]
        answered = (*request.answered_by, *new) if request.is_open else request.answered_by
        result.append(dataclasses.replace(request, answered_by=answered))
    return result


def client_requests(root: Path, client_id: str) -> list[Request]:
    """Return every request of a client, open ones with the uploads that answered them."""
    return with_answers(root, client_id, read_requests(root, client_id))


def open_requests(practice: Practice, client: Client | str) -> list[Request]:
    """Return what the firm is waiting for from a client: its open requests, soonest due first.

    Read from the working tree at each call (requests are the firm's asks of today, not part of
    the approved books), each with the uploads that answered it so far. A file with mistakes
    raises a ConfigError that names each by line; a client without the file has none.
    """
    client_id = client if isinstance(client, str) else client.id
    found = [r for r in client_requests(practice.root, client_id) if r.is_open]
    return sorted(found, key=lambda r: (r.due or datetime.date.max, r.id))


def requests_text(requests: list[Request]) -> str:
    """Return the text of a requests file holding these requests, in id order."""
    items: list[dict[str, object]] = []
    for request in sorted(requests, key=lambda r: r.id):
        item: dict[str, object] = {"id": request.id, "title": request.title}
        if request.due is not None:
            item["due"] = request.due
        item["opened-by"] = request.opened_by
        item["opened-at"] = request.opened_at
        if request.closed_at is not None:
            item["closed-at"] = request.closed_at
        if request.answered_by:
            item["answered-by"] = list(request.answered_by)
        items.append(item)
    body = yaml.safe_dump(items, allow_unicode=True, sort_keys=False, width=100)
    return HEADER + body
