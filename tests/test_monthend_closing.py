"""The close's domain: the closing entries of each chart and the checklist's items."""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from beancount import loader
from beancount.core import data, realization
from beancount.parser import printer

from beanfirm.core.beans import Entries
from beanfirm.core.journal import Txn, txn_text
from beanfirm.errors import Problem, UsageError
from beanfirm.monthend.checklist import Facts, Reconciled, checklist, due_through
from beanfirm.monthend.closing import closing_entries, parse_period
from beanfirm.monthend.statements import book_values
from beanfirm.plugins.locked import MODULE
from beanfirm.review.locks import period_seal
from beanfirm.store.ledger import load_ledger, load_staged, load_until_plugin

CN = """
2025-01-01 open Assets:1002-银行存款         CNY
2025-01-01 open Income:5001-主营业务收入      CNY
2025-01-01 open Expenses:5602-管理费用:房租   CNY
2025-01-01 open Expenses:Uncategorized      CNY
2025-01-01 open Equity:3103-本年利润          CNY
2025-01-01 open Equity:3104-利润分配:未分配利润 CNY
2025-11-03 * "sale"
  Assets:1002-银行存款     1000.00 CNY
  Income:5001-主营业务收入  -1000.00 CNY
2025-11-05 * "rent"
  Assets:1002-银行存款     -300.00 CNY
  Expenses:5602-管理费用:房租  300.00 CNY
2025-11-30 * "结转损益 2025-11" #closing
  Income:5001-主营业务收入   1000.00 CNY
  Expenses:5602-管理费用:房租  -300.00 CNY
  Equity:3103-本年利润      -700.00 CNY
2025-12-08 * "sale"
  Assets:1002-银行存款     500.00 CNY
  Income:5001-主营业务收入  -500.00 CNY
"""


def _entries(text: str) -> Entries:
    entries, errors, _options = loader.load_string(text)
    assert not errors
    return list(entries)


def test_a_chinese_month_moves_income_and_expenses_to_the_years_profit() -> None:
    before_close = CN.split('2025-11-30 * "结转损益', maxsplit=1)[
        0
    ]  # November as it stood, not closed yet
    (txn,) = closing_entries(
        _entries(before_close), parse_period("2025-11"), "01-01", "huamei", "CNY"
    )
    assert txn_text(txn).splitlines()[0] == '2025-11-30 * "结转损益 2025-11" #closing'
    assert [(p.account, p.amount) for p in txn.postings] == [
        ("Expenses:5602-管理费用:房租", Decimal("-300.00")),
        ("Income:5001-主营业务收入", Decimal("1000.00")),
        ("Equity:3103-本年利润", Decimal("-700.00")),  # a profit: a credit to 本年利润
    ]


def test_a_month_closed_again_after_a_reopen_moves_only_what_changed() -> None:
    """November is closed (its 结转损益 in CN); a partner reopened it, and it closes again."""
    assert closing_entries(_entries(CN), parse_period("2025-11"), "01-01", "huamei", "CNY") == []
    late = '2025-11-20 * "late invoice"\n  Assets:1002-银行存款  -50.00 CNY\n'
    late += "  Expenses:5602-管理费用:房租  50.00 CNY\n"
    (txn,) = closing_entries(_entries(CN + late), parse_period("2025-11"), "01-01", "huamei", "CNY")
    assert [(p.account, p.amount) for p in txn.postings] == [
        ("Expenses:5602-管理费用:房租", Decimal("-50.00")),
        ("Equity:3103-本年利润", Decimal("50.00")),
    ]
    # By Beancount's own realization: the income and expense accounts end November at nothing,
    # 本年利润 at November's profit, 1000.00 - 300.00 - 50.00.
    closed = _entries(CN + late + txn_text(txn))
    kept = [e for e in closed if e.date <= datetime.date(2025, 11, 30)]
    november = realization.realize(kept)  # type: ignore[no-untyped-call]
    balance = {
        name: realization.get(november, name).balance.get_currency_units("CNY").number  # type: ignore[no-untyped-call]
        for name in (
            "Income:5001-主营业务收入",
            "Expenses:5602-管理费用:房租",
            "Equity:3103-本年利润",
        )
    }
    assert balance == {
        "Income:5001-主营业务收入": 0,
        "Expenses:5602-管理费用:房租": 0,
        "Equity:3103-本年利润": Decimal("-650.00"),
    }


