"""A generator of plausible practices: the bundled demo, and practices of any size.

Everything is drawn from `random.Random` with a fixed seed per client, so the same arguments
always give byte-identical ledgers. Four kinds of client are modelled, one per demo client and
one module each: a retail shop paid through Alipay and WeChat (`retail`), a wholesaler with
receivables and payables (`wholesale`), a consultancy whose staff visit customers
(`consulting`), and a cross-border seller in CNY and USD (`crossborder`); `book` holds what
they share, `clients` the firm and its clients. Every bank and payment account gets a balance
assertion after each month, dated the day after the month ends (Beancount checks balances at
the start of the day), and its cadence as `reconcile:` metadata. Every main.beancount turns on
beanfirm's five plugins as of a fixed day after the last month (`SNAPSHOT_DAYS`), so that a
generated practice checks the same on any day.
"""

from __future__ import annotations

import datetime
import random
from collections import defaultdict
from decimal import Decimal
from typing import TYPE_CHECKING

from beanfirm.core import paths
from beanfirm.core.journal import (
    Posting,
    Txn,
    aligned,
    balance_text,
    month_path,
    quote,
    txn_text,
)
from beanfirm.demo.book import GeneratedBook, month_starts
from beanfirm.demo.clients import FIRM_NAME, registry_yaml
from beanfirm.demo.consulting import consulting_month, consulting_opens
from beanfirm.demo.crossborder import crossborder_month
from beanfirm.demo.retail import awaiting_categorization, retail_month
from beanfirm.demo.rules import rules_files
from beanfirm.demo.wholesale import wholesale_month, wholesale_opens
from beanfirm.firm.charts import plugin_lines, skeleton_files
from beanfirm.jobs.newpractice import GITIGNORE

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from beanfirm.store.registry import Client

DEMO_START = datetime.date(2025, 10, 1)
DEMO_MONTHS = 13
DEMO_SEED = 20251001
KINDS = ("retail", "wholesale", "consulting", "crossborder")
# A generated practice is a snapshot taken this many days after its last month ends (the demo:
# 2026-11-23): its plugins count grace periods and lags from that day, so it checks the same
# on any day. By then the last month is reconciled and its uncategorized entries are in grace.
SNAPSHOT_DAYS = 23


