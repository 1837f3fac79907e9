"""SWIFT MT940: fixtures written for beanfirm (one and several statements per file), bad input."""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path

import pytest

from beanfirm.core.ledgertext import entries_text
from beanfirm.errors import StatementError
from beanfirm.importers.entries import statement_entries
from beanfirm.importers.mt940 import Mt940Importer, read_mt940
from beanfirm.importers.statement import BankStatement

# Written for beanfirm: a German bank's statement in a SWIFT envelope, with structured :86:
# fields, a plain multi-line :86:, a booking date after New Year and a reversal.
GERMAN = """\
{1:F01COBADEFFAXXX0000000000}{2:O9400000000000COBADEFFXXXX00000000000000000000N}{3:{108:MT940}}{4:
:20:STARTUMS
:25:37040044/0532013000
:28C:00001/001
:60F:C231229EUR1000,00
:61:2312290102D12,50NTRFNONREF//BREF0001
/OCMT/EUR12,50/
:86:166?00SEPA-UEBERWEISUNG?109310?20EREF+INV-2024-001?21SVWZ+Rechnung 2024-0
?2201?30COBADEFFXXX?31DE44500105175407324931?32Stadtwerke Musterstadt?33 GmbH
:61:240103C250,00NMSCREF-SAL-01
:86:Salary January ACME Corp, personnel number 4711, paid on time
as agreed in the contract
:61:240104RC12,50NTRFNONREF
:86:Reversal of a credit booked in error
:61:240104RD3,00FCHGNONREF//CHG-77
:62F:C240104EUR1228,00
:64:C240104EUR1228,00
-}
"""

# Written for beanfirm: two daily statements of a Dutch account after the bank's header lines.
DAILY = """\
ABNANL2A
940
ABNANL2A
:20:ABN AMRO BANK NV
:25:NL91ABNA0417164300
:28:00301/1
:60F:C240301EUR500,00
:61:240301C1000,00NTRFNONREF//A0001
:86:/TRTP/SEPA OVERBOEKING/IBAN/NL20INGB0001234567/NAME/ACME BV/REMI/INVOICE 2024-17/
:62F:C240301EUR1500,00
-
:20:ABN AMRO BANK NV
:25:NL91ABNA0417164300
:28:00302/1
:60F:C240301EUR1500,00
:61:240302D200,00NMSCNONREF//A0002
:86:RENT MARCH
:62F:C240302EUR1300,00
-
"""


def read(text: str) -> BankStatement:
    return read_mt940(text.encode("cp1252"), "bank.sta")


def test_a_statement_in_a_swift_envelope(tmp_path: Path) -> None:
    path = tmp_path / "bank.sta"
    path.write_text(GERMAN, encoding="utf-8")
    importer = Mt940Importer("Assets:Bank:Commerzbank")
    assert importer.identify(str(path))
    assert importer.account_number(str(path)) == "37040044/0532013000"
    assert entries_text(importer.extract(str(path), [])) == (
        "2023-12-30 balance Assets:Bank:Commerzbank                       1000.00 EUR\n"
        "\n"
        '2024-01-02 ! "Stadtwerke Musterstadt GmbH" "Rechnung 2024-001"\n'
        '  import-id: "BREF0001"\n'
        '  counterparty: "DE44500105175407324931"\n'
        '  type: "NTRF"\n'
        '  value-date: "2023-12-29"\n'
        '  details: "/OCMT/EUR12,50/"\n'
        '  booking-text: "SEPA-UEBERWEISUNG"\n'
        '  end-to-end: "INV-2024-001"\n'
        "  Assets:Bank:Commerzbank                                         -12.50 EUR\n"
        "  Expenses:Uncategorized                                           12.50 EUR\n"
        "\n"
        '2024-01-03 ! "Salary January ACME Corp, personnel number 4711, paid on time as agreed '
        'in the contract"\n'
        '  import-id: "2024-01-03/REF-SAL-01"\n'
        '  type: "NMSC"\n'
        "  Assets:Bank:Commerzbank                                         250.00 EUR\n"
        "  Income:Uncategorized                                           -250.00 EUR\n"
        "\n"
        '2024-01-04 ! "Reversal of a credit booked in error"\n'
        '  import-id: "fp:bf4dc88404d5d012#1"\n'
        '  type: "NTRF"\n'
        '  reversal: "true"\n'
        "  Assets:Bank:Commerzbank                                         -12.50 EUR\n"
        "  Expenses:Uncategorized                                           12.50 EUR\n"
        "\n"
        '2024-01-04 ! ""\n'
        '  import-id: "CHG-77"\n'
        '  type: "FCHG"\n'
        '  reversal: "true"\n'
        "  Assets:Bank:Commerzbank                                           3.00 EUR\n"
        "  Income:Uncategorized                                             -3.00 EUR\n"
        "\n"
        "2024-01-05 balance Assets:Bank:Commerzbank                       1228.00 EUR\n"
    )


