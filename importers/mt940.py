"""SWIFT MT940 customer statements: one or more statements per file.

A file is a run of fields, each starting with a tag on its own line (`:61:`) and continued by
the lines that follow it; a SWIFT envelope (`{1:…}{2:…}{4:` … `-}`) and a bank's own header
lines before the first field are passed over. Each `:20:` starts a statement:

- `:25:` the account (`account_number()`), `:28C:` the statement number;
- `:60F:` / `:60M:` the opening balance, `:62F:` / `:62M:` the closing balance: `C`/`D`,
  YYMMDD, currency, amount with a decimal comma (`C240131EUR1234,56`);
- each `:61:` a row: value date YYMMDD, optional entry (booking) date MMDD, mark `C`/`D` or
  `RC`/`RD` (a reversal of a credit is money out, of a debit money in), optional funds code,
  amount, transaction type (`NTRF`; `S` and a SWIFT message type, which some banks pad with
  spaces: `S 20`), the account owner's reference, `//` and the bank's reference, and on its
  second line supplementary details (`details` metadata);
- the `:86:` after a `:61:` its information, all lines joined: the German structured form
  (`166?00SEPA-GUTSCHRIFT?20…?32Name`) gives the purpose `?20` to `?29`, `?60` to `?63` as
  narration, `?32` and `?33` as payee, `?31` as counterparty and `?00` as `booking-text`; when
  the purpose is in SEPA keywords, `SVWZ+` is the narration and `EREF+` the `end-to-end`
  metadata; the Dutch structured form (`/TRTP/…/IBAN/…/NAME/…/REMI/…/`, ABN AMRO, ING,
  Rabobank's `/CNTP/`) gives `NAME` as payee, `IBAN` as counterparty and `REMI` as
  narration (`dutch_information`).

A row's date is its booking date (the year taken from the value date, across New Year), else
its value date; a different value date goes to `value-date` metadata. `import-id` is the bank's
reference as is, else the owner's reference qualified by the date (`2024-01-05/INV 77`), never
`NONREF`; else the row's fingerprint. Opening balance plus rows must equal the closing balance
of each statement, and each statement must open with the previous one's closing balance.
Every `:61:` of the file must be read (`beanfirm.importers.recordcount`), or the file is
refused.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple

from beanfirm.errors import StatementError
from beanfirm.importers.bankstatement import Section, StatedBalance, assemble
from beanfirm.importers.importer import FormatImporter, read_bytes
from beanfirm.importers.recordcount import check_records, mt940_transactions
from beanfirm.importers.statement import BankStatement, StatementRow
from beanfirm.importers.textfile import decode_western

HEAD_BYTES = 8192
FIELD = re.compile(r"^:(\d{2}[A-Z]?):(.*)$")
ENVELOPE = re.compile(r"\{[1-3]:(?:[^{}]|\{[^{}]*\})*\}|\{4:|\{5:(?:[^{}]|\{[^{}]*\})*\}")
BALANCE = re.compile(r"^(?P<mark>[CD])(?P<date>\d{6})(?P<currency>[A-Z]{3})(?P<amount>\d+,\d*)$")
LINE_61 = re.compile(
    r"^(?P<value>\d{6})(?P<entry>\d{4})?(?P<mark>RC|RD|C|D)(?P<funds>[A-Z])?"
    r"(?P<amount>\d+,\d*)(?P<type>[NF][A-Z0-9]{3}|S[A-Z0-9 ]{3})"
    r"(?P<ref>.*?)(?://(?P<bankref>.*))?$"
)
SUBFIELD = re.compile(r"\?(\d{2})")
STRUCTURED = re.compile(r"^\d{3}\?\d{2}")
# The keys of the Dutch structured form (`/TRTP/SEPA OVERBOEKING/IBAN/…/NAME/…/REMI/…/`); a
# value runs to the next `/KEY/` or to the end (a value may hold slashes: `USTD//text`).
DUTCH_KEY_NAMES = (
    "TRTP|IBAN|BIC|NAME|REMI|EREF|MARF|CSID|ORDP|BENM|ADDR|ISDT|RTRN|PREF|CNTP|ULTC|ULTD|ULTB"
    "|PURP|SVCL|CREF|EXCH|CHGS|ORIG|ID"
)
DUTCH_KEYS = re.compile(r"/(?:NAME|REMI|IBAN|TRTP|CNTP)/")
DUTCH_FIELD = re.compile(rf"/({DUTCH_KEY_NAMES})/(.*?)(?=/(?:{DUTCH_KEY_NAMES})/|/?$)")
SEPA_KEYWORD = re.compile(r"(EREF|KREF|MREF|CRED|DEBT|SVWZ|ABWA|ABWE|IBAN|BIC)\+")
NO_REFERENCE = ("NONREF", "NOTPROVIDED", "NONE", "")
IGNORED_TAGS = ("21", "13", "13D", "34F", "64", "65", "90C", "90D")
LINE_WIDTH = 65
YEAR_PIVOT = 70


class Information(NamedTuple):
    """What a `:86:` field says of its row."""

    narration: str
    payee: str | None
    counterparty: str | None
    meta: list[tuple[str, str]]


@dataclass
class Field:
    """One tagged field and the line it starts on."""

    tag: str
    lines: list[str]
    line: int

    @property
    def value(self) -> str:
        """Return the first line's value."""
        return self.lines[0].strip()


