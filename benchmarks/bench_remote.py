"""Measure a firm on one shared remote: pushes per minute, refusals by cause, the hook's cost.

1. The firm: a generated practice (fixed seed and start; default 20 clients x 200
   transactions) in a bare repository with beanfirm's pre-receive hook, `--clones` clones
   (default 12) that each make `--rounds` changes (default 4: an entry added to a client's
   last month file, the client picked at random with a fixed seed, so that clones collide on
   the same files) and `beanfirm sync` after each, all at once; and one rogue clone that
   meanwhile pushes with plain git an unbalanced entry and the deletion of an approval.
   Printed: successful syncs per minute, the retries when another clone pushed first, and
   every refusal by cause; then it proves that no synced commit is missing from the remote
   and that the remote's head checks clean (`beanfirm check` in a fresh clone).
2. The hook's cost on a push that changes one client of a `--hook-clients` practice (default
   200 x 600 transactions; the client approved and locked through September first): the hook,
   run as git runs it (`python -m beanfirm.jobs.prereceive` in the bare repository, the old
   and new commit on stdin), against `beanfirm check CLIENT --no-cache` of that one client in
   a clone, alternating which goes first, the median of `--runs`: target <= 1.2x.

    .venv/bin/python benchmarks/bench_remote.py [--clones 12] [--rounds 4] [--clients 20]
        [--transactions 200] [--hook-clients 200] [--runs 5] [--skip-firm] [--skip-hook]
"""

from __future__ import annotations

import argparse
import collections
import random
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from timing import timed_run

BIN = Path(sys.executable).parent
BEANFIRM = str(BIN / "beanfirm")
START = "2025-10-01"
SEED = "20251001"
LAST_MONTH = "journal/2026/10.beancount"  # 13 months from START
CAUSES = (
    ("remote kept moving", "kept moving"),
    ("conflict", "do not replay onto"),
    ("client broken by the rebase", "so sync refused it"),
    ("refused by the hook", "refused the push"),
)


def git(folder: Path, *args: str, stdin: str | None = None) -> str:
    """Run git in a folder; return its output."""
    return subprocess.run(
        ["git", *args], cwd=folder, capture_output=True, text=True, check=True, input=stdin
    ).stdout


def generate(folder: Path, clients: int, transactions: int) -> None:
    """Generate the practice on branch main."""
    timed_run(
        [
            BEANFIRM,
            "generate",
            str(folder),
            "--clients",
            str(clients),
            "--transactions",
            str(transactions),
            "--start",
            START,
            "--seed",
            SEED,
        ],
        folder.parent,
    )
    git(folder, "branch", "-M", "main")


def clone(bare: Path, folder: Path, number: int) -> Path:
    """A staff member's clone."""
    git(bare.parent, "clone", "-q", str(bare), str(folder))
    git(folder, "config", "user.name", f"Staff {number}")
    git(folder, "config", "user.email", f"staff{number}@bench.invalid")
    return folder


def expense_accounts(practice: Path, client: str) -> tuple[str, str]:
    """Two expense accounts of a client: an entry between them moves no asserted balance."""
    text = (practice / "ledgers" / client / "accounts.beancount").read_text(encoding="utf-8")
    found = re.findall(r"^\S+ open (Expenses:\S+)", text, re.MULTILINE)
    return found[0], found[1]


def reclassification(client_accounts: tuple[str, str], day: int, import_id: str) -> str:
    """An entry that moves an amount between two expense accounts."""
    first, second = client_accounts
    return (
        f'\n2026-10-{day:02d} * "Reclassify" "bench {import_id}"\n'
        f'  import-id: "{import_id}"\n'
        f"  {first}  -{day}.00 CNY\n"
        f"  {second}  {day}.00 CNY\n"
    )


