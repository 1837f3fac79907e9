"""ISO 20022 CAMT.053 bank-to-customer statements (XML), any version (001.02 to 001.08+).

The versions differ in their namespace and a few wrappers (`Sts` became `Sts/Cd`, a party's
`Nm` moved under `Pty`); both forms are read. Each `Stmt` is a statement:

- `Acct/Id/IBAN` (or `Acct/Id/Othr/Id`) is the account number (`account_number()`);
- `Bal` with `Tp/CdOrPrtry/Cd` `OPBD` (opening booked; `PRCD`, previously closed booked, when
  there is no OPBD) and `CLBD` (closing booked) are its balances: `Amt@Ccy`, `CdtDbtInd`
  (`DBIT` is negative), `Dt/Dt`;
- each booked `Ntry` is one row: `Amt@Ccy`, `CdtDbtInd` for the sign (`CRDT` money in, `DBIT`
  money out; a reversal keeps its stated direction and gets `reversal: "true"`), `BookgDt`
  as the date (`ValDt` when there is none; a different value date goes to `value-date`
  metadata), `RmtInf/Ustrd` as the narration (else `AddtlTxInf`, else `AddtlNtryInf`), the
  other party (`RltdPties/Dbtr` for money in, `Cdtr` for money out) as payee and its IBAN as
  `counterparty`. Pending (`PDNG`) and information-only (`INFO`) entries are skipped.
- a batch entry (several `TxDtls`: a salary run, collected direct debits) is one row per
  payment when each states its amount and they add up to the entry's (`entry_rows`), else one
  row of the total with `transactions` metadata.

`import-id`: the bank's `AcctSvcrRef` (of the entry, or of its single transaction) as is; else
the payment's `EndToEndId` (never `NOTPROVIDED`), else the entry's `NtryRef`, qualified by the
booking date (`2024-01-05/E2E-77`), since those repeat across statements (a payer's fixed
reference, a per-statement sequence number); else the row's fingerprint. `EndToEndId` comes
before `NtryRef` because the payer sets it once, while some banks number `NtryRef` per
statement, so that it changes when the same entry is exported in another statement.
Opening balance plus booked
entries must equal the closing balance, per statement and currency. Every `<Ntry>` of the file
must be read or skipped (`beanfirm.importers.recordcount`), or the file is refused.
"""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from decimal import Decimal

from beanfirm.errors import StatementError
from beanfirm.importers.bankstatement import Section, StatedBalance, assemble
from beanfirm.importers.dates import leading_date
from beanfirm.importers.importer import FormatImporter, read_bytes
from beanfirm.importers.recordcount import camt_entries, check_records
from beanfirm.importers.statement import BankStatement, SkippedRow, StatementRow
from beanfirm.importers.xmltree import Node, parse_xml

AMOUNT = re.compile(r"^\d+(\.\d+)?$")
ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")
CURRENCY = re.compile(r"^[A-Z]{3}$")
OPENING_CODES = ("OPBD", "PRCD")
CLOSING_CODE = "CLBD"
NO_REFERENCE = ("NOTPROVIDED", "NONREF", "NONE")


def missing(node: Node, what: str, filename: str) -> StatementError:
    """Build the error for a required element that is missing or empty."""
    return StatementError(
        filename,
        node.line,
        f"<{node.tag}> has no {what}; the file is damaged or not a complete CAMT.053 "
        "statement. Export it again.",
    )


def camt_date(node: Node | None, owner: Node, what: str, filename: str) -> datetime.date:
    """Return the date of a `Dt`/`DtTm` choice (`BookgDt`, `ValDt`, `Bal/Dt`)."""
    if node is None:
        raise missing(owner, what, filename)
    text = node.text_at("Dt") or node.text_at("DtTm") or ""
    day = leading_date(ISO_DATE, text)
    if day is None:
        raise StatementError(
            filename, node.line, f"<{node.tag}> holds '{text}', not a date (YYYY-MM-DD)."
        )
    return day


