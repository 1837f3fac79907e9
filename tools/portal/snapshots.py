"""Client users' books: each client's latest approval, a read-only snapshot swapped in behind.

A client user sees `ledgers/<id>/` as of the client's latest approval (`beanfirm approve`), not
the working head the staff see. The approved commit's folder is extracted with `git archive`
into the portal's private state folder, one folder per commit
(`portal-snapshots/<id>@<commit>/`, folders 0500 and files 0400: the portal's user alone
reads them, and not even the worker that loads them may write there), and a worker of its
own loads it (pool.py names it `<id>@<commit>`).

A new approval is noticed by a thread that lists the approval tags every few seconds (one
`git for-each-ref`, never on a request). The new snapshot is extracted and, when the client's
books are being read, its worker started and loaded, all in that thread; only then does the
client's view move to it, so no request waits for a load and each sees either the old books
or the new. The old worker is stopped once no request uses it, and a snapshot folder no
worker and no view uses is removed.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import shutil
import tarfile
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from beanfirm.core import paths
from beanfirm.errors import BeanfirmError
from beanfirm.portal.pool import BooksView, WorkerPool, WorkerUnavailableError
from beanfirm.portal.private import private_folder
from beanfirm.store.approvals import approvals
from beanfirm.store.gitrepo import PracticeRepo

if TYPE_CHECKING:
    from beanfirm.portal.upstream import Load
    from beanfirm.store.approvals import Approval

log = logging.getLogger(__name__)

SNAPSHOTS = "portal-snapshots"
APPROVAL_TAGS = "refs/tags/beanfirm/approved/"
COMMIT_RE = re.compile(r"[0-9a-f]{40}(?:[0-9a-f]{24})?")
READ_ONLY_FILE = 0o400
READ_ONLY_FOLDER = 0o500
# How long a swap waits for the requests still on the old worker before it leaves the
# worker to the idle reaper.
RETIRE_SECONDS = 300.0
GRACE_SECONDS = 1.0


class SnapshotError(Exception):
    """An approved commit's books could not be extracted (the portal's log says why)."""


@dataclass(frozen=True)
class Shown:
    """What a client's users see: its latest approval, as a snapshot of the approved commit."""

    approval: Approval
    view: BooksView


def snapshot_view(folder: Path, client_id: str, commit: str) -> BooksView:
    """Return the view of a client's books as of an approved commit (in the snapshots folder)."""
    key = f"{client_id}@{commit[:12]}"
    return BooksView(key, client_id, folder / f"{client_id}@{commit}", commit)


