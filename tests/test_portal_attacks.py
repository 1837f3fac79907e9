"""Attacks on the portal through the real gateway, with real Fava worker processes.

Everything a client could try: write to the books by any method, read another client's
books, walk out of their prefix with path tricks, guess passwords, fix a session id, forge
the login form, and come in without logging in.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Iterator
from urllib.parse import unquote

import pytest
from conftest import tree_state
from fava.application import create_app
from portal_support import (
    ANA_USER,
    BO_USER,
    HUAMEI_DOC,
    HUAMEI_SCRIPT,
    HUAMEI_SECRET,
    HUAMEI_USER,
    MARKUP_PAYEE,
    NORTHWIND_DOC,
    NORTHWIND_DOC_SECRET,
    NORTHWIND_SECRET,
    NORTHWIND_USER,
    PASSWORD,
    PICKLE_MARKER,
    STAFF_NOTE,
    Books,
    add_users,
    books_of,
    build_practice,
    csrf_of,
    login,
    session_cookie,
)
from werkzeug.test import Client

from beanfirm.portal.audit import recent
from beanfirm.portal.clientview import INERT
from beanfirm.portal.gateway import make_app
from beanfirm.portal.pool import PoolPolicy
from beanfirm.portal.routes import EXTENSIONS
from beanfirm.portal.sessions import SessionPolicy, find_session, start_session
from beanfirm.portal.site import Portal, PortalSettings
from beanfirm.portal.throttle import ThrottlePolicy
from beanfirm.portal.upstream import _UnixConnection

LOCKOUT_AFTER = 3


@pytest.fixture(scope="module")
def portal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Portal]:
    root = build_practice(tmp_path_factory.mktemp("portal") / "practice")
    settings = PortalSettings(
        state_dir=root / ".beanfirm",
        throttle=ThrottlePolicy(per_account=LOCKOUT_AFTER, per_address=1000),
        pool=PoolPolicy(max_workers=2),
    )
    site = Portal(root, settings)
    add_users(site)
    yield site
    site.close()


@pytest.fixture(scope="module")
def app(portal: Portal) -> object:
    return make_app(portal)


def client_of(app: object, email: str | None = None) -> Client:
    browser = Client(app)  # type: ignore[arg-type]
    if email:
        assert login(browser, email).status_code == 303
    return browser


@pytest.fixture(scope="module")
def huamei(app: object) -> Client:
    return client_of(app, HUAMEI_USER)


@pytest.fixture(scope="module")
def huamei_books(huamei: Client) -> Books:
    return books_of(huamei, "huamei")


@pytest.fixture(scope="module")
def northwind(app: object) -> Client:
    return client_of(app, NORTHWIND_USER)


@pytest.fixture(scope="module")
def northwind_books(northwind: Client) -> Books:
    return books_of(northwind, "northwind")


def _snapshot_key(portal: Portal, client_id: str) -> str:
    """Return the name of the worker of the client's approved books (client users')."""
    shown = portal.approved.shown(client_id)
    assert shown is not None
    return shown.view.key


def _write_routes() -> list[tuple[str, str]]:
    """Every Fava route that accepts a method other than GET/HEAD/OPTIONS, from Fava itself."""
    fava = create_app([])
    found = []
    for rule in fava.url_map.iter_rules():
        writes = (rule.methods or set()) - {"GET", "HEAD", "OPTIONS"}
        if writes:
            path = rule.rule.replace("<bfile>", "{slug}").replace("<extension_name>", "x")
            found.append((path.replace("<endpoint>", "y"), ",".join(sorted(writes))))
    assert len(found) >= 10, found
    return found


WRITE_ROUTES = _write_routes()
WRITE_METHODS = (
    "PUT",
    "POST",
    "DELETE",
    "PATCH",
    "put",
    "post",
    "delete",
    "patch",
    "OPTIONS",
    "TRACE",
    "PROPFIND",
)


# -- writes ---------------------------------------------------------------------------------


def test_every_write_route_and_method_is_refused(
    portal: Portal, huamei: Client, huamei_books: Books
) -> None:
    before = tree_state(portal.root / "ledgers")
    slug = huamei_books.base.rsplit("/", 1)[1]
    for route, _methods in WRITE_ROUTES:
        url = "/c/huamei" + route.format(slug=slug)
        for method in WRITE_METHODS:
            response = huamei.open(url, method=method, json={"source": "x", "entries": []})
            assert response.status_code == 405, (method, url, response.status_code)
        # Method overrides in headers, query and form: never turn a request into a write.
        for header in ("X-HTTP-Method-Override", "X-HTTP-Method", "X-Method-Override"):
            got = huamei.get(url, headers={header: "PUT"})
            assert got.status_code == 404, (header, url, got.status_code)
            got = huamei.post(url, headers={header: "GET"})
            assert got.status_code == 405, (header, url)
        assert huamei.get(url + "?_method=PUT").status_code == 404
        assert huamei.post(url, data={"_method": "GET"}).status_code == 405
    assert tree_state(portal.root / "ledgers") == before


def test_fava_itself_is_read_only_behind_the_gateway(portal: Portal, huamei_books: Books) -> None:
    """The second layer: even a request that reached the worker could not write."""
    before = tree_state(portal.root / "ledgers")
    socket_path = portal.pool.socket_dir / f"{_snapshot_key(portal, 'huamei')}.sock"
    assert socket_path.exists()
    for method in ("PUT", "POST", "DELETE"):
        connection = _UnixConnection(socket_path, 30)
        connection.request(
            method,
            huamei_books.page("api/source"),
            body=b"{}",
            headers={"Content-Type": "application/json"},
        )
        assert connection.getresponse().status == 401
        connection.close()
    assert tree_state(portal.root / "ledgers") == before


def test_no_pickle_cache_is_ever_loaded(portal: Portal, app: object) -> None:
    """The pickles are planted beside the head's ledgers, which staff read (a client user
    reads a snapshot extracted from git, where git-ignored pickles never are)."""
    staff = client_of(app, ANA_USER)
    for client_id in ("huamei", "northwind"):
        books = books_of(staff, client_id)
        assert staff.get(books.page("income_statement/")).status_code == 200
        assert (portal.root / "ledgers" / client_id / ".main.beancount.picklecache").exists()
    assert not (portal.root / PICKLE_MARKER).exists()


# -- one client, not another --------------------------------------------------------------


def test_client_sees_own_books(huamei: Client, huamei_books: Books) -> None:
    page = huamei.get(huamei_books.page("income_statement/"))
    assert page.status_code == 200
    journal = huamei.get(huamei_books.page("api/journal")).get_data(as_text=True)
    assert HUAMEI_SECRET in journal
    assert NORTHWIND_SECRET not in journal


def _journal_with(browser: Client, books: Books, query: dict[str, str]) -> tuple[int, str, float]:
    """GET the journal with a filter in a thread that the test waits for at most 60 s."""
    answer: list[tuple[int, str]] = []

    def fetch() -> None:
        response = browser.get(books.page("api/journal"), query_string=query)
        answer.append((response.status_code, response.get_data(as_text=True)))

    started = time.perf_counter()
    thread = threading.Thread(target=fetch, daemon=True)
    thread.start()
    thread.join(60)
    assert answer, f"{query} was not answered within 60 s"
    return (*answer[0], time.perf_counter() - started)


@pytest.mark.parametrize(
    "query",
    [
        {"filter": 'filename:"^(?:.+)+Z"'},
        {"filter": '"^(?:.+)+Z"'},
        {"filter": 'payee:"(.*a){25}Z"'},
        {"account": "^(?:.+)+Z"},
        {"filter": 'filename:"^(?:.+)+Z"', "time": "2025"},
    ],
)
def test_backtracking_filters_are_answered_at_once(
    huamei: Client, huamei_books: Books, query: dict[str, str]
) -> None:
    huamei.get(huamei_books.page("api/journal"))  # the worker has started
    status, body, seconds = _journal_with(huamei, huamei_books, query)
    assert status == 200
    assert HUAMEI_SECRET not in body
    assert seconds < 2.0


def test_file_names_are_matched_as_the_client_sees_them(
    portal: Portal, huamei: Client, huamei_books: Books
) -> None:
    shown = {"filter": 'filename:"^/books/journal/2025/"'}
    assert HUAMEI_SECRET in _journal_with(huamei, huamei_books, shown)[1]
    folder = str(portal.root / "ledgers" / "huamei" / "journal")
    for guess in (folder, folder[:5], portal.root.name, "ledgers/huamei"):
        status, body, _ = _journal_with(huamei, huamei_books, {"filter": f'filename:"{guess}"'})
        assert (status, HUAMEI_SECRET in body) == (200, False), guess


@pytest.mark.parametrize(
    ("query", "needle"),
    [
        ({"filter": "x" * 201}, "at most 200 characters"),
        ({"account": "A" * 201}, "at most 200 characters"),
        ({"time": "2" * 201}, "at most 200 characters"),
        ({"q": "x" * 2049}, "the whole address at most 2048"),
        # A chart point per interval: 3.3 million days would be a minute of the worker's CPU.
        ({"time": "1000 to 9999", "interval": "day"}, "more than 10,000 days"),
        ({"time": "1000 to 9999", "interval": "WEEK"}, "more than 10,000 weeks"),
        ({"time": "1000 to 9999"}, "more than 10,000 months"),
        ({"time": "0001-01-01 - 9999-12-31", "interval": "quarter"}, "interval=year"),
        # Fava raised ValueError at its page: a 502, "the books are unavailable"
        ({"time": "2026-13"}, "is not a time: give a year, a month"),
        ({"time": "day-99999999"}, "is not a time"),
        ({"time": "2026-W99"}, "is not a time"),
    ],
)
def test_requests_that_ask_too_much_are_refused(
    northwind: Client, northwind_books: Books, query: dict[str, str], needle: str
) -> None:
    """In English, northwind's language (huamei's users read it in Chinese)."""
    for page in ("api/income_statement", "income_statement/"):
        started = time.perf_counter()
        response = northwind.get(northwind_books.page(page), query_string=query)
        assert (response.status_code, time.perf_counter() - started < 1.0) == (400, True)
        assert needle in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "query",
    [
        {"filter": "x" * 200},
        {"time": "1999 to 2025", "interval": "day"},
        {"time": "1000 to 9999", "interval": "year"},
        {"time": "year-1 - year"},
    ],
)
def test_requests_within_the_limits_are_answered(
    huamei: Client, huamei_books: Books, query: dict[str, str]
) -> None:
    response = huamei.get(huamei_books.page("api/income_statement"), query_string=query)
    assert response.status_code == 200


def test_other_clients_books_are_404_without_their_data(
    huamei: Client, northwind_books: Books
) -> None:
    slug = northwind_books.base.rsplit("/", 1)[1]
    targets = [
        "/c/northwind/",
        "/c/northwind",
        "/c/northwind/static/app.js",
        northwind_books.page("income_statement/"),
        northwind_books.page("api/journal"),
        northwind_books.page("api/income_statement"),
        northwind_books.page(f"document/?filename=/books/{NORTHWIND_DOC}"),
        "/c/jinma/",
        "/c/nonexistent/",
        f"/c/huamei/{slug}/api/journal",
    ]
    for url in targets:
        response = huamei.get(url)
        body = response.get_data()
        assert response.status_code == 404, (url, response.status_code)
        assert NORTHWIND_SECRET.encode() not in body
        assert NORTHWIND_DOC_SECRET not in body
        assert b"Northwind" not in body


def test_documents_of_another_client_are_not_reachable(
    portal: Portal, huamei: Client, huamei_books: Books
) -> None:
    real = portal.root / "ledgers" / "northwind" / NORTHWIND_DOC
    names = [
        str(real),
        f"/books/../northwind/{NORTHWIND_DOC}",
        f"/books/documents/../../northwind/{NORTHWIND_DOC}",
        f"/practice/ledgers/northwind/{NORTHWIND_DOC}",
        "/books/main.beancount",
        "/books/documents/../main.beancount",
        "/etc/passwd",
    ]
    for name in names:
        response = huamei.get(huamei_books.page("document/"), query_string={"filename": name})
        assert response.status_code == 404, (name, response.status_code)
        assert NORTHWIND_DOC_SECRET not in response.get_data()


def test_own_documents_are_served_sandboxed(huamei: Client, huamei_books: Books) -> None:
    listed = huamei.get(huamei_books.page("api/documents")).get_data(as_text=True)
    assert f"/books/{HUAMEI_DOC}" in listed  # the name the client sees, no server path
    response = huamei.get(
        huamei_books.page("document/"), query_string={"filename": f"/books/{HUAMEI_DOC}"}
    )
    assert response.status_code == 200
    assert response.get_data() == b"huamei statement"
    assert response.headers["Content-Security-Policy"].startswith("sandbox")
    assert response.mimetype == "text/plain"
    # A script among the documents: served as itself, the portal's own pages could load it
    # (script-src 'self') through markup in ledger text that Fava shows as HTML.
    script = huamei.get(
        huamei_books.page("document/"), query_string={"filename": f"/books/{HUAMEI_SCRIPT}"}
    )
    assert script.status_code == 200
    assert script.mimetype == "application/octet-stream"
    assert script.headers["Content-Disposition"] == "attachment"
    assert script.headers["X-Content-Type-Options"] == "nosniff"


def test_markup_in_ledger_text_reaches_fava_as_text(app: object) -> None:
    # Fava's journal writes a payee as HTML: a bank export's markup became a live link there.
    for user in (HUAMEI_USER, ANA_USER):
        browser = client_of(app, user)
        books = books_of(browser, "huamei")
        journal = browser.get(books.page("api/journal")).get_data(as_text=True)
        payees = [
            json.loads(f'"{text}"') for text in re.findall(r'"payee":"((?:[^"\\]|\\.)*)"', journal)
        ]
        assert MARKUP_PAYEE.translate(INERT) in payees, (user, payees)
        assert not [payee for payee in payees if "<" in payee or ">" in payee], user


def test_the_firms_custom_entries_stay_with_the_firm(app: object) -> None:
    # A note a preparer wrote as `custom` reached the client's api/journal (Fava's journal
    # only hides custom entries); the client's own settings and reconciliation dates do not.
    staff = client_of(app, ANA_USER)
    assert STAFF_NOTE in staff.get(books_of(staff, "huamei").page("api/journal")).get_data(
        as_text=True
    )
    owner = client_of(app, HUAMEI_USER)
    journal = owner.get(books_of(owner, "huamei").page("api/journal")).get_data(as_text=True)
    assert STAFF_NOTE not in journal
    assert "staff-note" not in journal


def test_own_pages_never_link_to_another_client(
    portal: Portal, huamei: Client, huamei_books: Books
) -> None:
    for rest in (
        "income_statement/",
        "api/ledger_data",
        "api/journal",
        "api/options",
        "api/errors",
        "api/documents",
        "journal/",
    ):
        body = huamei.get(huamei_books.page(rest)).get_data(as_text=True)
        assert "/c/northwind" not in body
        assert "/c/jinma" not in body
        assert "northwind" not in body.lower()
        assert str(portal.root) not in body, rest
        assert "/.venv/" not in body, rest
        assert "site-packages" not in body, rest


def test_language_follows_the_registry(
    app: object, huamei: Client, huamei_books: Books, northwind_books: Books
) -> None:
    chinese = huamei.get(huamei_books.page("income_statement/")).get_data(as_text=True)
    income_statement = json.dumps("损益表")[1:-1]  # as Fava's translations JSON writes it
    assert income_statement in chinese
    northwind = client_of(app, NORTHWIND_USER)
    english = northwind.get(northwind_books.page("income_statement/")).get_data(as_text=True)
    assert income_statement not in english


# -- paths --------------------------------------------------------------------------------


PATH_TRICKS = (
    "/c/huamei/../northwind/",
    "/c/huamei/%2e%2e/northwind/",
    "/c/huamei/..%2fnorthwind/",
    "/c/huamei/%2E%2E%2Fnorthwind%2F",
    "/c/huamei//northwind/",
    "/c/huamei/%252e%252e/northwind/",
    "/c/huamei/%252e%252e%252fnorthwind/",
    "/c/huamei/static/..%2f..%2fapplication.py",
    "/c/huamei/static/%2e%2e/%2e%2e/application.py",
    "/c/huamei/./static/app.js",
    "/c/huamei/static//app.js",
    "/c/huamei/static/app.js%00.png",
    "/c/huamei\\..\\northwind/",
    "/c/%68uamei/../northwind/",
    "/c//northwind/",
    "/c/./northwind/",
    "/c/northwind%2f",
)


@pytest.mark.parametrize("path", PATH_TRICKS)
def test_path_tricks_do_not_leave_the_prefix(
    huamei: Client, huamei_books: Books, path: str
) -> None:
    assert huamei_books.base
    response = huamei.get(path)
    assert response.status_code in {302, 404}, (path, response.status_code)
    if response.status_code == 302:  # only the canonical /c/<own id>/ redirect
        assert response.headers["Location"] == "/c/huamei/", path
    body = response.get_data()
    assert NORTHWIND_SECRET.encode() not in body
    assert b"Northwind" not in body


def test_refused_source_and_code_routes(huamei: Client, huamei_books: Books) -> None:
    for rest in (
        "editor/",
        "import/",
        "query/",
        "api/source",
        "api/source_slice?entry_hash=x",
        "api/context?entry_hash=x",
        "api/extract?filename=x&importer=y",
        "api/query?query_string=select+filename",
        "api/imports",
        "api/payee_accounts?payee=x",
        "download-journal/",
        "download-query/query_result.csv?query_string=x",
        "statement/?entry_hash=x",
        "extension/x/",
        "extension_js_module/x.js",
        "api/%73ource",
    ):
        response = huamei.get(huamei_books.page(rest))
        assert response.status_code == 404, (rest, response.status_code)
    assert huamei.get("/c/huamei/jump?x=1").status_code == 404
    assert huamei.get("/jump").status_code == 404


def test_only_our_extensions_reach_the_worker(
    portal: Portal, huamei: Client, huamei_books: Books
) -> None:
    """beanfirm's two extensions are forwarded (a new client's ledger turns both on; the worker
    answers 404 for an endpoint or script they do not have), every other extension name is
    refused by the gateway itself."""
    slug = huamei_books.base.rsplit("/", 1)[1]
    for name in sorted(EXTENSIONS):
        assert huamei.get(huamei_books.page(f"extension/{name}/")).status_code == 200, name
    forwarded = [f"extension/{name}/report" for name in sorted(EXTENSIONS)] + [
        f"extension_js_module/{name}.js" for name in sorted(EXTENSIONS)
    ]
    refused = [
        "extension/FavaSourceEditor/",
        "extension/reconciliation/",
        "extension/Other/report",
        "extension_js_module/Other.js",
        "extension/Reconciliation/../Other/",
        "extension/Reconciliation/a/b",
    ]
    for rest in forwarded + refused:
        assert huamei.get(huamei_books.page(rest)).status_code == 404, rest
    for method in ("POST", "PUT", "DELETE"):
        response = huamei.open(huamei_books.page(forwarded[0]), method=method)
        assert response.status_code == 405, method
    events = recent(portal.store, email=HUAMEI_USER, limit=1000)
    viewed = {e.path for e in events if e.event == "view"}
    refusals = {e.path for e in events if e.event == "refused" and e.status == 404}
    for rest in forwarded:
        path = unquote(f"/c/huamei/{slug}/{rest}")
        if "extension_js_module" not in rest:  # script files, like static ones, are not logged
            assert path in viewed, path
        assert path not in refusals, path
    for rest in refused:
        path = unquote(f"/c/huamei/{slug}/{rest}")
        assert path in refusals or rest.endswith("../Other/"), path
        assert path not in viewed, path


# -- anonymous ----------------------------------------------------------------------------


def test_anonymous_access_to_everything_is_refused(app: object, huamei_books: Books) -> None:
    anonymous = Client(app)  # type: ignore[arg-type]
    for url in (
        "/",
        "/c/huamei/",
        huamei_books.page("income_statement/"),
        huamei_books.page("api/journal"),
        "/c/huamei/static/app.js",
        "/c/northwind/",
        "/anything",
        "/logout",
    ):
        response = anonymous.get(url)
        if "/api/" in url:  # Fava's page asking: an error its page shows, not the login form
            assert response.status_code == 401, url
        else:
            assert response.status_code == 302, url
            assert response.headers["Location"].startswith("/login"), url
        for method in ("POST", "PUT", "DELETE", "PATCH"):
            refused = anonymous.open(url, method=method)
            if url == "/logout" and method == "POST":  # nothing to end: back to the login
                assert refused.headers["Location"] == "/login"
                continue
            assert refused.status_code in {401, 405}, (url, method)
        assert HUAMEI_SECRET not in response.get_data(as_text=True)


# -- login --------------------------------------------------------------------------------


def test_login_without_csrf_token_is_refused(app: object) -> None:
    browser = Client(app)  # type: ignore[arg-type]
    response = browser.post("/login", data={"email": HUAMEI_USER, "password": PASSWORD})
    assert response.status_code == 400
    assert session_cookie(browser) is None
    browser.get("/login")
    forged = browser.post(
        "/login", data={"csrf": "guess", "email": HUAMEI_USER, "password": PASSWORD}
    )
    assert forged.status_code == 400
    assert session_cookie(browser) is None
    form = browser.get("/login").get_data(as_text=True)
    cross_site = browser.post(
        "/login",
        data={"csrf": csrf_of(form), "email": HUAMEI_USER, "password": PASSWORD},
        headers={"Origin": "https://evil.example"},
    )
    assert cross_site.status_code == 400
    assert session_cookie(browser) is None
    # A token that is not ASCII: hmac.compare_digest raised TypeError, a 500
    not_ascii = browser.post(
        "/login", data={"csrf": "é", "email": HUAMEI_USER, "password": PASSWORD}
    )
    assert not_ascii.status_code == 400
    assert session_cookie(browser) is None


def test_brute_force_locks_the_account(app: object, portal: Portal) -> None:

    browser = Client(app)  # type: ignore[arg-type]
    for _ in range(LOCKOUT_AFTER):
        assert login(browser, BO_USER, "wrong password!").status_code == 401
    locked = login(browser, BO_USER, PASSWORD)
    assert locked.status_code == 429
    assert session_cookie(browser) is None
    assert "Too many failed logins" in locked.get_data(as_text=True)
    events = [e.event for e in recent(portal.store, email=BO_USER)]
    assert events.count("login-failed") == LOCKOUT_AFTER
    assert "login-locked" in events


def test_session_fixation_and_rotation(app: object) -> None:
    browser = Client(app)  # type: ignore[arg-type]
    browser.set_cookie("beanfirm_session", "planted-by-attacker")
    assert login(browser, NORTHWIND_USER).status_code == 303
    first = session_cookie(browser)
    assert first
    assert first != "planted-by-attacker"
    assert login(browser, NORTHWIND_USER).status_code == 303
    second = session_cookie(browser)
    assert second
    assert second != first
    stale = Client(app)  # type: ignore[arg-type]
    stale.set_cookie("beanfirm_session", first)
    assert stale.get("/").status_code == 302
    stale.set_cookie("beanfirm_session", "planted-by-attacker")
    assert stale.get("/").status_code == 302


def test_logout_ends_the_session_on_the_server(app: object) -> None:
    browser = client_of(app, NORTHWIND_USER)
    token = session_cookie(browser)
    landing = browser.get("/")
    assert landing.status_code == 200
    assert browser.post("/logout", data={"csrf": "wrong"}).status_code == 400
    assert browser.post("/logout", data={"csrf": "é"}).status_code == 400  # was a 500
    csrf = csrf_of(landing.get_data(as_text=True))
    for origin in ("https://evil.example", "null"):  # were accepted: the session ended
        foreign = browser.post("/logout", data={"csrf": csrf}, headers={"Origin": origin})
        assert foreign.status_code == 400, origin
    assert browser.get("/").status_code == 200
    response = browser.post("/logout", data={"csrf": csrf})
    assert response.status_code == 303
    replay = Client(app)  # type: ignore[arg-type]
    replay.set_cookie("beanfirm_session", token or "")
    assert replay.get("/").status_code == 302


def test_sessions_expire(portal: Portal) -> None:

    token = start_session(portal.store, HUAMEI_USER)
    assert find_session(portal.store, token, SessionPolicy()) is not None
    assert find_session(portal.store, token, SessionPolicy(idle=-1.0)) is None
    assert find_session(portal.store, token, SessionPolicy()) is None  # deleted on expiry


def test_login_redirect_stays_on_the_portal(app: object) -> None:
    browser = Client(app)  # type: ignore[arg-type]
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        response = login(browser, NORTHWIND_USER, next=target)
        assert response.headers["Location"] == "/", target


@pytest.mark.parametrize(
    "target", ["/c/x\r\nSet-Cookie: planted=1", "/c/x\nX: y", "/c/\x00", "/c/\u2028x"]
)
def test_a_login_redirect_with_a_control_character_goes_home(app: object, target: str) -> None:
    browser = Client(app)  # type: ignore[arg-type]
    form = browser.get("/login", query_string={"next": target})
    assert form.status_code == 200
    response = login(browser, NORTHWIND_USER, next=target)
    assert response.status_code == 303
    assert response.headers["Location"] == "/"
    assert "planted" not in str(response.headers)
    assert browser.get("/").status_code == 200  # the one session this login made works


def test_cookies_and_security_headers(app: object, huamei: Client, huamei_books: Books) -> None:
    browser = Client(app)  # type: ignore[arg-type]
    form = browser.get("/login")
    response = login(browser, HUAMEI_USER)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    page = huamei.get(huamei_books.page("income_statement/"))
    for response in (form, page):
        csp = response.headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in csp
        assert "script-src 'self'" in csp
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "same-origin"
        assert response.headers["Cache-Control"] == "no-store"
        assert "Set-Cookie" not in page.headers


def test_secure_cookies_over_tls(portal: Portal) -> None:
    browser = Client(make_app(portal))
    form = browser.get("/login", base_url="https://portal.example")
    response = browser.post(
        "/login",
        base_url="https://portal.example",
        data={
            "csrf": csrf_of(form.get_data(as_text=True)),
            "email": NORTHWIND_USER,
            "password": PASSWORD,
        },
    )
    assert "Secure" in response.headers["Set-Cookie"]
    assert "Strict-Transport-Security" in response.headers


# -- staff --------------------------------------------------------------------------------


def test_staff_dashboard_lists_their_clients(app: object) -> None:
    partner = client_of(app, ANA_USER).get("/").get_data(as_text=True)
    assert all(f"/c/{cid}/" in partner for cid in ("huamei", "northwind", "jinma"))
    filtered = client_of(app, ANA_USER).get("/?industry=retail").get_data(as_text=True)
    assert "/c/huamei/" in filtered
    assert "/c/northwind/" not in filtered
    reviewer = client_of(app, "cy@firm.example").get("/").get_data(as_text=True)
    assert "/c/jinma/" in reviewer
    assert "/c/huamei/" not in reviewer
    cy = client_of(app, "cy@firm.example")
    assert cy.get("/c/huamei/").status_code == 404


def test_audit_log_records_logins_and_views(
    portal: Portal, huamei: Client, huamei_books: Books
) -> None:
    huamei.get(huamei_books.page("balance_sheet/"))
    assert huamei.get("/c/northwind/").status_code == 404  # its own refusal: tests run in any order
    events = recent(portal.store, email=HUAMEI_USER, limit=1000)
    assert any(e.event == "login" for e in events)
    assert any(e.event == "view" and (e.path or "").endswith("balance_sheet/") for e in events)
    assert any(e.event == "refused" and e.path == "/c/northwind/" for e in events)


def test_every_page_view_is_recorded_even_when_kept(
    portal: Portal, huamei: Client, huamei_books: Books
) -> None:
    """The gateway answers a repeated report from its kept pages: still one line per view."""
    url = huamei_books.page("trial_balance/")
    path = unquote(url)  # the log holds the path as the client meant it
    before = [
        e
        for e in recent(portal.store, email=HUAMEI_USER, limit=10_000)
        if e.event == "view" and e.path == path
    ]
    for _ in range(3):
        assert huamei.get(url).status_code == 200
    after = [
        e
        for e in recent(portal.store, email=HUAMEI_USER, limit=10_000)
        if e.event == "view" and e.path == path
    ]
    assert len(after) == len(before) + 3
    assert all(e.status == 200 and e.client_id == "huamei" for e in after)


def test_worker_sockets_are_private(portal: Portal, huamei_books: Books) -> None:
    assert huamei_books.base
    assert portal.pool.socket_dir.stat().st_mode & 0o777 == 0o700
    sock = portal.pool.socket_dir / f"{_snapshot_key(portal, 'huamei')}.sock"
    assert sock.stat().st_mode & 0o077 == 0


def test_worker_cap_and_restart(portal: Portal, app: object) -> None:
    """With a cap of two, a third client's worker takes the least recently used seat."""
    staff = client_of(app, ANA_USER)
    for client_id in ("huamei", "northwind", "jinma", "huamei"):
        books = books_of(staff, client_id)
        assert staff.get(books.page("income_statement/")).status_code == 200
        assert len(portal.pool.running()) <= 2
    assert "huamei" in portal.pool.running()
