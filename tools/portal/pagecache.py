"""Report pages the gateway keeps between two loads of a client's ledger.

Between two reloads a Fava report is a function of its URL: the gateway passes no cookies
and only fixed headers to the worker, and the ledger does not change. So the gateway keeps
the answers of report pages and report API calls, per worker (`books`: the worker's name,
pool.py, so a client's working head and its approved snapshot never share a page), and answers
the same request again without asking the worker (least recently used first out, within a
byte budget).

A page is only kept for the load of the ledger it came from. Every answer of a worker says
which load served it (the worker's process id and its count of loads), and the worker says on
its pipe when it starts and after each reload. The gateway keeps a page only if it came from
the load it knows as current, and only under the epoch read before the page was asked for;
the epoch moves on whenever a newer load becomes known or the worker stops, and the client's
pages are then dropped. So a page of an old load is never stored after the new load is known,
and the answer that shows a browser that the ledger changed (Fava's change poll, which always
goes to the worker) drops the old pages before the browser asks for them again. The key also
holds today's date, since Fava's relative time filters mean something else tomorrow. After a
reload the pages clients read last are asked for again in the background, so the first reader
after a commit does not wait either.

Only allowed, read-only requests reach this cache (forward.py checks first); documents,
static files, extensions and conditional requests are never kept.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from beanfirm.portal.routes import RouteKind
    from beanfirm.portal.upstream import Load, Reply

# Route kinds (routes.py) whose answers depend only on the URL and the ledger.
KEPT_KINDS: frozenset[RouteKind] = frozenset({"report", "account", "holdings", "help", "api"})
# ... except the change poll, which costs nothing and must always reach the worker.
UNKEPT_ENDINGS = ("/api/changed",)
# Request headers that make an answer depend on more than the URL.
CONDITIONAL = frozenset({"If-None-Match", "If-Modified-Since", "Range"})
# How many of the pages read before a reload are asked for again after it.
RENEWED_AFTER_RELOAD = 8
# What keeping one page costs besides its body and the text of its key and headers (the
# objects that hold them): so that many tiny answers with long addresses fit the budget too.
ENTRY_OVERHEAD = 512


@dataclass(frozen=True)
class PageKey:
    """What an answer of a worker depends on."""

    books: str  # the worker's name (pool.py): a client id, or `<client id>@<commit>`
    epoch: int
    day: str
    target: str
    headers: tuple[tuple[str, str], ...]


class PageCache:
    """The gateway's kept pages, for every client, within one byte budget."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._pages: OrderedDict[PageKey, Reply] = OrderedDict()
        self._epochs: dict[str, int] = {}
        self._loads: dict[str, Load] = {}  # the current load of each client's running worker
        self._renewable: dict[str, list[PageKey]] = {}
        self._size = 0
        self._lock = threading.Lock()

    def key(
        self, books: str, kind: RouteKind, target: str, headers: dict[str, str]
    ) -> PageKey | None:
        """Return the key of a request, or None if its answer is not to be kept."""
        if self.max_bytes <= 0 or kind not in KEPT_KINDS:
            return None
        if target.split("?", 1)[0].endswith(UNKEPT_ENDINGS) or CONDITIONAL & headers.keys():
            return None
        with self._lock:
            epoch = self._epochs.get(books, 0)
        return PageKey(
            books, epoch, time.strftime("%Y-%m-%d"), target, tuple(sorted(headers.items()))
        )

    def get(self, key: PageKey) -> Reply | None:
        """Return the kept answer of a request, or None."""
        with self._lock:
            reply = self._pages.get(key)
            if reply is not None:
                self._pages.move_to_end(key)
            return reply

    def put(self, key: PageKey, reply: Reply) -> None:
        """Keep an answer if it came from the current load and nothing moved on meanwhile."""
        self.seen(key.books, reply.load)
        size = _cost(key, reply)
        if reply.status != 200 or size > self.max_bytes // 8:  # noqa: PLR2004
            return
        with self._lock:
            current = self._loads.get(key.books)
            if reply.load is None or reply.load != current:
                return  # an older load's page, or a worker's that is gone
            if key.epoch != self._epochs.get(key.books, 0) or key in self._pages:
                return
            self._pages[key] = reply
            self._size += size
            while self._size > self.max_bytes:
                self._size -= _cost(*self._pages.popitem(last=False))

    def seen(self, books: str, load: Load | None) -> None:
        """Note the load an answer came from: a newer load of the same worker moves on."""
        if load is None:
            return
        with self._lock:
            current = self._loads.get(books)
            if current is None or current.worker != load.worker or load.number <= current.number:
                return  # a worker the pool has not announced (or one gone), or nothing new
            self._loads[books] = load
            self._move_on(books)

    def news(self, books: str, load: Load | None) -> None:
        """Take the pool's news: a worker started or reloaded (its load), or stopped (None)."""
        with self._lock:
            current = self._loads.get(books)
            if (
                load is not None
                and current is not None
                and current.worker == load.worker
                and load.number <= current.number
            ):
                return  # known already (the answers told of it first)
            if load is None:
                self._loads.pop(books, None)
            else:
                self._loads[books] = load
            self._move_on(books)

    def _move_on(self, books: str) -> None:
        self._epochs[books] = self._epochs.get(books, 0) + 1
        dropped = [key for key in self._pages if key.books == books]
        for key in dropped:
            self._size -= _cost(key, self._pages.pop(key))
        if dropped:
            dropped.reverse()  # most recently used first
            self._renewable[books] = dropped[:RENEWED_AFTER_RELOAD]

    def renewable(self, books: str) -> list[PageKey]:
        """Return (once) the keys of the pages last dropped for a new load, in its epoch."""
        with self._lock:
            keys = self._renewable.pop(books, [])
            epoch = self._epochs.get(books, 0)
        day = time.strftime("%Y-%m-%d")
        return [PageKey(k.books, epoch, day, k.target, k.headers) for k in keys]

    def load_of(self, books: str) -> Load | None:
        """Return the load of a client's books whose pages are kept now (None: none running)."""
        with self._lock:
            return self._loads.get(books)

    def __len__(self) -> int:
        return len(self._pages)


def _cost(key: PageKey, reply: Reply) -> int:
    """Return the bytes that keeping a page takes: its body, its key, its headers."""
    texts = [key.target, *(text for pair in (*key.headers, *reply.headers) for text in pair)]
    return ENTRY_OVERHEAD + len(reply.body) + sum(len(text) for text in texts)
