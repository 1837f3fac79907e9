"""Scratch folders: named for their process, swept once it is gone (beanfirm.core.scratch)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import run_beanfirm

from beanfirm.core import scratch
from beanfirm.core.scratch import STALE_SECONDS, scratch_folder, sweep

LONG_AGO = time.time() - 2 * STALE_SECONDS


def _dead_pid() -> int:
    """The id of a process that has ended (and been waited for)."""
    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)  # fmt: skip
    return int(done.stdout)


def _left(folder: Path, name: str, *, mtime: float = LONG_AGO) -> Path:
    path = folder / name
    path.mkdir()
    (path / "main.beancount").write_text("; a copy of a client's books\n", encoding="utf-8")
    os.utime(path, (mtime, mtime))
    return path


def test_a_dead_process_folder_is_swept_and_nothing_else(tmp_path: Path) -> None:
    dead = _dead_pid()
    gone = _left(tmp_path, f"beanfirm-dry-run-{dead}-abcd_123")
    kept = [
        _left(tmp_path, f"beanfirm-dry-run-{os.getpid()}-abcd_123"),  # this process: alive
        _left(tmp_path, f"beanfirm-at-{dead}-zz9_zz9z", mtime=time.time()),  # too recent
        _left(tmp_path, "beanfirm-dry-run-abcd_123"),  # no process id: not ours to judge
        _left(tmp_path, f"other-dry-run-{dead}-abcd_123"),  # not beanfirm's
    ]
    target = _left(tmp_path, "target")
    link = tmp_path / f"beanfirm-at-{dead}-link_123"
    link.symlink_to(target)  # a link is never followed, nor removed
    assert sweep(tmp_path) == [gone]
    assert not gone.exists()
    assert all(path.is_dir() for path in kept)
    assert link.is_symlink()
    assert (target / "main.beancount").is_file()


def test_a_scratch_folder_carries_its_process_and_goes_away(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    scratch._sweep_once.cache_clear()
    left = _left(tmp_path, f"beanfirm-backup-{_dead_pid()}-abcd_123")
    with scratch_folder("dry-run") as folder:
        assert folder.parent == tmp_path
        assert folder.name.startswith(f"beanfirm-dry-run-{os.getpid()}-")
        assert not left.exists()  # the first scratch folder of a process sweeps
    assert not folder.exists()
    scratch._sweep_once.cache_clear()


def test_a_dry_run_sweeps_what_a_killed_one_left(practice: Path, tmp_path: Path) -> None:
    """A dry run killed half-way leaves its copy of the books; the next command removes it."""
    temp = tmp_path / "tmp"
    temp.mkdir()
    left = _left(temp, f"beanfirm-dry-run-{_dead_pid()}-abcd_123")
    done = run_beanfirm(
        "--as", "ana", "staff", "add", "sun", "--name", "Sun", "--email", "sun@firm.example",
        "--role", "preparer", "-n", cwd=practice, env={"TMPDIR": str(temp)},
    )  # fmt: skip
    assert done.code == 0, done.err
    assert not left.exists()
    assert list(temp.iterdir()) == []  # and its own copy is gone too