@pytest.mark.parametrize(
    ("information", "expected"),
    [
        (
            # ING: a direct debit, wrapped at 65 characters mid-word, remittance unstructured.
            (
                "/EREF/2024031500123//CSID/NL98ZZZ999999990000/MARF/MANDATE-7/NAME/ENER\n"
                "GIE BEDRIJF NV/REMI/USTD//Termijn maart 2024/IBAN/NL02ABNA0123456789/"
            ),
            (
                "ENERGIE BEDRIJF NV",
                "NL02ABNA0123456789",
                "Termijn maart 2024",
                [
                    ("end-to-end", "2024031500123"),
                    ("mandate", "MANDATE-7"),
                    ("creditor-id", "NL98ZZZ999999990000"),
                ],
            ),
        ),
        (
            # Rabobank: the counterparty as /CNTP/iban/bic/name/city/, a structured reference.
            (
                "/TRTP/SEPA Overboeking/CNTP/NL66RABO0160878799/RABONL2U/Bakkerij De Bol/UT\n"
                "RECHT/REMI/STRD/CUR/RF18539007547034/EREF/NOTPROVIDED/"
            ),
            (
                "Bakkerij De Bol",
                "NL66RABO0160878799",
                "RF18539007547034",
                [("booking-text", "SEPA Overboeking")],
            ),
        ),
        (
            # Only the kind of transfer: it is the narration.
            "/TRTP/SEPA INCASSO ALGEMEEN DOORLOPEND/NAME/VERZEKERAAR NV/",
            ("VERZEKERAAR NV", None, "SEPA INCASSO ALGEMEEN DOORLOPEND", None),
        ),
    ],
)
def test_dutch_structured_information(information: str, expected: tuple[object, ...]) -> None:
    text = DAILY.replace(
        ":86:/TRTP/SEPA OVERBOEKING/IBAN/NL20INGB0001234567/NAME/ACME BV/REMI/INVOICE 2024-17/",
        f":86:{information}",
    )
    row = read(text).rows[0]
    payee, counterparty, narration, meta = expected
    assert (row.payee, row.counterparty, row.narration) == (payee, counterparty, narration)
    if meta is not None:
        assert [pair for pair in row.meta if pair[0] != "type"] == meta


def test_several_statements_in_one_file() -> None:
    statement = read(DAILY)
    assert statement.account_number == "NL91ABNA0417164300"
    assert [(r.date, r.number, r.import_id) for r in statement.rows] == [
        (datetime.date(2024, 3, 1), Decimal("1000.00"), "A0001"),
        (datetime.date(2024, 3, 2), Decimal("-200.00"), "A0002"),
    ]
    first = statement.rows[0]
    # The Dutch structured :86: gives the payee, the counterparty's IBAN and the remittance.
    assert (first.payee, first.counterparty, first.narration) == (
        "ACME BV",
        "NL20INGB0001234567",
        "INVOICE 2024-17",
    )
    assert ("booking-text", "SEPA OVERBOEKING") in first.meta
    assert statement.rows[1].narration == "RENT MARCH"
    text = entries_text(statement_entries(statement, "Assets:Bank:ABN"))
    assert [line.split()[:4] for line in text.splitlines() if " balance " in line] == [
        ["2024-03-01", "balance", "Assets:Bank:ABN", "500.00"],
        ["2024-03-02", "balance", "Assets:Bank:ABN", "1500.00"],
        ["2024-03-03", "balance", "Assets:Bank:ABN", "1300.00"],
    ]


