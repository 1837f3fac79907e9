"""Measure `beanfirm review` on a practice of 200 clients, some with commits waiting.

Generates a practice (default 200 clients x 2,000 transactions, fixed seed), approves every
client (through `beanfirm.store.approvals`, as `beanfirm approve` writes them, to keep the
set-up short), then commits an entry to `--waiting` clients (one commit each, a second one
to every fifth of them) as the preparer li, and runs `beanfirm check` so that the check cache
knows the clients' current content. Then, side by side, best of `--runs`:
1. `git log --name-only -- ledgers/` (the one history read the queue makes), for scale;
2. `beanfirm --version` (Python start-up and beanfirm's imports alone) and `beanfirm status`
   (the dashboard over the same clients, from the check cache);
3. `beanfirm review` once with no review cache (each waiting client's changes parsed), then
   `beanfirm review` and `beanfirm review --json` again: the queue (target: under 2 s).

    .venv/bin/python benchmarks/bench_review.py [--clients 200] [--transactions 2000]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from timing import timed_run

from beanfirm.store.approvals import write_approval
from beanfirm.store.gitrepo import PracticeRepo
from beanfirm.store.registry import load_registry

BIN = Path(sys.executable).parent
START = "2025-10-01"
SEED = "20251001"
TARGET_SECONDS = 2.0
ENTRY = (
    '\n2026-10-30 * "Bank" "Bank fee {n}"\n'
    "  {bank}  -{n}.00 CNY\n"
    "  Expenses:Bench-Fees  {n}.00 CNY\n"
)


def run(argv: list[str], cwd: Path, *, findings_ok: bool = False) -> str:
    """Run a command; return its output (exit 1 is fine where it means findings)."""
    return timed_run(argv, cwd, findings_ok=findings_ok)[1]


def best_of(argv: list[str], cwd: Path, runs: int) -> tuple[float, float]:
    """Return the best and the median wall time of `runs` runs."""
    times = [timed_run(argv, cwd, findings_ok=True)[0] for _ in range(runs)]
    return min(times), statistics.median(times)


def bank_account(practice: Path, client: str) -> str:
    """Return the first bank account the client's chart opens."""
    for line in (practice / "ledgers" / client / "accounts.beancount").read_text().splitlines():
        parts = line.split()
        if len(parts) > 2 and parts[1] == "open" and parts[2].startswith("Assets:"):  # noqa: PLR2004
            account = parts[2]
            if account.count(":") >= 2 and ("Bank" in account or "银行" in account):  # noqa: PLR2004
                return account
    msg = f"{client} opens no bank account"
    raise SystemExit(msg)


def add_waiting_commit(practice: Path, client: str, number: int) -> None:
    """Append an entry (and its expense account) to the client's October and commit it as li."""
    folder = practice / "ledgers" / client
    accounts = folder / "accounts.beancount"
    if "Expenses:Bench-Fees" not in accounts.read_text():
        with accounts.open("a") as handle:
            handle.write("\n2025-10-01 open Expenses:Bench-Fees CNY\n")
    month = folder / "journal" / "2026" / "10.beancount"
    with month.open("a") as handle:
        handle.write(ENTRY.format(n=number, bank=bank_account(practice, client)))
    subprocess.run(
        [
            "git",
            "-c",
            "user.name=Li Na",
            "-c",
            "user.email=li@mingzhang.example",
            "commit",
            "-qam",
            f"Bank fee {number} for {client}",
        ],
        cwd=practice,
        check=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--transactions", type=int, default=2000)
    parser.add_argument("--waiting", type=int, default=20, help="Clients with commits waiting.")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--keep", type=Path, help="Generate into this folder (new).")
    args = parser.parse_args()

    work = args.keep or Path(tempfile.mkdtemp(prefix="beanfirm-bench-review-"))
    work.mkdir(parents=True, exist_ok=True)
    practice = work / f"practice-{args.clients}x{args.transactions}"
    started = time.perf_counter()
    run(
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
        work,
    )
    print(f"generated {practice} in {time.perf_counter() - started:.1f} s")

    started = time.perf_counter()
    registry = load_registry(practice / "clients.yaml")
    repo = PracticeRepo(practice)
    head = repo.head()
    assert head is not None  # noqa: S101 - the generator commits
    reviewer = registry.staff_member("wang")
    for client in registry.clients:
        write_approval(repo, client.id, reviewer, head, previous=None, commits=1)
    print(f"approved {len(registry.clients)} clients in {time.perf_counter() - started:.1f} s")

    started = time.perf_counter()
    waiting = [client.id for client in registry.clients][:: max(1, args.clients // args.waiting)]
    waiting = waiting[: args.waiting]
    for index, client_id in enumerate(waiting):
        add_waiting_commit(practice, client_id, index + 1)
        if index % 5 == 0:
            add_waiting_commit(practice, client_id, 100 + index)
    run([str(BIN / "beanfirm"), "check"], practice, findings_ok=True)
    print(
        f"{len(waiting)} clients given commits, and checked, in "
        f"{time.perf_counter() - started:.1f} s"
    )

    queue = json.loads(run([str(BIN / "beanfirm"), "review", "--json"], practice))
    assert sorted(row["client"] for row in queue) == sorted(waiting), queue  # noqa: S101
    assert all(row["errors"] is not None for row in queue)  # noqa: S101 - from the cache
    commits = sum(len(row["commits"]) for row in queue)
    print(f"queue: {len(queue)} clients, {commits} commits waiting")

    shutil.rmtree(practice / ".beanfirm" / "cache" / "review", ignore_errors=True)
    started = time.perf_counter()
    run([str(BIN / "beanfirm"), "review"], practice)
    print(
        f"`beanfirm review` with no review cache (every client's changes parsed): "
        f"{time.perf_counter() - started:.2f} s"
    )
    rows = [
        ("git log --name-only -- ledgers/", ["git", "log", "--name-only", "--", "ledgers/"]),
        ("beanfirm --version (start-up alone)", [str(BIN / "beanfirm"), "--version"]),
        ("beanfirm status", [str(BIN / "beanfirm"), "status"]),
        ("beanfirm review", [str(BIN / "beanfirm"), "review"]),
        ("beanfirm review --json", [str(BIN / "beanfirm"), "review", "--json"]),
    ]
    print(f"| measurement ({args.clients} clients, {len(waiting)} waiting) | best | median |")
    print("|---|---|---|")
    review_best = 0.0
    for name, argv in rows:
        best, median = best_of(argv, practice, args.runs)
        if name == "beanfirm review":
            review_best = best
        print(f"| `{name}` | {best:.2f} s | {median:.2f} s |")
    verdict = "meets" if review_best < TARGET_SECONDS else "MISSES"
    print(f"`beanfirm review` {verdict} the target of {TARGET_SECONDS:.0f} s")


if __name__ == "__main__":
    main()
