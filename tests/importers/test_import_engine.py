"""The CSV engine on inline exports: each feature, and each kind of bad input."""

from __future__ import annotations

import datetime
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest
from beancount.core import data

from beanfirm.core.beans import amount_of
from beanfirm.core.ledgertext import entries_text
from beanfirm.errors import StatementError
from beanfirm.importers.csvconfig import CsvConfig, DirectionRule
from beanfirm.importers.csvengine import StatementImporter
from beanfirm.importers.csvread import read_statement
from beanfirm.importers.presets import PRESETS
from beanfirm.importers.statement import BankStatement

SIGNED = CsvConfig(
    name="test",
    date="Date",
    narration=("Text",),
    amount="Amount",
    balance="Balance",
    currency="CNY",
)


def read(text: str, config: CsvConfig = SIGNED, encoding: str = "utf-8") -> BankStatement:
    return read_statement(text.encode(encoding), config, "bank.csv")


def numbers(statement: BankStatement) -> list[Decimal]:
    return [row.number for row in statement.rows]


def test_header_found_after_a_preamble_and_footer_ignored() -> None:
    text = (
        "Account statement\nCard: 1234****9876\n\n"
        "Date,Text,Amount,Balance\n"
        "2024-01-01,Coffee,-3.50,96.50\n"
        "2024-01-02,Salary,100.00,196.50\n"
        " \n"
        "人民币合计,,96.50,\n"
        "Printed 2024-09-09 by the bank,,,\n"
    )
    statement = read(text)
    assert numbers(statement) == [Decimal("-3.50"), Decimal("100.00")]
    assert statement.rows[0].line == 5


@pytest.mark.parametrize("footer", ["合计,,1199.00,", "Total,,1199.00,", "以上数据仅供参考,,,"])
def test_a_dated_row_after_the_footer_refuses_the_file(footer: str) -> None:
    # A second page after a subtotal, or rows pasted below the total: they would be lost.
    text = (
        "Date,Text,Amount,Balance\n2024-01-01,Salary,1234.00,1234.00\n"
        f"{footer}\n2024-01-05,Rent,-1000.00,234.00\n"
    )
    with pytest.raises(StatementError) as raised:
        read(text)
    assert raised.value.line == 4
    assert "line 3 ended the table" in str(raised.value)


def test_a_page_break_with_a_subtotal_and_the_header_again_goes_on() -> None:
    text = (
        "Date,Text,Amount,Balance\n2024-01-01,Salary,1234.00,1234.00\n"
        "2024-01-02,Coffee,-35.00,1199.00\n本页小计,,1199.00,\nPage 2,,,\n"
        "Date,Text,Amount,Balance\n2024-01-05,Rent,-1000.00,199.00\n"
        "Date,Text,Amount,Balance,,\n2024-01-06,Power,-3.00,196.00\n合计,,196.00,\n"
    )
    statement = read(text)
    assert numbers(statement) == [Decimal(n) for n in ("1234.00", "-35.00", "-1000.00", "-3.00")]
    assert [row.line for row in statement.rows] == [2, 3, 7, 9]
    assert statement.balances[0].number == Decimal("196.00")


def test_a_dated_row_in_a_page_break_ends_the_table_there() -> None:
    # Between the subtotal and the header printed again, a dated row is not a page break.
    text = (
        "Date,Text,Amount,Balance\n2024-01-01,Salary,1234.00,1234.00\n本页小计,,1234.00,\n"
        "2024-01-03,Stray,-1.00,1233.00\nDate,Text,Amount,Balance\n2024-01-05,Rent,-1.00,1232.00\n"
    )
    with pytest.raises(StatementError) as raised:
        read(text)
    assert raised.value.line == 4


def test_single_note_row_ends_the_table() -> None:
    text = "Date,Text,Amount,Balance\n2024-01-01,Coffee,-3.50,1\n以上数据仅供参考,,,\n"
    assert len(read(text).rows) == 1


