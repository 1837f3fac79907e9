"""Reading a list of open invoices and bills (未结清单) to carry into new books as open items.

One row per invoice or bill still open on the opening date: the customer or vendor, its number,
its date, its due date and the amount still open, with an optional currency. Header names in
Chinese or English (`客户`/`供应商`/`往来单位`, `Customer`, `Vendor`; `发票号`/`单据号`, `Invoice`,
`Number`; `日期`, `Date`; `到期日`, `Due date`; `未结金额`/`余额`, `Open amount`, `Amount`);
CSV in any encoding, XLSX or XLS, as `beanfirm.ingest.trialbalance` reads them. Every row is
read or refused: a row without a party, number, date, due date or amount, an amount that is not
positive, a date in no unambiguous form, or a total row that does not add up.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from beanfirm.errors import StatementError
from beanfirm.importers.amounts import AmountError, clean, parse_amount
from beanfirm.importers.dates import DateError, parse_date
from beanfirm.importers.table import HEADER_SEARCH_ROWS, Row
from beanfirm.ingest.trialbalance import is_total, normalized, table_rows

ZERO = Decimal(0)
DATE_FORMATS = (
    "%Y-%m-%d",
    "%Y/%m/%d",
    "%Y.%m.%d",
    "%Y年%m月%d日",
    "%Y%m%d",
    "%Y-%m-%d %H:%M:%S",
    "%Y/%m/%d %H:%M:%S",
)
HEADERS: dict[str, frozenset[str]] = {
    "party": frozenset(
        {"客户", "供应商", "往来单位", "客户名称", "供应商名称", "单位名称", "customer",
         "vendor", "supplier", "party", "contact", "customername", "vendorname"}
    ),
    "number": frozenset(
        {"单据号", "单据编号", "发票号", "发票号码", "单号", "invoice", "invoiceno.",
         "invoicenumber", "invoice#", "bill", "billno.", "billnumber", "number", "no.",
         "reference"}
    ),
    "date": frozenset(
        {"日期", "单据日期", "开票日期", "发票日期", "date", "invoicedate", "billdate"}
    ),
    "due": frozenset({"到期日", "到期日期", "due", "duedate"}),
    "amount": frozenset(
        {"未结金额", "未收金额", "未付金额", "余额", "金额", "openamount", "amountdue",
         "balance", "amount", "outstanding", "balancedue"}
    ),
    "currency": frozenset({"币种", "货币", "currency"}),
}  # fmt: skip
REQUIRED = ("party", "number", "date", "due", "amount")


@dataclass(frozen=True)
class OpenItemRow:
    """One open invoice or bill as the file states it."""

    line: int
    party: str
    number: str
    date: datetime.date
    due: datetime.date
    amount: Decimal
    currency: str | None


def _columns(row: Row) -> dict[str, int]:
    found: dict[str, int] = {}
    for position, cell in enumerate(row.cells):
        label = normalized(cell)
        for key, names in HEADERS.items():
            if label in names:
                found.setdefault(key, position)
    return found


def _header_index(rows: Sequence[Row]) -> int | None:
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        if set(REQUIRED) <= _columns(row).keys():
            return index
    return None


def read_open_items(data: bytes, filename: str) -> list[OpenItemRow]:
    """Read every row of an open items file; raise on the first that is not right."""
    rows = table_rows(data, filename, _header_index)
    index = _header_index(rows)
    if index is None:
        raise StatementError(
            filename,
            None,
            "no header row with the columns of open items was found: it needs a party "
            "(客户/供应商, Customer/Vendor), a number (发票号/单据号, Invoice/Number), a date "
            "(日期, Date), a due date (到期日, Due date) and the open amount (未结金额, Amount). "
            "See docs/opening.md.",
        )
    columns = _columns(rows[index])
    items: list[OpenItemRow] = []
    for row in rows[index + 1 :]:
        if row.is_blank():
            continue
        cells = {key: _cell(row, position) for key, position in columns.items()}
        if is_total(next((clean(c) for c in row.cells if clean(c)), "")):
            _check_total(row, cells["amount"], items, filename)
            continue
        items.append(_item(row, cells, filename))
    return items


def _cell(row: Row, position: int) -> str:
    return clean(row.cells[position]) if position < len(row.cells) else ""


def _item(row: Row, cells: dict[str, str], filename: str) -> OpenItemRow:
    missing = [key for key in REQUIRED if not cells[key]]
    if missing:
        raise StatementError(
            filename,
            row.line,
            f"this open item has no {', '.join(missing)}. Every row needs a party, a number, a "
            "date, a due date and the amount still open; fill them in or remove the row.",
        )
    amount = _amount(row, cells["amount"], filename)
    if amount.number <= 0:
        raise StatementError(
            filename,
            row.line,
            f"the open amount is {amount.number}; an open item is an invoice or bill still "
            "(partly) unpaid, so its amount is positive. Carry a credit or prepayment in by hand "
            "(docs/opening.md).",
        )
    date, due = _date(row, cells["date"], filename), _date(row, cells["due"], filename)
    return OpenItemRow(
        row.line,
        cells["party"],
        cells["number"],
        date,
        due,
        amount.number,
        cells.get("currency") or amount.currency,
    )


def _amount(row: Row, text: str, filename: str) -> _Money:
    try:
        money = parse_amount(text)
    except AmountError as exc:
        raise StatementError(
            filename, row.line, f"the amount {text!r} is not an amount ({exc}); correct it."
        ) from exc
    if money is None:
        raise StatementError(filename, row.line, "the row has no open amount; fill it in.")
    return _Money(money.number, money.currency)


@dataclass(frozen=True)
class _Money:
    number: Decimal
    currency: str | None


def _date(row: Row, text: str, filename: str) -> datetime.date:
    try:
        return parse_date(text, DATE_FORMATS).date
    except DateError as exc:
        raise StatementError(
            filename,
            row.line,
            f"{exc}. Write dates as YYYY-MM-DD (a day/month order beanfirm cannot tell is not "
            "guessed).",
        ) from exc


def _check_total(row: Row, text: str, items: list[OpenItemRow], filename: str) -> None:
    total = _amount(row, text, filename).number if text else None
    listed = sum((item.amount for item in items), ZERO)
    if total is not None and total != listed:
        raise StatementError(
            filename,
            row.line,
            f"the total row says {total:,}, but the open items above it add up to {listed:,}. "
            "Rows are missing or were edited: export the list again.",
        )
