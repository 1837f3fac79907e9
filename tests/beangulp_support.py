"""Files for the beangulp and Fava import tests: OFX 1.02 statements, and files that break.

The OFX is written for these tests from the OFX 1.0.2 specification (SGML, leaf tags left
open): a checking account's `<STMTRS>` with its `ACCTID`, a transaction list and a ledger
balance. `BAD_FILES` are what an import folder may also hold: junk, truncated OFX, CAMT.053
and MT940, an undecodable or empty CSV, and a file its reader may not open.
"""

from __future__ import annotations

import builtins
import io
import os
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

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


CHECKING_ID = "000123456789"
GOOD = ofx(CHECKING_ID, JANUARY).encode("cp1252")
BAD_FILES: dict[str, bytes] = {
    "junk.bin": bytes(range(256)) * 8,
    "truncated.ofx": GOOD[: len(GOOD) // 2],
    "undecodable.csv": "交易时间,金额\n".encode("gbk") + b"2025-01-02,\xff\xfe\x80\x81\n",
    "truncated-camt.xml": (
        b'<?xml version="1.0"?><Document xmlns="urn:iso:std:iso:20022:tech:xsd:'
        b'camt.053.001.02"><BkToCstmrStmt><Stmt><Id>1</Id><Acct><Id><IBAN>DE89'
    ),
    "truncated.sta": b":20:STMT1\r\n:25:10020030/1234567890\r\n:60F:C250101EUR1,00\r\n:61:2501",
    "empty.csv": b"",
    "unreadable.ofx": GOOD,
}


def make_unreadable(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Take away the right to read a file (as root, by refusing to open it)."""
    path.chmod(0)
    if os.geteuid() != 0:
        return
    real_open = builtins.open

    def refusing(file: Any, *args: Any, **kwargs: Any) -> Any:
        if str(file) == str(path):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", refusing)
    monkeypatch.setattr(io, "open", refusing)


def bad_folder(folder: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    """Write every bad file into a folder; return them by name."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = {name: folder / name for name in BAD_FILES}
    for name, content in BAD_FILES.items():
        paths[name].write_bytes(content)
    make_unreadable(paths["unreadable.ofx"], monkeypatch)
    return paths
