"""The Beancount entries of a `BankStatement`: one `!` transaction per row, and balance assertions.

Each row becomes one transaction:

    2024-01-27 ! "国网电力有限公司" "一网通支付 供电"
      import-id: "fp:0c5c…#1"
      Assets:Bank:CMB                 -3.00 CNY
      Expenses:Uncategorized           3.00 CNY

`postings[0]` is the statement's leg on the importer's account; `postings[1]` is the other
leg, on `Expenses:Uncategorized` (money out) or `Income:Uncategorized` (money in), and the
transaction is flagged `!` until categorization replaces that leg (DESIGN.md conventions).
A row with a fee (`StatementRow.fee`) has a third posting, the fee on the statement's fee
account (`Expenses:Uncategorized` unless the config names one); the other leg then holds the
amount before the fee:

    2024-03-02 ! "Card top-up"
      Assets:Revolut                  -10.50 EUR
      Expenses:Uncategorized           10.00 EUR
      Expenses:Bank:Fees                0.50 EUR

Balances become `balance` assertions. Beancount checks a balance at the start of its day, so a
closing balance of day D is dated D + 1, and an opening balance is dated the day it holds at
the start of (`OpeningBalance.date`). Two statements of one file that assert the same balance
on the same day (one day's closing is the next day's opening) give one assertion. Entries are
sorted by date, balances before the transactions of their day.
"""

from __future__ import annotations

import datetime
from collections import deque
from collections.abc import Iterable, Sequence
from decimal import Decimal
from itertools import repeat
from operator import attrgetter, gt, is_, le, neg
from typing import Any, NamedTuple

from beancount.core import data
from beancount.core.amount import Amount

from beanfirm.core.beans import Directive, Meta
from beanfirm.core.bulk import collector_paused, named_tuples
from beanfirm.importers.statement import BankStatement, StatementRow

UNCATEGORIZED_OUT = "Expenses:Uncategorized"
UNCATEGORIZED_IN = "Income:Uncategorized"
UNCATEGORIZED_BY_SIGN = {True: UNCATEGORIZED_IN, False: UNCATEGORIZED_OUT}  # money in?
NO_NAMES: frozenset[str] = frozenset()  # a row's tags and links
Posting = data.Posting
Transaction = data.Transaction


def transaction(
    row: StatementRow, account: str, filename: str, fee_account: str | None = None
) -> data.Transaction:
    """Return the Beancount transaction of one statement row (its fee on `fee_account`)."""
    meta: Meta = {"filename": filename, "lineno": row.line, "import-id": row.import_id}
    if row.time is not None:
        meta["time"] = row.time.isoformat()
    if row.counterparty is not None:
        meta["counterparty"] = row.counterparty
    if row.meta:
        meta.update(row.meta)
    number = row.number
    amount = number + row.fee if row.fee else number  # what the row moved before its fee
    other = UNCATEGORIZED_IN if amount > 0 else UNCATEGORIZED_OUT
    postings = [
        Posting(account, Amount(number, row.currency), None, None, None, None),
        Posting(other, Amount(-amount, row.currency), None, None, None, None),
    ]
    if row.fee:
        fee_account = fee_account or UNCATEGORIZED_OUT
        postings.append(Posting(fee_account, Amount(row.fee, row.currency), *(None,) * 4))
    return Transaction(meta, row.date, "!", row.payee, row.narration, NO_NAMES, NO_NAMES, postings)


def balance_entries(statement: BankStatement, account: str) -> list[data.Balance]:
    """Return the balance assertions of a statement's opening and closing balances."""
    stated = [
        (opening.date, opening.number, opening.currency, opening.line)
        for opening in statement.openings
    ] + [
        (closing.date + datetime.timedelta(days=1), closing.number, closing.currency, closing.line)
        for closing in statement.balances
    ]
    seen: set[tuple[datetime.date, Decimal, str]] = set()
    entries: list[data.Balance] = []
    for date, number, currency, line in stated:
        if (date, number, currency) in seen:
            continue
        seen.add((date, number, currency))
        meta = data.new_metadata(statement.filename, line)
        entries.append(data.Balance(meta, date, account, Amount(number, currency), None, None))
    return entries


def has_value(values: Sequence[object]) -> bool:
    """Tell whether any value is not None."""
    return not all(map(is_, values, repeat(None)))


