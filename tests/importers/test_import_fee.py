"""A fee column (`columns.fee`): the fee as its own posting, the balance moved by amount and fee."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest
from beancount.core import data

from beanfirm.core.beans import amount_of
from beanfirm.core.ledgertext import entries_text
from beanfirm.errors import StatementError
from beanfirm.importers.csvconfig import CsvConfig, DirectionRule, parse_config
from beanfirm.importers.csvread import read_statement
from beanfirm.importers.entries import statement_entries, transaction, transactions
from beanfirm.importers.presets import PRESETS
from beanfirm.importers.statement import BankStatement
from beanfirm.rules.categorize import RuleSet
from beanfirm.rules.rulesfile import parse_rules

# Revolut-style: a signed amount, a fee the account paid, the balance after both.
REVOLUT = CsvConfig(
    name="revolut",
    date="Completed Date",
    date_formats=("%Y-%m-%d %H:%M:%S",),
    narration=("Description",),
    amount="Amount",
    fee="Fee",
    balance="Balance",
    currency_column="Currency",
    fee_account="Expenses:Bank:Fees",
)
HEADER = "Type,Product,Started Date,Completed Date,Description,Amount,Fee,Currency,State,Balance\n"
ROWS = (
    "TOPUP,Current,2024-03-01 09:00:00,2024-03-01 09:00:05,Top-up by card,100.00,0.00,EUR,"
    "COMPLETED,100.00\n"
    "CARD_PAYMENT,Current,2024-03-02 12:00:00,2024-03-02 12:00:01,Card top-up,-10.00,0.50,EUR,"
    "COMPLETED,89.50\n"
    "EXCHANGE,Current,2024-03-03 08:00:00,2024-03-03 08:00:00,Exchanged to USD,-20.00,0.15,EUR,"
    "COMPLETED,69.35\n"
)


def read(text: str, config: CsvConfig = REVOLUT) -> BankStatement:
    return read_statement(text.encode("utf-8"), config, "revolut.csv")


def test_the_fee_is_its_own_posting_and_the_balance_moves_by_both() -> None:
    statement = read(HEADER + ROWS)
    assert [(row.number, row.fee) for row in statement.rows] == [
        (Decimal("100.00"), None),
        (Decimal("-10.50"), Decimal("0.50")),
        (Decimal("-20.15"), Decimal("0.15")),
    ]
    assert statement.balances[0].number == Decimal("69.35")
    text = entries_text(statement_entries(statement, "Assets:Revolut"))
    assert '2024-03-02 ! "Card top-up"\n  import-id: "fp:' in text
    assert (
        "  Assets:Revolut                                                  -10.50 EUR\n"
        "  Expenses:Uncategorized                                           10.00 EUR\n"
        "  Expenses:Bank:Fees                                                0.50 EUR\n"
    ) in text


def test_each_transaction_balances_and_matches_the_row_by_row_reference() -> None:
    statement = read(HEADER + ROWS)
    bulk = [
        e for e in statement_entries(statement, "Assets:Revolut") if isinstance(e, data.Transaction)
    ]
    one_by_one = [
        transaction(row, "Assets:Revolut", "revolut.csv", "Expenses:Bank:Fees")
        for row in statement.rows
    ]
    assert entries_text(bulk) == entries_text(one_by_one)
    for txn in bulk:
        assert sum(amount_of(posting)[0] for posting in txn.postings) == 0


def test_a_broken_balance_counts_the_fee() -> None:
    # 100.00 - 10.00 - 0.50 is 89.50: a balance of 90.00 means the fee was not taken.
    text = HEADER + ROWS.replace(",89.50\n", ",90.00\n").replace(",69.35\n", ",69.85\n")
    with pytest.raises(StatementError, match=r"revolut.csv:3: the running balance breaks"):
        read(text)


def test_without_a_fee_account_the_fee_is_uncategorized() -> None:
    statement = read(HEADER + ROWS, replace(REVOLUT, fee_account=None))
    txn = transaction(statement.rows[1], "Assets:Revolut", "revolut.csv")
    assert [p.account for p in txn.postings] == [
        "Assets:Revolut",
        "Expenses:Uncategorized",
        "Expenses:Uncategorized",
    ]


def test_rows_without_a_fee_keep_their_import_ids() -> None:
    plain = replace(REVOLUT, fee=None, fee_account=None, running_balance=False)
    without = read(HEADER + ROWS, plain)
    with_fee = read(HEADER + ROWS)
    assert with_fee.rows[0].import_id == without.rows[0].import_id  # its fee is 0.00
    assert with_fee.rows[1].import_id != without.rows[1].import_id
    assert read(HEADER + ROWS).rows == with_fee.rows  # the same ids on every read
    # The ids, made in bulk, are the fingerprints of the reference, which hashes the fee.
    assert [row.import_id for row in with_fee.rows] == [
        f"fp:{row.fingerprint()}#1" for row in with_fee.rows
    ]
    assert with_fee.rows[1].fingerprint() != with_fee.rows[1]._replace(fee=None).fingerprint()


@pytest.mark.parametrize(
    ("cell", "number", "fee"),
    [
        ("0.50", "-10.50", "0.50"),
        (" 0.50 ", "-10.50", "0.50"),
        ("€0.50", "-10.50", "0.50"),
        ("EUR 0.50", "-10.50", "0.50"),
        ("-0.50", "-9.50", "-0.50"),  # a fee refunded
        ("", "-10.00", None),
        ("-", "-10.00", None),
        ("0", "-10.00", None),
        ("-0.00", "-10.00", None),
    ],
)
def test_fee_cells_read_alike_by_the_quick_and_the_row_by_row_path(
    cell: str, number: str, fee: str | None
) -> None:
    row = f"CARD_PAYMENT,Current,,2024-03-02 12:00:01,Shop,-10.00,{cell},EUR,COMPLETED,0\n"
    config = replace(REVOLUT, running_balance=False)
    quick = read(HEADER + row, config).rows[0]
    # A row the quick path cannot read (a bad date format first) goes the row-by-row way.
    slow_config = replace(config, date_formats=("%d.%m.%Y", "%Y-%m-%d %H:%M:%S"))
    slow = read(HEADER + row.replace("2024-03-02 12:00:01", "02.03.2024"), slow_config).rows[0]
    for found in (quick, slow):
        assert found.number == Decimal(number)
        assert found.fee == (None if fee is None else Decimal(fee))


def test_a_fee_alone_is_booked() -> None:
    row = "FEE,Current,,2024-03-05 00:00:00,Plan fee,0.00,7.99,EUR,COMPLETED,0\n"
    statement = read(HEADER + row, replace(REVOLUT, running_balance=False))
    assert [(r.number, r.fee) for r in statement.rows] == [(Decimal("-7.99"), Decimal("7.99"))]


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        (
            "USD 0.50",
            "revolut.csv:2: column 'Fee': the fee is in USD but the row's amount is in EUR",
        ),
        ("0.5x", "revolut.csv:2: column 'Fee': '0.5x' is not a number"),
    ],
)
def test_a_bad_fee_cell_is_refused_with_its_line(cell: str, message: str) -> None:
    row = f"CARD_PAYMENT,Current,,2024-03-02 12:00:01,Shop,-10.00,{cell},EUR,COMPLETED,0\n"
    with pytest.raises(StatementError) as raised:
        read(HEADER + row, replace(REVOLUT, running_balance=False))
    assert message in str(raised.value)


def test_a_skipped_row_that_charges_a_fee_is_refused() -> None:
    config = CsvConfig(
        name="app",
        date="时间",
        amount="金额",
        fee="服务费",
        direction=(
            DirectionRule("状态", inflow=("已收入",), outflow=("已支出",), skip=("资金转移",)),
        ),
        currency="CNY",
    )
    text = (
        "时间,金额,服务费,状态\n2024-03-01,100.00,0.00,资金转移\n2024-03-02,50.00,1.00,资金转移\n"
    )
    with pytest.raises(StatementError) as raised:
        read(text, config)
    assert (
        "revolut.csv:3: column '服务费': the row is skipped (状态 is '资金转移') but charges a fee"
        in str(raised.value)
    )
    ok = read(text.replace(",1.00,", ",0.00,"), config)
    assert [s.line for s in ok.skipped] == [2, 3]


def test_a_rule_sees_the_amount_before_the_fee_and_keeps_the_fee_posting() -> None:
    rules = """\
