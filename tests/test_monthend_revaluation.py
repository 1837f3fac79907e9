"""The period-end revaluation (期末调汇): its entry, its rates, and the statements that tie out."""

from __future__ import annotations

import datetime
import textwrap
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from beancount.core import realization
from registry_support import a_client

from beanfirm.accounts.forecast import forecast
from beanfirm.accounts.openitems import read_book
from beanfirm.anomalies.payments import Source, movements
from beanfirm.core.journal import txn_text
from beanfirm.errors import ConfigError
from beanfirm.monthend.checklist import Facts, checklist
from beanfirm.monthend.closing import closing_entries, parse_period
from beanfirm.monthend.mapping import read_mapping, template_text
from beanfirm.monthend.revaluation import (
    holdings,
    period_rates,
    revaluation_entry,
    revaluation_of,
)
from beanfirm.monthend.statements import financial_statements
from beanfirm.store.ledger import load_ledger

if TYPE_CHECKING:
    from beanfirm.core.beans import Entries, Options
    from beanfirm.core.journal import Txn
    from beanfirm.monthend.mapping import Revaluation
    from beanfirm.monthend.statements import Statements

USD_BANK = "Assets:1002-银行存款:中国银行美元户"
RECEIVABLE = "Assets:1122-应收账款:Acme"
PAYABLE = "Liabilities:2202-应付账款:Globex"
FIXED = "Assets:1601-固定资产"
FX = "Expenses:5603-财务费用:汇兑损益"
CLIENT = a_client(name="丝路公司")
SEPTEMBER, OCTOBER = parse_period("2026-09"), parse_period("2026-10")

# Dollars paid in at 7.00, a sale on credit and equipment bought on credit in dollars, and the
# month-end rate of September (7.10); October's (6.90) is added by the tests that need it.
CN = f"""\
option "operating_currency" "CNY"
2026-09-01 open {USD_BANK}  USD,CNY
2026-09-01 open Assets:1002-银行存款:招商银行  CNY
2026-09-01 open {RECEIVABLE}  USD,CNY
2026-09-01 open {PAYABLE}  USD,CNY
2026-09-01 open {FIXED}  USD,CNY
2026-09-01 open Equity:3001-实收资本  CNY
2026-09-01 open Equity:3103-本年利润  CNY,USD
2026-09-01 open Equity:3104-利润分配:未分配利润  CNY,USD
2026-09-01 open Income:5001-主营业务收入  CNY,USD
2026-09-01 open {FX}  CNY

2026-09-01 price USD 7.00 CNY

2026-09-01 * "股东" "投入美元"
  {USD_BANK}  1000.00 USD @ 7.00 CNY
  Equity:3001-实收资本  -7000.00 CNY

2026-09-02 * "股东" "投入人民币"
  Assets:1002-银行存款:招商银行  5000.00 CNY
  Equity:3001-实收资本  -5000.00 CNY

2026-09-10 * "Acme" "赊销"
  {RECEIVABLE}  500.00 USD
  Income:5001-主营业务收入  -500.00 USD

2026-09-15 * "Globex" "进口设备 赊购"
  {FIXED}  200.00 USD
  {PAYABLE}  -200.00 USD

2026-09-30 price USD 7.10 CNY
"""


def load(tmp_path: Path, text: str, mapping: str | None = None) -> tuple[Entries, Options, Path]:
    """Write a client's ledger (and its own mapping) in a folder of its own and load it."""
    folder = tmp_path / f"ledger-{len(list(tmp_path.iterdir()))}"
    folder.mkdir()
    (folder / "main.beancount").write_text(text, encoding="utf-8")
    if mapping is not None:
        (folder / "financials.yaml").write_text(textwrap.dedent(mapping), encoding="utf-8")
    ledger = load_ledger(folder / "main.beancount")
    assert not ledger.errors, ledger.errors
    return ledger.entries, ledger.options, folder / "main.beancount"


def rules(entries: Entries, main: Path) -> Revaluation:
    found = revaluation_of(main, entries)
    assert found is not None
    return found


def revalue(tmp_path: Path, text: str, period: str) -> Txn | None:
    entries, _options, main = load(tmp_path, text)
    month = parse_period(period)
    return revaluation_entry(entries, "CNY", month, rules(entries, main), chinese=True)


