"""Measure `beanfirm categorize` of a large client against a bare `bean-check` (issue 17).

Generates a practice of one client (default ~100,000 transactions, 13 months, fixed seed and
start), then turns entries back into rows awaiting a category until the client has 20,000 on
`Expenses:Uncategorized` / `Income:Uncategorized` with the flag `!` (every n-th two-legged
entry of a bank or payment account, so that the rules and the history book many and leave the
rest), commits, and times, alternating, in one run:

1. `bean-check` of the client's `main.beancount`, without Beancount's pickle cache;
2. `beanfirm categorize CLIENT`: parse, rules and history over the 20,000, the month files
   rewritten, the ledger loaded with its plugins to check the write, one commit. The commit is
   undone (untimed) before the next run.

Prints each run, how many rows were booked, and the ratio. Target: at most 1.5x bean-check.

    .venv/bin/python benchmarks/bench_recategorize.py [--transactions 100000] [--runs 3]
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
from decimal import Decimal
from pathlib import Path

import yaml
from timing import print_compared, timed_run

BIN = Path(sys.executable).parent
START = "2025-10-01"
SEED = "17"
WAITING = 20_000
HEADER = re.compile(r"^(\d{4}-\d{2}-\d{2}) [*!] ")
POSTING = re.compile(r"^  ((?:Expenses|Income):\S+)(\s.*)$")


def uncategorize(client: Path, statement_accounts: set[str], wanted: int) -> int:
    """Put entries of statement accounts back on Uncategorized until `wanted` rows wait there.

    Every other two-legged entry (a purchase, a fee: the other half stays, for history to learn
    from), then every n-th sale received with its VAT leg, made the two-legged row its import
    would have been (the whole amount on `Income:Uncategorized`).
    """
    files = sorted((client / "journal").rglob("*.beancount"))
    blocks = {path: path.read_text(encoding="utf-8").split("\n\n") for path in files}
    already = sum(block.count(":Uncategorized ") for parts in blocks.values() for block in parts)
    pairs = [
        (path, index)
        for path, parts in blocks.items()
        for index, block in enumerate(parts)
        if _postings(block, statement_accounts) == 2  # noqa: PLR2004
    ][::2]
    pairs = pairs[: max(wanted - already, 0)]
    sales = [
        (path, index)
        for path, parts in blocks.items()
        for index, block in enumerate(parts)
        if _postings(block, statement_accounts) == 3 and "Income:" in block  # noqa: PLR2004
    ]
    need = max(wanted - already - len(pairs), 0)
    step = max(len(sales) // need, 1) if need else len(sales) + 1
    chosen = sales[::step][:need]
    for path, index in pairs:
        blocks[path][index] = _waiting(blocks[path][index], statement_accounts, sale=False)
    for path, index in chosen:  # after the pairs: a sale is never one of them
        blocks[path][index] = _waiting(blocks[path][index], statement_accounts, sale=True)
    for path, parts in blocks.items():
        path.write_text("\n\n".join(parts), encoding="utf-8")
    return already + len(pairs) + len(chosen)


def _waiting(block: str, statement_accounts: set[str], *, sale: bool) -> str:
    """Return the entry as an import leaves a row it cannot categorize."""
    lines = block.split("\n")
    out: list[str] = []
    for line in lines:
        if HEADER.match(line):
            out.append(line[:11] + "!" + line[12:])
            continue
        words = line.split()
        if not line.startswith("  ") or not words or not words[0][:1].isupper():
            out.append(line)
            continue
        if words[0] in statement_accounts:
            out.append(line)
            if sale:
                out.append(f"  Income:Uncategorized  {-Decimal(words[1])} {words[2]}")
            continue
        if sale:
            continue  # the sale's income and VAT legs: the row has one other leg
        found = POSTING.match(line)
        root = found.group(1).split(":", 1)[0] if found else ""
        out.append(f"  {root}:Uncategorized{found.group(2)}" if found else line)
    return "\n".join(out)


def _postings(block: str, statement_accounts: set[str]) -> int:
    """Return how many legs an entry of one statement account has (0 if it is not one)."""
    lines = [line for line in block.split("\n") if line and not line.startswith(";")]
    if not lines or not HEADER.match(lines[0]) or ":Uncategorized" in block:
        return 0
    accounts = [line.split()[0] for line in lines[1:] if re.match(r"^  [A-Z]", line)]
    own = [a for a in accounts if a in statement_accounts]
    category = [a for a in accounts if a.startswith(("Expenses:", "Income:"))]
    if len(own) != 1 or len(category) != 1:
        return 0
    return len(accounts)


def git(practice: Path, *args: str) -> str:
    """Run git in the practice."""
    return subprocess.run(
        ["git", *args], cwd=practice, check=True, capture_output=True, text=True
    ).stdout


def main() -> None:
    """Run the benchmark."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--transactions", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="Generate into (or reuse) this folder.")
    args = parser.parse_args()
    os.environ["BEANCOUNT_DISABLE_LOAD_CACHE"] = "1"
    with tempfile.TemporaryDirectory() as tmp:
        practice = (args.keep or Path(tmp)) / "practice"
        if not (practice / "clients.yaml").exists():
            argv = [
                str(BIN / "beanfirm"), "generate", str(practice), "--clients", "1",
                "--transactions", str(args.transactions), "--start", START, "--seed", SEED,
            ]  # fmt: skip
            subprocess.run(argv, check=True, capture_output=True)
            registry = yaml.safe_load((practice / "clients.yaml").read_text(encoding="utf-8"))
            [entry] = registry["clients"]
            own = {account["account"] for account in entry.get("accounts", [])}
            client = practice / "ledgers" / entry["id"]
            count = uncategorize(client, own, WAITING)
            git(practice, "add", "--all")
            git(practice, "commit", "-qm", f"{count} rows back on Uncategorized")
        registry = yaml.safe_load((practice / "clients.yaml").read_text(encoding="utf-8"))
        client_id = registry["clients"][0]["id"]
        staff = registry["firm"]["staff"][0]["id"]
        main_file = practice / "ledgers" / client_id / "main.beancount"
        waiting = sum(
            path.read_text(encoding="utf-8").count(":Uncategorized ")
            for path in (main_file.parent / "journal").rglob("*.beancount")
        )
        start = git(practice, "rev-parse", "HEAD").strip()
        runs: dict[str, list[float]] = {"bean-check": [], "categorize": []}
        booked = ""
        for _ in range(args.runs):
            elapsed, _ = timed_run(
                [str(BIN / "bean-check"), str(main_file)], practice, findings_ok=True
            )
            runs["bean-check"].append(elapsed)
            argv = [str(BIN / "beanfirm"), "--as", staff, "categorize", client_id]
            elapsed, out = timed_run(argv, practice)
            runs["categorize"].append(elapsed)
            booked = next(line for line in out.splitlines() if line.startswith("Categorized"))
            git(practice, "reset", "-q", "--hard", start)
        print(f"{client_id}: about {args.transactions} transactions, {waiting} uncategorized")
        print(f"  {booked}")
        print_compared(runs)


if __name__ == "__main__":
    main()
