"""`beanfirm.accounts.openitems`: invoices, bills, their settlements and the unapplied credits."""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from accounts_support import D, beancount_balance, doc, errors_of, load_text, nonzero

from beanfirm.accounts.openitems import Book, read_book

DAY = datetime.date
ACME = "Assets:Receivable:Acme"
LOTUS = "Assets:Receivable:Lotus"
NINGBO = "Liabilities:Payable:Ningbo"

CHART = """
    option "operating_currency" "CNY"
    plugin "beanfirm.plugins.receivables"
    2026-01-01 open Assets:Bank:CMB
    2026-01-01 open Assets:Receivable:Acme
      name: "Acme Robotics Ltd"
      terms-days: 30
      credit-limit: 50000.00 CNY
      email: "ap@acme.example"
      language: "en"
    2026-01-01 open Assets:Receivable:Lotus
    2026-01-01 open Liabilities:Payable:Ningbo
      name: "宁波海天食品有限公司"
      terms-days: 45
    2026-01-01 open Income:Services
    2026-01-01 open Income:Discounts
    2026-01-01 open Expenses:Purchases
    2026-01-01 open Equity:Opening-Balances
"""

LINKED = doc(
    CHART,
    """
    2026-02-01 * "Acme" "Consulting, February" ^INV-001
      due: 2026-03-03
      Assets:Receivable:Acme            1000.00 CNY
      Income:Services
    2026-02-20 * "Acme" "Part payment" ^INV-001
      Assets:Bank:CMB                    400.00 CNY
      Assets:Receivable:Acme
    2026-03-10 * "Acme" "Credit note: discount" ^INV-001
      Income:Discounts                    50.00 CNY
      Assets:Receivable:Acme
    2026-03-20 * "Acme" "Rest" ^INV-001
      Assets:Bank:CMB                    550.00 CNY
      Assets:Receivable:Acme
    """,
)


def test_a_credit_note_that_reverses_its_vat_is_no_payment(tmp_path: Path) -> None:
    # A red-letter invoice (红字发票) moves revenue and VAT back; its VAT leg is on the balance
    # sheet, and the note was counted as a payment: on statements and in credit ratings.
    text = doc(
        CHART.replace(
            "2026-01-01 open Income:Services",
            "2026-01-01 open Income:Services\n    2026-01-01 open Liabilities:Tax:Sales:Output",
        ),
        """
    2026-02-01 * "Acme" "Consulting, February" ^INV-001
      Assets:Receivable:Acme            1130.00 CNY
      Income:Services                  -1000.00 CNY
      Liabilities:Tax:Sales:Output      -130.00 CNY
    2026-02-10 * "Acme" "Red-letter invoice for INV-001" ^INV-001
      Income:Services                   1000.00 CNY
      Liabilities:Tax:Sales:Output       130.00 CNY
      Assets:Receivable:Acme           -1130.00 CNY
    """,
    )
    _entries, book = book_of(tmp_path, text)
    [item] = book.items
    assert [(s.amount, s.kind) for s in item.settlements] == [(D("1130.00"), "credit")]


def book_of(tmp_path: Path, text: str, side: str = "receivables") -> tuple[list[Any], Book]:
    ledger = load_text(tmp_path, text)
    assert side in {"receivables", "payables"}
    return ledger.entries, read_book(
        ledger.entries, ledger.options, "receivables" if side == "receivables" else "payables"
    )


def assert_ties(entries: list[Any], book: Book, days: list[datetime.date]) -> None:
    """Open items less open credits equal Beancount's balance of every party, on every day."""
    for account in book.parties:
        for day in days:
            items: dict[str, Decimal] = {}
            for item in book.party_items(account):
                if item.date <= day:
                    items[item.currency] = items.get(item.currency, D(0)) + item.open_amount(day)
            for credit in book.credits:
                if credit.party == account and credit.date <= day:
                    left = credit.open_amount(day)
                    items[credit.currency] = items.get(credit.currency, D(0)) - left
            expected = {
                currency: number * book.sign
                for currency, number in beancount_balance(entries, account, day).items()
            }
            assert nonzero(items) == expected, (account, day)
            assert nonzero(book.balance(account, day)) == expected, (account, day)


