"""`beanfirm.accounts.forecast`: weekly cash from bank balances, open items and recurring items."""

from __future__ import annotations

import datetime
import warnings
from decimal import Decimal
from pathlib import Path

import pytest
from accounts_support import D, load_text

from beanfirm.accounts.forecast import (
    Forecast,
    cash_accounts,
    check_weeks,
    client_forecast,
    forecast,
)
from beanfirm.accounts.forecastchart import chart_format, render_chart
from beanfirm.accounts.recurring import detect_recurring
from beanfirm.core.pdf import cjk_fonts
from beanfirm.errors import UsageError

DAY = datetime.date
AS_OF = DAY(2026, 3, 31)

# Worked by hand, as of 2026-03-31, four weeks (W1 04-01..04-07, W2 ..04-14, W3 ..04-21,
# W4 ..04-28):
#   cash 10000 + 1000 + 2000 (Acme paid) - 3 x 800 rent - 1500 - 1500 - 1550 salaries
#        - 5 x 50 cleaner - 100 - 300 - 150 electricity - 3 x 30 taxi            = 5160.00
#   (INV-011 of Lotus, due 05-30, falls after the last week.)
#   Acme pays 10 days after due (INV-001 and INV-002): INV-003 due 04-09 -> 04-19 (W3);
#        INV-004 due 03-03 -> 03-13, already past: W1.  Lotus has no history: INV-010 on
#        its due date 04-25 (W4).  Bills: BILL-002 overdue -> W1, BILL-001 due 04-10 (W2).
#   Recurring: rent 800 monthly (next 04-05, W1), salaries monthly, median of the last three
#        1500 (04-15, W3), cleaner 50 weekly (04-07, 04-14, 04-21, 04-28). Electricity (amounts
#        vary), taxis (irregular) and the old lease (stopped) are not recurring.
#   W1 5160 + 500 - 400 - 800 - 50 = 4410;  W2 - 1200 - 50 = 3160;
#   W3 + 3000 - 1500 - 50 = 4610;           W4 + 700 - 50 = 5260.
LEDGER = """
    option "operating_currency" "CNY"
    plugin "beanfirm.plugins.receivables"
    2025-01-01 open Assets:Bank:CMB
    2025-01-01 open Assets:Bank:BOC-USD
    2025-01-01 open Assets:Receivable:Acme
      terms-days: 30
    2025-01-01 open Assets:Receivable:Lotus
    2025-01-01 open Liabilities:Payable:Ningbo
    2025-01-01 open Income:Services
    2025-01-01 open Expenses:Rent
    2025-01-01 open Expenses:Salaries
    2025-01-01 open Expenses:Cleaning
    2025-01-01 open Expenses:Electricity
    2025-01-01 open Expenses:Travel
    2025-01-01 open Expenses:Purchases
    2025-01-01 open Equity:Opening-Balances

    2025-06-01 * "Old landlord" "Lease"
      Expenses:Rent                 900.00 CNY
      Assets:Bank:CMB
    2025-07-01 * "Old landlord" "Lease"
      Expenses:Rent                 900.00 CNY
      Assets:Bank:CMB
    2025-08-01 * "Old landlord" "Lease"
      Expenses:Rent                 900.00 CNY
      Assets:Bank:CMB
    2025-12-01 * "Acme" "Project" ^INV-001
      due: 2025-12-31
      Assets:Receivable:Acme       1000.00 CNY
      Income:Services
    2026-01-01 * "Opening balance"
      Assets:Bank:CMB             12700.00 CNY
      Assets:Bank:BOC-USD           300.00 USD
      Equity:Opening-Balances
    2026-01-03 * "Didi" "Taxi"
      Expenses:Travel                30.00 CNY
      Assets:Bank:CMB
    2026-01-05 * "Landlord" "Rent"
      Expenses:Rent                 800.00 CNY
      Assets:Bank:CMB
    2026-01-05 * "Acme" "Project" ^INV-002
      due: 2026-02-04
      Assets:Receivable:Acme       2000.00 CNY
      Income:Services
    2026-01-10 * "Acme" "Payment" ^INV-001
      Assets:Bank:CMB              1000.00 CNY
      Assets:Receivable:Acme
    2026-01-10 * "State Grid" "Electricity"
      Expenses:Electricity          100.00 CNY
      Assets:Bank:CMB
    2026-01-15 * "Staff" "Salaries"
      Expenses:Salaries            1500.00 CNY
      Assets:Bank:CMB
    2026-01-20 * "Didi" "Taxi"
      Expenses:Travel                30.00 CNY
      Assets:Bank:CMB
    2026-02-01 * "Acme" "Project" ^INV-004
      due: 2026-03-03
      Assets:Receivable:Acme        500.00 CNY
      Income:Services
    2026-02-01 * "Ningbo" "Goods" ^BILL-002
      due: 2026-03-01
      Expenses:Purchases            400.00 CNY
      Liabilities:Payable:Ningbo
    2026-02-05 * "Landlord" "Rent"
      Expenses:Rent                 800.00 CNY
      Assets:Bank:CMB
    2026-02-10 * "State Grid" "Electricity"
      Expenses:Electricity          300.00 CNY
      Assets:Bank:CMB
    2026-02-14 * "Acme" "Payment" ^INV-002
      Assets:Bank:CMB              2000.00 CNY
      Assets:Receivable:Acme
    2026-02-15 * "Staff" "Salaries"
      Expenses:Salaries            1500.00 CNY
      Assets:Bank:CMB
    2026-03-02 * "Didi" "Taxi"
      Expenses:Travel                30.00 CNY
      Assets:Bank:CMB
    2026-03-03 * "Clean Co" "Cleaning"
      Expenses:Cleaning              50.00 CNY
      Assets:Bank:CMB
    2026-03-05 * "Landlord" "Rent"
      Expenses:Rent                 800.00 CNY
      Assets:Bank:CMB
    2026-03-10 * "Acme" "Project" ^INV-003
      due: 2026-04-09
      Assets:Receivable:Acme       3000.00 CNY
      Income:Services
    2026-03-10 * "State Grid" "Electricity"
      Expenses:Electricity          150.00 CNY
      Assets:Bank:CMB
    2026-03-10 * "Clean Co" "Cleaning"
      Expenses:Cleaning              50.00 CNY
      Assets:Bank:CMB
    2026-03-15 * "Staff" "Salaries"
      Expenses:Salaries            1550.00 CNY
      Assets:Bank:CMB
    2026-03-15 * "Ningbo" "Goods" ^BILL-001
      due: 2026-04-10
      Expenses:Purchases           1200.00 CNY
      Liabilities:Payable:Ningbo
    2026-03-17 * "Clean Co" "Cleaning"
      Expenses:Cleaning              50.00 CNY
      Assets:Bank:CMB
    2026-03-20 * "Lotus" "Study" ^INV-010
      due: 2026-04-25
      Assets:Receivable:Lotus       700.00 CNY
      Income:Services
    2026-03-24 * "Clean Co" "Cleaning"
      Expenses:Cleaning              50.00 CNY
      Assets:Bank:CMB
    2026-03-28 * "Lotus" "Second study" ^INV-011
      due: 2026-05-30
      Assets:Receivable:Lotus       250.00 CNY
      Income:Services
    2026-03-31 * "Clean Co" "Cleaning"
      Expenses:Cleaning              50.00 CNY
      Assets:Bank:CMB
"""