@dataclass
class Message:
    """The fields of one statement, from its `:20:`."""

    line: int
    fields: list[Field] = field(default_factory=list)


def read_fields(text: str) -> list[Message]:
    """Split the text into statements of fields (envelopes and stray lines passed over)."""
    messages: list[Message] = []
    current: Field | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        line = ENVELOPE.sub("", raw).rstrip()
        if line.strip() == "-" or line.startswith("-}"):
            current = None  # the end of a message
            continue
        found = FIELD.match(line)
        if found:
            current = Field(found[1], [found[2]], number)
            if current.tag == "20":
                messages.append(Message(number))
            if messages:
                messages[-1].fields.append(current)
            continue
        if current is not None and line.strip():
            current.lines.append(line)
    return messages


def yymmdd(text: str, line: int, filename: str, what: str) -> datetime.date:
    """Return the date of a YYMMDD field."""
    year = int(text[:2])
    try:
        return datetime.date(
            year + (2000 if year < YEAR_PIVOT else 1900), int(text[2:4]), int(text[4:6])
        )
    except ValueError as exc:
        raise StatementError(
            filename, line, f"{what} has the date '{text}', which does not exist."
        ) from exc


def entry_date(mmdd: str, value: datetime.date, line: int, filename: str) -> datetime.date:
    """Return the booking date MMDD in the year that puts it nearest the value date."""
    candidates: list[datetime.date] = []
    for year in (value.year - 1, value.year, value.year + 1):
        try:
            candidates.append(datetime.date(year, int(mmdd[:2]), int(mmdd[2:])))
        except ValueError:
            continue
    if not candidates:
        raise StatementError(
            filename, line, f":61: has the booking date '{mmdd}', which does not exist."
        )
    return min(candidates, key=lambda day: abs((day - value).days))


def comma_amount(text: str) -> Decimal:
    """Return an amount written with a decimal comma (`1234,56`, `100,`)."""
    whole, _, fraction = text.partition(",")
    return Decimal(f"{whole}.{fraction or '0'}")


def balance(item: Field, filename: str) -> StatedBalance:
    """Return the balance of a `:60x:` or `:62x:` field."""
    found = BALANCE.match(item.value)
    if found is None:
        raise StatementError(
            filename,
            item.line,
            f":{item.tag}: is '{item.value}', not a balance (C or D, YYMMDD, currency, amount "
            "with a decimal comma, like C240131EUR1234,56).",
        )
    number = comma_amount(found["amount"])
    return StatedBalance(
        yymmdd(found["date"], item.line, filename, f":{item.tag}:"),
        number if found["mark"] == "C" else -number,
        found["currency"],
        item.line,
    )


def joined(lines: list[str]) -> str:
    """Join wrapped lines: a full-width line was cut mid-word, a shorter one at a space."""
    text = ""
    for index, line in enumerate(lines):
        text += line
        if index < len(lines) - 1 and len(line) < LINE_WIDTH:
            text += " "
    return text


