"""Measure `beanfirm import` side by side with what it replaces, in one run (issue 4).

1. **Reading.** A bank export of N rows (default 100,000; the Chase layout, fixed seed,
   newest first like Chase, a running balance): beanfirm reads, normalizes and categorizes
   it as `beanfirm import` does before it looks at the ledger (the `chase` preset's read,
   then `beanfirm.ingest.plan.categorized_entries`: balance assertions, and every row made a
   transaction and categorized by 20 firm rules); beangulp's `csvbase` extracts it with an
   importer for the same layout (written below: date, narration, amount, balance); a bare
   `csv.reader` loop with Decimal and date parsing is the floor. Each runs in its own process
   (imports and rule loading included, freeing the result not), which reports its wall and
   CPU time and peak memory (maxrss); the three run interleaved, `--reading-runs` times after
   one uncounted run each, and the medians are compared.
2. **Dedup.** N rows against a client holding N transactions (half imported, half typed by
   hand), at 10,000, 30,000 and 100,000: the time to index the ledger and match every row
   (by import id, then against open slots), and per row, to show it grows as n log n or
   better. Parsing the ledger is shown apart.
3. **The everyday case.** A 500-row Alipay export into a client of ~20,000 transactions
   (`beanfirm generate`, plugins on), check and commit included, against a bare `bean-check`
   of the same ledger; with the check cache warm (as after the previous import or a
   `beanfirm check`) and cold.

    .venv/bin/python benchmarks/bench_import.py [--rows 100000] [--reading-runs 5]
        [--only-reading] [--skip-everyday]
"""

from __future__ import annotations

import argparse
import csv
import datetime
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

from timing import timed_run

BIN = Path(sys.executable).parent
# The practice's first day and seed, named here rather than taken from the generator's
# defaults, so that the benchmark measures the same ledgers when the demo moves on. Its checks
# count days as of a day the generator pins (23 days after the last month), not the real today.
START = "2025-10-01"
SEED = "20251001"
MERCHANTS = (
    "STARBUCKS STORE 1234",
    "WHOLE FOODS MARKET",
    "SHELL OIL 5566",
    "AMAZON MKTPLACE PMTS",
    "UBER TRIP",
    "COMCAST CABLE",
    "VERIZON WIRELESS",
    "OFFICE DEPOT #44",
    "FEDEX 7788",
    "DELTA AIR LINES",
    "MARRIOTT HOTEL",
    "CITY PARKING",
    "ACME SUPPLIES INC",
    "PAYROLL ADP",
    "IRS USATAXPYMT",
    "COSTCO WHSE",
    "HOME DEPOT",
    "CHEVRON 0099",
    "TARGET T-1234",
    "RANDOM VENDOR",
    "CUSTOMER DEPOSIT",
    "ATM WITHDRAWAL",
    "ZELLE TO J SMITH",
)
RULES = textwrap.dedent(
    """\
    rules:
      - {name: coffee, when: {payee: [starbucks, peet]}, account: Expenses:Meals}
      - {name: groceries, when: {text: [whole foods, costco, target]}, account: Expenses:Supplies}
      - {name: fuel, when: {text: [shell oil, chevron]}, account: Expenses:Travel:Fuel}
      - {name: amazon, when: {text: amazon}, account: Expenses:Supplies}
      - {name: uber, when: {text: uber}, account: Expenses:Travel:Transport}
      - {name: internet, when: {text: comcast}, account: Expenses:Utilities}
      - {name: phone, when: {text: verizon}, account: Expenses:Utilities}
      - {name: office, when: {text: office depot}, account: Expenses:Office}
      - {name: shipping, when: {text: fedex}, account: Expenses:Shipping}
      - {name: flights, when: {text: delta air}, account: Expenses:Travel:Air}
      - {name: hotels, when: {text: marriott}, account: Expenses:Travel:Lodging}
      - {name: parking, when: {text: parking}, account: Expenses:Travel:Transport}
      - {name: supplier, when: {text: acme supplies}, account: Expenses:COGS}
      - {name: payroll, when: {text: payroll}, account: Expenses:Payroll}
      - {name: tax, when: {text: /usataxpymt|irs/}, account: Expenses:Taxes}
      - {name: tools, when: {text: home depot}, account: Expenses:Repairs}
      - {name: sales, when: {text: customer deposit, direction: in}, account: Income:Sales}
      - {name: cash, when: {text: atm withdrawal}, account: Assets:Cash}
      - {name: big, when: {min: 10000, direction: out}, account: Expenses:Review, review: true}
      - {name: fees, when: {text: /fee|charge/}, account: Expenses:Bank}
    """
)


# --- the export ------------------------------------------------------------------------


