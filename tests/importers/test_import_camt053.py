"""ISO 20022 CAMT.053: fixtures written for beanfirm in versions 001.02 and 001.08, bad input."""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path

import pytest

from beanfirm.core.ledgertext import entries_text
from beanfirm.errors import StatementError
from beanfirm.importers.camt053 import Camt053Importer, read_camt053
from beanfirm.importers.entries import statement_entries
from beanfirm.importers.statement import BankStatement

# Written for beanfirm: a monthly statement of a German current account, camt.053.001.02.
V02 = """\
<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"
          xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <BkToCstmrStmt>
    <GrpHdr>
      <MsgId>STMT-20240131-0001</MsgId>
      <CreDtTm>2024-02-01T06:00:00</CreDtTm>
    </GrpHdr>
    <Stmt>
      <Id>2024-01-STMT</Id>
      <ElctrncSeqNb>1</ElctrncSeqNb>
      <CreDtTm>2024-02-01T06:00:00</CreDtTm>
      <FrToDt><FrDtTm>2024-01-01T00:00:00</FrDtTm><ToDtTm>2024-01-31T23:59:59</ToDtTm></FrToDt>
      <Acct>
        <Id><IBAN>DE89370400440532013000</IBAN></Id>
        <Ccy>EUR</Ccy>
        <Svcr><FinInstnId><BIC>COBADEFFXXX</BIC></FinInstnId></Svcr>
      </Acct>
      <Bal>
        <Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp>
        <Amt Ccy="EUR">1500.00</Amt>
        <CdtDbtInd>CRDT</CdtDbtInd>
        <Dt><Dt>2023-12-31</Dt></Dt>
      </Bal>
      <Bal>
        <Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp>
        <Amt Ccy="EUR">2645.25</Amt>
        <CdtDbtInd>CRDT</CdtDbtInd>
        <Dt><Dt>2024-01-31</Dt></Dt>
      </Bal>
      <Bal>
        <Tp><CdOrPrtry><Cd>CLAV</Cd></CdOrPrtry></Tp>
        <Amt Ccy="EUR">2546.25</Amt>
        <CdtDbtInd>CRDT</CdtDbtInd>
        <Dt><Dt>2024-01-31</Dt></Dt>
      </Bal>
      <Ntry>
        <NtryRef>1</NtryRef>
        <Amt Ccy="EUR">2500.00</Amt>
        <CdtDbtInd>CRDT</CdtDbtInd>
        <Sts>BOOK</Sts>
        <BookgDt><Dt>2024-01-05</Dt></BookgDt>
        <ValDt><Dt>2024-01-05</Dt></ValDt>
        <AcctSvcrRef>2024010512345</AcctSvcrRef>
        <BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>ESCT</SubFmlyCd></Fmly></Domn></BkTxCd>
        <NtryDtls>
          <TxDtls>
            <Refs><EndToEndId>INV-2024-001</EndToEndId></Refs>
            <RltdPties>
              <Dbtr><Nm>Muster Handel GmbH</Nm></Dbtr>
              <DbtrAcct><Id><IBAN>DE02120300000000202051</IBAN></Id></DbtrAcct>
            </RltdPties>
            <RmtInf><Ustrd>Invoice INV-2024-001</Ustrd></RmtInf>
          </TxDtls>
        </NtryDtls>
      </Ntry>
      <Ntry>
        <NtryRef>2</NtryRef>
        <Amt Ccy="EUR">1354.75</Amt>
        <CdtDbtInd>DBIT</CdtDbtInd>
        <Sts>BOOK</Sts>
        <BookgDt><Dt>2024-01-15</Dt></BookgDt>
        <ValDt><Dt>2024-01-16</Dt></ValDt>
        <NtryDtls>
          <TxDtls>
            <Refs><EndToEndId>NOTPROVIDED</EndToEndId></Refs>
            <RltdPties>
              <Cdtr><Nm>Office Rent AG</Nm></Cdtr>
              <CdtrAcct><Id><IBAN>DE75512108001245126199</IBAN></Id></CdtrAcct>
            </RltdPties>
            <RmtInf><Ustrd>Rent January</Ustrd><Ustrd>Unit 4B</Ustrd></RmtInf>
          </TxDtls>
        </NtryDtls>
      </Ntry>
      <Ntry>
        <Amt Ccy="EUR">99.00</Amt>
        <CdtDbtInd>DBIT</CdtDbtInd>
        <Sts>PDNG</Sts>
        <BookgDt><Dt>2024-01-31</Dt></BookgDt>
        <AddtlNtryInf>Card payment, pending</AddtlNtryInf>
      </Ntry>
    </Stmt>
  </BkToCstmrStmt>
</Document>
"""

