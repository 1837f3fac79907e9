"""What every kind of generated client shares: its book, random amounts and days, accounts."""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass, field
from decimal import Decimal

from beanfirm.core.journal import Posting, Txn
from beanfirm.store.registry import Client

ICBC = "Assets:1002-银行存款:工商银行"
CMB = "Assets:1002-银行存款:招商银行"
BOC_USD = "Assets:1002-银行存款:中国银行美元户"
ALIPAY = "Assets:1012-其他货币资金:支付宝"
WECHAT = "Assets:1012-其他货币资金:微信支付"
EN_BANK = "Assets:Bank:CMB"
EN_CARD = "Liabilities:CreditCard:CMB"
SALES = "Income:5001-主营业务收入"
COGS = "Expenses:5401-主营业务成本"
VAT = "Liabilities:2221-应交税费:应交增值税"
FEES = "Expenses:5603-财务费用:手续费"
RENT = "Expenses:5602-管理费用:房租"
UTILITIES = "Expenses:5602-管理费用:水电费"
SALARIES = "Expenses:5602-管理费用:职工薪酬"
OFFICE = "Expenses:5602-管理费用:办公费"
FREIGHT = "Expenses:5601-销售费用:运输费"
ADVERTISING = "Expenses:5601-销售费用:广告费"
FX = "Expenses:5603-财务费用:汇兑损益"
RECEIVABLE_CN = "Assets:1122-应收账款"
PAYABLE_CN = "Liabilities:2202-应付账款"

CN_OVERHEADS = {"rent": RENT, "utilities": UTILITIES, "salaries": SALARIES}
EN_OVERHEADS = {
    "rent": "Expenses:Rent",
    "utilities": "Expenses:Utilities",
    "salaries": "Expenses:Salaries",
}


def cents(rng: random.Random, low: int, high: int) -> Decimal:
    """Return a random amount between low and high (in currency units), to the cent."""
    return Decimal(rng.randint(low * 100, high * 100)) / 100


def random_day(rng: random.Random, month: datetime.date) -> datetime.date:
    """Return a random day of the month, the 1st to the 28th."""
    return month.replace(day=rng.randint(1, 28))


def month_starts(start: datetime.date, count: int) -> list[datetime.date]:
    """Return the first days of `count` months from `start`'s month on."""
    months = []
    year, month = start.year, start.month
    for _ in range(count):
        months.append(datetime.date(year, month, 1))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)  # noqa: PLR2004
    return months


@dataclass
class GeneratedBook:
    """The entries of one client being generated."""

    client: Client
    rng: random.Random
    txns: list[Txn] = field(default_factory=list)
    opens: list[str] = field(default_factory=list)
    serial: int = 0
    # month-end rates: the day, the foreign currency and its rate in the client's currency
    prices: list[tuple[datetime.date, str, Decimal]] = field(default_factory=list)

    def add(self, txn: Txn) -> None:
        """Add a transaction to the book."""
        self.txns.append(txn)

    def next_id(self, prefix: str, date: datetime.date) -> str:
        """Return the next document number, like INV-2025-0001."""
        self.serial += 1
        return f"{prefix}-{date.year}-{self.serial:04d}"


def book_expense(
    book: GeneratedBook,
    date: datetime.date,
    payee: str,
    narration: str,
    expense: str,
    paid_from: str,
    amount: Decimal,
    currency: str = "CNY",
    *,
    tags: tuple[str, ...] = (),
    meta: tuple[tuple[str, str], ...] = (),
) -> None:
    """Add an expense paid from an account (a bank, a wallet or a card)."""
    book.add(
        Txn(
            date,
            payee,
            narration,
            (
                Posting(expense, amount, currency),
                Posting(paid_from, -amount, currency),
            ),
            tags=tags,
            meta=meta,
        )
    )


def monthly_overheads(
    book: GeneratedBook, month: datetime.date, bank: str, accounts: dict[str, str], scale: int
) -> None:
    """Add the month's rent, electricity and salaries, paid from the bank."""
    rng = book.rng
    book_expense(
        book,
        month.replace(day=5),
        "上海恒基物业",
        "房租",
        accounts["rent"],
        bank,
        Decimal(3000 * scale),
    )
    book_expense(
        book,
        month.replace(day=10),
        "国家电网",
        "电费",
        accounts["utilities"],
        bank,
        cents(rng, 200 * scale, 600 * scale),
    )
    book_expense(
        book,
        month.replace(day=15),
        "员工工资",
        "发放工资",
        accounts["salaries"],
        bank,
        Decimal(8000 * scale),
    )
