"""The gateway's Fava workers: one process per client, started on demand, stopped when idle.

At most `max_workers` run at once; a client whose worker is not running takes the seat of
the least recently used idle worker, or waits for one (and gets "busy" after a while).
Workers listen on unix sockets in a private folder (mode 0700), so no other local user can
reach a Fava behind the gateway's back.

A worker serves one view of a client's books (`BooksView`): the working head (staff), named
by the client's id, or an approved snapshot (client users), named by the id and the commit,
so a staff member and a client user reading the same client never share a worker.
"""

from __future__ import annotations

import contextlib
import logging
import os
import select
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING

from beanfirm.core import paths
from beanfirm.core.scratch import scratch_prefix
from beanfirm.portal.private import private_file, private_folder
from beanfirm.portal.upstream import Load, Upstream

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

log = logging.getLogger(__name__)

# What a worker inherits: nothing of the gateway's environment but these.
_PASSED_ENV = ("PATH", "LANG", "LC_ALL", "TZ", "HOME", "SYSTEMROOT")


class WorkerUnavailableError(Exception):
    """A worker could not be had: every seat busy, or it failed to start."""


@dataclass(frozen=True)
class PoolPolicy:
    """How many workers run and for how long."""

    max_workers: int = 8
    idle_seconds: float = 15 * 60.0
    start_timeout: float = 300.0
    seat_timeout: float = 30.0
    reload_poll: float = 2.0


@dataclass(frozen=True)
class BooksView:
    """Which books a worker serves: a client's folder, at its head or as approved."""

    key: str  # the worker's name: the client id (head) or `<client id>@<commit>`
    client_id: str
    folder: Path  # the folder whose main.beancount the worker loads
    commit: str | None = None  # the approved commit of a snapshot; None for the head

    @property
    def ledger(self) -> Path:
        """Return the main file the worker loads."""
        return self.folder / paths.MAIN


def head_view(practice_root: Path, client_id: str) -> BooksView:
    """Return the view of a client's working head (what staff see)."""
    return BooksView(client_id, client_id, practice_root / paths.client_folder(client_id))


@dataclass
class Worker:
    """One running (or starting) Fava process."""

    view: BooksView
    socket_path: Path
    process: subprocess.Popen[bytes]
    upstream: Upstream
    ready: threading.Event = field(default_factory=threading.Event)
    failed: bool = False
    in_flight: int = 0
    last_used: float = field(default_factory=time.monotonic)
    started: float = field(default_factory=time.monotonic)