def test_the_fiscal_years_last_month_moves_the_years_profit_to_undistributed() -> None:
    entries = _entries(CN)
    month, year = closing_entries(entries, parse_period("2025-12"), "01-01", "huamei", "CNY")
    assert [(p.account, p.amount) for p in month.postings] == [
        ("Income:5001-主营业务收入", Decimal("500.00")),
        ("Equity:3103-本年利润", Decimal("-500.00")),
    ]
    # November's 700.00 closed before, December's 500.00 closed now: 1200.00 profit for the year
    assert [(p.account, p.amount) for p in year.postings] == [
        ("Equity:3103-本年利润", Decimal("1200.00")),
        ("Equity:3104-利润分配:未分配利润", Decimal("-1200.00")),
    ]
    assert year.tags == ("closing",)
    # the two entries balance, and the ledger with them loads clean
    text = CN + "".join(txn_text(t) for t in (month, year))
    assert not loader.load_string(text)[1]


def test_an_english_chart_closes_once_a_year_to_retained_earnings() -> None:
    text = """
2025-01-01 open Assets:Bank               USD
2025-01-01 open Income:Sales              USD
2025-01-01 open Equity:Retained-Earnings  USD
2025-03-03 * "sale"
  Assets:Bank    80.00 USD
  Income:Sales  -80.00 USD
"""
    entries = _entries(text)
    # a fiscal year from April: February is not its end, March is; April starts the next
    assert closing_entries(entries, parse_period("2025-02"), "04-01", "acme", "USD") == []
    # a year later, the sale that no close moved (its year's close was never made) is moved
    (late,) = closing_entries(entries, parse_period("2026-03"), "04-01", "acme", "USD")
    assert late.narration == "Closing of the years before 2025-04-01"
    assert late.date == datetime.date(2026, 3, 31)
    assert [(p.account, p.amount) for p in late.postings] == [
        ("Income:Sales", Decimal("80.00")),
        ("Equity:Retained-Earnings", Decimal("-80.00")),
    ]
    (txn,) = closing_entries(entries, parse_period("2025-03"), "04-01", "acme", "USD")
    assert txn.date == datetime.date(2025, 3, 31)
    assert txn.narration == "Year-end closing 2024"
    assert [(p.account, p.amount) for p in txn.postings] == [
        ("Income:Sales", Decimal("80.00")),
        ("Equity:Retained-Earnings", Decimal("-80.00")),
    ]


def test_a_chart_with_no_profit_account_is_refused_with_what_to_open() -> None:
    entries = _entries("2025-01-01 open Income:Sales USD\n")
    with pytest.raises(UsageError, match="opens neither Equity:3103-本年利润"):
        closing_entries(entries, parse_period("2025-01"), "01-01", "acme", "USD")


@pytest.mark.parametrize("text", ["2025-13", "2025-1", "202501", "2025-01-31", "x"])
def test_a_period_that_is_not_a_month_is_refused(text: str) -> None:
    with pytest.raises(UsageError, match="give it as YYYY-MM"):
        parse_period(text)


def _facts(**changes: object) -> Facts:
    base: dict[str, object] = {
        "client_id": "huamei",
        "period": parse_period("2025-12"),
        "entries": _entries(CN),
        "errors": (),
        "accounts": ("Assets:1002-银行存款",),
        "reconciled": {"Assets:1002-银行存款": Reconciled("monthly", datetime.date(2025, 12, 31))},
        "unapproved": None,
        "locked_through": datetime.date(2025, 11, 30),
    }
    return Facts(**{**base, **changes})  # type: ignore[arg-type]


