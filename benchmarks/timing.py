"""Timing a beanfirm command from a benchmark script: its wall time and its output."""

from __future__ import annotations

import subprocess
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
