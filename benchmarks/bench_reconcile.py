"""Measure reconciliation's matching: n statement lines against an account of n postings (issue 6).

For n = 10,000, 30,000 and 100,000 (fixed seed), a year of one bank account: postings with
payees and amounts (a tenth of them round amounts that repeat, 100.00, 200.00, …, so that many
lines share an amount and a day), and a statement of the same year: a third of its lines carry
the `import-id` of their posting, the others match by amount one to three days apart, some with
another wording of the payee; one line in a hundred is missing from the ledger, one posting in
a hundred is not on the statement, one in two hundred is typed with two digits swapped.

Each size runs in its own process, which reports its peak memory (maxrss), and times:

- building the account book from in-memory Beancount entries (`beanfirm.reconcile.accountbook`);
- the comparison: matching every line one-to-one and explaining every difference
  (`beanfirm.reconcile.comparison.compare`), the part the issue's target is about;
- side by side, the floor: one dictionary look-up per line by (amount, day), which matches
  nothing one-to-one and explains nothing, but shows what a pass over the lines costs.

The CPU time per line at 100,000 against 10,000, over log(n) growth, shows the O(n log n)
scaling (CPU time, because wall time on a shared machine varies with the other processes).

    .venv/bin/python benchmarks/bench_reconcile.py [--sizes 10000 30000 100000]
"""

from __future__ import annotations

import argparse
import datetime
import json
import math
import random
import resource
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

from beancount.core import data
from beancount.core.amount import Amount

from beanfirm.importers.statement import BankStatement, ClosingBalance, StatementRow
from beanfirm.reconcile.accountbook import account_book
from beanfirm.reconcile.comparison import compare
from beanfirm.reconcile.period import read_period

ACCOUNT = "Assets:Bank:ICBC"
START = datetime.date(2025, 1, 1)
PAYEES = (
    "上海恒基物业",
    "国家电网",
    "农夫山泉经销商",
    "统一企业",
    "员工工资",
    "康师傅饮品",
    "支付宝",
    "微信支付",
    "中国移动",
    "顺丰速运",
    "美团外卖",
    "饿了么",
    "顾客付款",
    "STARBUCKS STORE 1234",
    "AMAZON MKTPLACE PMTS",
    "OFFICE DEPOT #44",
)
ROUND = tuple(Decimal(n) for n in (50, 100, 200, 500, 1000, 2000))


def swapped(number: Decimal) -> Decimal:
    """Return the amount with its last two significant digits swapped (a typing slip)."""
    text = f"{abs(number):.2f}"
    digits = text.replace(".", "")
    swapped_digits = digits[:-4] + digits[-3] + digits[-4] + digits[-2:]
    value = Decimal(swapped_digits[:-2] + "." + swapped_digits[-2:])
    return -value if number < 0 else value


def generate(n: int, seed: int = 6) -> tuple[list[Any], BankStatement]:
    """Return n postings as Beancount entries, and the statement of the same year."""
    rng = random.Random(seed)
    entries: list[Any] = [data.Open(data.new_metadata("bench", 0), START, ACCOUNT, ["CNY"], None)]
    rows: list[StatementRow] = []
    balance = Decimal(0)
    for index in range(n):
        day = START + datetime.timedelta(days=rng.randrange(365))
        if rng.random() < 0.1:  # noqa: PLR2004
            number = rng.choice(ROUND)
        else:
            number = Decimal(rng.randrange(100, 500_000)) / 100
        number = number if rng.random() < 0.4 else -number  # noqa: PLR2004
        payee = rng.choice(PAYEES)
        import_id = f"ID{index}" if index % 3 == 0 else None
        roll = rng.random()
        booked = swapped(number) if roll < 0.005 and abs(number) >= 10 else number  # noqa: PLR2004
        meta = data.new_metadata("journal.beancount", index + 1)
        if import_id:
            meta["import-id"] = import_id
        if not 0.005 <= roll < 0.015:  # noqa: PLR2004 - one line in a hundred missing
            entries.append(
                data.Transaction(
                    meta,
                    day,
                    "*",
                    payee,
                    "bench",
                    frozenset(),
                    frozenset(),
                    [data.Posting(ACCOUNT, Amount(booked, "CNY"), None, None, None, None)],
                )
            )
        if 0.015 <= roll < 0.025:  # noqa: PLR2004 - one posting in a hundred not at the bank
            continue
        shift = 0 if import_id else rng.choice((0, 0, 1, 2, 3))
        bank_day = day + datetime.timedelta(days=shift)
        text = payee if rng.random() < 0.7 else f"{payee} 消费"  # noqa: PLR2004
        rows.append(
            StatementRow(
                0,
                bank_day,
                None,
                number,
                "CNY",
                text,
                "",
                None,
                None,
                None,
                (),
                import_id or f"fp:{index}",
            )
        )
    rows.sort(key=lambda row: row.date)
    numbered = []
    for line, row in enumerate(rows, 2):
        balance += row.number
        numbered.append(row._replace(line=line, balance=balance))
    closing = (ClosingBalance(numbered[-1].date, balance, "CNY", len(numbered) + 1),)
    return entries, BankStatement("bench.csv", tuple(numbered), (), closing)


