"""A wholesaler of the demo: invoices to four customers and bills of two vendors, on terms."""

from __future__ import annotations

import datetime
from decimal import Decimal

from beanfirm.core.journal import Posting, Txn, meta_text, quote
from beanfirm.demo.book import (
    CMB,
    CN_OVERHEADS,
    COGS,
    FREIGHT,
    PAYABLE_CN,
    RECEIVABLE_CN,
    SALES,
    VAT,
    GeneratedBook,
    book_expense,
    cents,
    monthly_overheads,
    random_day,
)
from beanfirm.demo.customers import (
    CUSTOMER_ADDRESSES,
    DISPUTE_DAYS,
    WHOLESALE_CUSTOMERS,
    WHOLESALE_VENDORS,
    payment_delay,
)


def wholesale_opens(book: GeneratedBook, opened: datetime.date) -> None:
    """Open a receivable for each customer and a payable for each vendor."""
    for key, name, terms, limit, email in WHOLESALE_CUSTOMERS:
        book.opens.append(
            f"{opened} open {RECEIVABLE_CN}:{key} CNY\n"
            f"  name: {quote(name)}\n  terms-days: {terms}\n"
            f"{meta_text('credit-limit', f'{limit}.00 CNY')}\n"
            f'  email: {quote(email)}\n  language: "zh"\n'
            f"  address: {quote(CUSTOMER_ADDRESSES[key])}\n"
        )
    for key, name, terms in WHOLESALE_VENDORS:
        book.opens.append(
            f"{opened} open {PAYABLE_CN}:{key} CNY\n  name: {quote(name)}\n  terms-days: {terms}\n"
        )


def wholesale_month(
    book: GeneratedBook, month: datetime.date, per_month: int, end: datetime.date
) -> None:
    """Add a month of a wholesaler: invoices and bills, their payments, freight."""
    rng = book.rng
    monthly_overheads(book, month, CMB, CN_OVERHEADS, 2)
    invoices = max((per_month - 3) // 2, 1)
    for index in range(invoices):
        date = random_day(rng, month)
        if index % 4 == 3:  # noqa: PLR2004 - a purchase bill for every three sales invoices
            key, _name, terms = rng.choice(WHOLESALE_VENDORS)
            bill = book.next_id("BILL", date)
            amount = cents(rng, 5000, 40000)
            due = date + datetime.timedelta(days=terms)
            book.add(
                Txn(
                    date,
                    key,
                    f"采购货物 {bill}",
                    (
                        Posting(COGS, amount, "CNY"),
                        Posting(f"{PAYABLE_CN}:{key}", -amount, "CNY"),
                    ),
                    links=(bill,),
                    meta=(("due", due.isoformat()),),
                )
            )
            paid = due + datetime.timedelta(days=rng.randint(-5, 5))
            if paid <= end:
                book.add(
                    Txn(
                        paid,
                        key,
                        f"支付货款 {bill}",
                        (
                            Posting(f"{PAYABLE_CN}:{key}", amount, "CNY"),
                            Posting(CMB, -amount, "CNY"),
                        ),
                        links=(bill,),
                    )
                )
            continue
        key, _name, terms, _limit, _email = rng.choice(WHOLESALE_CUSTOMERS)
        invoice = book.next_id("INV", date)
        net = cents(rng, 5000, 50000)
        tax = (net * Decimal("0.13")).quantize(Decimal("0.01"))
        due = date + datetime.timedelta(days=terms)
        book.add(
            Txn(
                date,
                key,
                f"销售货物 {invoice}",
                (
                    Posting(f"{RECEIVABLE_CN}:{key}", net + tax, "CNY"),
                    Posting(SALES, -net, "CNY"),
                    Posting(VAT, -tax, "CNY"),
                ),
                links=(invoice,),
                meta=(("due", due.isoformat()),),
            )
        )
        paid = due + datetime.timedelta(days=payment_delay(key, rng.randint(-10, 25)))
        gross = net + tax
        if rng.random() >= 0.9:  # noqa: PLR2004 - a disputed invoice: settled late, maybe less
            gross -= _allowance(book, invoice, key, date, gross, end)
            paid += datetime.timedelta(days=DISPUTE_DAYS)
        if paid <= end:
            book.add(
                Txn(
                    paid,
                    key,
                    f"收到货款 {invoice}",
                    (
                        Posting(CMB, gross, "CNY"),
                        Posting(f"{RECEIVABLE_CN}:{key}", -gross, "CNY"),
                    ),
                    links=(invoice,),
                )
            )
    book_expense(
        book, month.replace(day=20), "顺丰速运", "物流费", FREIGHT, CMB, cents(rng, 800, 2500)
    )


def _allowance(
    book: GeneratedBook,
    invoice: str,
    key: str,
    date: datetime.date,
    gross: Decimal,
    end: datetime.date,
) -> Decimal:
    """Grant a 5 % allowance on some disputed invoices (销售折让): a credit note; return it.

    Drawn from the invoice number rather than the random generator, so that the rest of the
    ledger stays as it was before allowances were added.
    """
    when = date + datetime.timedelta(days=10)
    if book.serial % 3 or when > end:
        return Decimal(0)
    allowance = (gross * Decimal("0.05")).quantize(Decimal("0.01"))
    book.add(
        Txn(
            when,
            key,
            f"销售折让 {invoice}",
            (
                Posting(SALES, allowance, "CNY"),
                Posting(f"{RECEIVABLE_CN}:{key}", -allowance, "CNY"),
            ),
            links=(invoice,),
        )
    )
    return allowance
