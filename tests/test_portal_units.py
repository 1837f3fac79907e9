"""The portal's parts on their own: the route allow-list (beanfirm's Fava extensions, the
documents route), the page cache's epochs, kept connections to a worker, the audit queue."""

from __future__ import annotations

import http.server
import json
import socketserver
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

from beanfirm.portal.audit import recent, record
from beanfirm.portal.pagecache import ENTRY_OVERHEAD, PageCache
from beanfirm.portal.routes import EXTENSIONS, RouteKind, match_route
from beanfirm.portal.scrub import Scrubber
from beanfirm.portal.store import PortalStore
from beanfirm.portal.upstream import Load, Reply, Upstream

# -- beanfirm's Fava extensions -----------------------------------------------------------

EXTENSION_ROUTES = (
    "/books/extension/{name}/",
    "/books/extension/{name}/report",
    "/books/extension/{name}/saved-report_2",
    "/books/extension_js_module/{name}.js",
)


def test_our_extensions_are_exactly_the_four() -> None:
    assert frozenset({"Reconciliation", "CustomerAccounts", "Financials", "Visits"}) == EXTENSIONS


@pytest.mark.parametrize("name", sorted(EXTENSIONS))
@pytest.mark.parametrize("route", EXTENSION_ROUTES)
def test_our_extensions_are_forwarded(route: str, name: str) -> None:
    found = match_route(route.format(name=name))
    assert found is not None
    assert found.kind.startswith("extension")


@pytest.mark.parametrize(
    "name",
    [
        "FavaSourceEditor",
        "reconciliation",
        "RECONCILIATION",
        "Reconciliations",
        "XReconciliation",
        "Customer",
        "customeraccounts",
        "Reconciliation.js",
        "Reconciliation%2e",
        "",
        "x",
    ],
)
@pytest.mark.parametrize("route", EXTENSION_ROUTES)
def test_other_extensions_are_refused(route: str, name: str) -> None:
    assert match_route(route.format(name=name)) is None


@pytest.mark.parametrize(
    "path",
    [
        "/books/extension/Reconciliation/../x",
        "/books/extension/Reconciliation/a/b",
        "/books/extension/Reconciliation/./",
        "/books/extension/Reconciliation//",
        "/books/extension/Reconciliation",
        "/books/extension//Reconciliation/",
        "/books/extension/Reconciliation/%2e%2e",
        "/books/extension/Reconciliation/a.b",
        "/books/extension/Reconciliation/a\\b",
        "/books/extension_js_module/Reconciliation.js/x",
        "/books/extension_js_module/Reconciliation",
        "/books/extension_js_module/../static/app.js",
        "/books/extension/CustomerAccounts/\x00",
    ],
)
def test_extension_path_tricks_are_refused(path: str) -> None:
    assert match_route(path) is None


# -- documents ----------------------------------------------------------------------------


def test_document_names_map_inside_the_documents_folder_only(tmp_path: Path) -> None:
    client = tmp_path / "practice" / "ledgers" / "huamei"
    other = tmp_path / "practice" / "ledgers" / "northwind"
    (client / "documents" / "Assets" / "Bank").mkdir(parents=True)
    (other / "documents").mkdir(parents=True)
    report = client / "documents" / "Assets" / "Bank" / "2025-01-31.reconciliation.pdf"
    report.write_bytes(b"%PDF")
    secret = other / "documents" / "2025-01-31.statement.pdf"
    secret.write_bytes(b"%PDF")
    (client / "documents" / "Assets" / "Bank" / "2025-02-28.link.pdf").symlink_to(secret)
    (client / "documents" / "Assets" / "Up").symlink_to(other / "documents")
    (client / "main.beancount").write_text("", encoding="utf-8")
    scrubber = Scrubber(client, tmp_path / "practice")
    visible = "/books/documents/Assets/Bank/2025-01-31.reconciliation.pdf"
    assert scrubber.document_path(visible) == str(report.resolve())
    for name in (
        str(report),  # a real path: the client never sees one, so never accepts one
        str(secret),
        "/books/documents/../main.beancount",
        "/books/documents/../../northwind/documents/2025-01-31.statement.pdf",
        "/books/documents/Assets/Bank/2025-02-28.link.pdf",  # a symlink out
        "/books/documents/Assets/Up/2025-01-31.statement.pdf",  # through a symlinked folder
        "/books/main.beancount",
        "/books/documents",
        "/practice/ledgers/northwind/documents/2025-01-31.statement.pdf",
        "/etc/passwd",
        "../documents/Assets/Bank/2025-01-31.reconciliation.pdf",
        "documents/Assets/Bank/2025-01-31.reconciliation.pdf",
    ):
        assert scrubber.document_path(name) is None, name


