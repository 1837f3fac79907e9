"""A retail shop of the demo: small sales through Alipay and WeChat, swept into the bank."""

from __future__ import annotations

import datetime
from decimal import Decimal

from beanfirm.core.journal import Posting, Txn
from beanfirm.demo.book import (
    ALIPAY,
    CN_OVERHEADS,
    COGS,
    FEES,
    ICBC,
    SALES,
    VAT,
    WECHAT,
    GeneratedBook,
    book_expense,
    cents,
    monthly_overheads,
    random_day,
)

RETAIL_PAYEES = ("顾客扫码", "美团外卖", "饿了么", "顾客付款")
RETAIL_SUPPLIERS = ("上海光明乳业", "农夫山泉经销商", "统一企业", "康师傅饮品")


def _sale(
    book: GeneratedBook, date: datetime.date, account: str, payee: str, low: int, high: int
) -> None:
    gross = cents(book.rng, low, high)
    tax = (gross * Decimal("0.03") / Decimal("1.03")).quantize(Decimal("0.01"))
    book.add(
        Txn(
            date,
            payee,
            "门店销售收款",
            (
                Posting(account, gross, "CNY"),
                Posting(SALES, -(gross - tax), "CNY"),
                Posting(VAT, -tax, "CNY"),
            ),
        )
    )


def retail_month(book: GeneratedBook, month: datetime.date, per_month: int) -> None:
    """Add a month of a shop: wallet sales, purchases, fees, sweeps to the bank."""
    rng = book.rng
    monthly_overheads(book, month, ICBC, CN_OVERHEADS, 1)
    fixed = 3 + 2 + 2
    for index in range(max(per_month - fixed, 1)):
        date = random_day(rng, month)
        if index % 10 == 9:  # noqa: PLR2004 - about one purchase in ten
            supplier = rng.choice(RETAIL_SUPPLIERS)
            book_expense(book, date, supplier, "进货", COGS, ICBC, cents(rng, 500, 3000))
        else:
            wallet = ALIPAY if rng.random() < 0.5 else WECHAT  # noqa: PLR2004
            _sale(book, date, wallet, rng.choice(RETAIL_PAYEES), 10, 300)
    for wallet, name in ((ALIPAY, "支付宝"), (WECHAT, "微信支付")):
        fee = cents(rng, 5, 30)
        book_expense(book, month.replace(day=27), name, "服务费", FEES, wallet, fee)
        # Sweep most of the wallet into the bank; the bank leg is what the bank shows.
        amount = cents(rng, 1000, 3000)
        book.add(
            Txn(
                month.replace(day=28),
                name,
                f"{name}提现到工商银行",
                (
                    Posting(ICBC, amount, "CNY"),
                    Posting(wallet, -amount, "CNY"),
                ),
            )
        )


def awaiting_categorization(book: GeneratedBook, month: datetime.date) -> None:
    """Leave a few of the latest month's payments uncategorized, as an import does."""
    unknown = (("中国移动", "话费充值", 100), ("拼多多", "商品", 86), ("滴滴出行", "快车", 43))
    for day, (payee, narration, amount) in zip((24, 25, 26), unknown, strict=True):
        book.add(
            Txn(
                month.replace(day=day),
                payee,
                narration,
                (
                    Posting("Expenses:Uncategorized", Decimal(amount), "CNY"),
                    Posting(ALIPAY, -Decimal(amount), "CNY"),
                ),
                flag="!",
            )
        )
