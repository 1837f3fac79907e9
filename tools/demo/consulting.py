"""A consultancy of the demo: large invoices in English, and staff visits paid by card."""

from __future__ import annotations

import datetime
from decimal import Decimal

from beanfirm.core.journal import Posting, Txn, meta_text, quote
from beanfirm.demo.book import (
    EN_BANK,
    EN_CARD,
    EN_OVERHEADS,
    GeneratedBook,
    book_expense,
    cents,
    month_starts,
    monthly_overheads,
    random_day,
)
from beanfirm.demo.customers import (
    CONSULTING_CUSTOMERS,
    CUSTOMER_ADDRESSES,
    DISPUTE_DAYS,
    payment_delay,
)

VISIT_COSTS = (
    ("Expenses:Travel:Transport", "Didi", "Taxi to customer", 30, 180),
    ("Expenses:Travel:Transport", "China Railway", "High-speed rail", 150, 600),
    ("Expenses:Travel:Meals", "Haidilao", "Lunch with customer", 200, 900),
    ("Expenses:Travel:Lodging", "Hanting Hotel", "Hotel night", 300, 700),
)
# The class of each customer in its master data (`class:`), by which visits are summed.
CUSTOMER_CLASSES = {"Acme-Robotics": "key", "Lotus-Pharma": "regular", "Harbor-Logistics": "key"}


def consulting_opens(book: GeneratedBook, opened: datetime.date) -> None:
    """Open a receivable for each customer, with its master data."""
    for key, name, terms, limit, email in CONSULTING_CUSTOMERS:
        book.opens.append(
            f"{opened} open Assets:Receivable:{key} CNY\n"
            f"  name: {quote(name)}\n  terms-days: {terms}\n"
            f"{meta_text('credit-limit', f'{limit}.00 CNY')}\n"
            f'  email: {quote(email)}\n  language: "en"\n'
            f"  address: {quote(CUSTOMER_ADDRESSES[key])}\n"
            f"  class: {quote(CUSTOMER_CLASSES[key])}\n"
        )


def consulting_month(
    book: GeneratedBook, month: datetime.date, per_month: int, end: datetime.date
) -> None:
    """Add a month of a consultancy: invoices, their payments, visits, the card repaid."""
    rng = book.rng
    monthly_overheads(book, month, EN_BANK, EN_OVERHEADS, 2)
    remaining = max(per_month - 4, 2)
    invoices = max(remaining // 4, 1)
    for _ in range(invoices):
        key, _name, terms, _limit, _email = rng.choice(CONSULTING_CUSTOMERS)
        date = random_day(rng, month)
        invoice = book.next_id("INV", date)
        amount = Decimal(rng.randint(20, 120) * 1000)
        due = date + datetime.timedelta(days=terms)
        book.add(
            Txn(
                date,
                key,
                f"Consulting services {invoice}",
                (
                    Posting(f"Assets:Receivable:{key}", amount, "CNY"),
                    Posting("Income:Services", -amount, "CNY"),
                ),
                links=(invoice,),
                meta=(("due", due.isoformat()),),
            )
        )
        paid = due + datetime.timedelta(days=payment_delay(key, rng.randint(-10, 25)))
        if rng.random() >= 0.9:  # noqa: PLR2004 - a disputed invoice, settled late
            paid += datetime.timedelta(days=DISPUTE_DAYS)
        if paid <= end:
            book.add(
                Txn(
                    paid,
                    key,
                    f"Payment {invoice}",
                    (
                        Posting(EN_BANK, amount, "CNY"),
                        Posting(f"Assets:Receivable:{key}", -amount, "CNY"),
                    ),
                    links=(invoice,),
                )
            )
    visits = max(remaining - 2 * invoices - 1, 1)
    charged = Decimal(0)
    for _ in range(visits):
        key = rng.choice(CONSULTING_CUSTOMERS)[0]
        date = random_day(rng, month)
        visit = book.next_id("V", date)
        account, payee, narration, low, high = rng.choice(VISIT_COSTS)
        amount = cents(rng, low, high)
        charged += amount
        book_expense(
            book,
            date,
            payee,
            narration,
            account,
            EN_CARD,
            amount,
            tags=("visit",),
            meta=(("customer", quote(key)), ("visit", quote(visit))),
        )
    # The card is repaid in full from the bank at the end of the month.
    last_day = month_starts(month, 2)[1] - datetime.timedelta(days=1)
    book.add(
        Txn(
            last_day,
            "China Merchants Bank",
            "Credit card repayment",
            (
                Posting(EN_CARD, charged, "CNY"),
                Posting(EN_BANK, -charged, "CNY"),
            ),
        )
    )