def test_linked_invoice_with_partial_payments_and_a_credit_note(tmp_path: Path) -> None:
    entries, book = book_of(tmp_path, LINKED)
    assert errors_of(load_text(tmp_path, LINKED)) == []
    [item] = book.items
    assert (item.number, item.date, item.due, item.amount, item.currency) == (
        "INV-001",
        DAY(2026, 2, 1),
        DAY(2026, 3, 3),
        D("1000.00"),
        "CNY",
    )
    assert item.due_from == "due"
    assert item.narration == "Consulting, February"
    assert [(s.date, s.amount, s.kind) for s in item.settlements] == [
        (DAY(2026, 2, 20), D("400.00"), "payment"),
        (DAY(2026, 3, 10), D("50.00"), "credit"),
        (DAY(2026, 3, 20), D("550.00"), "payment"),
    ]
    assert item.open_amount(DAY(2026, 2, 19)) == D("1000.00")
    assert item.open_amount(DAY(2026, 2, 20)) == D("600.00")
    assert item.open_amount(DAY(2026, 3, 19)) == D("550.00")
    assert item.open_amount() == 0
    assert item.settled_on(DAY(2026, 3, 19)) is None
    assert item.settled_on() == DAY(2026, 3, 20)
    assert item.days_overdue(DAY(2026, 3, 20)) == 17
    assert item.days_overdue(DAY(2026, 3, 1)) == -2
    moves = book.movements[ACME]
    assert [(m.date, m.amount, m.kind, m.numbers) for m in moves] == [
        (DAY(2026, 2, 1), D("1000.00"), "invoice", ("INV-001",)),
        (DAY(2026, 2, 20), D("-400.00"), "payment", ("INV-001",)),
        (DAY(2026, 3, 10), D("-50.00"), "credit", ("INV-001",)),
        (DAY(2026, 3, 20), D("-550.00"), "payment", ("INV-001",)),
    ]
    assert moves[0].description == "Acme Consulting, February"
    assert book.credits == []
    assert_ties(
        entries, book, [DAY(2026, 1, 31), DAY(2026, 2, 20), DAY(2026, 3, 15), DAY(2026, 12, 31)]
    )


def test_unlinked_charges_are_settled_first_in_first_out(tmp_path: Path) -> None:
    text = doc(
        CHART,
        """
        2026-01-01 * "Opening balance: Acme"
          Assets:Receivable:Acme            300.00 CNY
          Equity:Opening-Balances
        2026-01-15 * "Acme" "Sale without a number"
          Assets:Receivable:Acme            500.00 CNY
          Income:Services
        2026-02-10 * "Acme" "Payment"
          Assets:Bank:CMB                   450.00 CNY
          Assets:Receivable:Acme
        2026-03-01 * "Acme" "Payment"
          Assets:Bank:CMB                   350.00 CNY
          Assets:Receivable:Acme
    """,
    )
    entries, book = book_of(tmp_path, text)
    opening, sale = book.items
    assert (opening.number, opening.due, opening.due_from) == (None, DAY(2026, 1, 31), "terms")
    assert (sale.number, sale.due) == (None, DAY(2026, 2, 14))
    assert [(s.date, s.amount) for s in opening.settlements] == [(DAY(2026, 2, 10), D("300.00"))]
    assert [(s.date, s.amount) for s in sale.settlements] == [
        (DAY(2026, 2, 10), D("150.00")),
        (DAY(2026, 3, 1), D("350.00")),
    ]
    assert opening.settled_on() == DAY(2026, 2, 10)
    assert sale.open_amount(DAY(2026, 2, 28)) == D("350.00")
    assert [m.kind for m in book.movements[ACME]] == ["charge", "charge", "payment", "payment"]
    assert book.credits == []
    assert_ties(entries, book, [DAY(2026, 1, 1), DAY(2026, 2, 10), DAY(2026, 3, 1)])


