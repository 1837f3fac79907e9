"""Measure what beanfirm's four plugins add to the load time of a 100,000-transaction ledger.

Generates a practice of two synthetic clients of about 100,000 transactions each (a retail
shop, then a wholesaler with invoices, bills and payments; fixed seed), then for each ledger
loads, side by side and alternately, its `main.beancount` (with the four plugin lines the
generator writes) and a copy without the plugin lines, each load in a fresh Python process,
the way `beanfirm check` and Fava load (no pickle cache). Prints the median load times, the
ratio, and the time of each plugin as Beancount's loader logs it. Target of issue 5: all four
plugins together add at most 15%.

    .venv/bin/python benchmarks/bench_plugins.py [--transactions 100000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from timing import generate_practice, print_compared

BIN = Path(sys.executable).parent
# The practice's first day and seed, named here rather than taken from the generator's
# defaults, so that the benchmark measures the same ledgers when the demo moves on. Its checks
# count days as of a day the generator pins (23 days after the last month), not the real today.
START = "2025-10-01"
SEED = "20251001"
PLUGIN_LINE = re.compile(r'^plugin "beanfirm\.plugins\.')
TIMING = re.compile(r"Operation: '([^']+)'\s+Time:\s+([\d.]+) ms")
LOADER = """
import json, sys, time
from beancount import loader
lines = []
started = time.perf_counter()
entries, errors, options = loader._load([(sys.argv[1], True)], lines.append, None, None)
seconds = time.perf_counter() - started
print(json.dumps({"seconds": seconds, "errors": len(errors), "timings": lines}))
"""


def load(main: Path) -> dict[str, object]:
    proc = subprocess.run(
        [sys.executable, "-c", LOADER, str(main)], capture_output=True, text=True, check=True
    )
    result: dict[str, object] = json.loads(proc.stdout)
    return result


def plugin_times(timings: object) -> dict[str, float]:
    found: dict[str, float] = {}
    for line in timings if isinstance(timings, list) else []:
        match = TIMING.search(str(line))
        if match and match.group(1).startswith("beanfirm.plugins."):
            found[match.group(1).rsplit(".", 1)[-1]] = float(match.group(2)) / 1000
    return found


def bench(main: Path, repeat: int) -> None:
    bare = main.with_name("main-without-plugins.beancount")
    text = main.read_text(encoding="utf-8")
    bare.write_text(
        "".join(line for line in text.splitlines(keepends=True) if not PLUGIN_LINE.match(line)),
        encoding="utf-8",
    )
    with_plugins: list[float] = []
    without: list[float] = []
    per_plugin: dict[str, list[float]] = {}
    errors = 0
    for _ in range(repeat):
        plain = load(bare)
        full = load(main)
        without.append(float(str(plain["seconds"])))
        with_plugins.append(float(str(full["seconds"])))
        errors = int(str(full["errors"])) - int(str(plain["errors"]))
        for name, seconds in plugin_times(full["timings"]).items():
            per_plugin.setdefault(name, []).append(seconds)
    print(f"{main.parent.name}: {repeat} cold loads of each, alternating, in fresh processes")
    print_compared({"without plugins": without, "with plugins": with_plugins})
    # The loader times each plugin itself (the plugin, then its re-sort of the entries): a
    # figure that the noise of a shared machine disturbs far less than whole loads.
    own = {name: statistics.median(times) for name, times in per_plugin.items()}
    for name, seconds in own.items():
        print(f"    {name:12} {seconds:6.3f} s")
    total = sum(own.values())
    print(
        f"  the four plugins: {total:.3f} s = {total / min(without) * 100:.1f}% of the fastest "
        f"load without them; findings: {errors}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--transactions", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="Generate into (or reuse) this folder.")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="beanfirm-bench-plugins-"))
    practice = work / f"practice-2x{args.transactions}"
    generate_practice(practice, clients=2, transactions=args.transactions, start=START, seed=SEED)
    try:
        for client in ("client-0001", "client-0002"):
            bench(practice / "ledgers" / client / "main.beancount", args.repeat)
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
