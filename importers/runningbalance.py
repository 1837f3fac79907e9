"""Checking an export's running balance: each row's balance is the previous one plus its amount.

A bank export with a balance column states, on every row, the account's balance after that
row. If a row is missing from the export (a truncated download, a page left out, a row deleted
by hand) or an amount was misread, the chain breaks there, and the import would silently lose a
transaction or book a wrong amount. So the chain is checked in the file's order (for a
newest-first export, from its last line up), per currency, and a break is refused with the two
lines it falls between.

Rows the config skips break the chain knowingly: the check starts again after them (what
they moved is not known). A row whose balance cell is masked or empty (or that ends before
it) does not: its amount is carried to the next row that states a balance, so a wrong amount
or a missing row there is still found. Rows after the last balance stated are carried into the
closing balance instead (`beanfirm.importers.statement.closing_balances`). A file whose order
is not known for sure (all rows of one day) passes if its chain holds either way; for a credit
card whose amounts are inverted (`invert-sign`), the balance may move with the amounts as the
card states them.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from decimal import Decimal
from itertools import repeat
from operator import add, eq, is_
from typing import NamedTuple

from beanfirm.errors import StatementError


class ChainRow(NamedTuple):
    """What the check reads of one row: its line, amount, currency and stated balance."""

    line: int
    number: Decimal
    currency: str
    balance: Decimal | None


class Break(NamedTuple):
    """Where the chain breaks: the row before, and the row that does not add up."""

    before: ChainRow
    after: ChainRow
    sign: int
    carried: Decimal = Decimal(0)  # the amounts of the rows between, which state no balance


def holds_in_bulk(numbers: Sequence[Decimal], balances: Sequence[Decimal]) -> bool:
    """Tell whether balance[i] = balance[i - 1] + number[i] for every row (one currency)."""
    return all(map(eq, map(add, balances[:-1], numbers[1:]), balances[1:]))


def first_break(chain: Sequence[ChainRow | None], sign: int) -> Break | None:
    """Return the first place the chain breaks, read in the order given (None: it holds).

    None in the chain is a row the config skipped: the check starts again after it. A row
    without a balance carries its amount to the next row with one.
    """
    before: dict[str, ChainRow] = {}
    carried: dict[str, Decimal] = {}
    for row in chain:
        if row is None:
            before.clear()
            carried.clear()
            continue
        if row.balance is None:
            carried[row.currency] = carried.get(row.currency, Decimal(0)) + row.number
            continue
        previous = before.get(row.currency)
        between = carried.pop(row.currency, Decimal(0))
        if (
            previous is not None
            and previous.balance is not None
            and previous.balance + sign * (between + row.number) != row.balance
        ):
            return Break(previous, row, sign, between)
        before[row.currency] = row
    return None


def check_running_balance(
    lines: Sequence[int],
    numbers: Sequence[Decimal],
    currencies: Sequence[str],
    balances: Sequence[Decimal | None],
    filename: str,
    *,
    newest_first: bool | None,
    inverted: bool = False,
    resets: frozenset[int] = frozenset(),
) -> None:
    """Refuse an export whose running balance breaks (see the module docstring).

    The columns are the imported rows in the file's order; `resets` holds the positions of
    rows that a skipped row precedes; `newest_first` is None when the file's order is not
    known for sure.
    """
    if len(lines) < 2:  # noqa: PLR2004
        return
    if not resets and len(set(currencies)) == 1 and not any(map(is_, balances, repeat(None))):
        known: Sequence[Decimal] = balances  # type: ignore[assignment] # no None, checked above
        if not newest_first and holds_in_bulk(numbers, known):
            return
        if newest_first is not False and holds_in_bulk(numbers[::-1], known[::-1]):
            return
    chain: list[ChainRow | None] = []
    for position, row in enumerate(zip(lines, numbers, currencies, balances, strict=True)):
        if position in resets:
            chain.append(None)
        chain.append(ChainRow(*row))
    orders = [False, True] if newest_first is None else [newest_first, not newest_first]
    signs = [1, -1] if inverted else [1]
    breaks = [
        first_break(chain[::-1] if reverse else chain, sign)
        for reverse, sign in itertools.product(orders, signs)
    ]
    if all(found is not None for found in breaks):
        raise refusal(breaks[0], filename)  # type: ignore[arg-type] # none is None


def refusal(found: Break, filename: str) -> StatementError:
    """Build the error for a break of the running balance."""
    before, after = found.before, found.after
    expected = before.balance + found.sign * (found.carried + after.number)  # type: ignore[operator]
    first, last = sorted((before.line, after.line))
    amounts = (
        f"the amounts of the rows between (which state no balance) and this row's {after.number}"
        if found.carried or abs(after.line - before.line) > 1
        else f"this row's amount {after.number}"
    )
    return StatementError(
        filename,
        after.line,
        f"the running balance breaks between lines {first} and {last}: line {before.line} "
        f"leaves {before.balance} {before.currency}, and {amounts} "
        f"make{'s' if amounts.startswith('this') else ''} {expected}, but the row states "
        f"{after.balance}. A row is missing or an "
        f"amount is wrong between lines {first} and {last}; export the statement again "
        "(the whole period, not one page of it). Nothing was imported.",
    )