def test_unlinked_payment_beyond_the_charges_is_an_unapplied_credit(tmp_path: Path) -> None:
    text = doc(
        CHART,
        """
        2026-01-10 * "Lotus" "Sale"
          Assets:Receivable:Lotus           200.00 CNY
          Income:Services
        2026-01-20 * "Lotus" "Payment, more than owed"
          Assets:Bank:CMB                   500.00 CNY
          Assets:Receivable:Lotus
        2026-02-15 * "Lotus" "Next sale, paid from the credit"
          Assets:Receivable:Lotus           120.00 CNY
          Income:Services
    """,
    )
    entries, book = book_of(tmp_path, text)
    [credit] = book.credits
    assert (credit.party, credit.date, credit.amount, credit.numbers) == (
        LOTUS,
        DAY(2026, 1, 20),
        D("300.00"),
        (),
    )
    assert credit.open_amount(DAY(2026, 2, 14)) == D("300.00")
    assert credit.open_amount(DAY(2026, 2, 15)) == D("180.00")
    first, second = book.items
    # Lotus has no terms-days: an unlinked charge is due on its own date.
    assert (first.due, first.due_from) == (DAY(2026, 1, 10), "date")
    assert second.open_amount() == 0
    assert [(s.date, s.amount, s.kind) for s in second.settlements] == [
        (DAY(2026, 2, 15), D("120.00"), "payment")
    ]
    assert [m.kind for m in book.movements[LOTUS]] == ["charge", "unapplied", "charge"]
    assert book.balance(LOTUS) == {"CNY": D("-180.00")}
    assert_ties(entries, book, [DAY(2026, 1, 19), DAY(2026, 1, 20), DAY(2026, 2, 15)])


def test_over_payment_of_an_invoice_leaves_a_credit(tmp_path: Path) -> None:
    text = doc(
        LINKED,
        """
        2026-04-01 * "Acme" "Paid twice by mistake" ^INV-001
          Assets:Bank:CMB                   550.00 CNY
          Assets:Receivable:Acme
    """,
    )
    ledger = load_text(tmp_path, text)
    assert any("Over-payment" in message for message in errors_of(ledger))
    book = read_book(ledger.entries, ledger.options, "receivables")
    [credit] = book.credits
    assert (credit.amount, credit.numbers, credit.date) == (
        D("550.00"),
        ("INV-001",),
        DAY(2026, 4, 1),
    )
    assert book.items[0].open_amount() == 0
    assert book.movements[ACME][-1].kind == "payment"
    assert book.balance(ACME) == {"CNY": D("-550.00")}
    assert_ties(ledger.entries, book, [DAY(2026, 3, 31), DAY(2026, 4, 1)])


def test_a_payment_of_two_invoices_settles_each_as_its_postings_say(tmp_path: Path) -> None:
    # The receipt's postings name their invoices (`invoice:`); it was applied oldest first,
    # so that INV-001 was paid 500.00 and INV-002 nothing.
    text = doc(
        CHART,
        """
        2026-02-01 * "Acme" "Consulting" ^INV-001
          due: 2026-03-03
          Assets:Receivable:Acme           1000.00 CNY
          Income:Services
        2026-02-05 * "Acme" "Training" ^INV-002
          due: 2026-03-07
          Assets:Receivable:Acme            500.00 CNY
          Income:Services
        2026-02-20 * "Acme" "Receipt" ^INV-001 ^INV-002
          Assets:Bank:CMB                   500.00 CNY
          Assets:Receivable:Acme           -300.00 CNY
            invoice: "INV-002"
          Assets:Receivable:Acme           -200.00 CNY
            invoice: "INV-001"
        2026-02-06 * "宁波食品厂" "采购" ^BILL-001
          due: 2026-03-23
          Expenses:Purchases                 900.00 CNY
          Liabilities:Payable:Ningbo
        2026-02-07 * "宁波食品厂" "采购" ^BILL-002
          due: 2026-03-24
          Expenses:Purchases                 100.00 CNY
          Liabilities:Payable:Ningbo
        2026-03-20 * "宁波食品厂" "付款" ^BILL-001 ^BILL-002
          Liabilities:Payable:Ningbo          60.00 CNY
            bill: "BILL-002"
          Liabilities:Payable:Ningbo          40.00 CNY
            bill: "BILL-001"
          Assets:Bank:CMB
    """,
    )
    ledger = load_text(tmp_path, text)
    assert errors_of(ledger) == []
    book = read_book(ledger.entries, ledger.options, "receivables")
    first, second = book.items
    assert (first.number, first.open_amount(), second.number, second.open_amount()) == (
        "INV-001",
        D("800.00"),
        "INV-002",
        D("200.00"),
    )
    moves = book.movements[ACME][-2:]
    assert [(m.amount, m.kind, m.numbers) for m in moves] == [
        (D("-300.00"), "payment", ("INV-002",)),
        (D("-200.00"), "payment", ("INV-001",)),
    ]
    assert_ties(ledger.entries, book, [DAY(2026, 2, 19), DAY(2026, 2, 20)])
    payables = read_book(ledger.entries, ledger.options, "payables")
    assert [(item.number, item.open_amount()) for item in payables.items] == [
        ("BILL-001", D("860.00")),
        ("BILL-002", D("40.00")),
    ]
    assert_ties(ledger.entries, payables, [DAY(2026, 3, 20)])


