"""The Beancount entries of a `Statement`: one `!` transaction per row, and balance assertions.

Each row becomes one transaction:

    2024-01-27 ! "国网电力有限公司" "一网通支付 供电"
      import-id: "fp:0c5c…#1"
      Assets:Bank:CMB                 -3.00 CNY
      Expenses:Uncategorized           3.00 CNY

`postings[0]` is the statement's leg on the importer's account; `postings[1]` is the other
leg, on `Expenses:Uncategorized` (money out) or `Income:Uncategorized` (money in), and the
transaction is flagged `!` until categorization replaces that leg (DESIGN.md conventions).

Balances become `balance` assertions. Beancount checks a balance at the start of its day, so a
closing balance of day D is dated D + 1, and an opening balance is dated the day it holds at
the start of (`OpeningBalance.date`). Two statements of one file that assert the same balance
on the same day (one day's closing is the next day's opening) give one assertion. Entries are
sorted by date, balances before the transactions of their day.
"""

from __future__ import annotations

import datetime
from typing import Any

from beancount.core import data
from beancount.core.amount import Amount

from beanfirm.importers.statement import Statement, StatementRow

UNCATEGORIZED_OUT = "Expenses:Uncategorized"
UNCATEGORIZED_IN = "Income:Uncategorized"


def transaction(row: StatementRow, account: str, filename: str) -> Any:
    """Return the Beancount transaction of one statement row."""
    meta = data.new_metadata(filename, row.line)
    meta["import-id"] = row.import_id
    if row.time is not None:
        meta["time"] = row.time.isoformat()
    if row.counterparty is not None:
        meta["counterparty"] = row.counterparty
    for key, value in row.meta:
        meta[key] = value
    units = Amount(row.number, row.currency)
    other = UNCATEGORIZED_IN if row.number > 0 else UNCATEGORIZED_OUT
    postings = [
        data.Posting(account, units, None, None, None, None),
        data.Posting(other, -units, None, None, None, None),
    ]
    return data.Transaction(
        meta, row.date, "!", row.payee, row.narration, frozenset(), frozenset(), postings
    )


def balance_entries(statement: Statement, account: str) -> list[Any]:
    """Return the balance assertions of a statement's opening and closing balances."""
    stated = [
        (opening.date, opening.number, opening.currency, opening.line)
        for opening in statement.openings
    ] + [
        (closing.date + datetime.timedelta(days=1), closing.number, closing.currency, closing.line)
        for closing in statement.balances
    ]
    seen: set[tuple[datetime.date, Any, str]] = set()
    entries: list[Any] = []
    for date, number, currency, line in stated:
        if (date, number, currency) in seen:
            continue
        seen.add((date, number, currency))
        meta = data.new_metadata(statement.filename, line)
        entries.append(data.Balance(meta, date, account, Amount(number, currency), None, None))
    return entries


def statement_entries(statement: Statement, account: str) -> list[Any]:
    """Return the transactions and balance assertions of a statement, in date order."""
    entries: list[Any] = [transaction(row, account, statement.filename) for row in statement.rows]
    entries += balance_entries(statement, account)
    # Beancount checks a balance at the start of its day, so it reads before that day's rows.
    return sorted(entries, key=lambda entry: (entry.date, not isinstance(entry, data.Balance)))