@pytest.mark.parametrize(
    "footer",
    [
        "交易笔数：2,,,",  # noqa: RUF001 - a count: its date cell has a figure, no date
        "共2笔",
        "共 2 条记录,,,",
        "总计：2笔,,,",  # noqa: RUF001
        "打印时间：2024-01-07 10:00:00",  # noqa: RUF001 - a note holding a date and a time
        "打印时间：2024-01-07 10:00:00,打印人：王五,,",  # noqa: RUF001
        "2笔合计,,1.00,",  # a total whose date cell starts with a figure
        "Printed 2024-01-07,,,",
    ],
)
def test_a_footer_with_figures_ends_the_table(footer: str) -> None:
    head = "Date,Text,Amount,Balance\n2024-01-01,Coffee,-3.50,1\n2024-01-02,Tea,4.50,5.50\n"
    statement = read(head + footer + "\n")
    assert numbers(statement) == [Decimal("-3.50"), Decimal("4.50")]
    with pytest.raises(StatementError) as raised:  # a dated row after it would be lost
        read(head + footer + "\n2024-01-05,Rent,-1.00,4.50\n")
    assert raised.value.line == 5
    assert "line 4 ended the table" in str(raised.value)


def test_dates_in_words_are_no_footers_and_a_total_after_them_is() -> None:
    config = replace(SIGNED, date_formats=("%Y年%m月%d日",))
    text = (
        "Date,Text,Amount,Balance\n2024年01月01日,Coffee,-3.50,1\n2024年01月02日,Tea,4.50,5.50\n"
        "2笔合计,,1.00,\n2024年01月03日,Rent,-1.00,4.50\n"
    )
    with pytest.raises(StatementError, match="the footer '2笔合计' at line 4 ended the table"):
        read(text, config)
    statement = read(text.rsplit("\n", 2)[0] + "\n", config)
    assert numbers(statement) == [Decimal("-3.50"), Decimal("4.50")]


@pytest.mark.parametrize(
    ("last", "message"),
    [
        ("2024-01-03", "the row has 1 cells and ends before this column"),  # a date alone
        ("2024-01-0", "the row has 1 cells and ends before this column"),  # cut in its date
        ("2024年1月", "the row has 1 cells and ends before this column"),
        ("2024-01-0x,Tea,-1.00,4.00", "column 'Date': '2024-01-0x' is not a date"),
    ],
)
def test_a_row_cut_short_or_misdated_is_no_footer(last: str, message: str) -> None:
    text = "Date,Text,Amount,Balance\n2024-01-01,Coffee,-3.50,1\n" + last + "\n"
    with pytest.raises(StatementError) as raised:
        read(text)
    assert raised.value.line == 3
    assert message in str(raised.value)


def test_newest_first_files_are_put_in_date_order() -> None:
    text = (
        "Date,Text,Amount,Balance\n"
        "2024-01-03,c,-1.00,7.00\n2024-01-02,b,-1.00,8.00\n2024-01-02,a,-1.00,9.00\n"
    )
    statement = read(text)
    assert [row.narration for row in statement.rows] == ["a", "b", "c"]
    assert statement.balances[0].number == Decimal("7.00")
    assert statement.balances[0].date == datetime.date(2024, 1, 3)


def test_balance_assertion_is_dated_the_day_after_the_last_row(tmp_path: Path) -> None:
    path = tmp_path / "bank.csv"
    path.write_text('Date,Text,Amount,Balance\n2024-01-31,x,-1.00,"1,234.00"\n', "utf-8")
    entries = StatementImporter(SIGNED, "Assets:Bank").extract(str(path), [])
    last = entries_text(entries).splitlines()[-1]
    assert last.split() == ["2024-02-01", "balance", "Assets:Bank", "1234.00", "CNY"]


def test_masked_balance_gives_no_assertion() -> None:
    text = 'Date,Text,Amount,Balance\n2024-01-31,x,-1.00,"xx,yyyy.zz"\n'
    assert read(text).balances == ()


