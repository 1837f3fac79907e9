"""Measure `beanfirm diff` of a 500-entry import commit against `git diff` of the same commit.

Writes two practices straight to disk (fixed seed, fixed dates), each one client at the same
pace of about 1,667 transactions a month: 100,000 transactions over the 60 months 2021-01 to
2025-12, and 10,000 over the 6 months 2025-07 to 2025-12, committed; then on top of each, one
commit that adds 500 entries (an import of 2025-12's bank export) to the last month file. So
the change and the file it lands in are the same size, and only the ledger differs. Side by
side, median of N runs (wall time, and CPU time, which the machine's load disturbs less):
1. `git diff HEAD~1 HEAD` (the raw text);
2. `beanfirm diff HEAD` (the whole command: start-up, git, parsing, comparing, printing);
3. the diff itself in-process (`beanfirm.review.changes.diff`), without the start-up;
4. `git diff HEAD~1 HEAD` with beanfirm's diff driver installed (what a reviewer's git runs);
and `beanfirm --version` alone, the command line's start-up. The target: (2) under 1 s at both
sizes, not growing with the ledger.

    .venv/bin/python benchmarks/bench_diff.py [--runs 5]
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

from timing import timed_run

from beanfirm.jobs.diffdriver import ATTRIBUTE_LINE, driver_config
from beanfirm.review.changes import diff
from beanfirm.store.gitrepo import PracticeRepo

if TYPE_CHECKING:
    from collections.abc import Callable

BIN = Path(sys.executable).parent
LAST_MONTH = datetime.date(2025, 12, 1)
PER_MONTH = 1_667
IMPORTED = 500
PAYEES = ("上海恒基物业", "中国石化", "顺丰速运", "美团外卖", "Amazon Payments", "某某餐厅")
EXPENSES = ("Expenses:Rent", "Expenses:Fuel", "Expenses:Postage", "Expenses:Meals")
REGISTRY = """firm:
  name: Bench Firm
  staff:
  - id: ana
    name: Ana Partner
    email: ana@bench.invalid
    role: partner