class Tally:
    """What the clones did, gathered across threads."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.synced: list[tuple[str, str]] = []  # (client, import-id) on the remote
        self.tries = 0  # extra tries, when another clone pushed first
        self.refused: collections.Counter[str] = collections.Counter()

    def sync_result(
        self, client: str, import_id: str, result: subprocess.CompletedProcess[str]
    ) -> None:
        """Count one `beanfirm sync`."""
        with self.lock:
            if result.returncode == 0:
                self.synced.append((client, import_id))
                found = re.search(r"It took (\d+) tries", result.stdout)
                self.tries += int(found.group(1)) - 1 if found else 0
                return
            for cause, words in CAUSES:
                if words in result.stderr:
                    self.refused[f"sync: {cause}"] += 1
                    return
            self.refused["sync: other"] += 1
            print(result.stderr[-1000:], file=sys.stderr)


def preparer(folder: Path, number: int, rounds: int, clients: list[str], tally: Tally) -> None:
    """One clone's loop: add an entry to a random client, sync; `rounds` times."""
    pick = random.Random(number)
    for round_ in range(rounds):
        client = pick.choice(clients)
        import_id = f"bench-{number}-{round_}"
        path = folder / "ledgers" / client / LAST_MONTH
        text = reclassification(expense_accounts(folder, client), 1 + pick.randrange(28), import_id)
        path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")
        git(folder, "commit", "-qam", f"Bench {import_id}")
        result = subprocess.run(
            [BEANFIRM, "sync"], cwd=folder, capture_output=True, text=True, check=False
        )
        if result.returncode != 0:  # put the clone back in step with the remote
            git(folder, "reset", "-q", "--hard", "HEAD~1")
        tally.sync_result(client, import_id, result)


def rogue(folder: Path, client: str, rounds: int, tally: Tally) -> None:
    """Push what the hook must refuse, with plain git: a broken ledger, a deleted approval."""
    for round_ in range(rounds):
        git(folder, "pull", "-q", "--rebase")
        path = folder / "ledgers" / client / LAST_MONTH
        first, second = expense_accounts(folder, client)
        broken = (
            f'\n2026-10-15 * "Unbalanced" "rogue {round_}"\n'
            f"  {first}  -5.00 CNY\n  {second}  4.00 CNY\n"
        )
        path.write_text(path.read_text(encoding="utf-8") + broken, encoding="utf-8")
        git(folder, "commit", "-qam", f"Rogue {round_}")
        for cause, refspec in (
            ("hook: a broken ledger", "HEAD:main"),
            ("hook: an approval deleted", ":refs/tags/beanfirm/approved/bench/0001"),
        ):
            pushed = subprocess.run(
                ["git", "push", "origin", refspec],
                cwd=folder,
                capture_output=True,
                text=True,
                check=False,
            )
            with tally.lock:
                tally.refused[cause if pushed.returncode else f"ACCEPTED: {cause}"] += 1
        git(folder, "reset", "-q", "--hard", "HEAD~1")


def firm(work: Path, args: argparse.Namespace) -> None:
    """Part 1: the clones at once."""
    practice = work / "firm"
    generate(practice, args.clients, args.transactions)
    # A tag in the approvals' namespace, there before the hook, for the rogue to try to delete.
    git(practice, "tag", "-a", "-m", "Approve", "beanfirm/approved/bench/0001")
    bare = work / "firm.git"
    git(work, "clone", "-q", "--bare", str(practice), str(bare))
    timed_run([BEANFIRM, "remote", "install-hooks", str(bare)], work)
    clients = sorted(p.name for p in (practice / "ledgers").iterdir() if p.is_dir())
    clones = [clone(bare, work / f"clone{n}", n) for n in range(args.clones)]
    bad = clone(bare, work / "rogue", 99)
    tally = Tally()
    threads = [
        threading.Thread(target=preparer, args=(folder, n, args.rounds, clients, tally))
        for n, folder in enumerate(clones)
    ]
    threads.append(threading.Thread(target=rogue, args=(bad, clients[0], args.rounds, tally)))
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    minutes = (time.perf_counter() - started) / 60
    print(
        f"firm: {args.clones} clones x {args.rounds} changes, {len(clients)} clients "
        f"({args.transactions} transactions each), {minutes * 60:.1f} s"
    )
    print(f"  successful syncs: {len(tally.synced)}, {len(tally.synced) / minutes:.1f} per minute")
    print(f"  extra tries because another clone pushed first: {tally.tries}")
    for cause, count in sorted(tally.refused.items()):
        print(f"  refused: {cause}: {count}")
    log = git(bare, "log", "--format=%s", "main")
    missing = [iid for _, iid in tally.synced if f"Bench {iid}" not in log]
    print(f"  synced commits missing from the remote: {len(missing)} {missing[:5]}")
    final = clone(bare, work / "final", 100)
    checked = subprocess.run(
        [BEANFIRM, "check"], cwd=final, capture_output=True, text=True, check=False
    )
    print(
        f"  `beanfirm check` of the remote's head: exit {checked.returncode}, "
        f"{checked.stdout.strip().splitlines()[-1]}"
    )