def test_debit_credit_pair_with_placeholders() -> None:
    config = CsvConfig(
        name="pair", date="日期", amount_in="收入", amount_out="支出", currency="CNY"
    )
    text = '日期,收入,支出\n2024-01-01,-,13.40\n2024-01-02,"1,234.56",\n2024-01-03,0.00,5\n'
    assert numbers(read(text, config)) == [Decimal("-13.40"), Decimal("1234.56"), Decimal(-5)]


def test_pair_with_both_amounts_is_refused() -> None:
    config = CsvConfig(
        name="pair", date="日期", amount_in="收入", amount_out="支出", currency="CNY"
    )
    with pytest.raises(StatementError, match="both") as caught:
        read("日期,收入,支出\n2024-01-01,1.00,2.00\n", config)
    assert caught.value.line == 2


@pytest.mark.parametrize(
    ("markers", "column"),
    [
        (("收入", "支出"), "收/支"),
        (("贷 Cr", "借 Dr"), "借贷"),
        (("CRDT", "DBIT"), "CdtDbtInd"),
        (("Bij", "Af"), "Af Bij"),
    ],
)
def test_direction_markers(markers: tuple[str, str], column: str) -> None:
    inflow, outflow = markers
    config = CsvConfig(
        name="dir",
        date="Date",
        amount="Amount",
        currency="EUR",
        direction=(
            DirectionRule(column, inflow=(inflow.split()[0],), outflow=(outflow.split()[0],)),
        ),
    )
    text = f"Date,{column},Amount\n2024-01-01,{inflow},5.00\n2024-01-02,{outflow},2.00\n"
    assert numbers(read(text, config)) == [Decimal("5.00"), Decimal("-2.00")]


def test_unknown_direction_marker_is_an_error_not_a_guess() -> None:
    config = PRESETS["bocom-debit"]
    text = (
        "序号,交易日期,交易时间,交易类型,借贷,交易金额,余额,对方账号,对方户名,交易地点,摘要\n"
        "1,2025-01-01,00:00:00,利息,存 X,1.23,1.23,1,x,y,\n"
    )
    with pytest.raises(StatementError, match="no direction rule") as caught:
        read(text, config)
    assert "借贷" in str(caught.value)


def test_skip_rules_list_the_rows_they_skip() -> None:
    config = CsvConfig(
        name="skip",
        date="Date",
        amount="Amount",
        currency="CNY",
        direction=(
            DirectionRule("收/支", inflow=("收入",), outflow=("支出",)),
            DirectionRule("Status", inflow=("退款成功",), skip=("*",)),
        ),
    )
    text = (
        "Date,收/支,Status,Amount\n"
        "2024-01-01,支出,交易关闭,50.00\n"
        "2024-01-01,不计收支,退款成功,50.00\n"
        "2024-01-02,不计收支,交易成功,99.34\n"
    )
    statement = read(text, config)
    assert numbers(statement) == [Decimal("-50.00"), Decimal("50.00")]
    assert [(s.line, s.reason) for s in statement.skipped] == [
        (4, "收/支 is '不计收支'; Status is '交易成功'")
    ]


def test_currency_column_names_and_codes() -> None:
    config = CsvConfig(name="cur", date="Date", amount="Amount", currency_column="币种")
    text = "Date,Amount,币种\n2024-01-01,1.00,人民币\n2024-01-02,2.00,USD\n2024-01-03,CNY 3.00,\n"
    assert [r.currency for r in read(text, config).rows] == ["CNY", "USD", "CNY"]


def test_unknown_currency_is_refused() -> None:
    config = CsvConfig(name="cur", date="Date", amount="Amount", currency_column="币种")
    with pytest.raises(StatementError, match="not a currency"):
        read("Date,Amount,币种\n2024-01-01,1.00,金币\n", config)


def test_yearless_dates_take_the_period_from_the_preamble() -> None:
    statement = read(
        "招商银行信用卡对账单（2024年01月）\n交易日,记账日,交易摘要,人民币金额,卡号末四位\n"  # noqa: RUF001
        ",12/29,还款,-1.23,1234\n01/02,01/03,电影票,56.78,1234\n",
        PRESETS["cmb-credit"],
    )
    assert [r.date for r in statement.rows] == [
        datetime.date(2023, 12, 29),
        datetime.date(2024, 1, 3),
    ]
    assert numbers(statement) == [Decimal("1.23"), Decimal("-56.78")]