clients: []
"""
GIT_ENV = {
    "GIT_AUTHOR_NAME": "Ana Partner",
    "GIT_AUTHOR_EMAIL": "ana@bench.invalid",
    "GIT_COMMITTER_NAME": "Ana Partner",
    "GIT_COMMITTER_EMAIL": "ana@bench.invalid",
    "GIT_AUTHOR_DATE": "2026-01-05T10:00:00+08:00",
    "GIT_COMMITTER_DATE": "2026-01-05T10:00:00+08:00",
}


def month_of(index: int, months: int) -> datetime.date:
    """Return the month `index` of `months` months that end with LAST_MONTH."""
    back = months - 1 - index
    serial = LAST_MONTH.year * 12 + LAST_MONTH.month - 1 - back
    return datetime.date(serial // 12, serial % 12 + 1, 1)


def transaction(rng: random.Random, day: datetime.date, row: int, prefix: str) -> str:
    amount = f"{rng.randint(100, 900000) / 100:.2f}"
    payee = rng.choice(PAYEES)
    return (
        f'{day} * "{payee}" "bank row {row}"\n'
        f'  import-id: "{prefix}-{row}"\n'
        f"  {rng.choice(EXPENSES):<60} {amount:>12} CNY\n"
        f"  {'Assets:Bank:CMB':<60} {'-' + amount:>12} CNY\n"
    )


def month_entries(rng: random.Random, month: datetime.date, count: int, prefix: str) -> list[str]:
    days = sorted(rng.randint(1, 28) for _ in range(count))
    return [transaction(rng, month.replace(day=d), i, prefix) for i, d in enumerate(days)]


def git(folder: Path, *args: str) -> None:
    subprocess.run(
        ["git", *args], cwd=folder, env={**os.environ, **GIT_ENV}, check=True, capture_output=True
    )


def build(folder: Path, transactions: int) -> str:
    """Write a practice whose client has `transactions` entries, and the import commit."""
    rng = random.Random(20260105 + transactions)
    client = folder / "ledgers/bench"
    (client / "journal").mkdir(parents=True)
    (folder / "clients.yaml").write_text(REGISTRY, encoding="utf-8")
    (client / "main.beancount").write_text(
        'option "operating_currency" "CNY"\ninclude "accounts.beancount"\n'
        'include "journal/*/*.beancount"\n',
        encoding="utf-8",
    )
    opens = ["Assets:Bank:CMB", *EXPENSES]
    (client / "accounts.beancount").write_text(
        "".join(f"2020-12-01 open {account} CNY\n" for account in opens), encoding="utf-8"
    )
    months = max(1, round(transactions / PER_MONTH))
    per_month = transactions // months
    last = ""
    for index in range(months):
        month = month_of(index, months)
        path = client / f"journal/{month.year:04d}/{month.month:02d}.beancount"
        path.parent.mkdir(exist_ok=True)
        entries = month_entries(rng, month, per_month, f"m{index}")
        text = f"; {month:%Y-%m}\n\n" + "\n".join(entries)
        path.write_text(text, encoding="utf-8")
        last = str(path.relative_to(folder))
    git(folder, "init", "-q")
    git(folder, "add", ".")
    git(folder, "commit", "-qm", "History")
    path = folder / last
    extra = month_entries(rng, LAST_MONTH, IMPORTED, "import")
    path.write_text(path.read_text(encoding="utf-8") + "\n" + "\n".join(extra), encoding="utf-8")
    git(folder, "commit", "-qam", f"Import {IMPORTED} rows")
    return last


def median_of(runs: int, work: Callable[[], object]) -> tuple[float, float]:
    """Return the median wall time and CPU time (this process and its children) of `work`."""
    walls, cpus = [], []
    for _ in range(runs):
        cpu = _cpu_seconds()
        started = time.perf_counter()
        work()
        walls.append(time.perf_counter() - started)
        cpus.append(_cpu_seconds() - cpu)
    return statistics.median(walls), statistics.median(cpus)


def _cpu_seconds() -> float:
    mine = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return mine.ru_utime + mine.ru_stime + children.ru_utime + children.ru_stime


def run(folder: Path, *command: str) -> None:
    timed_run(list(command), folder)


def measure(folder: Path, transactions: int, runs: int) -> dict[str, tuple[float, float]]:
    started = time.perf_counter()
    last = build(folder, transactions)
    built = time.perf_counter() - started
    size = (folder / last).stat().st_size
    print(
        f"\n{transactions:,} transactions ({built:.1f} s to write and commit); "
        f"the changed month file: {size / 1024:.0f} KiB"
    )
    repo = PracticeRepo(folder)
    old, new = repo.first_parent(repo.head() or ""), repo.head()
    result = diff(repo, old, new)
    (client,) = result.clients
    if (client.added, client.removed, client.changed) != (IMPORTED, 0, 0):
        raise SystemExit(
            f"the diff found {client.added} added, {client.removed} removed, "
            f"{client.changed} changed; expected {IMPORTED} added"
        )
    figures = {
        "git diff HEAD~1 HEAD": median_of(
            runs,
            lambda: run(folder, "git", "diff", "--no-ext-diff", "--no-textconv", "HEAD~1", "HEAD"),
        ),
        "beanfirm diff HEAD": median_of(
            runs, lambda: run(folder, str(BIN / "beanfirm"), "diff", "HEAD")
        ),
        "the diff in-process": median_of(runs, lambda: diff(repo, old, new)),
    }
    (folder / ".gitattributes").write_text(ATTRIBUTE_LINE + "\n", encoding="utf-8")
    for key, value in driver_config().items():
        git(folder, "config", key, value)
    figures["git diff HEAD~1 HEAD, beanfirm's driver"] = median_of(
        runs, lambda: run(folder, "git", "diff", "HEAD~1", "HEAD")
    )
    for what, (wall, cpu) in figures.items():
        print(f"  {what:<42} {wall:7.3f} s wall {cpu:7.3f} s CPU")
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    print(f"load average at the start: {os.getloadavg()[0]:.2f}")
    with tempfile.TemporaryDirectory() as scratch:
        wall, cpu = median_of(
            args.runs, lambda: run(Path(scratch), str(BIN / "beanfirm"), "--version")
        )
        print(f"beanfirm --version (start-up alone): {wall:.2f} s wall {cpu:.2f} s CPU")
        small = measure(Path(scratch) / "small", 10_000, args.runs)
        large = measure(Path(scratch) / "large", 100_000, args.runs)
    print("\nratio 100,000 / 10,000 transactions (wall, CPU):")
    for what in small:
        walls, cpus = large[what][0] / small[what][0], large[what][1] / small[what][1]
        print(f"  {what:<42} {walls:6.2f}x {cpus:6.2f}x")
    print(f"load average at the end: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
