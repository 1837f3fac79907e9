"""The portal's audit log: logins, logouts, refusals, page views and uploads, in SQLite."""

from __future__ import annotations

import datetime
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from beanfirm.portal.store import PortalStore

EVENTS = (
    "login",
    "login-failed",
    "login-locked",
    "logout",
    "view",
    "refused",
    "upload",
    "upload-refused",
)


@dataclass(frozen=True)
class AuditEvent:
    """One line of the audit log."""

    at: float
    email: str | None
    event: str
    client_id: str | None
    path: str | None
    status: int | None
    address: str | None

    def as_json(self) -> dict[str, Any]:
        """Return the event as plain JSON data."""
        return {
            "at": self.when(),
            "email": self.email,
            "event": self.event,
            "client": self.client_id,
            "path": self.path,
            "status": self.status,
            "address": self.address,
        }

    def when(self) -> str:
        """Return the time in ISO format, UTC."""
        moment = datetime.datetime.fromtimestamp(self.at, tz=datetime.UTC)
        return moment.isoformat(timespec="seconds")


def record(
    store: PortalStore,
    event: str,
    *,
    email: str | None = None,
    client_id: str | None = None,
    path: str | None = None,
    status: int | None = None,
    address: str | None = None,
) -> None:
    """Append one event to the log (written by the store's writer thread, in order)."""
    store.execute_later(
        "INSERT INTO audit (at, email, event, client_id, path, status, address) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        (time.time(), email, event, client_id, path, status, address),
    )


def recent(
    store: PortalStore,
    *,
    limit: int = 100,
    email: str | None = None,
    client_id: str | None = None,
    event: str | None = None,
) -> list[AuditEvent]:
    """Return the latest events (oldest first), optionally for one user, client or event."""
    store.flush()
    where, params = [], []
    for column, value in (("email", email), ("client_id", client_id), ("event", event)):
        if value:
            where.append(f"{column} = ?")
            params.append(value)
    clause = f"WHERE {' AND '.join(where)}" if where else ""
    rows = store.rows(
        "SELECT at, email, event, client_id, path, status, address FROM audit "  # noqa: S608
        f"{clause} ORDER BY id DESC LIMIT ?",
        (*params, limit),
    )
    return [AuditEvent(*row) for row in reversed(rows)]
