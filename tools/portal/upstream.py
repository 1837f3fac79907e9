"""HTTP to a Fava worker over its unix socket (the gateway's only way to reach Fava).

Connections are kept open between requests (HTTP/1.1 keep-alive): a few idle ones per
worker, dropped before the worker's server would time them out. A kept connection the
worker closed anyway is retried once on a new one; only GET is ever sent, so a retry cannot
do anything twice.
"""

from __future__ import annotations

import http.client
import socket
import threading
import time
from dataclasses import dataclass
from pathlib import Path

# Request headers a worker gets from the browser; cookies and credentials never pass.
PASSED_REQUEST_HEADERS = ("Accept", "If-None-Match", "If-Modified-Since")
# Response headers the browser gets from a worker; the gateway adds its own security headers.
PASSED_RESPONSE_HEADERS = frozenset(
    {"content-type", "etag", "last-modified", "content-disposition", "location"}
)
# Which load of the ledger a worker answered from (read here, never passed on).
LOAD_HEADER = "X-Beanfirm-Load"
# Idle connections kept per worker, and for how long (cheroot closes them after 10 s).
KEPT_CONNECTIONS = 8
KEPT_SECONDS = 5.0
# What a kept connection the worker has closed looks like.
_STALE = (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError)


class _UnixConnection(http.client.HTTPConnection):
    def __init__(self, socket_path: Path, timeout: float) -> None:
        super().__init__("localhost", timeout=timeout)
        self.socket_path = socket_path

    def connect(self) -> None:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(self.timeout)
        sock.connect(str(self.socket_path))
        self.sock = sock


@dataclass(frozen=True)
class Load:
    """Which load of a client's ledger an answer came from: the worker and its count."""

    worker: int  # the worker's process id
    number: int  # 1 at start, one more at each reload

    @classmethod
    def parse(cls, text: str | None) -> Load | None:
        """Read `<pid>-<number>` (the worker's LOAD_HEADER), None if it is not that."""
        worker, _, number = (text or "").partition("-")
        if not (worker.isdigit() and number.isdigit()):
            return None
        return cls(int(worker), int(number))

    def __str__(self) -> str:
        return f"{self.worker}-{self.number}"


@dataclass(frozen=True)
class Reply:
    """A worker's answer, read whole."""

    status: int
    headers: list[tuple[str, str]]
    body: bytes
    load: Load | None = None

    def header(self, name: str) -> str | None:
        """Return the first value of a header, or None."""
        for key, value in self.headers:
            if key.lower() == name.lower():
                return value
        return None


class Upstream:
    """The connections to one worker."""

    def __init__(self, socket_path: Path, timeout: float) -> None:
        self.socket_path = socket_path
        self.timeout = timeout
        self._idle: list[tuple[float, _UnixConnection]] = []
        self._lock = threading.Lock()
        self._closed = False

    def fetch(self, target: str, headers: dict[str, str]) -> Reply:
        """GET a path (with query) from the worker."""
        connection, kept = self._take()
        try:
            reply, reusable = self._exchange(connection, target, headers)
        except _STALE:
            connection.close()
            if not kept:
                raise
            connection = _UnixConnection(self.socket_path, self.timeout)
            try:
                reply, reusable = self._exchange(connection, target, headers)
            except BaseException:
                connection.close()
                raise
        except BaseException:
            connection.close()
            raise
        self._give_back(connection, reusable=reusable)
        return reply

    @staticmethod
    def _exchange(
        connection: _UnixConnection, target: str, headers: dict[str, str]
    ) -> tuple[Reply, bool]:
        connection.request("GET", target, headers=headers)
        response = connection.getresponse()
        body = response.read()
        kept = [
            (key, value)
            for key, value in response.getheaders()
            if key.lower() in PASSED_RESPONSE_HEADERS
        ]
        reply = Reply(response.status, kept, body, Load.parse(response.getheader(LOAD_HEADER)))
        return reply, not response.will_close

    def _take(self) -> tuple[_UnixConnection, bool]:
        now = time.monotonic()
        with self._lock:
            while self._idle:
                since, connection = self._idle.pop()
                if now - since < KEPT_SECONDS:
                    return connection, True
                connection.close()
        return _UnixConnection(self.socket_path, self.timeout), False

    def _give_back(self, connection: _UnixConnection, *, reusable: bool) -> None:
        with self._lock:
            if reusable and not self._closed and len(self._idle) < KEPT_CONNECTIONS:
                self._idle.append((time.monotonic(), connection))
                return
        connection.close()

    def close(self) -> None:
        """Close every kept connection."""
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
        for _, connection in idle:
            connection.close()


def fetch(socket_path: Path, target: str, headers: dict[str, str], timeout: float) -> Reply:
    """GET a path (with query) from a worker on a connection of its own."""
    upstream = Upstream(socket_path, timeout)
    try:
        return upstream.fetch(target, headers)
    finally:
        upstream.close()
