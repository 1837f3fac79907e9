"""The login lockout under a burst of parallel attempts: the check and the count are one step.

Thirty wrong passwords posted at once, each from its own browser, against the portal's WSGI
app: at most the limit's worth of passwords may be checked, and a right password that arrives
once the limit is reached is refused like the wrong ones.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from cli_support import new_practice
from portal_support import BO_USER, PASSWORD, login
from werkzeug.test import Client

from beanfirm.portal import pages
from beanfirm.portal.gateway import make_app
from beanfirm.portal.site import Portal, PortalSettings
from beanfirm.portal.store import PortalStore
from beanfirm.portal.throttle import ThrottlePolicy
from beanfirm.portal.users import PortalUser, add_user, check_login
from beanfirm.store.registry import load_registry

LIMIT = 5
BURST = 30


@pytest.fixture(scope="module")
def practice(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return new_practice(tmp_path_factory.mktemp("lockout") / "practice")


@pytest.fixture
def portal(practice: Path, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Portal]:
    root = practice
    per_account, per_address = request.param
    settings = PortalSettings(
        state_dir=tmp_path / "state",
        throttle=ThrottlePolicy(per_account=per_account, per_address=per_address),
    )
    site = Portal(root, settings)
    add_user(site.store, load_registry(root / "clients.yaml"), BO_USER, PASSWORD, staff_id="bo")
    yield site
    site.close()


class CountedChecks:
    """Stands in for the password check: counts the checks, tells when the limit is reached."""

    def __init__(self) -> None:
        self.count = 0
        self.lock = threading.Lock()
        self.limit_reached = threading.Event()
        self.real = check_login

    def __call__(self, store: PortalStore, email: str, password: str) -> PortalUser | None:
        with self.lock:
            self.count += 1
            if self.count >= LIMIT:
                self.limit_reached.set()
        return self.real(store, email, password)


def burst(portal: Portal, emails: list[str], checks: CountedChecks) -> tuple[list[int], int]:
    """Post a wrong password for each email at once, and the right one once the limit is met."""
    app = make_app(portal)
    statuses: list[int] = []
    right: list[int] = []
    start = threading.Barrier(len(emails))

    def wrong(email: str) -> None:
        browser = Client(app)
        start.wait()
        statuses.append(login(browser, email, "not the password").status_code)

    def right_password() -> None:
        checks.limit_reached.wait(60)
        right.append(login(Client(app), BO_USER).status_code)

    threads = [threading.Thread(target=wrong, args=(email,)) for email in emails]
    threads.append(threading.Thread(target=right_password))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert len(statuses) == len(emails)
    return sorted(statuses), right[0]


@pytest.mark.parametrize("portal", [(LIMIT, 1000)], indirect=True)
def test_parallel_wrong_passwords_for_one_account_check_at_most_the_limit(
    portal: Portal, monkeypatch: pytest.MonkeyPatch
) -> None:
    checks = CountedChecks()
    monkeypatch.setattr(pages, "check_login", checks)
    statuses, right = burst(portal, [BO_USER] * BURST, checks)
    # The right password came after LIMIT attempts were counted: refused, no session.
    assert (checks.count, right) == (LIMIT, 429)
    assert statuses == [401] * LIMIT + [429] * (BURST - LIMIT)
    assert portal.store.rows("SELECT count(*) FROM sessions")[0][0] == 0


@pytest.mark.parametrize("portal", [(1000, LIMIT)], indirect=True)
def test_parallel_wrong_passwords_from_one_address_check_at_most_the_limit(
    portal: Portal, monkeypatch: pytest.MonkeyPatch
) -> None:
    checks = CountedChecks()
    monkeypatch.setattr(pages, "check_login", checks)
    emails = [f"user{n}@spray.example" for n in range(BURST)]
    statuses, right = burst(portal, emails, checks)
    assert (checks.count, right) == (LIMIT, 429)
    assert statuses == [401] * LIMIT + [429] * (BURST - LIMIT)


@pytest.mark.parametrize("portal", [(LIMIT, 1000)], indirect=True)
def test_a_right_password_before_the_limit_logs_in_and_forgets_the_failures(
    portal: Portal,
) -> None:
    browser = Client(make_app(portal))
    for _ in range(LIMIT - 1):
        assert login(browser, BO_USER, "not the password").status_code == 401
    assert login(browser, BO_USER).status_code == 303
    assert portal.store.rows("SELECT count(*) FROM failed_logins")[0][0] == 0
