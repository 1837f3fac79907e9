"""OFX/QFX bank and credit-card statements, OFX 1.x (SGML) and 2.x (XML).

Read with the standard library, not ofxparse or ofxtools: the file's own line goes into every
error (`file:line`), and banks' vendor extensions (`<INTU.BID>`, AMEX's `<DOWNLOAD.FLAG>`) and
SGML quirks are passed over instead of refused. 1.x files go through `beanfirm.importers.sgml`,
2.x files through expat (`beanfirm.importers.xmltree`); both give the same tree. Some banks
write a 2.x XML declaration (`<?xml ...?>`, `<?OFX ...?>`) over a 1.x body whose leaves are
left open (`<TRNAMT>-12.50` with no `</TRNAMT>`); expat refuses that as a mismatched tag, and
the file is then read as SGML, which checks truncation itself (an aggregate never closed).
A 1.x file is read in the encoding its header names (`header_charset`: `ENCODING:UTF-8`, or
`CHARSET`, a Windows code page such as 1252 or 936, GBK), UTF-8 first; a charset no codec
reads, bytes the charset does not define, and Chinese under a Western code page (which would
come out as `ÕÐÉÌ`) are refused (`beanfirm.importers.textfile.decode_western`).

Each `<STMTTRN>` of a `<STMTRS>` (bank) or `<CCSTMTRS>` (credit card) becomes one row:
`DTPOSTED` (the posting date) is its date, `TRNAMT` its signed amount in `CURDEF`, `NAME` (or
`PAYEE/NAME`) the payee, `MEMO` the narration, `TRNTYPE` and `CHECKNUM` metadata, and `FITID`,
the bank's id of the transaction, the `import-id`. `LEDGERBAL` (`BALAMT` as of `DTASOF`) is the
closing balance, asserted the day after `DTASOF`'s date; `AVAILBAL` is ignored. OFX states no
opening balance, so the movements cannot be checked against one. `ACCTID` is the account
number (`account_number()`). A bank's error status (`<CODE>` not 0 with severity ERROR) is
reported with its message instead of importing an empty statement. Every `<STMTTRN>` of the
file must be read (`beanfirm.importers.recordcount`), or the file is refused.
"""

from __future__ import annotations

import codecs
import datetime
import re
from decimal import Decimal
from typing import NamedTuple
from xml.parsers import expat

from beanfirm.errors import StatementError
from beanfirm.importers.bankstatement import Section, StatedBalance, assemble
from beanfirm.importers.dates import leading_date
from beanfirm.importers.importer import FormatImporter, read_bytes
from beanfirm.importers.recordcount import check_records, ofx_transactions
from beanfirm.importers.sgml import parse_sgml
from beanfirm.importers.statement import BankStatement, StatementRow
from beanfirm.importers.textfile import WESTERN_CODECS, decode_western
from beanfirm.importers.xmltree import Node, NotWellFormedError, parse_xml

