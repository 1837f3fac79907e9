"""Measure `beanfirm backup` and `beanfirm restore` against doing it by hand (issue 14).

Generates a practice (fixed seed and start; default 20 clients x 1,000 transactions,
`--large` for the issue's 200 x 5,000), gives it a `backup:` section with one key made here,
then in one run, each measurement the median of `--runs`:
1. `beanfirm backup --full` against `git bundle create --all` plus age encryption of that
   bundle with pyrage, in this process (no start-up paid), alternating which goes first:
   target <= 1.3x (`--full-only` measures only this);
2. an incremental `beanfirm backup` after one import's worth of commit (an entry appended to
   a month file and committed, as an import commits): target < 2 s;
3. `beanfirm restore` of the full backup and that incremental (decrypt, every checksum, the
   chain, `git bundle verify`, refs and trees compared, every client checked) against
   `git clone --no-local` (objects packed and indexed, as from a remote, not hard-linked)
   plus a cold `beanfirm check` of the clone: target <= 1.2x.

    .venv/bin/python benchmarks/bench_backup.py [--clients 20] [--transactions 1000]
        [--large] [--runs 3] [--keep DIR] [--full-only]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pyrage
from timing import timed_run

BIN = Path(sys.executable).parent
# The practice's first day and seed, named here rather than taken from the generator's
# defaults, so that the benchmark measures the same ledgers when the demo moves on.
START = "2025-10-01"
SEED = "20251001"
ENTRY = (
    '\n2026-10-30 * "Office supplies" "one import\'s worth of change"\n'
    "  Expenses:Uncategorized  12.00 CNY\n"
    "  Equity:Opening-Balances  -12.00 CNY\n"
)


def run(argv: list[str], cwd: Path, *, findings_ok: bool = False) -> float:
    """Run a command; return its wall time."""
    return timed_run(argv, cwd, findings_ok=findings_ok)[0]


def by_hand(practice: Path, out: Path, recipient: pyrage.x25519.Recipient) -> float:
    """`git bundle create --all` and the bundle encrypted with age: the floor."""
    started = time.perf_counter()
    bundle = out / "by-hand.bundle"
    subprocess.run(
        ["git", "bundle", "create", "--quiet", str(bundle), "--all"], cwd=practice, check=True
    )
    (out / "by-hand.bundle.age").write_bytes(pyrage.encrypt(bundle.read_bytes(), [recipient]))
    return time.perf_counter() - started


def generate(work: Path, clients: int, transactions: int) -> Path:
    practice = work / f"practice-{clients}x{transactions}"
    if (practice / "clients.yaml").exists():
        return practice
    started = time.perf_counter()
    run(
        [
            str(BIN / "beanfirm"),
            "generate",
            str(practice),
            "--clients",
            str(clients),
            "--transactions",
            str(transactions),
            "--start",
            START,
            "--seed",
            SEED,
        ],
        cwd=work,
    )
    print(f"generated {clients} clients x ~{transactions} in {time.perf_counter() - started:.1f} s")
    return practice


def commit(practice: Path, message: str) -> None:
    git = ["git", "-c", "user.name=Bench", "-c", "user.email=bench@example.invalid"]
    subprocess.run([*git, "commit", "-qam", message], cwd=practice, check=True)


def one_run(
    work: Path,
    practice: Path,
    identity: pyrage.x25519.Identity,
    attempt: int,
    *,
    full_only: bool = False,
) -> dict[str, float]:
    """Measure each thing once; return the times and the sizes of the files written."""
    beanfirm = str(BIN / "beanfirm")
    key = work / "holder.key"
    month = max((practice / "ledgers").iterdir()) / "journal" / "2026" / "10.beancount"
    out, hand = work / f"backups-{attempt}", work / f"by-hand-{attempt}"
    restored, clone = work / f"restored-{attempt}", work / f"clone-{attempt}"
    for folder in (out, hand, restored, clone):
        shutil.rmtree(folder, ignore_errors=True)
    hand.mkdir()
    times = {"start-up": run([beanfirm, "--version"], cwd=practice)}
    full = [beanfirm, "backup", "--full", "--to", str(out)]
    if attempt % 2:  # alternate which goes first: the second finds the objects in the page cache
        times["full"] = run(full, cwd=practice)
        times["by hand"] = by_hand(practice, hand, identity.to_public())
    else:
        times["by hand"] = by_hand(practice, hand, identity.to_public())
        times["full"] = run(full, cwd=practice)
    if full_only:
        sizes = sorted(p.stat().st_size for p in out.glob("*.age"))
        times["size full"] = float(sizes[-1])
        times["size by hand"] = float((hand / "by-hand.bundle.age").stat().st_size)
        for folder in (hand, out):
            shutil.rmtree(folder, ignore_errors=True)
        return times
    with month.open("a", encoding="utf-8") as ledger:
        ledger.write(ENTRY.replace("one import", f"import {attempt}"))
    commit(practice, f"Import {attempt}")
    times["incremental"] = run([beanfirm, "backup", "--to", str(out)], cwd=practice)
    restore = [beanfirm, "restore", str(out), "--to", str(restored), "--identity", str(key)]
    times["restore"] = run(restore, cwd=work, findings_ok=True)
    started = time.perf_counter()
    subprocess.run(["git", "clone", "-q", "--no-local", str(practice), str(clone)], check=True)
    run([beanfirm, "check"], cwd=clone, findings_ok=True)
    times["clone"] = time.perf_counter() - started
    sizes = sorted(p.stat().st_size for p in out.glob("*.age"))
    times["size full"], times["size incremental"] = float(sizes[-1]), float(sizes[0])
    times["size by hand"] = float((hand / "by-hand.bundle.age").stat().st_size)
    for folder in (restored, clone, hand, out):
        shutil.rmtree(folder, ignore_errors=True)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--transactions", type=int, default=1000)
    parser.add_argument("--large", action="store_true", help="200 clients x 5,000.")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="Generate into (or reuse) this folder.")
    parser.add_argument(
        "--full-only",
        action="store_true",
        help="Only the full backup against by hand, in pairs (their total is printed too).",
    )
    args = parser.parse_args()
    clients, transactions = (200, 5000) if args.large else (args.clients, args.transactions)

    work = args.keep or Path(tempfile.mkdtemp(prefix="beanfirm-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    pristine = generate(work, clients, transactions)
    practice = work / "practice"
    shutil.rmtree(practice, ignore_errors=True)
    shutil.copytree(pristine, practice, symlinks=True)
    identity = pyrage.x25519.Identity.generate()
    (work / "holder.key").write_text(f"{identity}\n", encoding="utf-8")
    with (practice / "clients.yaml").open("a", encoding="utf-8") as registry:
        registry.write(f"backup:\n  recipients:\n    - {identity.to_public()}\n")
    commit(practice, "Back up to the key holder")

    runs = [
        one_run(work, practice, identity, attempt, full_only=args.full_only)
        for attempt in range(args.runs)
    ]
    m = {name: statistics.median(r[name] for r in runs) for name in runs[0]}
    print(f"practice: {clients} clients x ~{transactions:,} transactions; median of {args.runs}")
    print(f"sizes: full backup {m['size full']:,.0f} B, by hand {m['size by hand']:,.0f} B")
    print(f"beanfirm --version (start-up)     {m['start-up']:7.2f} s")
    print(f"git bundle --all + age by hand    {m['by hand']:7.2f} s")
    print(
        f"beanfirm backup --full            {m['full']:7.2f} s   "
        f"{m['full'] / m['by hand']:.2f}x (target <= 1.3x); less start-up "
        f"{(m['full'] - m['start-up']) / m['by hand']:.2f}x"
    )
    pairs = " ".join(f"{r['by hand']:.1f}/{r['full']:.1f}" for r in runs)
    hand, full = sum(r["by hand"] for r in runs), sum(r["full"] for r in runs)
    print(f"pairs, by hand/full (s): {pairs}; in total {full / hand:.2f}x")
    if args.full_only:
        return
    print(f"size of the incremental backup    {m['size incremental']:,.0f} B")
    print(f"beanfirm backup, after an import  {m['incremental']:7.2f} s   (target < 2 s)")
    print(f"git clone + cold beanfirm check   {m['clone']:7.2f} s")
    print(
        f"beanfirm restore, verified        {m['restore']:7.2f} s   "
        f"{m['restore'] / m['clone']:.2f}x (target <= 1.2x)"
    )
    if args.keep is None:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
