"""The visit expenses report: categories, groups, flags, and figures tied to Beancount's own."""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path

from beancount import loader
from beancount.core import data, realization

from beanfirm.accounts.visits import CATEGORIES, category_by_name, visit_report
from beanfirm.core.beans import Directive, Options
from beanfirm.jobs.visits import visit_accounts
from beanfirm.store.ledger import load_ledger

REPO = Path(__file__).resolve().parent.parent

LEDGER = """
option "operating_currency" "CNY"
2025-01-01 open Assets:Bank CNY
2025-01-01 open Liabilities:Card CNY
2025-01-01 open Expenses:Travel:Transport CNY
2025-01-01 open Expenses:Travel:Meals CNY
2025-01-01 open Expenses:Travel:Lodging CNY
2025-01-01 open Expenses:Sales:Trips CNY
  visit-cost: "transport"
2025-01-01 open Expenses:Gifts CNY
2025-01-01 open Assets:Receivable:Acme CNY
  name: "Acme Ltd."
  class: "key"
2025-01-01 open Assets:Receivable:Bolt CNY
  name: "Bolt Co."
  class: "regular"
2025-01-01 open Assets:Receivable:Cirrus CNY
  name: "Cirrus"

2025-02-03 * "Didi" "Taxi" #visit
  customer: "Acme"
  visit: "V-1"
  staff: "tom"
  Expenses:Travel:Transport       45.10 CNY
  Liabilities:Card

2025-02-03 * "Hotel" "Two nights and dinner" #visit
  customer: "Acme"
  visit: "V-1"
  Expenses:Travel:Lodging        600.00 CNY
  Expenses:Travel:Meals          210.55 CNY
  Expenses:Gifts                  88.00 CNY
  Liabilities:Card

2025-02-20 * "Rail" "Train" #visit
  customer: "Bolt"
  visit: "V-2"
  staff: "amy"
  Expenses:Sales:Trips           320.00 CNY
  Liabilities:Card

2025-03-02 * "Hotel" "Refund of a night" #visit
  customer: "Acme"
  visit: "V-1"
  Expenses:Travel:Lodging       -150.00 CNY
  Liabilities:Card

2025-03-09 * "Lunch" "Lunch" #visit
  customer: "Cirrus"
  visit: "V-3"
  Expenses:Gifts                  60.00 CNY
    visit-cost: "meals"
  Assets:Bank

2025-03-15 * "Taxi" "No visit id" #visit
  customer: "Bolt"
  Expenses:Travel:Transport       33.00 CNY
  Assets:Bank

2025-03-16 * "Taxi" "Visit id but no tag"
  customer: "Bolt"
  visit: "V-9"
  Expenses:Travel:Transport       12.00 CNY
  Assets:Bank

2025-03-20 * "Rail" "A customer without an account" #visit
  customer: "Nobody"
  visit: "V-4"
  Expenses:Travel:Transport       70.00 CNY
  Assets:Bank
"""


def loaded() -> tuple[list[Directive], Options]:
    entries, errors, options = loader.load_string(LEDGER)
    assert not errors, errors
    return entries, options


def test_each_visit_is_split_into_its_categories() -> None:
    entries, options = loaded()
    report = visit_report(entries, options)
    rows = {row.key[0]: row for row in report.rows("visit")}
    acme = rows["V-1"].costs.amounts
    assert acme == {
        "transport": Decimal("45.10"),
        "meals": Decimal("210.55"),
        "lodging": Decimal("450.00"),  # 600 less the refund
        "other": Decimal("88.00"),  # Expenses:Gifts names no category
    }
    assert rows["V-1"].key == ("V-1", "2025-02-03", "Acme", "key", "tom")
    # The open's `visit-cost:` and the posting's own take precedence over the name.
    assert rows["V-2"].costs.amounts["transport"] == Decimal("320.00")
    assert rows["V-3"].costs.amounts["meals"] == Decimal("60.00")
    assert rows["V-3"].key[3] == ""  # Cirrus has no class


def test_groups_by_customer_class_month_and_staff() -> None:
    entries, options = loaded()
    report = visit_report(entries, options)
    by_class = {row.key: row.costs.total for row in report.rows("class")}
    assert by_class == {
        ("",): Decimal("130.00"),  # Cirrus 60 and the unknown customer's 70
        ("key",): Decimal("793.65"),
        ("regular",): Decimal("320.00"),
    }
    by_month = {row.key: row.costs.total for row in report.rows("month")}
    assert by_month == {("2025-02",): Decimal("1263.65"), ("2025-03",): Decimal("-20.00")}
    by_staff = {row.key: len(row.costs.visits) for row in report.rows("staff")}
    assert by_staff == {("",): 2, ("amy",): 1, ("tom",): 1}
    customers = [row.key for row in report.rows("customer")]
    assert customers == [("Acme", "key"), ("Bolt", "regular"), ("Cirrus", ""), ("Nobody", "")]