HEAD_BYTES = 4096
OFX_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})")
OFX_AMOUNT = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)$")
CURRENCY = re.compile(r"^[A-Z]{3}$")
# OFX CHARSET values that are no Python codec's name as they stand (a number N is `cp<N>`).
CODE_PAGES = {
    "936": "gb18030",
    "54936": "gb18030",
    "20936": "gb18030",
    "GBK": "gb18030",
    "GB2312": "gb18030",
    "8859-1": "latin-1",
    "28591": "latin-1",
    "28605": "iso8859-15",
}
UTF8_NAMES = frozenset(("UTF-8", "UTF8", "UNICODE"))
XML_ENCODING = re.compile(rb"""^<\?xml[^>]*?\bencoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")
TAG_MISMATCH = expat.errors.codes[expat.errors.XML_ERROR_TAG_MISMATCH]


def strip_bom(data: bytes) -> bytes:
    """Return the bytes without a UTF-8 byte-order mark and leading whitespace."""
    return data.removeprefix(codecs.BOM_UTF8).lstrip()


class Charset(NamedTuple):
    """The encoding an OFX 1.x file is read in, and what says so (for the errors)."""

    codec: str
    source: str  # "as the header's CHARSET:936 at line 6 says"
    fix: str  # what to do about a file that is not in it


def header_field(head: bytes, name: bytes) -> tuple[str, int] | None:
    """Return the value of an OFX 1.x header field (`CHARSET:1252`) and its line, if given."""
    found = re.search(rb"^[ \t]*" + name + rb"[ \t]*:[ \t]*([^\s<]*)", head, re.MULTILINE)
    if found is None:
        return None
    return found.group(1).decode("latin-1").upper(), head.count(b"\n", 0, found.start()) + 1


def codec_of(charset: str) -> str | None:
    """Return the Python codec of an OFX `CHARSET` (a Windows code page, or a name); None if none.

    A code page is `cp<N>` where Python has it (1252, 437, 950, 1251, …); the few it names
    otherwise are in `CODE_PAGES` (936 and 54936 are read as GB18030, the superset of GBK).
    The codec must read the file's ASCII markup as ASCII: a name of a codec that does not
    (UTF-16, base64) names no charset an OFX 1.x file can be in.
    """
    codec = CODE_PAGES.get(charset) or (f"cp{charset}" if charset.isdigit() else charset)
    try:
        if b"<OFX>".decode(codec) != "<OFX>":
            return None
    except (LookupError, UnicodeError):
        return None
    return codec


def header_charset(data: bytes, filename: str) -> Charset:
    """Return the encoding an OFX 1.x header gives: `ENCODING:UTF-8`, else its `CHARSET`.

    `CHARSET:1252` (or none, or `NONE`) is Windows-1252; `CHARSET:936`, the code page of GBK
    that Chinese banks write, is GB18030. A charset no codec reads is refused at its line.
    """
    head = data[: data.find(b"<")] if b"<" in data else data[:HEAD_BYTES]
    encoding = header_field(head, b"ENCODING")
    if encoding is not None and encoding[0] in UTF8_NAMES:
        return Charset(
            "utf-8",
            f"as the header's ENCODING:{encoding[0]} at line {encoding[1]} says",
            "Download the statement again.",
        )
    found = header_field(head, b"CHARSET")
    if found is None or found[0] in ("", "NONE"):
        return Charset(
            "cp1252",
            "the default for an OFX file whose header names no CHARSET",
            "If the file is Chinese (GBK), add a header line CHARSET:936 to it; else export "
            "it again in UTF-8.",
        )
    charset, line = found
    codec = codec_of(charset)
    if codec is None:
        raise StatementError(
            filename,
            line,
            f"the header says CHARSET:{charset}, an encoding beanfirm cannot read, so the "
            "names in the file cannot be decoded. Export the statement again in UTF-8 or a "
            "Windows code page (CHARSET:1252; CHARSET:936 for Chinese); if you know the "
            "file's encoding, correct this line to name it.",
        )
    chinese = (
        " (CHARSET:936 for Chinese, GBK)" if codecs.lookup(codec).name in WESTERN_CODECS else ""
    )
    return Charset(
        codec,
        f"as the header's CHARSET:{charset} at line {line} says",
        f"If you know the file's encoding, correct line {line} to name it{chinese}; else "
        "export it again.",
    )


def xml_charset(body: bytes) -> Charset:
    """Return the encoding an XML declaration names (`encoding="UTF-8"`), default UTF-8."""
    found = XML_ENCODING.match(body)
    if found is None:
        return Charset("utf-8", "XML's default encoding", "Download the statement again.")
    name = found.group(1).decode("ascii")
    return Charset(name, f'as the XML declaration\'s encoding="{name}" says', "Download it again.")


def sgml_tree(data: bytes, filename: str, charset: Charset) -> Node:
    """Return the tree of an OFX 1.x (SGML) file decoded in `charset` if not UTF-8."""
    text = decode_western(data, filename, charset.codec, source=charset.source, fix=charset.fix)
    start = text.find("<")
    if start < 0:
        raise StatementError(filename, None, "the file holds no OFX tags; it is not OFX.")
    return parse_sgml(text[start:], filename, text.count("\n", 0, start) + 1)


def ofx_tree(data: bytes, filename: str) -> Node:
    """Return the `<OFX>` element of a 1.x or 2.x file."""
    body = strip_bom(data)
    if body.startswith(b"<?xml"):
        try:
            root = parse_xml(body, filename)
        except NotWellFormedError as exc:
            if exc.code != TAG_MISMATCH:
                raise
            root = sgml_tree(data, filename, xml_charset(body))  # SGML leaves under an XML head
    else:
        root = sgml_tree(data, filename, header_charset(data, filename))
    ofx = next(root.iter("OFX"), None)
    if ofx is None:
        raise StatementError(
            filename, None, "the file has no <OFX> element; it is not an OFX/QFX statement."
        )
    return ofx


def required(node: Node, path: str, filename: str) -> str:
    """Return the text at a path, or raise naming the element that lacks it."""
    text = node.text_at(path)
    if text is None:
        raise StatementError(
            filename,
            node.line,
            f"<{node.tag}> has no <{path.rsplit('/', maxsplit=1)[-1]}>; the file is damaged or "
            "incomplete. Download it again.",
        )
    return text


def ofx_date(text: str, what: str, line: int, filename: str) -> datetime.date:
    """Return the date of an OFX date-time (`20131201000000.000[-7:MST]`)."""
    day = leading_date(OFX_DATE, text)
    if day is None:
        raise StatementError(filename, line, f"<{what}> is '{text}', not an OFX date (YYYYMMDD…).")
    return day


def ofx_amount(text: str, what: str, line: int, filename: str) -> Decimal:
    """Return an OFX amount (`-9.99`, `+10`, `.5`; a decimal comma is accepted)."""
    if not OFX_AMOUNT.match(text):
        raise StatementError(filename, line, f"<{what}> is '{text}', not an amount (like -9.99).")
    return Decimal(text.replace(",", "."))


def collapse(text: str | None) -> str | None:
    """Collapse runs of whitespace; None for empty text."""
    if text is None:
        return None
    value = " ".join(text.split())
    return value or None


def check_status(ofx: Node, filename: str) -> None:
    """Refuse a response in which the bank reports an error."""
    for status in ofx.iter("STATUS"):
        code = status.text_at("CODE") or "0"
        if code != "0" and (status.text_at("SEVERITY") or "ERROR").upper() == "ERROR":
            message = status.text_at("MESSAGE") or "no message"
            raise StatementError(
                filename,
                status.line,
                f"the bank answered with error {code} ({message}) instead of a statement. "
                "Download the statement again.",
            )


def transaction_row(node: Node, currency: str, filename: str) -> StatementRow:
    """Return the row of one `<STMTTRN>`."""
    posted = ofx_date(required(node, "DTPOSTED", filename), "DTPOSTED", node.line, filename)
    number = ofx_amount(required(node, "TRNAMT", filename), "TRNAMT", node.line, filename)
    other = node.text_at("CURRENCY/CURSYM")
    if other is not None and other != currency:
        raise StatementError(
            filename,
            node.line,
            f"this transaction is in {other}, not the statement's {currency} (<CURRENCY>); "
            "beanfirm does not import such foreign-currency OFX rows yet. Import this account "
            "from a CSV export instead.",
        )
    meta = [("type", text) for text in [node.text_at("TRNTYPE")] if text]
    meta += [("check", text) for text in [node.text_at("CHECKNUM")] if text]
    meta += [("original-currency", text) for text in [node.text_at("ORIGCURRENCY/CURSYM")] if text]
    return StatementRow(
        line=node.line,
        date=posted,
        time=None,
        number=number,
        currency=currency,
        payee=collapse(node.text_at("NAME") or node.text_at("PAYEE/NAME")),
        narration=collapse(node.text_at("MEMO")) or "",
        counterparty=None,
        balance=None,
        serial=node.text_at("FITID"),
        meta=tuple(meta),
    )


def statement_section(stmt: Node, filename: str) -> Section:
    """Return one `<STMTRS>` / `<CCSTMTRS>` as a Section."""
    currency = required(stmt, "CURDEF", filename).upper()
    if not CURRENCY.match(currency):
        raise StatementError(
            filename, stmt.line, f"<CURDEF> is '{currency}', not a currency code (like USD)."
        )
    number = stmt.text_at("BANKACCTFROM/ACCTID") or stmt.text_at("CCACCTFROM/ACCTID")
    transactions = stmt.findall("BANKTRANLIST/STMTTRN")
    rows = [transaction_row(node, currency, filename) for node in transactions]
    ledger = stmt.find("LEDGERBAL")
    if ledger is None:
        raise StatementError(
            filename,
            stmt.line,
            f"<{stmt.tag}> has no <LEDGERBAL> (the closing balance); the file is incomplete. "
            "Download it again.",
        )
    closing = StatedBalance(
        ofx_date(required(ledger, "DTASOF", filename), "DTASOF", ledger.line, filename),
        ofx_amount(required(ledger, "BALAMT", filename), "BALAMT", ledger.line, filename),
        currency,
        ledger.line,
    )
    label = "the credit-card statement" if stmt.tag == "CCSTMTRS" else "the bank statement"
    return Section(stmt.line, number, currency, tuple(rows), None, closing, label)


def read_ofx(data: bytes, filename: str) -> BankStatement:
    """Read an OFX/QFX file into a BankStatement; raise StatementError with file:line."""
    ofx = ofx_tree(data, filename)
    check_status(ofx, filename)
    statements = list(ofx.iter("STMTRS", "CCSTMTRS"))
    if not statements:
        raise StatementError(
            filename,
            ofx.line,
            "the OFX file holds no bank or credit-card statement (<STMTRS> or <CCSTMTRS>); an "
            "investment statement is not imported.",
        )
    sections = [statement_section(stmt, filename) for stmt in statements]
    statement = assemble(filename, sections, [])
    check_records(statement, ofx_transactions(data), "<STMTTRN> transactions")
    return statement


def looks_like_ofx(head: bytes) -> bool:
    """Tell whether the start of a file is OFX (a 1.x header, a 2.x PI, or `<OFX>`)."""
    text = head.decode("latin-1").upper()
    return "OFXHEADER" in text or "<OFX>" in text


class OfxImporter(FormatImporter):
    """Imports OFX/QFX bank and credit-card statements into one account."""

    format_name = "ofx"

    def recognises(self, head: bytes) -> bool:
        """Tell whether the file is OFX."""
        return looks_like_ofx(head)

    def read(self, filepath: str) -> BankStatement:
        """Read the file into a BankStatement (raises StatementError)."""
        return read_ofx(read_bytes(filepath), filepath)
