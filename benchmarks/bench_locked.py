"""Measure what the `locked` plugin adds to the load of a 100,000-transaction ledger.

Generates one synthetic client of about 100,000 transactions (a retail shop, 13 months, fixed
seed), locks it through its twelfth month the way `beanfirm lock` does (the seal of the entries
as the plugin sees them, `beanfirm.store.ledger.load_until_plugin`), then loads, side by side and
alternately, its `main.beancount` (the five plugin lines and the lock) and a copy without the
`locked` line, each load in a fresh Python process the way `beanfirm check` and Fava load (no
pickle cache). Prints the median and fastest loads, their ratio, and the plugin's own time as
Beancount's loader logs it. Target: small next to the load.

    .venv/bin/python benchmarks/bench_locked.py [--transactions 100000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import datetime
import json
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from timing import generate_practice, print_compared

from beanfirm.jobs.locking import lock_directive
from beanfirm.plugins.locked import MODULE
from beanfirm.plugins.seal import seal
from beanfirm.store.ledger import load_until_plugin

BIN = Path(sys.executable).parent
START = "2025-10-01"  # named here, so that the benchmark measures the same ledger over time
SEED = "20251001"
THROUGH = datetime.date(2026, 9, 30)  # the twelfth of the thirteen months
TIMING = re.compile(r"Operation: '([^']+)'\s+Time:\s+([\d.]+) ms")
LOADER = """
import json, sys, time
from beancount import loader
lines = []
started = time.perf_counter()
entries, errors, options = loader._load([(sys.argv[1], True)], lines.append, None, None)
seconds = time.perf_counter() - started
print(json.dumps({"seconds": seconds, "errors": [str(e.message) for e in errors],
                  "timings": lines}))
"""


def load(main: Path) -> dict[str, object]:
    proc = subprocess.run(
        [sys.executable, "-c", LOADER, str(main)], capture_output=True, text=True, check=True
    )
    result: dict[str, object] = json.loads(proc.stdout)
    return result


def own_time(timings: object) -> float:
    for line in timings if isinstance(timings, list) else []:
        match = TIMING.search(str(line))
        if match and match.group(1) == MODULE:
            return float(match.group(2)) / 1000
    return 0.0


def locked_errors(result: dict[str, object]) -> int:
    errors = result["errors"]
    return sum("are locked" in str(e) for e in errors) if isinstance(errors, list) else 0


def lock(main: Path) -> None:
    """Write the lock `beanfirm lock` would write (without its checks and commit)."""
    started = time.perf_counter()
    seen = load_until_plugin(main, MODULE)
    sealed = seal(seen.entries, THROUGH, str(main.parent))
    locks = main.with_name("locks.beancount")
    locks.write_text(locks.read_text(encoding="utf-8") + "\n" + lock_directive(sealed, "bench"))
    count = sum(month.count for month in sealed.months)
    print(
        f"sealed {count} entries through {THROUGH} in {time.perf_counter() - started:.1f} s "
        "(parse, book and seal: what `beanfirm lock` adds to its check)"
    )


def bench(main: Path, repeat: int) -> None:
    bare = main.with_name("main-without-locked.beancount")
    text = main.read_text(encoding="utf-8")
    bare.write_text(text.replace(f'plugin "{MODULE}"\n', ""), encoding="utf-8")
    with_plugin: list[float] = []
    without: list[float] = []
    own: list[float] = []
    findings = 0
    for _ in range(repeat):
        plain = load(bare)
        full = load(main)
        without.append(float(str(plain["seconds"])))
        with_plugin.append(float(str(full["seconds"])))
        own.append(own_time(full["timings"]))
        findings = locked_errors(full)
    print(f"{repeat} cold loads of each, alternating, in fresh processes")
    print_compared({"without locked": without, "with locked": with_plugin})
    median_own = statistics.median(own)
    print(
        f"  the plugin's own time: {median_own:.3f} s = "
        f"{median_own / min(without) * 100:.1f}% of the fastest load; lock errors: {findings}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--transactions", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="Generate into (or reuse) this folder.")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="beanfirm-bench-locked-"))
    practice = work / f"practice-1x{args.transactions}"
    main_file = practice / "ledgers" / "client-0001" / "main.beancount"
    if not (practice / "clients.yaml").exists():
        generate_practice(
            practice, clients=1, transactions=args.transactions, start=START, seed=SEED
        )
        lock(main_file)
    try:
        bench(main_file, args.repeat)
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
