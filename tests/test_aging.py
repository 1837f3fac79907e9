"""`beanfirm.accounts.aging`: open items by days past due; totals tie to Beancount's balances."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from accounts_support import D, beancount_balance, ledger_text, load_text, nonzero

from beanfirm.accounts.aging import (
    Aging,
    age_items,
    bucket_labels,
    bucket_of,
    overdue_receivables,
    parse_buckets,
    party_aging,
)
from beanfirm.accounts.openitems import read_book
from beanfirm.errors import LedgerError, UsageError

DAY = datetime.date
GOLDENS = Path(__file__).resolve().parent / "goldens"
ACME = "Assets:Receivable:Acme"
LOTUS = "Assets:Receivable:Lotus"
NINGBO = "Liabilities:Payable:Ningbo"

# Worked by hand in the tests below (as of 2026-03-31, buckets 30, 60, 90):
#   Acme  opening 300 (due 01-31 by terms, 59 days) 31-60; INV-001 1000 - 600 = 400 (due 02-09,
#         50 days) 31-60; INV-002 2000 (due 03-22, 9 days; paid only on 04-15) 1-30;
#         INV-003 500 (due 04-24) Current.                                     total 3200
#   Lotus INV-010 800 (due 2025-12-15, 106 days) 91+; unlinked payment 250: credit.  total 550
#   Ningbo (payables) BILL-001 900 - 400 = 500 (due 03-03, 28 days) 1-30.
LEDGER = """
    option "operating_currency" "CNY"
    plugin "beanfirm.plugins.receivables"
    2025-12-01 open Assets:Bank:CMB
    2025-12-01 open Assets:Receivable:Acme
      name: "Acme Robotics Ltd"
      terms-days: 30
    2025-12-01 open Assets:Receivable:Lotus
      name: "Lotus Pharmaceutical"
    2025-12-01 open Assets:Receivable:Zeta
      name: "Zeta, nothing open"
    2025-12-01 open Liabilities:Payable:Ningbo
      name: "宁波海天食品有限公司"
      terms-days: 45
    2025-12-01 open Income:Services
    2025-12-01 open Expenses:Purchases
    2025-12-01 open Equity:Opening-Balances

    2025-12-01 * "Lotus" "Project" ^INV-010
      due: 2025-12-15
      Assets:Receivable:Lotus            800.00 CNY
      Income:Services
    2026-01-01 * "Opening balance: Acme"
      Assets:Receivable:Acme             300.00 CNY
      Equity:Opening-Balances
    2026-01-10 * "Acme" "Consulting, January" ^INV-001
      due: 2026-02-09
      Assets:Receivable:Acme            1000.00 CNY
      Income:Services
    2026-02-01 * "宁波食品厂" "采购" ^BILL-001
      due: 2026-03-03
      Expenses:Purchases                 900.00 CNY
      Liabilities:Payable:Ningbo
    2026-02-20 * "Acme" "Consulting, February" ^INV-002
      due: 2026-03-22
      Assets:Receivable:Acme            2000.00 CNY
      Income:Services
    2026-03-01 * "Acme" "Part payment" ^INV-001
      Assets:Bank:CMB                    600.00 CNY
      Assets:Receivable:Acme
    2026-03-10 * "Lotus" "Payment, no invoice named"
      Assets:Bank:CMB                    250.00 CNY
      Assets:Receivable:Lotus
    2026-03-20 * "宁波食品厂" "付款" ^BILL-001
      Liabilities:Payable:Ningbo         400.00 CNY
      Assets:Bank:CMB
    2026-03-25 * "Acme" "Consulting, March" ^INV-003
      due: 2026-04-24
      Assets:Receivable:Acme             500.00 CNY
      Income:Services
    2026-03-30 * "Zeta" "Sale" ^INV-020
      due: 2026-04-29
      Assets:Receivable:Zeta             100.00 CNY
      Income:Services
    2026-03-31 * "Zeta" "Paid at once" ^INV-020
      Assets:Bank:CMB                    100.00 CNY
      Assets:Receivable:Zeta
    2026-04-15 * "Acme" "Payment after the report date" ^INV-002
      Assets:Bank:CMB                   2000.00 CNY
      Assets:Receivable:Acme
