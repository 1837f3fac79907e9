"""A cross-border seller of the demo: Amazon payouts and advertising in USD, converted to CNY."""

from __future__ import annotations

import datetime
from decimal import Decimal

from beanfirm.core.journal import Posting, Txn
from beanfirm.demo.book import (
    ADVERTISING,
    BOC_USD,
    CMB,
    CN_OVERHEADS,
    COGS,
    SALES,
    GeneratedBook,
    book_expense,
    cents,
    monthly_overheads,
    random_day,
)


def crossborder_month(book: GeneratedBook, month: datetime.date, per_month: int) -> None:
    """Add a month of a cross-border seller: payouts, ads in USD, a conversion, purchases."""
    rng = book.rng
    monthly_overheads(book, month, CMB, CN_OVERHEADS, 1)
    payouts = max(per_month - 5, 1)
    for index in range(payouts):
        date = random_day(rng, month)
        if index % 5 == 4:  # noqa: PLR2004 - advertising in USD, one in five
            book_expense(
                book,
                date,
                "Amazon Ads",
                "亚马逊广告费",
                ADVERTISING,
                BOC_USD,
                cents(rng, 100, 800),
                "USD",
            )
            continue
        gross = cents(rng, 500, 4000)
        book.add(
            Txn(
                date,
                "Amazon Payments",
                "亚马逊销售回款",
                (
                    Posting(BOC_USD, gross, "USD"),
                    Posting(SALES, -gross, "USD"),
                ),
            )
        )
    rate = Decimal("7.1") + Decimal(rng.randint(-800, 800)) / 10000
    usd = Decimal(rng.randint(20, 60) * 100)
    book.add(
        Txn(
            month.replace(day=26),
            "中国银行",
            "美元结汇",
            (
                Posting(BOC_USD, -usd, "USD", price=(rate, "CNY")),
                Posting(CMB, (usd * rate).quantize(Decimal("0.01")), "CNY"),
            ),
        )
    )
    # The month-end rate the close revalues the dollars at (期末调汇): the bank's middle rate,
    # a little above the rate it buys dollars at (the 结汇 above).
    month_end = (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    book.prices.append(
        (
            month_end - datetime.timedelta(days=1),
            "USD",
            (rate * Decimal("1.003")).quantize(Decimal("0.0001")),
        )
    )
    book_expense(
        book, month.replace(day=18), "义乌供应商", "采购商品", COGS, CMB, cents(rng, 20000, 60000)
    )
