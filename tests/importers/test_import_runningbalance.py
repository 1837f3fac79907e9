"""The running balance of an export with a balance column: each row's follows from the last."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from beanfirm.errors import StatementError
from beanfirm.importers.csvconfig import CsvConfig, DirectionRule, parse_config
from beanfirm.importers.csvread import read_statement
from beanfirm.importers.runningbalance import check_running_balance
from beanfirm.importers.statement import BankStatement

BANK = CsvConfig(
    name="test",
    date="Date",
    narration=("Text",),
    amount="Amount",
    balance="Balance",
    currency="CNY",
)
HEADER = "Date,Text,Amount,Balance\n"


def read(text: str, config: CsvConfig = BANK) -> BankStatement:
    return read_statement(text.encode("utf-8"), config, "bank.csv")


def refusal(text: str, config: CsvConfig = BANK) -> str:
    with pytest.raises(StatementError) as raised:
        read(text, config)
    return str(raised.value)


def test_a_chained_export_is_read_oldest_or_newest_first() -> None:
    rows = ["2024-01-01,a,100.00,100.00", "2024-01-02,b,-30.00,70.00", "2024-01-03,c,5.00,75.00"]
    oldest = read(HEADER + "\n".join(rows) + "\n")
    newest = read(HEADER + "\n".join(reversed(rows)) + "\n")
    assert [row.balance for row in oldest.rows] == [row.balance for row in newest.rows]
    assert oldest.balances[0].number == Decimal("75.00")


def test_a_missing_row_is_refused_with_the_lines_it_falls_between() -> None:
    text = HEADER + "2024-01-01,a,100.00,100.00\n2024-01-03,c,5.00,75.00\n"
    assert refusal(text) == (
        "bank.csv:3: the running balance breaks between lines 2 and 3: line 2 leaves 100.00 "
        "CNY, and this row's amount 5.00 makes 105.00, but the row states 75.00. A row is "
        "missing or an amount is wrong between lines 2 and 3; export the statement again (the "
        "whole period, not one page of it). Nothing was imported."
    )


def test_a_newest_first_export_is_checked_from_its_last_line_up() -> None:
    text = (
        HEADER + "2024-01-03,c,5.00,75.00\n2024-01-02,b,-30.00,70.00\n2024-01-01,a,100.00,90.00\n"
    )
    # Read upwards: line 4 leaves 90.00, and line 3's -30.00 makes 60.00, not 70.00.
    assert "bank.csv:3: the running balance breaks between lines 3 and 4: line 4 leaves 90.00" in (
        refusal(text)
    )


def test_a_wrong_amount_is_refused() -> None:
    text = HEADER + "2024-01-01,a,100.00,100.00\n2024-01-02,b,-3.00,70.00\n"
    assert refusal(text).startswith("bank.csv:3: the running balance breaks between lines 2 and 3")


def test_each_currency_has_its_own_chain() -> None:
    config = replace(BANK, currency=None, currency_column="Currency")
    text = (
        "Date,Text,Amount,Balance,Currency\n"
        "2024-01-01,a,100.00,100.00,CNY\n"
        "2024-01-01,b,10.00,10.00,USD\n"
        "2024-01-02,c,-1.00,99.00,CNY\n"
        "2024-01-02,d,-1.00,9.00,USD\n"
    )
    assert len(read(text, config).rows) == 4
    broken = text.replace("9.00,USD", "8.00,USD")
    assert refusal(broken, config).startswith(
        "bank.csv:5: the running balance breaks between lines 3 and 5"
    )


HELD = DirectionRule("Kind", ("in",), ("out",), ("hold",))


def test_skipped_rows_start_the_chain_again_and_masked_balances_carry_it() -> None:
    config = replace(BANK, amount="Amount", direction=(HELD,))
    text = (
        "Date,Text,Amount,Balance,Kind\n"
        "2024-01-01,a,100.00,100.00,in\n"
        "2024-01-02,frozen,20.00,80.00,hold\n"  # skipped, yet it moved the balance
        "2024-01-03,b,5.00,75.00,out\n"
        "2024-01-04,c,5.00,****,out\n"  # masked: its amount is carried to the next balance
        "2024-01-05,d,1.00,,in\n"  # empty
        "2024-01-06,e,1.00,72.00,in\n"
    )
    statement = read(text, config)
    assert [row.narration for row in statement.rows] == ["a", "b", "c", "d", "e"]
    assert [s.line for s in statement.skipped] == [3]


def test_a_wrong_amount_where_the_balance_is_masked_is_found_at_the_next_balance() -> None:
    config = replace(BANK, amount="Amount", direction=(HELD,))
    text = (
        "Date,Text,Amount,Balance,Kind\n2024-01-03,b,5.00,75.00,out\n"
        "2024-01-04,c,50.00,****,out\n2024-01-05,d,1.00,71.00,in\n"
    )
    message = refusal(text, config)
    assert "breaks between lines 2 and 4" in message
    assert "the rows between (which state no balance) and this row's 1.00 make 26.00" in message


def test_a_row_that_ends_before_its_balance_is_checked_at_the_next_balance() -> None:
    # The short row's amount was booked and the chain started again after it, unchecked.
    text = HEADER + "2024-01-03,b,-5.00,75.00\n2024-01-04,c,-50.00\n2024-01-05,d,1.00,71.00\n"
    assert "breaks between lines 2 and 4" in refusal(text)


@pytest.mark.parametrize(
    "last", ["2024-01-05,d,-2.00,****", "2024-01-05,d,-2.00,", "2024-01-05,d,-2.00"]
)
def test_a_last_row_without_a_balance_carries_it_to_the_closing_balance(last: str) -> None:
    text = HEADER + "2024-01-01,a,100.00,100.00\n2024-01-03,b,-25.00,75.00\n" + last + "\n"
    for rows in (text, HEADER + "".join(reversed(text.splitlines(keepends=True)[1:]))):
        (closing,) = read(rows).balances
        # The last stated balance plus the rows after it, closing the day of the last row.
        assert (closing.date, closing.number, closing.currency) == (
            date(2024, 1, 5),
            Decimal("73.00"),
            "CNY",
        )
    statement = read(text + "2024-01-05,e,-1.50,\n")
    assert statement.balances[0].number == Decimal("71.50")
    # A wrong amount on the last row cannot break a chain that no later balance closes: the
    # closing balance carries it, and the next export that states a balance after it breaks
    # against the ledger (tests/test_import_cli.py).


def test_a_skipped_row_before_the_last_rows_leaves_the_closing_balance_unknown() -> None:
    config = replace(BANK, amount="Amount", direction=(HELD,))
    head = "Date,Text,Amount,Balance,Kind\n2024-01-03,b,5.00,75.00,out\n"
    skipped = "2024-01-04,frozen,20.00,,hold\n"  # it may have moved the balance, by 20.00
    last = "2024-01-05,c,1.00,,in\n"
    assert read(head + skipped + last, config).balances == ()
    later = skipped.replace("2024-01-04", "2024-01-06")  # after the last row: not in the books
    (closing,) = read(head + last + later, config).balances
    assert (closing.date, closing.number) == (date(2024, 1, 5), Decimal("76.00"))


def test_each_currency_closes_with_its_own_carried_rows() -> None:
    config = replace(BANK, currency=None, currency_column="Currency")
    text = (
        "Date,Text,Amount,Balance,Currency\n"
        "2024-01-01,a,100.00,100.00,CNY\n"
        "2024-01-01,b,10.00,10.00,USD\n"
        "2024-01-02,c,-1.00,,CNY\n"
        "2024-01-03,d,-1.00,9.00,USD\n"
        "2024-01-04,e,-2.00,,CNY\n"
    )
    closings = {c.currency: (c.date, c.number) for c in read(text, config).balances}
    assert closings == {
        "CNY": (date(2024, 1, 4), Decimal("97.00")),
        "USD": (date(2024, 1, 3), Decimal("9.00")),
    }
    # No row of a currency states a balance: nothing to close from.
    unstated = text.replace("100.00,CNY", ",CNY")
    assert [c.currency for c in read(unstated, config).balances] == ["USD"]


def test_a_closing_balance_column_carries_nothing() -> None:
    # `running-balance: false`: the column repeats the statement's closing balance, so rows
    # after the last one that states it add nothing to it; left without an assertion.
    config = replace(BANK, running_balance=False)
    text = HEADER + "2024-01-01,a,100.00,60.00\n2024-01-02,b,-40.00,\n"
    assert read(text, config).balances == ()


def test_rows_of_one_day_pass_in_either_order() -> None:
    rows = ["2024-01-01,a,100.00,100.00", "2024-01-01,b,-30.00,70.00"]
    read(HEADER + "\n".join(rows) + "\n")
    read(HEADER + "\n".join(reversed(rows)) + "\n")


def test_a_credit_card_balance_may_move_with_the_amounts_as_written() -> None:
    card = replace(BANK, invert_sign=True)
    text = HEADER + "2024-01-01,shop,100.00,100.00\n2024-01-02,shop,20.00,120.00\n"
    assert [row.number for row in read(text, card).rows] == [Decimal(-100), Decimal(-20)]
    assert "the running balance breaks" in refusal(text.replace("120.00", "130.00"), card)


def test_running_balance_false_reads_a_closing_balance_column() -> None:
    config, problems = parse_config(
        "columns: {date: Date, narration: Text, amount: Amount, balance: Final}\n"
        "currency: EUR\nrunning-balance: false\n",
        "bank.yaml",
    )
    assert problems == []
    assert config is not None
    text = "Date,Text,Amount,Final\n2024-01-01,a,100.00,60.00\n2024-01-02,b,-40.00,60.00\n"
    assert read(text, config).balances[0].number == Decimal("60.00")
    assert "the running balance breaks" in refusal(text, replace(config, running_balance=True))


def test_running_balance_must_be_a_boolean() -> None:
    _, problems = parse_config(
        "columns: {date: D, amount: A}\ncurrency: CNY\nrunning-balance: maybe\n", "bank.yaml"
    )
    assert [(p.line, p.message) for p in problems] == [
        (3, "`running-balance` must be true or false.")
    ]


def test_the_bulk_check_agrees_with_the_row_by_row_one() -> None:
    lines = list(range(2, 7))
    numbers = [Decimal(n) for n in ("1", "2", "3", "4", "5")]
    balances = [Decimal(n) for n in ("1", "3", "6", "10", "15")]
    check_running_balance(lines, numbers, ["CNY"] * 5, balances, "f", newest_first=False)
    balances[3] = Decimal(11)
    with pytest.raises(StatementError, match="between lines 4 and 5"):
        check_running_balance(lines, numbers, ["CNY"] * 5, balances, "f", newest_first=False)
