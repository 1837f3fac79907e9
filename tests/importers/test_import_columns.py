"""The column-by-column quick path reads every row exactly as the row reader does.

`beanfirm.importers.columns` reads the bulk of an export a column at a time and leaves any row
it is not sure of to `RowReader.read`. Reading the same export with every row left to the row
reader must give the same statement, or the same error.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any
from unittest.mock import patch

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from beanfirm.errors import StatementError
from beanfirm.importers import csvread
from beanfirm.importers.columns import quick_columns
from beanfirm.importers.csvconfig import CsvConfig, DirectionRule
from beanfirm.importers.rowreader import RowReader
from beanfirm.importers.statement import BankStatement, StatementRow, fingerprints
from beanfirm.importers.table import Row, locate_table

SIGNED = CsvConfig(
    name="signed",
    date="Date",
    date_formats=("%Y-%m-%d", "%Y-%m-%d %H:%M:%S", "%m/%d/%Y"),
    payee="Payee",
    narration=("Text", "More"),
    amount="Amount",
    balance="Balance",
    serial="No",
    currency="CNY",
    meta=(("kind", "Kind"), ("note", "Note")),
    running_balance=False,
)
DIRECTED = replace(
    SIGNED,
    name="directed",
    direction=(
        DirectionRule("Kind", inflow=("收入", "in*"), outflow=("支出",), skip=("/",)),
        DirectionRule("Note", inflow=("退款成功",), skip=("*",)),
    ),
    meta=(("kind", "Kind"),),
)
PAIRED = replace(
    SIGNED,
    name="paired",
    amount=None,
    amount_in="Amount",
    amount_out="Balance",
    balance=None,
    currency=None,
    currency_column="Note",
    invert_sign=True,
)
COMMA = replace(SIGNED, name="comma", decimal_mark=",", delimiter=";")
# A fee column (its cells drawn like amounts), with a signed amount and with a direction.
FEED = replace(SIGNED, name="feed", fee="Balance", balance=None)
FEED_DIRECTED = replace(DIRECTED, name="feed-directed", fee="Balance", balance=None)
HEADER = ["Date", "Payee", "Text", "More", "Amount", "Balance", "No", "Kind", "Note"]

DATES = st.sampled_from(
    [
        "2024-01-01",
        "2024-1-5",
        "2024-02-30",
        " 2024-03-01 ",
        "2024-03-01 10:00:00",
        "2024-03-01  10:00:00",
        "03/01/2024",
        "",
        "x",
        "2024-03-01\u3000",
        "２０２４-03-01",  # noqa: RUF001 - full-width digits, as Chinese exports write
    ]
)
AMOUNTS = st.sampled_from(
    [
        "1.00",
        "-1.00",
        "0.00",
        "-0.00",
        "1,234.56",
        "1.234,56",
        "(3.00)",
        "3.00-",
        "¥2",
        "CNY 1",
        "12 EUR",
        "+5",
        " 7.5 ",
        "",
        "-",
        "--",
        "/",
        "1e5",
        "NaN",
        "00012.30",
        "1,23",
        "-.5",
        "5.",
        "123456789012345678901234567890.5",
        "-123456789012345678901234567890",
        "١٢٣",
        "13.40\t",
        "131.77(已退款89.84)",
        "****",
        "1.2.3",
        "--1",
        "1-",
        "-0",
        "0.000",
        "12",
        "-3.5",
        "99.99",
    ]
)
TEXTS = st.sampled_from(
    [
        "星巴克",
        " padded ",
        "two  spaces",
        "tab\there",
        "",
        "-",
        "/",
        "*",
        "—",
        "x\u3000y",
        "\u00a0nbsp",
        "line\nbreak",
        "0000",
        "007",
        "退款成功",
        "收入",
        "支出",
        "in-app",
        "CNY",
        "人民币",
        "USD",
        "美元",
        "zz",
    ]
)


def cells() -> st.SearchStrategy[list[str]]:
    return st.tuples(DATES, TEXTS, TEXTS, TEXTS, AMOUNTS, AMOUNTS, TEXTS, TEXTS, TEXTS).map(list)


def csv_text(rows: Sequence[list[str]], delimiter: str = ",") -> str:
    def quoted(cell: str) -> str:
        return '"' + cell.replace('"', '""') + '"'

    lines = [delimiter.join(HEADER)]
    lines += [delimiter.join(quoted(cell) for cell in row) for row in rows]
    return "\n".join(lines) + "\n"


def none_quick(_reader: RowReader, rows: Sequence[Row]) -> tuple[list[list[Any]], set[int]]:
    """Leave every row to the row reader (in place of `quick_columns`)."""
    width = len(StatementRow._fields) - 1
    return [[None] * len(rows) for _ in range(width)], set(range(len(rows)))


def outcome(text: str, config: CsvConfig) -> object:
    try:
        return csvread.read_statement(text.encode("utf-8"), config, "bank.csv")
    except StatementError as exc:
        return str(exc)


def both(text: str, config: CsvConfig) -> tuple[object, object]:
    quick = outcome(text, config)
    with patch.object(csvread, "quick_columns", none_quick):
        slow = outcome(text, config)
    return quick, slow


@pytest.mark.parametrize("config", [SIGNED, DIRECTED, PAIRED, FEED, FEED_DIRECTED])
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(cells(), min_size=1, max_size=6))
def test_the_quick_path_reads_as_the_row_reader(config: CsvConfig, rows: list[list[str]]) -> None:
    quick, slow = both(csv_text(rows), config)
    assert quick == slow


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(cells(), min_size=1, max_size=6))
def test_the_quick_path_reads_decimal_commas_as_the_row_reader(rows: list[list[str]]) -> None:
    quick, slow = both(csv_text(rows, ";"), COMMA)
    assert quick == slow


def test_the_two_paths_agree_on_a_plain_export() -> None:
    rows = [
        ["2024-03-02", "店", "a", "", "-1,234.50", "10.00", "7", "in", "n"],
        ["2024-03-01", "店", "b", "c", "20.00", "11,244.50", "0", "x", ""],
    ]
    quick, slow = both(csv_text(rows), SIGNED)
    assert isinstance(quick, BankStatement)
    assert quick == slow
    assert [row.serial for row in quick.rows] == [None, "7"]


def test_plain_rows_take_the_quick_path_and_odd_ones_the_row_reader() -> None:
    rows = [
        ["2024-03-02", "店", "a", "", "-1,234.50", "10.00", "7", "in", "n"],
        ["2024-03-01", "店", "b", "c", "20.00", "11,244.50", "0", "x", ""],
        ["2024-03-01", "店", "b", "c", "(20.00)", "1", "0", "x", ""],
        ["2024-02-30", "店", "b", "c", "20.00", "1", "0", "x", ""],
    ]
    found = csvread.file_rows(csv_text(rows).encode("utf-8"), SIGNED, "bank.csv")
    table = locate_table(found, SIGNED.column_names(), SIGNED.date, "bank.csv")
    reader = RowReader(SIGNED, table, "bank.csv", None)
    _, slow = quick_columns(reader, table.rows)
    assert slow == {2, 3}  # a parenthesised amount, a day that does not exist


def test_fingerprints_in_bulk_are_each_rows_fingerprint() -> None:
    rows = [
        ["2024-03-02", "店", "a", "", "-1,234.50", "10.00", "", "in", "n"],
        ["2024-03-01 10:00:00", "", "b", "c", "20.00", "", "", "x", ""],
        ["2024-03-01", "店", "b", "c", "(20.00)", "-0.00", "", "x", ""],
    ]
    statement = csvread.read_statement(csv_text(rows).encode("utf-8"), SIGNED, "bank.csv")
    assert fingerprints(statement.rows) == [row.fingerprint() for row in statement.rows]
    assert [row.import_id for row in statement.rows] == [
        f"fp:{row.fingerprint()}#1" for row in statement.rows
    ]