def postings(txn: Txn | None) -> list[tuple[str, Decimal | None, str]]:
    assert txn is not None
    return [(p.account, p.amount, p.currency) for p in txn.postings]


def closed(text: str, txn: Txn | None) -> str:
    """Return the ledger with an entry the close made appended, as the close writes it."""
    return text + ("\n" + txn_text(txn) if txn is not None else "")


def test_a_rate_up_is_a_gain_on_cash_and_receivables_and_a_loss_on_payables(
    tmp_path: Path,
) -> None:
    txn = revalue(tmp_path, CN, "2026-09")
    # 1000 USD booked at 7.00 (7000.00), now 7100.00; 500 USD receivable booked at the rate of
    # its day (7.00), now 3550.00; 200 USD payable, now 1420.00; the equipment is not monetary
    assert postings(txn) == [
        (USD_BANK, Decimal("100.00"), "CNY"),
        (RECEIVABLE, Decimal("50.00"), "CNY"),
        (PAYABLE, Decimal("-20.00"), "CNY"),
        (FX, Decimal("-130.00"), "CNY"),  # a gain: a credit to 汇兑损益
    ]
    assert txn is not None
    assert txn.tags == ("revaluation",)
    assert txn.meta == (("rate-usd", "7.10 CNY"),)
    assert txn_text(txn).splitlines()[:2] == [
        '2026-09-30 * "期末调汇 2026-09" #revaluation',
        "  rate-usd:" + " " * 57 + "7.10 CNY",
    ]


def test_the_next_month_revalues_the_revalued_book_a_rate_down_is_a_loss(
    tmp_path: Path,
) -> None:
    september = revalue(tmp_path, CN, "2026-09")
    text = closed(CN, september) + "\n2026-10-31 price USD 6.90 CNY\n"
    october = revalue(tmp_path, text, "2026-10")
    # from 7.10 (September's revaluation is in the book value) to 6.90, not from 7.00
    assert postings(october) == [
        (USD_BANK, Decimal("-200.00"), "CNY"),
        (RECEIVABLE, Decimal("-100.00"), "CNY"),
        (PAYABLE, Decimal("40.00"), "CNY"),
        (FX, Decimal("260.00"), "CNY"),
    ]
    # a third month at the same rate has nothing to revalue: no empty entry
    again = closed(text, october) + "\n2026-11-30 price USD 6.90 CNY\n"
    assert revalue(tmp_path, again, "2026-11") is None


def realized_units(entries: Entries, account: str, currency: str) -> Decimal:
    """Return an account's units of a currency at the end, as Beancount realizes them."""
    root = realization.realize(entries)  # type: ignore[no-untyped-call]
    node = realization.get(root, account)  # type: ignore[no-untyped-call]
    number = node.balance.get_currency_units(currency).number
    assert isinstance(number, Decimal)
    return number


def statements_after(tmp_path: Path, text: str, period: str) -> tuple[Entries, Statements]:
    entries, options, _main = load(tmp_path, text)
    return entries, financial_statements(entries, options, CLIENT, parse_period(period))