def floor(statement: BankStatement, entries: list[Any]) -> int:
    """Look every line up by (amount, day) in a dictionary: the cost of one pass, no more."""
    index: dict[tuple[Decimal, datetime.date], int] = {}
    for entry in entries:
        units = entry.postings[0].units if isinstance(entry, data.Transaction) else None
        if units is not None and isinstance(units.number, Decimal):
            index[units.number, entry.date] = 1
    return sum(1 for row in statement.rows if (row.number, row.date) in index)


def child(n: int) -> None:
    """Run one size and print its figures as JSON (in its own process, for its peak memory)."""
    entries, statement = generate(n)
    started = time.perf_counter()
    book = account_book(entries, ACCOUNT, "CNY", [ACCOUNT])
    period = read_period(statement, "CNY", source="bench.csv")
    built = time.perf_counter() - started
    started, cpu = time.perf_counter(), time.process_time()
    comparison = compare(period, book, 7, Path.cwd())
    compared = time.perf_counter() - started
    compared_cpu = time.process_time() - cpu
    started = time.perf_counter()
    floor(statement, entries)
    floored = time.perf_counter() - started
    kinds: dict[str, int] = {}
    for item in comparison.differences:
        kinds[item.kind] = kinds.get(item.kind, 0) + 1
    print(
        json.dumps(
            {
                "n": n,
                "lines": len(statement.rows),
                "postings": len(book.postings),
                "build": built,
                "compare": compared,
                "compare_cpu": compared_cpu,
                "floor": floored,
                "matched": len(comparison.matches),
                "by_id": sum(1 for m in comparison.matches if m.by == "import-id"),
                "kinds": kinds,
                "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 30_000, 100_000])
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return
    results = []
    for n in args.sizes:
        proc = subprocess.run(
            [sys.executable, __file__, "--child", str(n)],
            capture_output=True,
            text=True,
            check=True,
        )
        results.append(json.loads(proc.stdout))
    base = results[0]
    print(
        f"{'n':>8} {'lines':>8} {'build':>8} {'compare':>8} {'cpu':>7} {'µs/line':>8} "
        f"{'vs n log n':>10} {'floor':>7} {'x floor':>8} {'peak':>8}  matched (by id) / differences"
    )
    for row in results:
        per_line = row["compare_cpu"] / row["lines"] * 1e6
        growth = (row["compare_cpu"] / base["compare_cpu"]) / (
            row["n"] * math.log(row["n"]) / (base["n"] * math.log(base["n"]))
        )
        print(
            f"{row['n']:>8,} {row['lines']:>8,} {row['build']:>7.2f}s {row['compare']:>7.2f}s "
            f"{row['compare_cpu']:>6.2f}s "
            f"{per_line:>8.1f} {growth:>9.2f}x {row['floor']:>6.2f}s "
            f"{row['compare'] / row['floor']:>7.1f}x {row['peak_mib']:>5} MiB  "
            f"{row['matched']:,} ({row['by_id']:,}) / {row['kinds']}"
        )
    print(
        "µs/line and vs n log n use the comparison's CPU time (steadier than wall time on a "
        "shared machine); vs n log n is relative to the first size, over n log n growth "
        "(1.00x is exactly O(n log n); below 1 is better)."
    )


if __name__ == "__main__":
    main()