def test_intraday_parts_assert_only_the_days_last_balance() -> None:
    parts = """\
:20:PART1
:25:NL91ABNA0417164300
:28C:7/1
:60F:C240305EUR100,00
:61:240306C10,00NTRFNONREF//P1
:62M:C240306EUR110,00
-
:20:PART2
:25:NL91ABNA0417164300
:28C:7/2
:60M:C240306EUR110,00
:61:240306D5,00NTRFNONREF//P2
:62F:C240306EUR105,00
-
"""
    statement = read(parts)
    assert [(o.date, o.number) for o in statement.openings] == [
        (datetime.date(2024, 3, 6), Decimal("100.00"))
    ]
    assert [(c.date, c.number) for c in statement.balances] == [
        (datetime.date(2024, 3, 6), Decimal("105.00"))
    ]


def test_statements_out_of_order_are_put_in_order() -> None:
    first, second = DAILY.split("-\n", 1)
    statement = read(second + first + "-\n")
    assert [row.import_id for row in statement.rows] == ["A0001", "A0002"]


def test_movements_that_do_not_add_up_are_refused_with_the_figures() -> None:
    with pytest.raises(StatementError) as caught:
        read(GERMAN.replace(":62F:C240104EUR1228,00", ":62F:C240104EUR1238,00"))
    message = str(caught.value)
    assert message.startswith("bank.sta:16: the statement STARTUMS 00001/001 (line 2)")
    assert "opening balance 1,000.00 EUR plus its 4 movement(s) totalling 228.00 EUR" in message
    assert "makes 1,228.00 EUR, but the closing balance is 1,238.00 EUR" in message


def test_a_missing_day_between_statements_is_refused() -> None:
    gap = DAILY.replace(":60F:C240301EUR1500,00", ":60F:C240301EUR1400,00").replace(
        ":62F:C240302EUR1300,00", ":62F:C240302EUR1200,00"
    )
    with pytest.raises(StatementError) as caught:
        read(gap)
    assert caught.value.line == 15
    assert "a statement is missing from the file or repeated" in str(caught.value)


def test_statements_of_two_accounts_are_refused() -> None:
    other = DAILY.replace(":25:NL91ABNA0417164300\n:28:00302", ":25:NL02ABNA0123456789\n:28:00302")
    with pytest.raises(StatementError, match="statements of 2 accounts: NL91ABNA0417164300"):
        read(other)


@pytest.mark.parametrize(
    ("old", "new", "line", "message"),
    [
        (":62F:C240104EUR1228,00\n", "", 2, "has no :62F: or :62M:"),
        (":25:37040044/0532013000\n", "", 2, "has no :25:"),
        (":60F:C231229EUR1000,00", ":60F:C231229EUR1000.00", 5, "not a balance"),
        (":60F:C231229EUR1000,00", ":60F:C231329EUR1000,00", 5, "does not exist"),
        (
            ":61:240103C250,00NMSCREF-SAL-01",
            ":61:240103C250.00NMSCREF-SAL-01",
            10,
            "not a statement line",
        ),
        (
            ":61:240103C250,00NMSCREF-SAL-01",
            ":61:240103X250,00NMSCREF-SAL-01",
            10,
            "not a statement line",
        ),
        (":61:2312290102D12,50", ":61:2312290230D12,50", 6, "booking date '0230'"),
        (":62F:C240104EUR1228,00", ":62F:C240104USD1228,00", 16, "closing balance is in USD"),
        (":64:C240104EUR1228,00", ":99:nonsense", 17, ":99: is not a field"),
        (":28C:00001/001", ":28C:00001/001\n:61:240101C1,00NMSCX", 5, "must come between"),
        (":64:C240104EUR1228,00", ":60F:C240104EUR1228,00", 17, "second :60F:"),
    ],
)
def test_bad_or_missing_fields_are_refused_at_their_line(
    old: str, new: str, line: int, message: str
) -> None:
    assert old in GERMAN
    with pytest.raises(StatementError) as caught:
        read(GERMAN.replace(old, new, 1))
    assert message in str(caught.value)
    assert caught.value.line == line