def test_server_paths_are_scrubbed_in_every_form(tmp_path: Path) -> None:
    practice = tmp_path / "事务所 practice"
    client = practice / "ledgers" / "huamei"
    client.mkdir(parents=True)
    scrubber = Scrubber(client, practice)
    real = str(client.resolve())
    body = "\n".join(
        [
            f'<a href="{real}/documents/x.pdf">',  # plain, and a folder inside the practice
            json.dumps({"filename": f"{real}/main.beancount"}),  # JSON, non-ASCII escaped
            json.dumps({"filename": f"{real}/main.beancount"}, ensure_ascii=False),
            f"document/?filename={quote(real + '/documents/x.pdf', safe='')}",
            f"{practice.resolve()}/clients.yaml",
            f"{practice.resolve()}2/not-the-practice",  # a longer name: still the practice's prefix
            "/bookshelf /practiced",
        ]
    ).encode()
    scrubbed = scrubber.scrub(body).decode()
    assert str(tmp_path) not in scrubbed
    assert quote(str(tmp_path), safe="") not in scrubbed
    assert json.dumps(str(tmp_path))[1:-1] not in scrubbed
    assert '<a href="/books/documents/x.pdf">' in scrubbed
    assert '{"filename": "/books/main.beancount"}' in scrubbed
    assert f"document/?filename={quote('/books/documents/x.pdf', safe='')}" in scrubbed
    assert "/practice/clients.yaml" in scrubbed
    assert "/bookshelf /practiced" in scrubbed


# -- the page cache -----------------------------------------------------------------------


WORKER = 4242  # a worker's process id, as the pool announces it
FIRST = Load(WORKER, 1)


def _reply(body: bytes = b"<html>page</html>", status: int = 200, load: Load = FIRST) -> Reply:
    return Reply(status, [("Content-Type", "text/html")], body, load)


def _cache(max_bytes: int = 1 << 20) -> PageCache:
    cache = PageCache(max_bytes)
    cache.news("huamei", FIRST)  # the pool: huamei's worker started
    return cache


def test_page_cache_keeps_reports_per_client_and_request() -> None:
    cache = _cache()
    headers = {"Host": "localhost", "Accept-Language": "zh"}
    key = cache.key("huamei", "report", "/c/huamei/b/income_statement/", headers)
    assert key is not None
    assert cache.get(key) is None
    cache.put(key, _reply())
    assert cache.get(key) == _reply()
    same = cache.key("huamei", "report", "/c/huamei/b/income_statement/", dict(headers))
    assert same is not None
    assert cache.get(same) == _reply()
    for other in (
        cache.key("northwind", "report", "/c/huamei/b/income_statement/", headers),
        cache.key("huamei", "report", "/c/huamei/b/income_statement/?time=2025", headers),
        cache.key(
            "huamei",
            "report",
            "/c/huamei/b/income_statement/",
            {**headers, "Accept-Language": "en"},
        ),
    ):
        assert other is not None
        assert cache.get(other) is None


@pytest.mark.parametrize(
    ("kind", "target", "extra"),
    [
        ("document", "/c/huamei/b/document/?filename=x", {}),
        ("static", "/c/huamei/static/app.js", {}),
        ("extension", "/c/huamei/b/extension/Reconciliation/", {}),
        ("extension_js", "/c/huamei/b/extension_js_module/Reconciliation.js", {}),
        ("api", "/c/huamei/b/api/changed", {}),
        ("report", "/c/huamei/b/journal/", {"If-None-Match": '"x"'}),
        ("report", "/c/huamei/b/journal/", {"If-Modified-Since": "Mon, 01 Jan 2024"}),
    ],
)
def test_page_cache_never_keeps_some_requests(
    kind: RouteKind, target: str, extra: dict[str, str]
) -> None:
    assert _cache().key("huamei", kind, target, {"Host": "localhost", **extra}) is None