def forecast_of(tmp_path: Path, weeks: int = 4) -> Forecast:
    ledger = load_text(tmp_path, LEDGER)
    assert ledger.errors == []
    cash = cash_accounts(ledger.entries, [])
    return forecast(ledger.entries, ledger.options, AS_OF, currency="CNY", cash=cash, weeks=weeks)


def test_weekly_figures_worked_by_hand(tmp_path: Path) -> None:
    result = forecast_of(tmp_path)
    assert result.cash == (("Assets:Bank:BOC-USD", D(0)), ("Assets:Bank:CMB", D("5160.00")))
    assert result.opening == D("5160.00")
    rows = [
        (w.number, w.start, w.end, w.opening, w.inflows, w.outflows, w.closing)
        for w in result.weeks
    ]
    assert rows == [
        (
            1,
            DAY(2026, 4, 1),
            DAY(2026, 4, 7),
            D("5160.00"),
            D("500.00"),
            D("-1250.00"),
            D("4410.00"),
        ),
        (2, DAY(2026, 4, 8), DAY(2026, 4, 14), D("4410.00"), D(0), D("-1250.00"), D("3160.00")),
        (
            3,
            DAY(2026, 4, 15),
            DAY(2026, 4, 21),
            D("3160.00"),
            D("3000.00"),
            D("-1550.00"),
            D("4610.00"),
        ),
        (
            4,
            DAY(2026, 4, 22),
            DAY(2026, 4, 28),
            D("4610.00"),
            D("700.00"),
            D("-50.00"),
            D("5260.00"),
        ),
    ]
    assert result.other_cash == {"USD": D("300.00")}
    assert result.left_out == {}


