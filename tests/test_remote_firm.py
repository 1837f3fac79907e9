"""A firm on one remote: eight clones that import and sync at once, and two that misbehave.

Bounded: each clone makes one import (half of them into one month file, the other half into
another; both files are new, so every clone creates one), and syncs. January is locked. Afterwards no commit is lost (every
successful sync's commits are on the remote), the remote's head checks clean for every client,
and the pushes that break a ledger, delete an approval, approve one's own commits or edit the
locked month were refused.
"""

from __future__ import annotations

import re
import subprocess
import threading
from pathlib import Path

import pytest
from cli_support import UNBALANCED_ZH
from conftest import git, run_beanfirm
from remote_support import (
    add_entry,
    clone,
    entry,
    firm_remote,
    forged_approval,
    push,
    remote_ref,
    template_practice,
)

from beanfirm.jobs.clientcheck import problems_at
from beanfirm.store.gitrepo import PracticeRepo

CLONES = 8
ROUNDS = 1  # benchmarks/bench_remote.py runs longer loops
FEBRUARY = "ledgers/huamei/journal/2025/02.beancount"
MARCH = "ledgers/huamei/journal/2025/03.beancount"


def _work(folder: Path, number: int, synced: list[str], failures: list[str]) -> None:
    for round_ in range(ROUNDS):
        import_id = f"icbc-{number}-{round_}"
        day = 2 + number * 3 + round_
        relpath = FEBRUARY if number % 2 else MARCH
        text = entry(day, f"fare {import_id}", f"{10 + number}.{round_}0", import_id)
        text = text.replace("2025-01-", "2025-02-" if number % 2 else "2025-03-")
        add_entry(folder, text, f"Import {import_id}", relpath)
        result = run_beanfirm("sync", cwd=folder)
        if result.code == 0:
            synced.append(import_id)
        else:
            failures.append(f"{folder.name}: {result.err}")


def _push_fresh(folder: Path, refspec: str) -> subprocess.CompletedProcess[str]:
    """Push a commit on top of the remote's latest, while the clones keep pushing."""
    for _ in range(20):
        git(folder, "pull", "-q", "--rebase")
        pushed = push(folder, refspec)
        if not re.search(r"fetch first|non-fast-forward|but expected", pushed.stderr):
            return pushed
    return pushed


@pytest.mark.slow
def test_eight_clones_import_and_sync_at_once(tmp_path: Path) -> None:
    template = template_practice(tmp_path / "template")
    for args in (("approve", "huamei"), ("lock", "huamei", "--through", "2025-01")):
        done = run_beanfirm(*args, "--as", "cy", cwd=template)
        assert done.code == 0, done.err
    bare = firm_remote(template, tmp_path)
    clones = [clone(bare, tmp_path / f"staff{n}", "bo") for n in range(CLONES)]
    ana = clone(bare, tmp_path / "ana", "ana")
    synced: list[str] = []
    failures: list[str] = []
    threads = [
        threading.Thread(target=_work, args=(folder, n, synced, failures))
        for n, folder in enumerate(clones)
    ]
    for thread in threads:
        thread.start()
    # Meanwhile: a push that breaks the ledger, one that deletes the approval, and ana's
    # approval of her own commits, recorded by hand.
    add_entry(ana, UNBALANCED_ZH, "An unbalanced fare")
    broken = _push_fresh(ana, "HEAD:main")
    deleted = push(ana, ":refs/tags/beanfirm/approved/huamei/0001")
    git(ana, "reset", "-q", "--hard", "HEAD~1")
    own = push(ana, f"refs/tags/{forged_approval(ana, 'huamei', 'ana', number=2)}")
    add_entry(ana, entry(20, "a fare in the locked month", "9.00"), "Edit January")
    locked = _push_fresh(ana, "HEAD:main")
    for thread in threads:
        thread.join(timeout=600)
    assert broken.returncode != 0
    assert "would break the ledger of client huamei" in broken.stderr
    assert deleted.returncode != 0
    assert "ana approved commits they wrote themselves" in own.stderr
    assert locked.returncode != 0
    assert "would break the ledger of client huamei" in locked.stderr
    assert not remote_ref(bare, "refs/tags/beanfirm/approved/huamei/0002")
    assert remote_ref(bare, "refs/tags/beanfirm/approved/huamei/0001")
    # A sync may give up when the remote keeps moving; it says so and loses nothing.
    assert all("kept moving" in failure for failure in failures), failures
    print(f"{len(synced)} syncs, {len(failures)} gave up")  # noqa: T201
    assert len(synced) >= CLONES // 2
    on_remote = git(bare, "log", "--format=%s", "main").splitlines()
    for import_id in synced:
        assert f"Import {import_id}" in on_remote, import_id
    repo = PracticeRepo.open_bare(bare)
    assert problems_at(repo, "main", "huamei") == []
    months = {path: git(bare, "show", f"main:{path}") for path in (FEBRUARY, MARCH)}
    assert not any("<<<<<<<" in text for text in months.values())
    assert "locked month" not in git(bare, "show", "main:ledgers/huamei/journal/2025/01.beancount")
    for import_id in synced:
        month = FEBRUARY if int(import_id.split("-")[1]) % 2 else MARCH
        assert months[month].count(f'"{import_id}"') == 1, import_id