# Written for beanfirm: two daily statements of a Swiss account, camt.053.001.08, with a
# prefixed namespace, date-times, `Sts/Cd`, parties under `Pty`, a batch booking of two
# payments and a reversal.
V08 = """\
<?xml version="1.0" encoding="UTF-8"?>
<c:Document xmlns:c="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08">
 <c:BkToCstmrStmt>
  <c:GrpHdr><c:MsgId>MSG-0302</c:MsgId><c:CreDtTm>2024-03-02T05:00:00+01:00</c:CreDtTm></c:GrpHdr>
  <c:Stmt>
   <c:Id>D-20240301</c:Id>
   <c:Acct><c:Id><c:IBAN>CH9300762011623852957</c:IBAN></c:Id><c:Ccy>CHF</c:Ccy></c:Acct>
   <c:Bal><c:Tp><c:CdOrPrtry><c:Cd>PRCD</c:Cd></c:CdOrPrtry></c:Tp>
    <c:Amt Ccy="CHF">100.00</c:Amt><c:CdtDbtInd>DBIT</c:CdtDbtInd><c:Dt><c:Dt>2024-02-29</c:Dt></c:Dt></c:Bal>
   <c:Bal><c:Tp><c:CdOrPrtry><c:Cd>CLBD</c:Cd></c:CdOrPrtry></c:Tp>
    <c:Amt Ccy="CHF">4900.00</c:Amt><c:CdtDbtInd>CRDT</c:CdtDbtInd><c:Dt><c:DtTm>2024-03-01T23:59:59+01:00</c:DtTm></c:Dt></c:Bal>
   <c:Ntry>
    <c:NtryRef>20240301-1</c:NtryRef>
    <c:Amt Ccy="CHF">5000.00</c:Amt><c:CdtDbtInd>CRDT</c:CdtDbtInd>
    <c:Sts><c:Cd>BOOK</c:Cd></c:Sts>
    <c:BookgDt><c:DtTm>2024-03-01T09:15:00+01:00</c:DtTm></c:BookgDt>
    <c:ValDt><c:Dt>2024-03-01</c:Dt></c:ValDt>
    <c:AcctSvcrRef>CH-REF-0001</c:AcctSvcrRef>
    <c:NtryDtls><c:TxDtls>
     <c:RltdPties><c:Dbtr><c:Pty><c:Nm>Alpen  Consulting SA</c:Nm></c:Pty></c:Dbtr>
      <c:DbtrAcct><c:Id><c:IBAN>CH5604835012345678009</c:IBAN></c:Id></c:DbtrAcct></c:RltdPties>
     <c:RmtInf><c:Ustrd>Project Matterhorn, milestone 2</c:Ustrd></c:RmtInf>
    </c:TxDtls></c:NtryDtls>
   </c:Ntry>
  </c:Stmt>
  <c:Stmt>
   <c:Id>D-20240302</c:Id>
   <c:Acct><c:Id><c:IBAN>CH93 0076 2011 6238 5295 7</c:IBAN></c:Id></c:Acct>
   <c:Bal><c:Tp><c:CdOrPrtry><c:Cd>OPBD</c:Cd></c:CdOrPrtry></c:Tp>
    <c:Amt Ccy="CHF">4900.00</c:Amt><c:CdtDbtInd>CRDT</c:CdtDbtInd><c:Dt><c:Dt>2024-03-02</c:Dt></c:Dt></c:Bal>
   <c:Bal><c:Tp><c:CdOrPrtry><c:Cd>CLBD</c:Cd></c:CdOrPrtry></c:Tp>
    <c:Amt Ccy="CHF">3650.50</c:Amt><c:CdtDbtInd>CRDT</c:CdtDbtInd><c:Dt><c:Dt>2024-03-02</c:Dt></c:Dt></c:Bal>
   <c:Ntry>
    <c:Amt Ccy="CHF">1300.00</c:Amt><c:CdtDbtInd>DBIT</c:CdtDbtInd>
    <c:Sts><c:Cd>BOOK</c:Cd></c:Sts>
    <c:BookgDt><c:Dt>2024-03-02</c:Dt></c:BookgDt>
    <c:AcctSvcrRef>CH-REF-0002</c:AcctSvcrRef>
    <c:AddtlNtryInf>Salary batch March</c:AddtlNtryInf>
    <c:NtryDtls>
     <c:TxDtls><c:Refs><c:EndToEndId>SAL-03-A</c:EndToEndId></c:Refs>
      <c:AmtDtls><c:TxAmt><c:Amt Ccy="CHF">800.00</c:Amt></c:TxAmt></c:AmtDtls>
      <c:RltdPties><c:Cdtr><c:Pty><c:Nm>Anna Muster</c:Nm></c:Pty></c:Cdtr></c:RltdPties></c:TxDtls>
     <c:TxDtls><c:Refs><c:EndToEndId>SAL-03-B</c:EndToEndId></c:Refs>
      <c:AmtDtls><c:TxAmt><c:Amt Ccy="CHF">500.00</c:Amt></c:TxAmt></c:AmtDtls>
      <c:RltdPties><c:Cdtr><c:Pty><c:Nm>Beat Beispiel</c:Nm></c:Pty></c:Cdtr></c:RltdPties></c:TxDtls>
    </c:NtryDtls>
   </c:Ntry>
   <c:Ntry>
    <c:Amt Ccy="CHF">50.50</c:Amt><c:CdtDbtInd>CRDT</c:CdtDbtInd>
    <c:RvslInd>true</c:RvslInd>
    <c:Sts><c:Cd>BOOK</c:Cd></c:Sts>
    <c:BookgDt><c:Dt>2024-03-02</c:Dt></c:BookgDt>
    <c:NtryDtls><c:TxDtls>
     <c:Refs><c:EndToEndId>RET-9</c:EndToEndId></c:Refs>
     <c:RltdPties><c:Dbtr><c:Pty><c:Nm>Post CH AG</c:Nm></c:Pty></c:Dbtr></c:RltdPties>
     <c:AddtlTxInf>Return of direct debit</c:AddtlTxInf>
    </c:TxDtls></c:NtryDtls>
   </c:Ntry>
  </c:Stmt>
 </c:BkToCstmrStmt>
</c:Document>
"""