def _failed(facts: Facts) -> list[str]:
    return [item.name for item in checklist(facts).items if not item.passed]


def test_a_ready_month_passes_every_item() -> None:
    assert checklist(_facts()).passed
    assert checklist(_facts(locked_through=None)).passed  # the client's first close


def test_each_item_fails_alone_and_says_what_to_do() -> None:
    cases = {
        "not closed yet": _facts(locked_through=datetime.date(2025, 12, 31)),
        "previous month closed": _facts(locked_through=datetime.date(2025, 10, 31)),
        "no errors": _facts(errors=(Problem("ledgers/huamei/x.beancount", 3, "bad"),)),
        "imported": _facts(
            period=parse_period("2025-10"),
            locked_through=None,
            reconciled={"Assets:1002-银行存款": Reconciled("monthly", datetime.date(2025, 10, 31))},
        ),
        "reconciled": _facts(
            reconciled={"Assets:1002-银行存款": Reconciled("monthly", datetime.date(2025, 11, 30))}
        ),
        "approved": _facts(unapproved="2 commits since its latest approval changed it"),
    }
    for name, facts in cases.items():
        assert _failed(facts) == [name], name
        item = checklist(facts).first_failure()
        assert item is not None
        assert item.todo, name
    uncategorized = CN + (
        '2025-12-09 ! "?"\n  Assets:1002-银行存款  -5.00 CNY\n  Expenses:Uncategorized  5.00 CNY\n'
    )
    failed = checklist(_facts(entries=_entries(uncategorized))).first_failure()
    assert failed is not None
    assert failed.name == "categorized"
    assert "1 entry of 2025-12 uncategorized or flagged `!`, the first at " in failed.found


def test_an_account_is_due_through_the_end_of_its_cadences_last_period_in_the_month() -> None:
    october = parse_period("2025-10")
    assert due_through(october, "monthly") == datetime.date(2025, 10, 31)
    assert due_through(october, "monthly@25") == datetime.date(2025, 10, 25)
    assert due_through(october, "quarterly") == datetime.date(2025, 9, 30)
    assert due_through(parse_period("2025-12"), "quarterly") == datetime.date(2025, 12, 31)
    assert due_through(october, "none") is None
    quarterly = {"Assets:1002-银行存款": Reconciled("quarterly", datetime.date(2025, 9, 30))}
    facts = _facts(period=october, reconciled=quarterly, locked_through=None)
    assert "reconciled" not in _failed(facts)


def test_one_load_gives_the_sealed_entries_and_the_full_load(tmp_path: Path) -> None:
    statements = tmp_path / "documents/Assets/Bank"
    statements.mkdir(parents=True)
    (statements / "2025-01-05.statement.pdf").write_bytes(b"%PDF-1.4\n")
    main = tmp_path / "main.beancount"
    main.write_text(
        'option "documents" "documents"\n'
        f'plugin "{MODULE}"\n'
        "2025-01-01 open Assets:Bank        CNY\n"
        "2025-01-01 open Equity:Opening     CNY\n"
        "2025-01-01 open Expenses:Food      CNY\n"
        "2025-01-02 pad Assets:Bank Equity:Opening\n"
        "2025-01-03 balance Assets:Bank  100.00 CNY\n"
        '2025-01-04 * "lunch"\n'
        "  Assets:Bank  -10.00 CNY\n"
        "  Expenses:Food\n"
        "2025-01-06 balance Assets:Bank  80.00 CNY\n",
        encoding="utf-8",
    )
    seen, full = load_staged(main, MODULE)
    whole = load_ledger(main)
    # the full load is the loader's: padding, the document entry, the failing balance
    assert [printer.format_entry(e) for e in full.entries] == [
        printer.format_entry(e) for e in whole.entries
    ]
    assert [e.message for e in full.errors] == [e.message for e in whole.errors]
    assert len(full.errors) == 1  # 80.00 asserted, 90.00 there
    assert any(isinstance(e, data.Document) for e in full.entries)
    # the entries the `locked` plugin sees give the seal a lock computes alone
    day = datetime.date(2025, 1, 31)
    alone = load_until_plugin(main, MODULE)
    assert period_seal(seen.entries, day, tmp_path) == period_seal(alone.entries, day, tmp_path)
    assert not any(isinstance(e, data.Transaction) and e.flag == "P" for e in seen.entries)