def test_a_refund_linked_to_the_invoice_pays_its_credit_back(tmp_path: Path) -> None:
    # The refund was an unlinked charge of 100.00, due after the terms, beside the credit it
    # paid back, which stayed open for good.
    text = doc(
        LINKED,
        """
        2026-04-01 * "Acme" "Paid again by mistake" ^INV-001
          Assets:Bank:CMB                   100.00 CNY
          Assets:Receivable:Acme
        2026-04-10 * "Acme" "Refund" ^INV-001
          Assets:Receivable:Acme            100.00 CNY
          Assets:Bank:CMB
        2026-02-06 * "Ningbo" "Purchase" ^BILL-001
          due: 2026-03-23
          Expenses:Purchases                 900.00 CNY
          Liabilities:Payable:Ningbo
        2026-03-20 * "Ningbo" "Payment" ^BILL-001
          Liabilities:Payable:Ningbo         950.00 CNY
          Assets:Bank:CMB
        2026-03-25 * "Ningbo" "Refund of what we paid beyond the bill" ^BILL-001
          Assets:Bank:CMB                     50.00 CNY
          Liabilities:Payable:Ningbo
    """,
    )
    ledger = load_text(tmp_path, text)
    assert errors_of(ledger) == []
    book = read_book(ledger.entries, ledger.options, "receivables")
    [item] = book.items  # no charge without a number
    [credit] = book.credits
    assert (credit.amount, credit.numbers) == (D("100.00"), ("INV-001",))
    assert credit.open_amount(DAY(2026, 4, 9)) == D("100.00")
    assert credit.open_amount(DAY(2026, 4, 10)) == 0
    assert [(s.date, s.amount, s.kind) for s in credit.applied] == [
        (DAY(2026, 4, 10), D("100.00"), "refund")
    ]
    assert item.open_amount() == 0
    assert [(m.amount, m.kind) for m in book.movements[ACME][-2:]] == [
        (D("-100.00"), "payment"),
        (D("100.00"), "refund"),
    ]
    assert_ties(ledger.entries, book, [DAY(2026, 4, 1), DAY(2026, 4, 9), DAY(2026, 4, 10)])
    payables = read_book(ledger.entries, ledger.options, "payables")
    [bill] = payables.items
    [owed] = payables.credits
    assert (bill.open_amount(), owed.open_amount(DAY(2026, 3, 24)), owed.open_amount()) == (
        D(0),
        D("50.00"),
        D(0),
    )
    assert_ties(ledger.entries, payables, [DAY(2026, 3, 20), DAY(2026, 3, 25)])


def test_a_refund_of_more_than_the_credit_leaves_the_rest_a_charge(tmp_path: Path) -> None:
    # The plugin reports it; the rest is a charge without a number, so that the totals tie.
    text = doc(
        LINKED,
        """
        2026-04-01 * "Acme" "Paid again by mistake" ^INV-001
          Assets:Bank:CMB                   100.00 CNY
          Assets:Receivable:Acme
        2026-04-10 * "Acme" "Refund of too much" ^INV-001
          Assets:Receivable:Acme            130.00 CNY
          Assets:Bank:CMB
    """,
    )
    ledger = load_text(tmp_path, text)
    assert any("This refund of invoice INV-001" in message for message in errors_of(ledger))
    book = read_book(ledger.entries, ledger.options, "receivables")
    _invoice, charge = book.items
    assert (charge.number, charge.amount, book.movements[ACME][-1].kind) == (
        None,
        D("30.00"),
        "refund",
    )
    assert book.credits[0].open_amount() == 0
    assert_ties(ledger.entries, book, [DAY(2026, 4, 9), DAY(2026, 4, 10)])


