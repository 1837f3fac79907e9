"""The `receivables` plugin: invoices, bills and payments agree; credit limits hold."""

from __future__ import annotations

from pathlib import Path

import pytest
from plugin_support import file_findings, findings, ledger, line_of

PLUGIN = 'plugin "beanfirm.plugins.receivables"\n'
CHART = ledger(
    """
    2026-01-01 open Assets:Bank:CMB
    2026-01-01 open Assets:Receivable:Acme
      name: "Acme Robotics"
      terms-days: 30
      credit-limit: 5000.00 CNY
    2026-01-01 open Assets:Receivable:Lotus CNY
    2026-01-01 open Assets:1122-应收账款:华联超市 CNY
    2026-01-01 open Liabilities:2202-应付账款:宁波食品厂 CNY
    2026-01-01 open Income:Services
    2026-01-01 open Expenses:Purchases
    """
)
INVOICE = ledger(
    """
    2026-02-01 * "Acme" "Consulting" ^INV-2026-0001
      due: 2026-03-03
      Assets:Receivable:Acme            1000.00 CNY
      Income:Services
    """
)


def book(entries: str, plugin: str = PLUGIN) -> str:
    return plugin + CHART + INVOICE + ledger(entries)


def over_payment(paid: str, document: str = "invoice") -> str:
    """Return the plugin's over-payment message, from what was paid too much."""
    return (
        f"Over-payment: with this payment {paid}; correct the amount, link the excess to the "
        f"{document} it belongs to, book it as an advance, or book its refund linked to the "
        f"{document}."
    )


def test_invoices_bills_and_their_payments_agree() -> None:
    text = book(
        """
        2026-02-20 * "Acme" "Part payment" ^INV-2026-0001
          Assets:Bank:CMB                    400.00 CNY
          Assets:Receivable:Acme
        2026-03-01 * "Acme" "Rest" ^INV-2026-0001
          Assets:Bank:CMB                    600.00 CNY
          Assets:Receivable:Acme
        2026-02-05 * "华联超市" "销售" ^INV-2026-0002
          due: 2026-03-07
          Assets:1122-应收账款:华联超市       2260.00 CNY
          Income:Services
        2026-02-06 * "宁波食品厂" "采购" ^BILL-2026-0001
          due: 2026-03-23
          Expenses:Purchases                 900.00 CNY
          Liabilities:2202-应付账款:宁波食品厂
        2026-03-20 * "宁波食品厂" "付款" ^BILL-2026-0001
          Liabilities:2202-应付账款:宁波食品厂  900.00 CNY
          Assets:Bank:CMB
        2026-03-21 * "Lotus" "Deposit, no invoice yet"
          Assets:Bank:CMB                    100.00 CNY
          Assets:Receivable:Lotus
        """
    )
    assert findings(text) == []


def test_an_invoice_without_a_due_date_is_an_error() -> None:
    text = book(
        """
        2026-02-02 * "Acme" "More consulting" ^INV-2026-0002
          Assets:Receivable:Acme             500.00 CNY
          Income:Services
        """
    )
    assert findings(text) == [
        (
            "ReceivablesError",
            line_of(text, "More consulting"),
            (
                "Invoice INV-2026-0002 has no due date; add `due: YYYY-MM-DD` to the transaction "
                "(its date plus the terms-days on the invoice's account)."
            ),
        )
    ]


def test_a_bill_without_a_due_date_is_an_error() -> None:
    text = book(
        """
        2026-02-06 * "宁波食品厂" "采购" ^BILL-2026-0001
          Expenses:Purchases                 900.00 CNY
          Liabilities:2202-应付账款:宁波食品厂
        """
    )
    assert findings(text) == [
        (
            "ReceivablesError",
            line_of(text, "采购"),
            (
                "Bill BILL-2026-0001 has no due date; add `due: YYYY-MM-DD` to the transaction "
                "(its date plus the terms-days on the bill's account)."
            ),
        )
    ]


def test_a_due_date_must_be_a_date_on_or_after_the_invoice() -> None:
    text = book(
        """
        2026-02-02 * "Acme" "Quoted due date" ^INV-2026-0002
          due: "2026-03-04"
          Assets:Receivable:Acme             500.00 CNY
          Income:Services
        2026-02-03 * "Acme" "Due before issued" ^INV-2026-0003
          due: 2026-01-31
          Assets:Receivable:Acme             500.00 CNY
          Income:Services
        """
    )
    assert findings(text) == [
        (
            "ReceivablesError",
            line_of(text, "Quoted due date"),
            (
                "The due date of invoice INV-2026-0002 is '2026-03-04', not a date; write it "
                "without quotes, like `due: 2026-01-31`."
            ),
        ),
        (
            "ReceivablesError",
            line_of(text, "Due before issued"),
            (
                "Invoice INV-2026-0003 falls due on 2026-01-31, before its own date 2026-02-03; "
                "correct the due date."
            ),
        ),
    ]