def test_entries_missing_customer_or_visit_are_flagged_with_their_line() -> None:
    entries, options = loaded()
    report = visit_report(entries, options, relative=lambda _name: "visits.beancount")
    assert len(report.flagged) == 1
    flagged = report.flagged[0]
    assert flagged.problem.line == LEDGER.count("\n", 0, LEDGER.index("No visit id")) + 1
    assert "`visit:`" in flagged.problem.message
    assert [cost.amount for cost in flagged.costs] == [Decimal("33.00")]
    assert report.flagged_totals() == {"CNY": Decimal("33.00")}
    warnings = [problem.message for problem in report.problems]
    assert any("no #visit tag" in message for message in warnings)
    assert any("'Nobody' has no receivable account" in message for message in warnings)


def test_dates_bound_the_report() -> None:
    entries, options = loaded()
    report = visit_report(
        entries, options, start=datetime.date(2025, 3, 1), end=datetime.date(2025, 3, 10)
    )
    assert [visit.id for visit in report.visits] == ["V-1", "V-3"]
    assert report.totals()[0].total == Decimal("-90.00")
    assert not report.flagged


def visit_balances(entries: list[Directive]) -> dict[str, Decimal]:
    """Return each expense account's balance over the #visit transactions, as Beancount realizes it."""
    tagged = [e for e in entries if isinstance(e, data.Transaction) and "visit" in e.tags]
    root = realization.realize(tagged)  # type: ignore[no-untyped-call]
    found: dict[str, Decimal] = {}
    for real in realization.iter_children(root):  # type: ignore[no-untyped-call]
        if real.account.startswith("Expenses") and not real.balance.is_empty():
            found[real.account] = real.balance.get_currency_units("CNY").number
    return found


def test_totals_tie_to_beancounts_realization_to_the_cent() -> None:
    entries, options = loaded()
    report = visit_report(entries, options)
    balances = visit_balances(entries)
    total = report.totals()[0]
    assert total.total + report.flagged_totals()["CNY"] == sum(balances.values())
    # Each account's share of the report is its balance: what is split by posting metadata
    # (Expenses:Gifts, partly meals) is summed back by account here.
    by_account: dict[str, Decimal] = {}
    for visit in report.visits:
        for cost in visit.costs:
            by_account[cost.account] = by_account.get(cost.account, Decimal(0)) + cost.amount
    for flagged in report.flagged:
        for cost in flagged.costs:
            by_account[cost.account] = by_account.get(cost.account, Decimal(0)) + cost.amount
    assert by_account == balances
    # The whole ledger's travel accounts hold only visits (and the untagged entry, 12.00).
    root = realization.realize(entries)  # type: ignore[no-untyped-call]
    lodging = realization.get(root, "Expenses:Travel:Lodging").balance  # type: ignore[no-untyped-call]
    assert lodging.get_currency_units("CNY").number == total.amounts["lodging"]


def test_the_demo_ties_to_the_ledger_to_the_cent() -> None:
    ledger = load_ledger(REPO / "ledgers" / "brightpath-consulting" / "main.beancount")
    report = visit_report(ledger.entries, ledger.options)
    balances = visit_balances(ledger.entries)
    assert not report.flagged
    assert len(report.visits) > 100
    total = report.totals()[0]
    assert total.total == sum(balances.values())
    names = {"transport": "Transport", "meals": "Meals", "lodging": "Lodging"}
    for category, name in names.items():
        assert total.amounts[category] == balances[f"Expenses:Travel:{name}"]
    assert sum(row.costs.total for row in report.rows("class")) == total.total
    assert {row.key for row in report.rows("class")} == {("key",), ("regular",)}


def test_categories_by_account_name_in_both_charts() -> None:
    assert category_by_name("Expenses:Travel:Transport") == "transport"
    assert category_by_name("Expenses:5601-销售费用:业务招待费") == "meals"
    assert category_by_name("Expenses:5601-销售费用:差旅费:住宿费") == "lodging"
    assert category_by_name("Expenses:5601-销售费用:差旅费") == "other"
    assert set(CATEGORIES) == {"transport", "meals", "lodging", "other"}


def test_a_visit_is_booked_to_the_accounts_of_the_chart() -> None:
    entries, _ = loaded()
    day = datetime.date(2025, 2, 1)
    assert visit_accounts(entries, day) == {
        "transport": "Expenses:Sales:Trips",  # marked with visit-cost: on its open
        "meals": "Expenses:Travel:Meals",
        "lodging": "Expenses:Travel:Lodging",
    }
    cn, _errors, _options = loader.load_string(
        "2025-01-01 open Expenses:5601-销售费用:差旅费 CNY\n"
        "2025-01-01 open Expenses:5601-销售费用:业务招待费 CNY\n"
        "2025-01-01 open Expenses:5602-管理费用:业务招待费 CNY\n"
        "2025-01-01 open Expenses:5601-销售费用:其他 CNY\n"
    )
    assert visit_accounts(cn, day) == {
        "transport": "Expenses:5601-销售费用:差旅费",
        # 小企业会计准则 第六十五条: 业务招待费 is 管理费用, even where the chart has it under 5601.
        "meals": "Expenses:5602-管理费用:业务招待费",
        "lodging": "Expenses:5601-销售费用:差旅费",
        "other": "Expenses:5601-销售费用:其他",
    }
