"""One client's Fava: a separate process serving one ledger, read-only, on a unix socket.

Started by the gateway's worker pool (`python -m beanfirm.portal.worker ...`), never by a
user. Why a process per client: Fava caches generated URLs module-wide, so two Fava apps in
one process can link to each other's pages; a process also keeps each ledger's memory apart
and lets an idle client's worker be stopped.

- Beancount's pickle cache is off (`BEANCOUNT_DISABLE_LOAD_CACHE`, set before Beancount is
  imported); Fava's own loader is uncached too. No pickle in a client folder is ever read.
- Fava runs with `read_only=True`: a second layer behind the gateway's GET/HEAD rule.
- Fava is mounted under the client's prefix (`/c/<client-id>`), its own prefix mechanism,
  so every URL it generates stays inside the client's part of the portal.
- Each request first checks that every file the ledger includes and every documents folder
  lies inside the client's folder; a ledger that reaches outside is not served.
- A thread looks for changed files every few seconds and reloads in the background, so the
  first client after a commit does not wait for the reload.
- The worker exits when the gateway that started it is gone.
"""

from __future__ import annotations

import argparse
import os
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from beancount import loader
from cheroot.wsgi import Server
from fava.application import create_app
from fava.core import FavaLedger
from flask import abort
from flask import g as flask_g
from werkzeug.middleware.dispatcher import DispatcherMiddleware

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from flask import Flask

    StartResponse = Callable[..., Any]
    WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]

DISABLE_CACHE_ENV = "BEANCOUNT_DISABLE_LOAD_CACHE"


def _not_found(_environ: dict[str, Any], start_response: StartResponse) -> list[bytes]:
    start_response("404 Not Found", [("Content-Type", "text/plain")])
    return [b"Not Found"]


def _inside(path: str, root: Path) -> bool:
    return Path(path).resolve().is_relative_to(root)


def confine(app: Flask, root: Path) -> None:
    """Refuse to serve while the ledger reads files outside `root`."""
    verdicts: dict[int, bool] = {}  # by the identity of the options of each load

    @app.before_request
    def _confined() -> None:
        ledger = getattr(flask_g, "ledger", None)
        if ledger is None:
            return
        options = ledger.options
        if id(options) not in verdicts:
            ledger_dir = Path(ledger.beancount_file_path).parent
            files = [*options["include"]]
            folders = [str(ledger_dir / d) for d in options["documents"]]
            verdicts.clear()
            verdicts[id(options)] = all(_inside(f, root) for f in (*files, *folders))
        if not verdicts[id(options)]:
            abort(503)


def serialize_reloads() -> None:
    """Let one thread at a time check for changes and reload (requests and the poller)."""
    lock = threading.Lock()
    unlocked = FavaLedger.changed

    def changed(self: FavaLedger) -> bool:
        with lock:
            return bool(unlocked(self))

    FavaLedger.changed = changed  # type: ignore[method-assign]


def _background_reload(app: Flask, poll_seconds: float) -> None:
    ledgers = app.config["LEDGERS"].ledgers
    while True:
        time.sleep(poll_seconds)
        for ledger in ledgers:
            ledger.changed()


def _exit_with_parent(parent: int) -> None:
    while True:
        if os.getppid() != parent:
            os._exit(0)
        time.sleep(1.0)


def build_app(ledger: Path, prefix: str) -> tuple[Flask, WSGIApp]:
    """Load the ledger and return Fava's app and the WSGI app mounted under the prefix."""
    # Beancount reads the variable (which the pool sets) at import; this makes sure anyway.
    os.environ[DISABLE_CACHE_ENV] = "1"
    loader.initialize(use_cache=False)
    serialize_reloads()
    app = create_app([str(ledger)], read_only=True, load=True)
    confine(app, ledger.parent.resolve())
    mounted = DispatcherMiddleware(_not_found, {prefix: app.wsgi_app})
    return app, mounted


def main(argv: list[str] | None = None) -> None:
    """Serve one ledger on a unix socket until killed."""
    parser = argparse.ArgumentParser(prog="beanfirm-portal-worker")
    parser.add_argument("--ledger", type=Path, required=True)
    parser.add_argument("--socket", type=Path, required=True)
    parser.add_argument("--prefix", required=True)
    parser.add_argument("--parent", type=int, required=True)
    parser.add_argument("--poll", type=float, default=2.0)
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args(argv)
    app, mounted = build_app(args.ledger, args.prefix)
    threading.Thread(target=_exit_with_parent, args=(args.parent,), daemon=True).start()
    threading.Thread(target=_background_reload, args=(app, args.poll), daemon=True).start()
    server = Server(str(args.socket), mounted, numthreads=args.threads)
    server.prepare()
    os.chmod(args.socket, 0o600)
    server.serve()


if __name__ == "__main__":
    main()
