"""Fuzzing the OFX, CAMT.053 and MT940 readers: a BankStatement or a StatementError, no other."""

from __future__ import annotations

from collections.abc import Callable

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from beanfirm.errors import StatementError
from beanfirm.importers.camt053 import read_camt053
from beanfirm.importers.entries import statement_entries
from beanfirm.importers.mt940 import read_mt940
from beanfirm.importers.ofx import read_ofx
from beanfirm.importers.statement import BankStatement

Reader = Callable[[bytes, str], BankStatement]
READERS: tuple[Reader, ...] = (read_ofx, read_camt053, read_mt940)

OFX = (
    "OFXHEADER:100\nDATA:OFXSGML\nVERSION:102\n\n<OFX><BANKMSGSRSV1><STMTTRNRS><STMTRS>"
    "<CURDEF>USD<BANKACCTFROM><ACCTID>123</BANKACCTFROM><BANKTRANLIST>"
    "<STMTTRN><TRNTYPE>DEBIT<DTPOSTED>20240105<TRNAMT>-9.99<FITID>1<NAME>A<MEMO>B</STMTTRN>"
    "<STMTTRN><TRNTYPE>CREDIT<DTPOSTED>20240106<TRNAMT>20<FITID>2<NAME>C</STMTTRN>"
    "</BANKTRANLIST><LEDGERBAL><BALAMT>10.01<DTASOF>20240131</LEDGERBAL></STMTRS>"
    "</STMTTRNRS></BANKMSGSRSV1></OFX>\n"
)
CAMT = (
    '<?xml version="1.0"?><Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08">'
    "<BkToCstmrStmt><Stmt><Acct><Id><IBAN>DE89370400440532013000</IBAN></Id></Acct>"
    '<Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">10.00</Amt>'
    "<CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2024-01-01</Dt></Dt></Bal>"
    '<Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">7.50</Amt>'
    "<CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2024-01-31</Dt></Dt></Bal>"
    '<Ntry><Amt Ccy="EUR">2.50</Amt><CdtDbtInd>DBIT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>'
    "<BookgDt><Dt>2024-01-05</Dt></BookgDt><AcctSvcrRef>R1</AcctSvcrRef><NtryDtls><TxDtls>"
    "<RltdPties><Cdtr><Pty><Nm>X</Nm></Pty></Cdtr></RltdPties><RmtInf><Ustrd>Y</Ustrd>"
    "</RmtInf></TxDtls></NtryDtls></Ntry></Stmt></BkToCstmrStmt></Document>\n"
)
MT940 = (
    ":20:REF\n:25:DE89370400440532013000\n:28C:1/1\n:60F:C240101EUR10,00\n"
    ":61:2401020102D2,50NTRFNONREF//B1\n:86:166?00GUT?20SVWZ+Text?32Name\n"
    ":61:240103C1,NMSCREF\n:86:plain\n text\n:62F:C240103EUR8,50\n-\n"
)
FIXTURES = (OFX, CAMT, MT940)
TOKENS = st.sampled_from(
    [
        "<STMTTRN>",
        "</STMTTRN>",
        "<TRNAMT>",
        "-1.5",
        "<DTPOSTED>",
        "20240230",
        "<FITID>",
        "</OFX>",
        "<Ntry>",
        "</Ntry>",
        '<Amt Ccy="EUR">',
        "</Amt>",
        "CRDT",
        "DBIT",
        "<Bal>",
        "</Bal>",
        ":20:",
        ":25:",
        ":60F:",
        ":61:",
        ":62F:",
        ":86:",
        "C240101EUR1,",
        "\n",
        "-\n",
        "?20",
        "<!DOCTYPE x>",
        "&amp;",
        "&",
        "\x00",
        "é",
        "\ufeff",
    ]
) | st.text(max_size=6)


def outcome(data: bytes) -> None:
    for reader in READERS:
        try:
            statement = reader(data, "fuzz.dat")
        except StatementError as exc:
            message = str(exc)
            if not message.startswith("fuzz.dat") or len(message) < 20:
                raise AssertionError(message) from exc
        else:
            assert all(row.import_id for row in statement.rows)
            statement_entries(statement, "Assets:Bank")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=400))
def test_arbitrary_bytes(data: bytes) -> None:
    outcome(data)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=400))
def test_arbitrary_text(text: str) -> None:
    outcome(text.encode("utf-8"))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(FIXTURES),
    st.lists(st.tuples(st.integers(0, 2000), st.integers(0, 8), TOKENS), max_size=6),
)
def test_damaged_statements(fixture: str, edits: list[tuple[int, int, str]]) -> None:
    text = fixture
    for at, cut, token in edits:
        place = at % (len(text) + 1)
        text = text[:place] + token + text[place + cut :]
    outcome(text.encode("utf-8"))


def test_the_fixtures_read_cleanly() -> None:
    for fixture, reader in zip(FIXTURES, READERS, strict=True):
        assert reader(fixture.encode(), "ok.dat").rows


def test_deep_nesting_does_not_exhaust_the_stack() -> None:
    deep = "<A>" * 20000 + "</A>" * 20000
    outcome(("OFXHEADER:100\n\n<OFX>" + deep + "</OFX>").encode())
    outcome(('<?xml version="1.0"?><Document>' + deep + "</Document>").encode())
