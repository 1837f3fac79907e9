"""One client's Fava: a separate process serving one ledger, read-only, on a unix socket.

Started by the gateway's worker pool (`python -m beanfirm.portal.worker ...`), never by a
user. Why a process per client: Fava caches generated URLs module-wide, so two Fava apps in
one process can link to each other's pages; a process also keeps each ledger's memory apart
and lets an idle client's worker be stopped.

- Beancount's pickle cache is off (`BEANCOUNT_DISABLE_LOAD_CACHE`, set before Beancount is
  imported); Fava's own loader is uncached too. No pickle in a client folder is ever read.
- Fava's import config (a Python file Fava runs at load) is never run (books.py).
- Fava runs with `read_only=True`: a second layer behind the gateway's GET/HEAD rule.
- Fava is mounted under the client's prefix (`/c/<client-id>`), its own prefix mechanism,
  so every URL it generates stays inside the client's part of the portal.
- A ledger that reads a file outside the client's folder is not served (books.py).
- A thread looks for changed files every few seconds and reloads in the background; requests
  never reload, so no client waits for a reload (books.py).
- Fava's filters run their regular expressions on RE2, in linear time, and match file names
  as the client sees them (filters.py).
- Every text answer (HTML, JSON, plain text, CSV) is scrubbed of server paths before it
  leaves the worker (scrub.py).
- A worker of an approved snapshot (`--no-writes`) forbids itself every write to the
  filesystem with Landlock once its socket is bound (nowrites.py), so not even a worker
  running as root could change the books its client reads.
- The worker tells the gateway through a pipe when it listens and after each reload (the
  gateway then drops the pages it kept of the client, pagecache.py), and exits when the
  gateway that started it is gone.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import sys
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from beancount import loader
from cheroot.wsgi import Server
from fava.application import create_app
from werkzeug.middleware.dispatcher import DispatcherMiddleware

from beanfirm.portal import clientview, filters
from beanfirm.portal.books import Books, Loaded, ServedLedger
from beanfirm.portal.nowrites import forbid_writes
from beanfirm.portal.scrub import TEXT_TYPES, Scrubber
from beanfirm.portal.upstream import LOAD_HEADER, Load
from beanfirm.store.registry import REGISTRY_FILENAME, load_registry

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from flask import Flask

    StartResponse = Callable[..., Any]
    WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]

DISABLE_CACHE_ENV = "BEANCOUNT_DISABLE_LOAD_CACHE"
REFUSED = b"The books cannot be shown."


def _not_found(_environ: dict[str, Any], start_response: StartResponse) -> list[bytes]:
    start_response("404 Not Found", [("Content-Type", "text/plain")])
    return [b"Not Found"]


def _exit_with_parent(parent: int) -> None:
    while True:
        if os.getppid() != parent:
            os._exit(0)
        time.sleep(1.0)


class ScrubbedFava:
    """WSGI middleware around Fava: refuse books that reach outside, scrub text answers.

    Every answer says which load of the ledger served it (`X-Beanfirm-Load: <pid>-<number>`,
    read after Fava answered, so never older than the ledger it used): the gateway drops its
    kept pages as soon as it sees a newer load.
    """

    def __init__(
        self, app: WSGIApp, books: Books, scrubber: Scrubber, head_extra: bytes = b""
    ) -> None:
        self.app = app
        self.books = books
        self.scrubber = scrubber
        self.head_extra = head_extra  # inserted before `</head>` of each HTML page

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        """Answer one request."""
        if self.books.current.problem:
            start_response(
                "503 Service Unavailable",
                [
                    ("Content-Type", "text/plain; charset=utf-8"),
                    ("Content-Length", str(len(REFUSED))),
                    (LOAD_HEADER, str(Load(os.getpid(), self.books.current.generation))),
                ],
            )
            return [REFUSED]
        started: list[tuple[str, list[tuple[str, str]]]] = []

        def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            if exc_info is not None and started:
                raise exc_info[1].with_traceback(exc_info[2])
            started[:] = [(status, headers)]
            return lambda _data: None  # the legacy write(): Fava never calls it

        body = self.app(environ, start)
        status, headers = started[0]
        load = (LOAD_HEADER, str(Load(os.getpid(), self.books.current.generation)))
        content_type = next((v for k, v in headers if k.lower() == "content-type"), "")
        if content_type.split(";")[0].strip() not in TEXT_TYPES:
            start_response(status, [*headers, load])  # documents and static files, as they stream
            return body
        try:
            data = self.scrubber.scrub(b"".join(body))
            if self.head_extra and content_type.startswith("text/html"):
                data = data.replace(b"</head>", self.head_extra + b"</head>", 1)
        finally:
            close = getattr(body, "close", None)
            if close is not None:
                close()
        headers = [(k, v) for k, v in headers if k.lower() != "content-length"]
        start_response(status, [*headers, ("Content-Length", str(len(data))), load])
        return [data]


def build_app(
    ledger: Path, prefix: str, practice: Path, *, for_client: bool = False
) -> tuple[Flask, Books, WSGIApp]:
    """Load the ledger; return Fava's app, the books it serves and the WSGI app to serve.

    `for_client`: serve Fava as a client user sees it (clientview.py).
    """
    # Beancount reads the variable (which the pool sets) at import; this makes sure anyway.
    os.environ[DISABLE_CACHE_ENV] = "1"
    loader.initialize(use_cache=False)
    app = create_app([str(ledger)], read_only=True, load=False)
    # The client a worker serves (its prefix is /c/<id>), for beanfirm's Fava pages, which
    # need its record in clients.yaml (beanfirm.fava.practice.CLIENT_CONFIG): a client user's
    # books are a snapshot outside the practice.
    app.config["BEANFIRM_CLIENT"] = (practice, prefix.rsplit("/", 1)[-1])
    adjust = None
    extra = b""
    if for_client:
        registry = load_registry(practice / REGISTRY_FILENAME)
        language = registry.client(prefix.rsplit("/", 1)[-1]).language
        clientview.hide_errors()
        clientview.close_virtually(language)
        extra = clientview.head_extra(registry.firm, language)

        def adjust(served: ServedLedger) -> None:
            clientview.client_options(served, language)

    clientview.inert_markup()  # after close_virtually, which replaces Fava's load
    books = Books(ledger, ledger.parent, adjust=adjust)
    app.config["LEDGERS"] = books
    mounted = DispatcherMiddleware(_not_found, {prefix: app.wsgi_app})
    scrubber = Scrubber(ledger.parent, practice)
    filters.install(scrubber.shown)
    return app, books, ScrubbedFava(mounted, books, scrubber, extra)


def _tell_gateway(fd: int) -> Callable[[Loaded, Loaded], None]:
    """Return a reload listener that writes `reloaded <generation>` to the gateway's pipe."""

    def told(_old: Loaded, new: Loaded) -> None:
        # If the gateway is gone, _exit_with_parent ends the worker anyway.
        with contextlib.suppress(OSError):
            os.write(fd, f"reloaded {new.generation}\n".encode())

    return told


