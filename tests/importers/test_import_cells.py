"""Amounts, dates and encodings read from single cells and byte strings."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from beanfirm.errors import StatementError
from beanfirm.importers.amounts import AmountError, Money, parse_amount
from beanfirm.importers.dates import DateError, parse_date
from beanfirm.importers.sheets import number_text
from beanfirm.importers.textfile import decode_statement


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("1,234.56", Money(Decimal("1234.56"), None)),
        ('"-1,000.00"'.strip('"'), Money(Decimal("-1000.00"), None)),
        ("+10000.00", Money(Decimal("10000.00"), None)),
        ("-10.00", Money(Decimal("-10.00"), None)),
        ("(12.50)", Money(Decimal("-12.50"), None)),
        ("3.00-", Money(Decimal("-3.00"), None)),
        ("¥28.16", Money(Decimal("28.16"), None)),
        ("-¥12.00", Money(Decimal("-12.00"), None)),
        ("€3", Money(Decimal(3), None)),
        ("$1,299.99", Money(Decimal("1299.99"), None)),
        ("CNY 123.18", Money(Decimal("123.18"), "CNY")),
        ("CNY13.50", Money(Decimal("13.50"), "CNY")),
        ("12.00 EUR", Money(Decimal("12.00"), "EUR")),
        ("131.77(已退款89.84)", Money(Decimal("131.77"), None)),
        ("-3.90(CN)", Money(Decimal("-3.90"), None)),
        ("13.40               \t", Money(Decimal("13.40"), None)),
        ("1234567.89", Money(Decimal("1234567.89"), None)),
    ],
)
def test_amounts_parse_exactly(cell: str, expected: Money) -> None:
    assert parse_amount(cell) == expected


@pytest.mark.parametrize(
    ("cell", "number"),
    [("1.234,56", "1234.56"), ("-500,00", "-500.00"), ("1 234,5", "1234.5"), ("7", "7")],
)
def test_decimal_comma(cell: str, number: str) -> None:
    money = parse_amount(cell, ",")
    assert money is not None
    assert money.number == Decimal(number)


@pytest.mark.parametrize("cell", ["", "-", "--", "-------", "/", "  \t", "****"])
def test_placeholders_mean_no_amount(cell: str) -> None:
    assert parse_amount(cell) is None


@pytest.mark.parametrize("cell", ["xx,yyyy.zz", "1,2", "12.3.4", "--5", "+-5", "abc", "USD", "1e5"])
def test_garbage_is_refused(cell: str) -> None:
    with pytest.raises(AmountError):
        parse_amount(cell)


def test_decimal_comma_file_read_with_a_point_is_refused() -> None:
    with pytest.raises(AmountError, match="decimal point"):
        parse_amount("1,5")


def test_dates_several_formats_and_times() -> None:
    formats = ("%Y-%m-%d", "%Y-%m-%d %H:%M:%S", "%Y%m%d")
    assert parse_date("2023-02-12 21:32:14 ", formats).time == datetime.time(21, 32, 14)
    assert parse_date("20250101", formats).date == datetime.date(2025, 1, 1)
    assert parse_date("2023-05-02     \t", formats).time is None


def test_dates_without_year_come_from_the_period() -> None:
    end = datetime.date(2024, 1, 31)
    assert parse_date("12/29", ("%m/%d",), end).date == datetime.date(2023, 12, 29)
    assert parse_date("01/07", ("%m/%d",), end).date == datetime.date(2024, 1, 7)
    assert parse_date("02/29", ("%m/%d",), datetime.date(2024, 3, 31)).date.year == 2024


def test_date_without_year_and_no_period_is_refused() -> None:
    with pytest.raises(DateError, match="no year"):
        parse_date("12/29", ("%m/%d",))


def test_unparseable_date_names_the_formats() -> None:
    with pytest.raises(DateError, match="%Y-%m-%d"):
        parse_date("2023-13-45", ("%Y-%m-%d",))


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (28.16, "28.16"),
        (100.1, "100.1"),
        (12, "12"),
        (12.0, "12"),
        (0.07, "0.07"),
        (1234567.89, "1234567.89"),
        (1e-05, "0.00001"),
    ],
)
def test_spreadsheet_numbers_become_their_written_text(value: float, text: str) -> None:
    assert number_text(value, "f.xlsx", 1) == text
    assert str(Decimal(text)) == text


def test_spreadsheet_nan_is_refused() -> None:
    with pytest.raises(StatementError):
        number_text(float("nan"), "f.xlsx", 3)


TEXT = "日期,金额\n2024-01-01,1.00\n"


@pytest.mark.parametrize(
    "data",
    [
        TEXT.encode("utf-8"),
        b"\xef\xbb\xbf" + TEXT.encode("utf-8"),
        TEXT.encode("utf-16"),
        TEXT.encode("gbk"),
        TEXT.encode("gb18030"),
    ],
)
def test_encodings_are_detected(data: bytes) -> None:
    assert decode_statement(data, "f.csv") == TEXT


def test_bad_byte_names_line_and_offset() -> None:
    data = b"a,b\n1,2\n" + b"3,\xff\n"
    with pytest.raises(StatementError) as caught:
        decode_statement(data, "f.csv")
    assert caught.value.line == 3
    assert "offset 10" in str(caught.value)
    assert str(caught.value).startswith("f.csv:3:")


def test_mixed_encodings_are_refused() -> None:
    data = "支付宝,1\n".encode() + "微信,2\n".encode("gbk")
    with pytest.raises(StatementError, match="mixes encodings") as caught:
        decode_statement(data, "f.csv")
    assert caught.value.line == 2


def test_empty_file_is_refused() -> None:
    with pytest.raises(StatementError, match="empty"):
        decode_statement(b"  \n\n", "f.csv")


def test_nul_bytes_are_refused() -> None:
    with pytest.raises(StatementError, match="NUL"):
        decode_statement(b"a,b\n1\x002\n", "f.csv")
