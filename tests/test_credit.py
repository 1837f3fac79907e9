"""`beanfirm.accounts.credit`: ratings A-D from payment history, each factor shown with its points."""

from __future__ import annotations

import datetime
import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from accounts_support import D, load_text

from beanfirm.accounts.credit import RULES, Rating, Scale, Worth, lateness, rate_customers
from beanfirm.accounts.openitems import read_book
from beanfirm.core.translation import Words

DAY = datetime.date
AS_OF = DAY(2026, 6, 30)  # recent payments: after 2026-03-30
CNY = Worth("CNY")  # the ledger below is all in yuan: no rates needed
GOLDENS = Path(__file__).resolve().parent / "goldens"

# Worked by hand on 2026-06-30:
# Prompt  pays 3, 2, 1 and 0 days before due (P2: a 100.00 credit note, then 400.00 paid):
#         lateness (500x-3 + 400x-2 + 500x-1 + 500x0) / 1900 = -1.5 -> 0; late 0% -> 0;
#         nothing overdue -> 0; trend -0.5 - (-2.6) = +2.1 days -> 0.  0 points: A.
# Middle  5, 0, 0 days late (1000 each): lateness 1.7 -> 1; late 33.3% -> 2; nothing overdue
#         -> 0; trend 0 - 2.5 = -2.5 -> 0.  3 points: B.
# Slow    10, 10 (1000 each) then 30 days late (2000, recent): lateness 20.0 -> 2; late 100%
#         -> 3; S4 46 days overdue -> 2; trend 30 - 10 = +20 -> +1.  8 points: D.
#         Balance 1500.00 against a limit of 5000.00: headroom 3500.00, 30.0% used.
# New     one invoice not yet due, no payments: 0 points, but no history: B.
LEDGER = """
    option "operating_currency" "CNY"
    plugin "beanfirm.plugins.receivables"
    2026-01-01 open Assets:Bank:CMB
    2026-01-01 open Assets:Receivable:Prompt
      name: "Prompt Payer Ltd"
    2026-01-01 open Assets:Receivable:Middle
      name: "Middle Co"
    2026-01-01 open Assets:Receivable:Slow
      name: "Slow Trading"
      credit-limit: 5000.00 CNY
    2026-01-01 open Assets:Receivable:New
      name: "New Customer"
    2026-01-01 open Income:Sales
    2026-01-01 open Income:Discounts

    2026-01-05 * "Prompt" "P1" ^INV-P1
      due: 2026-02-04
      Assets:Receivable:Prompt       500.00 CNY
      Income:Sales
    2026-02-01 * "Prompt" "Paid" ^INV-P1
      Assets:Bank:CMB                500.00 CNY
      Assets:Receivable:Prompt
    2026-02-05 * "Prompt" "P2" ^INV-P2
      due: 2026-03-07
      Assets:Receivable:Prompt       500.00 CNY
      Income:Sales
    2026-02-20 * "Prompt" "Credit note" ^INV-P2
      Income:Discounts               100.00 CNY
      Assets:Receivable:Prompt
    2026-03-05 * "Prompt" "Paid" ^INV-P2
      Assets:Bank:CMB                400.00 CNY
      Assets:Receivable:Prompt
    2026-04-05 * "Prompt" "P3" ^INV-P3
      due: 2026-05-05
      Assets:Receivable:Prompt       500.00 CNY
      Income:Sales
    2026-05-04 * "Prompt" "Paid" ^INV-P3
      Assets:Bank:CMB                500.00 CNY
      Assets:Receivable:Prompt
    2026-05-05 * "Prompt" "P4" ^INV-P4
      due: 2026-06-04
      Assets:Receivable:Prompt       500.00 CNY
      Income:Sales
    2026-06-04 * "Prompt" "Paid" ^INV-P4
      Assets:Bank:CMB                500.00 CNY
      Assets:Receivable:Prompt

    2026-01-10 * "Middle" "M1" ^INV-M1
      due: 2026-02-09
      Assets:Receivable:Middle      1000.00 CNY
      Income:Sales
    2026-02-14 * "Middle" "Paid" ^INV-M1
      Assets:Bank:CMB               1000.00 CNY
      Assets:Receivable:Middle
    2026-02-10 * "Middle" "M2" ^INV-M2
      due: 2026-03-12
      Assets:Receivable:Middle      1000.00 CNY
      Income:Sales
    2026-03-12 * "Middle" "Paid" ^INV-M2
      Assets:Bank:CMB               1000.00 CNY
      Assets:Receivable:Middle
    2026-04-10 * "Middle" "M3" ^INV-M3
      due: 2026-05-10
      Assets:Receivable:Middle      1000.00 CNY
      Income:Sales
    2026-05-10 * "Middle" "Paid" ^INV-M3
      Assets:Bank:CMB               1000.00 CNY
      Assets:Receivable:Middle
    2026-06-01 * "Middle" "M4" ^INV-M4
      due: 2026-07-01
      Assets:Receivable:Middle       800.00 CNY
      Income:Sales

    2026-01-01 * "Slow" "S1" ^INV-S1
      due: 2026-01-31
      Assets:Receivable:Slow        1000.00 CNY
      Income:Sales
    2026-02-10 * "Slow" "Paid" ^INV-S1
      Assets:Bank:CMB               1000.00 CNY
      Assets:Receivable:Slow
    2026-02-01 * "Slow" "S2" ^INV-S2
      due: 2026-03-03
      Assets:Receivable:Slow        1000.00 CNY
      Income:Sales
    2026-03-13 * "Slow" "Paid" ^INV-S2
      Assets:Bank:CMB               1000.00 CNY
      Assets:Receivable:Slow
    2026-03-01 * "Slow" "S3" ^INV-S3
      due: 2026-03-31
      Assets:Receivable:Slow        2000.00 CNY
      Income:Sales
    2026-04-30 * "Slow" "Paid" ^INV-S3
      Assets:Bank:CMB               2000.00 CNY
      Assets:Receivable:Slow
    2026-04-15 * "Slow" "S4" ^INV-S4
      due: 2026-05-15
      Assets:Receivable:Slow        1500.00 CNY
      Income:Sales

    2026-06-20 * "New" "N1" ^INV-N1
      due: 2026-07-20
      Assets:Receivable:New          300.00 CNY
      Income:Sales
"""


