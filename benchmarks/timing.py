"""Timing a beanfirm command from a benchmark script: its wall time and output, its arguments."""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path


def timed_run(argv: list[str], cwd: Path, *, findings_ok: bool = False) -> tuple[float, str]:
    """Run a command; return its wall time and output. Exit 1 is fine where it means findings."""
    started = time.perf_counter()
    proc = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    if proc.returncode != 0 and not (findings_ok and proc.returncode == 1):
        print(proc.stdout[-2000:], proc.stderr[-2000:])
        msg = f"{' '.join(argv[:3])} failed with {proc.returncode}"
        raise SystemExit(msg)
    return elapsed, proc.stdout


def print_compared(runs: dict[str, list[float]]) -> None:
    """Print two series of runs (without, then with) and their fastest and median ratios."""
    (bare_label, bare), (full_label, full) = runs.items()
    for label, times in ((bare_label, bare), (full_label, full)):
        print(f"  {label:16} runs {', '.join(f'{t:.2f}' for t in times)} s")
    for label, pick in (("fastest", min), ("median", statistics.median)):
        bare_s, full_s = pick(bare), pick(full)
        print(f"  {label:8} {bare_s:6.2f} s -> {full_s:6.2f} s   ratio {full_s / bare_s:.3f}")


def generate_practice(
    practice: Path, *, clients: int, transactions: int, start: str, seed: str
) -> None:
    """Generate a synthetic practice without a commit (once: a folder that has one is reused)."""
    if (practice / "clients.yaml").exists():
        return
    started = time.perf_counter()
    argv = [
        str(Path(sys.executable).parent / "beanfirm"), "generate", str(practice),
        "--clients", str(clients), "--transactions", str(transactions),
        "--start", start, "--seed", seed, "--no-commit",
    ]  # fmt: skip
    subprocess.run(argv, check=True, capture_output=True)
    print(f"generated {practice} in {time.perf_counter() - started:.1f} s")


def cold_arguments(description: str, *, transactions: int, runs: int = 3) -> argparse.Namespace:
    """Parse a benchmark's `--transactions N --runs N`; turn Beancount's pickle cache off."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--transactions", type=int, default=transactions)
    parser.add_argument("--runs", type=int, default=runs)
    args = parser.parse_args()
    os.environ["BEANCOUNT_DISABLE_LOAD_CACHE"] = "1"
    return args
