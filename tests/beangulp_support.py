"""Bank statements for the beangulp and Fava import tests: OFX 1.02 files of given accounts.

The OFX is written for these tests from the OFX 1.0.2 specification (SGML, leaf tags left
open): a checking account's `<STMTRS>` with its `ACCTID`, a transaction list and a ledger
balance.
"""

from __future__ import annotations

from decimal import Decimal

HEAD = "OFXHEADER:100\nDATA:OFXSGML\nVERSION:102\nCHARSET:1252\n\n"

# (date YYYYMMDD, amount, FITID, payee)
Row = tuple[str, str, str, str]

JANUARY: tuple[Row, ...] = (
    ("20250106", "1200.00", "A-0001", "Harbor Freight Co"),
    ("20250113", "-86.40", "A-0002", "City Water"),
    ("20250121", "-35.00", "A-0003", "Corner Cafe"),
)
SAVINGS: tuple[Row, ...] = (
    ("20250110", "500.00", "S-0001", "Transfer in"),
    ("20250131", "0.42", "S-0002", "Interest"),
)


def ofx(account_id: str, rows: tuple[Row, ...], *, closing: str | None = None) -> str:
    """Return an OFX 1.02 checking statement of `account_id` with the given rows."""
    transactions = "".join(
        f"<STMTTRN><TRNTYPE>{'CREDIT' if not amount.startswith('-') else 'DEBIT'}"
        f"<DTPOSTED>{day}<TRNAMT>{amount}<FITID>{fitid}<NAME>{payee}</STMTTRN>\n"
        for day, amount, fitid, payee in rows
    )
    total = closing or str(sum((Decimal(amount) for _, amount, _, _ in rows), Decimal(0)))
    last = max(day for day, _, _, _ in rows)
    return (
        HEAD
        + "<OFX>\n<BANKMSGSRSV1><STMTTRNRS><TRNUID>1<STATUS><CODE>0<SEVERITY>INFO</STATUS>\n"
        + "<STMTRS><CURDEF>USD\n"
        + f"<BANKACCTFROM><BANKID>121000248<ACCTID>{account_id}<ACCTTYPE>CHECKING</BANKACCTFROM>\n"
        + f"<BANKTRANLIST><DTSTART>20250101<DTEND>{last}\n{transactions}</BANKTRANLIST>\n"
        + f"<LEDGERBAL><BALAMT>{total}<DTASOF>{last}</LEDGERBAL>\n"
        + "</STMTRS></STMTTRNRS></BANKMSGSRSV1>\n</OFX>\n"
    )
