"""The portal's SQLite database (users, sessions, failed logins, audit log); owns sqlite3.

It lives outside git, in the practice's git-ignored `.beanfirm/portal.sqlite` or in a
`--state-dir`. Each thread keeps its own connection, so that the server's threads never
share one; WAL mode lets page views be logged while others read.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Iterator

DB_FILENAME = "portal.sqlite"

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
        path.parent.mkdir(parents=True, exist_ok=True)
        with self.connect() as db:
            db.execute("PRAGMA journal_mode=WAL")
            db.executescript(SCHEMA)
        # Hashes and session tokens: readable by the server's user only.
        os.chmod(path, 0o600)

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

    def rows(self, sql: str, params: tuple[Any, ...] = ()) -> list[sqlite3.Row]:
        """Run a query and return every row."""
        with self.connect() as db:
            return list(db.execute(sql, params))

    def execute(self, sql: str, params: tuple[Any, ...] = ()) -> int:
        """Run one statement; return the number of rows it changed."""
        with self.connect() as db:
            return db.execute(sql, params).rowcount
