"""Measure aging, credit ratings and the forecast of one large client (issue 8).

Writes a synthetic ledger (default 500 customers, 50,000 invoices, most of them paid in one or
two payments, 60 vendors with bills, monthly rent and salaries; fixed seed), loads it once with
beanfirm's loader, then times on the same loaded entries, in one process:

1. `beanquery`: `SELECT account, sum(position) WHERE account ~ '^Assets:Receivable:' GROUP BY
   account` (balances per customer), and the same grouped by account and invoice link (what is
   open per invoice), the baseline a user has without beanfirm;
2. `read_book` + `age_items` (aging per customer and invoice, buckets by due date);
3. `rate_customers` (credit ratings), and `client_forecast` (13-week forecast).

Prints the times (CPU time of this process, and wall time: the machine is shared), the ratio
of the aging to the beanquery baseline, the peak memory, and checks that the aging totals equal
beanquery's balances. Target: aging under 3 s after the load.

    .venv/bin/python benchmarks/bench_aging.py [--customers 500] [--invoices 50000]
"""

from __future__ import annotations

import argparse
import datetime
import random
import resource
import tempfile
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

from beanquery.query import run_query

from beanfirm.accounts.aging import age_items
from beanfirm.accounts.credit import Worth, rate_customers
from beanfirm.accounts.forecast import client_forecast
from beanfirm.accounts.openitems import read_book
from beanfirm.store.ledger import load_ledger

START = datetime.date(2024, 1, 1)
AS_OF = datetime.date(2026, 6, 30)


UNPAID = 0.05  # share of invoices never paid
PAID_AT_ONCE = 0.8  # share of the paid ones paid in one payment (the rest in two halves)


def transaction(date: datetime.date, payee: str, what: str, *lines: str) -> str:
    """Return a transaction's text: its header line (with links in `what`) and its lines."""
    return "\n".join([f'{date} * "{payee}" {what}', *(f"  {line}" for line in lines)])


