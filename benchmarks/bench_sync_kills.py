"""Kill `beanfirm sync` at random moments, then sync again: nothing may be lost or left behind.

A generated practice (bench_remote.py's seed and start; default 20 clients x 200
transactions) is the firm's bare remote, with beanfirm's pre-receive hook. Each trial clones it
twice: Ana adds an entry to a client's last month file and pushes; Bo, meanwhile, commits an
entry to the same file (so the rebase runs the merge driver) and one to another client's, and
runs `beanfirm sync`, which is killed (`SIGKILL` to its process group: git, the merge driver
and the remote's hook with it, as a power cut would) after a random delay drawn (fixed seed)
from 0 to the time an unkilled sync took. Then Bo runs `beanfirm sync` again. A failure is any
of: that sync failing; afterwards the remote or Bo's branch missing one of the three entries or
holding one twice, Bo's HEAD not on `main` at the remote's commit, anything uncommitted, a
rebase under way, sync's record, git's lock files or a merge driver's temporary file left.
Printed: where the kills fell (what each left behind) and the failures.

    env -u PYTHONDONTWRITEBYTECODE .venv/bin/python benchmarks/bench_sync_kills.py
        [--trials 30] [--clients 20] [--transactions 200] [--folder DIR]
"""

from __future__ import annotations

import argparse
import collections
import os
import random
import signal
import subprocess
import tempfile
import time
from pathlib import Path

from bench_remote import (
    BEANFIRM,
    LAST_MONTH,
    clone,
    expense_accounts,
    generate,
    git,
    reclassification,
)

SEED = 20261207


def firm(folder: Path, clients: int, transactions: int) -> tuple[Path, list[str]]:
    """The generated practice (made once) and its client ids."""
    practice = folder / "practice"
    if not (practice / "clients.yaml").exists():
        generate(practice, clients, transactions)
    ids = sorted(path.name for path in (practice / "ledgers").iterdir() if path.is_dir())
    return practice, ids


def fresh_remote(practice: Path, trial: Path) -> Path:
    """A bare copy of the practice with beanfirm's hook."""
    bare = trial / "firm.git"
    git(trial, "clone", "-q", "--bare", str(practice), str(bare))
    subprocess.run(
        [BEANFIRM, "remote", "install-hooks", str(bare)], cwd=trial, check=True, capture_output=True
    )
    return bare


def add(folder: Path, client: str, day: int, import_id: str) -> None:
    """Commit one entry to the client's last month file."""
    path = folder / "ledgers" / client / LAST_MONTH
    text = reclassification(expense_accounts(folder, client), day, import_id)
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")
    git(folder, "commit", "-qam", f"Bench {import_id}")


def sync_killed_after(folder: Path, delay: float | None) -> tuple[float, bool]:
    """Run `beanfirm sync`, killed after `delay` s (None: not killed); its time, if it ended."""
    started = time.perf_counter()
    proc = subprocess.Popen(
        [BEANFIRM, "sync"],
        cwd=folder,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        proc.wait(timeout=delay)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        return time.perf_counter() - started, False
    out, err = proc.communicate()
    if proc.returncode != 0:
        msg = f"an unkilled sync failed: {out.decode()} {err.decode()}"
        raise SystemExit(msg)
    return time.perf_counter() - started, True


def left_behind(bo: Path) -> list[str]:
    """What a killed sync left in Bo's clone."""
    dot = bo / ".git"
    found = []
    if (dot / "rebase-merge").exists():
        found.append("rebase under way")
    if (dot / "beanfirm" / "sync-start.json").exists():
        found.append("sync's record")
    if git(bo, "rev-parse", "--symbolic-full-name", "HEAD").strip() != "refs/heads/main":
        found.append("HEAD detached")
    if list(dot.glob("*.lock")) or list((dot / "refs").rglob("*.lock")):
        found.append("git lock file")
    if list(bo.glob(".merge_file_*")):
        found.append("merge driver's file")
    return found


def problems(bare: Path, bo: Path, entries: dict[str, str]) -> list[str]:
    """What is wrong after the second sync (nothing, when it all went right)."""
    found = left_behind(bo)
    remote = git(bare, "rev-parse", "main").strip()
    if git(bo, "rev-parse", "HEAD").strip() != remote:
        found.append("Bo's HEAD is not the remote's main")
    if git(bo, "status", "--porcelain", "--untracked-files=all"):
        found.append("uncommitted files")
    for import_id, client in entries.items():
        text = git(bare, "show", f"main:ledgers/{client}/{LAST_MONTH}")
        if text.count(f'import-id: "{import_id}"') != 1:
            found.append(f"{import_id} {text.count(import_id)} times on the remote")
    return found


def trial(
    practice: Path, clients: list[str], folder: Path, number: int, delay: float | None
) -> tuple[float, bool, list[str], list[str]]:
    """One trial: the killed sync's time, whether it ended, what it left, the failures."""
    folder.mkdir()
    bare = fresh_remote(practice, folder)
    ana = clone(bare, folder / "ana", 1)
    bo = clone(bare, folder / "bo", 2)
    pick = random.Random(number)
    shared, other = pick.sample(clients, 2)
    entries = {f"ana-{number}": shared, f"bo-{number}-a": shared, f"bo-{number}-b": other}
    add(ana, shared, 3, f"ana-{number}")
    git(ana, "push", "-q", "origin", "main")
    add(bo, shared, 5, f"bo-{number}-a")
    add(bo, other, 7, f"bo-{number}-b")
    took, ended = sync_killed_after(bo, delay)
    left = left_behind(bo)
    again = subprocess.run([BEANFIRM, "sync"], cwd=bo, capture_output=True, text=True, check=False)
    failures = [] if again.returncode == 0 else [f"next sync: {again.stderr.strip()[:300]}"]
    return took, ended, left, failures + problems(bare, bo, entries)


def main() -> None:
    """Measure an unkilled sync, then kill one per trial at random."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=30)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--transactions", type=int, default=200)
    parser.add_argument("--folder", type=Path, help="keep the practice here between runs")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-sync-kills-") as scratch:
        folder = args.folder or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        practice, clients = firm(folder, args.clients, args.transactions)
        runs = Path(tempfile.mkdtemp(prefix="trials-", dir=folder))
        whole, _ended, _left, failed = trial(practice, clients, runs / "unkilled", 0, None)
        print(f"an unkilled sync: {whole:.2f} s; its failures: {failed or 'none'}")
        draw = random.Random(SEED)
        kinds: collections.Counter[str] = collections.Counter()
        ended = 0
        failures = []
        for number in range(1, args.trials + 1):
            delay = draw.uniform(0, whole)
            _took, done, left, failed = trial(practice, clients, runs / str(number), number, delay)
            ended += done
            kinds[", ".join(left) or "nothing"] += 1
            if failed:
                failures.append((number, delay, failed))
        print(f"{args.trials} kills at 0-{whole:.2f} s; the sync had ended before {ended}")
        for kind, count in kinds.most_common():
            print(f"  left behind: {kind:60} {count}")
        print(f"failures: {len(failures)}")
        for number, delay, failed in failures:
            print(f"  trial {number}, killed at {delay:.2f} s: {'; '.join(failed)}")


if __name__ == "__main__":
    main()
