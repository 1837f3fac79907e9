"""Every file the portal writes is its user's alone (0600, folders 0700), whatever the umask."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from beanfirm.portal.pool import PoolPolicy, WorkerPool, WorkerUnavailableError, head_view
from beanfirm.portal.store import PortalStore


@pytest.fixture(params=[0o000, 0o022, 0o002])
def wide_umask(request: pytest.FixtureRequest) -> Iterator[int]:
    mask: int = request.param
    previous = os.umask(mask)
    try:
        yield mask
    finally:
        os.umask(previous)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_database_its_wal_and_shm_and_their_folder_are_private(
    tmp_path: Path, wide_umask: int
) -> None:
    state = tmp_path / "state"
    store = PortalStore.in_folder(state)
    store.execute("INSERT INTO failed_logins (email, address, at) VALUES ('a', 'b', 1)")
    written = sorted(p.name for p in state.iterdir())
    # WAL mode: SQLite made its side files, and they hold what the database holds.
    assert written == ["portal.sqlite", "portal.sqlite-shm", "portal.sqlite-wal"], wide_umask
    assert {name: mode(state / name) for name in written} == dict.fromkeys(written, 0o600)
    assert mode(state) == 0o700


def test_files_an_older_portal_left_readable_are_narrowed(tmp_path: Path) -> None:
    state = tmp_path / "state"
    PortalStore.in_folder(state).execute("DELETE FROM failed_logins")
    for path in [state, *state.iterdir()]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    PortalStore.in_folder(state)
    assert {p.name: mode(p) for p in state.iterdir()} == {
        "portal.sqlite": 0o600,
        "portal.sqlite-shm": 0o600,
        "portal.sqlite-wal": 0o600,
    }
    assert mode(state) == 0o700


def test_worker_logs_and_their_folder_are_private(tmp_path: Path) -> None:
    logs = tmp_path / "state" / "portal-workers"
    logs.parent.mkdir()
    (tmp_path / "practice" / "ledgers" / "ghost").mkdir(parents=True)
    previous = os.umask(0)
    pool = WorkerPool(tmp_path / "practice", logs, PoolPolicy(start_timeout=60))
    try:
        # A client with no ledger: its worker starts, fails and says so in its log.
        with (
            pytest.raises(WorkerUnavailableError),
            pool.lease(head_view(tmp_path / "practice", "ghost")),
        ):
            pass
    finally:
        os.umask(previous)
        pool.close()
    log = logs / "ghost.log"
    assert log.read_bytes(), "the worker wrote nothing to its log"
    assert (mode(logs), mode(log)) == (0o700, 0o600)
    assert not pool.socket_dir.exists()