def test_prepayment_settles_its_invoice_when_the_invoice_is_booked(tmp_path: Path) -> None:
    text = doc(
        CHART,
        """
        2026-01-05 * "Acme" "Deposit for INV-007" ^INV-007
          Assets:Bank:CMB                   300.00 CNY
          Assets:Receivable:Acme
        2026-01-20 * "Acme" "Project" ^INV-007
          due: 2026-02-19
          Assets:Receivable:Acme           1000.00 CNY
          Income:Services
    """,
    )
    ledger = load_text(tmp_path, text)
    assert errors_of(ledger) == []  # the plugin accepts a payment before its invoice
    book = read_book(ledger.entries, ledger.options, "receivables")
    [item] = book.items
    [credit] = book.credits
    assert credit.open_amount(DAY(2026, 1, 19)) == D("300.00")
    assert credit.open_amount(DAY(2026, 1, 20)) == 0
    assert [(s.date, s.amount, s.kind) for s in item.settlements] == [
        (DAY(2026, 1, 20), D("300.00"), "payment")
    ]
    assert item.open_amount(DAY(2026, 1, 20)) == D("700.00")
    assert_ties(ledger.entries, book, [DAY(2026, 1, 5), DAY(2026, 1, 19), DAY(2026, 1, 20)])


def test_payables_read_in_the_vendors_sense(tmp_path: Path) -> None:
    text = doc(
        CHART,
        """
        2026-02-06 * "宁波食品厂" "采购" ^BILL-001
          due: 2026-03-23
          Expenses:Purchases                 900.00 CNY
          Liabilities:Payable:Ningbo
        2026-03-20 * "宁波食品厂" "付款" ^BILL-001
          Liabilities:Payable:Ningbo         600.00 CNY
          Assets:Bank:CMB
        2026-03-25 * "宁波食品厂" "采购, no number"
          Expenses:Purchases                 100.00 CNY
          Liabilities:Payable:Ningbo
    """,
    )
    entries, book = book_of(tmp_path, text, "payables")
    assert book.sign == -1
    assert list(book.parties) == [NINGBO]
    assert book.parties[NINGBO].name == "宁波海天食品有限公司"
    bill, charge = book.items
    assert (bill.number, bill.amount, bill.open_amount()) == ("BILL-001", D("900.00"), D("300.00"))
    assert (charge.number, charge.due) == (None, DAY(2026, 5, 9))
    assert book.balance(NINGBO) == {"CNY": D("400.00")}
    assert beancount_balance(entries, NINGBO) == {"CNY": D("-400.00")}
    # The receivables book of the same ledger knows nothing of the vendor.
    _entries, receivables = book_of(tmp_path, text)
    assert NINGBO not in receivables.parties
    assert all(item.party != NINGBO for item in receivables.items)
    assert_ties(entries, book, [DAY(2026, 3, 19), DAY(2026, 3, 20), DAY(2026, 3, 31)])


def test_roots_and_prefixes_come_from_the_plugin_line(tmp_path: Path) -> None:
    text = """
        plugin "beanfirm.plugins.receivables" "{'receivable': ['Assets:Debtors:'], 'invoice-prefix': 'FP-', 'credit-limit': 'error'}"
        2026-01-01 open Assets:Bank:CMB
        2026-01-01 open Assets:Debtors:Acme
          terms-days: 10
        2026-01-01 open Assets:Receivable:Other
        2026-01-01 open Income:Services
        2026-01-02 * "Acme" "Sale" ^FP-1
          due: 2026-01-12
          Assets:Debtors:Acme               100.00 CNY
          Income:Services
        2026-01-05 * "Acme" "Part payment" ^FP-1
          Assets:Bank:CMB                    60.00 CNY
          Assets:Debtors:Acme
    """
    ledger = load_text(tmp_path, text)
    book = read_book(ledger.entries, ledger.options, "receivables")
    assert list(book.parties) == ["Assets:Debtors:Acme"]
    [item] = book.items
    assert (item.number, item.open_amount()) == ("FP-1", D("40.00"))
    # Without the plugin line, the default roots and prefix apply.
    default = read_book(ledger.entries, {**ledger.options, "plugin": []}, "receivables")
    assert list(default.parties) == ["Assets:Receivable:Other"]


