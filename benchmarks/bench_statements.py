"""Measure the batch of PDF statements of account for 500 customers of one client.

Generates (fixed seed) a practice with one wholesaler of 500 customers (half with Chinese
names and language `zh`, half English) and 50,000 invoices over 2025, about 90 % paid on
time or late, some in two parts, with the `receivables` plugin on. Then, in one run:

- the baseline: the statement lines of every customer for December with beanquery (one
  query for the opening balances, one for the period's postings), on the loaded ledger;
- beanfirm building the 500 statement models (`read_book` + `build_statement`);
- rendering them to HTML only;
- rendering them to PDF in one process, and in one process per core (`write_statements`);
- the whole command, `beanfirm statement CLIENT --all-customers --to 2025-12-31`, in a fresh
  process (load, checks, render, write), which is what the target of issue 8 is about:
  under a minute;
- the cost of one PDF by language and font configuration, to see what font subsetting costs.

    .venv/bin/python benchmarks/bench_statements.py [--customers 500] [--invoices 50000]
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from decimal import ROUND_DOWN, Decimal
from pathlib import Path
from typing import Any

from beanquery import query

from beanfirm.accounts.letterhead import letterheads
from beanfirm.accounts.openitems import read_book
from beanfirm.accounts.render import statement_html
from beanfirm.accounts.statements import AccountStatement
from beanfirm.core.pdf import html_to_pdf
from beanfirm.jobs.statements import StatementPlan, plan_statements, write_statements
from beanfirm.store.ledger import Ledger, load_ledger
from beanfirm.store.registry import load_registry

BIN = Path(sys.executable).parent
CPU: dict[str, float] = {}
CLIENT = "wholesaler"
START, END = datetime.date(2025, 12, 1), datetime.date(2025, 12, 31)
REGISTRY = """\
firm:
  name: 明账财务咨询有限公司 (Mingzhang Accounting)
  address: 上海市静安区南京西路1266号
  phone: 021-6288 1200
  email: service@mingzhang.example
  tax-id: 91310106MA1FY0AB2C
  staff:
  - {id: ana, name: Ana, email: ana@firm.example, role: partner}
  - {id: bo, name: Bo, email: bo@firm.example, role: preparer}
clients:
- id: wholesaler
  name: 杭州东升商贸有限公司
  classification: {industry: wholesale, frequency: high, region: zhejiang, size: medium}
  preparer: bo
  reviewer: ana
  currency: CNY
  address: 杭州市上城区解放路138号
  phone: 0571-8702 3456
  tax-id: 91330102MA2H3K4L5M
"""
SURNAMES = "华联永辉全家罗森联华世纪苏宁国美大润发物美"


def ledger_text(customers: int, invoices: int, seed: int) -> str:
    """Return the wholesaler's ledger: one file, dated entries in order."""
    rng = random.Random(seed)
    lines = [
        'option "operating_currency" "CNY"',
        'plugin "beanfirm.plugins.receivables"',
        "2025-01-01 open Assets:Bank CNY",
        "2025-01-01 open Income:Sales CNY",
    ]
    for number in range(1, customers + 1):
        chinese = number % 2
        name = (
            f"{SURNAMES[number % len(SURNAMES)]}{number:04d}商贸有限公司"
            if chinese
            else f"Customer {number:04d} Trading Ltd."
        )
        lines += [
            f"2025-01-01 open Assets:Receivable:C{number:04d} CNY",
            f'  name: "{name}"',
            "  terms-days: 30",
            f'  email: "ap{number}@customer.example"',
            f'  language: "{"zh" if chinese else "en"}"',
            f'  address: "{"上海市黄浦区南京东路" if chinese else "Nanjing Road "}{number}号"',
        ]
    events: list[tuple[datetime.date, str]] = []
    for serial in range(1, invoices + 1):
        customer = f"C{rng.randint(1, customers):04d}"
        day = datetime.date(2025, 1, 1) + datetime.timedelta(days=rng.randint(0, 364))
        due = day + datetime.timedelta(days=30)
        amount = Decimal(rng.randint(10_000, 5_000_000)) / 100
        invoice = f"INV-{serial:06d}"
        text = (
            f'{day} * "{customer}" "销售货物 {invoice}" ^{invoice}\n  due: {due}\n'
            f"  Assets:Receivable:{customer}  {amount} CNY\n  Income:Sales\n"
        )
        events.append((day, text))
        if rng.random() < 0.9:  # noqa: PLR2004 - one invoice in ten stays unpaid
            paid = due + datetime.timedelta(days=rng.randint(-20, 40))
            half = (amount / 2).quantize(Decimal("0.01"), rounding=ROUND_DOWN)
            parts = [amount] if rng.random() < 0.8 else [half, amount - half]  # noqa: PLR2004
            for index, part in enumerate(parts):
                when = paid + datetime.timedelta(days=10 * index)
                text = (
                    f'{when} * "{customer}" "收到货款 {invoice}" ^{invoice}\n'
                    f"  Assets:Bank  {part} CNY\n  Assets:Receivable:{customer}\n"
                )
                events.append((when, text))
    events.sort(key=lambda event: event[0])
    return "\n".join(lines) + "\n\n" + "\n".join(text for _, text in events)


def make_practice(folder: Path, customers: int, invoices: int) -> Path:
    (folder / "ledgers" / CLIENT).mkdir(parents=True)
    (folder / "clients.yaml").write_text(REGISTRY, encoding="utf-8")
    main = folder / "ledgers" / CLIENT / "main.beancount"
    main.write_text(ledger_text(customers, invoices, seed=20251001), encoding="utf-8")
    return main