def test_each_flow_says_where_it_comes_from(tmp_path: Path) -> None:
    result = forecast_of(tmp_path)
    flows = [(f.date, f.week, f.amount, f.source, f.what) for f in result.flows]
    assert flows == [
        (DAY(2026, 4, 1), 1, D("-400.00"), "payable", "BILL-002 Ningbo"),
        (DAY(2026, 4, 1), 1, D("500.00"), "receivable", "INV-004 Acme"),
        (DAY(2026, 4, 5), 1, D("-800.00"), "recurring", "Landlord"),
        (DAY(2026, 4, 7), 1, D("-50.00"), "recurring", "Clean Co"),
        (DAY(2026, 4, 10), 2, D("-1200.00"), "payable", "BILL-001 Ningbo"),
        (DAY(2026, 4, 14), 2, D("-50.00"), "recurring", "Clean Co"),
        (DAY(2026, 4, 15), 3, D("-1500.00"), "recurring", "Staff"),
        (DAY(2026, 4, 19), 3, D("3000.00"), "receivable", "INV-003 Acme"),
        (DAY(2026, 4, 21), 3, D("-50.00"), "recurring", "Clean Co"),
        (DAY(2026, 4, 25), 4, D("700.00"), "receivable", "INV-010 Lotus"),
        (DAY(2026, 4, 28), 4, D("-50.00"), "recurring", "Clean Co"),
    ]
    reasons = {f.what: f.reason for f in result.flows}
    assert reasons["INV-003 Acme"] == "due 2026-04-09 +10 days (the customer's typical delay)"
    assert reasons["INV-010 Lotus"] == "due 2026-04-25 (no payment history: no delay)"
    assert reasons["INV-004 Acme"].endswith("overdue on 2026-03-31: expected in week 1")
    assert reasons["BILL-002 Ningbo"] == (
        "due 2026-03-01; overdue on 2026-03-31: expected in week 1"
    )
    # Expected after the fourth week: only counted (recurring items stop at the horizon).
    assert [(f.date, f.what, f.amount) for f in result.later] == [
        (DAY(2026, 5, 30), "INV-011 Lotus", D("250.00"))
    ]


def test_recurring_items_are_found_with_their_reasons(tmp_path: Path) -> None:
    ledger = load_text(tmp_path, LEDGER)
    cash = set(cash_accounts(ledger.entries, []))
    found, missed = detect_recurring(ledger.entries, cash, AS_OF)
    assert [(r.payee, r.accounts, r.cadence, r.amount) for r in found] == [
        ("Landlord", ("Expenses:Rent",), "monthly", D("-800.00")),
        ("Staff", ("Expenses:Salaries",), "monthly", D("-1500.00")),
        ("Clean Co", ("Expenses:Cleaning",), "weekly", D("-50.00")),
    ]
    staff = found[1]
    assert staff.why == (
        "3 times from 2026-01-15 to 2026-03-15, every 28-31 days (monthly: 25-35); amounts "
        "-1550.00 to -1500.00 CNY, within 10% of the median -1500.00; projected -1500.00 CNY a "
        "month after 2026-03-15"
    )
    assert [(m.payee, m.cadence, m.reason) for m in missed] == [
        ("Old landlord", "monthly", "stopped: the last one was on 2025-08-01"),
        (
            "State Grid",
            "monthly",
            "amounts from -300.00 to -100.00 CNY vary more than 10% from their median -150.00",
        ),
    ]
    # On 2025-08-31 the old lease was still going; by 2026 it has stopped.
    then, _missed = detect_recurring(ledger.entries, cash, DAY(2025, 8, 31))
    assert [(r.payee, r.amount) for r in then] == [("Old landlord", D("-900.00"))]


