"""The portal's SQLite database (users, sessions, failed logins, audit log); owns sqlite3.

It lives outside git, in the practice's git-ignored `.beanfirm/portal.sqlite` or in a
`--state-dir`. Each thread keeps its own connection, so that the server's threads never
share one; WAL mode lets page views be logged while others read. Writes nobody waits for
(the audit log) are queued and written by one thread, a batch every tenth of a second, off
the request path; `flush` waits for them, and `close` (or the end of the process) writes
what is left.
"""

from __future__ import annotations

import atexit
import collections
import contextlib
import logging
import sqlite3
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from beanfirm.portal.private import make_private, narrow, private_folder

if TYPE_CHECKING:
    from collections.abc import Iterator

DB_FILENAME = "portal.sqlite"
# The files SQLite keeps beside a database (WAL mode: -wal and -shm).
SIDE_FILES = ("-wal", "-shm", "-journal")
# How often the writer thread writes the queued statements: page views are batched, and a
# request never wakes a thread up.
WRITE_EVERY = 0.1

log = logging.getLogger(__name__)

SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    email TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('client', 'staff')),
    staff_id TEXT,
    password_hash TEXT NOT NULL,
    created REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS user_clients (
    email TEXT NOT NULL REFERENCES users(email) ON DELETE CASCADE,
    client_id TEXT NOT NULL,
    PRIMARY KEY (email, client_id)
);
CREATE TABLE IF NOT EXISTS sessions (
    token_hash TEXT PRIMARY KEY,
    email TEXT NOT NULL REFERENCES users(email) ON DELETE CASCADE,
    csrf TEXT NOT NULL,
    created REAL NOT NULL,
    last_seen REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS failed_logins (
    email TEXT NOT NULL,
    address TEXT NOT NULL,
    at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS failed_logins_email ON failed_logins (email, at);
CREATE INDEX IF NOT EXISTS failed_logins_address ON failed_logins (address, at);
CREATE TABLE IF NOT EXISTS audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at REAL NOT NULL,
    email TEXT,
    event TEXT NOT NULL,
    client_id TEXT,
    path TEXT,
    status INTEGER,
    address TEXT
);
"""


class PortalStore:
    """The portal database at one path."""

    def __init__(self, path: Path) -> None:
        self.path = path
        # One connection per thread, kept: the server's threads never share one.
        self._local = threading.local()
        # Statements nobody waits for, and the writer thread's count of them.
        self._later: collections.deque[tuple[str, tuple[Any, ...]]] = collections.deque()
        self._writer: threading.Thread | None = None
        self._state = threading.Condition()
        self._wake = threading.Event()
        self._taken = 0
        self._written = 0
        self._stopping = False
        # Hashes and session tokens: readable by the server's user only, whatever the umask.
        # SQLite gives the -wal and -shm files it creates the mode of the database file, so
        # the database is made 0600 before SQLite first opens it; side files that an older
        # version left wider are narrowed.
        private_folder(path.parent)
        make_private(path)
        for suffix in SIDE_FILES:
            narrow(path.with_name(path.name + suffix))
        with self.connect() as db:
            db.execute("PRAGMA journal_mode=WAL")
            db.executescript(SCHEMA)

    @classmethod
    def in_folder(cls, folder: Path) -> PortalStore:
        """Open (creating) the database in a state folder."""
        return cls(folder / DB_FILENAME)

    @contextlib.contextmanager
    def connect(self) -> Iterator[sqlite3.Connection]:
        """Yield this thread's connection in a transaction that commits on success."""
        db = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(self.path, timeout=30)
            db.row_factory = sqlite3.Row
            db.execute("PRAGMA foreign_keys=ON")
            # WAL with NORMAL sync: a commit costs no fsync (a power cut may lose the last
            # page views, never corrupt the database).
            db.execute("PRAGMA synchronous=NORMAL")
            self._local.db = db
        with db:
            yield db

    @contextlib.contextmanager
    def immediate(self) -> Iterator[sqlite3.Connection]:
        """Yield this thread's connection in a transaction that holds the write lock from the start.

        What its statements read cannot change before they write (`BEGIN IMMEDIATE`): a
        check-and-count is one step even when many threads or processes run it at once.
        """
        with self.connect() as db:
            db.execute("BEGIN IMMEDIATE")
            yield db

    def rows(self, sql: str, params: tuple[Any, ...] = ()) -> list[sqlite3.Row]:
        """Run a query and return every row."""
        with self.connect() as db:
            return list(db.execute(sql, params))

    def execute(self, sql: str, params: tuple[Any, ...] = ()) -> int:
        """Run one statement; return the number of rows it changed."""
        with self.connect() as db:
            return db.execute(sql, params).rowcount

    def execute_later(self, sql: str, params: tuple[Any, ...] = ()) -> None:
        """Queue a statement for the writer thread (which starts on first use)."""
        if self._writer is None:
            with self._state:
                if self._writer is None:
                    self._stopping = False
                    self._writer = threading.Thread(
                        target=self._write, name="portal-store-writer", daemon=True
                    )
                    self._writer.start()
                    atexit.register(self.flush)
        self._later.append((sql, params))  # atomic; the writer comes for it within WRITE_EVERY

    def _write(self) -> None:
        """Every WRITE_EVERY seconds (or when asked), write what is queued in one transaction."""
        while True:
            self._wake.wait(WRITE_EVERY)
            self._wake.clear()
            with self._state:
                batch = [self._later.popleft() for _ in range(len(self._later))]
                self._taken += len(batch)
                stopping = self._stopping
            if batch:
                try:
                    with self.connect() as db:
                        for sql, params in batch:
                            db.execute(sql, params)
                except sqlite3.Error:  # logged, never raised into a request
                    log.exception("could not write to %s", self.path)
            with self._state:
                self._written += len(batch)
                self._state.notify_all()
            if stopping:
                return

    def flush(self) -> None:
        """Wait until every statement queued before the call is written."""
        with self._state:
            writer = self._writer
            if writer is None or not writer.is_alive():
                return
            target = self._taken + len(self._later)
            self._wake.set()
            while self._written < target and writer.is_alive():
                self._state.wait(1.0)

    def close(self) -> None:
        """Write what is queued and stop the writer thread."""
        with self._state:
            writer = self._writer
            self._stopping = True
            self._wake.set()
        if writer is not None and writer.is_alive():
            writer.join()
        self._writer = None
