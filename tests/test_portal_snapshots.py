"""Client users read the books as approved; staff the working head (issue 15, item 5).

Real gateway, real worker processes. A client user's worker loads a read-only snapshot of the
client's latest approval, extracted from git; a staff member's loads the head. A new approval
is extracted and loaded in the background, and requests made meanwhile get the old books, at
once. A client never approved gets a plain page in its language and no Fava. Every route a
client may take reads the snapshot, never the head.
"""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from approval_support import approve
from cli_support import append_entry, commit_all
from conftest import git, tree_state
from portal_support import (
    ANA_USER,
    HUAMEI_DOC,
    HUAMEI_SECRET,
    HUAMEI_USER,
    NORTHWIND_SECRET,
    PASSWORD,
    books_of,
    build_practice,
    login,
)
from werkzeug.test import Client, TestResponse

from beanfirm.portal.gateway import make_app
from beanfirm.portal.nowrites import landlock_abi
from beanfirm.portal.pool import BooksView, PoolPolicy
from beanfirm.portal.routes import READ_API, READ_REPORTS
from beanfirm.portal.site import Portal, PortalSettings
from beanfirm.portal.snapshots import SNAPSHOTS
from beanfirm.portal.upstream import Upstream
from beanfirm.portal.users import add_user
from beanfirm.store.registry import load_registry

JINMA_USER = "boss@jinma.example"
NORTHWIND_USER = "cfo@northwind.example"
# In the head only, never approved: a client user who sees it has read the head.
HEAD_PAYEE = "HUAMEI-UNREVIEWED-9090"
HEAD_ENTRY = (
    f'2025-01-20 * "{HEAD_PAYEE}" "a sale nobody has reviewed"\n'
    "  Assets:1002-银行存款:工商银行  50.00 CNY\n"
    "  Income:6001-主营业务收入  -50.00 CNY\n"
)
HEAD_DOC = "documents/Equity/Opening-Balances/2025-01-31.unreviewed.txt"
HEAD_DOC_BYTES = b"HUAMEI-UNREVIEWED-DOCUMENT"
JANUARY = "ledgers/huamei/journal/2025/01.beancount"
WAIT_SECONDS = 60.0