class ApprovedBooks:
    """The snapshot each client's users see, kept up with the approvals in the background."""

    def __init__(self, root: Path, state_dir: Path, pool: WorkerPool) -> None:
        self.root = root
        self.folder = private_folder(state_dir / SNAPSHOTS)  # 0700, even if made before
        self.pool = pool
        self._shown: dict[str, Shown] = {}
        self._tags: dict[str, str] | None = None  # the approval tags of the last round
        self._lock = threading.Lock()
        self._extracting = threading.Lock()
        self._sweeping = threading.Lock()
        self._refreshing = threading.Lock()
        self._swaps: dict[str, threading.Thread] = {}
        self._closed = threading.Event()
        pool.on_news(self._worker_news)

    def shown(self, client_id: str) -> Shown | None:
        """Return what a client's users see now, None if the client was never approved."""
        with self._lock:
            return self._shown.get(client_id)

    def all_shown(self) -> dict[str, Shown]:
        """Return what each approved client's users see now."""
        with self._lock:
            return dict(self._shown)

    def view(self, client_id: str) -> BooksView | None:
        """Return the snapshot a client user's request goes to, extracted; None if none yet.

        Raise SnapshotError if the approved books cannot be extracted (a link out of the
        client's folder, a commit gone): they are not shown, and the log says why.
        """
        shown = self.shown(client_id)
        if shown is None:
            return None
        try:
            self.extract(shown.view)  # done already unless the portal has just started
        except (BeanfirmError, OSError, tarfile.TarError) as exc:
            log.error("cannot extract %s: %s", shown.approval.tag, exc)  # noqa: TRY400
            raise SnapshotError(shown.approval.tag) from exc
        return shown.view

    # -- noticing approvals -------------------------------------------------------------

    def refresh(self, *, wait: bool = False) -> list[str]:
        """Look for changed approval tags; swap each changed client's snapshot in behind.

        Return the clients whose approval changed. The first round (at start) only notes what
        each client shows. With `wait`, return once the swaps are done (tests, benchmarks).
        """
        with self._refreshing:
            return self._refresh(wait=wait)

    def _refresh(self, *, wait: bool) -> list[str]:
        repo = PracticeRepo(self.root)
        tags = repo.refs_under(APPROVAL_TAGS)
        if tags == self._tags:
            return []
        before = self._tags or {}
        moved = {name for name, _ in set(tags.items()) ^ set(before.items())}
        changed = sorted({c for c in map(_client_of, moved) if c is not None})
        first = self._tags is None
        self._tags = tags
        latest = self._latest(repo, changed)
        swaps = []
        for client_id in changed:
            approval = latest.get(client_id)
            current = self.shown(client_id)
            if approval is None or (current and current.approval.commit == approval.commit):
                if approval is not None and current is not None:
                    with self._lock:  # a later approval of the same commit: say who approved
                        self._shown[client_id] = Shown(approval, current.view)
                continue
            view = snapshot_view(self.folder, client_id, approval.commit)
            if first:
                with self._lock:
                    self._shown[client_id] = Shown(approval, view)
                continue
            swaps.append(self._swap_behind(Shown(approval, view)))
        if wait:
            for swap in swaps:
                swap.join()
        if first:
            with self._extracting:  # and the scratch folders of an extraction cut short
                self.sweep(scratch=True)
        return changed

    def _latest(self, repo: PracticeRepo, clients: list[str]) -> dict[str, Approval]:
        """Return the latest approval of each client that has one the portal can show.

        The records are read at once (one `for-each-ref`, malformed ones left out), and each
        approval's recorded tree compared with its commit's folder (one `ls-tree` a commit):
        an approval whose books are not the tree it names is not shown.
        """
        if not clients:
            return {}
        try:
            every = approvals(repo) if len(clients) > 1 else approvals(repo, clients[0])
        except BeanfirmError as exc:
            log.error("the approvals cannot be read: %s", exc)  # noqa: TRY400
            return {}
        wanted = set(clients)
        latest = {a.client: a for a in every if a.client in wanted}  # oldest first: last wins
        trees: dict[str, dict[str, str]] = {}
        for client_id, approval in list(latest.items()):
            if approval.commit not in trees and COMMIT_RE.fullmatch(approval.commit):
                try:
                    trees[approval.commit] = repo.subtree_hashes(paths.LEDGERS, at=approval.commit)
                except BeanfirmError:  # a commit this repository does not have
                    trees[approval.commit] = {}
            if trees.get(approval.commit, {}).get(client_id) != approval.tree:
                log.error(
                    "not showing %s to %s: the books at %s are not the tree it approved",
                    approval.tag,
                    client_id,
                    approval.commit,
                )
                del latest[client_id]
        return latest

    def watch(self, every: float) -> None:
        """Look for new approvals every `every` seconds in a daemon thread."""

        def loop() -> None:
            while not self._closed.wait(every):
                try:
                    self.refresh()
                except Exception:  # the next round tries again; the books shown stay
                    log.exception("looking for new approvals failed")

        threading.Thread(target=loop, name="portal-approvals", daemon=True).start()

    # -- the swap -----------------------------------------------------------------------

    def _swap_behind(self, new: Shown) -> threading.Thread:
        client_id = new.view.client_id
        thread = threading.Thread(
            target=self._swap, args=(new,), name=f"portal-swap-{client_id}", daemon=True
        )
        with self._lock:
            running = self._swaps.get(client_id)
        if running is not None:
            running.join()  # one swap per client at a time, in the order approved
        with self._lock:
            self._swaps[client_id] = thread
        thread.start()
        return thread

    def _swap(self, new: Shown) -> None:
        """Extract, load if the old books are being read, then show the new books."""
        client_id = new.view.client_id
        old = self.shown(client_id)
        started = time.perf_counter()
        extracted = True
        try:
            self.extract(new.view)
        except tarfile.TarError as exc:
            # A link out of the client's folder (to /etc/passwd, say): the approved books are
            # not shown, now or later. The client's requests go to them and are refused ("These
            # books cannot be shown"), as a snapshot that links outside is; the previous
            # approval's books, silently kept, looked current to the client.
            log.error("cannot extract %s (%s): its books are not shown", new.approval.tag, exc)  # noqa: TRY400
            extracted = False
        except (BeanfirmError, OSError):
            log.exception("cannot extract %s; still showing the last", new.approval.tag)
            return
        if extracted and old is not None and self.pool.serves(old.view.key):
            try:
                with self.pool.lease(new.view):
                    pass  # started and loaded: ready for the first request
            except WorkerUnavailableError:
                log.warning("no worker for %s yet; its first reader starts it", new.view.key)
        with self._lock:
            self._shown[client_id] = new
        log.info(
            "%s shows %s (%s) after %.2f s",
            client_id,
            new.approval.tag,
            new.approval.commit[:12],
            time.perf_counter() - started,
        )
        if old is None:
            return
        # A request that took the old view just before the switch may not have asked the pool
        # yet: give it a moment, then stop the old worker once nothing uses it.
        time.sleep(GRACE_SECONDS)
        deadline = time.monotonic() + RETIRE_SECONDS
        while not self.pool.retire(old.view.key) and time.monotonic() < deadline:
            time.sleep(0.05)
        self.sweep()

    # -- snapshot folders ---------------------------------------------------------------

    def extract(self, view: BooksView) -> None:
        """Extract the view's commit of its client's folder, read-only, unless it is there."""
        if view.commit is None or view.folder.is_dir():
            return
        with self._extracting:
            if view.folder.is_dir():
                return
            scratch = tempfile.mkdtemp(prefix=".extract-", dir=self.folder)
            try:
                repo = PracticeRepo(self.root)
                repo.export_at(view.commit, [paths.client_folder(view.client_id)], Path(scratch))
                extracted = Path(scratch) / paths.client_folder(view.client_id)
                _make_read_only(extracted)
                extracted.rename(view.folder)  # whole or not at all
                os.chmod(view.folder, READ_ONLY_FOLDER)  # after: a move writes its `..`
            finally:
                _remove(Path(scratch))

    def sweep(self, *, scratch: bool = False) -> list[Path]:
        """Remove the snapshot folders that no client shows and no worker uses.

        With `scratch`, the scratch folders of extractions too (none may be running).
        """
        if not self.folder.is_dir():
            return []
        with self._lock:
            kept = {shown.view.folder.name for shown in self._shown.values()}
        with self._sweeping:  # one sweep at a time
            return self._sweep(kept, scratch=scratch)

    def _sweep(self, kept: set[str], *, scratch: bool) -> list[Path]:
        removed = []
        for folder in self.folder.iterdir():
            if folder.name in kept or (folder.name.startswith(".extract-") and not scratch):
                continue
            client_id, _, commit = folder.name.partition("@")
            if self.pool.serves(snapshot_view(self.folder, client_id, commit).key):
                continue
            _remove(folder)
            removed.append(folder)
        return removed

    def _worker_news(self, view: BooksView, load: Load | None) -> None:
        if load is None and view.commit is not None:  # a snapshot's worker stopped
            self.sweep()

    def close(self) -> None:
        """Stop looking for approvals; remove the snapshots (the pool has stopped)."""
        self._closed.set()
        with self._lock:
            self._shown.clear()
        self.sweep()