def read(text: str) -> BankStatement:
    return read_camt053(text.encode("utf-8"), "bank.xml")


def test_version_02(tmp_path: Path) -> None:
    path = tmp_path / "statement.xml"
    path.write_text(V02, encoding="utf-8")
    importer = Camt053Importer("Assets:Bank:Commerzbank")
    assert importer.identify(str(path))
    assert importer.account_number(str(path)) == "DE89370400440532013000"
    assert entries_text(importer.extract(str(path), [])) == (
        "2024-01-01 balance Assets:Bank:Commerzbank                       1500.00 EUR\n"
        "\n"
        '2024-01-05 ! "Muster Handel GmbH" "Invoice INV-2024-001"\n'
        '  import-id: "2024010512345"\n'
        '  counterparty: "DE02120300000000202051"\n'
        '  bank-code: "ESCT"\n'
        "  Assets:Bank:Commerzbank                                        2500.00 EUR\n"
        "  Income:Uncategorized                                          -2500.00 EUR\n"
        "\n"
        '2024-01-15 ! "Office Rent AG" "Rent January Unit 4B"\n'
        '  import-id: "2024-01-15/2"\n'
        '  counterparty: "DE75512108001245126199"\n'
        '  value-date: "2024-01-16"\n'
        "  Assets:Bank:Commerzbank                                       -1354.75 EUR\n"
        "  Expenses:Uncategorized                                         1354.75 EUR\n"
        "\n"
        "2024-02-01 balance Assets:Bank:Commerzbank                       2645.25 EUR\n"
    )
    statement = importer.read(str(path))
    assert [(s.line, s.reason) for s in statement.skipped] == [
        (75, "the entry is not booked (status PDNG)")
    ]
    assert importer.date(str(path)) == datetime.date(2024, 1, 31)