class RowColumns(NamedTuple):
    """The columns of a statement's rows, in the order of its transactions (by date)."""

    lines: Sequence[int]
    dates: Sequence[datetime.date]
    times: Sequence[datetime.time | None]
    numbers: Sequence[Decimal]
    currencies: Sequence[str]
    payees: Sequence[str | None]
    narrations: Sequence[str]
    counterparties: Sequence[str | None]
    balances: Sequence[Decimal | None]
    serials: Sequence[str | None]
    metas: Sequence[tuple[tuple[str, str], ...]]
    ids: Sequence[str]
    fees: Sequence[Decimal | None]

    def amounts(self) -> Sequence[Decimal]:
        """Return what each row moved before its fee (the other leg's amount, negated)."""
        if not has_value(self.fees):
            return self.numbers
        return [
            number + fee if fee else number
            for number, fee in zip(self.numbers, self.fees, strict=True)
        ]

    def picked(self, positions: Sequence[int]) -> RowColumns:
        """Return the columns of the rows at the positions."""
        # Each column has its own type; the fields check them where RowColumns is made.
        picked: list[Any] = [list(map(column.__getitem__, positions)) for column in self]
        return RowColumns(*picked)


def dated_columns(statement: BankStatement) -> RowColumns | None:
    """Return the columns of the statement's rows in date order (stably); None if none."""
    rows = statement.rows
    if not rows:
        return None
    columns = RowColumns(*zip(*rows, strict=True))
    dates = columns.dates
    if all(map(le, dates[:-1], dates[1:])):  # as readers give them
        return columns
    ordered = sorted(range(len(rows)), key=dates.__getitem__)
    return columns.picked(ordered)


def row_metas(columns: RowColumns, filename: str) -> list[Meta]:
    """Return the metadata of each row's transaction (see `transaction`), made in bulk."""
    metas: list[Meta] = [
        {"filename": filename, "lineno": line, "import-id": import_id}
        for line, import_id in zip(columns.lines, columns.ids, strict=True)
    ]
    if has_value(columns.times):
        for meta, time in zip(metas, columns.times, strict=True):
            if time is not None:
                meta["time"] = time.isoformat()
    if has_value(columns.counterparties):
        for meta, counterparty in zip(metas, columns.counterparties, strict=True):
            if counterparty is not None:
                meta["counterparty"] = counterparty
    if any(columns.metas):
        deque(map(dict.update, metas, columns.metas), maxlen=0)  # each row's own, in bulk
    return metas


def other_accounts(numbers: Iterable[Decimal]) -> list[str]:
    """Return the Uncategorized account of each amount (money in or out)."""
    return list(map(UNCATEGORIZED_BY_SIGN.__getitem__, map(gt, numbers, repeat(0))))


def make_transactions(
    account: str,
    columns: RowColumns,
    metas: Sequence[Meta],
    *,
    flags: Sequence[str],
    payees: Sequence[str | None],
    narrations: Sequence[str],
    tags: Sequence[frozenset[str]],
    links: Sequence[frozenset[str]],
    others: Sequence[str],
    fee_account: str | None = None,
) -> list[data.Transaction]:
    """Return a transaction per row, its other leg on `others`, made in bulk (`named_tuples`).

    `transaction` is the reference for one row; this makes the same for many at once.
    """
    count = len(metas)
    if not count:
        return []
    numbers, currencies = columns.numbers, columns.currencies
    nothing = [None] * count
    own = named_tuples(
        Posting, repeat(account, count), named_tuples(Amount, numbers, currencies), *(nothing,) * 4
    )
    other = named_tuples(
        Posting,
        others,
        named_tuples(Amount, map(neg, columns.amounts()), currencies),
        *(nothing,) * 4,
    )
    postings = list(map(list, zip(own, other, strict=True)))
    if has_value(columns.fees):
        fee_account = fee_account or UNCATEGORIZED_OUT
        for legs, fee, currency in zip(postings, columns.fees, currencies, strict=True):
            if fee:
                legs.append(Posting(fee_account, Amount(fee, currency), *(None,) * 4))
    return named_tuples(
        Transaction,
        metas,
        columns.dates,
        flags,
        payees,
        narrations,
        tags,
        links,
        postings,
    )


def transactions(statement: BankStatement, account: str) -> list[data.Transaction]:
    """Return `transaction(row, account, filename)` of each row, in date order, in bulk."""
    columns = dated_columns(statement)
    if columns is None:
        return []
    count = len(columns.lines)
    return make_transactions(
        account,
        columns,
        row_metas(columns, statement.filename),
        flags=["!"] * count,
        payees=columns.payees,
        narrations=columns.narrations,
        tags=[NO_NAMES] * count,
        links=[NO_NAMES] * count,
        others=other_accounts(columns.amounts()),
        fee_account=statement.fee_account,
    )


def statement_entries(statement: BankStatement, account: str) -> list[Directive]:
    """Return the transactions and balance assertions of a statement, in date order."""
    # Beancount checks a balance at the start of its day, so it reads before that day's rows:
    # balances go first, and a stable sort by date keeps them before the day's transactions.
    entries: list[Directive] = [*balance_entries(statement, account)]
    with collector_paused():
        entries += transactions(statement, account)
    entries.sort(key=attrgetter("date"))
    return entries