def test_page_cache_drops_a_page_of_an_old_load() -> None:
    """A page asked for before a reload and answered after it is not kept."""
    cache = _cache()
    target = "/c/huamei/b/api/journal"
    before = cache.key("huamei", "api", target, {})
    assert before is not None
    cache.put(before, _reply(b"old"))
    assert cache.get(before) == _reply(b"old")
    asked = cache.key("huamei", "api", "/c/huamei/b/api/balance_sheet", {})
    assert asked is not None
    cache.news("huamei", Load(WORKER, 2))  # the worker says on its pipe: load 2 is served
    assert cache.get(before) is None
    cache.put(asked, _reply(b"rendered from load 1"))
    assert cache.get(asked) is None
    late = cache.key("huamei", "api", "/c/huamei/b/api/balance_sheet", {})
    assert late is not None
    cache.put(late, _reply(b"asked after, but answered by load 1"))  # as a request in flight
    assert cache.get(late) is None
    assert len(cache) == 0
    renewed = cache.renewable("huamei")  # to ask for again, in the new epoch
    assert [key.target for key in renewed] == [target]
    assert renewed[0] != before
    assert cache.renewable("huamei") == []  # once
    cache.put(renewed[0], _reply(b"new", load=Load(WORKER, 2)))
    assert cache.get(renewed[0]) == _reply(b"new", load=Load(WORKER, 2))
    cache.news("huamei", Load(WORKER, 2))  # known already: nothing changes
    cache.news("northwind", Load(7, 5))  # another client's news changes nothing here
    assert cache.get(renewed[0]) == _reply(b"new", load=Load(WORKER, 2))


def test_an_answer_from_a_newer_load_drops_the_old_pages_first() -> None:
    """Fava's change poll always reaches the worker: when it shows the browser a new load,
    the pages of the old one are gone before the browser asks for them again."""
    cache = _cache()
    report = cache.key("huamei", "api", "/c/huamei/b/api/income_statement", {})
    assert report is not None
    cache.put(report, _reply(b"old report"))
    assert cache.key("huamei", "api", "/c/huamei/b/api/changed", {}) is None  # never kept
    cache.seen("huamei", Load(WORKER, 2))  # what forward.py does with that answer
    again = cache.key("huamei", "api", "/c/huamei/b/api/income_statement", {})
    assert again is not None
    assert cache.get(again) is None
    cache.news("huamei", Load(WORKER, 2))  # the pipe's news, later: already known
    cache.put(again, _reply(b"new report", load=Load(WORKER, 2)))
    assert cache.get(again) == _reply(b"new report", load=Load(WORKER, 2))


def test_pages_of_a_stopped_worker_are_gone_and_its_late_answers_not_kept() -> None:
    cache = _cache()
    key = cache.key("huamei", "report", "/c/huamei/b/journal/", {})
    assert key is not None
    cache.put(key, _reply())
    assert cache.get(key) == _reply()
    cache.news("huamei", None)  # stopped
    assert cache.get(key) is None
    started = Load(WORKER + 1, 1)
    cache.news("huamei", started)  # a new worker
    fresh = cache.key("huamei", "report", "/c/huamei/b/journal/", {})
    assert fresh is not None
    cache.seen("huamei", Load(WORKER, 9))  # a late answer of the old worker: ignored
    cache.put(fresh, _reply(b"late, from the old worker", load=Load(WORKER, 9)))
    assert cache.get(fresh) is None
    cache.put(fresh, _reply(load=started))
    assert cache.get(fresh) == _reply(load=started)


def test_page_cache_keeps_only_whole_good_answers_within_its_budget() -> None:
    # A page of 1000 bytes costs 1000, ENTRY_OVERHEAD and under 64 for its address and headers.
    cache = _cache(8 * (1000 + ENTRY_OVERHEAD + 64))
    keys = [cache.key("huamei", "api", f"/c/huamei/b/api/journal?n={n}", {}) for n in range(5)]
    assert all(keys)
    errors = cache.key("huamei", "api", "/c/huamei/b/api/errors", {})
    assert errors is not None
    cache.put(errors, _reply(b"x", status=404))
    assert cache.get(errors) is None
    big = cache.key("huamei", "api", "/c/huamei/b/api/big", {})
    assert big is not None
    cache.put(big, _reply(b"x" * 1100))  # more than an eighth of the budget
    assert cache.get(big) is None
    for key in keys:
        assert key is not None
        cache.put(key, _reply(b"y" * 1000))
    assert len(cache) == 5
    for n in range(5, 12):
        more = cache.key("huamei", "api", f"/c/huamei/b/api/journal?n={n}", {})
        assert more is not None
        cache.put(more, _reply(b"y" * 1000))
    assert len(cache) == 8
    assert keys[0] is not None
    assert cache.get(keys[0]) is None  # the least recently used went first


