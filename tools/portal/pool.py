"""The gateway's Fava workers: one process per client, started on demand, stopped when idle.

At most `max_workers` run at once; a client whose worker is not running takes the seat of
the least recently used idle worker, or waits for one (and gets "busy" after a while).
Workers listen on unix sockets in a private folder (mode 0700), so no other local user can
reach a Fava behind the gateway's back.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterator

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


@dataclass
class Worker:
    """One running (or starting) Fava process."""

    client_id: str
    socket_path: Path
    process: subprocess.Popen[bytes]
    ready: threading.Event = field(default_factory=threading.Event)
    failed: bool = False
    in_flight: int = 0
    last_used: float = field(default_factory=time.monotonic)
    started: float = field(default_factory=time.monotonic)


class WorkerPool:
    """Fava worker processes of one practice."""

    def __init__(self, practice_root: Path, log_dir: Path, policy: PoolPolicy) -> None:
        self.practice_root = practice_root
        self.log_dir = log_dir
        self.policy = policy
        self.socket_dir = Path(tempfile.mkdtemp(prefix="beanfirm-portal-"))
        self._workers: dict[str, Worker] = {}
        self._lock = threading.Condition()
        self._reaper: threading.Thread | None = None
        self._closed = False

    def start_reaper(self, every: float = 15.0) -> None:
        """Stop idle workers in the background."""

        def reap() -> None:
            while not self._closed:
                time.sleep(every)
                self.stop_idle()

        self._reaper = threading.Thread(target=reap, name="portal-reaper", daemon=True)
        self._reaper.start()

    def running(self) -> dict[str, int]:
        """Return the running workers' process ids by client."""
        with self._lock:
            return {cid: w.process.pid for cid, w in self._workers.items() if not w.failed}

    @contextlib.contextmanager
    def lease(self, client_id: str) -> Iterator[Path]:
        """Yield the socket of the client's ready worker, starting it if needed."""
        worker = self._seat(client_id)
        try:
            if not worker.ready.wait(self.policy.start_timeout) or worker.failed:
                self._discard(worker)
                raise WorkerUnavailableError(f"the worker of {client_id} did not start")
            yield worker.socket_path
        finally:
            with self._lock:
                worker.in_flight -= 1
                worker.last_used = time.monotonic()
                self._lock.notify_all()

    def _seat(self, client_id: str) -> Worker:
        deadline = time.monotonic() + self.policy.seat_timeout
        with self._lock:
            while True:
                if self._closed:
                    raise WorkerUnavailableError("the portal is stopping")
                worker = self._workers.get(client_id)
                if worker is not None and worker.process.poll() is None:
                    worker.in_flight += 1
                    return worker
                if worker is not None:  # it died: start afresh
                    self._forget(worker)
                if len(self._workers) < self.policy.max_workers or self._evict_one():
                    worker = self._spawn(client_id)
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

    def _spawn(self, client_id: str) -> Worker:
        socket_path = self.socket_dir / f"{client_id}.sock"
        socket_path.unlink(missing_ok=True)
        ledger = self.practice_root / "ledgers" / client_id / "main.beancount"
        env = {k: os.environ[k] for k in _PASSED_ENV if k in os.environ}
        env["BEANCOUNT_DISABLE_LOAD_CACHE"] = "1"
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        self.log_dir.mkdir(parents=True, exist_ok=True)
        log: IO[bytes]
        with (self.log_dir / f"{client_id}.log").open("ab") as log:
            process = subprocess.Popen(
                [
                    sys.executable, "-m", "beanfirm.portal.worker",
                    "--ledger", str(ledger),
                    "--socket", str(socket_path),
                    "--prefix", f"/c/{client_id}",
                    "--parent", str(os.getpid()),
                    "--poll", str(self.policy.reload_poll),
                ],
                cwd=ledger.parent,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
            )
        worker = Worker(client_id, socket_path, process)
        self._workers[client_id] = worker
        threading.Thread(target=self._await_ready, args=(worker,), daemon=True).start()
        return worker

    def _await_ready(self, worker: Worker) -> None:
        deadline = time.monotonic() + self.policy.start_timeout
        while time.monotonic() < deadline and worker.process.poll() is None:
            if worker.socket_path.exists():
                probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                try:
                    probe.connect(str(worker.socket_path))
                except OSError:
                    pass
                else:
                    worker.ready.set()
                    return
                finally:
                    probe.close()
            time.sleep(0.02)
        worker.failed = True
        worker.ready.set()

    def _discard(self, worker: Worker) -> None:
        with self._lock:
            if self._workers.get(worker.client_id) is worker:
                self._stop(worker)

    def _forget(self, worker: Worker) -> None:
        self._workers.pop(worker.client_id, None)
        worker.socket_path.unlink(missing_ok=True)

    def _stop(self, worker: Worker) -> None:
        self._forget(worker)
        worker.process.terminate()
        try:
            worker.process.wait(5)
        except subprocess.TimeoutExpired:
            worker.process.kill()
            worker.process.wait()

    def stop_idle(self) -> list[str]:
        """Stop workers idle for longer than the policy allows; return their clients."""
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
        return [w.client_id for w in idle]

    def close(self) -> None:
        """Stop every worker and remove the socket folder."""
        with self._lock:
            self._closed = True
            for worker in list(self._workers.values()):
                self._stop(worker)
            self._lock.notify_all()
        shutil.rmtree(self.socket_dir, ignore_errors=True)