"""


def aging_of(tmp_path: Path, day: datetime.date, *, payables: bool = False) -> Aging:
    ledger = load_text(tmp_path, LEDGER)
    assert ledger.errors == []
    book = read_book(ledger.entries, ledger.options, "payables" if payables else "receivables")
    return age_items(book, day, root=tmp_path)


def figures(report: Aging) -> dict[str, tuple[tuple[Decimal, ...], Decimal, Decimal]]:
    return {
        row.party.key: (aged.buckets, aged.credits, aged.total)
        for row in report.parties
        for aged in row.totals.values()
    }


def test_receivables_by_days_past_due_worked_by_hand(tmp_path: Path) -> None:
    report = aging_of(tmp_path, DAY(2026, 3, 31))
    assert report.labels == ("Current", "1-30", "31-60", "61-90", "91+")
    z = D("0")
    assert figures(report) == {
        "Acme": ((D("500.00"), D("2000.00"), D("700.00"), z, z), z, D("3200.00")),
        "Lotus": ((z, z, z, z, D("800.00")), D("-250.00"), D("550.00")),
    }
    assert report.totals["CNY"].buckets == (D("500.00"), D("2000.00"), D("700.00"), z, D("800.00"))
    assert report.totals["CNY"].credits == D("-250.00")
    assert report.totals["CNY"].total == D("3750.00")
    assert report.totals["CNY"].overdue == D("3500.00")
    acme = report.parties[0]
    assert [(line.number, line.open, line.days_overdue, line.bucket) for line in acme.lines] == [
        (None, D("300.00"), 59, 2),
        ("INV-001", D("400.00"), 50, 2),
        ("INV-002", D("2000.00"), 9, 1),
        ("INV-003", D("500.00"), 0, 0),
    ]
    assert acme.lines[0].due_from == "terms"
    assert acme.lines[1].amount == D("1000.00")
    assert acme.lines[1].location == "main.beancount:25"
    [credit] = report.parties[1].lines[1:]
    assert (credit.kind, credit.open, credit.bucket, credit.date) == (
        "credit",
        D("-250.00"),
        None,
        DAY(2026, 3, 10),
    )


def test_payables_age_bills_in_the_vendors_sense(tmp_path: Path) -> None:
    report = aging_of(tmp_path, DAY(2026, 3, 31), payables=True)
    z = D("0")
    assert figures(report) == {"Ningbo": ((z, D("500.00"), z, z, z), z, D("500.00"))}
    assert report.side == "payables"


@pytest.mark.parametrize(
    "day",
    [
        DAY(2025, 12, 1),
        DAY(2026, 1, 9),
        DAY(2026, 2, 28),
        DAY(2026, 3, 10),
        DAY(2026, 3, 31),
        DAY(2026, 4, 14),
        DAY(2026, 4, 15),
        DAY(2026, 12, 31),
    ],
)
def test_totals_equal_beancounts_balances_on_every_date(tmp_path: Path, day: datetime.date) -> None:
    ledger = load_text(tmp_path, LEDGER)
    for side, sign in (("receivables", 1), ("payables", -1)):
        book = read_book(ledger.entries, ledger.options, side)  # type: ignore[arg-type]
        report = age_items(book, day, (15, 45))
        for account in book.parties:
            expected = {
                currency: number * sign
                for currency, number in beancount_balance(ledger.entries, account, day).items()
            }
            rows = [row for row in report.parties if row.party.account == account]
            got = {c: aged.total for row in rows for c, aged in row.totals.items()}
            assert nonzero(got) == expected, (side, account, day)
        everything: dict[str, Decimal] = {}
        for account in book.parties:
            for currency, number in beancount_balance(ledger.entries, account, day).items():
                everything[currency] = everything.get(currency, D(0)) + number * sign
        got_totals = {currency: aged.total for currency, aged in report.totals.items()}
        assert nonzero(got_totals) == nonzero(everything), (side, day)


def test_a_payment_after_the_date_does_not_count(tmp_path: Path) -> None:
    before = aging_of(tmp_path, DAY(2026, 4, 14))
    after = aging_of(tmp_path, DAY(2026, 4, 15))
    assert figures(before)["Acme"][2] == D("3200.00")
    assert figures(after)["Acme"][2] == D("1200.00")
    numbers = [line.number for line in after.parties[0].lines]
    assert "INV-002" not in numbers


def test_custom_buckets(tmp_path: Path) -> None:
    ledger = load_text(tmp_path, LEDGER)
    book = read_book(ledger.entries, ledger.options)
    report = age_items(book, DAY(2026, 3, 31), (7, 55))
    assert report.labels == ("Current", "1-7", "8-55", "56+")
    z = D("0")
    assert figures(report)["Acme"][0] == (D("500.00"), z, D("2400.00"), D("300.00"))
    assert party_aging(book, LOTUS, DAY(2026, 3, 31), (7, 55))["CNY"].buckets == (
        z,
        z,
        z,
        D("800.00"),
    )
    assert party_aging(book, "Assets:Receivable:Zeta", DAY(2026, 3, 31)) == {}


def test_bucket_helpers() -> None:
    assert bucket_labels((30, 60, 90)) == ("Current", "1-30", "31-60", "61-90", "91+")
    assert bucket_labels(()) == ("Current", "1+")
    assert [bucket_of(days, (30, 60, 90)) for days in (-5, 0, 1, 30, 31, 60, 61, 90, 91, 900)] == [
        0,
        0,
        1,
        1,
        2,
        2,
        3,
        3,
        4,
        4,
    ]
    assert parse_buckets("30,60,90") == (30, 60, 90)
    assert parse_buckets(" 15, 45 ") == (15, 45)
    assert parse_buckets("7") == (7,)


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("30,60,60", "must increase"),
        ("60,30", "must increase"),
        ("30,sixty", "'sixty' is not a whole number"),
        ("30,60.5", "'60.5' is not a whole number"),
        ("-30", "'-30' is not a whole number"),
        ("0,30", "between 1 and"),
        ("", "'' is not a whole number"),
        ("30,,60", "'' is not a whole number"),
        ("\uff13\uff10", "not a whole number"),  # full-width digits
    ],
)
def test_bad_buckets_say_what_to_write(text: str, needle: str) -> None:
    with pytest.raises(UsageError) as caught:
        parse_buckets(text)
    assert needle in str(caught.value)
    assert "--buckets 30,60,90" in str(caught.value)


def test_open_invoice_without_due_date_or_terms_is_an_error_with_its_line(
    tmp_path: Path,
) -> None:
    text = LEDGER + (
        '    2026-03-05 * "Lotus" "No due date" ^INV-011\n'
        "      Assets:Receivable:Lotus            90.00 CNY\n"
        "      Income:Services\n"
    )
    ledger = load_text(tmp_path, text)
    book = read_book(ledger.entries, ledger.options)
    with pytest.raises(LedgerError) as caught:
        age_items(book, DAY(2026, 3, 31), root=tmp_path)
    message = str(caught.value)
    assert "1 open invoice has no due date" in message
    line = next(n for n, row in enumerate(ledger_text(text).splitlines(), 1) if "^INV-011" in row)
    assert f"main.beancount:{line}: INV-011 (Lotus Pharmaceutical)" in message
    assert "add `due: YYYY-MM-DD`" in message
    assert "`terms-days:` to the open directive of Assets:Receivable:Lotus" in message
    # Before the invoice exists, it does not matter.
    assert age_items(book, DAY(2026, 3, 4)).totals["CNY"].total == D("3500.00")


def test_overdue_receivables_for_the_dashboard(tmp_path: Path) -> None:
    ledger = load_text(tmp_path, LEDGER)
    overdue = overdue_receivables(ledger.entries, ledger.options, DAY(2026, 3, 31))
    # opening 300, INV-001 400, INV-002 2000, INV-010 800 (the unapplied credit is not netted)
    assert (overdue.count, overdue.amounts, overdue.oldest_days) == (4, {"CNY": D("3500.00")}, 106)
    assert overdue_receivables(ledger.entries, ledger.options, DAY(2025, 12, 15)).count == 0
    late = overdue_receivables(ledger.entries, ledger.options, DAY(2025, 12, 16))
    assert (late.count, late.amounts, late.oldest_days) == (1, {"CNY": D("800.00")}, 1)


def test_aging_json_matches_the_golden_file(tmp_path: Path, request: pytest.FixtureRequest) -> None:
    actual: dict[str, Any] = {
        "receivables": aging_of(tmp_path, DAY(2026, 3, 31)).as_json(),
        "payables": aging_of(tmp_path, DAY(2026, 3, 31), payables=True).as_json(),
    }
    golden = GOLDENS / "aging.json"
    text = json.dumps(actual, indent=2, ensure_ascii=False) + "\n"
    if request.config.getoption("--regen-goldens"):
        golden.parent.mkdir(exist_ok=True)
        golden.write_text(text, encoding="utf-8")
    assert golden.read_text(encoding="utf-8") == text