def test_page_cache_counts_the_addresses_of_tiny_pages() -> None:
    budget = 1 << 20
    cache = _cache(budget)
    for n in range(10_000):
        key = cache.key("huamei", "api", f"/c/huamei/b/api/errors?time={n:0>2000}", {})
        assert key is not None
        cache.put(key, _reply(b"[]"))
    # Each costs its 2-byte body, its 2,000-odd-byte address, its headers and the overhead:
    # a few hundred fit the budget, not all 10,000 as when only bodies were counted.
    assert budget // (ENTRY_OVERHEAD + 2100) <= len(cache) <= budget // (ENTRY_OVERHEAD + 2000)


# -- kept connections to a worker ---------------------------------------------------------


class _Handler(http.server.BaseHTTPRequestHandler):
    """One connection (numbered in order); notes the requests it answers."""

    protocol_version = "HTTP/1.1"
    served: list[tuple[int, str]] = []  # noqa: RUF012 - one list per test, reset by the fixture
    connections = 0

    def setup(self) -> None:
        super().setup()
        _Handler.connections += 1
        self.number = _Handler.connections

    def do_GET(self) -> None:
        _Handler.served.append((self.number, self.path))
        body = self.path.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Set-Cookie", "never=passed")
        self.end_headers()
        self.wfile.write(body)
        if self.path.endswith("drop"):
            # As a worker's server does after its keep-alive timeout: closes, unannounced.
            self.close_connection = True

    def log_message(self, *_args: object) -> None:
        return


class _UnixServer(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True


@pytest.fixture
def worker_socket(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "w.sock"
    _Handler.served = []
    server = _UnixServer(str(path), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield path
    server.shutdown()
    server.server_close()


def test_connections_to_a_worker_are_kept_and_renewed(worker_socket: Path) -> None:
    upstream = Upstream(worker_socket, timeout=10)
    first = upstream.fetch("/one", {"Host": "localhost"})
    second = upstream.fetch("/two", {"Host": "localhost"})
    assert (first.body, second.body) == (b"/one", b"/two")
    assert first.headers == [("Content-Type", "text/plain")]  # Set-Cookie never passes
    assert _Handler.served[0][0] == _Handler.served[1][0]  # one connection, kept
    upstream.fetch("/three-drop", {"Host": "localhost"})  # the worker closes it after this
    fourth = upstream.fetch("/four", {"Host": "localhost"})  # a dead kept one: a new one
    assert fourth.body == b"/four"
    assert [path for _, path in _Handler.served] == ["/one", "/two", "/three-drop", "/four"]
    assert _Handler.served[3][0] != _Handler.served[2][0]
    upstream.close()


def test_a_worker_that_is_gone_is_an_error_not_a_retry_loop(tmp_path: Path) -> None:
    upstream = Upstream(tmp_path / "nobody.sock", timeout=5)
    with pytest.raises(OSError, match="No such file"):
        upstream.fetch("/x", {})


# -- the audit queue ----------------------------------------------------------------------


def test_audit_lines_are_written_off_the_request_path_and_all_kept(tmp_path: Path) -> None:
    store = PortalStore.in_folder(tmp_path)
    for n in range(200):
        record(
            store,
            "view",
            email="a@b.example",
            client_id="huamei",
            path=f"/c/huamei/{n}",
            status=200,
            address="127.0.0.1",
        )
    events = recent(store, limit=1000)  # waits for the queue
    assert [e.path for e in events] == [f"/c/huamei/{n}" for n in range(200)]
    record(store, "logout", email="a@b.example")
    store.close()  # what is queued is written before the store closes
    reopened = PortalStore.in_folder(tmp_path)
    assert [e.event for e in recent(reopened, limit=1)] == ["logout"]
    assert len(recent(reopened, limit=1000)) == 201