def signed_amount(owner: Node, filename: str) -> tuple[Decimal, str]:
    """Return the signed amount and currency of an element with `Amt` and `CdtDbtInd`."""
    amt = owner.child("Amt")
    if amt is None or not amt.text.strip():
        raise missing(owner, "<Amt>", filename)
    text = amt.text.strip()
    currency = amt.attrs.get("Ccy", "")
    if not AMOUNT.match(text):
        raise StatementError(filename, amt.line, f"<Amt> is '{text}', not an amount (like 12.50).")
    if not CURRENCY.match(currency):
        raise StatementError(
            filename, amt.line, f"<Amt> has Ccy='{currency}', not a currency code (like EUR)."
        )
    indicator = owner.text_at("CdtDbtInd")
    if indicator not in ("CRDT", "DBIT"):
        raise StatementError(
            filename,
            owner.line,
            f"<{owner.tag}> has CdtDbtInd '{indicator or ''}'; it must be CRDT or DBIT.",
        )
    number = Decimal(text)
    return (number if indicator == "CRDT" else -number), currency


def status(entry: Node) -> str:
    """Return an entry's status code (`Sts` in 001.02, `Sts/Cd` later); BOOK if absent."""
    return (entry.text_at("Sts/Cd") or entry.text_at("Sts") or "BOOK").upper()


def party_name(details: Node | None, role: str) -> str | None:
    """Return the name of the debtor or creditor (`Dbtr/Nm` or `Dbtr/Pty/Nm`)."""
    if details is None:
        return None
    return details.text_at(f"RltdPties/{role}/Nm") or details.text_at(f"RltdPties/{role}/Pty/Nm")


def party_account(details: Node | None, role: str) -> str | None:
    """Return the debtor's or creditor's account (IBAN, else other id)."""
    if details is None:
        return None
    return details.text_at(f"RltdPties/{role}Acct/Id/IBAN") or details.text_at(
        f"RltdPties/{role}Acct/Id/Othr/Id"
    )


def reference(entry: Node, details: Node | None, booked: datetime.date) -> str | None:
    """Return the import id the entry itself gives (see the module docstring)."""
    own = entry.text_at("AcctSvcrRef") or (
        details.text_at("Refs/AcctSvcrRef") if details is not None else None
    )
    if own and own.upper() not in NO_REFERENCE:
        return own
    weaker = [details.text_at("Refs/EndToEndId") if details is not None else None]
    weaker.append(entry.text_at("NtryRef"))
    for ref in weaker:
        if ref and ref.upper() not in NO_REFERENCE:
            return f"{booked.isoformat()}/{ref}"
    return None


def narration(entry: Node, details: Node | None) -> str:
    """Return the remittance text of an entry."""
    texts: list[str] = []
    if details is not None:
        texts = [n.text.strip() for n in details.findall("RmtInf/Ustrd") if n.text.strip()]
        texts = texts or [details.text_at("AddtlTxInf") or ""]
    text = " ".join(t for t in texts if t) or entry.text_at("AddtlNtryInf") or ""
    return " ".join(text.split())


def detail_amount(details: Node, currency: str, sign: int) -> Decimal | None:
    """Return the signed amount of one `TxDtls` of a batch, in the entry's currency, if given.

    `TxDtls/Amt` (with its own `CdtDbtInd`, 001.04 on) or `AmtDtls/TxAmt/Amt` (001.02); the
    instructed amount may be in another currency and does not count.
    """
    amount = details.child("Amt") or details.find("AmtDtls/TxAmt/Amt")
    if amount is None or amount.attrs.get("Ccy") != currency:
        return None
    text = amount.text.strip()
    if not AMOUNT.match(text):
        return None
    indicator = details.text_at("CdtDbtInd")
    if indicator is not None:
        sign = 1 if indicator == "CRDT" else -1
    return sign * Decimal(text)