def test_not_mt940() -> None:
    with pytest.raises(StatementError, match="no :20: field"):
        read("Date,Amount\n2024-01-01,1\n")
    with pytest.raises(StatementError, match="empty"):
        read_mt940(b"", "bank.sta")


def test_chinese_is_read_in_utf8_and_gbk_is_refused_not_garbled() -> None:
    text = GERMAN.replace("Reversal of a credit booked in error", "冲正 招商银行")
    assert read_mt940(text.encode("utf-8"), "bank.sta").rows[2].narration == "冲正 招商银行"
    with pytest.raises(StatementError) as caught:  # Windows-1252 would read 'ÕÐÉÌÒøÐÐ'
        read_mt940(text.encode("gbk"), "bank.sta")
    assert caught.value.line == 14
    assert "read as GBK (Chinese) they are '冲正'" in str(caught.value)
    assert "save it as UTF-8" in str(caught.value)


def test_a_full_width_line_was_cut_mid_word() -> None:
    cut = "x" * 60 + "Infor"
    text = GERMAN.replace(":86:Reversal of a credit booked in error", f":86:{cut}\nmation")
    assert read(text).rows[2].narration == "x" * 60 + "Information"


def test_a_zero_amount_line_is_skipped_with_a_reason() -> None:
    text = GERMAN.replace(":62F:", ":61:240104C0,NMSCNONREF\n:62F:")
    statement = read(text)
    assert len(statement.rows) == 4
    assert [(s.line, s.reason) for s in statement.skipped] == [
        (16, "the amount is 0: no money moved")
    ]


def test_decimal_comma_amounts_are_exact() -> None:
    text = GERMAN.replace("D12,50NTRF", "D12,5NTRF").replace("C250,00", "C250,")
    statement = read(text)
    assert [row.number for row in statement.rows][:2] == [Decimal("-12.5"), Decimal("250.0")]


def test_identify(tmp_path: Path) -> None:
    importer = Mt940Importer("Assets:Bank")
    path = tmp_path / "b.sta"
    path.write_text(DAILY, encoding="utf-8")
    assert importer.identify(str(path))
    path.write_text(":20:X\n:25:Y\n", encoding="utf-8")
    assert not importer.identify(str(path))
    assert not importer.identify(str(tmp_path / "missing.sta"))
    assert importer.name == "beanfirm.mt940:Assets:Bank"


# Written for beanfirm: `:61:` types `S` + a SWIFT message type, padded with spaces by some banks.
SWIFT_TYPES = """\
:20:STMT
:25:DE44500105175407324931
:28C:1/1
:60F:C240101EUR100,00
:61:2401020102D12,50S 20NONREF//B1
:86:Payment one
:61:2401030103C5,00S10 REF-2//B2
:86:Payment two
:61:2401040104D2,50S103NONREF//B3
:86:Payment three
:62F:C240104EUR90,00
"""


def test_a_swift_transaction_type_padded_with_spaces_is_read() -> None:
    statement = read(SWIFT_TYPES)
    rows = [(r.date, r.number, r.serial, dict(r.meta)["type"]) for r in statement.rows]
    assert rows == [
        (datetime.date(2024, 1, 2), Decimal("-12.50"), "B1", "S 20"),
        (datetime.date(2024, 1, 3), Decimal("5.00"), "B2", "S10"),
        (datetime.date(2024, 1, 4), Decimal("-2.50"), "B3", "S103"),
    ]


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("24012D1,00NTRF", "does not start with the value date"),
        ("240102X1,00NTRF", "'X1' after the date(s) is not the mark"),
        ("240102D1.00NTRF", "'1.00NTRF' after the mark is not an amount"),
        ("240102D1,00", "no transaction type (NTRF) follows the amount"),
        ("240102D1,00ntrfREF", "the transaction type 'ntrf' after the amount is not"),
        ("240102D1,00N RFREF", "the transaction type 'N RF' after the amount is not"),
    ],
)
def test_a_refused_statement_line_says_what_is_wrong(value: str, reason: str) -> None:
    text = SWIFT_TYPES.replace("2401020102D12,50S 20NONREF//B1", value)
    with pytest.raises(StatementError) as caught:
        read(text)
    assert reason in str(caught.value)
    assert caught.value.line == 5