@pytest.fixture(scope="module")
def base_practice(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """huamei and northwind approved, jinma never; then huamei's head moves on, unapproved."""
    root = build_practice(tmp_path_factory.mktemp("snapshots") / "practice")
    append_entry(root, JANUARY, HEAD_ENTRY)
    (root / "ledgers" / "huamei" / HEAD_DOC).write_bytes(HEAD_DOC_BYTES)
    commit_all(root, "An unreviewed sale and its document")
    return root


@pytest.fixture
def practice(base_practice: Path, tmp_path: Path) -> Path:
    root = tmp_path / "practice"
    shutil.copytree(base_practice, root, symlinks=True)
    return root


@pytest.fixture
def portal_of() -> Iterator[Callable[[Path], Portal]]:
    opened: list[Portal] = []

    def make(root: Path) -> Portal:
        policy = PoolPolicy(max_workers=4, reload_poll=0.2)
        portal = Portal(root, PortalSettings(state_dir=root.parent / "state", pool=policy))
        registry = load_registry(root / "clients.yaml")
        for email, clients in (
            (HUAMEI_USER, ("huamei",)),
            (NORTHWIND_USER, ("northwind",)),
            (JINMA_USER, ("jinma",)),
        ):
            add_user(portal.store, registry, email, PASSWORD, client_ids=clients)
        add_user(portal.store, registry, ANA_USER, PASSWORD, staff_id="ana")
        opened.append(portal)
        return portal

    yield make
    for portal in opened:
        portal.close()


def browser_of(portal: Portal, email: str) -> Client:
    browser = Client(make_app(portal))
    assert login(browser, email).status_code == 303
    return browser


def text(response: TestResponse) -> str:
    return response.get_data(as_text=True)


def wait_for(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while not condition():
        assert time.monotonic() < deadline, f"waited {WAIT_SECONDS} s for {what}"
        time.sleep(0.05)


def shown_commit(portal: Portal, client_id: str) -> str | None:
    shown = portal.approved.shown(client_id)
    return None if shown is None else shown.approval.commit


# -- who reads what -------------------------------------------------------------------------


def test_client_users_read_the_approved_books_and_staff_the_head(
    practice: Path, portal_of: Callable[[Path], Portal]
) -> None:
    portal = portal_of(practice)
    staff, owner = browser_of(portal, ANA_USER), browser_of(portal, HUAMEI_USER)
    staff_books, owner_books = books_of(staff, "huamei"), books_of(owner, "huamei")
    assert staff_books == owner_books  # the same addresses: only the books behind differ
    # The staff member first, so that the gateway keeps the head's page under this address.
    head = text(staff.get(staff_books.page("api/journal")))
    approved = text(owner.get(owner_books.page("api/journal")))
    assert HEAD_PAYEE in head
    assert HUAMEI_SECRET in approved
    assert HEAD_PAYEE not in approved
    running = portal.pool.running()
    snapshot = portal.approved.shown("huamei")
    assert snapshot is not None
    assert {"huamei", snapshot.view.key} <= running.keys()  # two workers, two processes
    assert running["huamei"] != running[snapshot.view.key]
    assert snapshot.approval.commit == git(practice, "rev-parse", "HEAD~1").strip()


def test_the_snapshot_is_read_only_private_and_holds_only_the_client(
    practice: Path, portal_of: Callable[[Path], Portal]
) -> None:
    portal = portal_of(practice)
    owner = browser_of(portal, HUAMEI_USER)
    assert owner.get(books_of(owner, "huamei").page("income_statement/")).status_code == 200
    shown = portal.approved.shown("huamei")
    assert shown is not None
    folder = shown.view.folder
    assert folder.parent == portal.settings.state_dir / SNAPSHOTS
    assert folder.parent.stat().st_mode & 0o777 == 0o700
    committed = git(
        practice, "ls-tree", "-r", "--name-only", shown.approval.commit, "ledgers/huamei"
    )
    expected = sorted(name.removeprefix("ledgers/huamei/") for name in committed.split())
    files = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
    assert files == expected  # the approved commit's files of this client, nothing else
    assert HEAD_DOC not in files
    for path in [folder, *folder.rglob("*")]:
        mode = path.stat().st_mode & 0o777
        assert mode == (0o500 if path.is_dir() else 0o400), (path, oct(mode))
        assert b"NORTHWIND" not in (path.read_bytes() if path.is_file() else b"")
    assert not list(folder.rglob("*.picklecache"))  # git-ignored: never in a snapshot
    # Not even a worker running as root may write: Landlock forbids it every write.
    if landlock_abi():
        pid = portal.pool.running()[shown.view.key]
        assert "NoNewPrivs:\t1" in Path(f"/proc/{pid}/status").read_text()
        log = portal.settings.state_dir / "portal-workers" / f"{shown.view.key}.log"
        assert "every write to the filesystem is forbidden" in log.read_text(encoding="utf-8")


def test_a_process_that_forbids_itself_writes_can_only_read(tmp_path: Path) -> None:
    """What a snapshot's worker does once its socket is bound, whoever runs it (root too)."""
    if not landlock_abi():
        pytest.skip("the kernel has no Landlock; the snapshot's modes alone protect it")
    books = tmp_path / "books.beancount"
    books.write_text("2025-01-01 open Assets:Bank\n", encoding="utf-8")
    script = (
        "import os, sys\n"
        "from beanfirm.portal.nowrites import forbid_writes\n"
        "assert forbid_writes() is None\n"
        f"print(open({str(books)!r}).read().strip())\n"
        f"for act in (lambda: open({str(books)!r}, 'a'), lambda: open({str(books)!r}, 'r+'),\n"
        f"            lambda: open({str(tmp_path / 'new')!r}, 'w'), lambda: os.remove({str(books)!r}),\n"
        f"            lambda: os.mkdir({str(tmp_path / 'dir')!r})):\n"
        "    try:\n"
        "        act()\n"
        "        print('WROTE')\n"
        "    except PermissionError:\n"
        "        print('refused')\n"
    )
    done = subprocess.run(
        [sys.executable, "-I", "-c", script], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n")[:6] == ["2025-01-01 open Assets:Bank", *["refused"] * 5]
    assert books.read_text(encoding="utf-8") == "2025-01-01 open Assets:Bank\n"


def test_a_client_never_gets_the_head_through_any_route(
    practice: Path, portal_of: Callable[[Path], Portal]
) -> None:
    """Every read route of the allow-list, with parameters, and the documents: the snapshot."""
    # An uncommitted change too: nothing of the working tree reaches a client user.
    append_entry(practice, JANUARY, HEAD_ENTRY.replace("9090", "9191"))
    before = tree_state(practice / "ledgers")
    portal = portal_of(practice)
    owner = browser_of(portal, HUAMEI_USER)
    books = books_of(owner, "huamei")
    slug = books.base.rsplit("/", 1)[1]
    pages = [f"{report}/" for report in sorted(READ_REPORTS)]
    pages += [f"api/{endpoint}" for endpoint in sorted(READ_API)]
    pages += [
        "account/Assets:1002-银行存款:工商银行/",
        "account/Income:6001-主营业务收入/?r=journal",
        "holdings/by_account/",
        "help/",
        "journal/?filter=" + HEAD_PAYEE,
        "api/journal?filter=" + HEAD_PAYEE,
        "api/journal?time=2025-01&interval=day",
        f"api/journal?bfile={slug}",
        "api/account_report?a=Income:6001-主营业务收入&r=journal",
        "income_statement/?conversion=at_value&interval=month",
        "api/documents?filter=unreviewed",
    ]
    for rest in pages:
        response = owner.get(books.page(rest))
        body = response.get_data()
        assert response.status_code in {200, 400, 404, 502}, (rest, response.status_code)
        assert HEAD_PAYEE.encode() not in body, rest
        assert b"HUAMEI-UNREVIEWED" not in body, rest
        assert str(practice).encode() not in body, rest
        assert str(portal.settings.state_dir).encode() not in body, rest  # the snapshot's
    assert HUAMEI_SECRET in text(owner.get(books.page("api/journal")))
    # Documents: only the snapshot's; the head's new one, by any name, is not there.
    own = owner.get(books.page("document/"), query_string={"filename": f"/books/{HUAMEI_DOC}"})
    assert (own.status_code, own.get_data()) == (200, b"huamei statement")
    head_doc = practice / "ledgers" / "huamei" / HEAD_DOC
    for name in (
        f"/books/{HEAD_DOC}",
        f"/practice/ledgers/huamei/{HEAD_DOC}",
        str(head_doc),
        f"/books/documents/../../../../practice/ledgers/huamei/{HEAD_DOC}",
    ):
        response = owner.get(books.page("document/"), query_string={"filename": name})
        assert response.status_code == 404, (name, response.status_code)
        assert HEAD_DOC_BYTES not in response.get_data()
    # The staff member reads the same document from the head.
    staff = browser_of(portal, ANA_USER)
    got = staff.get(books.page("document/"), query_string={"filename": f"/books/{HEAD_DOC}"})
    assert (got.status_code, got.get_data()) == (200, HEAD_DOC_BYTES)
    assert tree_state(practice / "ledgers") == before


# -- a new approval ---------------------------------------------------------------------------


def test_a_new_approval_is_swapped_in_behind_and_no_request_waits(
    practice: Path, portal_of: Callable[[Path], Portal], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Requests during the swap get the old books at once; the next after it, the new."""
    portal = portal_of(practice)
    owner = browser_of(portal, HUAMEI_USER)
    books = books_of(owner, "huamei")
    journal = books.page("api/journal")
    assert HEAD_PAYEE not in text(owner.get(journal))
    old = portal.approved.shown("huamei")
    assert old is not None
    quiet = [_timed(owner, journal)[0] for _ in range(20)]

    # Hold the new worker, loaded, before the swap: the gateway keeps serving meanwhile.
    loaded, release = threading.Event(), threading.Event()
    lease = portal.pool.lease

    @contextlib.contextmanager
    def held(view: BooksView) -> Iterator[Upstream]:
        with lease(view) as upstream:
            if view.key != old.view.key and view.commit is not None:
                loaded.set()
                release.wait(WAIT_SECONDS)
            yield upstream

    monkeypatch.setattr(portal.pool, "lease", held)
    new_commit = approve(practice, "huamei")
    assert portal.approved.refresh() == ["huamei"]
    assert loaded.wait(WAIT_SECONDS), "the new snapshot's worker did not load"
    during = []
    for number in range(20):
        seconds, body = _timed(owner, journal + f"?during={number}")
        assert HEAD_PAYEE not in body  # the old books, while the new ones wait
        assert HUAMEI_SECRET in body
        during.append(seconds)
    assert shown_commit(portal, "huamei") == old.approval.commit
    assert len([key for key in portal.pool.running() if key.startswith("huamei@")]) == 2
    release.set()
    wait_for(lambda: shown_commit(portal, "huamei") == new_commit, "the swap")
    assert HEAD_PAYEE in text(owner.get(journal))  # the very next request: the new books
    wait_for(lambda: old.view.key not in portal.pool.running(), "the old worker to stop")
    wait_for(lambda: not old.view.folder.exists(), "the old snapshot to be removed")
    # No request during the swap waited for the load (it takes seconds; these, milliseconds).
    assert max(during) < max(1.0, 10 * max(quiet)), (quiet, during)
    print(f"quiet max {max(quiet):.3f} s; during the swap max {max(during):.3f} s")  # noqa: T201


def _timed(browser: Client, url: str) -> tuple[float, str]:
    started = time.perf_counter()
    response = browser.get(url)
    assert response.status_code == 200, url
    return time.perf_counter() - started, text(response)


def test_an_approval_of_a_client_nobody_reads_starts_no_worker(
    practice: Path, portal_of: Callable[[Path], Portal]
) -> None:
    portal = portal_of(practice)
    approve(practice, "jinma")
    assert portal.approved.refresh(wait=True) == ["jinma"]
    assert shown_commit(portal, "jinma") == git(practice, "rev-parse", "HEAD").strip()
    assert not any(key.startswith("jinma") for key in portal.pool.running())
    assert portal.approved.refresh() == []  # nothing new: nothing done


def test_a_forged_approval_is_not_shown(
    practice: Path, portal_of: Callable[[Path], Portal]
) -> None:
    """A tag whose recorded tree is not the commit's books moves nothing."""
    portal = portal_of(practice)
    approved = shown_commit(portal, "huamei")
    head = git(practice, "rev-parse", "HEAD").strip()
    northwind_tree = git(practice, "rev-parse", f"{head}:ledgers/northwind").strip()
    message = (
        f"Approve huamei up to {head[:8]}\n\nbeanfirm-approval: 1\nclient: huamei\n"
        f"approver: ana\ncommit: {head}\ntree: {northwind_tree}\nprevious: {approved}\n"
        "commits: 1\n"
    )
    git(practice, "tag", "-a", "-m", message, "beanfirm/approved/huamei/0002", head)
    assert portal.approved.refresh(wait=True) == ["huamei"]
    assert shown_commit(portal, "huamei") == approved


def test_a_new_approval_with_a_link_out_is_not_shown_and_not_hidden(
    practice: Path, portal_of: Callable[[Path], Portal]
) -> None:
    # The extraction failed on the link, and the client kept seeing the previous approval's
    # books as if current, with nothing said to anyone but the server's log.
    portal = portal_of(practice)
    owner = browser_of(portal, HUAMEI_USER)
    page = books_of(owner, "huamei").page("income_statement/")
    assert owner.get(page).status_code == 200
    link = practice / "ledgers/huamei/documents/Assets/2025-01-31.passwd.txt"
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to("/etc/passwd")
    commit_all(practice, "A link out")
    approve(practice, "huamei")
    head = git(practice, "rev-parse", "HEAD").strip()
    assert portal.approved.refresh(wait=True) == ["huamei"]
    assert shown_commit(portal, "huamei") == head
    response = owner.get(page)
    assert response.status_code == 503
    assert "这些账簿无法显示" in text(response)
    assert "root:" not in text(response)


# -- never approved ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("email", "client_id", "words"),
    [
        (JINMA_USER, "jinma", "审核"),
        (NORTHWIND_USER, "northwind", "once Test Firm has reviewed them"),
    ],
)
def test_a_client_never_approved_gets_a_plain_page_and_no_fava(
    practice: Path,
    portal_of: Callable[[Path], Portal],
    email: str,
    client_id: str,
    words: str,
) -> None:
    for tag in git(practice, "tag", "--list", "beanfirm/approved/northwind/*").split():
        git(practice, "tag", "-d", tag)  # northwind (English) never approved either
    portal = portal_of(practice)
    browser = browser_of(portal, email)
    assert browser.get(f"/c/{client_id}").status_code == 302
    page = browser.get(f"/c/{client_id}/")
    body = text(page)
    assert page.status_code == 200
    assert words in body, body
    assert "<script" not in body
    for rest in ("x/income_statement/", "x/api/journal", "static/app.js", "x/document/"):
        response = browser.get(f"/c/{client_id}/{rest}")
        assert response.status_code == 404, rest
        assert words in text(response)
    assert portal.pool.running() == {}  # no Fava at all
    home = text(browser.get("/"))  # the client's home page says so too
    assert words in home


def test_staff_see_which_approval_each_portal_shows(
    practice: Path, portal_of: Callable[[Path], Portal]
) -> None:
    portal = portal_of(practice)
    staff = browser_of(portal, ANA_USER)
    body = text(staff.get("/"))
    shown = portal.approved.shown("huamei")
    assert shown is not None
    assert f"approval 1 of {shown.approval.when.date()} by ana" in body
    assert shown.approval.commit[:8] in body
    jinma_row = body[body.index("/c/jinma/") :].split("</tr>")[0]
    assert "no approval" in jinma_row
    assert NORTHWIND_SECRET not in body


# -- approved books that reach outside ----------------------------------------------------------


def _symlinked_month_relative(root: Path) -> None:
    # Inside the archive it stays inside; in the snapshot it points at nothing of this client.
    (root / "ledgers" / "huamei" / "journal" / "2025" / "02.beancount").symlink_to(
        Path("..", "..", "..", "northwind", "journal", "2025", "01.beancount")
    )


def _symlinked_month_absolute(root: Path) -> None:
    (root / "ledgers" / "huamei" / "journal" / "2025" / "02.beancount").symlink_to(
        root / "ledgers" / "northwind" / "journal" / "2025" / "01.beancount"
    )


def _include_parent(root: Path) -> None:
    main = root / "ledgers" / "huamei" / "main.beancount"
    with main.open("a", encoding="utf-8") as handle:
        handle.write('include "../northwind/journal/2025/01.beancount"\n')


@pytest.mark.parametrize(
    "escape", [_symlinked_month_relative, _symlinked_month_absolute, _include_parent]
)
def test_approved_books_that_reach_outside_are_not_served(
    practice: Path, portal_of: Callable[[Path], Portal], escape: Callable[[Path], None]
) -> None:
    escape(practice)
    commit_all(practice, "Reach outside")
    approve(practice, "huamei")
    portal = portal_of(practice)
    owner = browser_of(portal, HUAMEI_USER)
    for url in ("/c/huamei/", "/c/huamei/x/income_statement/", "/c/huamei/x/api/journal"):
        response = owner.get(url)
        body = text(response)
        assert response.status_code == 503, (url, response.status_code, body[:300])
        assert "这些账簿无法显示" in body  # huamei's language
        for leak in (NORTHWIND_SECRET, "northwind", str(practice), "Traceback"):
            assert leak not in body, leak
    snapshots = portal.settings.state_dir / SNAPSHOTS
    for path in snapshots.rglob("*") if snapshots.exists() else ():
        assert "northwind" not in path.name
        if path.is_file() and not path.is_symlink():
            assert NORTHWIND_SECRET.encode() not in path.read_bytes()


def test_leftover_snapshots_are_removed_at_start(
    practice: Path, portal_of: Callable[[Path], Portal]
) -> None:
    """A portal killed mid-way leaves snapshot and scratch folders, read-only: gone at start."""
    folder = practice.parent / "state" / SNAPSHOTS
    leftovers = [folder / f"huamei@{'0' * 40}" / "journal", folder / ".extract-x1y2" / "ledgers"]
    for leftover in leftovers:
        leftover.mkdir(parents=True)
        (leftover / "01.beancount").write_text("; old\n", encoding="utf-8")
        for path in (leftover / "01.beancount", leftover, leftover.parent):
            path.chmod(0o400 if path.is_file() else 0o500)
    portal = portal_of(practice)
    assert portal.approved.shown("huamei") is not None
    assert not any(leftover.parent.exists() for leftover in leftovers)
    assert folder.stat().st_mode & 0o777 == 0o700


def test_a_second_approval_of_the_same_commit_moves_no_books(
    practice: Path, portal_of: Callable[[Path], Portal]
) -> None:
    portal = portal_of(practice)
    first = portal.approved.shown("huamei")
    assert first is not None
    approve(practice, "huamei", commit=first.approval.commit, approver="cy")
    assert portal.approved.refresh(wait=True) == ["huamei"]
    again = portal.approved.shown("huamei")
    assert again is not None
    assert (again.approval.number, again.approval.approver) == (2, "cy")
    assert again.view == first.view  # the same snapshot, no swap
