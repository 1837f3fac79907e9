"""Measure `beanfirm check` against `bean-check` run on each ledger one after another.

Generates a practice (default 200 clients x 5,000 transactions, fixed seed), then in one run:
1. `bean-check` on every client's main.beancount, sequentially (what a firm does without
   beanfirm);
2. `beanfirm check` cold (empty cache), with one worker per core;
3. `beanfirm check` again after one client changed (an uncommitted entry appended).
Prints the times and the two ratios the issue sets targets for (>= 1.7x, <= 5%).

The practice starts on a fixed day (`START`), and the generator pins the day its checks count
grace periods and lags from (the plugins' `today`, 23 days after the last month), so the run
finds the same on any day: no errors, and the warnings of the retail clients' entries that
await categorization. bean-check reports those warnings and exits 1 after a full load, which
is what is timed; `beanfirm check` must report no errors.

    .venv/bin/python benchmarks/bench_check.py [--clients 200] [--transactions 5000]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

from timing import timed_run

BIN = Path(sys.executable).parent
# The practice's first day and seed, named here rather than taken from the generator's
# defaults, so that the benchmark measures the same ledgers when the demo moves on. Its checks
# count days as of a day the generator pins (23 days after the last month), not the real today.
START = "2025-10-01"
SEED = "20251001"
PINNED = re.compile(r"'today': '(\d{4}-\d{2}-\d{2})'")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--transactions", type=int, default=5000)
    parser.add_argument("--keep", type=Path, help="Generate into (or reuse) this folder.")
    args = parser.parse_args()

    work = args.keep or Path(tempfile.mkdtemp(prefix="beanfirm-bench-"))
    practice = work / f"practice-{args.clients}x{args.transactions}"
    if not (practice / "clients.yaml").exists():
        started = time.perf_counter()
        timed_run(
            [
                str(BIN / "beanfirm"),
                "generate",
                str(practice),
                "--clients",
                str(args.clients),
                "--transactions",
                str(args.transactions),
                "--start",
                START,
                "--seed",
                SEED,
            ],
            cwd=work,
        )
        print(
            f"generated {args.clients} clients x ~{args.transactions} transactions "
            f"in {time.perf_counter() - started:.1f} s"
        )
    clients = sorted(p.name for p in (practice / "ledgers").iterdir() if p.is_dir())
    for cache in practice.rglob("*.picklecache"):
        cache.unlink()

    pinned = PINNED.search((practice / "ledgers" / clients[0] / "main.beancount").read_text())

    sequential = 0.0
    for client in clients:
        seconds, _ = timed_run(
            [str(BIN / "bean-check"), f"ledgers/{client}/main.beancount"],
            cwd=practice,
            findings_ok=True,
        )
        sequential += seconds
    for cache in practice.rglob("*.picklecache"):
        cache.unlink()
    shutil.rmtree(practice / ".beanfirm", ignore_errors=True)
    cold, report = timed_run([str(BIN / "beanfirm"), "check", "--json"], cwd=practice)
    warnings = sum(len(result["warnings"]) for result in json.loads(report))

    changed = practice / "ledgers" / clients[0] / "journal"
    month = max(changed.rglob("*.beancount"))
    original = month.read_bytes()
    month.write_bytes(original + b"\n; a change after the cold run\n")
    try:
        rerun, _ = timed_run([str(BIN / "beanfirm"), "check", "--json"], cwd=practice)
    finally:
        month.write_bytes(original)

    cores = os.cpu_count()
    print(f"clients: {len(clients)}, cores: {cores}")
    print(
        f"checks as of {pinned.group(1) if pinned else 'today (not pinned)'}: "
        f"no errors, {warnings} warnings"
    )
    print(f"bean-check, each ledger in turn: {sequential:8.1f} s")
    print(
        f"beanfirm check, cold:            {cold:8.1f} s   "
        f"speed-up {sequential / cold:.2f}x (target >= 1.7x)"
    )
    print(
        f"beanfirm check, one client changed: {rerun:5.2f} s   "
        f"{100 * rerun / cold:.1f}% of cold (target < 5%)"
    )
    if args.keep is None:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