def test_an_invoice_has_one_number_booked_once() -> None:
    text = book(
        """
        2026-02-02 * "Acme" "Two numbers" ^INV-2026-0002 ^INV-2026-0003
          due: 2026-03-04
          Assets:Receivable:Acme             500.00 CNY
          Income:Services
        2026-02-03 * "Acme" "Same number again" ^INV-2026-0001
          due: 2026-03-05
          Assets:Receivable:Acme             700.00 CNY
          Income:Services
        """
    )
    assert findings(text) == [
        (
            "ReceivablesError",
            line_of(text, "Two numbers"),
            (
                "This invoice carries 2 links (INV-2026-0002, INV-2026-0003); an invoice has "
                "exactly one number: split it into one transaction per invoice."
            ),
        ),
        (
            "ReceivablesError",
            line_of(text, "Same number again"),
            (
                "Invoice INV-2026-0001 is booked twice (first at <string>:"
                f"{line_of(text, '^INV-2026-0001')}); give this one its own number, or link a "
                "payment or credit note to INV-2026-0001 so that it reduces the balance."
            ),
        ),
    ]


def test_a_payment_of_an_unknown_invoice_is_an_error() -> None:
    text = book(
        """
        2026-02-20 * "Acme" "Payment, mistyped number" ^INV-2026-0010
          Assets:Bank:CMB                    400.00 CNY
          Assets:Receivable:Acme
        """
    )
    assert findings(text) == [
        (
            "ReceivablesError",
            line_of(text, "mistyped"),
            (
                "This payment names invoice INV-2026-0010, but no invoice INV-2026-0010 is booked "
                "(a transaction linked ^INV-2026-0010 charging the account); correct the link, or "
                "book the invoice first."
            ),
        )
    ]


def test_a_payment_on_another_customer_or_in_another_currency_is_an_error() -> None:
    text = book(
        """
        2026-02-20 * "Lotus" "Wrong customer" ^INV-2026-0001
          Assets:Bank:CMB                    400.00 CNY
          Assets:Receivable:Lotus
        2026-02-21 * "Acme" "Paid in dollars" ^INV-2026-0001
          Assets:Bank:CMB                     50.00 USD
          Assets:Receivable:Acme
        """
    )
    assert findings(text) == [
        (
            "ReceivablesError",
            line_of(text, "Wrong customer"),
            (
                "This payment of invoice INV-2026-0001 posts to Assets:Receivable:Lotus, but the "
                f"invoice is on Assets:Receivable:Acme (<string>:{line_of(text, 'Consulting')}); "
                "post it to Assets:Receivable:Acme."
            ),
        ),
        (
            "ReceivablesError",
            line_of(text, "Paid in dollars"),
            (
                "This payment of invoice INV-2026-0001 is in USD, but the invoice is in CNY; pay it "
                "in CNY, converting with a price (@) on the bank posting if needed."
            ),
        ),
    ]


def test_an_over_payment_is_reported_on_the_payment_that_crosses_the_amount() -> None:
    text = book(
        """
        2026-02-20 * "Acme" "Part payment" ^INV-2026-0001
          Assets:Bank:CMB                    800.00 CNY
          Assets:Receivable:Acme
        2026-03-01 * "Acme" "Paid again" ^INV-2026-0001
          Assets:Bank:CMB                    300.00 CNY
          Assets:Receivable:Acme
        """
    )
    assert findings(text) == [
        (
            "ReceivablesError",
            line_of(text, "Paid again"),
            over_payment(
                "invoice INV-2026-0001 is paid 100.00 CNY more than its amount of 1000.00 CNY"
            ),
        )
    ]


