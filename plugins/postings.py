"""Reading postings whose amounts Beancount's types leave optional, and what a transaction is."""

from __future__ import annotations

from decimal import Decimal

from beancount.core import data

# The tag of the month-end revaluation of foreign-currency balances (期末调汇, docs/close.md):
# a restatement of book values in the client's currency, no one's invoice, bill or payment.
REVALUATION = "revaluation"
BALANCE_SHEET = ("Assets:", "Liabilities:")
# Taxes payable (应交税费; the English chart's Liabilities:Tax): a credit note's VAT leg, which
# moves no money. Every chart's VAT accounts (`invoices.VAT_ACCOUNTS`) are under one of them.
TAX_ROOTS = ("Liabilities:2221-应交税费", "Liabilities:Tax:")


def units(posting: data.Posting) -> tuple[Decimal, str] | None:
    """Return a booked posting's number and currency (None for an incomplete posting)."""
    amount = posting.units
    if amount is None or not isinstance(amount.number, Decimal) or amount.currency is None:
        return None
    return amount.number, str(amount.currency)


def is_revaluation(entry: data.Transaction) -> bool:
    """Tell whether a transaction is a month-end revaluation (tagged `#revaluation`)."""
    return bool(entry.tags) and REVALUATION in entry.tags


def moves_money(entry: data.Transaction, account: str) -> bool:
    """Tell whether a transaction on a customer's (vendor's) account moves money.

    Money moves when another leg is on the balance sheet (a bank, cash, a draft, a payable set
    off against it, an advance), taxes payable aside: a red-letter invoice (红字发票) reverses
    the revenue and its VAT, and moves no money. It tells a payment from a credit note, and a
    refund from an invoice booked again.
    """
    for posting in entry.postings:  # a plain loop: this runs for every payment of the ledger
        other = posting.account
        if other != account and other.startswith(BALANCE_SHEET) and not other.startswith(TAX_ROOTS):
            return True
    return False
