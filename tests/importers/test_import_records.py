"""No row lost or shifted: an OFX list left open, the record guard, wide rows, escaped quotes."""

from __future__ import annotations

import io
import re
from dataclasses import replace
from decimal import Decimal

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from beanfirm.errors import StatementError
from beanfirm.importers.camt053 import read_camt053
from beanfirm.importers.csvconfig import CsvConfig
from beanfirm.importers.csvread import read_statement
from beanfirm.importers.mt940 import read_mt940
from beanfirm.importers.ofx import read_ofx
from beanfirm.importers.sgml import parse_sgml
from beanfirm.importers.statement import BankStatement

SGML_HEAD = "OFXHEADER:100\nDATA:OFXSGML\nVERSION:102\nCHARSET:1252\n\n"
LEDGER = "<LEDGERBAL><BALAMT>512.34<DTASOF>20240229</LEDGERBAL>\n"


def transaction(number: int, amount: str) -> str:
    return (
        f"<STMTTRN><TRNTYPE>OTHER<DTPOSTED>202402{number + 1:02d}<TRNAMT>{amount}"
        f"<FITID>T{number}<NAME>Payee {number}<MEMO>Memo {number}</STMTTRN>\n"
    )


def bank_ofx(transactions: str, *, close_list: bool = True, ledger_first: bool = False) -> bytes:
    """A checking-account OFX 1.x statement; `close_list=False` leaves BANKTRANLIST open."""
    bank_list = (
        "<BANKTRANLIST><DTSTART>20240201<DTEND>20240229\n"
        + transactions
        + ("</BANKTRANLIST>\n" if close_list else "")
    )
    body = LEDGER + bank_list if ledger_first else bank_list + LEDGER
    text = (
        SGML_HEAD + "<OFX><BANKMSGSRSV1><STMTTRNRS><TRNUID>1<STATUS><CODE>0<SEVERITY>INFO"
        "</STATUS>\n<STMTRS><CURDEF>CNY<BANKACCTFROM><BANKID>308<ACCTID>6214000011112222"
        "<ACCTTYPE>CHECKING</BANKACCTFROM>\n"
        + body
        + "</STMTRS></STMTTRNRS></BANKMSGSRSV1></OFX>\n"
    )
    return text.encode("cp1252")


TWO = transaction(1, "-12.50") + transaction(2, "1580.00")


@pytest.mark.parametrize("ledger_first", [False, True])
def test_an_unclosed_transaction_list_keeps_its_transactions(*, ledger_first: bool) -> None:
    statement = read_ofx(bank_ofx(TWO, close_list=False, ledger_first=ledger_first), "open.ofx")
    assert [row.number for row in statement.rows] == [Decimal("-12.50"), Decimal("1580.00")]
    assert [row.import_id for row in statement.rows] == ["T1", "T2"]
    assert [(b.date.isoformat(), b.number) for b in statement.balances] == [
        ("2024-02-29", Decimal("512.34"))
    ]
    closed = read_ofx(bank_ofx(TWO, ledger_first=ledger_first), "closed.ofx")
    assert statement.rows == closed.rows
    assert [(b.date, b.number) for b in statement.balances] == [
        (b.date, b.number) for b in closed.balances
    ]


def test_a_tag_the_open_list_cannot_hold_ends_it() -> None:
    tree = parse_sgml(
        "<STMTRS><BANKTRANLIST><DTSTART>1<STMTTRN><FITID>1</STMTTRN><LEDGERBAL><BALAMT>1"
        "</LEDGERBAL></STMTRS>",
        "tree.ofx",
    )
    stmt = next(tree.iter("STMTRS"))
    assert [child.tag for child in stmt.children] == ["BANKTRANLIST", "LEDGERBAL"]
    assert [child.tag for child in stmt.children[0].children] == ["DTSTART", "STMTTRN"]