def test_one_payment_may_settle_several_invoices() -> None:
    text = book(
        """
        2026-02-02 * "Acme" "More consulting" ^INV-2026-0002
          due: 2026-03-04
          Assets:Receivable:Acme             500.00 CNY
          Income:Services
        2026-03-01 * "Acme" "Both invoices" ^INV-2026-0001 ^INV-2026-0002
          Assets:Bank:CMB                   1500.00 CNY
          Assets:Receivable:Acme
        2026-03-02 * "Acme" "Once more" ^INV-2026-0001 ^INV-2026-0002
          Assets:Bank:CMB                     10.00 CNY
          Assets:Receivable:Acme
        """
    )
    assert findings(text) == [
        (
            "ReceivablesError",
            line_of(text, "Once more"),
            over_payment(
                "invoices INV-2026-0001, INV-2026-0002 are paid 10.00 CNY more than their total of 1500.00 CNY"
            ),
        )
    ]


def test_a_payment_of_several_invoices_pays_what_each_posting_names() -> None:
    # The postings' `invoice:` say INV-2026-0002 is paid 700.00 on 500.00: an over-payment of
    # it. Applied oldest first, as it was, the receipt seemed to settle both invoices exactly.
    text = book(
        """
        2026-02-02 * "Acme" "More consulting" ^INV-2026-0002
          due: 2026-03-04
          Assets:Receivable:Acme             500.00 CNY
          Income:Services
        2026-03-01 * "Acme" "Receipt, split" ^INV-2026-0001 ^INV-2026-0002
          Assets:Bank:CMB                   1000.00 CNY
          Assets:Receivable:Acme            -300.00 CNY
            invoice: "INV-2026-0001"
          Assets:Receivable:Acme            -700.00 CNY
            invoice: "INV-2026-0002"
        """
    )
    assert findings(text) == [
        (
            "ReceivablesError",
            line_of(text, "Receipt, split"),
            over_payment(
                "invoice INV-2026-0002 is paid 200.00 CNY more than its amount of 500.00 CNY"
            ),
        )
    ]


def test_a_postings_invoice_must_be_a_number_the_transaction_is_linked_to() -> None:
    text = book(
        """
        2026-02-02 * "Acme" "More consulting" ^INV-2026-0002
          due: 2026-03-04
          Assets:Receivable:Acme             500.00 CNY
          Income:Services
        2026-03-01 * "Acme" "Receipt" ^INV-2026-0001
          Assets:Bank:CMB                    900.00 CNY
          Assets:Receivable:Acme            -400.00 CNY
            invoice: "INV-2026-0002"
          Assets:Receivable:Acme            -500.00 CNY
            invoice: 2026
        """
    )
    assert findings(text) == [
        (
            "ReceivablesError",
            line_of(text, 'invoice: "INV-2026-0002"') - 1,
            (
                "This posting to Assets:Receivable:Acme names invoice INV-2026-0002 "
                '(`invoice: "INV-2026-0002"`), but the transaction is not linked ^INV-2026-0002; '
                "add the link, so that the invoice and its payments are found together, or "
                "correct the number."
            ),
        ),
        (
            "ReceivablesError",
            line_of(text, "invoice: 2026") - 1,
            (
                "`invoice:` on this posting to Assets:Receivable:Acme is 2026, not an invoice "
                "number; write the number this posting is for, as text, like "
                '`invoice: "INV-2026-0001"`.'
            ),
        ),
    ]


def test_an_over_paid_bill_is_an_error() -> None:
    text = book(
        """
        2026-02-06 * "宁波食品厂" "采购" ^BILL-2026-0001
          due: 2026-03-23
          Expenses:Purchases                 900.00 CNY
          Liabilities:2202-应付账款:宁波食品厂
        2026-03-20 * "宁波食品厂" "付款" ^BILL-2026-0001
          Liabilities:2202-应付账款:宁波食品厂  950.00 CNY
          Assets:Bank:CMB
        """
    )
    assert findings(text) == [
        (
            "ReceivablesError",
            line_of(text, "付款"),
            over_payment(
                "bill BILL-2026-0001 is paid 50.00 CNY more than its amount of 900.00 CNY", "bill"
            ),
        )
    ]