def hook_cost(work: Path, args: argparse.Namespace) -> None:
    """Part 2: the hook on a push of one client against `beanfirm check` of that client."""
    practice = work / "hook"
    generate(practice, args.hook_clients, 600)
    bare = work / "hook.git"
    git(work, "clone", "-q", "--bare", str(practice), str(bare))
    client = sorted(p.name for p in (practice / "ledgers").iterdir())[args.hook_clients // 2]
    # The client approved and locked through September, as a closed month is: the hook then
    # also asks whether the push undid a lock, which reads who is a partner.
    git(practice, "config", "user.email", "wang@mingzhang.example")
    git(practice, "config", "user.name", "Wang Fang")
    for command in (["approve", client], ["lock", client, "--through", "2026-09"]):
        timed_run([BEANFIRM, *command, "--as", "wang"], practice)
    old = git(practice, "rev-parse", "HEAD").strip()
    path = practice / "ledgers" / client / LAST_MONTH
    text = reclassification(expense_accounts(practice, client), 12, "bench-hook")
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")
    git(practice, "commit", "-qam", "One client's change")
    new = git(practice, "rev-parse", "HEAD").strip()
    git(practice, "push", "-q", str(bare), "main")  # the objects, as a push brings them
    hook_input = f"{old} {new} refs/heads/main\n"

    def run_hook() -> float:
        started = time.perf_counter()
        proc = subprocess.run(
            [sys.executable, "-m", "beanfirm.jobs.prereceive"],
            cwd=bare,
            input=hook_input,
            capture_output=True,
            text=True,
            check=False,
            env={"GIT_DIR": ".", "PATH": "/usr/bin:/bin"},  # a server's bare PATH
        )
        if proc.returncode != 0:
            raise SystemExit(f"the hook refused: {proc.stderr}")
        return time.perf_counter() - started

    def run_check() -> float:
        return timed_run([BEANFIRM, "check", client, "--no-cache"], practice, findings_ok=True)[0]

    hooks: list[float] = []
    checks: list[float] = []
    for run in range(args.runs):
        pair = ((hooks, run_hook), (checks, run_check))
        for times, measure in pair if run % 2 == 0 else reversed(pair):
            times.append(measure())
    hook, check = statistics.median(hooks), statistics.median(checks)
    print(
        f"hook: one locked client ({client}) of {args.hook_clients} changed, median of {args.runs}"
    )
    print(f"  pre-receive hook            {hook:6.2f} s")
    print(f"  beanfirm check {client} {check:6.2f} s")
    print(f"  ratio {hook / check:.2f}x (target <= 1.2x)")


def main() -> None:
    """Parse the options and run the two parts."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clones", type=int, default=12)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--transactions", type=int, default=200)
    parser.add_argument("--hook-clients", type=int, default=200)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--skip-firm", action="store_true")
    parser.add_argument("--skip-hook", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-remote-") as scratch:
        work = Path(scratch)
        if not args.skip_hook:
            hook_cost(work, args)
        if not args.skip_firm:
            firm(work, args)


if __name__ == "__main__":
    main()