def dutch_information(flat: str) -> Information | None:
    """Return what a Dutch structured `:86:` says (`/TRTP/…/IBAN/…/NAME/…/REMI/…/`), if it is one.

    ABN AMRO, ING and Rabobank write `/KEY/value` pairs: `NAME` (or the name in Rabobank's
    `/CNTP/iban/bic/name/city/`) is the payee, `IBAN` the counterparty, `REMI` the narration
    (without its `USTD//` or `STRD/CUR/` prefix; `TRTP`, the kind of transfer, when there is
    none), `TRTP` the `booking-text`, `EREF` the `end-to-end` metadata, `MARF` the `mandate`,
    `CSID` the `creditor-id`.
    """
    if not flat.startswith("/") or not DUTCH_KEYS.search(flat):
        return None
    found: dict[str, str] = {}
    for key, value in DUTCH_FIELD.findall(flat):
        found.setdefault(key, value.strip().rstrip("/"))  # ING ends a value with `//`
    if "CNTP" in found:
        iban, bic, name, *_ = [*found["CNTP"].split("/"), "", "", ""]
        found.setdefault("IBAN", iban)
        found.setdefault("BIC", bic)
        found.setdefault("NAME", name)
    remittance = found.get("REMI", "")
    for prefix in ("USTD//", "USTD/", "STRD/CUR/", "STRD//"):
        if remittance.startswith(prefix):
            remittance = remittance[len(prefix) :]
            break
    kind = " ".join(found.get("TRTP", "").split())
    meta = [("booking-text", kind)] if kind else []
    for key, name in (("EREF", "end-to-end"), ("MARF", "mandate"), ("CSID", "creditor-id")):
        value = found.get(key, "")
        if value and value.upper() not in NO_REFERENCE:
            meta.append((name, value))
    return Information(
        " ".join(remittance.split()) or kind,
        " ".join(found.get("NAME", "").split()) or None,
        found.get("IBAN") or None,
        meta,
    )


def information(lines: list[str]) -> Information:
    """Return narration, payee, counterparty and metadata from a `:86:` field."""
    flat = "".join(line.strip("\r") for line in lines)
    dutch = dutch_information(flat)
    if dutch is not None:
        return dutch
    if not STRUCTURED.match(flat):
        return Information(" ".join(joined(lines).split()), None, None, [])
    parts = SUBFIELD.split(flat)
    sub: dict[int, str] = {}
    for code, value in zip(parts[1::2], parts[2::2], strict=False):
        sub[int(code)] = sub.get(int(code), "") + value
    purpose = "".join(sub.get(code, "") for code in (*range(20, 30), *range(60, 64)))
    payee = " ".join((sub.get(32, "") + sub.get(33, "")).split()) or None
    booking = " ".join(sub.get(0, "").split())
    meta = [("booking-text", booking)] if booking else []
    keywords = dict(zip(*[iter(SEPA_KEYWORD.split(purpose)[1:])] * 2, strict=False))
    if keywords:
        purpose = keywords.get("SVWZ", "")
        end_to_end = keywords.get("EREF", "").strip()
        if end_to_end and end_to_end.upper() not in NO_REFERENCE:
            meta.append(("end-to-end", end_to_end))
    narration = " ".join(purpose.split()) or booking
    return Information(narration, payee, sub.get(31, "").strip() or None, meta)


def line_61_problem(value: str) -> str:
    """Say which part of a `:61:` value that `LINE_61` refuses is not as SWIFT lays it out."""
    head = re.match(r"\d{6}(\d{4})?", value)
    if head is None:
        return "it does not start with the value date YYMMDD"
    rest = value[head.end() :]
    mark = re.match(r"(RC|RD|C|D)[A-Z]?", rest)
    if mark is None:
        return f"'{rest[:2]}' after the date(s) is not the mark C, D, RC or RD"
    rest = rest[mark.end() :] if re.match(r"\d", rest[mark.end() :]) else rest[len(mark[1]) :]
    amount = re.match(r"\d+,\d*", rest)
    if amount is None:
        return f"'{rest[:12]}' after the mark is not an amount with a decimal comma (12,50)"
    kind = rest[amount.end() : amount.end() + 4]
    if not kind:
        return "no transaction type (NTRF) follows the amount"
    return (
        f"the transaction type '{kind}' after the amount is "
        "not N or F and three letters or digits (NTRF), nor S and a SWIFT message type (S103)"
    )