def test_a_transaction_outside_the_list_refuses_the_file() -> None:
    data = bank_ofx(TWO).replace(b"<LEDGERBAL>", transaction(3, "-1.00").encode() + b"<LEDGERBAL>")
    with pytest.raises(StatementError) as caught:
        read_ofx(data, "stray.ofx")
    message = str(caught.value)
    assert message.startswith("stray.ofx: the file holds 3 <STMTTRN> transactions")
    assert "2 row(s) were read and 0 skipped" in message
    assert "1 transaction(s) would be lost" in message


CAMT_HEAD = (
    '<?xml version="1.0"?><Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08">'
    "<BkToCstmrStmt><Stmt><Id>S1</Id><Acct><Id><IBAN>NL91ABNA0417164300</IBAN></Id></Acct>"
    '<Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">100.00</Amt>'
    "<CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2024-03-01</Dt></Dt></Bal>"
    '<Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">{closing}</Amt>'
    "<CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2024-03-31</Dt></Dt></Bal>\n"
)
CAMT_TAIL = "</Stmt></BkToCstmrStmt></Document>\n"


def camt_entry(amount: str, details: str = "", status: str = "BOOK") -> str:
    return (
        f'<Ntry><Amt Ccy="EUR">{amount}</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts><Cd>{status}</Cd>'
        f"</Sts><BookgDt><Dt>2024-03-05</Dt></BookgDt><NtryDtls>{details}</NtryDtls></Ntry>\n"
    )


def payment(amount: str, name: str) -> str:
    return (
        f'<TxDtls><Amt Ccy="EUR">{amount}</Amt><CdtDbtInd>CRDT</CdtDbtInd><RltdPties><Dbtr>'
        f"<Pty><Nm>{name}</Nm></Pty></Dbtr></RltdPties></TxDtls>"
    )


def test_camt_batches_and_pending_entries_pass_the_guard() -> None:
    batch = camt_entry("30.00", payment("10.00", "A") + payment("20.00", "B"))
    text = CAMT_HEAD.format(closing="135.00") + camt_entry("5.00")
    text += batch + camt_entry("7.00", status="PDNG") + CAMT_TAIL
    statement = read_camt053(text.encode(), "camt.xml")
    assert [row.payee for row in statement.rows] == [None, "A", "B"]
    assert len(statement.skipped) == 1


def test_a_camt_entry_the_reader_does_not_see_refuses_the_file() -> None:
    # The balances agree with the one entry read, so only the count finds the other.
    text = CAMT_HEAD.format(closing="105.00") + camt_entry("5.00")
    text += "<AddtlStmtInf>" + camt_entry("9.00") + "</AddtlStmtInf>" + CAMT_TAIL
    with pytest.raises(StatementError, match="holds 2 <Ntry> entries, but 1 row"):
        read_camt053(text.encode(), "camt.xml")


MT940 = (
    ":20:STMT1\n:25:NL91ABNA0417164300\n:28C:1/1\n:60F:C240301EUR100,00\n"
    ":61:2403050305C5,00NTRFNONREF//B1\n:86:first\n:62F:C240305EUR105,00\n-\n"
)


def test_an_mt940_line_outside_a_statement_refuses_the_file() -> None:
    read_mt940(MT940.encode(), "ok.sta")
    stray = ":61:2402280228C9,00NTRFNONREF//B0\n:86:before the statement\n" + MT940
    with pytest.raises(StatementError, match=r"holds 2 :61: statement lines, but 1 row"):
        read_mt940(stray.encode(), "stray.sta")
    indented = MT940.replace(":62F:", " :61:2403060306C9,00NTRFNONREF//B2\n:62F:")
    with pytest.raises(StatementError, match=r"holds 2 :61: statement lines, but 1 row"):
        read_mt940(indented.encode(), "indented.sta")


CONFIG = CsvConfig(
    name="test", date="Date", narration=("Text",), amount="Amount", balance="Balance",
    currency="CNY",
)  # fmt: skip
HEADER = "Date,Text,Amount,Balance\n"


def read_csv(text: str, config: CsvConfig = CONFIG) -> BankStatement:
    return read_statement(text.encode("utf-8"), config, "bank.csv")