def write_export(path: Path, rows: int, seed: int = 4) -> None:
    """Write a Chase-style export of `rows` rows, newest first, with a running balance."""
    rng = random.Random(seed)
    start = datetime.date(2022, 1, 1)
    balance = Decimal("100000.00")
    lines = []
    for n in range(rows):
        day = start + datetime.timedelta(days=n * 1000 // rows)
        merchant = rng.choice(MERCHANTS)
        cents = rng.randrange(100, 500_000)
        amount = Decimal(cents).scaleb(-2)
        if merchant not in ("CUSTOMER DEPOSIT", "PAYROLL ADP"):
            amount = -amount
        balance += amount
        kind = "CREDIT" if amount > 0 else "DEBIT"
        lines.append(
            f'{kind},{day:%m/%d/%Y},"{merchant} {n % 997}",{amount},ACH_{kind},{balance},,\n'
        )
    header = "Details,Posting Date,Description,Amount,Type,Balance,Check or Slip #,\n"
    path.write_text(header + "".join(reversed(lines)), encoding="utf-8")


# --- the readers, each run in its own process -----------------------------------------


def read_beanfirm(path: Path) -> list[Any]:
    started = time.perf_counter()
    from beanfirm.importers.csvengine import StatementImporter  # noqa: PLC0415
    from beanfirm.importers.entries import balance_entries  # noqa: PLC0415
    from beanfirm.importers.presets import PRESETS  # noqa: PLC0415
    from beanfirm.rules.categorize import load_ruleset  # noqa: PLC0415 - measured in the child

    practice = path.parent / "rules-practice"
    (practice / "ledgers" / "bench").mkdir(parents=True, exist_ok=True)
    (practice / "rules.yaml").write_text(RULES, encoding="utf-8")
    ruleset = load_ruleset(practice, "bench")
    PHASES["start: imports, rules"] = time.perf_counter() - started
    statement = StatementImporter(PRESETS["chase"], "Assets:Bank:Chase").read(str(path))
    PHASES["read and normalize"] = time.perf_counter() - started - sum(PHASES.values())
    # What `beanfirm import` does next (`beanfirm.ingest.plan.categorized_entries`): the balance
    # assertions, and the transactions categorized.
    balances = balance_entries(statement, "Assets:Bank:Chase")
    booked = ruleset.categorize_statement(statement, "Assets:Bank:Chase")
    PHASES["entries and categorize"] = time.perf_counter() - started - sum(PHASES.values())
    return [*balances, *(txn for txn, _ in booked)]


def read_beangulp(path: Path) -> list[Any]:
    from beangulp.importers import csvbase  # noqa: PLC0415

    class ChaseCsv(csvbase.Importer):  # type: ignore[misc] # beangulp is untyped
        date = csvbase.Date("Posting Date", "%m/%d/%Y")
        narration = csvbase.Column("Description")
        amount = csvbase.Amount("Amount")
        balance = csvbase.Amount("Balance")

        def identify(self, filepath: str) -> bool:  # noqa: ARG002
            return True

    return list(ChaseCsv("Assets:Bank:Chase", "USD").extract(str(path), []))


def read_floor(path: Path) -> list[Any]:
    rows = []
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        next(reader)
        for row in reader:
            date = datetime.datetime.strptime(row[1], "%m/%d/%Y").date()  # noqa: DTZ007
            rows.append((date, Decimal(row[3]), Decimal(row[5])))
    return rows


READERS = {"beanfirm": read_beanfirm, "beangulp": read_beangulp, "floor": read_floor}
PHASES: dict[str, float] = {}


def child(mode: str, path: Path) -> None:
    """Run one reader and print its figures as JSON (the child process's side)."""
    started = time.perf_counter()
    cpu = time.process_time()
    # The result is kept until the clock stops: freeing it is not part of reading.
    result = READERS[mode](path)
    seconds = time.perf_counter() - started
    cpu = time.process_time() - cpu
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    figures = {
        "entries": len(result),
        "seconds": seconds,
        "cpu": cpu,
        "peak_mib": peak,
        "phases": PHASES,
    }
    print(json.dumps(figures))


def run_child(mode: str, path: Path) -> dict[str, Any]:
    # As installed: modules load from their cached bytecode. (An environment that sets
    # PYTHONDONTWRITEBYTECODE would have each run compile beanfirm from source, while the
    # packages beangulp and Beancount come with their bytecode: a cost no install has.)
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    proc = subprocess.run(
        [sys.executable, __file__, "--child", mode, str(path)],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def bench_reading(work: Path, rows: int, runs: int) -> None:
    path = work / "chase.csv"
    write_export(path, rows)
    print(f"\n1. Reading a {rows:,}-row bank export (Chase layout), {runs} runs each, interleaved")
    print(f"   load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    results: dict[str, list[dict[str, Any]]] = {mode: [] for mode in READERS}
    for mode in READERS:  # a first run of each, not counted: bytecode written, file cached
        run_child(mode, path)
    for _ in range(runs):  # interleaved, so that other work on the machine hits all alike
        for mode in ("beangulp", "beanfirm", "floor"):
            results[mode].append(run_child(mode, path))
    print(f"   load average after:  {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    medians = {
        mode: {key: statistics.median(run[key] for run in runs_) for key in ("seconds", "cpu")}
        for mode, runs_ in results.items()
    }
    for mode, label in (
        ("beangulp", "beangulp csvbase extract"),
        ("beanfirm", "beanfirm read + normalize + categorize (20 rules)"),
        ("floor", "csv.reader + Decimal + strptime (floor)"),
    ):
        seconds, cpu = medians[mode]["seconds"], medians[mode]["cpu"]
        peak = max(run["peak_mib"] for run in results[mode])
        print(
            f"   {label:52} {seconds:6.2f} s {rows / seconds:9,.0f} rows/s "
            f"(CPU {cpu:5.2f} s) peak {peak:4d} MiB"
        )
    phases = results["beanfirm"][0]["phases"]
    parts = ", ".join(
        f"{name} {statistics.median(run['phases'][name] for run in results['beanfirm']):.2f} s"
        for name in phases
    )
    print(f"   beanfirm's parts (median): {parts}")
    entries = {mode: results[mode][0]["entries"] for mode in ("beangulp", "beanfirm")}
    print(f"   entries made: beangulp {entries['beangulp']:,}, beanfirm {entries['beanfirm']:,}")
    wall = medians["beangulp"]["seconds"] / medians["beanfirm"]["seconds"]
    cpu = medians["beangulp"]["cpu"] / medians["beanfirm"]["cpu"]
    print(f"   beanfirm vs beangulp: {wall:.2f}x the rows/s (CPU time {cpu:.2f}x; target >= 2x)")


# --- dedup ------------------------------------------------------------------------------


Booked = list[tuple[str, Decimal, datetime.date, str]]


def ledger_text(count: int, seed: int) -> tuple[str, Booked]:
    """A ledger of `count` transactions on the bank: half imported, half typed by hand."""
    rng = random.Random(seed)
    start = datetime.date(2020, 1, 1)
    lines = ["2019-12-31 open Assets:Bank:Chase USD\n2019-12-31 open Expenses:Misc USD\n"]
    booked = []
    for n in range(count):
        day = start + datetime.timedelta(days=n * 1500 // count)
        amount = -Decimal(rng.randrange(100, 500_000)).scaleb(-2)
        import_id = f"fp:{n:012x}#1"
        if n % 2:
            lines.append(
                f'{day} * "Vendor {n % 997}" "typed by hand"\n'
                f"  Expenses:Misc  {-amount} USD\n  Assets:Bank:Chase\n"
            )
            import_id = ""
        else:
            lines.append(
                f'{day} ! "Vendor {n % 997}" "imported"\n  import-id: "{import_id}"\n'
                f"  Assets:Bank:Chase  {amount} USD\n  Expenses:Misc  {-amount} USD\n"
            )
        booked.append((import_id, amount, day, f"Vendor {n % 997}"))
    return "\n".join(lines), booked


def bench_dedup(sizes: list[int]) -> None:
    from beancount.parser import parser  # noqa: PLC0415

    from beanfirm.ingest.dedup import Candidate, known_rows, match_open_slots  # noqa: PLC0415
    from beanfirm.ingest.ledgerindex import build_index  # noqa: PLC0415

    print("\n2. Dedup: n rows against a client holding n transactions")
    print("   (a third imported before, a third typed by hand a day apart, a third new)")
    for size in sizes:
        text, booked = ledger_text(size, seed=size)
        started = time.perf_counter()
        entries, errors, _ = parser.parse_string(text)
        parsed = time.perf_counter() - started
        if errors:
            raise SystemExit(str(errors[:3]))
        rows = []
        for key in range(size):
            import_id, amount, day, payee = booked[key]
            row_id = f"new{key}"
            if key % 3 == 0 and import_id:  # imported before: same id
                row_id = import_id
            elif key % 3 == 1 and not import_id:  # typed by hand; the bank books it a day later
                day += datetime.timedelta(days=1)
            else:  # new: an amount no entry has, as a rule
                amount -= Decimal("0.01")
            rows.append(Candidate(key, "Assets:Bank:Chase", amount, "USD", day, payee, row_id))
        started = time.perf_counter()
        index = build_index(entries, ["Assets:Bank:Chase"])
        indexed = time.perf_counter() - started
        known = known_rows(rows, index)
        matched = match_open_slots([row for row in rows if row.key not in known], index)
        total = time.perf_counter() - started
        per_row = total / size * 1e6
        print(
            f"   n = {size:7,}: index {indexed:5.2f} s + match {total - indexed:5.2f} s = "
            f"{total:5.2f} s ({per_row:4.1f} us/row); known by id {len(known):,}, matched "
            f"{len(matched):,}; parsing the ledger {parsed:5.2f} s"
        )


# --- the everyday case ---------------------------------------------------------------------


def alipay_export(path: Path, rows: int, seed: int = 11) -> None:
    rng = random.Random(seed)
    payees = ("美团外卖", "滴滴出行", "中国移动", "统一企业", "全家便利店", "拼多多", "顾客付款")
    lines = []
    for n in range(rows):
        minutes = n * 60 * 24 * 27 // rows
        stamp = datetime.datetime(2026, 11, 1, tzinfo=datetime.UTC) + datetime.timedelta(
            minutes=minutes
        )
        payee = rng.choice(payees)
        direction = "收入" if payee == "顾客付款" else "支出"
        amount = Decimal(rng.randrange(100, 50_000)).scaleb(-2)
        lines.append(
            f"{stamp:%Y-%m-%d %H:%M:%S},其他,{payee},/,商品,{direction},{amount},余额,交易成功,"
            f"2026{n:016d}\t,,,\n"
        )
    header = (
        "支付宝交易记录明细查询\n账号:[shop@example.com]\n"
        "交易时间,交易分类,交易对方,对方账号,商品说明,收/支,金额,收/付款方式,交易状态,交易订单号,"
        "商家订单号,备注,\n"
    )
    path.write_text(header + "".join(reversed(lines)) + "-" * 40 + "\n", encoding="utf-8")


def timed(argv: list[str], cwd: Path, *, findings_ok: bool = False) -> float:
    """Run a command; return its wall time."""
    return timed_run(argv, cwd, findings_ok=findings_ok)[0]


def bench_everyday(work: Path, transactions: int, runs: int) -> None:
    practice = work / "everyday"
    generate = [str(BIN / "beanfirm"), "generate", str(practice), "--clients", "1"]
    pinned = ["--start", START, "--seed", SEED]  # the export's November follows its 13 months
    timed([*generate, "--transactions", str(transactions), *pinned], cwd=work)
    subprocess.run(
        ["git", "config", "user.email", "zhao@mingzhang.example"], cwd=practice, check=True
    )
    export = work / "alipay-2026-11.csv"
    alipay_export(export, 500)
    main = "ledgers/client-0001/main.beancount"
    count = len(list((practice / "ledgers").rglob("*.beancount")))
    # The generated ledger has findings (probable duplicates, rows to categorize): bean-check
    # prints them and exits 1 after a full load, which is what is timed.
    # Beancount's pickle cache would make every run after the first a warm load; an import
    # changes the ledger, so the next bean-check after it is a cold load: that is compared.
    bean_check = []
    for _ in range(runs):
        for pickle in practice.rglob("*.picklecache"):
            pickle.unlink()
        bean_check.append(timed([str(BIN / "bean-check"), main], cwd=practice, findings_ok=True))
    imports: dict[str, list[float]] = {"warm": [], "cold": []}
    for state in ("warm", "cold"):
        for _ in range(runs):
            copy = work / f"copy-{state}"
            shutil.rmtree(copy, ignore_errors=True)
            shutil.copytree(practice, copy, symlinks=True)
            if state == "warm":
                timed([str(BIN / "beanfirm"), "check"], cwd=copy, findings_ok=True)
            argv = [str(BIN / "beanfirm"), "--as", "zhao", "import", "client-0001", str(export)]
            imports[state].append(timed(argv, cwd=copy))
    check = statistics.median(bean_check)
    print(f"\n3. The everyday case: 500 rows into a client of ~{transactions:,} transactions")
    print(f"   ({count} ledger files; median of {runs} runs each)")
    print(f"   bean-check of the ledger                          {check:6.2f} s")
    for state, label in (("warm", "check cache warm"), ("cold", "check cache cold")):
        seconds = statistics.median(imports[state])
        print(
            f"   beanfirm import, check and commit ({label})  {seconds:6.2f} s  "
            f"{seconds / check:.2f}x bean-check (target <= 1.5x)"
        )


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "--child":  # noqa: PLR2004
        child(sys.argv[2], Path(sys.argv[3]))
        return
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--transactions", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--reading-runs", type=int, default=5)
    parser.add_argument("--only-reading", action="store_true")
    parser.add_argument("--skip-everyday", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="beanfirm-bench-import-") as scratch:
        work = Path(scratch)
        bench_reading(work, args.rows, args.reading_runs)
        if args.only_reading:
            return
        bench_dedup([size for size in (10_000, 30_000, 100_000) if size <= max(args.rows, 10_000)])
        if not args.skip_everyday:
            bench_everyday(work, args.transactions, args.runs)


if __name__ == "__main__":
    main()
