"""OFX/QFX: the beangulp sample (1.02 SGML) against its golden, a 2.x XML fixture, bad input."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from pathlib import Path

import pytest
from beancount.parser import parser

from beanfirm.core.ledgertext import entries_text
from beanfirm.errors import StatementError
from beanfirm.importers.entries import statement_entries
from beanfirm.importers.ofx import OfxImporter, read_ofx
from beanfirm.importers.sgml import parse_sgml

SAMPLES = Path(__file__).parent / "samples"
SAMPLE = "us-ofxdownload.ofx"
ACCOUNT = "Liabilities:CreditCard:Amex"

# Written for beanfirm: an OFX 2.2 (XML) checking-account statement.
OFX2 = """\
<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<?OFX OFXHEADER="200" VERSION="220" SECURITY="NONE" OLDFILEUID="NONE" NEWFILEUID="NONE"?>
<OFX>
  <SIGNONMSGSRSV1>
    <SONRS>
      <STATUS><CODE>0</CODE><SEVERITY>INFO</SEVERITY></STATUS>
      <DTSERVER>20240201120000.000[-5:EST]</DTSERVER>
      <LANGUAGE>ENG</LANGUAGE>
    </SONRS>
  </SIGNONMSGSRSV1>
  <BANKMSGSRSV1>
    <STMTTRNRS>
      <TRNUID>1001</TRNUID>
      <STATUS><CODE>0</CODE><SEVERITY>INFO</SEVERITY></STATUS>
      <STMTRS>
        <CURDEF>USD</CURDEF>
        <BANKACCTFROM>
          <BANKID>121000248</BANKID>
          <ACCTID>000123456789</ACCTID>
          <ACCTTYPE>CHECKING</ACCTTYPE>
        </BANKACCTFROM>
        <BANKTRANLIST>
          <DTSTART>20240101000000.000[-5:EST]</DTSTART>
          <DTEND>20240131235959.000[-5:EST]</DTEND>
          <STMTTRN>
            <TRNTYPE>DIRECTDEP</TRNTYPE>
            <DTPOSTED>20240105120000.000[-5:EST]</DTPOSTED>
            <TRNAMT>2500.00</TRNAMT>
            <FITID>202401050001</FITID>
            <NAME>ACME PAYROLL</NAME>
            <MEMO>Salary January</MEMO>
          </STMTTRN>
          <STMTTRN>
            <TRNTYPE>CHECK</TRNTYPE>
            <DTPOSTED>20240110</DTPOSTED>
            <TRNAMT>-1200.00</TRNAMT>
            <FITID>202401100002</FITID>
            <CHECKNUM>1043</CHECKNUM>
            <NAME>Smith &amp; Sons Property</NAME>
          </STMTTRN>
          <STMTTRN>
            <TRNTYPE>POS</TRNTYPE>
            <DTPOSTED>20240120</DTPOSTED>
            <TRNAMT>-45.37</TRNAMT>
            <FITID>202401200003</FITID>
            <PAYEE><NAME>CORNER GROCERY</NAME><ADDR1>1 Main St</ADDR1><CITY>Springfield</CITY>
              <STATE>IL</STATE><POSTALCODE>62701</POSTALCODE></PAYEE>
            <MEMO>Card 1234</MEMO>
          </STMTTRN>
        </BANKTRANLIST>
        <LEDGERBAL><BALAMT>3254.63</BALAMT><DTASOF>20240131235959.000[-5:EST]</DTASOF></LEDGERBAL>
        <AVAILBAL><BALAMT>3000.00</BALAMT><DTASOF>20240131235959.000[-5:EST]</DTASOF></AVAILBAL>
      </STMTRS>
    </STMTTRNRS>
  </BANKMSGSRSV1>
