"""The portal of one practice: its settings, database, workers, registry and approved books."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from beanfirm.errors import BeanfirmError
from beanfirm.portal.home import MonthStatuses, WaitingFor, open_requests_of
from beanfirm.portal.pagecache import PageCache
from beanfirm.portal.pool import (
    BooksView,
    PoolPolicy,
    WorkerPool,
    WorkerUnavailableError,
    head_view,
)
from beanfirm.portal.scrub import Scrubber
from beanfirm.portal.sessions import Session, SessionPolicy, find_session
from beanfirm.portal.snapshots import ApprovedBooks
from beanfirm.portal.store import PortalStore
from beanfirm.portal.throttle import ThrottlePolicy
from beanfirm.portal.users import PortalUser, get_user, visible_clients
from beanfirm.store.registry import REGISTRY_FILENAME, load_registry

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from beanfirm.portal.upstream import Load
    from beanfirm.store.registry import Client, Registry


LOGO_BYTES = 512 * 1024  # the largest logo the portal serves
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

# After a reload, kept pages are asked for again only if the client's books were read lately.
RENEW_WHILE_READ = 5 * 60.0


@dataclass(frozen=True)
class PortalSettings:
    """How the portal runs."""

    state_dir: Path
    secure_cookies: bool = False
    trust_proxy: bool = False
    session: SessionPolicy = field(default_factory=SessionPolicy)
    throttle: ThrottlePolicy = field(default_factory=ThrottlePolicy)
    pool: PoolPolicy = field(default_factory=PoolPolicy)
    upstream_timeout: float = 300.0
    page_cache_mb: float = 64.0
    approval_poll: float = 3.0  # seconds between two looks for new approvals (serve.py)


@dataclass(frozen=True)
class Identity:
    """A logged-in user and their session."""

    user: PortalUser
    session: Session
    token: str


class Portal:
    """Everything the gateway's requests share."""

    def __init__(self, practice_root: Path, settings: PortalSettings) -> None:
        self.root = practice_root.resolve()
        self.settings = settings
        self.store = PortalStore.in_folder(settings.state_dir)
        self.pool = WorkerPool(
            self.root,
            settings.state_dir / "portal-workers",
            settings.pool,
            request_timeout=settings.upstream_timeout,
        )
        self.pages = PageCache(int(settings.page_cache_mb * 1024 * 1024))
        self.pool.on_news(self._worker_news)
        self.approved = ApprovedBooks(self.root, settings.state_dir, self.pool)
        self.approved.refresh()  # what each client shows now; later approvals in the background
        self._lock = threading.Lock()
        self._registry: Registry | None = None
        self._registry_stamp: tuple[float, int] | None = None
        self._scrubbers: dict[str, Scrubber] = {}
        self._logo: tuple[tuple[str, int, int], bytes | None] | None = None
        self.statuses = MonthStatuses(self.root)
        # What the firm waits for from a client (the home page): its open requests.
        self.requests_of: Callable[[Path, str], Sequence[WaitingFor]] = open_requests_of

    def registry(self) -> Registry:
        """Return the registry, re-read when clients.yaml changes (the last good one on error)."""
        path = self.root / REGISTRY_FILENAME
        stat = path.stat()
        stamp = (stat.st_mtime, stat.st_size)
        with self._lock:
            if self._registry is None or stamp != self._registry_stamp:
                try:
                    self._registry = load_registry(path)
                except BeanfirmError:
                    if self._registry is None:
                        raise
                self._registry_stamp = stamp
            return self._registry

    def logo(self) -> bytes | None:
        """Return the firm's logo (`logo:` in clients.yaml), if it is a PNG inside the practice.

        Read again when the file changes; anything else (missing, outside the practice through
        a link, not a PNG, over LOGO_BYTES) is no logo: the pages show the firm's name alone.
        """
        name = self.registry().firm.logo
        if name is None:
            return None
        path = self.root / name
        try:
            real = path.resolve(strict=True)
            stat = real.stat()
        except (OSError, RuntimeError):
            return None
        if not real.is_relative_to(self.root) or not real.is_file() or stat.st_size > LOGO_BYTES:
            return None
        stamp = (str(real), stat.st_mtime_ns, stat.st_size)
        with self._lock:
            if self._logo is not None and self._logo[0] == stamp:
                return self._logo[1]
        data = real.read_bytes()
        kept = data if data.startswith(PNG_SIGNATURE) else None
        with self._lock:
            self._logo = (stamp, kept)
        return kept

    def identify(self, token: str | None) -> Identity | None:
        """Return who holds a session token, or None."""
        session = find_session(self.store, token, self.settings.session)
        if session is None or token is None:
            return None
        user = get_user(self.store, session.email)
        return None if user is None else Identity(user, session, token)

    def clients_of(self, user: PortalUser) -> list[Client]:
        """Return the clients a user may see."""
        return visible_clients(user, self.registry())

    def may_see(self, user: PortalUser, client_id: str) -> bool:
        """Tell whether a user may see a client's books."""
        return any(client.id == client_id for client in self.clients_of(user))

    def books_for(self, user: PortalUser, client_id: str) -> BooksView | None:
        """Return which books of a client a user reads.

        Staff read the working head, client users the snapshot of the client's latest
        approval, None before its first approval.
        """
        if user.kind == "staff":
            return head_view(self.root, client_id)
        return self.approved.view(client_id)

    def scrubber(self, view: BooksView) -> Scrubber:
        """Return the path scrubber of a view of a client's books."""
        with self._lock:
            if view.key not in self._scrubbers:
                self._scrubbers[view.key] = Scrubber(view.folder, self.root)
            return self._scrubbers[view.key]

    def _worker_news(self, view: BooksView, load: Load | None) -> None:
        """Drop a view's kept pages when its worker starts, reloads or stops.

        After a reload, ask the new load for the pages read last (in the worker's listening
        thread, so in the background), so that their next reader does not wait; only while
        someone reads the client's books, so that commits alone keep no worker running.
        """
        self.pages.news(view.key, load)
        renewable = self.pages.renewable(view.key)
        idle = self.pool.idle_seconds(view.key)
        if load is None or idle is None or idle > RENEW_WHILE_READ:
            if load is None and view.commit is not None:
                with self._lock:
                    self._scrubbers.pop(view.key, None)
            return  # nobody is reading these books now: let the worker go idle
        for key in renewable:
            try:
                with self.pool.lease(view) as upstream:
                    self.pages.put(key, upstream.fetch(key.target, dict(key.headers)))
            except (WorkerUnavailableError, OSError):
                return

    def close(self) -> None:
        """Stop the workers; write what the audit log still holds."""
        self.pool.close()
        self.approved.close()  # after the workers: removes the snapshots they loaded
        self.store.close()
