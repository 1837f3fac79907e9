"""Portal users and what each may see.

A client user sees the clients named when they were added (one, or a few for a group of
companies). A staff user is tied to a staff id of clients.yaml and sees the clients they
prepare or review; a partner sees all. Staff scope is read from the registry at each request,
so a change of preparer in clients.yaml changes who sees what without touching the portal.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from beanfirm.errors import UsageError
from beanfirm.portal.passwords import (
    DUMMY_HASH,
    WeakPasswordError,
    hash_password,
    verify_password,
)
from beanfirm.store.registry import EMAIL_RE

if TYPE_CHECKING:
    from beanfirm.portal.store import PortalStore
    from beanfirm.store.registry import Client, Registry

# Who a portal user is: a client (sees its own books) or a member of staff. The users table
# holds the same two words.
UserKind = Literal["client", "staff"]


@dataclass(frozen=True)
class PortalUser:
    """A person who may log in to the portal."""

    email: str
    kind: UserKind
    staff_id: str | None
    client_ids: tuple[str, ...]

    def describe(self) -> str:
        """Say whom the user belongs to, for `portal user list`."""
        if self.kind == "staff":
            return f"staff {self.staff_id}"
        return "client " + ", ".join(self.client_ids)


def normalize_email(email: str) -> str:
    """Return the email as stored: trimmed and lower-case."""
    return email.strip().lower()


def visible_clients(user: PortalUser, registry: Registry) -> list[Client]:
    """Return the clients a user may see, in registry order."""
    if user.kind == "client":
        return [c for c in registry.clients if c.id in user.client_ids]
    staff = {member.id: member for member in registry.firm.staff}.get(user.staff_id or "")
    if staff is None:
        return []
    if staff.role == "partner":
        return list(registry.clients)
    return [c for c in registry.clients if staff.id in {c.preparer, c.reviewer}]


def get_user(store: PortalStore, email: str) -> PortalUser | None:
    """Return a user by email, or None."""
    email = normalize_email(email)
    rows = store.rows("SELECT email, kind, staff_id FROM users WHERE email = ?", (email,))
    if not rows:
        return None
    clients = store.rows(
        "SELECT client_id FROM user_clients WHERE email = ? ORDER BY client_id", (email,)
    )
    row = rows[0]
    return PortalUser(row["email"], row["kind"], row["staff_id"], tuple(r[0] for r in clients))


def password_hash_of(store: PortalStore, email: str) -> str | None:
    """Return the stored hash of a user's password, or None for an unknown email."""
    rows = store.rows("SELECT password_hash FROM users WHERE email = ?", (normalize_email(email),))
    return str(rows[0][0]) if rows else None


def check_login(store: PortalStore, email: str, password: str) -> PortalUser | None:
    """Return the user if the password is theirs, else None."""
    stored = password_hash_of(store, email)
    if stored is None:
        verify_password(password, DUMMY_HASH)  # as slow as a known email: no user probing
        return None
    if not verify_password(password, stored):
        return None
    return get_user(store, email)


def list_users(store: PortalStore) -> list[PortalUser]:
    """Return every user, by email."""
    emails = [r[0] for r in store.rows("SELECT email FROM users ORDER BY email")]
    return [user for email in emails if (user := get_user(store, email)) is not None]


def add_user(
    store: PortalStore,
    registry: Registry,
    email: str,
    password: str,
    *,
    client_ids: tuple[str, ...] = (),
    staff_id: str | None = None,
) -> PortalUser:
    """Create a user for clients or for a staff member; raise UsageError on a mistake."""
    email = normalize_email(email)
    if not EMAIL_RE.match(email):
        raise UsageError(f"'{email}' is not an email address; users log in with their email.")
    if bool(client_ids) == (staff_id is not None):
        raise UsageError("Give either --client ID (repeatable) or --staff STAFF-ID, not both.")
    for client_id in client_ids:
        registry.client(client_id)
    if staff_id is not None:
        registry.staff_member(staff_id)
    if get_user(store, email) is not None:
        raise UsageError(
            f"A portal user {email} exists already; use `beanfirm portal user passwd` to set "
            "a new password, or remove the user first."
        )
    password_hash = _hashed(password)
    with store.connect() as db:
        db.execute(
            "INSERT INTO users (email, kind, staff_id, password_hash, created) "
            "VALUES (?, ?, ?, ?, ?)",
            (email, "staff" if staff_id else "client", staff_id, password_hash, time.time()),
        )
        db.executemany(
            "INSERT INTO user_clients (email, client_id) VALUES (?, ?)",
            [(email, client_id) for client_id in dict.fromkeys(client_ids)],
        )
    user = get_user(store, email)
    assert user is not None  # noqa: S101 - just inserted
    return user


def set_password(store: PortalStore, email: str, password: str) -> None:
    """Set a new password and end the user's sessions."""
    email = normalize_email(email)
    password_hash = _hashed(password)
    with store.connect() as db:
        changed = db.execute(
            "UPDATE users SET password_hash = ? WHERE email = ?", (password_hash, email)
        ).rowcount
        db.execute("DELETE FROM sessions WHERE email = ?", (email,))
        db.execute("DELETE FROM failed_logins WHERE email = ?", (email,))
    if not changed:
        raise UsageError(f"No portal user {email}; `beanfirm portal user list` shows them.")


def remove_user(store: PortalStore, email: str) -> None:
    """Delete a user, their client links and their sessions."""
    email = normalize_email(email)
    if not store.execute("DELETE FROM users WHERE email = ?", (email,)):
        raise UsageError(f"No portal user {email}; `beanfirm portal user list` shows them.")


def _hashed(password: str) -> str:
    try:
        return hash_password(password)
    except WeakPasswordError as exc:
        raise UsageError(str(exc).capitalize()) from exc
