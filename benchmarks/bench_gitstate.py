"""Measure what crash safety around git costs: the check every write makes, and sync's extra steps.

1. The check every write makes before anything else (`beanfirm.store.gitstate.git_operation`:
   is git in the middle of a rebase, merge, cherry-pick, revert or bisect, is HEAD detached, was
   a sync killed) on a generated practice (fixed seed and start; default 200 clients x 200
   transactions), against the `git status --porcelain` that the brief ruled out for it, side by
   side in one run: the median of `--runs` rounds, each round `--calls` checks and one status.
2. What sync adds to keep the branch safe from a kill (record where the branch was, detach
   HEAD, put it back on the branch, drop the record: `PracticeRepo.detach_head`,
   `attach_head`) against a whole `beanfirm sync -n` with nothing to take or push, in a clone of
   that practice, alternating, the median of `--runs`.

    env -u PYTHONDONTWRITEBYTECODE .venv/bin/python benchmarks/bench_gitstate.py
        [--clients 200] [--transactions 200] [--runs 5] [--calls 1000]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from timing import generate_practice, timed_run

from beanfirm.store.gitrepo import PracticeRepo
from beanfirm.store.gitstate import (
    drop_sync_start,
    git_operation,
    record_sync_start,
)

BEANFIRM = str(Path(sys.executable).parent / "beanfirm")
START = "2025-01-01"
SEED = "20250101"


def git(folder: Path, *args: str) -> str:
    """Run git in a folder; return its output."""
    return subprocess.run(
        ["git", *args], cwd=folder, capture_output=True, text=True, check=True
    ).stdout


def committed_practice(folder: Path, clients: int, transactions: int) -> Path:
    """The generated practice, committed on branch main (made once, reused)."""
    practice = folder / "practice"
    generate_practice(practice, clients=clients, transactions=transactions, start=START, seed=SEED)
    done = subprocess.run(
        ["git", "rev-parse", "--verify", "--quiet", "HEAD"],
        cwd=practice,
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        if not (practice / ".git").exists():
            git(practice, "init", "-q")
        git(practice, "add", "--all")
        git(
            practice,
            "-c",
            "user.name=Bench",
            "-c",
            "user.email=bench@bench.invalid",
            "commit",
            "-qm",
            "The generated practice",
        )
        git(practice, "branch", "-M", "main")
    return practice


def the_check(practice: Path, runs: int, calls: int) -> None:
    """Part 1: the check of every write against one `git status` of the practice."""
    repo = PracticeRepo(practice)
    if git_operation(repo.git_dir, repo.state_dir) is not None:
        msg = f"git is in the middle of something in {practice}: nothing to measure"
        raise SystemExit(msg)
    checks, statuses = [], []
    for _ in range(runs):
        started = time.perf_counter()
        for _ in range(calls):
            git_operation(repo.git_dir, repo.state_dir)
        checks.append((time.perf_counter() - started) / calls)
        started = time.perf_counter()
        git(practice, "status", "--porcelain", "--untracked-files=all")
        statuses.append(time.perf_counter() - started)
    check, status = statistics.median(checks), statistics.median(statuses)
    print("1. the check every write makes, median of", runs, "rounds")
    print(f"  git_operation        {check * 1e6:9.1f} us a call ({calls} calls a round)")
    print(f"  git status           {status * 1e6:9.1f} us")
    print(f"  check / status       {check / status:9.5f}x")


def sync_steps(practice: Path, folder: Path, runs: int) -> None:
    """Part 2: sync's record, detach and attach against a whole `beanfirm sync -n`."""
    bare = folder / "firm.git"
    if not bare.exists():
        git(folder, "clone", "-q", "--bare", str(practice), str(bare))
    clone = folder / "clone"
    if not clone.exists():
        git(folder, "clone", "-q", str(bare), str(clone))
        git(clone, "config", "user.email", "bench@bench.invalid")
    repo = PracticeRepo(clone)
    steps, syncs = [], []
    for run in range(runs):
        order = ("steps", "sync") if run % 2 == 0 else ("sync", "steps")
        for what in order:
            if what == "sync":
                took, _out = timed_run([BEANFIRM, "sync", "-n"], clone)
                syncs.append(took)
                continue
            started = time.perf_counter()
            record_sync_start(repo.state_dir, "main", repo.head() or "")
            repo.detach_head()
            repo.attach_head("main")
            drop_sync_start(repo.state_dir)
            steps.append(time.perf_counter() - started)
    step, sync = statistics.median(steps), statistics.median(syncs)
    print("2. what sync adds against a whole `beanfirm sync -n`, median of", runs)
    print(
        f"  record, detach, attach, drop {step:7.3f} s   runs "
        + ", ".join(f"{t:.3f}" for t in steps)
    )
    print(
        f"  beanfirm sync -n             {sync:7.3f} s   runs "
        + ", ".join(f"{t:.3f}" for t in syncs)
    )
    print(f"  added / sync                 {step / sync:7.3f}x")


def main() -> None:
    """Run both parts on one generated practice."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--transactions", type=int, default=200)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--calls", type=int, default=1000)
    parser.add_argument("--folder", type=Path, help="keep the practice here between runs")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-gitstate-") as scratch:
        folder = args.folder or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        practice = committed_practice(folder, args.clients, args.transactions)
        files = len(git(practice, "ls-files").splitlines())
        print(f"practice: {args.clients} clients, {files} files")
        the_check(practice, args.runs, args.calls)
        sync_steps(practice, folder, args.runs)


if __name__ == "__main__":
    main()