def ratings_of(tmp_path: Path, day: datetime.date = AS_OF) -> dict[str, Rating]:
    ledger = load_text(tmp_path, LEDGER)
    assert ledger.errors == []
    book = read_book(ledger.entries, ledger.options)
    return {rating.party.key: rating for rating in rate_customers(book, day, CNY)}


def points(rating: Rating) -> dict[str, tuple[Decimal | None, int]]:
    return {factor.key: (factor.value, factor.points) for factor in rating.factors}


def test_ratings_worked_by_hand(tmp_path: Path) -> None:
    ratings = ratings_of(tmp_path)
    assert {key: (r.grade, r.points) for key, r in ratings.items()} == {
        "Middle": ("B", 3),
        "New": ("B", 0),
        "Prompt": ("A", 0),
        "Slow": ("D", 8),
    }
    assert points(ratings["Prompt"]) == {
        "days_to_pay": (D("-1.5"), 0),
        "paid_late": (D("0.0"), 0),
        "overdue_now": (D(0), 0),
        "trend": (D("2.1"), 0),
    }
    assert points(ratings["Middle"]) == {
        "days_to_pay": (D("1.7"), 1),
        "paid_late": (D("33.3"), 2),
        "overdue_now": (D(0), 0),
        "trend": (D("-2.5"), 0),
    }
    assert points(ratings["Slow"]) == {
        "days_to_pay": (D("20.0"), 2),
        "paid_late": (D("100.0"), 3),
        "overdue_now": (D(46), 2),
        "trend": (D("20.0"), 1),
    }
    assert points(ratings["New"]) == {
        "days_to_pay": (None, 0),
        "paid_late": (None, 0),
        "overdue_now": (D(0), 0),
        "trend": (None, 0),
    }
    assert ratings["Prompt"].paid_invoices == 4