def test_the_statements_tie_out_after_two_closes_a_rate_up_then_down(tmp_path: Path) -> None:
    september = revalue(tmp_path, CN, "2026-09")
    text = closed(CN, september)
    transfer = closing_entries(load(tmp_path, text)[0], SEPTEMBER, "01-01", "silkroad", "CNY")
    text = "".join([text, *map(txn_text, transfer)]) + "\n2026-10-31 price USD 6.90 CNY\n"
    october = revalue(tmp_path, text, "2026-10")
    text = closed(text, october)
    entries, statements = statements_after(tmp_path, text, "2026-10")
    sheet, income, cash = (
        statements.balance_sheet,
        statements.income_statement,
        statements.cash_flow,
    )
    assert cash is not None
    # 货币资金: the dollars at October's rate, to the cent, as Beancount realizes the units
    dollars = realized_units(entries, USD_BANK, "USD")
    assert dollars == Decimal("1000.00")
    assert sheet.figure(1).current == dollars * Decimal("6.90") + Decimal("5000.00")
    assert realized_units(entries, USD_BANK, "CNY") == Decimal("-100.00")  # +100 then -200
    assert sheet.figure(4).current == Decimal("3450.00")  # 500 USD receivable at 6.90
    assert sheet.figure(33).current == Decimal("1380.00")  # 200 USD payable at 6.90
    assert sheet.figure(18).current == Decimal("1400.00")  # the equipment, at its own day's rate
    assert sheet.figure(30).current == sheet.figure(53).current  # assets = liabilities + equity
    # 财务费用: October's loss of 260.00; the year's, net of September's gain of 130.00
    assert (income.figure(18).current, income.figure(18).earlier) == (
        Decimal("260.00"),
        Decimal("130.00"),
    )
    retained = sheet.figure(51)
    assert retained.current is not None
    assert retained.earlier is not None
    assert income.figure(32).earlier == retained.current - retained.earlier
    # the revaluation of cash moves none: October's loss is on 支付其他与经营活动有关的现金 (the
    # form has no line for exchange rates), September's gain, in the year, on 收到其他...
    assert (cash.figure(6).current, cash.figure(6).earlier) == (
        Decimal("200.00"),
        Decimal("200.00"),
    )
    assert (cash.figure(2).current, cash.figure(2).earlier) == (Decimal(0), Decimal("100.00"))
    # 现金净增加额 is the change in 货币资金, and 期末现金余额 is 货币资金
    assert cash.figure(20).earlier == sheet.figure(1).current
    assert cash.figure(22).current == sheet.figure(1).current
    september_cash = Decimal("7100.00") + Decimal("5000.00")
    cash_at_end = sheet.figure(1).current
    assert cash_at_end is not None
    assert cash.figure(20).current == cash_at_end - september_cash


def test_two_currencies_each_at_its_own_rate_in_one_entry(tmp_path: Path) -> None:
    euro = "Assets:1002-银行存款:欧元户"
    text = CN.replace(
        "2026-09-01 price USD 7.00 CNY",
        f"2026-09-01 price USD 7.00 CNY\n2026-09-01 open {euro}  EUR,CNY",
    ) + (
        f'\n2026-09-05 * "客户" "欧元回款"\n  {euro}  300.00 EUR @ 7.80 CNY\n'
        "  Equity:3001-实收资本  -2340.00 CNY\n"
        "\n2026-09-30 price EUR 7.75 CNY\n"
    )
    txn = revalue(tmp_path, text, "2026-09")
    assert postings(txn) == [
        (USD_BANK, Decimal("100.00"), "CNY"),
        (euro, Decimal("-15.00"), "CNY"),  # 300 EUR from 7.80 to 7.75
        (RECEIVABLE, Decimal("50.00"), "CNY"),
        (PAYABLE, Decimal("-20.00"), "CNY"),
        (FX, Decimal("-115.00"), "CNY"),
    ]
    assert txn is not None
    assert txn.meta == (("rate-eur", "7.75 CNY"), ("rate-usd", "7.10 CNY"))


def test_a_client_without_foreign_balances_gets_no_entry(tmp_path: Path) -> None:
    text = """\
option "operating_currency" "CNY"
2026-09-01 open Assets:1002-银行存款:招商银行  CNY
2026-09-01 open Equity:3001-实收资本  CNY
2026-09-01 open Expenses:5603-财务费用:汇兑损益  CNY
2026-09-02 * "股东" "投入"
  Assets:1002-银行存款:招商银行  5000.00 CNY
  Equity:3001-实收资本  -5000.00 CNY
"""
    assert revalue(tmp_path, text, "2026-09") is None


def facts(entries: Entries, found: Revaluation, period: str) -> Facts:
    return Facts(
        client_id="silkroad",
        period=parse_period(period),
        entries=entries,
        errors=[],
        accounts=[],
        reconciled={},
        unapproved=None,
        locked_through=None,
        currency="CNY",
        revaluation=found,
    )