def test_version_08_two_daily_statements() -> None:
    statement = read(V08)
    assert statement.account_number == "CH9300762011623852957"
    assert [(r.date, r.number, r.payee, r.import_id) for r in statement.rows] == [
        (datetime.date(2024, 3, 1), Decimal("5000.00"), "Alpen Consulting SA", "CH-REF-0001"),
        # The salary batch: one row per payment, each with its payee and its own id.
        (datetime.date(2024, 3, 2), Decimal("-800.00"), "Anna Muster", "CH-REF-0002/1"),
        (datetime.date(2024, 3, 2), Decimal("-500.00"), "Beat Beispiel", "CH-REF-0002/2"),
        (datetime.date(2024, 3, 2), Decimal("50.50"), "Post CH AG", "2024-03-02/RET-9"),
    ]
    anna, beat, reversal = statement.rows[1:]
    assert anna.narration == beat.narration == "Salary batch March"
    assert ("batch", "CH-REF-0002") in anna.meta
    assert ("batch", "CH-REF-0002") in beat.meta
    assert anna.line < beat.line
    assert reversal.narration == "Return of direct debit"
    assert ("reversal", "true") in reversal.meta
    # PRCD stands in for a missing OPBD; a debit balance is negative.
    assert [(o.date, o.number) for o in statement.openings] == [
        (datetime.date(2024, 3, 1), Decimal("-100.00")),
        (datetime.date(2024, 3, 2), Decimal("4900.00")),
    ]
    # The first day's closing and the second day's opening are one assertion on 03-02.
    assert [(c.date, c.number) for c in statement.balances] == [
        (datetime.date(2024, 3, 1), Decimal("4900.00")),
        (datetime.date(2024, 3, 2), Decimal("3650.50")),
    ]
    text = entries_text(statement_entries(statement, "Assets:Bank:CH"))
    assert [line.split() for line in text.splitlines() if " balance " in line] == [
        ["2024-03-01", "balance", "Assets:Bank:CH", "-100.00", "CHF"],
        ["2024-03-02", "balance", "Assets:Bank:CH", "4900.00", "CHF"],
        ["2024-03-03", "balance", "Assets:Bank:CH", "3650.50", "CHF"],
    ]


def test_a_batch_whose_payments_give_no_amounts_is_one_row_of_its_total() -> None:
    text = V08.replace(
        '<c:AmtDtls><c:TxAmt><c:Amt Ccy="CHF">800.00</c:Amt></c:TxAmt></c:AmtDtls>', ""
    )
    batch = read(text).rows[1]
    assert (batch.number, batch.payee, batch.import_id) == (
        Decimal("-1300.00"),
        None,
        "CH-REF-0002",
    )
    assert ("transactions", "2") in batch.meta


def test_a_batch_whose_payments_do_not_add_up_is_one_row_of_its_total() -> None:
    text = V08.replace('<c:Amt Ccy="CHF">500.00</c:Amt>', '<c:Amt Ccy="CHF">499.00</c:Amt>')
    assert [row.number for row in read(text).rows][1] == Decimal("-1300.00")


def test_a_batch_of_payments_in_camt_001_04_form_with_their_own_direction() -> None:
    # 001.04 on: each TxDtls has its own Amt and CdtDbtInd; no AcctSvcrRef on the entry.
    text = (
        V08.replace("<c:AcctSvcrRef>CH-REF-0002</c:AcctSvcrRef>", "")
        .replace(
            '<c:AmtDtls><c:TxAmt><c:Amt Ccy="CHF">800.00</c:Amt></c:TxAmt></c:AmtDtls>',
            '<c:Amt Ccy="CHF">800.00</c:Amt><c:CdtDbtInd>DBIT</c:CdtDbtInd>',
        )
        .replace(
            '<c:AmtDtls><c:TxAmt><c:Amt Ccy="CHF">500.00</c:Amt></c:TxAmt></c:AmtDtls>',
            '<c:Amt Ccy="CHF">500.00</c:Amt><c:CdtDbtInd>DBIT</c:CdtDbtInd>',
        )
    )
    rows = read(text).rows[1:3]
    assert [(r.number, r.import_id) for r in rows] == [
        (Decimal("-800.00"), "2024-03-02/SAL-03-A"),
        (Decimal("-500.00"), "2024-03-02/SAL-03-B"),
    ]
    # Without the bank's reference of the entry, its line names the batch.
    entry_line = text.splitlines().index(
        '    <c:Amt Ccy="CHF">1300.00</c:Amt><c:CdtDbtInd>DBIT</c:CdtDbtInd>'
    )
    assert [dict(row.meta)["batch"] for row in rows] == [f"line {entry_line}"] * 2


def test_an_entry_missing_from_the_statement_is_refused_with_the_figures() -> None:
    broken = V02.replace('<Amt Ccy="EUR">1354.75</Amt>', '<Amt Ccy="EUR">1354.70</Amt>')
    with pytest.raises(StatementError) as caught:
        read(broken)
    message = str(caught.value)
    assert message.startswith("bank.xml:")
    assert "opening balance 1,500.00 EUR" in message
    assert "totalling 1,145.30 EUR makes 2,645.30 EUR" in message
    assert "closing balance is 2,645.25 EUR" in message


def test_a_missing_statement_between_two_is_refused() -> None:
    gap = V08.replace(
        '<c:Amt Ccy="CHF">4900.00</c:Amt><c:CdtDbtInd>CRDT</c:CdtDbtInd><c:Dt><c:Dt>2024-03-02',
        '<c:Amt Ccy="CHF">4800.00</c:Amt><c:CdtDbtInd>CRDT</c:CdtDbtInd><c:Dt><c:Dt>2024-03-02',
    ).replace('<c:Amt Ccy="CHF">3650.50', '<c:Amt Ccy="CHF">3550.50')
    with pytest.raises(StatementError, match="a statement is missing from the file or repeated"):
        read(gap)