rules:
  - when: {narration: Card top-up, direction: out, max: 10}
    account: Expenses:Shopping
"""
    parsed, problems = parse_rules(rules, "rules.yaml")
    assert problems == []
    statement = read(HEADER + ROWS)
    ruleset = RuleSet(parsed.rules)
    bulk = ruleset.categorize_statement(statement, "Assets:Revolut")
    one_by_one = [ruleset.categorize(txn) for txn in transactions(statement, "Assets:Revolut")]
    for found in (bulk, one_by_one):
        txn, decision = found[1]
        assert decision.account == "Expenses:Shopping"  # 10.00 is within `max: 10`; 10.50 is not
        assert [(p.account, str(p.units)) for p in txn.postings] == [
            ("Assets:Revolut", "-10.50 EUR"),
            ("Expenses:Shopping", "10.00 EUR"),
            ("Expenses:Bank:Fees", "0.50 EUR"),
        ]


BASE = "columns:\n  date: Date\n  amount: Amount\n{column}currency: EUR\n{top}"


@pytest.mark.parametrize(
    ("column", "top", "problem"),
    [
        ("", "fee-account: Expenses:Fees\n", "`fee-account` needs a `fee` column"),
        ("  fee: Fee\n", "fee-account: Fees\n", "`fee-account` 'Fees' is not a Beancount account"),
        ("  fee: Amount\n", "", "the `fee` column 'Amount' is also an amount column"),
        ("  fees: Fee\n", "", "fees"),
        ("", "record-count: '共(\\d+)条'\n", "`record-count` needs the groups (?P<count>…)"),
    ],
)
def test_config_mistakes_are_reported_with_the_file(column: str, top: str, problem: str) -> None:
    text = BASE.format(column=column, top=top)
    config, problems = parse_config(text, "ledgers/acme/importers/Assets_Revolut.yaml", PRESETS)
    assert config is None
    shown = "\n".join(map(str, problems))
    assert "ledgers/acme/importers/Assets_Revolut.yaml:" in shown
    assert problem in shown


def test_a_config_with_a_fee_is_read_from_yaml() -> None:
    text = (
        "name: revolut\ncolumns:\n  date: Completed Date\n  amount: Amount\n  fee: Fee\n"
        "  currency: Currency\nfee-account: Expenses:Bank:Fees\n"
    )
    config, problems = parse_config(text, "revolut.yaml", PRESETS)
    assert problems == []
    assert config is not None
    assert (config.fee, config.fee_account) == ("Fee", "Expenses:Bank:Fees")
    assert "Fee" in config.column_names()


def test_a_header_without_the_fee_column_is_refused() -> None:
    text = HEADER.replace(",Fee,", ",Charge,") + ROWS
    with pytest.raises(StatementError, match="lacks the column\\(s\\) Fee"):
        read(text)
