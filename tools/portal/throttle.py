"""Lockout and rate limiting of failed logins.

Every attempt is counted as a failure before its password is checked (and forgotten when the
login succeeds), in the same transaction that checks the limits: so a burst of parallel
attempts cannot all slip past the check before any of them is counted.

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


def admit(store: PortalStore, email: str, address: str, policy: ThrottlePolicy) -> bool:
    """Count a login attempt as a failure before its password is checked, unless throttled.

    The check and the count are one step: one `BEGIN IMMEDIATE` transaction (SQLite's write
    lock, taken first) reads both limits and records the attempt, so attempts that arrive at
    once are counted one after the other and at most `per_account` passwords of an account are
    ever checked in a window. A login that then succeeds clears the account's failures.
    """
    now = time.time()
    with store.immediate() as db:
        db.execute("DELETE FROM failed_logins WHERE at <= ?", (now - policy.window,))
        by_email = db.execute(
            "SELECT count(*) FROM failed_logins WHERE email = ?", (email,)
        ).fetchone()[0]
        by_address = db.execute(
            "SELECT count(*) FROM failed_logins WHERE address = ?", (address,)
        ).fetchone()[0]
        if by_email >= policy.per_account or by_address >= policy.per_address:
            return False
        db.execute(
            "INSERT INTO failed_logins (email, address, at) VALUES (?, ?, ?)",
            (email, address, now),
        )
    return True


def clear_failures(store: PortalStore, email: str) -> None:
    """Forget an account's failures after a successful login."""
    store.execute("DELETE FROM failed_logins WHERE email = ?", (email,))
