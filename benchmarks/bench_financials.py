"""Measure `beanfirm financials` of one large client against a bare `bean-check` (issue 16).

Generates a practice of one client (default ~100,000 transactions, 13 months, fixed seed),
moves its entries awaiting categorization to an expense and an income account of its chart
(a client with uncategorized entries gets no statements), then times, alternating, in one run:

1. `bean-check` of the client's `main.beancount`, without Beancount's pickle cache;
2. `beanfirm financials CLIENT --period 2026-10 --format json` (one load, both statements).

Prints each run and the ratio. Target: financials at most 1.2x bean-check.

    .venv/bin/python benchmarks/bench_financials.py [--transactions 100000] [--runs 3]
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from timing import cold_arguments, generate_practice, print_compared, timed_run

BIN = Path(sys.executable).parent
CATEGORIZED = {
    "Expenses:Uncategorized": ("Expenses:5602-管理费用:其他", "Expenses:Office"),
    "Income:Uncategorized": ("Income:5051-其他业务收入", "Income:Other"),
}


def categorize(folder: Path) -> None:
    """Book the client's uncategorized entries to accounts its chart opens."""
    coded = "1002-" in (folder / "accounts.beancount").read_text(encoding="utf-8")
    for path in (folder / "journal").rglob("*.beancount"):
        text = path.read_text(encoding="utf-8")
        for account, (cn, en) in CATEGORIZED.items():
            text = text.replace(account, cn if coded else en)
        path.write_text(text, encoding="utf-8")


def main() -> None:
    """Run the benchmark."""
    args = cold_arguments(__doc__.splitlines()[0], transactions=100_000)
    with tempfile.TemporaryDirectory() as tmp:
        practice = Path(tmp) / "practice"
        generate_practice(
            practice, clients=1, transactions=args.transactions, start="2025-10-01", seed="16"
        )
        [client] = sorted(path for path in (practice / "ledgers").iterdir() if path.is_dir())
        categorize(client)
        main_file = client / "main.beancount"
        runs: dict[str, list[float]] = {"bean-check": [], "financials": []}
        for _ in range(args.runs):
            elapsed, _ = timed_run(
                [str(BIN / "bean-check"), str(main_file)], practice, findings_ok=True
            )
            runs["bean-check"].append(elapsed)
            argv = [str(BIN / "beanfirm"), "financials", client.name, "--period", "2026-10"]
            elapsed, _ = timed_run([*argv, "--format", "json"], practice)
            runs["financials"].append(elapsed)
        print(f"{client.name}: about {args.transactions} transactions")
        print_compared(runs)


if __name__ == "__main__":
    main()