def cpu_seconds() -> float:
    """CPU time of this process and of its finished children (workers, the command)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def timed(label: str, work: Callable[[], Any]) -> tuple[float, Any]:
    """Run `work`; print its wall-clock and CPU time (the steadier figure on a busy machine)."""
    cpu = cpu_seconds()
    started = time.perf_counter()
    result = work()
    seconds = time.perf_counter() - started
    used = cpu_seconds() - cpu
    CPU[label] = used
    print(f"  {label:<58} {seconds:8.2f} s   cpu {used:8.2f} s")
    return seconds, result


def beanquery_baseline(ledger: Ledger) -> tuple[int, int]:
    opening = (
        "SELECT account, sum(position) AS balance WHERE account ~ '^Assets:Receivable:' "
        f"AND date < {START} GROUP BY account"
    )
    lines = (
        "SELECT account, date, narration, links, position, balance "
        f"WHERE account ~ '^Assets:Receivable:' AND date >= {START} AND date <= {END} "
        "ORDER BY account, date"
    )
    _, first = query.run_query(ledger.entries, ledger.options, opening)
    _, second = query.run_query(ledger.entries, ledger.options, lines)
    return len(first), len(second)


def one_pdf_costs(statements: list[AccountStatement], firm: Any, client: Any) -> None:
    """What one PDF costs, by language; and with a fresh font configuration each time."""
    from weasyprint import HTML  # noqa: PLC0415

    zh = next(s for s in statements if s.party.text("language") == "zh")
    en = next(s for s in statements if s.party.text("language") == "en")
    for label, statement, language in (
        ("zh statement (Chinese font subset)", zh, "zh"),
        ("en statement, English customer", en, "en"),
    ):
        html = statement_html(statement, firm, client, language)
        runs = []
        for _ in range(7):
            started = time.process_time()
            html_to_pdf(html)
            runs.append(time.process_time() - started)
        fresh = []
        for _ in range(7):
            started = time.process_time()
            HTML(string=html).write_pdf()
            fresh.append(time.process_time() - started)
        print(
            f"  one PDF, {label:<36} cpu {statistics.median(runs) * 1000:4.0f} ms"
            f"   (a fresh FontConfiguration each time: {statistics.median(fresh) * 1000:4.0f} ms)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--customers", type=int, default=500)
    parser.add_argument("--invoices", type=int, default=50_000)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-statements-"))
    try:
        print(f"{args.customers} customers, {args.invoices:,} invoices; period {START} to {END}")
        _, main_file = timed(
            "generate the ledger", lambda: make_practice(work, args.customers, args.invoices)
        )
        _, ledger = timed(
            "load it (store.ledger.load_ledger, with the plugin)", lambda: load_ledger(main_file)
        )
        transactions = sum(1 for e in ledger.entries if type(e).__name__ == "Transaction")
        print(f"  ({transactions:,} transactions, {len(ledger.errors)} errors)")
        baseline, (accounts, rows) = timed(
            "baseline: beanquery, opening balances + period lines",
            lambda: beanquery_baseline(ledger),
        )
        print(f"  ({accounts} opening balances, {rows:,} statement lines)")
        registry = load_registry(work / "clients.yaml")
        firm, client = letterheads(registry.firm, registry.client(CLIENT))

        book_s, book = timed(
            "beanfirm: read_book (open items of the ledger)",
            lambda: read_book(ledger.entries, ledger.options),
        )
        parties = sorted(book.parties.values(), key=lambda party: party.key)

        def models() -> list[StatementPlan]:
            return plan_statements(
                registry.client(CLIENT), ledger, book, parties, "balance-forward",
                start=START, end=END, language=None, output="pdf", root=work, skip_empty=True,
            )  # fmt: skip

        model_s, plans = timed("beanfirm: checks + 500 statement models", models)
        model_s += book_s
        statements = [plan.statement for plan in plans]
        html_s, _ = timed(
            "beanfirm: HTML of every statement",
            lambda: [statement_html(p.statement, firm, client, p.language) for p in plans],
        )
        one_s, _ = timed(
            "beanfirm: PDF of every statement, 1 process",
            lambda: write_statements(plans, work / "pdf-1", firm, client, "pdf", jobs=1),
        )
        cores = os.cpu_count() or 1
        many_s, _ = timed(
            f"beanfirm: PDF of every statement, {cores} processes",
            lambda: write_statements(plans, work / "pdf-n", firm, client, "pdf", jobs=cores),
        )
        size = sum(p.stat().st_size for p in (work / "pdf-n").iterdir())
        print(f"  ({len(plans)} files, {size / 1e6:.1f} MB)")
        command = [
            str(BIN / "beanfirm"), "--practice", str(work), "statement", CLIENT,
            "--all-customers", "--to", str(END), "-o", str(work / "cli"),
        ]  # fmt: skip
        cli_s, _ = timed(
            "the command, fresh process (load + checks + PDF)",
            lambda: subprocess.run(command, check=True, capture_output=True),
        )
        one_pdf_costs(statements, firm, client)
        print()
        print(f"HTML vs beanquery baseline:        {html_s / baseline:5.2f}x")
        print(f"models + HTML vs baseline:         {(model_s + html_s) / baseline:5.2f}x")
        print(f"PDF, {cores} processes vs 1:            {one_s / many_s:5.2f}x faster")
        print(f"PDF vs HTML ({cores} processes):        {many_s / html_s:5.1f}x")
        print(f"whole command: {cli_s:.1f} s wall (target: under 60 s)")
        render_cpu = CPU["beanfirm: PDF of every statement, 1 process"]
        print(
            f"PDF rendering CPU: {render_cpu:.1f} s = {render_cpu / len(plans) * 1000:.0f} ms per "
            f"statement; on {cores} idle cores about {render_cpu / cores:.0f} s"
        )
        print(f"load average at the end: {os.getloadavg()[0]:.1f} on {cores} cores")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
