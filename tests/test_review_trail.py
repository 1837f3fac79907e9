"""What waits for review across merges, and the lock and reopen directives in the audit trail."""

from __future__ import annotations

import datetime
import subprocess
from pathlib import Path

from beanfirm.review.audit import git_timeline
from beanfirm.review.pending import Ancestry, pending_reviews
from beanfirm.store.approvals import write_approval
from beanfirm.store.gitrepo import Author, PracticeRepo
from beanfirm.store.registry import Firm, Registry, Staff

WANG = Staff("wang", "Wang Reviewer", "wang@firm.example", "reviewer")
CHEN = Staff("chen", "Chen Partner", "chen@firm.example", "partner")
LI = Author("Li Preparer", "li@firm.example")
REGISTRY = Registry(Path("clients.yaml"), Firm("Firm", (WANG, CHEN)), ())
LOCK = '2026-10-31 custom "beanfirm-lock" "sha256:00ff"\n  by: "wang"\n'
REOPEN = (
    '2026-12-02 custom "beanfirm-reopen" 2026-10-31 "the bank sent a corrected statement"\n'
    '  by: "chen"\n'
)


def git(root: Path, *args: str) -> str:
    """Run git in `root` and return its output."""
    return subprocess.run(
        ["git", "-C", str(root), *args], check=True, capture_output=True, text=True
    ).stdout.strip()


def write(repo: PracticeRepo, relpath: str, text: str, author: Author = LI) -> str:
    """Write a file and commit it."""
    path = repo.root / relpath
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return repo.commit([relpath], f"Change {relpath}", author)


def test_ancestry_follows_merges() -> None:
    # d merges b and c, both children of a; e is on another line.
    graph = {"d": ("b", "c"), "c": ("a",), "b": ("a",), "a": (), "e": ()}
    ancestry = Ancestry(graph)
    assert not ancestry.linear
    assert ancestry.reaches("d", "c")
    assert ancestry.reaches("b", "a")
    assert not ancestry.reaches("b", "c")
    assert not ancestry.reaches("d", "e")
    line = Ancestry({"c": ("b",), "b": ("a",), "a": ()})
    assert line.reaches("b", "a")
    assert not line.reaches("b", "c")


def test_a_commit_merged_in_from_a_side_branch_waits(tmp_path: Path) -> None:
    repo = PracticeRepo.init(tmp_path / "practice")
    git(repo.root, "config", "user.name", "Nobody")
    git(repo.root, "config", "user.email", "nobody@example.com")
    first = write(repo, "ledgers/acme/main.beancount", "; one\n")
    write(repo, "ledgers/other/main.beancount", "; other\n")
    write_approval(repo, "acme", WANG, first, previous=None, commits=1)
    git(repo.root, "checkout", "-q", "-b", "side", first)
    side = write(repo, "ledgers/acme/side.beancount", "; side\n")
    git(repo.root, "checkout", "-q", "-")
    git(repo.root, "merge", "-q", "--no-edit", "side")
    pending = pending_reviews(repo, ["acme", "other"])
    assert [c.sha for c in pending["acme"].commits] == [side]
    assert len(pending["other"].commits) == 1
    assert pending["acme"].approval is not None


def test_locks_and_reopens_appear_in_the_trail(tmp_path: Path) -> None:
    repo = PracticeRepo.init(tmp_path / "practice")
    locks = "ledgers/acme/locks.beancount"
    write(repo, "ledgers/acme/main.beancount", "; books\n")
    write(repo, locks, LOCK, Author("Wang Reviewer", "wang@firm.example"))
    write(repo, locks, LOCK + REOPEN, Author("Chen Partner", "chen@firm.example"))
    trail = git_timeline(repo, REGISTRY, ["acme"])
    events = [(e.kind, e.who, e.what) for e in trail if e.kind in ("lock", "reopen")]
    assert events == [
        ("lock", "wang", "locked through 2026-10-31"),
        ("reopen", "chen", "reopened the lock of 2026-10-31 the bank sent a corrected statement"),
    ]
    commits = [(e.kind, e.who) for e in trail if e.kind == "commit"]
    assert commits == [
        ("commit", "Li Preparer <li@firm.example>"),
        ("commit", "wang"),
        ("commit", "chen"),
    ]
    # a reopen written by hand in chen's name, committed by li: the trail names li
    write(repo, locks, LOCK + REOPEN + REOPEN.replace("2026-12", "2026-11"), LI)
    [forged] = [e for e in git_timeline(repo, REGISTRY, ["acme"]) if e.kind == "reopen"][1:]
    assert forged.who == "Li Preparer <li@firm.example>"
    assert forged.what.endswith("(says by: chen, but written by Li Preparer <li@firm.example>)")
    later = git_timeline(
        repo, REGISTRY, ["acme"], since=datetime.datetime(2999, 1, 1, tzinfo=datetime.UTC)
    )
    assert later == []
