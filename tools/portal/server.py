"""Serve the portal with cheroot, the production WSGI server Fava itself uses.

Why cheroot: it is already installed with Fava, is pure Python, threaded (the gateway spends
its time waiting on workers, so threads suffice; the ledgers' CPU work is in the worker
processes), and serves unix sockets too, which the workers use. gunicorn would add a
pre-fork master that the per-client worker pool would have to live beside; waitress would
add a dependency for the same model.
"""

from __future__ import annotations

import signal
import threading
from typing import TYPE_CHECKING, Any

from cheroot.wsgi import Server

from beanfirm.portal.gateway import make_app
from beanfirm.portal.sessions import purge_expired

if TYPE_CHECKING:
    from collections.abc import Callable

    from beanfirm.portal.site import Portal

# Threads answering browsers; each may wait on a worker, so more than the cores.
THREADS = 32
# Connections the kernel holds for the server while it is busy (cheroot's default is 5).
BACKLOG = 128


def make_server(portal: Portal, host: str, port: int) -> Server:
    """Bind the portal to an address (port 0 picks a free one)."""
    server = Server(
        (host, port),
        make_app(portal),
        numthreads=THREADS,
        server_name="beanfirm",
        request_queue_size=BACKLOG,
    )
    server.prepare()
    return server


def serve(portal: Portal, server: Server, *, on_ready: Callable[[str], None]) -> None:
    """Serve until interrupted or terminated; stop every worker on the way out."""
    host, port = server.bind_addr[:2]
    purge_expired(portal.store, portal.settings.session)
    portal.pool.start_reaper()
    portal.approved.watch(portal.settings.approval_poll)

    def stop(*_args: Any) -> None:
        threading.Thread(target=server.stop, daemon=True).start()

    previous = signal.signal(signal.SIGTERM, stop)
    on_ready(f"http://{host}:{port}/")
    try:
        server.serve()
    except KeyboardInterrupt:
        server.stop()
    finally:
        signal.signal(signal.SIGTERM, previous)
        portal.close()