class WorkerPool:
    """Fava worker processes of one practice."""

    def __init__(
        self,
        practice_root: Path,
        log_dir: Path,
        policy: PoolPolicy,
        *,
        request_timeout: float = 300.0,
    ) -> None:
        self.practice_root = practice_root
        self.log_dir = log_dir
        self.policy = policy
        self.request_timeout = request_timeout
        self.socket_dir = Path(tempfile.mkdtemp(prefix=scratch_prefix("portal")))
        self._workers: dict[str, Worker] = {}
        self._lock = threading.Condition()
        self._reaper: threading.Thread | None = None
        self._closed = False
        self._listeners: list[Callable[[BooksView, Load | None], None]] = []

    def start_reaper(self, every: float = 15.0) -> None:
        """Stop idle workers in the background."""

        def reap() -> None:
            while not self._closed:
                time.sleep(every)
                self.stop_idle()

        self._reaper = threading.Thread(target=reap, name="portal-reaper", daemon=True)
        self._reaper.start()

    def running(self) -> dict[str, int]:
        """Return the running workers' process ids by name (client id, or id@commit)."""
        with self._lock:
            return {key: w.process.pid for key, w in self._workers.items() if not w.failed}

    def serves(self, key: str) -> bool:
        """Tell whether a worker of that name is running or starting."""
        with self._lock:
            return key in self._workers

    @contextlib.contextmanager
    def lease(self, view: BooksView) -> Iterator[Upstream]:
        """Yield the connections to the view's ready worker, starting it if needed."""
        worker = self._seat(view)
        try:
            if not worker.ready.wait(self.policy.start_timeout) or worker.failed:
                self._discard(worker)
                raise WorkerUnavailableError(f"the worker of {view.key} did not start")
            yield worker.upstream
        finally:
            with self._lock:
                worker.in_flight -= 1
                worker.last_used = time.monotonic()
                self._lock.notify_all()

    def _seat(self, view: BooksView) -> Worker:
        deadline = time.monotonic() + self.policy.seat_timeout
        with self._lock:
            while True:
                if self._closed:
                    raise WorkerUnavailableError("the portal is stopping")
                worker = self._workers.get(view.key)
                if worker is not None and worker.process.poll() is None:
                    worker.in_flight += 1
                    return worker
                if worker is not None:  # it died: start afresh
                    self._forget(worker)
                    self._tell(worker.view, None)
                if len(self._workers) < self.policy.max_workers or self._evict_one():
                    worker = self._spawn(view)
                    worker.in_flight += 1
                    return worker
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise WorkerUnavailableError("every worker seat is busy")
                self._lock.wait(remaining)

    def _evict_one(self) -> bool:
        idle = [w for w in self._workers.values() if w.in_flight == 0 and w.ready.is_set()]
        if not idle:
            return False
        self._stop(min(idle, key=lambda w: w.last_used))
        return True

    def _spawn(self, view: BooksView) -> Worker:
        socket_path = self.socket_dir / f"{view.key}.sock"
        socket_path.unlink(missing_ok=True)
        ledger = view.ledger
        client_id = view.client_id
        env = {k: os.environ[k] for k in _PASSED_ENV if k in os.environ}
        env["BEANCOUNT_DISABLE_LOAD_CACHE"] = "1"
        private_folder(self.log_dir)
        notify_read, notify_write = os.pipe()
        log: IO[bytes]
        try:
            log_file = private_file(self.log_dir / f"{view.key}.log", append=True)
            with os.fdopen(log_file, "ab") as log:
                process = subprocess.Popen(
                    [
                        # -I: not the client folder (the working directory) on sys.path,
                        # no PYTHON* variables, no user site-packages; -B: no .pyc written.
                        sys.executable,
                        "-I",
                        "-B",
                        "-m",
                        "beanfirm.portal.worker",
                        "--ledger",
                        str(ledger),
                        "--practice",
                        str(self.practice_root),
                        "--socket",
                        str(socket_path),
                        "--prefix",
                        f"/c/{client_id}",
                        "--parent",
                        str(os.getpid()),
                        "--notify-fd",
                        str(notify_write),
                        "--poll",
                        str(self.policy.reload_poll),
                        # A snapshot's worker writes nothing, anywhere (nowrites.py).
                        # ... and serves Fava as a client user sees it (clientview.py).
                        *(["--no-writes", "--for-client"] if view.commit is not None else []),
                    ],
                    cwd=ledger.parent,
                    env=env,
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=log,
                    pass_fds=(notify_write,),
                )
        except BaseException:
            os.close(notify_read)
            raise
        finally:
            os.close(notify_write)
        worker = Worker(view, socket_path, process, Upstream(socket_path, self.request_timeout))
        self._workers[view.key] = worker
        threading.Thread(
            target=self._listen,
            args=(worker, notify_read),
            daemon=True,
            name=f"portal-worker-{view.key}",
        ).start()
        return worker

    def _listen(self, worker: Worker, notify_read: int) -> None:
        """Hear a worker's news on its pipe: `ready`, then `reloaded N` after each reload."""
        pid = worker.process.pid
        with os.fdopen(notify_read, "rb", buffering=0) as pipe:
            readable, _, _ = select.select([pipe], [], [], self.policy.start_timeout)
            first = pipe.readline() if readable else b""
            if first != b"ready\n":
                worker.failed = True
                worker.ready.set()
                return
            self._tell(worker.view, Load(pid, 1))  # before any request reaches it
            worker.ready.set()
            for line in pipe:  # until the worker ends and the pipe closes
                news = line.split()
                if len(news) == 2 and news[0] == b"reloaded" and news[1].isdigit():  # noqa: PLR2004
                    self._tell(worker.view, Load(pid, int(news[1])))
        self._tell(worker.view, None)

    def on_news(self, listener: Callable[[BooksView, Load | None], None]) -> None:
        """Call `listener(view, load)` when a worker starts or reloads, or stops (None)."""
        self._listeners.append(listener)

    def _tell(self, view: BooksView, load: Load | None) -> None:
        for listener in self._listeners:
            try:
                listener(view, load)
            except Exception:  # news must never break the pool's own bookkeeping
                log.exception("a listener failed on news of %s", view.key)

    def idle_seconds(self, key: str) -> float | None:
        """Return how long a worker has had no request, or None if it is not running."""
        with self._lock:
            worker = self._workers.get(key)
            if worker is None or worker.in_flight:
                return None if worker is None else 0.0
            return time.monotonic() - worker.last_used

    def touch(self, key: str) -> bool:
        """Note a request answered without the worker of that name; tell if it runs."""
        with self._lock:
            worker = self._workers.get(key)
            if worker is None or not worker.ready.is_set() or worker.failed:
                return False
            worker.last_used = time.monotonic()
            return True

    def _discard(self, worker: Worker) -> None:
        with self._lock:
            if self._workers.get(worker.view.key) is worker:
                self._stop(worker)

    def retire(self, key: str) -> bool:
        """Stop a worker that no request uses; tell whether none of that name runs now."""
        with self._lock:
            worker = self._workers.get(key)
            if worker is not None and (worker.in_flight or not worker.ready.is_set()):
                return False
            if worker is not None:
                self._stop(worker)
                self._lock.notify_all()
            return True

    def _forget(self, worker: Worker) -> None:
        self._workers.pop(worker.view.key, None)
        worker.upstream.close()
        worker.socket_path.unlink(missing_ok=True)

    def _stop(self, worker: Worker) -> None:
        self._forget(worker)
        worker.process.terminate()
        try:
            worker.process.wait(5)
        except subprocess.TimeoutExpired:
            worker.process.kill()
            worker.process.wait()
        # Its pages may not outlive it: nobody watches the ledger once it is gone.
        self._tell(worker.view, None)

    def stop_idle(self) -> list[str]:
        """Stop workers idle for longer than the policy allows; return their names."""
        now = time.monotonic()
        with self._lock:
            idle = [
                w
                for w in self._workers.values()
                if w.in_flight == 0
                and w.ready.is_set()
                and now - w.last_used > self.policy.idle_seconds
            ]
            for worker in idle:
                self._stop(worker)
            self._lock.notify_all()
        return [w.view.key for w in idle]

    def close(self) -> None:
        """Stop every worker and remove the socket folder."""
        with self._lock:
            self._closed = True
            for worker in list(self._workers.values()):
                self._stop(worker)
            self._lock.notify_all()
        shutil.rmtree(self.socket_dir, ignore_errors=True)