def test_data_rows_after_a_note_that_ended_the_table_refuse_the_file() -> None:
    text = HEADER + "2024-01-01,Coffee,-3.50,96.50\n续下页\n2024-01-02,Salary,100.00,196.50\n"
    with pytest.raises(StatementError) as caught:
        read_csv(text)
    message = str(caught.value)
    assert message.startswith("bank.csv:4: this row holds a date and an amount")
    assert "the footer '续下页' at line 3 ended the table" in message


def test_notes_and_totals_at_the_end_are_still_passed_over() -> None:
    text = (
        HEADER
        + "2024-01-01,Coffee,-3.50,96.50\n以下空白\n导出时间,2024-02-01 10:00\n合计,,-3.50,\n"
    )
    assert len(read_csv(text).rows) == 1


@pytest.mark.parametrize(
    "row",
    [
        "2024-01-02,Salary,1,580.00,1676.50",  # read column by column
        "2024-01-02,Salary,1,580.00 ,1676.50",  # padded: left to the row reader
        "2024-01-02,Sal,ary,1580.00,1676.50",
    ],
)
def test_a_row_wider_than_its_header_is_refused(row: str) -> None:
    text = HEADER + "2024-01-01,Coffee,-3.50,96.50\n" + row + "\n"
    with pytest.raises(StatementError) as caught:
        read_csv(text)
    message = str(caught.value)
    assert message.startswith("bank.csv:3: the row has 5 cells but the header (line 1) has 4")
    assert "Quote that cell" in message


def test_a_quoted_thousands_separator_and_trailing_empty_cells_are_read() -> None:
    text = HEADER + '2024-01-01,Coffee,-3.50,96.50,,\n2024-01-02,Salary,"1,580.00",1676.50,\n'
    assert [row.number for row in read_csv(text).rows] == [Decimal("-3.50"), Decimal("1580.00")]


def test_backslash_escaped_quotes_are_read() -> None:
    text = HEADER + '2024-01-01,"QUOTES \\"COMPANY\\" LTD",-3.50,96.50\n'
    statement = read_csv(text)
    assert statement.rows[0].narration == 'QUOTES "COMPANY" LTD'
    assert statement.rows[0].number == Decimal("-3.50")


def test_a_backslash_that_ends_a_cell_stays_a_backslash() -> None:
    text = HEADER + '2024-01-01,"C:\\dir\\",-3.50,96.50\n2024-01-02,"say ""hi""",1,97.50\n'
    statement = read_csv(text)
    assert [row.narration for row in statement.rows] == ["C:\\dir\\", 'say "hi"']


def test_quotes_that_read_neither_way_are_refused() -> None:
    text = HEADER + '2024-01-01,"QUOTES \\"COMPANY\\""x,-3.50,96.50\n'
    with pytest.raises(StatementError, match=r"bank.csv:2: this row does not read as CSV"):
        read_csv(text)


# The guard, by property: damage an export any way; it is read whole or refused, never in part.

AMOUNTS = st.decimals(min_value=-9999, max_value=9999, places=2, allow_nan=False)


@settings(max_examples=150, deadline=None)
@given(
    amounts=st.lists(AMOUNTS, max_size=8),
    close_list=st.booleans(),
    ledger_first=st.booleans(),
    cut=st.lists(st.integers(min_value=0, max_value=10_000), max_size=3),
)
def test_ofx_rows_are_read_whole_or_refused(
    amounts: list[Decimal], *, close_list: bool, ledger_first: bool, cut: list[int]
) -> None:
    transactions = "".join(transaction(n, str(a)) for n, a in enumerate(amounts, start=1))
    data = bank_ofx(transactions, close_list=close_list, ledger_first=ledger_first)
    if not cut:  # an undamaged file, its list closed or not, is read whole
        statement = read_ofx(data, "f.ofx")
        assert [row.number for row in statement.rows] == [a for a in amounts if a]
        assert len(statement.skipped) == amounts.count(Decimal(0))
        return
    tags = [found.start() for found in re.finditer(rb"</?[A-Z]+>", data)]
    for position in sorted({tags[n % len(tags)] for n in cut}, reverse=True):
        data = data[:position] + data[data.index(b">", position) + 1 :]  # drop a tag
    try:
        statement = read_ofx(data, "f.ofx")
    except StatementError:
        return
    assert len(statement.rows) + len(statement.skipped) == data.upper().count(b"<STMTTRN>")