def test_a_rate_older_than_the_month_refuses_the_close_naming_the_dollars(
    tmp_path: Path,
) -> None:
    september = revalue(tmp_path, CN, "2026-09")
    entries, _options, main = load(tmp_path, closed(CN, september))  # no rate of October
    item = checklist(facts(entries, rules(entries, main), "2026-10")).items[-1]
    assert item.name == "revaluation"
    assert not item.passed
    # no dollar posting in October: the account's last one before it is named (line 15)
    assert item.found.startswith(f"{main}:15: {USD_BANK} holds 1000.00 USD at 2026-10-31")
    assert item.found.endswith("(the latest is of 2026-09-30, before the month)")
    assert "`2026-10-31 price USD 7.10 CNY`" in item.todo
    with pytest.raises(ConfigError) as raised:
        revaluation_entry(entries, "CNY", OCTOBER, rules(entries, main), chinese=True)
    assert "give each currency its rate of the period" in raised.value.message


def test_a_currency_never_priced_is_named_at_its_first_posting_of_the_month(
    tmp_path: Path,
) -> None:
    text = CN.replace(
        "2026-09-01 price USD 7.00 CNY",
        "2026-09-01 price USD 7.00 CNY\n2026-09-01 open Assets:1002-银行存款:日元户  JPY,CNY\n"
        "2026-09-01 open Income:5051-其他业务收入",
    ) + (
        '\n2026-09-20 * "客户" "日元回款"\n  Assets:1002-银行存款:日元户  10000 JPY\n'
        "  Income:5051-其他业务收入  -10000 JPY\n"
    )
    entries, _options, main = load(tmp_path, text)
    found = holdings(entries, "CNY", SEPTEMBER, rules(entries, main))
    used, problems = period_rates(entries, "CNY", SEPTEMBER, found)
    assert set(used) == {"USD"}
    (problem,) = problems
    assert problem.line == text.splitlines().index('2026-09-20 * "客户" "日元回款"') + 1
    assert problem.message.endswith("JPY has no rate in CNY dated from 2026-09-01 to 2026-09-30")
    item = checklist(facts(entries, rules(entries, main), "2026-09")).items[-1]
    assert "`2026-09-30 price JPY 7.10 CNY`" in item.todo


def test_an_account_opened_for_dollars_only_cannot_take_the_revaluation(tmp_path: Path) -> None:
    text = CN.replace(f"open {USD_BANK}  USD,CNY", f"open {USD_BANK}  USD")
    entries, _options, main = load(tmp_path, text)
    item = checklist(facts(entries, rules(entries, main), "2026-09")).items[-1]
    assert not item.passed
    assert item.found.startswith(f"{main}:2: {USD_BANK} is opened for USD only")
    assert f"`2026-09-01 open {USD_BANK} USD,CNY`" in item.found


def test_a_rate_of_the_month_passes_the_item_and_off_means_off(tmp_path: Path) -> None:
    entries, _options, main = load(tmp_path, CN)
    item = checklist(facts(entries, rules(entries, main), "2026-09")).items[-1]
    assert item.passed
    assert item.found == "3 accounts revalued at USD 7.10 CNY (2026-09-30)"
    off = Facts(**{**facts(entries, rules(entries, main), "2026-09").__dict__,
                   "revaluation": None, "revaluation_off": True})  # fmt: skip
    assert checklist(off).items[-1].found.startswith("turned off for this client")


EN = """\
option "operating_currency" "CNY"
2026-09-01 open Assets:Bank:CMB  CNY
2026-09-01 open Assets:Bank:HSBC-USD  USD,CNY
2026-09-01 open Assets:Fixed:Equipment  USD,CNY
2026-09-01 open Liabilities:Payable:Globex  USD,CNY
2026-09-01 open Equity:Capital  CNY
2026-09-01 open Equity:Retained-Earnings  CNY
2026-09-01 open Income:Services  CNY,USD
2026-09-01 open Expenses:Foreign-Exchange  CNY

2026-09-01 * "Owner" "Dollars paid in"
  Assets:Bank:HSBC-USD  2000.00 USD @ 7.00 CNY
  Equity:Capital  -14000.00 CNY

2026-09-12 * "Globex" "Equipment on credit"
  Assets:Fixed:Equipment  100.00 USD @ 7.05 CNY
  Liabilities:Payable:Globex  -100.00 USD @ 7.05 CNY

2026-09-30 price USD 6.95 CNY
"""


