"""Exports without a header row (`fields`), and `account-number` in the CSV config."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from beanfirm.errors import StatementError
from beanfirm.importers.csvconfig import CsvConfig, parse_config
from beanfirm.importers.csvengine import StatementImporter
from beanfirm.importers.csvread import read_statement
from beanfirm.importers.presets import PRESETS

WELLS = """\
fields: [date, amount, star, check, description]
columns:
  date: date
  amount: amount
  narration: description
  meta-free: x
"""

CONFIG = """\
name: wells-fargo
fields: [date, amount, star, check, description]
columns:
  date: date
  amount: amount
  narration: description
date-formats: ["%m/%d/%Y"]
currency: USD
"""

# The Wells Fargo layout (no header): date, amount, *, check number, description.
EXPORT = """\
"01/02/2024","-45.10","*","","CORNER GROCERY"
"01/03/2024","1500.00","*","","PAYROLL ACME"
"01/05/2024","-200.00","*","1043","CHECK 1043"
"""


def config() -> CsvConfig:
    parsed, problems = parse_config(CONFIG, "wells.yaml")
    assert problems == []
    assert parsed is not None
    return parsed


def test_fields_name_the_columns_by_position() -> None:
    statement = read_statement(EXPORT.encode(), config(), "wells.csv")
    assert [(r.line, r.number, r.narration) for r in statement.rows] == [
        (1, Decimal("-45.10"), "CORNER GROCERY"),
        (2, Decimal("1500.00"), "PAYROLL ACME"),
        (3, Decimal("-200.00"), "CHECK 1043"),
    ]


def test_a_title_before_the_rows_is_a_preamble() -> None:
    statement = read_statement(("Account activity\n\n" + EXPORT).encode(), config(), "w.csv")
    assert len(statement.rows) == 3
    assert statement.rows[0].line == 3


def test_a_wider_row_is_not_this_export() -> None:
    wider = EXPORT + '"01/06/2024","-1.00","*","","FEE","EXTRA"\n'
    with pytest.raises(StatementError) as caught:
        read_statement(wider.encode(), config(), "w.csv")
    assert caught.value.line == 4
    assert "the row has 6 cells but the config's `fields` names 5 columns" in str(caught.value)


def test_a_row_with_a_bad_date_is_reported_at_its_line() -> None:
    bad = EXPORT.replace("01/03/2024", "2024-01-03")
    with pytest.raises(StatementError, match=r"w.csv:2: column 'date'"):
        read_statement(bad.encode(), config(), "w.csv")


def test_identify_reads_the_file(tmp_path: Path) -> None:
    path = tmp_path / "w.csv"
    path.write_text(EXPORT, encoding="utf-8")
    importer = StatementImporter(config(), "Assets:Bank:WF")
    assert importer.identify(str(path))
    path.write_text("Date,Amount\n2024-01-01,1\n", encoding="utf-8")
    assert not importer.identify(str(path))


def test_the_td_preset_reads_withdrawals_and_deposits_by_position() -> None:
    td = PRESETS["td-debit"]
    statement = read_statement(
        b"05/01/2023,COFFEE,3.50,,96.50\n05/02/2023,PAY,,100.00,196.50\n", td, "td.csv"
    )
    assert [row.number for row in statement.rows] == [Decimal("-3.50"), Decimal("100.00")]
    assert statement.balances[0].number == Decimal("196.50")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (WELLS, "unknown key 'meta-free'"),
        (CONFIG.replace("[date, amount, star", "[date, amount, date"), "names date more than once"),
        (
            CONFIG.replace("narration: description", "narration: memo"),
            "memo are not among `fields`",
        ),
        (CONFIG + "identify: [X]\n", "a file without a header has none"),
        (
            CONFIG + "account-number: 'Acct (\\d+)'\n",
            "`account-number` needs the groups (?P<number>…)",
        ),
        (CONFIG + "account-number: '(?P<number>'\n", "`account-number` is not a valid regular"),
    ],
)
def test_config_problems(text: str, message: str) -> None:
    parsed, problems = parse_config(text, "wells.yaml")
    assert parsed is None
    assert any(message in p.message for p in problems), problems


def test_account_number_from_the_preamble() -> None:
    text = (
        CONFIG.replace("fields: [date, amount, star, check, description]\n", "").replace(
            "  date: date\n  amount: amount\n  narration: description\n",
            "  date: Date\n  amount: Amount\n  narration: Text\n",
        )
        + "account-number: 'Account:\\s*(?P<number>[\\d*]+)'\n"
    )
    parsed, problems = parse_config(text, "bank.yaml")
    assert problems == []
    assert parsed is not None
    export = "Statement\nAccount: 1234****9876\nDate,Amount,Text\n01/02/2024,-1.00,x\n"
    assert read_statement(export.encode(), parsed, "b.csv").account_number == "1234****9876"
    assert (
        read_statement(export.replace("Account", "Card").encode(), parsed, "b.csv").account_number
        is None
    )
