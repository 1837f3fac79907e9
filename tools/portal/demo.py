"""Demo users of the portal: one per staff member and one per client, with new passwords.

Run again, it makes no duplicates: existing demo users get a fresh password (only hashes
are stored, so a password can be shown only when it is set).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from beanfirm.portal.passwords import generate_password
from beanfirm.portal.users import add_user, get_user, set_password

if TYPE_CHECKING:
    from beanfirm.portal.store import PortalStore
    from beanfirm.store.registry import Registry


@dataclass(frozen=True)
class DemoLogin:
    """A demo user's login, to print once."""

    email: str
    password: str
    sees: str


def client_email(client_id: str) -> str:
    """Return the demo login of a client's owner."""
    return f"owner@{client_id}.example"


def demo_users(store: PortalStore, registry: Registry) -> list[DemoLogin]:
    """Create or refresh the demo users; return their logins."""
    logins: list[DemoLogin] = []
    wanted: list[tuple[str, tuple[str, ...], str | None, str]] = [
        (member.email, (), member.id, f"staff {member.id} ({member.role})")
        for member in registry.firm.staff
    ]
    wanted += [
        (client_email(client.id), (client.id,), None, f"client {client.id}")
        for client in registry.clients
    ]
    for email, client_ids, staff_id, sees in wanted:
        password = generate_password()
        if get_user(store, email) is None:
            add_user(store, registry, email, password, client_ids=client_ids, staff_id=staff_id)
        else:
            set_password(store, email, password)
        logins.append(DemoLogin(email, password, sees))
    return logins