ROW = st.tuples(st.integers(min_value=1, max_value=28), AMOUNTS)


@settings(max_examples=150, deadline=None)
@given(
    rows=st.lists(ROW, min_size=1, max_size=8),
    note_at=st.integers(min_value=0, max_value=9),
    note=st.sampled_from(["续下页", "continued", "合计,,1,", "", "x,,,"]),
    split_at=st.integers(min_value=0, max_value=9),
)
def test_csv_rows_are_read_whole_or_refused(
    rows: list[tuple[int, Decimal]], note_at: int, note: str, split_at: int
) -> None:
    lines = [f"2024-01-{day:02d},t,{amount},0" for day, amount in rows]
    split = None
    if split_at < len(lines):  # an amount written with an unquoted thousands separator
        split = lines[split_at] = f"2024-01-01,t,1,{abs(rows[split_at][1]):.2f},0"
    lines.insert(min(note_at, len(lines)), note)
    text = HEADER + "\n".join(lines) + "\n"
    # What follows a total is the export's summary; any other note ends nothing silently.
    kept = min(note_at, len(lines)) if note.startswith("合计") else len(lines)
    data_rows = [line for line in lines[:kept] if line.startswith("2024")]
    try:
        statement = read_csv(text, replace(CONFIG, running_balance=False))
    except StatementError:
        return
    assert split not in data_rows  # a split cell is never read
    assert len(statement.rows) + len(statement.skipped) == len(data_rows)


# --- a workbook's sheets ----------------------------------------------------------------------


def workbook(*sheets: tuple[str, list[list[object]]]) -> bytes:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets:
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


SHEET_HEADER: list[object] = ["Date", "Text", "Amount", "Balance"]
TABLE = [SHEET_HEADER, ["2024-01-01", "Salary", 1234, 1234], ["2024-01-02", "Coffee", -35, 1199]]


def test_the_table_is_read_from_the_sheet_that_holds_it() -> None:
    data = workbook(
        ("Notes", [["Exported for the client"], ["2024-01-01 to 2024-01-31"]]), ("Bill", TABLE)
    )
    statement = read_statement(data, CONFIG, "bank.xlsx")
    assert [row.number for row in statement.rows] == [Decimal(1234), Decimal(-35)]
    assert statement.filename == "bank.xlsx"


def test_a_sheet_copying_the_table_is_read_once() -> None:
    copy: list[list[object]] = [
        ["Formatted"],
        *[[*row[:2], f"{row[2]}.00", row[3]] if i else row for i, row in enumerate(TABLE)],
    ]
    statement = read_statement(workbook(("Bill", TABLE), ("Sheet1", copy)), CONFIG, "bank.xlsx")
    assert len(statement.rows) == 2


def test_sheets_with_different_transactions_refuse_the_workbook() -> None:
    # A second month on a second sheet was ignored without a word when only the first was read.
    october = [SHEET_HEADER, ["2024-02-01", "Rent", -1000, 199]]
    with pytest.raises(StatementError) as raised:
        read_statement(workbook(("2024-01", TABLE), ("2024-02", october)), CONFIG, "bank.xlsx")
    message = str(raised.value)
    assert "'2024-01' (2 rows) and '2024-02' (1 rows)" in message
    assert "Nothing was imported" in message


def test_a_bad_cell_on_a_second_sheet_names_the_sheet() -> None:
    broken = [SHEET_HEADER, ["2024-01-01", "Salary", "12x4", 1234]]
    with pytest.raises(StatementError, match=r"bank\.xlsx \(sheet 'Copy'\):2: column 'Amount'"):
        read_statement(workbook(("Bill", TABLE), ("Copy", broken)), CONFIG, "bank.xlsx")