def write_ledger(folder: Path, customers: int, invoices: int, seed: int = 8) -> Path:
    """Write the synthetic ledger; return its main file."""
    rng = random.Random(seed)
    days = (AS_OF - START).days
    lines = [
        'option "operating_currency" "CNY"',
        "plugin \"beanfirm.plugins.receivables\" \"{'credit-limit': 'ignore'}\"",
    ]
    general = ("Assets:Bank:CMB", "Income:Sales", "Expenses:Purchases", "Expenses:Rent")
    lines += [f"{START} open {account} CNY" for account in general]
    lines += [f"{START} open Expenses:Salaries CNY", f"{START} open Equity:Opening-Balances CNY"]
    for number in range(customers):
        terms = rng.choice((30, 45, 60))
        lines.append(
            f"{START} open Assets:Receivable:C{number:04d} CNY\n"
            f'  name: "Customer {number:04d} Ltd"\n  terms-days: {terms}\n'
            "  credit-limit: 500000.00 CNY"
        )
    for number in range(60):
        lines.append(f"{START} open Liabilities:Payable:V{number:03d} CNY\n  terms-days: 30")
    entries = [
        (
            START,
            transaction(
                START,
                "Bank",
                '"Opening balance"',
                "Assets:Bank:CMB  5000000.00 CNY",
                "Equity:Opening-Balances",
            ),
        )
    ]
    for number in range(invoices):
        customer = f"Assets:Receivable:C{rng.randrange(customers):04d}"
        date = START + datetime.timedelta(days=rng.randrange(days))
        due = date + datetime.timedelta(days=30)
        amount = Decimal(rng.randrange(10000, 5000000)) / 100
        link = f"^INV-{number:06d}"
        sale = transaction(
            date,
            "Customer",
            f'"Sale" {link}',
            f"due: {due}",
            f"{customer}  {amount} CNY",
            "Income:Sales",
        )
        entries.append((date, sale))
        paid_on = due + datetime.timedelta(days=rng.randrange(-20, 60))
        if rng.random() < UNPAID:
            continue
        half = (amount / 2).quantize(Decimal("0.01"))
        parts = [amount] if rng.random() < PAID_AT_ONCE else [half, amount - half]
        for index, part in enumerate(parts):
            day = paid_on + datetime.timedelta(days=7 * index)
            if day <= AS_OF:
                payment = transaction(
                    day, "Customer", f'"Payment" {link}', f"Assets:Bank:CMB  {part} CNY", customer
                )
                entries.append((day, payment))
    for number in range(invoices // 10):
        vendor = f"Liabilities:Payable:V{rng.randrange(60):03d}"
        date = START + datetime.timedelta(days=rng.randrange(days))
        amount = Decimal(rng.randrange(10000, 2000000)) / 100
        link = f"^BILL-{number:06d}"
        due = date + datetime.timedelta(days=30)
        bill = transaction(
            date,
            "Vendor",
            f'"Goods" {link}',
            f"due: {due}",
            f"Expenses:Purchases  {amount} CNY",
            vendor,
        )
        entries.append((date, bill))
        paid = date + datetime.timedelta(days=rng.randrange(20, 50))
        if paid <= AS_OF:
            payment = transaction(
                paid, "Vendor", f'"Payment" {link}', f"{vendor}  {amount} CNY", "Assets:Bank:CMB"
            )
            entries.append((paid, payment))
    month = START
    while month <= AS_OF:
        for day_of_month, payee, expense, cost in (
            (5, "Landlord", "Rent", 6000),
            (15, "Staff", "Salaries", 16000),
        ):
            when = month.replace(day=day_of_month)
            if when <= AS_OF:
                monthly = transaction(
                    when,
                    payee,
                    f'"{expense}"',
                    f"Expenses:{expense}  {cost}.00 CNY",
                    "Assets:Bank:CMB",
                )
                entries.append((when, monthly))
        month = (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    entries.sort(key=lambda pair: pair[0])
    main = folder / "main.beancount"
    body = "\n\n".join(text for _, text in entries)
    main.write_text("\n".join(lines) + "\n\n" + body + "\n", encoding="utf-8")
    return main


def timed(label: str, work: Callable[[], Any], results: dict[str, float]) -> Any:
    """Run `work`; record and print its CPU time (and wall time: the machine is shared)."""
    wall, cpu = time.perf_counter(), time.process_time()
    value = work()
    results[label] = time.process_time() - cpu
    print(f"{label:<42} {results[label]:8.2f} s CPU {time.perf_counter() - wall:8.2f} s wall")
    return value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--customers", type=int, default=500)
    parser.add_argument("--invoices", type=int, default=50000)
    args = parser.parse_args()
    times: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="beanfirm-bench-aging-") as work:
        main_file = timed(
            "write the ledger",
            lambda: write_ledger(Path(work), args.customers, args.invoices),
            times,
        )
        ledger = timed("load it (store.ledger, plugins)", lambda: load_ledger(main_file), times)
        transactions = sum(1 for e in ledger.entries if type(e).__name__ == "Transaction")
        print(f"{transactions} transactions, {len(ledger.errors)} load errors")
        entries, options = ledger.entries, ledger.options
        by_account = timed(
            "beanquery: balance per customer",
            lambda: run_query(
                entries,
                options,
                f"SELECT account, sum(position) WHERE account ~ '^Assets:Receivable:' "
                f"AND date <= {AS_OF} GROUP BY account",
            ),
            times,
        )
        timed(
            "beanquery: balance per customer and link",
            lambda: run_query(
                entries,
                options,
                f"SELECT account, joinstr(links) AS link, sum(position) "
                f"WHERE account ~ '^Assets:Receivable:' "
                f"AND date <= {AS_OF} GROUP BY account, link",
            ),
            times,
        )
        book = timed("read_book (receivables)", lambda: read_book(entries, options), times)
        aging = timed("age_items", lambda: age_items(book, AS_OF), times)
        times["aging (read_book + age_items)"] = (
            times["read_book (receivables)"] + times["age_items"]
        )
        timed(
            "credit ratings (read_book + rate)",
            lambda: rate_customers(
                read_book(entries, options), AS_OF, Worth.of_ledger(entries, "CNY")
            ),
            times,
        )
        timed(
            "forecast, 13 weeks (all of it)",
            lambda: client_forecast(entries, options, AS_OF, None),
            times,
        )
    _types, rows = by_account
    expected: dict[str, Decimal] = {}
    for account, inventory in rows:
        for position in inventory:
            expected[account] = expected.get(account, Decimal(0)) + position.units.number
    got = {row.party.account: row.totals["CNY"].total for row in aging.parties}
    if {k: v for k, v in got.items() if v} != {k: v for k, v in expected.items() if v}:
        raise SystemExit("the aging does not tie to beanquery's balances")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    aging_time = times["aging (read_book + age_items)"]
    print(f"aging totals tie to beanquery's balances for {len(got)} customers")
    by_account_time = times["beanquery: balance per customer"]
    by_link_time = times["beanquery: balance per customer and link"]
    print(
        f"aging after load: {aging_time:.2f} s (target < 3 s); "
        f"{aging_time / by_account_time:.2f}x the beanquery balance query, "
        f"{aging_time / by_link_time:.2f}x the per-link query"
    )
    print(f"peak memory: {peak:.0f} MB")


if __name__ == "__main__":
    main()