def test_each_factor_explains_itself(tmp_path: Path) -> None:
    slow = {factor.key: factor for factor in ratings_of(tmp_path)["Slow"].factors}
    assert str(slow["days_to_pay"].shown) == (
        "50.0 days after invoicing on average, 20.0 days after due"
    )
    assert str(slow["days_to_pay"].rule) == "lateness over 15 days, up to 30 days: 2 point(s)"
    assert str(slow["paid_late"].rule) == "over 50%: 3 point(s)"
    assert str(slow["overdue_now"].shown) == (
        "INV-S4 46 days past due (1500.00 CNY open); 1500.00 CNY overdue in all"
    )
    assert str(slow["overdue_now"].rule) == "over 30 days, up to 60 days: 2 point(s)"
    assert str(slow["trend"].shown) == (
        "paying 20.0 days later than before (30.0 against 10.0 days after due)"
    )
    assert str(slow["trend"].rule) == "change over 10 days: +1 point(s)"
    new = ratings_of(tmp_path)["New"]
    assert tuple(map(str, new.notes)) == (
        "0 invoice(s) paid in full so far, fewer than 3: too little history for an A, so B.",
        "No payments yet and nothing overdue: a new customer.",
    )


def test_the_reasons_read_in_the_language_of_the_page(tmp_path: Path) -> None:
    t = Words("zh")
    ratings = ratings_of(tmp_path)
    slow = {factor.key: factor for factor in ratings["Slow"].factors}
    # Chinese punctuation is full-width, as the catalogue writes it.
    shown = "平均开票后 50.0 天收款，到期后 20.0 天"  # noqa: RUF001
    assert slow["days_to_pay"].shown.words(t) == shown
    assert slow["overdue_now"].rule.words(t) == "超过 30 天、不超过 60 天：2 分"  # noqa: RUF001
    assert slow["trend"].rule.words(t) == "变化超过 10 天：+1 分"  # noqa: RUF001
    for rating in ratings.values():
        reasons = [s for f in rating.factors for s in (f.name, f.shown, f.rule)]
        for reason in [*reasons, *rating.notes]:
            words = reason.words(t)
            assert not re.search(r"[a-z]{2,}", words), words  # invoice numbers are data


def test_balance_against_the_credit_limit(tmp_path: Path) -> None:
    ratings = ratings_of(tmp_path)
    slow = ratings["Slow"].exposure
    assert (slow.balance, slow.limit, slow.currency, slow.headroom, slow.used) == (
        {"CNY": D("1500.00")},
        D("5000.00"),
        "CNY",
        D("3500.00"),
        D("30.0"),
    )
    prompt = ratings["Prompt"].exposure
    assert (prompt.balance, prompt.limit, prompt.headroom) == ({}, None, None)


def test_history_stops_at_the_report_date(tmp_path: Path) -> None:
    # On 2026-03-31 Slow has paid S1 and S2 (10 days late each) and S3 is not yet due.
    slow = ratings_of(tmp_path, DAY(2026, 3, 31))["Slow"]
    assert points(slow)["days_to_pay"] == (D("10.0"), 1)
    assert points(slow)["overdue_now"] == (D(0), 0)
    assert slow.exposure.balance == {"CNY": D("2000.00")}


def test_typical_delay_for_the_forecast(tmp_path: Path) -> None:
    ledger = load_text(tmp_path, LEDGER)
    book = read_book(ledger.entries, ledger.options)
    assert lateness(book.party_items("Assets:Receivable:Slow"), AS_OF, CNY) == 20
    assert lateness(book.party_items("Assets:Receivable:Prompt"), AS_OF, CNY) == -1
    assert lateness(book.party_items("Assets:Receivable:New"), AS_OF, CNY) is None


# Worked by hand: Export pays a 1000.00 CNY invoice on its due date, a 1000.00 USD one 20 days
# late, at 7.00 CNY the dollar, and 4000.00 CNY of E3 10 days early: lateness (1000x0 + 7000x20
# + 4000x-10) / 12000 = 8.3 days, 58.3% paid late. Adding the numbers as they are, a dollar a
# yuan, gave -3.3 days and 16.7%. On 2026-11-30 it owes 6000.00 + 4000.00 CNY and 2000.00 USD,
# all overdue.
MIXED = """
    option "operating_currency" "CNY"
    2026-01-01 open Assets:Bank:CMB
    2026-01-01 open Assets:Receivable:Export
      name: "Export Co"
    2026-01-01 open Income:Sales
    2026-01-01 price USD 7.00 CNY

    2026-09-01 * "Export" "E1" ^INV-E1
      due: 2026-10-01
      Assets:Receivable:Export      1000.00 CNY
      Income:Sales
    2026-10-01 * "Export" "Paid" ^INV-E1
      Assets:Bank:CMB               1000.00 CNY
      Assets:Receivable:Export
    2026-09-01 * "Export" "E2" ^INV-E2
      due: 2026-10-01
      Assets:Receivable:Export      1000.00 USD
      Income:Sales
    2026-10-21 * "Export" "Paid" ^INV-E2
      Assets:Bank:CMB               1000.00 USD
      Assets:Receivable:Export

    2026-11-01 * "Export" "E3" ^INV-E3
      due: 2026-11-20
      Assets:Receivable:Export     10000.00 CNY
      Income:Sales
    2026-11-02 * "Export" "E4" ^INV-E4
      due: 2026-11-15
      Assets:Receivable:Export      4000.00 CNY
      Income:Sales
    2026-11-03 * "Export" "E5" ^INV-E5
      due: 2026-11-22
      Assets:Receivable:Export      2000.00 USD
      Income:Sales
    2026-11-10 * "Export" "Part" ^INV-E3
      Assets:Bank:CMB               4000.00 CNY
      Assets:Receivable:Export
"""


