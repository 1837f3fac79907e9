"""Measure `beanfirm check` against `bean-check` run on each ledger one after another.

Generates a practice (default 200 clients x 5,000 transactions, fixed seed), then in one run:
1. `bean-check` on every client's main.beancount, sequentially (what a firm does without
   beanfirm);
2. `beanfirm check` cold (empty cache), with one worker per core;
3. `beanfirm check` again after one client changed (an uncommitted entry appended).
Prints the times and the two ratios the issue sets targets for (>= 1.7x, <= 5%).

    .venv/bin/python benchmarks/bench_check.py [--clients 200] [--transactions 5000]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BIN = Path(sys.executable).parent


def timed(argv: list[str], cwd: Path) -> float:
    started = time.perf_counter()
    proc = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    if proc.returncode != 0:
        print(proc.stdout[-2000:], proc.stderr[-2000:])
        msg = f"{argv[0]} failed with {proc.returncode}"
        raise SystemExit(msg)
    return elapsed


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
        timed(
            [
                str(BIN / "beanfirm"),
                "generate",
                str(practice),
                "--clients",
                str(args.clients),
                "--transactions",
                str(args.transactions),
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

    sequential = 0.0
    for client in clients:
        sequential += timed(
            [str(BIN / "bean-check"), f"ledgers/{client}/main.beancount"], cwd=practice
        )
    for cache in practice.rglob("*.picklecache"):
        cache.unlink()
    shutil.rmtree(practice / ".beanfirm", ignore_errors=True)
    cold = timed([str(BIN / "beanfirm"), "check", "--json"], cwd=practice)

    changed = practice / "ledgers" / clients[0] / "journal"
    month = max(changed.rglob("*.beancount"))
    original = month.read_bytes()
    month.write_bytes(original + b"\n; a change after the cold run\n")
    try:
        rerun = timed([str(BIN / "beanfirm"), "check", "--json"], cwd=practice)
    finally:
        month.write_bytes(original)

    cores = os.cpu_count()
    print(f"clients: {len(clients)}, cores: {cores}")
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