# Income and expenses in dollars, at three rates within the month, for a client in yuan.
DOLLARS = """
2025-01-01 open Assets:1002-银行存款:美元户     USD,CNY
2025-01-01 open Income:5001-主营业务收入        USD,CNY
2025-01-01 open Expenses:5601-销售费用:广告费   USD,CNY
2025-01-01 open Equity:3103-本年利润            USD,CNY
2025-01-01 open Equity:3104-利润分配:未分配利润  USD,CNY
2025-12-01 price USD 7.1000 CNY
2025-12-02 * "sale"
  Assets:1002-银行存款:美元户   1465.87 USD
  Income:5001-主营业务收入    -1465.87 USD
2025-12-10 price USD 7.1234 CNY
2025-12-11 * "ads"
  Expenses:5601-销售费用:广告费   461.66 USD
  Assets:1002-银行存款:美元户    -461.66 USD
2025-12-20 price USD 7.2000 CNY
2025-12-21 * "refund"
  Income:5001-主营业务收入       100.00 USD
  Assets:1002-银行存款:美元户   -100.00 USD
2025-12-31 price USD 7.3000 CNY
"""


def test_amounts_in_another_currency_close_at_their_value_in_the_clients() -> None:
    # Closed in dollars, 本年利润 and 利润分配 took them at December's last rate while the
    # income statement had valued them at each day's: 本年利润 kept yuan after the year end.
    entries = _entries(DOLLARS)
    month, year = closing_entries(entries, parse_period("2025-12"), "01-01", "silkroad", "CNY")
    closed = _entries(DOLLARS + "".join(txn_text(t) for t in (month, year)))
    accounts = {
        "Income:5001-主营业务收入",
        "Expenses:5601-销售费用:广告费",
        "Equity:3103-本年利润",
        "Equity:3104-利润分配:未分配利润",
    }
    before, _ = book_values(entries, "CNY", datetime.date(2025, 12, 31), accounts)
    after, problems = book_values(closed, "CNY", datetime.date(2025, 12, 31), accounts)
    assert not problems
    # 1465.87 x 7.1000 = 10407.68; 461.66 x 7.1234 = 3288.59; 100.00 x 7.2000 = 720.00
    assert before["Income:5001-主营业务收入"] == Decimal("-9687.68")
    assert before["Expenses:5601-销售费用:广告费"] == Decimal("3288.59")
    profit = Decimal("6399.09")
    # every income and expense account, and 本年利润, holds nothing after the year end, in
    # value as in units (as Beancount realizes them); 利润分配 holds the year's profit
    assert after == {
        "Income:5001-主营业务收入": 0,
        "Expenses:5601-销售费用:广告费": 0,
        "Equity:3103-本年利润": 0,
        "Equity:3104-利润分配:未分配利润": -profit,
    }
    root = realization.realize(closed)  # type: ignore[no-untyped-call]
    for account in accounts - {"Equity:3104-利润分配:未分配利润"}:
        balance = realization.get(root, account).balance  # type: ignore[no-untyped-call]
        assert balance.is_empty(), (account, balance)
    undistributed = realization.get(root, "Equity:3104-利润分配:未分配利润").balance  # type: ignore[no-untyped-call]
    assert undistributed.get_currency_units("CNY").number == -profit
    assert undistributed.get_currency_units("USD").number == 0
    # the income leaves as its sale and its refund, each at its own value (their net in
    # dollars and in yuan go the same way here: one posting)
    assert [(p.account, p.amount, p.currency, p.total_price) for p in month.postings] == [
        ("Expenses:5601-销售费用:广告费", Decimal("-461.66"), "USD", (Decimal("3288.59"), "CNY")),
        ("Income:5001-主营业务收入", Decimal("1365.87"), "USD", (Decimal("9687.68"), "CNY")),
        ("Equity:3103-本年利润", Decimal("-6399.09"), "CNY", None),
    ]