def _mixed(tmp_path: Path, text: str = MIXED) -> Rating:
    ledger = load_text(tmp_path, text)
    assert ledger.errors == []
    book = read_book(ledger.entries, ledger.options)
    [rating] = rate_customers(book, DAY(2026, 11, 30), Worth.of_ledger(ledger.entries, "CNY"))
    return rating


def test_overdue_in_all_is_given_per_currency(tmp_path: Path) -> None:
    """4000 CNY + 6000 CNY + 2000 USD was "12000.00 overdue in all", with no currency."""
    overdue = {factor.key: factor for factor in _mixed(tmp_path).factors}["overdue_now"]
    assert str(overdue.shown) == (
        "INV-E4 15 days past due (4000.00 CNY open); 10000.00 CNY, 2000.00 USD overdue in all"
    )


def test_payments_in_another_currency_weigh_their_value_in_the_clients(tmp_path: Path) -> None:
    rating = _mixed(tmp_path)
    assert points(rating)["days_to_pay"] == (D("8.3"), 1)
    assert points(rating)["paid_late"] == (D("58.3"), 3)
    assert rating.notes == ()


def test_payments_without_a_rate_are_left_out_of_the_averages_saying_so(tmp_path: Path) -> None:
    rating = _mixed(tmp_path, MIXED.replace("    2026-01-01 price USD 7.00 CNY\n", ""))
    assert points(rating)["days_to_pay"] == (D("-8.0"), 0)  # (1000x0 + 4000x-10) / 5000
    assert points(rating)["paid_late"] == (D("0.0"), 0)
    note = rating.notes[0]  # (then: too little history for an A)
    assert str(note).startswith(
        "Payments in USD from 2026-10-21 on have no rate in CNY on or before their day: they are "
        "left out of the days to pay, the share paid late and the trend."
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (D("-5"), (0, "up to 0 days")),
        (D("0"), (0, "up to 0 days")),
        (D("0.1"), (1, "over 0 days, up to 15 days")),
        (D("15"), (1, "over 0 days, up to 15 days")),
        (D("30"), (2, "over 15 days, up to 30 days")),
        (D("30.1"), (3, "over 30 days")),
    ],
)
def test_scale_steps(value: Decimal, expected: tuple[int, str]) -> None:
    points, step = RULES.lateness.score(value)
    assert (points, str(step)) == expected


def test_grades() -> None:
    assert [RULES.grade(n) for n in (-1, 0, 1, 2, 3, 4, 6, 7, 11)] == [
        "A",
        "A",
        "A",
        "B",
        "B",
        "C",
        "C",
        "D",
        "D",
    ]
    scale = Scale(" days", ((D(10), 0),), above=5)
    assert scale.as_json() == {"unit": "days", "steps": [{"up_to": "10", "points": 0}], "above": 5}


def test_credit_json_matches_the_golden_file(
    tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    actual: dict[str, Any] = {
        "as_of": AS_OF.isoformat(),
        "rules": RULES.as_json(),
        "customers": [rating.as_json() for rating in ratings_of(tmp_path).values()],
    }
    golden = GOLDENS / "credit.json"
    text = json.dumps(actual, indent=2, ensure_ascii=False) + "\n"
    if request.config.getoption("--regen-goldens"):
        golden.parent.mkdir(exist_ok=True)
        golden.write_text(text, encoding="utf-8")
    assert golden.read_text(encoding="utf-8") == text
