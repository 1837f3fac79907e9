"""`Staging`: files made out of sight appear together, or the destination stays as it was."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from beanfirm.core import paths
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
    assert listing(out) == {"acme/new.eml": b"new draft", "note.txt": b"note", "other.txt": b"not ours"}
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