def _client_of(ref: str) -> str | None:
    """Return the client of an approval tag's ref, `refs/tags/beanfirm/approved/<id>/<n>`."""
    client_id, slash, _number = ref.removeprefix(APPROVAL_TAGS).partition("/")
    return client_id if slash and client_id else None


def _make_read_only(folder: Path) -> None:
    """Make every file 0400 and every folder inside 0500, the deepest first."""
    for top, folders, files in os.walk(folder, topdown=False):
        for name in files:
            path = os.path.join(top, name)
            if not os.path.islink(path):
                os.chmod(path, READ_ONLY_FILE)
        for name in folders:
            path = os.path.join(top, name)
            if not os.path.islink(path):
                os.chmod(path, READ_ONLY_FOLDER)


def _remove(folder: Path) -> None:
    """Remove a (read-only) snapshot folder."""
    if not folder.exists():
        return
    # Another sweep may remove it meanwhile (a worker's stop and the portal's close both sweep).
    with contextlib.suppress(FileNotFoundError):
        for top, folders, _files in os.walk(folder):
            os.chmod(top, 0o700)
            for name in folders:
                path = os.path.join(top, name)
                if not os.path.islink(path):
                    os.chmod(path, 0o700)
    shutil.rmtree(folder, ignore_errors=True)
