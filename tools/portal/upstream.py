"""HTTP to a Fava worker over its unix socket (the gateway's only way to reach Fava)."""

from __future__ import annotations

import http.client
import socket
from dataclasses import dataclass
from pathlib import Path

# Request headers a worker gets from the browser; cookies and credentials never pass.
PASSED_REQUEST_HEADERS = ("Accept", "If-None-Match", "If-Modified-Since")
# Response headers the browser gets from a worker; the gateway adds its own security headers.
PASSED_RESPONSE_HEADERS = (
    "content-type",
    "etag",
    "last-modified",
    "content-disposition",
    "location",
)


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
class Reply:
    """A worker's answer, read whole."""

    status: int
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> str | None:
        """Return the first value of a header, or None."""
        for key, value in self.headers:
            if key.lower() == name.lower():
                return value
        return None


def fetch(socket_path: Path, target: str, headers: dict[str, str], timeout: float) -> Reply:
    """GET a path (with query) from a worker."""
    connection = _UnixConnection(socket_path, timeout)
    try:
        connection.request("GET", target, headers=headers)
        response = connection.getresponse()
        body = response.read()
        kept = [
            (key, value)
            for key, value in response.getheaders()
            if key.lower() in PASSED_RESPONSE_HEADERS
        ]
        return Reply(response.status, kept, body)
    finally:
        connection.close()