def test_a_repeated_statement_is_refused() -> None:
    start = V02.index("<Stmt>")
    end = V02.index("</Stmt>") + len("</Stmt>")
    twice = V02[:end] + V02[start:end] + V02[end:]
    with pytest.raises(StatementError, match="missing from the file or repeated"):
        read(twice)


def test_statements_of_two_accounts_are_refused() -> None:
    other = V08.replace("CH93 0076 2011 6238 5295 7", "CH5604835012345678009")
    with pytest.raises(StatementError, match="statements of 2 accounts"):
        read(other)


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("<Cd>CLBD</Cd>", "<Cd>CLAV</Cd>", "no closing booked balance"),
        ("<Cd>OPBD</Cd>", "<Cd>ITBD</Cd>", "EUR opening booked balance"),
        (
            "<CdtDbtInd>DBIT</CdtDbtInd>\n        <Sts>BOOK",
            "<CdtDbtInd>DR</CdtDbtInd>\n        <Sts>BOOK",
            "must be CRDT or DBIT",
        ),
        ('<Amt Ccy="EUR">2500.00</Amt>', '<Amt Ccy="EUR">2.500,00</Amt>', "not an amount"),
        ('<Amt Ccy="EUR">2500.00</Amt>', "<Amt>2500.00</Amt>", "not a currency code"),
        ('<Amt Ccy="EUR">2500.00</Amt>', "", "has no <Amt>"),
        (
            "<BookgDt><Dt>2024-01-05</Dt></BookgDt>",
            "<BookgDt><Dt>05.01.2024</Dt></BookgDt>",
            "not a date",
        ),
        (
            "<BookgDt><Dt>2024-01-05</Dt></BookgDt>\n        <ValDt><Dt>2024-01-05</Dt></ValDt>",
            "",
            "no <BookgDt> or <ValDt>",
        ),
        ("<Dt><Dt>2024-01-31</Dt></Dt>", "<Dt><Dt>2024-02-30</Dt></Dt>", "not a date"),
    ],
)
def test_bad_or_missing_elements_are_refused_at_their_line(
    old: str, new: str, message: str
) -> None:
    assert old in V02
    with pytest.raises(StatementError) as caught:
        read(V02.replace(old, new, 1))
    assert message in str(caught.value)
    assert caught.value.line is not None


def test_a_balance_in_another_currency_needs_its_own_closing() -> None:
    extra = V02.replace(
        "      <Ntry>\n        <NtryRef>1</NtryRef>",
        '      <Ntry><Amt Ccy="USD">5.00</Amt><CdtDbtInd>CRDT</CdtDbtInd>'
        "<BookgDt><Dt>2024-01-07</Dt></BookgDt></Ntry>\n      <Ntry>\n        <NtryRef>1</NtryRef>",
    )
    with pytest.raises(StatementError, match="USD entries or balances but no USD closing"):
        read(extra)


def test_not_a_camt053_document() -> None:
    with pytest.raises(StatementError, match=r"not a CAMT\.053"):
        read(
            '<?xml version="1.0"?><Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"><CstmrCdtTrfInitn/></Document>'
        )
    with pytest.raises(StatementError, match="no <Stmt>"):
        read("<Document><BkToCstmrStmt><GrpHdr/></BkToCstmrStmt></Document>")


def test_truncated_file_is_refused_with_its_line() -> None:
    with pytest.raises(StatementError) as caught:
        read(V02[: V02.index("<Ntry>")])
    assert "not well-formed XML" in str(caught.value)
    assert caught.value.line is not None


def test_entity_expansion_is_refused() -> None:
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE Document [<!ENTITY a "aaaaaaaaaa">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]><Document>&b;</Document>'
    )
    with pytest.raises(StatementError, match="document type"):
        read(bomb)


def test_identify(tmp_path: Path) -> None:
    importer = Camt053Importer("Assets:Bank")
    path = tmp_path / "s.xml"
    path.write_text(V08, encoding="utf-8")
    assert importer.identify(str(path))
    path.write_text("<Document><CstmrCdtTrfInitn/></Document>", encoding="utf-8")
    assert not importer.identify(str(path))
    assert not importer.identify(str(tmp_path / "missing.xml"))
    assert importer.name == "beanfirm.camt053:Assets:Bank"