</OFX>
"""

SGML_HEAD = "OFXHEADER:100\nDATA:OFXSGML\nVERSION:102\nCHARSET:1252\n\n"


def sgml(
    transactions: str, *, ledger: str = "<LEDGERBAL><BALAMT>-10<DTASOF>20240131</LEDGERBAL>"
) -> bytes:
    return sgml_text(transactions, ledger=ledger).encode("cp1252")


def sgml_text(
    transactions: str,
    *,
    ledger: str = "<LEDGERBAL><BALAMT>-10<DTASOF>20240131</LEDGERBAL>",
    head: str = SGML_HEAD,
) -> str:
    return (
        head
        + "<OFX>\n<CREDITCARDMSGSRSV1><CCSTMTTRNRS><STATUS><CODE>0<SEVERITY>INFO</STATUS>\n"
        + "<CCSTMTRS><CURDEF>EUR<CCACCTFROM><ACCTID>4111********1111</CCACCTFROM>\n"
        + f"<BANKTRANLIST>\n{transactions}\n</BANKTRANLIST>\n{ledger}\n"
        + "</CCSTMTRS></CCSTMTTRNRS></CREDITCARDMSGSRSV1>\n</OFX>\n"
    )


def golden_text() -> str:
    importer = OfxImporter(ACCOUNT)
    statement = importer.read(str(SAMPLES / SAMPLE))
    head = [
        f";; {SAMPLE}: importer ofx, account {ACCOUNT}",
        f";; account number: {statement.account_number}",
        "",
    ]
    return "\n".join(head) + "\n" + entries_text(statement_entries(statement, ACCOUNT))


def test_sample_imports_exactly(request: pytest.FixtureRequest) -> None:
    golden = SAMPLES / f"{SAMPLE}.beancount"
    text = golden_text()
    if request.config.getoption("--regen-goldens"):
        golden.write_text(text, encoding="utf-8")
    assert golden.read_text(encoding="utf-8") == text
    _, errors, _ = parser.parse_string(text)
    assert errors == []


def test_sample_is_an_unchanged_copy() -> None:
    shared = Path(__file__).parents[3] / "shared" / "samples" / "bank-exports" / SAMPLE
    if not shared.is_file():
        pytest.skip("the shared samples folder is not next to the repository")
    assert (SAMPLES / SAMPLE).read_bytes() == shared.read_bytes()


def test_sample_figures() -> None:
    statement = OfxImporter(ACCOUNT).read(str(SAMPLES / SAMPLE))
    assert len(statement.rows) == 12
    assert sum(row.number for row in statement.rows) == Decimal("-352.82")
    assert statement.rows[0].import_id == "320133350353869664"
    assert statement.account_number == "379700001111222"
    (closing,) = statement.balances
    assert (closing.date, closing.number, closing.currency) == (
        datetime.date(2013, 12, 18),
        Decimal("-2356.38"),
        "USD",
    )
    assert statement.openings == ()


def test_ofx2_xml(tmp_path: Path) -> None:
    path = tmp_path / "checking.qfx"
    path.write_text(OFX2, encoding="utf-8")
    importer = OfxImporter("Assets:Bank:Checking")
    assert importer.identify(str(path))
    assert importer.account_number(str(path)) == "000123456789"
    text = entries_text(importer.extract(str(path), []))
    assert text == (
        '2024-01-05 ! "ACME PAYROLL" "Salary January"\n'
        '  import-id: "202401050001"\n'
        '  type: "DIRECTDEP"\n'
        "  Assets:Bank:Checking                                           2500.00 USD\n"
        "  Income:Uncategorized                                          -2500.00 USD\n"
        "\n"
        '2024-01-10 ! "Smith & Sons Property" ""\n'
        '  import-id: "202401100002"\n'
        '  type: "CHECK"\n'
        '  check: "1043"\n'
        "  Assets:Bank:Checking                                          -1200.00 USD\n"
        "  Expenses:Uncategorized                                         1200.00 USD\n"
        "\n"
        '2024-01-20 ! "CORNER GROCERY" "Card 1234"\n'
        '  import-id: "202401200003"\n'
        '  type: "POS"\n'
        "  Assets:Bank:Checking                                            -45.37 USD\n"
        "  Expenses:Uncategorized                                           45.37 USD\n"
        "\n"
        "2024-02-01 balance Assets:Bank:Checking                          3254.63 USD\n"
    )
    assert importer.date(str(path)) == datetime.date(2024, 1, 31)


def test_sgml_and_xml_forms_of_one_statement_agree() -> None:
    transaction = (
        "<STMTTRN><TRNTYPE>DEBIT<DTPOSTED>20240115<TRNAMT>-10,00<FITID>A1<NAME>Café Noir</STMTTRN>"
    )
    from_sgml = read_ofx(sgml(transaction), "card.ofx")
    xml = (
        '<?xml version="1.0"?><OFX><CREDITCARDMSGSRSV1><CCSTMTTRNRS><CCSTMTRS><CURDEF>EUR</CURDEF>'
        "<CCACCTFROM><ACCTID>4111********1111</ACCTID></CCACCTFROM><BANKTRANLIST><STMTTRN>"
        "<TRNTYPE>DEBIT</TRNTYPE><DTPOSTED>20240115</DTPOSTED><TRNAMT>-10.00</TRNAMT>"
        "<FITID>A1</FITID><NAME>Café Noir</NAME></STMTTRN></BANKTRANLIST><LEDGERBAL>"
        "<BALAMT>-10</BALAMT><DTASOF>20240131</DTASOF></LEDGERBAL></CCSTMTRS></CCSTMTTRNRS>"
        "</CREDITCARDMSGSRSV1></OFX>"
    )
    from_xml = read_ofx(xml.encode("utf-8"), "card.ofx")
    assert [(r.date, r.number, r.payee, r.import_id) for r in from_sgml.rows] == [
        (r.date, r.number, r.payee, r.import_id) for r in from_xml.rows
    ]
    assert from_sgml.rows[0].payee == "Café Noir"  # decoded as Windows-1252
    assert [(b.date, b.number) for b in from_sgml.balances] == [
        (b.date, b.number) for b in from_xml.balances
    ]


def named(payee: str, *, head: str, encoding: str) -> bytes:
    """Return a one-transaction OFX 1.x file with this payee, its header and bytes as given."""
    row = f"<STMTTRN><TRNTYPE>DEBIT<DTPOSTED>20240115<TRNAMT>-10<FITID>A1<NAME>{payee}</STMTTRN>"
    return sgml_text(row, head=head).encode(encoding)


GBK_HEAD = "OFXHEADER:100\nDATA:OFXSGML\nVERSION:102\nENCODING:USASCII\nCHARSET:936\n\n"


@pytest.mark.parametrize(
    ("head", "encoding", "payee"),
    [
        (GBK_HEAD, "gbk", "招商银行 消费"),  # code page 936: GBK, as Chinese banks write
        (GBK_HEAD.replace("936", "GB2312"), "gbk", "招商银行 消费"),
        (GBK_HEAD.replace("936", "950"), "cp950", "臺灣銀行"),  # Big5
        (GBK_HEAD.replace("USASCII", "UTF-8").replace("936", "NONE"), "utf-8", "招商银行"),
        (SGML_HEAD, "cp1252", "Café Müller, créé, Füße"),  # accents one or two at a time
        (GBK_HEAD.replace("936", "1252"), "utf-8", "Café Zürich"),  # UTF-8 is tried first
        (GBK_HEAD.replace("936", "ISO-8859-1"), "latin-1", "Ærø Købmand"),
        (GBK_HEAD.replace("936", "437"), "cp437", "Gasthaus Ö"),
    ],
)
def test_the_header_charset_decodes_the_names(head: str, encoding: str, payee: str) -> None:
    statement = read_ofx(named(payee, head=head, encoding=encoding), "card.ofx")
    assert [row.payee for row in statement.rows] == [payee]


def test_gbk_under_a_western_charset_is_refused_not_garbled() -> None:
    data = named("招商银行 消费", head=SGML_HEAD, encoding="gbk")  # the header says 1252
    with pytest.raises(StatementError) as caught:
        read_ofx(data, "card.ofx")
    message = str(caught.value)
    assert message.startswith("card.ofx:10: the file is read in cp1252 (as the header's ")
    assert "CHARSET:1252 at line 4 says" in message
    assert "'ÕÐÉÌÒøÐÐ'" in message
    assert "read as GBK (Chinese) they are '招商银行'" in message
    assert "correct line 4 to name it (CHARSET:936 for Chinese, GBK)" in message


def test_gbk_without_a_charset_is_refused_not_garbled() -> None:
    head = SGML_HEAD.replace("CHARSET:1252\n", "")
    with pytest.raises(StatementError, match="add a header line CHARSET:936") as caught:
        read_ofx(named("中国银行", head=head, encoding="gbk"), "card.ofx")
    assert caught.value.line == 9


@pytest.mark.parametrize(
    ("head", "encoding", "payee", "line", "message"),
    [
        (GBK_HEAD.replace("936", "X-KLINGON"), "ascii", "Bus", 5, "CHARSET:X-KLINGON, an encoding"),
        (GBK_HEAD.replace("936", "BASE64"), "ascii", "Bus", 5, "CHARSET:BASE64, an encoding"),
        (GBK_HEAD.replace("936", "1200"), "ascii", "Bus", 5, "CHARSET:1200, an encoding"),
        # bytes the declared code page does not define: 0x81 is nothing in Windows-1252
        (SGML_HEAD, "latin-1", "Bus\x81", 10, r"byte 0x81 at offset \d+ is not valid cp1252"),
        # Windows-1252 text in a file that says GBK
        (GBK_HEAD, "cp1252", "Café Noir", 11, r"byte 0xe9 at offset \d+ is not valid gb18030"),
        (
            GBK_HEAD.replace("USASCII", "UTF-8"),
            "cp1252",
            "Café Noir",
            11,
            r"not valid utf-8 \(as the header's ENCODING:UTF-8 at line 4 says\)",
        ),
    ],
)
def test_a_charset_that_does_not_decode_the_file_is_refused(
    head: str, encoding: str, payee: str, line: int, message: str
) -> None:
    with pytest.raises(StatementError) as caught:
        read_ofx(named(payee, head=head, encoding=encoding), "card.ofx")
    assert caught.value.line == line
    assert re.search(message, str(caught.value))


def test_an_empty_leaf_does_not_swallow_its_siblings() -> None:
    tree = parse_sgml("<STMTTRN><MEMO><FITID>7<NAME>A &amp; B &lt;x&gt; AT&T</STMTTRN>", "f.ofx")
    (trn,) = tree.children
    assert [child.tag for child in trn.children] == ["MEMO", "FITID", "NAME"]
    assert trn.text_at("NAME") == "A & B <x> AT&T"


def test_repeated_fitid_gets_an_occurrence_number() -> None:
    same = "<STMTTRN><TRNTYPE>DEBIT<DTPOSTED>20240115<TRNAMT>-5<FITID>X9<NAME>Bus</STMTTRN>"
    statement = read_ofx(
        sgml(same + same, ledger="<LEDGERBAL><BALAMT>-10<DTASOF>20240131</LEDGERBAL>"), "f.ofx"
    )
    assert [row.import_id for row in statement.rows] == ["X9", "X9#2"]


def test_missing_fitid_falls_back_to_a_fingerprint() -> None:
    row = "<STMTTRN><TRNTYPE>DEBIT<DTPOSTED>20240115<TRNAMT>-5<NAME>Bus</STMTTRN>"
    statement = read_ofx(sgml(row), "f.ofx")
    assert statement.rows[0].import_id.startswith("fp:")


def test_zero_amount_rows_are_skipped_with_a_reason() -> None:
    row = "<STMTTRN><TRNTYPE>OTHER<DTPOSTED>20240115<TRNAMT>0.00<FITID>Z</STMTTRN>"
    statement = read_ofx(sgml(row), "f.ofx")
    assert statement.rows == ()
    assert "amount is 0" in statement.skipped[0].reason


@pytest.mark.parametrize(
    ("transaction", "line", "message"),
    [
        ("<STMTTRN><DTPOSTED>20240115<FITID>1</STMTTRN>", 10, "has no <TRNAMT>"),
        ("<STMTTRN><TRNAMT>-1<FITID>1</STMTTRN>", 10, "has no <DTPOSTED>"),
        ("<STMTTRN><DTPOSTED>2024-01-15<TRNAMT>-1</STMTTRN>", 10, "not an OFX date"),
        ("<STMTTRN><DTPOSTED>20240231<TRNAMT>-1</STMTTRN>", 10, "not an OFX date"),
        ("<STMTTRN><DTPOSTED>20240115<TRNAMT>1,234.50</STMTTRN>", 10, "not an amount"),
        ("\n\n<STMTTRN><DTPOSTED>20240115<TRNAMT>abc</STMTTRN>", 12, "not an amount"),
        (
            "</BANKTRANLIST></BANKTRANLIST>",
            10,
            "</BANKTRANLIST> closes an element that is not open",
        ),
    ],
)
def test_bad_transactions_are_refused_at_their_line(
    transaction: str, line: int, message: str
) -> None:
    with pytest.raises(StatementError) as caught:
        read_ofx(sgml(transaction), "card.ofx")
    assert caught.value.line == line
    assert message in str(caught.value)
    assert str(caught.value).startswith(f"card.ofx:{line}: ")


def test_missing_ledger_balance_is_refused() -> None:
    with pytest.raises(StatementError, match="no <LEDGERBAL>"):
        read_ofx(sgml("", ledger=""), "card.ofx")


def test_missing_currency_is_refused() -> None:
    data = sgml("").replace(b"<CURDEF>EUR", b"")
    with pytest.raises(StatementError, match="no <CURDEF>"):
        read_ofx(data, "card.ofx")


def test_truncated_file_is_refused() -> None:
    data = sgml("<STMTTRN><DTPOSTED>20240115<TRNAMT>-1<FITID>1</STMTTRN>")
    cut = data[: data.index(b"</BANKTRANLIST>")]
    with pytest.raises(StatementError, match="never closed: the file is truncated"):
        read_ofx(cut, "card.ofx")


def test_truncated_xml_is_refused_with_its_line() -> None:
    with pytest.raises(StatementError) as caught:
        read_ofx(OFX2[: OFX2.index("</BANKTRANLIST>")].encode("utf-8"), "checking.qfx")
    assert caught.value.line is not None
    assert "not well-formed XML" in str(caught.value)


def test_bank_error_status_is_reported() -> None:
    data = sgml("").replace(
        b"<STATUS><CODE>0<SEVERITY>INFO</STATUS>",
        b"<STATUS><CODE>2000<SEVERITY>ERROR<MESSAGE>General error</STATUS>",
    )
    with pytest.raises(StatementError, match=r"error 2000 \(General error\)"):
        read_ofx(data, "card.ofx")


def test_an_investment_statement_is_refused() -> None:
    data = (
        SGML_HEAD + "<OFX><INVSTMTMSGSRSV1><INVSTMTTRNRS><INVSTMTRS><CURDEF>USD"
        "</INVSTMTRS></INVSTMTTRNRS></INVSTMTMSGSRSV1></OFX>"
    ).encode("ascii")
    with pytest.raises(StatementError, match="no bank or credit-card statement"):
        read_ofx(data, "inv.ofx")


def test_foreign_currency_rows_are_refused_not_guessed() -> None:
    row = (
        "<STMTTRN><DTPOSTED>20240115<TRNAMT>-5<FITID>1<CURRENCY><CURRATE>1.1<CURSYM>USD"
        "</CURRENCY></STMTTRN>"
    )
    with pytest.raises(StatementError, match="in USD, not the statement's EUR"):
        read_ofx(sgml(row), "card.ofx")


def test_statements_of_two_accounts_in_one_file_are_refused() -> None:
    one = OFX2.split("<BANKMSGSRSV1>")[1].split("</BANKMSGSRSV1>", maxsplit=1)[0]
    two = one.replace("000123456789", "000999999999")
    text = OFX2.replace(one, one + two)
    with pytest.raises(StatementError, match="statements of 2 accounts: 000123456789"):
        read_ofx(text.encode("utf-8"), "two.ofx")


@pytest.mark.parametrize(
    "content",
    [b"", b"   \n", b"Date,Amount\n2024-01-01,1\n", b"<html><body>Login</body></html>"],
)
def test_not_ofx(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "x.ofx"
    path.write_bytes(content)
    importer = OfxImporter(ACCOUNT)
    with pytest.raises(StatementError):
        importer.read(str(path))


def test_identify(tmp_path: Path) -> None:
    importer = OfxImporter(ACCOUNT)
    assert importer.identify(str(SAMPLES / SAMPLE))
    assert not importer.identify(str(SAMPLES / "us-csvbank.csv"))
    assert not importer.identify(str(tmp_path / "missing.ofx"))
    assert importer.name == f"beanfirm.ofx:{ACCOUNT}"
    assert importer.account(str(SAMPLES / SAMPLE)) == ACCOUNT


def test_doctype_is_refused() -> None:
    data = b'<?xml version="1.0"?><!DOCTYPE OFX [<!ENTITY a "aaaa">]><OFX>&a;</OFX>'
    with pytest.raises(StatementError, match="document type"):
        read_ofx(data, "evil.ofx")


# Written for beanfirm: an XML declaration and OFX 2.x header over SGML-style open leaves.
XML_HEAD_OPEN_LEAVES = """\
<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<?OFX OFXHEADER="200" VERSION="211" SECURITY="NONE" OLDFILEUID="NONE" NEWFILEUID="NONE"?>
<OFX>
<SIGNONMSGSRSV1><SONRS><STATUS><CODE>0<SEVERITY>INFO</STATUS>
<DTSERVER>20240201</SONRS></SIGNONMSGSRSV1>
<BANKMSGSRSV1><STMTTRNRS><TRNUID>1<STATUS><CODE>0<SEVERITY>INFO</STATUS>
<STMTRS><CURDEF>EUR
<BANKACCTFROM><BANKID>1<ACCTID>DE0012<ACCTTYPE>CHECKING</BANKACCTFROM>
<BANKTRANLIST><DTSTART>20240101<DTEND>20240131
<STMTTRN><TRNTYPE>DEBIT<DTPOSTED>20240115<TRNAMT>-12.50<FITID>A1<NAME>Café Müller
</STMTTRN>
<STMTTRN><TRNTYPE>CREDIT<DTPOSTED>20240120<TRNAMT>100.00<FITID>A2<NAME>Client &amp; Co
</STMTTRN>
</BANKTRANLIST>
<LEDGERBAL><BALAMT>87.50<DTASOF>20240131</LEDGERBAL>
</STMTRS></STMTTRNRS></BANKMSGSRSV1>
</OFX>
"""


def test_xml_head_over_open_leaves_is_read_as_sgml() -> None:
    statement = read_ofx(XML_HEAD_OPEN_LEAVES.encode("utf-8"), "bank.ofx")
    rows = [(r.date, r.number, r.payee, r.import_id) for r in statement.rows]
    assert rows == [
        (datetime.date(2024, 1, 15), Decimal("-12.50"), "Café Müller", "A1"),
        (datetime.date(2024, 1, 20), Decimal("100.00"), "Client & Co", "A2"),
    ]
    assert [(b.date, b.number) for b in statement.balances] == [
        (datetime.date(2024, 1, 31), Decimal("87.50"))
    ]


def test_xml_head_over_open_leaves_in_a_declared_code_page() -> None:
    text = XML_HEAD_OPEN_LEAVES.replace('encoding="UTF-8"', 'encoding="windows-1252"')
    statement = read_ofx(text.encode("cp1252"), "bank.ofx")
    assert [r.payee for r in statement.rows] == ["Café Müller", "Client & Co"]


def test_truncated_xml_head_over_open_leaves_is_refused() -> None:
    cut = XML_HEAD_OPEN_LEAVES[: XML_HEAD_OPEN_LEAVES.index("</BANKTRANLIST>")]
    with pytest.raises(StatementError, match="never closed: the file is truncated"):
        read_ofx(cut.encode("utf-8"), "bank.ofx")
