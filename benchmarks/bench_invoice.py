"""Measure `beanfirm invoice new` and `beanfirm payment` on one large client (issue 17, item 2).

Generates a practice of two clients (default 20,000 transactions each, fixed seed; the second,
a wholesaler with customers, is measured), commits it and checks that client once with
`beanfirm check` (so that the check cache knows it, as after any earlier write). Then,
alternating, in one run:

1. `bean-check` of the client's `main.beancount` (the bare load with its plugins);
2. `beanfirm invoice new` of an invoice to the client's first customer: under the lock a
   parse (the next number), the write, the check with the plugins, one commit;
3. `beanfirm payment` of that invoice: under the lock a full load (what is open), the write,
   the check, one commit.

Prints each run and the ratios to `bean-check`. There is no target: a write that keeps the
write discipline costs one checked load of the ledger, and this measures what it adds.

    .venv/bin/python benchmarks/bench_invoice.py [--transactions 20000] [--runs 3]
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from timing import cold_arguments, generate_practice, print_compared, timed_run

BIN = Path(sys.executable).parent
START = "2025-10-01"
SEED = "20251001"
CUSTOMER = re.compile(
    r"^\d{4}-\d{2}-\d{2} open (Assets:(?:1122-应收账款|Receivable):\S+)", re.MULTILINE
)
BANK = re.compile(r"^\d{4}-\d{2}-\d{2} open (Assets:(?:1002-银行存款|Bank):\S+)", re.MULTILINE)
STAFF = re.compile(r"^\s+- id: (\S+)", re.MULTILINE)


def _commit(practice: Path) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "Bench", "GIT_AUTHOR_EMAIL": "bench@bench.invalid"}
    env |= {"GIT_COMMITTER_NAME": "Bench", "GIT_COMMITTER_EMAIL": "bench@bench.invalid"}
    for argv in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-qm", "Practice"]):
        subprocess.run(["git", *argv], cwd=practice, env=env, check=True, capture_output=True)


def main() -> None:
    """Run the benchmark."""
    args = cold_arguments(__doc__.splitlines()[0], transactions=20000)
    beanfirm = str(BIN / "beanfirm")
    with tempfile.TemporaryDirectory() as tmp:
        practice = Path(tmp) / "practice"
        # Two clients: the generator's first is a shop, which sells to no customer on credit.
        generate_practice(
            practice, clients=2, transactions=args.transactions, start=START, seed=SEED
        )
        _commit(practice)
        folder = practice / "ledgers" / "client-0002"
        client = folder.name
        chart = (folder / "accounts.beancount").read_text(encoding="utf-8")
        customer, bank = CUSTOMER.findall(chart), BANK.findall(chart)[0]
        staff = STAFF.findall((practice / "clients.yaml").read_text(encoding="utf-8"))[0]
        timed_run([beanfirm, "check", client], practice, findings_ok=True)
        runs: dict[str, list[float]] = {"bean-check": [], "invoice new": [], "payment": []}
        for run in range(args.runs):
            bare = [str(BIN / "bean-check"), str(folder / "main.beancount")]
            runs["bean-check"].append(timed_run(bare, practice, findings_ok=True)[0])
            new = [beanfirm, "--as", staff, "invoice", "new", client, "--customer", customer[0]]
            new += ["--date", "2026-11-02", "--amount", f"{1000 + run}.00", "--json"]
            elapsed, out = timed_run(new, practice)
            runs["invoice new"].append(elapsed)
            number = re.search(r'"number": "([^"]+)"', out)
            assert number is not None  # noqa: S101 - the command printed its JSON
            pay = [beanfirm, "--as", staff, "payment", client, number.group(1), "--amount", "500"]
            pay += ["--date", "2026-11-05", "--account", bank]
            runs["payment"].append(timed_run(pay, practice)[0])
        print(f"1 client ({client}), about {args.transactions} transactions")
        print_compared({"bean-check": runs["bean-check"], "invoice new": runs["invoice new"]})
        print_compared({"bean-check": runs["bean-check"], "payment": runs["payment"]})


if __name__ == "__main__":
    main()
