"""Measure the visit expenses report on one large client (issue 17, item 4).

Writes a synthetic ledger (default 100,000 transactions, of which 20,000 are visit expenses of
8,000 visits to 300 customers in 12 classes, the rest sales and other expenses; fixed seed and
dates), loads it once with beanfirm's loader, then times on the same loaded entries, in one
process:

1. `beanquery`: `SELECT account, sum(position) WHERE 'visit' IN tags GROUP BY account`, the
   totals per expense account a user has without beanfirm (no visit, customer or class);
2. `visit_report` (every visit, its costs by category) and its rows by visit, customer, class,
   month and staff, what `beanfirm visits` prints.

Prints the CPU and wall times, the ratio of the report to the beanquery baseline, and checks
that the report's totals equal beanquery's per account. The load is timed too, for scale.

    .venv/bin/python benchmarks/bench_visits.py [--transactions 100000] [--visits 8000]
"""

from __future__ import annotations

import argparse
import datetime
import random
import tempfile
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

from beanquery.query import run_query

from beanfirm.accounts.visits import GROUPINGS, visit_report
from beanfirm.store.ledger import load_ledger

START = datetime.date(2025, 1, 1)
DAYS = 365
COSTS = ("Expenses:Travel:Transport", "Expenses:Travel:Meals", "Expenses:Travel:Lodging")


def write_ledger(folder: Path, transactions: int, visits: int, seed: int = 17) -> Path:
    """Write the synthetic ledger; return its main file."""
    rng = random.Random(seed)
    lines = ['option "operating_currency" "CNY"']
    accounts = ("Assets:Bank", "Liabilities:Card", "Income:Sales", "Expenses:Office", *COSTS)
    lines += [f"{START} open {account} CNY" for account in accounts]
    for number in range(300):
        lines.append(
            f"{START} open Assets:Receivable:C{number:03d} CNY\n"
            f'  name: "Customer {number:03d}"\n  class: "class-{number % 12:02d}"'
        )
    entries: list[tuple[datetime.date, str]] = []
    visit_entries = transactions // 5
    for index in range(visit_entries):
        visit = index % visits
        day = START + datetime.timedelta(days=(visit * DAYS) // visits)
        amount = Decimal(rng.randint(3000, 90000)) / 100
        entries.append(
            (
                day,
                (
                    f'{day} * "Vendor" "Visit cost" #visit\n'
                    f'  customer: "C{visit % 300:03d}"\n  visit: "V-{visit:05d}"\n'
                    f'  staff: "s{visit % 9}"\n'
                    f"  {rng.choice(COSTS)}  {amount} CNY\n  Liabilities:Card"
                ),
            )
        )
    for _ in range(transactions - visit_entries):
        day = START + datetime.timedelta(days=rng.randrange(DAYS))
        amount = Decimal(rng.randint(1000, 500000)) / 100
        account = rng.choice(("Income:Sales", "Expenses:Office"))
        entries.append(
            (day, f'{day} * "Other" "Business"\n  {account}  {amount} CNY\n  Assets:Bank')
        )
    entries.sort(key=lambda item: item[0])
    main = folder / "main.beancount"
    main.write_text("\n".join(lines + [text for _, text in entries]) + "\n", encoding="utf-8")
    return main


def timed(label: str, work: Callable[[], Any], results: dict[str, float]) -> Any:
    """Run `work`; record and print its CPU time (and wall time: the machine is shared)."""
    wall, cpu = time.perf_counter(), time.process_time()
    value = work()
    results[label] = time.process_time() - cpu
    print(f"{label:<44} {results[label]:8.2f} s CPU {time.perf_counter() - wall:8.2f} s wall")
    return value


def main() -> None:
    """Write, load, time, compare."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--transactions", type=int, default=100_000)
    parser.add_argument("--visits", type=int, default=8_000)
    args = parser.parse_args()
    times: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="bench-visits-") as scratch:
        main_file = write_ledger(Path(scratch), args.transactions, args.visits)
        ledger = timed("load (beanfirm's loader)", lambda: load_ledger(main_file), times)
    entries, options = ledger.entries, ledger.options
    query = "SELECT account, sum(position) AS total WHERE 'visit' IN tags GROUP BY account"
    baseline = "beanquery: visit costs per account"
    _types, rows = timed(baseline, lambda: run_query(entries, options, query), times)

    def report_all() -> Any:
        report = visit_report(entries, options)
        for by in GROUPINGS:
            report.rows(by)
        return report

    label = "visit_report + rows by all five groupings"
    report = timed(label, report_all, times)
    expected = {
        str(account): inventory.get_currency_units("CNY").number
        for account, inventory in rows
        if str(account).startswith("Expenses:")
    }
    got: dict[str, Decimal] = {}
    for visit in report.visits:
        for cost in visit.costs:
            got[cost.account] = got.get(cost.account, Decimal(0)) + cost.amount
    if got != expected:
        msg = f"the report's totals differ from beanquery's: {got} != {expected}"
        raise SystemExit(msg)
    print(f"report totals tie to beanquery's per account: {len(report.visits)} visits")
    print(f"ratio report / beanquery: {times[label] / times[baseline]:.2f}")
    load = times["load (beanfirm's loader)"]
    print(f"ratio report / load:      {times[label] / load:.3f}")


if __name__ == "__main__":
    main()
