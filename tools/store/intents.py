"""Write intents: what a write is about to change, recorded before it touches the first file.

A write that is killed between its first file and its commit leaves files changed and maybe
staged, and no commit. Before writing, `apply_write` records its intent (its locks, the HEAD it
started from, the paths and the commit message) in `.git/beanfirm/intents/`, outside the
working tree, and removes it once the commit is made or the files are put back. An intent
found later belongs to a write that died: the next write under the same locks (or under any
locks, once the intent's own are free), or `beanfirm repair`, finishes it (the commit was made:
the index is reset to it) or undoes it (the paths are put back as they are at HEAD).
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

INTENTS_DIRNAME = "intents"


@dataclass(frozen=True)
class Intent:
    """A write that has begun: its record file, locks, starting HEAD, paths and message."""

    record: Path
    locks: tuple[str, ...]
    head: str | None
    paths: tuple[str, ...]
    message: str
    pid: int


def record_intent(
    state_dir: Path, locks: tuple[str, ...], head: str | None, paths: tuple[str, ...], message: str
) -> Intent:
    """Write an intent to disk (flushed, in one rename) and return it."""
    folder = state_dir / INTENTS_DIRNAME
    folder.mkdir(parents=True, exist_ok=True)
    record = {
        "locks": list(locks),
        "head": head,
        "paths": list(paths),
        "message": message,
        "pid": os.getpid(),
    }
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(record, handle, ensure_ascii=False)
            handle.flush()
            os.fsync(handle.fileno())
        final = folder / f"{'+'.join(locks) or 'practice'}.{os.getpid()}.json"
        os.replace(tmp, final)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Intent(final, locks, head, paths, message, os.getpid())


def read_intents(state_dir: Path) -> list[Intent]:
    """Return the intents on disk (an unreadable record, half-written by a kill, is dropped)."""
    folder = state_dir / INTENTS_DIRNAME
    if not folder.is_dir():
        return []
    intents = []
    for path in sorted(folder.iterdir()):
        if path.name.startswith("."):
            continue  # a record being written (or one whose write never began)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            intents.append(
                Intent(
                    path,
                    tuple(str(lock) for lock in data["locks"]),
                    None if data["head"] is None else str(data["head"]),
                    tuple(str(rel) for rel in data["paths"]),
                    str(data["message"]),
                    int(data["pid"]),
                )
            )
        except (OSError, ValueError, KeyError, TypeError):
            continue
    return intents


def drop_intent(intent: Intent) -> None:
    """Remove an intent's record: its write is committed or undone."""
    intent.record.unlink(missing_ok=True)
