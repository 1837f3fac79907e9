"""Measure what the period-end revaluation (期末调汇) adds to a close, against the close's load.

Generates a practice of four clients (fixed seed, from 2025-10-01, default ~20,000 transactions
each), takes its cross-border client (dollars at a bank, a month-end rate each month), and
times in one process, alternating, for October 2026:

1. the close's one load of the ledger (`load_staged`, parse, booking, plugins);
2. what the revaluation adds to the close on top of that load: its mapping section, what the
   checklist's `revaluation` item computes (holdings, rates, the accounts' `open`), and the
   entry itself (holdings, rates and the book values of every account: passes over the
   entries).

Prints each run and the ratio (2 / 1). Target: at most 0.10 of the load, so that the close,
whose load is most of its time (benchmarks/README.md), grows by a few percent at most.

    env -u PYTHONDONTWRITEBYTECODE .venv/bin/python benchmarks/bench_revaluation.py \
        [--transactions 20000] [--runs 3]
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from timing import cold_arguments, generate_practice, print_compared

from beanfirm.monthend.closing import parse_period
from beanfirm.monthend.revaluation import (
    holdings,
    period_rates,
    revaluation_entry,
    revaluation_of,
    untakeable,
)
from beanfirm.plugins.locked import MODULE
from beanfirm.store.ledger import load_staged

PERIOD = parse_period("2026-10")


def crossborder(practice: Path) -> Path:
    """Return the main file of the practice's client with a dollar account."""
    for folder in sorted((practice / "ledgers").iterdir()):
        accounts = folder / "accounts.beancount"
        if accounts.is_file() and " USD,CNY\n" in accounts.read_text(encoding="utf-8"):
            return folder / "main.beancount"
    msg = f"no client of {practice} keeps dollars"
    raise SystemExit(msg)


def main() -> None:
    """Run the benchmark."""
    args = cold_arguments(__doc__.splitlines()[0], transactions=20_000)
    with tempfile.TemporaryDirectory() as tmp:
        practice = Path(tmp) / "practice"
        generate_practice(
            practice, clients=4, transactions=args.transactions, start="2025-10-01", seed="16"
        )
        main_file = crossborder(practice)
        runs: dict[str, list[float]] = {"load": [], "revaluation": []}
        entry = None
        for _ in range(args.runs):
            started = time.perf_counter()
            _seen, ledger = load_staged(main_file, MODULE)
            runs["load"].append(time.perf_counter() - started)
            started = time.perf_counter()
            rules = revaluation_of(main_file, ledger.entries)
            assert rules is not None  # noqa: S101 - the chart template has the section
            # the checklist's item: what each foreign currency held needs, and the accounts
            found = holdings(ledger.entries, "CNY", PERIOD, rules)
            used, problems = period_rates(ledger.entries, "CNY", PERIOD, found)
            problems += untakeable(ledger.entries, "CNY", found, rules.gain_loss)
            entry = revaluation_entry(ledger.entries, "CNY", PERIOD, rules, chinese=True)
            runs["revaluation"].append(time.perf_counter() - started)
            assert not problems, problems  # noqa: S101 - the generator gives a month-end rate
        transactions = sum(1 for e in ledger.entries if type(e).__name__ == "Transaction")
        rates = ", ".join(f"{r.currency} {r.rate} ({r.day})" for r in used.values())
        print(f"{main_file.parent.name}: {transactions} transactions, revalued at {rates}")
        print(f"  entry: {[(p.account, p.amount) for p in entry.postings] if entry else None}")
        print_compared(runs)


if __name__ == "__main__":
    main()