def client_ledger(
    client: Client,
    kind: str,
    *,
    seed: int,
    start: datetime.date,
    months: int,
    transactions: int,
    firm_name: str,
) -> dict[str, bytes]:
    """Return every file of one generated client ledger, keyed by practice-relative path."""
    rng = random.Random(f"{seed}:{client.id}")
    book = GeneratedBook(client, rng)
    month_list = month_starts(start, months)
    end = month_starts(month_list[-1], 2)[1] - datetime.timedelta(days=1)
    per_month = max(transactions // months, 8)
    if kind == "wholesale":
        wholesale_opens(book, start)
    if kind == "consulting":
        consulting_opens(book, start)
    steps: dict[str, Callable[[datetime.date], None]] = {
        "retail": lambda m: retail_month(book, m, per_month),
        "wholesale": lambda m: wholesale_month(book, m, per_month, end),
        "consulting": lambda m: consulting_month(book, m, per_month, end),
        "crossborder": lambda m: crossborder_month(book, m, per_month),
    }
    _opening_balances(book, start)
    for month in month_list:
        steps[kind](month)
    if kind == "retail":
        awaiting_categorization(book, month_list[-1])
    template = "cn-small" if client.language == "zh" else "en-simple"
    files = skeleton_files(
        client,
        firm_name=firm_name,
        template=template,
        opened=start,
        currencies=_currencies(client),
        plugins=plugin_lines(end + datetime.timedelta(days=SNAPSHOT_DAYS)),
    )
    accounts_file = paths.accounts_file(client.id)
    if book.opens:
        files[accounts_file] += ("\n; Customers and vendors\n" + "\n".join(book.opens)).encode()
    files.update(_month_files(client, book.txns, month_list, book.prices))
    return files


OPENING_RATE = Decimal("7.1000")  # USD in CNY on the demo's first day


def _currencies(client: Client) -> tuple[str, ...]:
    extra = sorted({a.currency for a in client.accounts if a.currency} - {client.currency})
    return (client.currency, *extra)


def _opening_balances(book: GeneratedBook, start: datetime.date) -> None:
    for account in book.client.accounts:
        if account.kind == "credit-card":
            continue
        currency = account.currency or book.client.currency
        amount = Decimal(book.rng.randint(200, 800) * 1000)
        if currency == book.client.currency:
            postings = (
                Posting(account.account, amount, currency),
                Posting("Equity:Opening-Balances", -amount, currency),
            )
        else:
            # A foreign account opens at its book value in the client's currency: the rate
            # that states its amounts in the financial statements until the first conversion.
            postings = (
                Posting(
                    account.account, amount, currency, price=(OPENING_RATE, book.client.currency)
                ),
                Posting(
                    "Equity:Opening-Balances",
                    -(amount * OPENING_RATE).quantize(Decimal("0.01")),
                    book.client.currency,
                ),
            )
        book.add(Txn(start, None, "期初余额 Opening balance", postings))


def _month_files(
    client: Client,
    txns: list[Txn],
    months: list[datetime.date],
    prices: list[tuple[datetime.date, str, Decimal]],
) -> dict[str, bytes]:
    """Group transactions into month files with a balance assertion per account per month.

    A month's prices (the month-end rate of a foreign currency) follow its transactions.
    """
    funding = {a.account: a.currency or client.currency for a in client.accounts}
    balances: dict[str, Decimal] = defaultdict(Decimal)
    by_month: dict[datetime.date, list[Txn]] = defaultdict(list)
    for txn in sorted(txns, key=lambda t: t.date):
        by_month[txn.date.replace(day=1)].append(txn)
    files: dict[str, bytes] = {}
    for month in months:
        chunks = [f"; {month:%Y-%m}: entries of this month, in date order.\n"]
        for txn in by_month.get(month, []):
            for posting in txn.postings:
                if posting.account in funding and posting.amount is not None:
                    balances[posting.account] += posting.amount
            chunks.append(txn_text(txn))
        chunks += [
            aligned(f"{day} price {foreign}", f"{rate}", client.currency) + "\n"
            for day, foreign, rate in prices
            if day.replace(day=1) == month
        ]
        next_month = month_starts(month, 2)[1]
        for account, currency in funding.items():
            chunks.append(
                balance_text(
                    next_month,
                    account,
                    balances[account],
                    currency,
                    meta=(("reconciled-by", quote(client.preparer)),),
                )
            )
        files[month_path(client.id, month)] = "\n".join(chunks).encode()
    return files


def practice_files(
    kinds: list[tuple[Client, str]],
    *,
    seed: int,
    start: datetime.date,
    months: int,
    transactions: int,
    on_client: Callable[[Client], None] | None = None,
) -> dict[str, bytes]:
    """Return every file of a generated practice; `on_client` hears of each client done."""
    files: dict[str, bytes] = {
        "clients.yaml": registry_yaml([c for c, _ in kinds]).encode(),
        f"{paths.LEDGERS}/.gitkeep": b"",
    }
    for client, kind in kinds:
        files.update(
            client_ledger(
                client,
                kind,
                seed=seed,
                start=start,
                months=months,
                transactions=transactions,
                firm_name=FIRM_NAME,
            )
        )
        if on_client:
            on_client(client)
    files.update(rules_files(kinds))
    return files


def write_practice(folder: Path, files: dict[str, bytes], *, with_gitignore: bool) -> None:
    """Write generated files into a folder (the caller commits them)."""
    if with_gitignore:
        files = {**files, ".gitignore": GITIGNORE.encode()}
    for relpath, content in files.items():
        path = folder / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