def test_bad_plugin_configuration_falls_back_to_the_defaults(tmp_path: Path) -> None:
    text = """
        plugin "beanfirm.plugins.receivables" "{'receivable': 42}"
        2026-01-01 open Assets:Receivable:Acme
        2026-01-01 open Assets:Debtors:Acme
    """
    ledger = load_text(tmp_path, text)
    assert errors_of(ledger)  # the plugin reports its own configuration
    assert list(read_book(ledger.entries, ledger.options).parties) == [ACME]


def test_cut_offs_on_a_mixed_ledger_tie_on_every_day(tmp_path: Path) -> None:
    text = doc(
        LINKED,
        """
        2026-02-15 * "Acme" "Second invoice, in USD" ^INV-002
          due: 2026-03-15
          Assets:Receivable:Acme            200.00 USD
          Income:Services
        2026-02-16 * "Acme" "Two postings, one invoice" ^INV-003
          due: 2026-03-16
          Assets:Receivable:Acme            100.00 CNY
          Assets:Receivable:Acme             20.00 CNY
          Income:Services
        2026-03-01 * "Acme" "Pays INV-002 and INV-003 together" ^INV-002 ^INV-003
          Assets:Bank:CMB                   120.00 CNY
          Assets:Receivable:Acme           -120.00 CNY
        2026-03-02 * "Acme" "Unlinked payment"
          Assets:Bank:CMB                    75.00 CNY
          Assets:Receivable:Acme
        2026-04-01 * "Lotus" "Sale"
          Assets:Receivable:Lotus          1000.00 CNY
          Income:Services
    """,
    )
    entries, book = book_of(tmp_path, text)
    by_number = {item.number: item for item in book.items}
    assert by_number["INV-003"].amount == D("120.00")
    assert by_number["INV-003"].open_amount() == 0  # the CNY payment pays only the CNY invoice
    assert by_number["INV-002"].open_amount() == D("200.00")
    assert [item.number for item in book.items] == ["INV-001", "INV-002", "INV-003", None]
    assert [credit.amount for credit in book.credits] == [D("75.00")]
    days = [DAY(2026, 1, 1) + datetime.timedelta(days=n) for n in range(0, 120, 3)]
    assert_ties(entries, book, days)
    assert book.balance(ACME, DAY(2026, 3, 2)) == {"CNY": D("525.00"), "USD": D("200.00")}


def test_party_master_data_and_lookup(tmp_path: Path) -> None:
    _entries, book = book_of(tmp_path, CHART)
    acme = book.parties[ACME]
    assert (acme.key, acme.name, acme.terms_days) == ("Acme", "Acme Robotics Ltd", 30)
    assert acme.credit_limit is not None
    assert (acme.credit_limit.number, acme.credit_limit.currency) == (D("50000.00"), "CNY")
    assert (acme.text("email"), acme.text("language"), acme.text("address")) == (
        "ap@acme.example",
        "en",
        None,
    )
    assert acme.location.endswith("main.beancount:4")
    lotus = book.parties[LOTUS]
    assert (lotus.name, lotus.terms_days, lotus.credit_limit) == ("Lotus", None, None)
    for name in (
        "Assets:Receivable:Acme",
        "Acme",
        "Acme Robotics Ltd",
        "acme robotics ltd",
        "ACME",
    ):
        assert book.find_party(name) is acme, name
    assert book.find_party("Nobody") is None
    assert book.find_party("Ningbo") is None  # a vendor, not a customer


def test_invoice_without_due_date_falls_back_to_terms_or_its_date(tmp_path: Path) -> None:
    text = doc(
        CHART,
        """
        2026-01-10 * "Acme" "No due date" ^INV-010
          Assets:Receivable:Acme            100.00 CNY
          Income:Services
        2026-01-10 * "Lotus" "No due date, no terms" ^INV-011
          Assets:Receivable:Lotus           100.00 CNY
          Income:Services
    """,
    )
    ledger = load_text(tmp_path, text)
    assert sum("has no due date" in message for message in errors_of(ledger)) == 2
    book = read_book(ledger.entries, ledger.options)
    acme, lotus = book.items
    assert (acme.due, acme.due_from) == (DAY(2026, 2, 9), "terms")
    assert (lotus.due, lotus.due_from) == (DAY(2026, 1, 10), "date")
