"""Entries as ledger text: currencies start in column 74, counted in characters (bean-format)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from beancount.core import data
from beancount.parser import parser

from beanfirm.core.journal import (
    CURRENCY_COLUMN,
    Posting,
    Txn,
    balance_text,
    money,
    month_path,
    posting_text,
    txn_text,
)

D = Decimal


def test_plain_transaction() -> None:
    txn = Txn(
        date=datetime.date(2025, 3, 4),
        payee="Acme Supplies",
        narration="Printer paper",
        postings=(
            Posting("Expenses:Office:Supplies", D("45.5"), "USD"),
            Posting("Assets:Bank:Checking", D("-45.50"), "USD"),
        ),
    )
    assert txn_text(txn) == (
        '2025-03-04 * "Acme Supplies" "Printer paper"\n'
        "  Expenses:Office:Supplies                                         45.50 USD\n"
        "  Assets:Bank:Checking                                            -45.50 USD\n"
    )


def currency_column(line: str) -> int:
    """Return the column (from 1, in characters) where a line's currency starts."""
    return len(line) - len(line.rsplit(maxsplit=1)[-1]) + 1


def test_chinese_accounts_align_by_characters() -> None:
    txn = Txn(
        date=datetime.date(2025, 1, 5),
        payee="华美超市",
        narration='办公用品 "A4"',
        postings=(
            Posting("Expenses:6602-管理费用:办公费", D("128.5"), "CNY"),
            Posting("Assets:1002-银行存款:工商银行", D("-128.50"), "CNY"),
        ),
        tags=("visit",),
        links=("INV-2025-001",),
        meta=(("import-id", '"icbc-123"'), ("customer", '"Acme"')),
    )
    text = txn_text(txn)
    assert text == (
        '2025-01-05 * "华美超市" "办公用品 \\"A4\\"" #visit ^INV-2025-001\n'
        '  import-id: "icbc-123"\n'
        '  customer: "Acme"\n'
        "  Expenses:6602-管理费用:办公费                                          128.50 CNY\n"
        "  Assets:1002-银行存款:工商银行                                          -128.50 CNY\n"
    )
    # A Chinese character counts as one column, as bean-format and Fava count it.
    postings = text.splitlines()[3:]
    assert [currency_column(line) for line in postings] == [CURRENCY_COLUMN] * 2


def test_flag_price_inferred_amount_and_no_payee() -> None:
    txn = Txn(
        date=datetime.date(2025, 2, 1),
        payee=None,
        narration="USD receipt",
        postings=(
            Posting("Assets:Bank:USD", D("100"), "USD", price=(D("7.1234"), "CNY")),
            Posting("Income:Sales", None, "CNY"),
        ),
        flag="!",
        tags=("export", "q1"),
        links=("INV-7", "PAY-9"),
    )
    assert txn_text(txn) == (
        '2025-02-01 ! "USD receipt" #export #q1 ^INV-7 ^PAY-9\n'
        "  Assets:Bank:USD                                                 100.00 USD @ 7.1234 CNY\n"
        "  Income:Sales\n"
    )


def test_written_transaction_parses_back() -> None:
    txn = Txn(
        date=datetime.date(2025, 1, 5),
        payee='华美 "超市"',
        narration="back\\slash",
        postings=(
            Posting("Expenses:6602-管理费用:办公费", D("0.125"), "CNY"),
            Posting("Assets:1002-银行存款:工商银行", None, "CNY"),
        ),
        tags=("visit",),
        links=("INV-1",),
        meta=(("visit", '"V-1"'),),
    )
    entries, errors, _options = parser.parse_string(txn_text(txn))
    assert errors == []
    [entry] = entries
    assert isinstance(entry, data.Transaction)
    assert (entry.payee, entry.narration) == ('华美 "超市"', "back\\slash")
    assert entry.tags == {"visit"}
    assert entry.links == {"INV-1"}
    assert entry.meta["visit"] == "V-1"
    units = entry.postings[0].units
    assert units is not None
    assert units.number == D("0.125")


def test_balance_with_metadata() -> None:
    text = balance_text(
        datetime.date(2025, 2, 1),
        "Assets:1002-银行存款:工商银行",
        D("12345.6"),
        "CNY",
        (("statement", '"documents/2025-01.pdf"'), ("reconciled-by", '"bo"')),
    )
    assert text == (
        "2025-02-01 balance Assets:1002-银行存款:工商银行                        12345.60 CNY\n"
        '  statement: "documents/2025-01.pdf"\n'
        '  reconciled-by: "bo"\n'
    )
    assert currency_column(text.splitlines()[0]) == CURRENCY_COLUMN


def test_balance_without_metadata() -> None:
    assert balance_text(datetime.date(2025, 2, 1), "Assets:Bank:CMB", D("-3"), "USD") == (
        "2025-02-01 balance Assets:Bank:CMB                                 -3.00 USD\n"
    )


def test_long_account_keeps_two_spaces_before_the_amount() -> None:
    account = "Assets:" + "Receivable:" * 6 + "Shanghai-Huamei-Convenience"
    assert posting_text(Posting(account, D("1"), "CNY")) == f"  {account}  1.00 CNY"


@pytest.mark.parametrize(
    ("number", "shown"),
    [
        ("5", "5.00"),
        ("-0.5", "-0.50"),
        ("1.234", "1.234"),
        ("1E+3", "1000.00"),
        ("12345678.90", "12345678.90"),
    ],
)
def test_money(number: str, shown: str) -> None:
    assert money(D(number)) == shown


def test_month_path() -> None:
    assert month_path("huamei", datetime.date(2025, 3, 31)) == (
        "ledgers/huamei/journal/2025/03.beancount"
    )
