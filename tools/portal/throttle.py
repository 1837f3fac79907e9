"""Lockout and rate limiting of failed logins.

An account is locked for `window` seconds after `per_account` failures within that window
(even the right password is then refused, with the same message as a wrong one). One
address may fail `per_address` times per window across all accounts, which slows spraying
one password over many emails.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from beanfirm.portal.store import PortalStore


@dataclass(frozen=True)
class ThrottlePolicy:
    """Limits on failed logins."""

    per_account: int = 5
    per_address: int = 20
    window: float = 15 * 60.0


def is_throttled(store: PortalStore, email: str, address: str, policy: ThrottlePolicy) -> bool:
    """Tell whether a login for this email from this address must be refused unchecked."""
    since = time.time() - policy.window
    by_email = store.rows(
        "SELECT count(*) FROM failed_logins WHERE email = ? AND at > ?", (email, since)
    )[0][0]
    by_address = store.rows(
        "SELECT count(*) FROM failed_logins WHERE address = ? AND at > ?", (address, since)
    )[0][0]
    return bool(by_email >= policy.per_account or by_address >= policy.per_address)


def record_failure(store: PortalStore, email: str, address: str, policy: ThrottlePolicy) -> None:
    """Note a failed login (and forget failures older than the window)."""
    now = time.time()
    with store.connect() as db:
        db.execute("DELETE FROM failed_logins WHERE at < ?", (now - policy.window,))
        db.execute(
            "INSERT INTO failed_logins (email, address, at) VALUES (?, ?, ?)",
            (email, address, now),
        )


def clear_failures(store: PortalStore, email: str) -> None:
    """Forget an account's failures after a successful login."""
    store.execute("DELETE FROM failed_logins WHERE email = ?", (email,))