def test_a_refund_linked_to_its_invoice_pays_back_what_was_paid_beyond_it() -> None:
    # Refunds were "Invoice INV-2026-0001 is booked twice", and the over-payment they refund
    # an error for good.
    text = book(
        """
        2026-02-20 * "Acme" "Paid 100.00 too much" ^INV-2026-0001
          Assets:Bank:CMB                   1100.00 CNY
          Assets:Receivable:Acme
        2026-02-25 * "Acme" "Refund of the excess" ^INV-2026-0001
          Assets:Receivable:Acme             100.00 CNY
          Assets:Bank:CMB
        2026-02-05 * "华联超市" "销售" ^INV-2026-0002
          due: 2026-03-07
          Assets:1122-应收账款:华联超市       2260.00 CNY
          Income:Services
        2026-02-10 * "华联超市" "收到货款" ^INV-2026-0002
          Assets:Bank:CMB                   2260.00 CNY
          Assets:1122-应收账款:华联超市
        2026-02-12 * "华联超市" "销售退回" ^INV-2026-0002
          Income:Services                    260.00 CNY
          Assets:1122-应收账款:华联超市
        2026-02-14 * "华联超市" "退款" ^INV-2026-0002
          Assets:1122-应收账款:华联超市        260.00 CNY
          Assets:Bank:CMB
        2026-02-06 * "宁波食品厂" "采购" ^BILL-2026-0001
          due: 2026-03-23
          Expenses:Purchases                 900.00 CNY
          Liabilities:2202-应付账款:宁波食品厂
        2026-03-20 * "宁波食品厂" "付款" ^BILL-2026-0001
          Liabilities:2202-应付账款:宁波食品厂  950.00 CNY
          Assets:Bank:CMB
        2026-03-25 * "宁波食品厂" "退回多付款" ^BILL-2026-0001
          Assets:Bank:CMB                     50.00 CNY
          Liabilities:2202-应付账款:宁波食品厂
        """
    )
    assert findings(text) == []


def test_an_over_payment_refunded_in_part_is_reported_for_the_rest() -> None:
    text = book(
        """
        2026-02-20 * "Acme" "Paid 100.00 too much" ^INV-2026-0001
          Assets:Bank:CMB                   1100.00 CNY
          Assets:Receivable:Acme
        2026-02-25 * "Acme" "Refund of part" ^INV-2026-0001
          Assets:Receivable:Acme              40.00 CNY
          Assets:Bank:CMB
        """
    )
    assert findings(text) == [
        (
            "ReceivablesError",
            line_of(text, "Paid 100.00 too much"),
            over_payment(
                "invoice INV-2026-0001 is paid 60.00 CNY more than its amount of 1000.00 CNY"
            ),
        )
    ]


def test_a_refund_of_more_than_was_paid_beyond_or_an_invoice_booked_again_is_an_error() -> None:
    text = book(
        """
        2026-02-20 * "Acme" "Paid 100.00 too much" ^INV-2026-0001
          Assets:Bank:CMB                   1100.00 CNY
          Assets:Receivable:Acme
        2026-02-25 * "Acme" "Refund of too much" ^INV-2026-0001
          Assets:Receivable:Acme             150.00 CNY
          Assets:Bank:CMB
        2026-02-26 * "Acme" "Consulting again" ^INV-2026-0001
          due: 2026-03-28
          Assets:Receivable:Acme             700.00 CNY
          Income:Services
        2026-02-05 * "华联超市" "销售" ^INV-2026-0002
          due: 2026-03-07
          Assets:1122-应收账款:华联超市       2260.00 CNY
          Income:Services
        2026-02-14 * "华联超市" "退款, nothing paid" ^INV-2026-0002
          Assets:1122-应收账款:华联超市        260.00 CNY
          Assets:Bank:CMB
        """
    )
    assert findings(text) == [
        (
            "ReceivablesError",
            line_of(text, "Refund of too much"),
            (
                "This refund of invoice INV-2026-0001 pays back 150.00 CNY, but only 100.00 CNY "
                "was paid or credited on it beyond its amount of 1000.00 CNY; refund at most "
                "100.00 CNY, or, if this is another invoice, give it its own number."
            ),
        ),
        (
            "ReceivablesError",
            line_of(text, "Consulting again"),
            (
                "Invoice INV-2026-0001 is booked twice (first at <string>:"
                f"{line_of(text, '^INV-2026-0001')}); give this one its own number, or link a "
                "payment or credit note to INV-2026-0001 so that it reduces the balance."
            ),
        ),
        (
            "ReceivablesError",
            line_of(text, "nothing paid"),
            (
                "This refund of invoice INV-2026-0002 pays back 260.00 CNY, but nothing was paid "
                "or credited on it beyond its amount of 2260.00 CNY for a refund to pay back; "
                "correct the link, or, if this is another invoice, give it its own number."
            ),
        ),
    ]


