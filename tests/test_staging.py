"""`Staging`: files made out of sight appear together, or the destination stays as it was."""

from __future__ import annotations

import datetime
import os
import subprocess
import sys
from pathlib import Path

import pytest

from beanfirm.core import paths
from beanfirm.store import staging as staging_module
from beanfirm.store.practice import Practice
from beanfirm.store.registry import Registry
from beanfirm.store.staging import Staging
from beanfirm.store.writes import umask


def listing(folder: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(folder)): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def test_a_failure_before_publishing_leaves_the_destination_and_no_scratch(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "a.pdf").write_bytes(b"old")

    def render() -> None:
        with Staging(out) as staging:
            (staging.scratch / "a.pdf").write_bytes(b"new")
            raise RuntimeError("renderer crashed")

    with pytest.raises(RuntimeError, match="renderer crashed"):
        render()
    assert listing(out) == {"a.pdf": b"old"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_publish_replaces_files_and_folders_and_keeps_the_rest(tmp_path: Path) -> None:
    out = tmp_path / "drafts"
    (out / "acme").mkdir(parents=True)
    (out / "acme" / "gone.eml").write_bytes(b"old draft")
    (out / "other.txt").write_bytes(b"not ours")
    with Staging(out) as staging:
        (staging.scratch / "acme").mkdir()
        (staging.scratch / "acme" / "new.eml").write_bytes(b"new draft")
        (staging.scratch / "note.txt").write_bytes(b"note")
        published = staging.publish(["acme", "note.txt"])
    assert published == [out / "acme", out / "note.txt"]
    assert listing(out) == {
        "acme/new.eml": b"new draft",
        "note.txt": b"note",
        "other.txt": b"not ours",
    }
    assert sorted(p.name for p in tmp_path.iterdir()) == ["drafts"]


def test_a_new_destination_is_made_with_the_usual_permissions(tmp_path: Path) -> None:
    out = tmp_path / "statements" / "2026-01"
    with Staging(out) as staging:
        (staging.scratch / "c.csv").write_bytes(b"x")
        staging.publish(["c.csv"])
    assert out.stat().st_mode & 0o777 == 0o777 & ~umask()  # not mkdtemp's private 0700
    assert listing(out) == {"c.csv": b"x"}


def test_the_practice_and_the_paths_module_agree(tmp_path: Path) -> None:
    practice = Practice(tmp_path, Registry.__new__(Registry))
    assert practice.ledger_dir("acme") == tmp_path / paths.client_folder("acme")
    assert practice.main_file("acme") == tmp_path / "ledgers/acme/main.beancount"
    assert paths.month_file("acme", datetime.date(2026, 3, 31)) == (
        "ledgers/acme/journal/2026/03.beancount"
    )
    assert paths.documents_folder("acme", "Assets:Bank:ICBC") == (
        "ledgers/acme/documents/Assets/Bank/ICBC"
    )


def dead_pid() -> int:
    """The id of a process that has finished."""
    child = subprocess.Popen([sys.executable, "-c", ""])
    child.wait()
    return child.pid


def old_batch(out: Path) -> None:
    (out / "acme").mkdir(parents=True)
    (out / "acme" / "old.eml").write_bytes(b"old draft")
    (out / "a.csv").write_bytes(b"old a")
    (out / "b.csv").write_bytes(b"old b")
    (out / "other.txt").write_bytes(b"not ours")


NEW_BATCH = {
    "a.csv": b"new a",
    "acme/new.eml": b"new draft",
    "b.csv": b"new b",
    "beta/new.eml": b"new beta draft",
    "other.txt": b"not ours",
}
MOVES = 5  # a.csv, acme aside, acme in, b.csv, beta


def killed_while_publishing(out: Path, after: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """Publish a batch and stop it after `after` renames, leaving what a kill -9 leaves."""
    staging = Staging(out).__enter__()
    (staging.scratch / "a.csv").write_bytes(b"new a")
    (staging.scratch / "acme").mkdir()
    (staging.scratch / "acme" / "new.eml").write_bytes(b"new draft")
    (staging.scratch / "b.csv").write_bytes(b"new b")
    (staging.scratch / "beta").mkdir()
    (staging.scratch / "beta" / "new.eml").write_bytes(b"new beta draft")
    moved: list[str] = []
    real_move = staging_module._move

    def move(source: Path, target: Path) -> None:
        if len(moved) == after:
            raise KeyboardInterrupt  # the kill: no code runs on the way out
        real_move(source, target)
        moved.append(source.name)

    with monkeypatch.context() as patch:
        patch.setattr(staging_module, "_move", move)
        with pytest.raises(KeyboardInterrupt):
            staging.publish(["a.csv", "acme", "b.csv", "beta"])
    assert len(moved) == after
    mine = f".{out.name}.{os.getpid()}."
    scratch = staging.scratch
    scratch.rename(scratch.with_name(scratch.name.replace(mine, f".{out.name}.{dead_pid()}.")))


@pytest.mark.parametrize("after", range(MOVES))
def test_a_publish_killed_between_renames_is_finished_by_the_next_staging(
    tmp_path: Path, after: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "drafts"
    old_batch(out)
    killed_while_publishing(out, after, monkeypatch)
    assert len(list(tmp_path.iterdir())) == 2  # the destination and the scratch folder
    with Staging(out):
        assert listing(out) == NEW_BATCH
    assert sorted(p.name for p in tmp_path.iterdir()) == ["drafts"]


def test_a_run_killed_before_publishing_leaves_the_old_batch(tmp_path: Path) -> None:
    out = tmp_path / "drafts"
    old_batch(out)
    staging = Staging(out).__enter__()
    (staging.scratch / "a.csv").write_bytes(b"new a")
    scratch = staging.scratch
    scratch.rename(scratch.with_name(scratch.name.replace(str(os.getpid()), str(dead_pid()))))
    with Staging(out):
        assert listing(out)["a.csv"] == b"old a"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["drafts"]


def test_a_live_process_s_scratch_folder_is_left_alone(tmp_path: Path) -> None:
    out = tmp_path / "drafts"
    with Staging(out) as first, Staging(out) as second:
        (first.scratch / "a.csv").write_bytes(b"first")
        first.publish(["a.csv"])
        assert second.scratch.is_dir()
        assert first.scratch.is_dir()
    assert listing(out) == {"a.csv": b"first"}


def test_publishing_a_name_the_scratch_folder_lacks_moves_nothing(tmp_path: Path) -> None:
    out = tmp_path / "drafts"
    old_batch(out)
    with Staging(out) as staging:
        (staging.scratch / "a.csv").write_bytes(b"new a")
        with pytest.raises(FileNotFoundError, match=r"missing\.csv"):
            staging.publish(["a.csv", "missing.csv"])
    assert listing(out)["a.csv"] == b"old a"