def entry_rows(entry: Node, filename: str) -> list[StatementRow]:
    """Return the rows of one booked `Ntry`: one, or one per payment of a batch.

    A batch (an entry with several `TxDtls`, a salary run, a collection of direct debits) is
    one row per payment when each payment states its amount and they add up to the entry's;
    each takes its party, text and reference (`import-id`: the payment's own `AcctSvcrRef`,
    else the entry's with `/1`, `/2`, … in the order listed, else the booking date and
    `EndToEndId`), and `batch` metadata names the entry. Otherwise the batch is one row of
    its total with `transactions: "N"`.
    """
    row = entry_row(entry, filename)
    payments = entry.findall("NtryDtls/TxDtls")
    if len(payments) < 2:  # noqa: PLR2004
        return [row]
    sign = 1 if row.number > 0 else -1
    amounts = [detail_amount(details, row.currency, sign) for details in payments]
    if any(amount is None for amount in amounts) or sum(amounts) != row.number:  # type: ignore[arg-type]
        return [row]
    own = entry.text_at("AcctSvcrRef")
    own = own if own and own.upper() not in NO_REFERENCE else None
    batch = own or entry.text_at("NtryRef") or f"line {entry.line}"
    rows = []
    for position, (details, amount) in enumerate(zip(payments, amounts, strict=True), start=1):
        assert amount is not None  # noqa: S101 - checked above
        role = "Dbtr" if amount > 0 else "Cdtr"
        payee = party_name(details, role)
        meta = tuple((key, value) for key, value in row.meta if key != "transactions")
        rows.append(
            row._replace(
                line=details.line,
                number=amount,
                payee=" ".join(payee.split()) if payee else None,
                narration=narration(entry, details),
                counterparty=party_account(details, role),
                serial=payment_reference(details, own, position, row.date),
                meta=(*meta, ("batch", batch)),
            )
        )
    return rows


def payment_reference(
    details: Node, entry_reference: str | None, position: int, booked: datetime.date
) -> str | None:
    """Return the import id of one payment of a batch (see `entry_rows`)."""
    own = details.text_at("Refs/AcctSvcrRef")
    if own and own.upper() not in NO_REFERENCE and own != entry_reference:
        return own
    if entry_reference:
        return f"{entry_reference}/{position}"
    end_to_end = details.text_at("Refs/EndToEndId")
    if end_to_end and end_to_end.upper() not in NO_REFERENCE:
        return f"{booked.isoformat()}/{end_to_end}"
    return None


def entry_row(entry: Node, filename: str) -> StatementRow:
    """Return the row of one booked `Ntry`, batch or not (its total)."""
    number, currency = signed_amount(entry, filename)
    value_node = entry.child("ValDt")
    booking_node = entry.child("BookgDt")
    booked = camt_date(booking_node or value_node, entry, "<BookgDt> or <ValDt>", filename)
    transactions = entry.findall("NtryDtls/TxDtls")
    details = transactions[0] if len(transactions) == 1 else None
    role = "Dbtr" if number > 0 else "Cdtr"
    meta: list[tuple[str, str]] = []
    if booking_node is not None and value_node is not None:
        valued = camt_date(value_node, entry, "<ValDt>", filename)
        if valued != booked:
            meta.append(("value-date", valued.isoformat()))
    if (entry.text_at("RvslInd") or "").lower() == "true":
        meta.append(("reversal", "true"))
    if len(transactions) > 1:
        meta.append(("transactions", str(len(transactions))))
    code = entry.text_at("BkTxCd/Domn/Fmly/SubFmlyCd") or entry.text_at("BkTxCd/Prtry/Cd")
    if code:
        meta.append(("bank-code", code))
    payee = party_name(details, role)
    return StatementRow(
        line=entry.line,
        date=booked,
        time=None,
        number=number,
        currency=currency,
        payee=" ".join(payee.split()) if payee else None,
        narration=narration(entry, details),
        counterparty=party_account(details, role),
        balance=None,
        serial=reference(entry, details, booked),
        meta=tuple(meta),
    )


