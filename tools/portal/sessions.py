"""Server-side sessions: a random token in the cookie, its SHA-256 in the database.

A session is made fresh at each login (never carried over from before login, so a planted
id is worthless), ends after `idle` seconds without a request or `lifetime` seconds in all,
and ends on the server at logout. Each session has its own CSRF token for the forms a
logged-in user posts (logout).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from werkzeug.wrappers import Request

    from beanfirm.portal.store import PortalStore

# Writing last_seen at most this often keeps page views from all writing to SQLite.
TOUCH_EVERY = 30.0


@dataclass(frozen=True)
class Session:
    """A logged-in session."""

    email: str
    csrf: str


@dataclass(frozen=True)
class SessionPolicy:
    """How long sessions live."""

    idle: float = 30 * 60.0
    lifetime: float = 12 * 3600.0


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def start_session(store: PortalStore, email: str, *, replaces: str | None = None) -> str:
    """Create a session for a user and return its token; end the session it replaces."""
    token = secrets.token_urlsafe(32)
    now = time.time()
    with store.connect() as db:
        if replaces:
            db.execute("DELETE FROM sessions WHERE token_hash = ?", (_digest(replaces),))
        db.execute(
            "INSERT INTO sessions (token_hash, email, csrf, created, last_seen) "
            "VALUES (?, ?, ?, ?, ?)",
            (_digest(token), email, secrets.token_urlsafe(32), now, now),
        )
    return token


def find_session(store: PortalStore, token: str | None, policy: SessionPolicy) -> Session | None:
    """Return the live session of a token (and note the request), or None."""
    if not token:
        return None
    digest = _digest(token)
    rows = store.rows(
        "SELECT email, csrf, created, last_seen FROM sessions WHERE token_hash = ?", (digest,)
    )
    if not rows:
        return None
    row = rows[0]
    now = time.time()
    if now - row["last_seen"] > policy.idle or now - row["created"] > policy.lifetime:
        end_session(store, token)
        return None
    if now - row["last_seen"] > TOUCH_EVERY:
        store.execute("UPDATE sessions SET last_seen = ? WHERE token_hash = ?", (now, digest))
    return Session(row["email"], row["csrf"])


def end_session(store: PortalStore, token: str) -> None:
    """Delete a session on the server."""
    store.execute("DELETE FROM sessions WHERE token_hash = ?", (_digest(token),))


def purge_expired(store: PortalStore, policy: SessionPolicy) -> int:
    """Delete every expired session; return how many."""
    now = time.time()
    return store.execute(
        "DELETE FROM sessions WHERE last_seen < ? OR created < ?",
        (now - policy.idle, now - policy.lifetime),
    )


def token_matches(sent: str, expected: str) -> bool:
    """Compare a form's CSRF token with the expected one, in constant time.

    As bytes: `hmac.compare_digest` refuses text that is not ASCII with a TypeError, and a
    forged form may send any text (the request then failed with a 500).
    """
    return bool(expected) and hmac.compare_digest(sent.encode(), expected.encode())


def same_origin(request: Request) -> bool:
    """Tell whether a form was posted from the portal itself (no foreign or `null` Origin).

    A request without an Origin header (an old browser) passes: the CSRF token decides.
    """
    origin = request.headers.get("Origin")
    if origin is None:
        return True
    return origin.rstrip("/") == request.host_url.rstrip("/")