def test_the_english_chart_books_a_loss_and_shows_the_effect_on_cash(tmp_path: Path) -> None:
    entries, _options, main = load(tmp_path, EN)
    found = rules(entries, main)
    assert found.gain_loss == "Expenses:Foreign-Exchange"
    txn = revaluation_entry(entries, "CNY", SEPTEMBER, found, chinese=False)
    assert txn is not None
    assert txn.narration == "Revaluation of foreign currency 2026-09"
    assert postings(txn) == [
        ("Assets:Bank:HSBC-USD", Decimal("-100.00"), "CNY"),  # 2000 USD from 7.00 to 6.95
        ("Liabilities:Payable:Globex", Decimal("10.00"), "CNY"),  # 100 USD from 7.05 to 6.95
        ("Expenses:Foreign-Exchange", Decimal("90.00"), "CNY"),
    ]
    _entries, statements = statements_after(tmp_path, closed(EN, txn), "2026-09")
    sheet, income, cash = (
        statements.balance_sheet,
        statements.income_statement,
        statements.cash_flow,
    )
    assert cash is not None
    assert sheet.figure(1).current == Decimal("13900.00")  # 2000 USD at 6.95
    assert sheet.figure(10).current == sheet.figure(21).current
    assert income.figure(20).current == Decimal("90.00")  # exchange differences
    assert income.figure(23).current == Decimal("-90.00")  # the net loss
    assert cash.figure(16).current == Decimal("-100.00")  # the effect of exchange rates
    assert cash.figure(15).current == Decimal("14000.00")  # the dollars paid in, at 7.00
    assert cash.figure(17).current == sheet.figure(1).current  # from nothing at the start
    assert cash.figure(19).current == sheet.figure(1).current


def test_a_client_mapping_keeps_its_charts_monetary_accounts_or_names_its_own(
    tmp_path: Path,
) -> None:
    template = template_text("cn-small")
    without = template[: template.index("\nrevaluation:")] + "\n"
    entries, _options, main = load(tmp_path, CN, without)
    assert rules(entries, main).monetary[:3] == ("1001", "1002", "1012")  # the chart's
    own = without + "revaluation:\n  monetary: ['1002']\n  gain-loss: " + FX + "\n"
    entries, _options, main = load(tmp_path, CN, own)
    txn = revaluation_entry(entries, "CNY", SEPTEMBER, rules(entries, main), chinese=True)
    assert postings(txn) == [(USD_BANK, Decimal("100.00"), "CNY"), (FX, Decimal("-100.00"), "CNY")]
    mapping, problems = read_mapping(
        "balance-sheet: {title: B, lines: []}\nincome-statement: {title: I, lines: []}\n"
        "revaluation:\n  monetary: ['1002']\n  gain-loss: Assets:1002-银行存款\n",
        "financials.yaml",
    )
    assert mapping is None
    (problem,) = problems
    assert (problem.filename, problem.line) == ("financials.yaml", 5)
    assert "is not an income or expense account" in problem.message


def test_a_cash_flow_line_marked_exchange_twice_for_one_direction_is_refused() -> None:
    text = """\
balance-sheet: {title: B, lines: []}
income-statement: {title: I, lines: []}
cash-flow:
  title: C
  cash: ["1002"]
  lines:
    - {line: 1, name: One, accounts: [], exchange: true}
    - {line: 2, name: Two, accounts: [], flow: in, exchange: true}
    - {line: 3, name: Three, total: [1], exchange: true}
"""
    mapping, problems = read_mapping(text, "financials.yaml")
    assert mapping is None
    assert [(p.line, p.message.split(":")[0]) for p in problems] == [
        (9, "line 3"),
        (
            8,
            "line 2 takes the effect of exchange rates (in) that line 1 takes too; mark one line 'exchange",
        ),
    ]


def test_the_demo_is_revalued_at_its_month_end_rate() -> None:
    main = Path(__file__).resolve().parent.parent / "ledgers/silkroad-export/main.beancount"
    ledger = load_ledger(main)
    found = revaluation_of(main, ledger.entries)
    assert found is not None
    txn = revaluation_entry(ledger.entries, "CNY", OCTOBER, found, chinese=True)
    assert txn is not None
    assert txn.meta == (("rate-usd", "7.1302 CNY"),)
    assert [p.account for p in txn.postings] == [USD_BANK, FX]
    assert datetime.date(2026, 10, 31) == txn.date