def test_cash_accounts_from_the_registry_and_the_chart(tmp_path: Path) -> None:
    text = """
        2025-01-01 open Assets:Bank
        2025-01-01 open Assets:Bank:CMB
        2025-01-01 open Assets:BankLoans
        2025-01-01 open Assets:1002-银行存款:招商银行
        2025-01-01 open Assets:1012-其他货币资金:支付宝
        2025-01-01 open Assets:1001-库存现金
        2025-01-01 open Assets:1122-应收账款:华联超市
        2025-01-01 open Assets:Wallet:Alipay
        2025-01-01 open Liabilities:CreditCard:CMB
    """
    ledger = load_text(tmp_path, text)
    registered = [
        ("Assets:Wallet:Alipay", "payment"),
        ("Liabilities:CreditCard:CMB", "credit-card"),
        ("Assets:Till", "cash"),
    ]
    assert cash_accounts(ledger.entries, registered) == [
        "Assets:1001-库存现金",
        "Assets:1002-银行存款:招商银行",
        "Assets:1012-其他货币资金:支付宝",
        "Assets:Bank",
        "Assets:Bank:CMB",
        "Assets:Till",
        "Assets:Wallet:Alipay",
    ]


def test_without_a_client_the_ledger_decides_the_currency(tmp_path: Path) -> None:
    ledger = load_text(tmp_path, LEDGER)
    result = client_forecast(ledger.entries, ledger.options, AS_OF, None, weeks=2)
    assert (result.currency, len(result.weeks), result.weeks[-1].closing) == (
        "CNY",
        2,
        D("3160.00"),
    )
    usd = client_forecast(
        ledger.entries, {**ledger.options, "operating_currency": []}, AS_OF, None, weeks=1
    )
    assert usd.currency == "CNY"  # the currency most used on the cash accounts


@pytest.mark.parametrize("weeks", [0, -1, 53, 1000])
def test_weeks_out_of_range(weeks: int) -> None:
    with pytest.raises(UsageError) as caught:
        check_weeks(weeks)
    assert f"--weeks {weeks} is out of range: a forecast covers 1 to 52 weeks" in str(caught.value)


def test_other_currency_items_are_left_out_and_counted(tmp_path: Path) -> None:
    text = LEDGER + (
        '    2026-03-25 * "Acme" "Export" ^INV-020\n'
        "      due: 2026-04-24\n"
        "      Assets:Receivable:Acme       100.00 USD\n"
        "      Income:Services\n"
    )
    ledger = load_text(tmp_path, text)
    result = client_forecast(ledger.entries, ledger.options, AS_OF, None, weeks=4)
    assert result.left_out == {"USD": 1}
    assert result.weeks[-1].closing == D("5260.00")


def test_chart_is_drawn_as_png_and_svg(tmp_path: Path) -> None:
    result = forecast_of(tmp_path)
    png = render_chart(result, "png", title="Test", language="en")
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    svg = render_chart(result, "svg", title="杭州东升商贸有限公司", language="zh")
    assert b"<svg" in svg
    assert svg == render_chart(result, "svg", title="杭州东升商贸有限公司", language="zh")
    assert (chart_format("a.PNG"), chart_format("b.svg"), chart_format("c.pdf")) == (
        "png",
        "svg",
        None,
    )


@pytest.mark.skipif(not cjk_fonts(), reason="no CJK font on this machine (make fonts)")
def test_chinese_is_drawn_with_a_cjk_font_the_font_cache_predates(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from matplotlib import font_manager  # noqa: PLC0415 - the test's own, as the module's

    # matplotlib's font cache made before the font was installed: it knows no CJK font.
    manager = font_manager.fontManager
    stale = [font for font in manager.ttflist if font.fname not in cjk_fonts()]
    monkeypatch.setattr(manager, "ttflist", stale)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "Glyph 26477 missing from font(s) DejaVu Sans."
        png = render_chart(forecast_of(tmp_path), "png", title="杭州东升", language="zh")
    assert png.startswith(b"\x89PNG")


def test_decimal_everywhere(tmp_path: Path) -> None:
    result = forecast_of(tmp_path)
    for week in result.weeks:
        for value in (week.opening, week.inflows, week.outflows, week.closing):
            assert isinstance(value, Decimal)
    assert all(isinstance(flow.amount, Decimal) for flow in result.flows)