def test_period_can_be_given_to_the_importer(tmp_path: Path) -> None:
    path = tmp_path / "cmb.csv"
    path.write_text("交易日,记账日,交易摘要,人民币金额,卡号末四位\n,12/29,x,1.00,1\n", "utf-8")
    importer = StatementImporter(
        PRESETS["cmb-credit"], "Liabilities:CMB", period_end=datetime.date(2025, 1, 31)
    )
    assert importer.read(str(path)).rows[0].date == datetime.date(2024, 12, 29)


def test_yearless_dates_without_a_period_are_refused() -> None:
    with pytest.raises(StatementError, match="no year"):
        read(
            "交易日,记账日,交易摘要,人民币金额,卡号末四位\n,12/29,x,1.00,1\n", PRESETS["cmb-credit"]
        )


def test_semicolon_and_decimal_comma_export() -> None:
    text = (
        '"Datum";"Naam / Omschrijving";"Rekening";"Tegenrekening";"Code";"Af Bij";'
        '"Bedrag (EUR)";"Mutatiesoort";"Mededelingen"\n'
        '"20240105";"Albert Heijn";"NL01";"";"BA";"Af";"1.234,56";"Betaalautomaat";"Pas 1"\n'
        '"20240102";"Werkgever";"NL01";"NL02";"OV";"Bij";"2500,00";"Overschrijving";"Salaris"\n'
    )
    statement = read(text, PRESETS["eu-semicolon"])
    assert numbers(statement) == [Decimal("2500.00"), Decimal("-1234.56")]
    assert statement.rows[0].counterparty == "NL02"


def test_gbk_export_is_read() -> None:
    statement = read("Date,Text,Amount,Balance\n2024-01-01,支付宝,-1.00,1\n", encoding="gbk")
    assert statement.rows[0].narration == "支付宝"


def test_identical_genuine_rows_get_different_ids() -> None:
    text = "Date,Text,Amount,Balance\n2024-01-01,Coffee,-3.50,\n2024-01-01,Coffee,-3.50,\n"
    ids = [row.import_id for row in read(text).rows]
    assert ids[0] != ids[1]
    assert ids[0].startswith("fp:")
    assert ids[0].endswith("#1")
    assert ids[1].endswith("#2")


def test_import_ids_are_stable_across_exports() -> None:
    one = read("Date,Text,Amount,Balance\n2024-01-01,Coffee,-3.50,\n")
    two = read("Date,Text,Amount,Balance\n2024-01-02,Tea,-2.00,\n2024-01-01,Coffee,-3.50,\n")
    assert one.rows[0].import_id == two.rows[0].import_id


def test_serial_is_the_import_id() -> None:
    config = replace(SIGNED, serial="No")
    text = "Date,Text,Amount,Balance,No\n2024-01-01,a,-1.00,,A1\t\n2024-01-02,b,-1.00,,A1\n2024-01-03,c,-1.00,,0000\n"
    ids = [row.import_id for row in read(text.replace("Balance,No", "Balance,No"), config).rows]
    assert ids[:2] == ["A1", "A1#2"]
    assert ids[2].startswith("fp:")


def test_entries_have_the_uncategorized_leg_and_flag(tmp_path: Path) -> None:
    path = tmp_path / "bank.csv"
    path.write_text(
        "Date,Text,Amount,Balance\n2024-01-01,Coffee,-3.50,\n2024-01-02,Pay,9.00,\n", "utf-8"
    )
    entries = StatementImporter(SIGNED, "Assets:Bank").extract(str(path), [])
    txns = [e for e in entries if isinstance(e, data.Transaction)]
    assert txns == entries
    assert [e.flag for e in txns] == ["!", "!"]
    assert [e.postings[1].account for e in txns] == [
        "Expenses:Uncategorized",
        "Income:Uncategorized",
    ]
    assert txns[0].meta["lineno"] == 2
    assert sum(amount_of(p)[0] for p in txns[0].postings) == 0


