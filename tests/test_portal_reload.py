"""A client's worker after the ledger changes, and a ledger that reaches outside its folder.

Real gateway, real worker processes, read by a staff member (staff read the working head;
client users read the latest approval's snapshot, tests/test_portal_snapshots.py). A commit is followed by a reload in the background:
the next page shows the new entry without that request paying for the load (requests never
reload). A ledger that reads a file outside its client's folder, by any route, is not
served: the client gets a plain error with no path in it, and the worker's log says why.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from cli_support import append_entry, commit_all
from conftest import tree_state
from portal_support import (
    BO_USER,
    HUAMEI_SECRET,
    NORTHWIND_DOC,
    NORTHWIND_SECRET,
    PASSWORD,
    books_of,
    build_practice,
    login,
)
from werkzeug.test import Client, TestResponse

from beanfirm.portal.gateway import make_app
from beanfirm.portal.pool import PoolPolicy
from beanfirm.portal.site import Portal, PortalSettings
from beanfirm.portal.users import add_user
from beanfirm.store.registry import load_registry

NEW_PAYEE = "HUAMEI-NEW-PAYEE-5150"
NEW_ENTRY = (
    f'2025-01-20 * "{NEW_PAYEE}" "a sale after the first page"\n'
    "  Assets:1002-银行存款:工商银行  50.00 CNY\n"
    "  Income:6001-主营业务收入  -50.00 CNY\n"
)
JANUARY = "ledgers/huamei/journal/2025/01.beancount"
NORTHWIND_JANUARY = "ledgers/northwind/journal/2025/01.beancount"
WAIT_SECONDS = 60.0


@pytest.fixture(scope="module")
def base_practice(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_practice(tmp_path_factory.mktemp("reload") / "practice")


@pytest.fixture
def practice(base_practice: Path, tmp_path: Path) -> Path:
    """A copy of the practice of its own, to change."""
    root = tmp_path / "practice"
    shutil.copytree(base_practice, root, symlinks=True)
    return root


def open_portal(root: Path, reload_poll: float, idle_seconds: float = 900.0) -> Portal:
    policy = PoolPolicy(max_workers=2, reload_poll=reload_poll, idle_seconds=idle_seconds)
    settings = PortalSettings(state_dir=root.parent / "state", pool=policy)
    portal = Portal(root, settings)
    registry = load_registry(root / "clients.yaml")
    add_user(portal.store, registry, BO_USER, PASSWORD, staff_id="bo")  # huamei's preparer
    return portal


@pytest.fixture
def portal_factory() -> Iterator[Callable[..., Portal]]:
    opened: list[Portal] = []

    def make(root: Path, reload_poll: float, idle_seconds: float = 900.0) -> Portal:
        opened.append(open_portal(root, reload_poll, idle_seconds))
        return opened[-1]

    yield make
    for portal in opened:
        portal.close()


def logged_in(portal: Portal) -> Client:
    browser = Client(make_app(portal))
    assert login(browser, BO_USER).status_code == 303
    return browser


def worker_log(portal: Portal) -> str:
    path = portal.settings.state_dir / "portal-workers" / "huamei.log"
    return path.read_text(encoding="utf-8") if path.exists() else ""


def wait_for(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while not condition():
        assert time.monotonic() < deadline, f"waited {WAIT_SECONDS} s for {what}"
        time.sleep(0.05)


def text(response: TestResponse) -> str:
    return response.get_data(as_text=True)


# -- a commit, then the next page ---------------------------------------------------------


def test_a_commit_is_loaded_in_the_background_and_shown_on_the_next_page(
    practice: Path, portal_factory: Callable[..., Portal]
) -> None:
    portal = portal_factory(practice, 0.2)
    browser = logged_in(portal)
    books = books_of(browser, "huamei")
    journal = text(browser.get(books.page("api/journal")))
    assert HUAMEI_SECRET in journal
    assert NEW_PAYEE not in journal
    assert browser.get(books.page("income_statement/")).status_code == 200
    assert len(portal.pages) >= 2  # both kept by the gateway
    assert "generation 1" in worker_log(portal)

    append_entry(practice, JANUARY, NEW_ENTRY)
    commit_all(practice, "A sale after the first page")
    # No request is made until the worker has loaded the change on its own, and the gateway
    # has asked the new load again for the pages read before.
    wait_for(lambda: "loaded generation 2" in worker_log(portal), "the background reload")
    # The gateway hears of the new load after the worker logs it: until then it keeps the old
    # pages, so wait for its news too, not only for two kept pages.
    wait_for(
        lambda: (load := portal.pages.load_of("huamei")) is not None and load.number >= 2,
        "the gateway to hear of the new load",
    )
    wait_for(lambda: len(portal.pages) >= 2, "the pages read before, asked for again")

    journal = text(browser.get(books.page("api/journal")))
    assert NEW_PAYEE in journal
    assert HUAMEI_SECRET in journal
    page = browser.get(books.page("income_statement/"))
    assert page.status_code == 200
    assert NEW_PAYEE in text(browser.get(books.page("api/journal?filter=" + NEW_PAYEE)))
    time.sleep(0.5)  # a few more polls: nothing else changed, nothing else is loaded
    assert "generation 3" not in worker_log(portal)


def test_a_request_never_reloads_the_ledger(
    practice: Path, portal_factory: Callable[..., Portal]
) -> None:
    """With the background poll far away, a changed ledger stays as loaded: a request that
    came after the change did not load it (Fava alone would, and that client would wait)."""
    portal = portal_factory(practice, 3600.0)
    browser = logged_in(portal)
    books = books_of(browser, "huamei")
    assert NEW_PAYEE not in text(browser.get(books.page("api/journal")))
    append_entry(practice, JANUARY, NEW_ENTRY)
    commit_all(practice, "A sale after the first page")
    for rest in ("api/journal?fresh=1", "journal/?fresh=2", "api/changed", "api/errors"):
        response = browser.get(books.page(rest))
        assert response.status_code == 200, rest
        assert NEW_PAYEE not in text(response), rest
    assert "generation 2" not in worker_log(portal)


def test_kept_pages_do_not_outlive_the_worker(
    practice: Path, portal_factory: Callable[..., Portal]
) -> None:
    """A stopped worker watches nothing: a change made meanwhile shows on the next page."""
    portal = portal_factory(practice, 3600.0, idle_seconds=0.0)  # no reaper: stopped below
    browser = logged_in(portal)
    books = books_of(browser, "huamei")
    assert NEW_PAYEE not in text(browser.get(books.page("api/journal")))
    assert len(portal.pages) == 1
    assert portal.pool.stop_idle() == ["huamei"]
    assert len(portal.pages) == 0
    append_entry(practice, JANUARY, NEW_ENTRY)
    commit_all(practice, "A sale while nobody reads the books")
    assert NEW_PAYEE in text(browser.get(books.page("api/journal")))


def test_a_reload_that_reaches_outside_is_refused(
    practice: Path, portal_factory: Callable[..., Portal]
) -> None:
    portal = portal_factory(practice, 0.2)
    browser = logged_in(portal)
    books = books_of(browser, "huamei")
    assert browser.get(books.page("api/journal")).status_code == 200
    main = practice / "ledgers" / "huamei" / "main.beancount"
    with main.open("a", encoding="utf-8") as handle:
        handle.write('include "../northwind/journal/2025/01.beancount"\n')
    commit_all(practice, "Include another client's month")
    wait_for(lambda: "refusing to serve" in worker_log(portal), "the refusal")
    wait_for(lambda: len(portal.pages) == 0, "the kept pages to be dropped")
    for rest in ("api/journal", "income_statement/", "api/income_statement"):
        assert_refused(portal, browser.get(books.page(rest)))


# -- a ledger that reaches outside from the start -----------------------------------------


def _include_parent(root: Path) -> None:
    _add_to_main(root, 'include "../northwind/journal/2025/01.beancount"')


def _include_absolute(root: Path) -> None:
    _add_to_main(root, f'include "{root / NORTHWIND_JANUARY}"')


def _symlinked_month(root: Path) -> None:
    # Picked up by main.beancount's own `include "journal/*/*.beancount"`.
    (root / "ledgers" / "huamei" / "journal" / "2025" / "02.beancount").symlink_to(
        root / NORTHWIND_JANUARY
    )


def _symlinked_include(root: Path) -> None:
    (root / "ledgers" / "huamei" / "extra.beancount").symlink_to(root / NORTHWIND_JANUARY)
    _add_to_main(root, 'include "extra.beancount"')


def _documents_outside(root: Path) -> None:
    _add_to_main(root, 'option "documents" "../northwind/documents"')


def _documents_absolute(root: Path) -> None:
    _add_to_main(root, f'option "documents" "{root / "ledgers" / "northwind" / "documents"}"')


def _symlinked_documents_folder(root: Path) -> None:
    # An account folder of huamei's documents that is northwind's: Beancount follows it.
    folder = root / "ledgers" / "huamei" / "documents" / "Income"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "Uncategorized").symlink_to(
        root / "ledgers" / "northwind" / "documents" / "Assets" / "Bank"
    )


def _import_dirs_outside(root: Path) -> None:
    _add_to_main(root, '2025-01-01 custom "fava-option" "import-dirs" "../northwind"')


def _client_folder_symlinked(root: Path) -> None:
    huamei = root / "ledgers" / "huamei"
    shutil.rmtree(huamei)
    huamei.symlink_to(root / "ledgers" / "northwind")


def _add_to_main(root: Path, line: str) -> None:
    main = root / "ledgers" / "huamei" / "main.beancount"
    with main.open("a", encoding="utf-8") as handle:
        handle.write(line + "\n")


ESCAPES = {
    "include ../": _include_parent,
    "include /absolute": _include_absolute,
    "symlinked month file": _symlinked_month,
    "symlinked include": _symlinked_include,
    "documents ../": _documents_outside,
    "documents /absolute": _documents_absolute,
    "symlinked documents folder": _symlinked_documents_folder,
    "fava import-dirs ../": _import_dirs_outside,
    "client folder symlinked": _client_folder_symlinked,
}


def assert_refused(portal: Portal, response: TestResponse) -> None:
    body = text(response)
    assert response.status_code == 503, (response.status_code, body[:300])
    assert "These books cannot be shown" in body
    for leak in (
        NORTHWIND_SECRET,
        "northwind",
        "Northwind",
        str(portal.root),
        "/ledgers/",
        ".beancount",
        "Traceback",
        "site-packages",
        NORTHWIND_DOC,
    ):
        assert leak not in body, leak


@pytest.mark.parametrize("escape", sorted(ESCAPES))
def test_a_ledger_reaching_outside_its_folder_is_not_served(
    practice: Path, portal_factory: Callable[..., Portal], escape: str
) -> None:
    ESCAPES[escape](practice)
    commit_all(practice, f"Reach outside: {escape}")
    before = tree_state(practice)
    portal = portal_factory(practice, 3600.0)
    browser = logged_in(portal)
    for url in (
        "/c/huamei/",
        "/c/huamei/x/income_statement/",
        "/c/huamei/x/api/journal",
        f"/c/huamei/x/document/?filename=/books/{NORTHWIND_DOC}",
    ):
        response = browser.get(url)
        if url.endswith("document/?filename=/books/" + NORTHWIND_DOC):
            assert response.status_code in {404, 503}, url  # the gateway may refuse it first
            assert NORTHWIND_SECRET not in text(response)
            continue
        assert_refused(portal, response)
    assert "refusing to serve" in worker_log(portal)
    assert tree_state(practice) == before