def test_a_sale_and_a_refund_that_net_to_no_dollars_still_close_their_value() -> None:
    text = DOLLARS.replace("100.00 USD", "1465.87 USD").replace("-100.00 USD", "-1465.87 USD")
    entries = _entries(text)
    month, _year = closing_entries(entries, parse_period("2025-12"), "01-01", "silkroad", "CNY")
    income = [p for p in month.postings if p.account.startswith("Income:")]
    # no dollars left, but 1465.87 x (7.2000 - 7.1000) = 146.59 yuan: each direction apart
    assert [(p.amount, p.total_price) for p in income] == [
        (Decimal("1465.87"), (Decimal("10407.68"), "CNY")),
        (Decimal("-1465.87"), (Decimal("10554.26"), "CNY")),
    ]
    closed = _entries(text + txn_text(month))
    values, _ = book_values(
        closed, "CNY", datetime.date(2025, 12, 31), {"Income:5001-主营业务收入"}
    )
    assert values == {"Income:5001-主营业务收入": 0}


def test_a_first_close_moves_what_no_close_moved_before_it() -> None:
    # The books start in October 2025; the first close is February 2026. It moved February
    # alone: October to January stayed on the income accounts, locked, and 2025's profit
    # never reached 利润分配.
    text = (
        CN.replace(
            """2025-11-30 * "结转损益 2025-11" #closing
  Income:5001-主营业务收入   1000.00 CNY
  Expenses:5602-管理费用:房租  -300.00 CNY
  Equity:3103-本年利润      -700.00 CNY
""",
            "",
        )
        + """
2026-01-10 * "sale"
  Assets:1002-银行存款     200.00 CNY
  Income:5001-主营业务收入  -200.00 CNY
2026-02-10 * "sale"
  Assets:1002-银行存款     50.00 CNY
  Income:5001-主营业务收入  -50.00 CNY
"""
    )
    entries = _entries(text)
    earlier, month = closing_entries(entries, parse_period("2026-02"), "01-01", "huamei", "CNY")
    assert earlier.narration == "结转以前年度损益 2025-12-31以前"
    # 2025: 1000.00 + 500.00 of sales less 300.00 of rent, to 未分配利润
    assert [(p.account, p.amount) for p in earlier.postings] == [
        ("Expenses:5602-管理费用:房租", Decimal("-300.00")),
        ("Income:5001-主营业务收入", Decimal("1500.00")),
        ("Equity:3104-利润分配:未分配利润", Decimal("-1200.00")),
    ]
    # 2026 so far, January's unmoved sale with February's, to 本年利润
    assert month.narration == "结转损益 2026-02"
    assert [(p.account, p.amount) for p in month.postings] == [
        ("Income:5001-主营业务收入", Decimal("250.00")),
        ("Equity:3103-本年利润", Decimal("-250.00")),
    ]
    closed = _entries(text + earlier_text(earlier, month))
    root = realization.realize(closed)  # type: ignore[no-untyped-call]
    for account in ("Income:5001-主营业务收入", "Expenses:5602-管理费用:房租"):
        assert realization.get(root, account).balance.is_empty()  # type: ignore[no-untyped-call]
    # and the next month moves its own activity only
    assert closing_entries(closed, parse_period("2026-03"), "01-01", "huamei", "CNY") == []


def earlier_text(*txns: Txn) -> str:
    return "".join(txn_text(txn) for txn in txns)