def test_importer_api(tmp_path: Path) -> None:
    path = tmp_path / "bank.csv"
    path.write_text("Date,Text,Amount,Balance\n2024-01-01,Coffee,-3.50,1\n", "utf-8")
    importer = StatementImporter(SIGNED, "Assets:Bank")
    assert importer.name == "beanfirm.test:Assets:Bank"
    assert importer.identify(str(path))
    assert not importer.identify(str(tmp_path / "missing.csv"))
    assert importer.account(str(path)) == "Assets:Bank"
    assert importer.date(str(path)) == datetime.date(2024, 1, 1)
    importer.deduplicate([], [])  # nothing to mark


# Bad input: each refused with file:line and what to do.


def test_unparseable_amount_names_line_and_column() -> None:
    with pytest.raises(StatementError) as caught:
        read("Date,Text,Amount,Balance\n2024-01-01,x,-1.00,1\n2024-01-02,y,abc,1\n")
    assert str(caught.value).startswith("bank.csv:3: column 'Amount':")


def test_unparseable_date_names_line_and_column() -> None:
    with pytest.raises(StatementError) as caught:
        read("Date,Text,Amount,Balance\n2024-01-32,x,-1.00,1\n")
    assert str(caught.value).startswith("bank.csv:2: column 'Date':")
    assert "date-formats" in str(caught.value)


def test_missing_column_names_the_nearest_header() -> None:
    with pytest.raises(StatementError, match="lacks the column") as caught:
        read("Date,Text,Amount\n2024-01-01,x,-1.00\n")
    assert caught.value.line == 1
    assert "Balance" in str(caught.value)


def test_wrong_file_has_no_header() -> None:
    with pytest.raises(StatementError, match="no header row"):
        read("foo,bar\n1,2\n")


def test_empty_file_is_refused() -> None:
    with pytest.raises(StatementError, match="empty"):
        read("")


def test_header_only_gives_no_entries() -> None:
    statement = read("Date,Text,Amount,Balance\n")
    assert statement.rows == ()
    assert statement.balances == ()


def test_truncated_last_row_is_refused() -> None:
    with pytest.raises(StatementError, match="truncated") as caught:
        read("Date,Text,Amount,Balance\n2024-01-01,x,-1.00,1\n2024-01-02,y")
    assert caught.value.line == 3


def test_truncated_inside_a_quote_is_refused() -> None:
    with pytest.raises(StatementError, match="never closed") as caught:
        read('Date,Text,Amount,Balance\n2024-01-01,x,-1.00,1\n2024-01-02,"y,-2.00,1\n')
    assert caught.value.line == 3


def test_short_row_missing_the_amount_is_refused() -> None:
    with pytest.raises(StatementError, match="ends before this column") as caught:
        read("Date,Text,Amount,Balance\n2024-01-01,x\n2024-01-02,y,-1.00,1\n")
    assert caught.value.line == 2


def test_wrong_encoding_is_refused() -> None:
    config = replace(SIGNED, encoding="utf-8")
    with pytest.raises(StatementError, match="not valid utf-8"):
        read("Date,Text,Amount,Balance\n2024-01-01,支付宝,-1.00,1\n", config, encoding="gbk")


def test_broken_spreadsheet_is_refused() -> None:
    with pytest.raises(StatementError, match="XLSX"):
        read_statement(b"PK\x03\x04broken", SIGNED, "bank.xlsx")
    with pytest.raises(StatementError, match="XLS"):
        read_statement(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1broken", SIGNED, "bank.xls")


def test_truncated_sample_spreadsheet_is_refused() -> None:
    sample = Path(__file__).parent / "samples" / "cn-wechat.xlsx"
    data = sample.read_bytes()
    with pytest.raises(StatementError):
        read_statement(data[: len(data) // 2], PRESETS["wechat"], "wechat.xlsx")