def statement_row(item: Field, info: Field | None, currency: str, filename: str) -> StatementRow:
    """Return the row of a `:61:` field and its `:86:`."""
    found = LINE_61.match(item.value)
    if found is None:
        raise StatementError(
            filename,
            item.line,
            f":61: is '{item.value}', not a statement line: {line_61_problem(item.value)}. "
            "A statement line is value date YYMMDD, optional booking date MMDD, C/D/RC/RD, "
            "amount with a decimal comma, a type like NTRF, a reference. If the bank writes "
            "every line so, report it with the file; else export the statement again.",
        )
    value = yymmdd(found["value"], item.line, filename, ":61:")
    booked = entry_date(found["entry"], value, item.line, filename) if found["entry"] else value
    number = comma_amount(found["amount"])
    if found["mark"] in ("D", "RC"):
        number = -number
    meta: list[tuple[str, str]] = [("type", found["type"].rstrip())]
    if value != booked:
        meta.append(("value-date", value.isoformat()))
    if found["mark"].startswith("R"):
        meta.append(("reversal", "true"))
    details = " ".join(" ".join(item.lines[1:]).split())
    if details:
        meta.append(("details", details))
    narration, payee, counterparty, extra = (
        information(info.lines) if info else Information("", None, None, [])
    )
    bank_ref = (found["bankref"] or "").strip()
    own_ref = found["ref"].strip()
    serial = None
    if bank_ref.upper() not in NO_REFERENCE:
        serial = bank_ref
    elif own_ref.upper() not in NO_REFERENCE:
        serial = f"{booked.isoformat()}/{own_ref}"
    return StatementRow(
        line=item.line,
        date=booked,
        time=None,
        number=number,
        currency=currency,
        payee=payee,
        narration=narration or details,
        counterparty=counterparty,
        balance=None,
        serial=serial,
        meta=tuple(meta + extra),
    )


def only(message: Message, tags: tuple[str, ...], filename: str) -> Field:
    """Return the one field with one of these tags, or raise naming what is missing."""
    found = [item for item in message.fields if item.tag in tags]
    if not found:
        names = " or ".join(f":{tag}:" for tag in tags)
        raise StatementError(
            filename,
            message.line,
            f"the statement starting here has no {names}; the file is truncated or damaged. "
            "Export it again.",
        )
    if len(found) > 1:
        raise StatementError(
            filename, found[1].line, f"the statement has a second :{found[1].tag}: field."
        )
    return found[0]


def message_section(message: Message, filename: str) -> Section:
    """Return one statement as a Section."""
    account = only(message, ("25",), filename).value
    opening = balance(only(message, ("60F", "60M"), filename), filename)
    closing_field = only(message, ("62F", "62M"), filename)
    closing = balance(closing_field, filename)
    if closing.currency != opening.currency:
        raise StatementError(
            filename,
            closing_field.line,
            f"the closing balance is in {closing.currency} but the opening balance in "
            f"{opening.currency}.",
        )
    rows: list[StatementRow] = []
    state = "head"  # head → rows (after :60x:) → tail (after :62x:)
    for index, item in enumerate(message.fields):
        if item.tag in ("60F", "60M"):
            state = "rows"
        elif item.tag in ("62F", "62M"):
            state = "tail"
        elif item.tag == "61":
            if state != "rows":
                raise StatementError(
                    filename,
                    item.line,
                    ":61: must come between the opening (:60F:) and closing (:62F:) balance.",
                )
            after = message.fields[index + 1] if index + 1 < len(message.fields) else None
            info = after if after is not None and after.tag == "86" else None
            rows.append(statement_row(item, info, opening.currency, filename))
        elif item.tag not in ("20", "25", "28", "28C", "86", *IGNORED_TAGS):
            raise StatementError(
                filename, item.line, f":{item.tag}: is not a field of an MT940 statement."
            )
    number = next((i.value for i in message.fields if i.tag in ("28C", "28")), "")
    reference = message.fields[0].value
    label = f"the statement {reference} {number}".strip()
    return Section(message.line, account, opening.currency, tuple(rows), opening, closing, label)


def read_mt940(data: bytes, filename: str) -> BankStatement:
    """Read an MT940 file into a BankStatement; raise StatementError with file:line."""
    text = decode_western(data, filename)
    messages = read_fields(text)
    if not messages:
        raise StatementError(
            filename,
            None,
            "the file has no :20: field, so no MT940 statement; it is not an MT940 file.",
        )
    sections = [message_section(message, filename) for message in messages]
    statement = assemble(filename, sections, [])
    check_records(statement, mt940_transactions(text), ":61: statement lines")
    return statement


def looks_like_mt940(head: str) -> bool:
    """Tell whether the start of a file is MT940 (a :20: and an opening balance)."""
    return bool(re.search(r"^:20:", head, re.MULTILINE)) and bool(
        re.search(r"^:60[FM]:", head, re.MULTILINE)
    )


class Mt940Importer(FormatImporter):
    """Imports SWIFT MT940 statements into one account."""

    format_name = "mt940"

    head_bytes = HEAD_BYTES

    def recognises(self, head: bytes) -> bool:
        """Tell whether the file is MT940."""
        return looks_like_mt940(ENVELOPE.sub("", head.decode("latin-1")))

    def read(self, filepath: str) -> BankStatement:
        """Read the file into a BankStatement (raises StatementError)."""
        return read_mt940(read_bytes(filepath), filepath)