CREDIT = """
    2026-02-10 * "Acme" "Big order" ^INV-2026-0002
      due: 2026-03-12
      Assets:Receivable:Acme            4500.00 CNY
      Income:Services
    2026-02-20 * "Acme" "Payment" ^INV-2026-0001
      Assets:Bank:CMB                   1000.00 CNY
      Assets:Receivable:Acme
    2026-02-25 * "Acme" "Another order" ^INV-2026-0003
      due: 2026-03-27
      Assets:Receivable:Acme            2000.00 CNY
      Income:Services
    """


def test_a_customer_over_its_credit_limit_is_a_warning_on_the_entry_that_took_it_over() -> None:
    text = book(CREDIT)
    assert findings(text) == [
        (
            "ReceivablesWarning",
            line_of(text, "Another order"),
            (
                "Assets:Receivable:Acme went over its credit limit of 5000.00 CNY with this entry "
                "and is still over it: the open balance is 6500.00 CNY; collect what is due before "
                "selling more on credit, or raise credit-limit on its open directive."
            ),
        )
    ]


def test_a_customer_back_within_its_limit_is_not_reported() -> None:
    text = book(
        CREDIT
        + """
    2026-03-01 * "Acme" "Payment" ^INV-2026-0002
      Assets:Bank:CMB                   4500.00 CNY
      Assets:Receivable:Acme
    """
    )
    assert findings(text) == []


@pytest.mark.parametrize(("severity", "kinds"), [("error", ["ReceivablesError"]), ("ignore", [])])
def test_the_credit_limit_severity_is_configurable(severity: str, kinds: list[str]) -> None:
    plugin = f"plugin \"beanfirm.plugins.receivables\" \"{{'credit-limit': '{severity}'}}\"\n"
    assert [kind for kind, _, _ in findings(book(CREDIT, plugin))] == kinds


def test_a_credit_limit_that_is_not_an_amount_is_an_error() -> None:
    text = PLUGIN + CHART.replace("5000.00 CNY", '"5000"')
    assert findings(text) == [
        (
            "ReceivablesError",
            line_of(text, "open Assets:Receivable:Acme"),
            (
                "credit-limit of Assets:Receivable:Acme is '5000', not an amount; write it with its "
                "currency, like `credit-limit: 200000.00 CNY`."
            ),
        )
    ]


def test_roots_and_prefixes_are_configurable() -> None:
    plugin = (
        "plugin \"beanfirm.plugins.receivables\" \"{'receivable': ['Assets:Debtors:'], "
        "'invoice-prefix': 'RE-'}\"\n"
    )
    text = plugin + ledger(
        """
        2026-01-01 open Assets:Debtors:Acme
        2026-01-01 open Assets:Receivable:Acme
        2026-01-01 open Income:Services
        2026-02-01 * "Acme" "Rechnung" ^RE-17
          Assets:Debtors:Acme               1000.00 EUR
          Income:Services
        2026-02-01 * "Acme" "Not a receivable any more" ^INV-1
          Assets:Receivable:Acme            1000.00 EUR
          Income:Services
        """
    )
    assert findings(text) == [
        (
            "ReceivablesError",
            line_of(text, "Rechnung"),
            (
                "Invoice RE-17 has no due date; add `due: YYYY-MM-DD` to the transaction (its date "
                "plus the terms-days on the invoice's account)."
            ),
        )
    ]


@pytest.mark.parametrize(
    ("config", "problem"),
    [
        (
            "{'limit': 'warning'}",
            (
                "unknown key 'limit'; the keys of this plugin are receivable, payable, "
                "invoice-prefix, bill-prefix, credit-limit"
            ),
        ),
        (
            "{'credit-limit': 'fatal'}",
            "'credit-limit' must be one of 'warning', 'error', 'ignore'; got 'fatal'",
        ),
        ("{'receivable': None}", "'receivable' must be a list of strings; got None"),
        ("{'invoice-prefix': ''}", "'invoice-prefix' must be a non-empty string; got ''"),
    ],
)
def test_a_bad_config_is_an_error_on_the_plugin_line(
    tmp_path: Path, config: str, problem: str
) -> None:
    text = CHART + f'plugin "beanfirm.plugins.receivables" "{config}"\n'
    _main, found = file_findings(tmp_path, text)
    assert found == [
        (
            "PluginConfigError",
            line_of(text, "plugin"),
            (
                f'Invalid configuration of plugin "beanfirm.plugins.receivables": {problem}. The '
                "plugin checked nothing; fix the configuration string on this line "
                "(see docs/plugins/receivables.md)."
            ),
        )
    ]