def test_a_rate_from_a_priced_posting_elsewhere_states_the_book_value(tmp_path: Path) -> None:
    # equipment paid in by the owner at 7.05, before the sale on credit: the receivable's
    # dollars are stated at 7.05, as the balance sheet states them, and revalued from there
    text = CN + (
        '\n2026-09-05 * "股东" "投入设备"\n'
        f"  {FIXED}  100.00 USD @ 7.05 CNY\n"
        "  Equity:3001-实收资本  -705.00 CNY\n"
    )
    txn = revalue(tmp_path, text, "2026-09")
    assert (RECEIVABLE, Decimal("25.00"), "CNY") in postings(txn)  # 3525.00 to 3550.00
    entries, options, _main = load(tmp_path, closed(text, txn))
    sheet = financial_statements(entries, options, CLIENT, SEPTEMBER).balance_sheet
    assert sheet.figure(4).current == Decimal("3550.00")


def test_a_chart_without_the_gain_loss_account_is_told_to_open_it(tmp_path: Path) -> None:
    # an English client set up before the template opened Expenses:Foreign-Exchange
    text = EN.replace("2026-09-01 open Expenses:Foreign-Exchange  CNY\n", "")
    entries, _options, main = load(tmp_path, text)
    item = checklist(facts(entries, rules(entries, main), "2026-09")).items[-1]
    assert not item.passed
    assert item.found == (
        "Expenses:Foreign-Exchange, where exchange differences go, is not open; open it in "
        "accounts.beancount"
    )


def test_a_revalued_receivable_passes_the_plugins_and_stays_in_dollars_for_the_customer(
    tmp_path: Path,
) -> None:
    # the receivable carries an invoice, as the receivables and categorized plugins want; the
    # revaluation, in 人民币 and without a link, is no one's invoice or payment
    plugins = (
        "plugin \"beanfirm.plugins.categorized\" \"{'today': '2026-10-15'}\"\n"
        'plugin "beanfirm.plugins.receivables"\n'
    )
    text = plugins + CN.replace(
        '2026-09-10 * "Acme" "赊销"\n',
        '2026-09-10 * "Acme" "赊销" ^INV-2026-001\n  due: 2026-10-10\n',
    ).replace(
        '2026-09-15 * "Globex" "进口设备 赊购"\n',
        '2026-09-15 * "Globex" "进口设备 赊购" ^BILL-9\n  due: 2026-10-15\n',
    )
    txn = revalue(tmp_path, text, "2026-09")
    assert (RECEIVABLE, Decimal("50.00"), "CNY") in postings(txn)
    entries, options, _main = load(tmp_path, closed(text, txn))  # no plugin error
    book = read_book(entries, options)
    assert book.balance(RECEIVABLE) == {"USD": Decimal("500.00")}  # the customer's currency
    assert [(item.number, item.currency) for item in book.party_items(RECEIVABLE)] == [
        ("INV-2026-001", "USD")
    ]
    assert realized_units(entries, RECEIVABLE, "CNY") == Decimal("50.00")  # in the books


def test_the_forecast_and_the_anomalies_see_no_cash_in_a_revaluation(tmp_path: Path) -> None:
    txn = revalue(tmp_path, CN, "2026-09")
    entries, options, _main = load(tmp_path, closed(CN, txn))
    cash = [USD_BANK, "Assets:1002-银行存款:招商银行"]
    ahead = forecast(
        entries, options, datetime.date(2026, 10, 1), currency="CNY", cash=cash, weeks=1
    )
    # the 人民币 account's 5000.00, not the dollar account's 100.00 of revaluation
    assert dict(ahead.cash) == {
        USD_BANK: Decimal(0),
        "Assets:1002-银行存款:招商银行": Decimal("5000.00"),
    }
    assert ahead.other_cash == {"USD": Decimal("1000.00")}
    found = movements(entries, [Source(USD_BANK, "bank")])
    assert [entry.narration for entry in found.activity[USD_BANK]] == ["投入美元"]
    assert [payment.entry.narration for payment in found.payments] == ["投入美元"]
