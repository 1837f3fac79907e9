"""An amount with more decimal places than its currency has is refused, never rounded."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal

import openpyxl
import pytest

from beanfirm.errors import StatementError
from beanfirm.importers.amounts import decimal_places, excess_places, minor_digits
from beanfirm.importers.camt053 import read_camt053
from beanfirm.importers.csvconfig import CsvConfig
from beanfirm.importers.csvread import read_statement
from beanfirm.importers.mt940 import read_mt940
from beanfirm.importers.ofx import read_ofx
from beanfirm.importers.presets import PRESETS
from beanfirm.importers.statement import BankStatement

SIGNED = CsvConfig(
    name="test", date="Date", narration=("Text",), amount="Amount", balance="Balance",
    currency="CNY",
)  # fmt: skip
PAIR = CsvConfig(
    name="pair", date="Date", narration=("Text",), amount_in="In", amount_out="Out",
    balance="Balance", currency_column="Currency",
)  # fmt: skip
HEADER = "Date,Text,Amount,Balance\n"


def read(text: str, config: CsvConfig = SIGNED) -> BankStatement:
    return read_statement(text.encode("utf-8"), config, "bank.csv")


@pytest.mark.parametrize(
    ("currency", "digits"), [("CNY", 2), ("USD", 2), ("HKD", 2), ("JPY", 0), ("KWD", 3)]
)
def test_the_places_of_a_currency_come_from_the_iso_table(currency: str, digits: int) -> None:
    assert minor_digits(currency) == digits


@pytest.mark.parametrize("code", ["BTC", "XAU", "ABC"])
def test_codes_of_no_iso_currency_are_not_checked(code: str) -> None:
    assert minor_digits(code) is None
    assert excess_places(Decimal("1.23456789"), code) is None


@pytest.mark.parametrize(
    ("number", "places"), [("12.345", 3), ("12.340", 2), ("0.000", 0), ("1E+3", 0), ("-0.001", 3)]
)
def test_decimal_places_count_the_value_not_the_zeros(number: str, places: int) -> None:
    assert decimal_places(Decimal(number)) == places


# --- CSV exports: every column that holds money, on the quick path and the row reader's -------


@pytest.mark.parametrize(
    ("row", "column", "cell"),
    [
        ("2024-01-02,Coffee,-12.345,87.655", "Amount", "-12.345"),  # a column of plain numbers
        ('2024-01-02,Coffee,"-1,012.345",87.66', "Amount", "-1,012.345"),  # thousands
        ("2024-01-02,Coffee,¥-12.345,87.66", "Amount", "¥-12.345"),  # read by the row reader
        ("2024-01-02,Coffee,-12.34,87.661", "Balance", "87.661"),
        ("2024-01-02,Coffee,-12.34,87.6600001", "Balance", "87.6600001"),
    ],
)
def test_a_sub_cent_amount_or_balance_is_refused_naming_the_column(
    row: str, column: str, cell: str
) -> None:
    text = HEADER + "2024-01-01,Salary,100.00,100.00\n" + row + "\n2024-01-03,Bus,-2.00,85.66\n"
    with pytest.raises(StatementError) as caught:
        read(text, replace(SIGNED, running_balance=False))
    message = str(caught.value)
    assert message.startswith(f"bank.csv:3: column '{column}': '{cell}' is not an amount in CNY: ")
    assert "but an amount in CNY has 2" in message
    assert "fix the cell, or export the statement again" in message


def test_trailing_zeros_are_no_extra_places() -> None:
    statement = read(HEADER + "2024-01-01,Salary,100.000,100.0000\n2024-01-02,Bus,-2.5,97.50\n")
    assert [row.number for row in statement.rows] == [Decimal("100.000"), Decimal("-2.5")]


def test_the_out_column_of_a_pair_is_named_and_each_currency_has_its_places() -> None:
    head = "Date,Text,In,Out,Balance,Currency\n"
    fine = head + "2024-01-01,A,1.234,,1.234,KWD\n2024-01-02,B,,1200,-1200,JPY\n"
    assert [row.number for row in read(fine, PAIR).rows] == [Decimal("1.234"), Decimal(-1200)]
    for row, column in (
        ("2024-01-03,C,,1200.50,-2400.50,JPY", "Out"),
        ("2024-01-03,C,0.001,,0.001,CNY", "In"),
    ):
        with pytest.raises(StatementError, match=f"bank.csv:4: column '{column}': "):
            read(fine + row + "\n", PAIR)


def test_a_sub_cent_fee_is_refused() -> None:
    config = replace(SIGNED, fee="Fee", running_balance=False)
    text = "Date,Text,Amount,Fee,Balance\n2024-01-01,Top-up,-10.00,0.005,-10.005\n"
    with pytest.raises(StatementError, match=r"bank\.csv:2: column 'Fee': '0\.005' is not an"):
        read(text, config)


def test_a_large_export_with_one_sub_cent_row_is_refused_at_that_row() -> None:
    rows = [f"2024-01-{1 + i % 28:02d},Row {i},-1.00,{-1 - i}.00" for i in range(3000)]
    rows[1234] = "2024-01-07,Row 1234,-1.001,-1235.001"
    with pytest.raises(StatementError) as caught:
        read(HEADER + "\n".join(rows) + "\n", replace(SIGNED, running_balance=False))
    assert caught.value.line == 1236
    assert "column 'Amount': '-1.001'" in str(caught.value)


# --- spreadsheets: numbers come as floats --------------------------------------------------------

WECHAT_HEADER: list[object] = [
    "交易时间", "交易类型", "交易对方", "商品", "收/支", "金额(元)", "支付方式", "当前状态",
    "交易单号", "商户单号", "备注",
]  # fmt: skip


def wechat_xlsx(*amounts: object) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["微信支付账单明细"])
    sheet.append(WECHAT_HEADER)
    for number, amount in enumerate(amounts, start=1):
        sheet.append(
            [f"2024-03-0{number} 12:00:00", "商户消费", "餐厅", "/", "支出", amount, "零钱",
             "支付成功", f"T{number}", f"M{number}", "/"]
        )  # fmt: skip
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_sub_cent_spreadsheet_amount_is_refused() -> None:
    with pytest.raises(StatementError) as caught:
        read_statement(wechat_xlsx(28.16, 28.155), PRESETS["wechat"], "wechat.xlsx")
    assert str(caught.value).startswith(
        "wechat.xlsx:4: column '金额(元)': '28.155' is not an amount in CNY"
    )


def stored_as(data: bytes, values: dict[str, str]) -> bytes:
    """Return the workbook with numbers stored as other text, as Excel stores what it computed.

    openpyxl writes a float to 15 digits; Excel writes a formula's result to 17, so that
    0.1 + 0.2 is stored as 0.30000000000000004 and read back as that float.
    """
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            content = source.read(item)
            if item.filename.startswith("xl/worksheets/"):
                for old, new in values.items():
                    content = content.replace(f"<v>{old}</v>".encode(), f"<v>{new}</v>".encode())
            target.writestr(item, content)
    return out.getvalue()


def test_spreadsheet_numbers_read_as_the_spreadsheet_shows_them() -> None:
    data = stored_as(
        wechat_xlsx(0.3, 3.3, 28.16, 12.5),
        {"0.3": repr(0.1 + 0.2), "3.3": repr(1.1 * 3), "28.16": "28.159999999999997"},
    )
    statement = read_statement(data, PRESETS["wechat"], "wechat.xlsx")
    assert sorted(row.number for row in statement.rows) == [
        Decimal(n) for n in ("-28.16", "-12.5", "-3.3", "-0.3")
    ]


def test_a_spreadsheet_number_beyond_15_digits_is_refused_not_rounded() -> None:
    with pytest.raises(StatementError, match="more digits than a spreadsheet keeps"):
        read_statement(wechat_xlsx(12345678901234.56), PRESETS["wechat"], "wechat.xlsx")


# --- the statement formats ----------------------------------------------------------------------

OFX = (
    "OFXHEADER:100\nDATA:OFXSGML\nVERSION:102\nCHARSET:1252\n\n<OFX><BANKMSGSRSV1><STMTTRNRS>"
    "<STMTRS><CURDEF>USD<BANKACCTFROM><ACCTID>123</BANKACCTFROM><BANKTRANLIST>\n"
    "<STMTTRN><TRNTYPE>DEBIT<DTPOSTED>20240105<TRNAMT>-9.99<FITID>1<NAME>A</STMTTRN>\n"
    "</BANKTRANLIST>\n<LEDGERBAL><BALAMT>10.01<DTASOF>20240131</LEDGERBAL></STMTRS>"
    "</STMTTRNRS></BANKMSGSRSV1></OFX>\n"
)
CAMT = (
    '<?xml version="1.0"?><Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08">'
    "<BkToCstmrStmt><Stmt><Acct><Id><IBAN>DE89370400440532013000</IBAN></Id></Acct>\n"
    '<Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">10.00</Amt>'
    "<CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2024-01-01</Dt></Dt></Bal>\n"
    '<Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">7.50</Amt>'
    "<CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2024-01-31</Dt></Dt></Bal>\n"
    '<Ntry><Amt Ccy="EUR">2.50</Amt><CdtDbtInd>DBIT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>'
    "<BookgDt><Dt>2024-01-05</Dt></BookgDt><AcctSvcrRef>R1</AcctSvcrRef></Ntry>\n"
    "</Stmt></BkToCstmrStmt></Document>\n"
)
MT940 = (
    ":20:REF\n:25:DE89370400440532013000\n:28C:1/1\n:60F:C240101EUR10,00\n"
    ":61:2401020102D2,50NTRFNONREF//B1\n:86:Text\n:62F:C240102EUR7,50\n-\n"
)


@pytest.mark.parametrize(
    ("reader", "text", "old", "new", "line", "figure"),
    [
        (read_ofx, OFX, "-9.99<", "-9.999<", 7, "this transaction states -9.999 USD"),
        (read_ofx, OFX, "10.01<", "10.009<", 9, "this balance states 10.009 USD"),
        (read_camt053, CAMT, "2.50<", "2.505<", 4, "this transaction states -2.505 EUR"),
        (read_camt053, CAMT, "7.50<", "7.495<", 3, "this balance states 7.495 EUR"),
        (read_mt940, MT940, "D2,50", "D2,505", 5, "this transaction states -2.505 EUR"),
        (read_mt940, MT940, "EUR10,00", "EUR10,005", 4, "this balance states 10.005 EUR"),
    ],
)
def test_statement_formats_refuse_sub_cent_figures(
    reader: Callable[[bytes, str], BankStatement],
    text: str,
    old: str,
    new: str,
    line: int,
    figure: str,
) -> None:
    assert reader(text.encode(), "bank.dat").rows  # the fixture reads as it is
    with pytest.raises(StatementError) as caught:
        reader(text.replace(old, new).encode(), "bank.dat")
    message = str(caught.value)
    assert message.startswith(f"bank.dat:{line}: {figure}, which is not an amount in ")
    assert "export the statement again" in message