def balances(
    stmt: Node, filename: str
) -> tuple[dict[str, StatedBalance], dict[str, StatedBalance]]:
    """Return the opening and closing balances of a statement, per currency."""
    openings: dict[str, tuple[int, StatedBalance]] = {}
    closings: dict[str, StatedBalance] = {}
    for bal in stmt.findall("Bal"):
        code = bal.text_at("Tp/CdOrPrtry/Cd") or bal.text_at("Tp/CdOrPrtry/Prtry") or ""
        if code not in (*OPENING_CODES, CLOSING_CODE):
            continue
        number, currency = signed_amount(bal, filename)
        stated = StatedBalance(
            camt_date(bal.child("Dt"), bal, "<Dt>", filename), number, currency, bal.line
        )
        if code == CLOSING_CODE:
            closings.setdefault(currency, stated)
            continue
        rank = OPENING_CODES.index(code)
        if currency not in openings or rank < openings[currency][0]:
            openings[currency] = (rank, stated)
    return {currency: stated for currency, (_, stated) in openings.items()}, closings


def statement_sections(
    stmt: Node, filename: str, skipped: list[SkippedRow]
) -> tuple[list[Section], int]:
    """Return the sections (one per currency) of one `Stmt`, and the rows batches added.

    The second figure is the number of rows beyond one per entry: a batch entry read as one row
    per payment adds the number of its payments less one.
    """
    number = stmt.text_at("Acct/Id/IBAN") or stmt.text_at("Acct/Id/Othr/Id")
    openings, closings = balances(stmt, filename)
    rows: dict[str, list[StatementRow]] = defaultdict(list)
    split = 0
    for entry in stmt.findall("Ntry"):
        state = status(entry)
        if state != "BOOK":
            skipped.append(SkippedRow(entry.line, f"the entry is not booked (status {state})"))
            continue
        found = entry_rows(entry, filename)
        split += len(found) - 1
        for row in found:
            rows[row.currency].append(row)
    if not closings:
        raise missing(stmt, "closing booked balance (<Bal> with code CLBD)", filename)
    for currency in sorted({*openings, *rows}):
        if currency not in closings:
            raise StatementError(
                filename,
                stmt.line,
                f"the statement has {currency} entries or balances but no {currency} closing "
                "balance (CLBD); the file is incomplete. Export it again.",
            )
    sections: list[Section] = []
    for currency, closing in sorted(closings.items()):
        opening = openings.get(currency)
        if opening is None:
            raise missing(stmt, f"{currency} opening booked balance (<Bal> code OPBD)", filename)
        label = f"the statement {stmt.text_at('Id') or ''}".rstrip()
        sections.append(
            Section(stmt.line, number, currency, tuple(rows[currency]), opening, closing, label)
        )
    return sections, split


def read_camt053(data: bytes, filename: str) -> BankStatement:
    """Read a CAMT.053 file into a BankStatement; raise StatementError with file:line."""
    root = parse_xml(data, filename)
    report = root.child("BkToCstmrStmt") if root.tag == "Document" else None
    if report is None:
        raise StatementError(
            filename,
            root.line,
            f"the XML root is <{root.tag}>, not a CAMT.053 <Document> with <BkToCstmrStmt>; "
            "this is not a bank-to-customer statement.",
        )
    statements = report.findall("Stmt")
    if not statements:
        raise missing(report, "<Stmt> (statement)", filename)
    skipped: list[SkippedRow] = []
    sections: list[Section] = []
    split = 0
    for stmt in statements:
        found, added = statement_sections(stmt, filename, skipped)
        sections += found
        split += added
    statement = assemble(filename, sections, skipped)
    check_records(statement, camt_entries(data), "<Ntry> entries", split=split)
    return statement


class Camt053Importer(FormatImporter):
    """Imports ISO 20022 CAMT.053 statements into one account."""

    format_name = "camt053"

    def recognises(self, head: bytes) -> bool:
        """Tell whether the file is a CAMT.053 document (by its namespace or root)."""
        text = head.decode("utf-8", errors="replace")
        return "camt.053" in text or "BkToCstmrStmt" in text

    def read(self, filepath: str) -> BankStatement:
        """Read the file into a BankStatement (raises StatementError)."""
        return read_camt053(read_bytes(filepath), filepath)