def main(argv: list[str] | None = None) -> None:
    """Serve one ledger on a unix socket until killed."""
    parser = argparse.ArgumentParser(prog="beanfirm-portal-worker")
    parser.add_argument("--ledger", type=Path, required=True)
    parser.add_argument("--practice", type=Path, required=True)
    parser.add_argument("--socket", type=Path, required=True)
    parser.add_argument("--prefix", required=True)
    parser.add_argument("--parent", type=int, required=True)
    parser.add_argument("--notify-fd", type=int)
    parser.add_argument("--poll", type=float, default=2.0)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--no-writes", action="store_true")
    parser.add_argument("--for-client", action="store_true")
    args = parser.parse_args(argv)
    # The worker's own lines (loads, reloads, refusals) go to its log, the gateway's file.
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter(f"%(asctime)s {args.prefix} %(levelname)s %(message)s"))
    ours = logging.getLogger("beanfirm.portal")
    ours.addHandler(handler)
    ours.setLevel(logging.INFO)
    ours.propagate = False
    _, books, wsgi_app = build_app(
        args.ledger, args.prefix, args.practice, for_client=args.for_client
    )
    threading.Thread(target=_exit_with_parent, args=(args.parent,), daemon=True).start()
    server = Server(str(args.socket), wsgi_app, numthreads=args.threads)
    server.prepare()
    os.chmod(args.socket, 0o600)
    if args.no_writes:
        refused = forbid_writes()
        if refused:
            ours.warning("writes are not forbidden (%s): the folder's modes alone", refused)
        else:
            ours.info("every write to the filesystem is forbidden to this worker")
    if args.notify_fd is not None:
        os.write(args.notify_fd, b"ready\n")
        books.on_reload(_tell_gateway(args.notify_fd))
    books.watch(args.poll)
    server.serve()


if __name__ == "__main__":
    main()
