"""The opening balance an export states, as `import --opening` books it (unit tests)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from beancount.parser import parser

from beanfirm.core.ledgertext import entry_text
from beanfirm.importers.statement import (
    BankStatement,
    ClosingBalance,
    OpeningBalance,
    StatementRow,
)
from beanfirm.ingest.openingbalance import (
    AccountStart,
    account_start,
    opening_booking,
    stated_openings,
)
from beanfirm.ingest.outcome import BookingError

D = Decimal
DAY = datetime.date
BANK = "Assets:Bank:Current"


def row(line: int, day: DAY, number: str, balance: str | None = None) -> StatementRow:
    return StatementRow(
        line, day, None, D(number), "EUR", "Shop", "goods", None,
        None if balance is None else D(balance), None, (),
    )  # fmt: skip


def statement(
    rows: tuple[StatementRow, ...],
    openings: tuple[OpeningBalance, ...] = (),
    closings: tuple[ClosingBalance, ...] = (),
) -> BankStatement:
    return BankStatement("x.sta", rows, (), closings, None, openings)


def start(ledger: str) -> AccountStart:
    entries, errors, options = parser.parse_string(ledger)
    assert not errors
    return account_start(entries, BANK, options)


OPENED = "2024-01-01 open Assets:Bank:Current EUR\n2024-01-01 open Equity:Opening-Balances\n"
CAMT = statement(
    (row(7, DAY(2024, 3, 4), "150.00"),),
    (OpeningBalance(DAY(2024, 3, 2), D("1000.00"), "EUR", 4),),
    (ClosingBalance(DAY(2024, 3, 4), D("1150.00"), "EUR", 9),),
)


def test_the_stated_opening_wins_over_a_running_balance() -> None:
    running = statement((row(2, DAY(2024, 3, 1), "100.00", "1100.00"),))
    assert [(o.date, o.number, o.line) for o in stated_openings(running)] == [
        (DAY(2024, 3, 1), D("1000.00"), 2)
    ]
    assert [(o.date, o.number, o.source) for o in stated_openings(CAMT)] == [
        (DAY(2024, 3, 2), D("1000.00"), "its opening balance")
    ]
    masked = statement((row(2, DAY(2024, 3, 1), "100.00"), row(3, DAY(2024, 3, 2), "1", "9")))
    assert stated_openings(masked) == []  # the first row states no balance: nothing is implied


def test_booked_the_day_before_or_on_the_day_the_account_opens() -> None:
    booking = opening_booking(CAMT, start(OPENED), wanted=True, export="x.sta")
    assert booking is not None
    assert booking.replaced == frozenset()
    assert entry_text(booking.entries[0]) == (
        '2024-03-01 * "期初余额 Opening balance from x.sta"\n'
        '  opening-balance: "x.sta"\n'
        "  Assets:Bank:Current                                            1000.00 EUR\n"
        "  Equity:Opening-Balances                                       -1000.00 EUR\n"
    )
    late = OPENED.replace("2024-01-01 open Assets:Bank", "2024-03-02 open Assets:Bank")
    booking = opening_booking(CAMT, start(late), wanted=True, export="x.sta")
    assert booking is not None
    assert booking.entries[0].date == DAY(2024, 3, 2)
    assert booking.replaced == {(DAY(2024, 3, 2), "EUR")}
    later = OPENED.replace("2024-01-01 open Assets:Bank", "2024-03-03 open Assets:Bank")
    with pytest.raises(BookingError, match="opened only on 2024-03-03; open both on or before"):
        opening_booking(CAMT, start(later), wanted=True, export="x.sta")


def test_without_the_flag_it_is_refused_naming_it_and_history_needs_none() -> None:
    with pytest.raises(BookingError, match=r"Import again with --opening to book that balance"):
        opening_booking(CAMT, start(OPENED), wanted=False, export="x.sta")
    history = (
        OPENED + '2024-02-01 * "typed"\n  Assets:Bank:Current  5 EUR\n  Equity:Opening-Balances\n'
    )
    assert opening_booking(CAMT, start(history), wanted=True, export="x.sta") is None
    zero = statement((row(2, DAY(2024, 3, 1), "100.00", "100.00"),))
    assert opening_booking(zero, start(OPENED), wanted=False, export="x.sta") is None


def test_an_export_without_an_opening_whose_closing_needs_one_names_beanfirm_opening() -> None:
    ofx = statement((row(5, DAY(2024, 3, 4), "150.00"),), (), CAMT.balances)
    with pytest.raises(BookingError, match=r"held 1000.00 EUR before its first row.*beanfirm open"):
        opening_booking(ofx, start(OPENED), wanted=True, export="x.ofx")
