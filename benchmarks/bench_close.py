"""Measure `beanfirm close --all` of a practice against a cold `beanfirm check` of it (issue 16).

Generates a practice (default 200 clients x 5,000 transactions, fixed seed) and makes it one
that can close October 2026: the entries awaiting categorization are booked to an expense or
income account of the client's chart and flagged `*`, committed by a preparer, and a reviewer
approves every client. Then, alternating, in one run:

1. `beanfirm check` with an empty check cache (one worker per core);
2. `beanfirm close --all --period 2026-10 --as wang` with an empty check cache: per client
   one load in a worker (checklist, closing entries, statements as PDF, XLSX and JSON, seal),
   then the write, checked by the write path's own load, and one commit; afterwards the
   practice is put back (`git reset --hard`) for the next run.

Prints each run, the seconds per client, the ratio and the load average. Target: close --all
at most 1.3x the cold check. `--keep DIR` makes the practice there once and reuses it (making
200 clients closable takes minutes); the closes are undone after each run.

    .venv/bin/python benchmarks/bench_close.py [--clients 200] [--transactions 5000] [--runs 2]
        [--keep DIR]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from bench_financials import categorize
from timing import generate_practice, print_compared, timed_run

BIN = Path(sys.executable).parent
START = "2025-10-01"
SEED = "20251001"
PERIOD = "2026-10"
FLAGGED = re.compile(r"^(\d{4}-\d{2}-\d{2}) ! ", re.MULTILINE)
PREPARER = {"GIT_AUTHOR_NAME": "Li Preparer", "GIT_AUTHOR_EMAIL": "li@bench.invalid"}


def _git(practice: Path, *args: str) -> str:
    env = {**os.environ, **PREPARER, "GIT_COMMITTER_NAME": "Li Preparer"}
    env["GIT_COMMITTER_EMAIL"] = PREPARER["GIT_AUTHOR_EMAIL"]
    done = subprocess.run(
        ["git", *args], cwd=practice, env=env, check=True, capture_output=True, text=True
    )
    return done.stdout.strip()


def make_closable(practice: Path) -> list[str]:
    """Book what awaits categorization, commit it as a preparer, approve every client."""
    clients = sorted(path.name for path in (practice / "ledgers").iterdir() if path.is_dir())
    for client in clients:
        folder = practice / "ledgers" / client
        categorize(folder)
        for path in (folder / "journal").rglob("*.beancount"):
            text = path.read_text(encoding="utf-8")
            path.write_text(FLAGGED.sub(r"\1 * ", text), encoding="utf-8")
    if not (practice / ".git").exists():
        _git(practice, "init", "-q", "-b", "main")
    _git(practice, "add", "-A")
    _git(practice, "commit", "-qm", "The practice, categorized")
    approve = [str(BIN / "beanfirm"), "--as", "wang", "approve", *clients]
    timed_run(approve, practice)
    return clients


def _cold(practice: Path) -> None:
    shutil.rmtree(practice / ".beanfirm" / "cache", ignore_errors=True)
    for cache in practice.rglob("*.picklecache"):
        cache.unlink()


def main() -> None:
    """Run the benchmark."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--transactions", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--keep", type=Path, help="Make the practice in (or reuse) this folder.")
    args = parser.parse_args()
    os.environ["BEANCOUNT_DISABLE_LOAD_CACHE"] = "1"
    with tempfile.TemporaryDirectory() as tmp:
        practice = (args.keep or Path(tmp)) / f"practice-{args.clients}x{args.transactions}"
        made = practice / ".git" / "bench-close-base"  # the closable commit, once made
        if made.is_file():
            clients = sorted(p.name for p in (practice / "ledgers").iterdir() if p.is_dir())
            base = made.read_text(encoding="utf-8").strip()
            _git(practice, "reset", "-q", "--hard", base)
        else:
            generate_practice(
                practice,
                clients=args.clients,
                transactions=args.transactions,
                start=START,
                seed=SEED,
            )
            clients = make_closable(practice)
            base = _git(practice, "rev-parse", "HEAD")
            made.write_text(base + "\n", encoding="utf-8")
        print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        runs: dict[str, list[float]] = {"check (cold)": [], "close --all": []}
        for _ in range(args.runs):
            _cold(practice)
            elapsed, _ = timed_run([str(BIN / "beanfirm"), "check"], practice, findings_ok=True)
            runs["check (cold)"].append(elapsed)
            _cold(practice)
            argv = [str(BIN / "beanfirm"), "close", "--all", "--period", PERIOD, "--as", "wang"]
            elapsed, out = timed_run(argv, practice)
            closed = out.count(" closed ")
            if closed != len(clients):
                print(out[-3000:])
                msg = f"close --all closed {closed} of {len(clients)} clients"
                raise SystemExit(msg)
            runs["close --all"].append(elapsed)
            _git(practice, "reset", "-q", "--hard", base)
        print(f"load average after:  {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        print(f"{len(clients)} clients x about {args.transactions} transactions, {PERIOD}")
        print_compared(runs)
        for label, times in runs.items():
            print(f"  {label:16} {min(times) / len(clients):.3f} s per client (fastest run)")


if __name__ == "__main__":
    main()
