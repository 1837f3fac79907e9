"""Planning the opening of a client's books: entries, ties to the trial balance, open items."""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from accounts_support import ledger_text, load_text
from beancount.core import realization
from beancount.parser import parser
from registry_support import a_client

from beanfirm.accounts.aging import age_items
from beanfirm.accounts.openitems import read_book
from beanfirm.accounts.statements import build_statement
from beanfirm.errors import UsageError
from beanfirm.ingest.openitemsfile import read_open_items
from beanfirm.ingest.trialbalance import read_trial_balance
from beanfirm.jobs.opening import (
    OpeningError,
    OpeningPlan,
    OpeningRequest,
    plan_opening,
    read_mapping,
)
from beanfirm.store.registry import Classification, Client

D = Decimal
GOLDENS = Path(__file__).resolve().parent / "goldens"
DATE = datetime.date(2025, 12, 31)
CLIENT = a_client(
    "qinghe",
    "杭州青禾茶饮有限公司",
    classification=Classification("retail", "low", "hangzhou", "micro"),
    line=0,
)

CHART = """
    option "operating_currency" "CNY"
    2025-12-31 open Assets:1001-库存现金 CNY
    2025-12-31 open Assets:1002-银行存款:工商银行 CNY
      reconcile: "monthly"
    2025-12-31 open Assets:1601-固定资产 CNY
    2025-12-31 open Liabilities:2221-应交税费:应交增值税 CNY
    2025-12-31 open Equity:3001-实收资本 CNY
    2025-12-31 open Equity:3104-利润分配 CNY
    2025-12-31 open Equity:Opening-Balances
    2025-12-31 open Income:5001-主营业务收入 CNY
    2025-12-31 open Expenses:Uncategorized
    2025-12-31 open Assets:1122-应收账款:西湖酒店 CNY
      name: "杭州西湖酒店有限公司"
      terms-days: 30
    2025-12-31 open Assets:1122-应收账款:龙井茶庄 CNY
      name: "龙井茶庄"
    2025-12-31 open Liabilities:2202-应付账款:茶农合作社 CNY
      name: "梅家坞茶农合作社"
"""

TRIAL = """\
科目余额表
科目编码,科目名称,期末余额,
,,借方,贷方
1001,库存现金,"1,250.50",
1002,银行存款,"86,400.00",
100201,工商银行,"86,400.00",
1122,应收账款,"19,800.00",
1601,固定资产,"36,000.00",
2202,应付账款,,"7,450.00"
2221,应交税费,,"3,120.00"
222101,应交增值税,,"3,120.00"
3001,实收资本,,"100,000.00"
3104,利润分配,,"32,880.50"
合计,,"143,450.50","143,450.50"
"""

ITEMS = """\
往来单位,发票号,日期,到期日,未结金额
杭州西湖酒店有限公司,2025-1107,2025-11-07,2025-12-07,"12,000.00"
西湖酒店,2025-1203,2025-12-03,2026-01-02,"4,800.00"
龙井茶庄,2025-1215,2025-12-15,2026-01-14,"3,000.00"
梅家坞茶农合作社,MJW-0311,2025-12-20,2026-01-19,"7,450.00"
合计,,,,"27,250.00"
"""


def request(trial: str = TRIAL, items: str | None = ITEMS, **mapping: str) -> OpeningRequest:
    return OpeningRequest(
        CLIENT,
        read_trial_balance(trial.encode(), "qinghe-tb.csv"),
        DATE,
        tuple(read_open_items(items.encode(), "qinghe-open.csv")) if items else (),
        "qinghe-open.csv" if items else None,
        dict(mapping),
    )


def plan_of(tmp_path: Path, req: OpeningRequest, ledger: str = CHART) -> OpeningPlan:
    entries, errors, options = parser.parse_string(ledger_text(ledger))
    assert not errors
    return plan_opening(req, entries, options, tmp_path)


def opened(tmp_path: Path, plan: OpeningPlan) -> list[object]:
    ledger = load_text(tmp_path, ledger_text(CHART) + "\n" + "\n".join(plan.text))
    assert [error.message for error in ledger.errors] == []
    return list(ledger.entries)


def test_the_opening_entries_match_the_golden_file(
    tmp_path: Path, pytestconfig: pytest.Config
) -> None:
    text = "\n".join(plan_of(tmp_path, request()).text) + "\n"
    golden = GOLDENS / "opening-cn.beancount"
    if pytestconfig.getoption("--regen-goldens"):
        golden.write_text(text, encoding="utf-8")
    assert golden.read_text(encoding="utf-8") == text


def test_every_balance_ties_to_the_trial_balance_through_beancounts_realization(
    tmp_path: Path,
) -> None:
    entries = opened(tmp_path, plan_of(tmp_path, request()))

    tree = realization.realize(entries)  # type: ignore[no-untyped-call]

    def balance(account: str) -> Decimal:
        """The balance of an account and every account below it, as Beancount sums it."""
        node = realization.get(tree, account)  # type: ignore[no-untyped-call]
        total = realization.compute_balance(node)  # type: ignore[no-untyped-call]
        return total.get_currency_units("CNY").number  # type: ignore[no-any-return]

    assert balance("Assets:1001-库存现金") == D("1250.50")
    assert balance("Assets:1002-银行存款:工商银行") == D("86400.00")
    assert balance("Assets:1122-应收账款") == D("19800.00")  # the control line, per customer:
    assert balance("Assets:1122-应收账款:西湖酒店") == D("16800.00")
    assert balance("Assets:1122-应收账款:龙井茶庄") == D("3000.00")
    assert balance("Assets:1601-固定资产") == D("36000.00")
    assert balance("Liabilities:2202-应付账款") == D("-7450.00")
    assert balance("Liabilities:2221-应交税费:应交增值税") == D("-3120.00")
    assert balance("Equity:3001-实收资本") == D("-100000.00")
    assert balance("Equity:3104-利润分配") == D("-32880.50")
    assert balance("Equity:Opening-Balances") == D(0)  # the trial balance's equity carries it


def test_aging_and_statements_see_the_carried_invoices_from_the_first_day(
    tmp_path: Path,
) -> None:
    entries = opened(tmp_path, plan_of(tmp_path, request()))
    book = read_book(entries, {}, "receivables")  # type: ignore[arg-type]
    aging = age_items(book, datetime.date(2026, 1, 10), root=tmp_path)
    lines = {line.number: line for party in aging.parties for line in party.lines}
    day = datetime.date
    shown = {n: (line.date, line.due, line.days_overdue, line.open) for n, line in lines.items()}
    assert shown == {  # each with its own date and due date, as the old books had it
        "INV-2025-1107": (day(2025, 11, 7), day(2025, 12, 7), 34, D("12000.00")),
        "INV-2025-1203": (day(2025, 12, 3), day(2026, 1, 2), 8, D("4800.00")),
        "INV-2025-1215": (day(2025, 12, 15), day(2026, 1, 14), 0, D("3000.00")),
    }
    hotel = book.find_party("西湖酒店")
    assert hotel is not None
    statement = build_statement(
        book, hotel, "open-item", start=None, end=datetime.date(2026, 1, 10), root=tmp_path
    )
    listed = [
        (line.number, line.date, line.amount)
        for section in statement.sections
        for line in section.open_lines
    ]
    assert listed == [
        ("INV-2025-1107", day(2025, 11, 7), D("12000.00")),
        ("INV-2025-1203", day(2025, 12, 3), D("4800.00")),
    ]
    bills = read_book(entries, {}, "payables")  # type: ignore[arg-type]
    assert [(item.number, item.open_amount()) for item in bills.items] == [
        ("BILL-MJW-0311", D("7450.00"))
    ]


def test_the_plugin_accepts_an_overdue_invoice_carried_in(tmp_path: Path) -> None:
    plan = plan_of(tmp_path, request())
    ledger = load_text(
        tmp_path,
        ledger_text(CHART).replace(
            'option "operating_currency" "CNY"',
            'option "operating_currency" "CNY"\nplugin "beanfirm.plugins.receivables"',
        )
        + "\n"
        + "\n".join(plan.text),
    )
    assert [error.message for error in ledger.errors] == []
    early = "\n".join(plan.text).replace("due: 2025-12-07", "due: 2025-11-01")
    ledger = load_text(
        tmp_path, ledger_text(CHART) + '\nplugin "beanfirm.plugins.receivables"\n' + early
    )
    assert [str(error.message) for error in ledger.errors] == [
        (
            "Invoice INV-2025-1107 falls due on 2025-11-01, before its own date 2025-11-07; "
            "correct the due date."
        )
    ]


def problems_of(tmp_path: Path, req: OpeningRequest, ledger: str = CHART) -> list[str]:
    with pytest.raises(OpeningError) as caught:
        plan_of(tmp_path, req, ledger)
    return [str(problem) for problem in caught.value.problems]


def test_open_items_that_do_not_add_up_to_their_line_are_refused(tmp_path: Path) -> None:
    short = ITEMS.replace('"3,000.00"', '"2,999.99"').replace("27,250.00", "27,249.99")
    assert problems_of(tmp_path, request(items=short)) == [
        (
            "qinghe-tb.csv:7: 1122 应收账款 has a balance of 19,800.00 (debit positive), but the "
            "open items of Assets:1122-应收账款: in qinghe-open.csv add up to 19,799.99, a "
            "difference of 0.01. List every open document, with what is still open."
        )
    ]


def test_a_receivable_line_without_open_items_asks_for_them(tmp_path: Path) -> None:
    assert problems_of(tmp_path, request(items=None)) == [
        (
            "qinghe-tb.csv:7: 1122 应收账款 (debit 19,800.00) is carried by open invoices or bills, "
            "so that aging and statements see them: give them with --open-items FILE "
            "(docs/opening.md)."
        ),
        (
            "qinghe-tb.csv:9: 2202 应付账款 (credit 7,450.00) is carried by open invoices or bills, "
            "so that aging and statements see them: give them with --open-items FILE "
            "(docs/opening.md)."
        ),
    ]


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    trial = TRIAL.replace("1601,固定资产", "1604,在建工程")
    items = ITEMS.replace("龙井茶庄,", "碧螺春茶社,").replace("MJW-0311", "MJW 0311")
    history = CHART + '    2025-12-30 * "typed by hand"\n      Assets:1001-库存现金  10.00 CNY\n'
    history += "      Equity:3001-实收资本  -10.00 CNY\n"
    problems = problems_of(tmp_path, request(trial, items), history)
    assert problems[0] == (
        "qinghe-tb.csv:8: 1604 在建工程 (debit 36,000.00) maps to no account of the chart; "
        "candidates: Assets:1601-固定资产."
    )
    assert problems[1].startswith(
        "qinghe-open.csv:4: '碧螺春茶社' is no customer or vendor of qinghe (known: 茶农合作社, "
        "西湖酒店, 龙井茶庄)."
    )
    assert problems[2] == (
        "qinghe-open.csv:5: the number 'MJW 0311' cannot be a Beancount link (letters, digits, "
        "- _ / . only); write it so in the file."
    )
    assert any("1122 应收账款 has a balance of 19,800.00" in p for p in problems)
    assert problems[-2:] == [
        (
            "<string>:19: Assets:1001-库存现金 already has an entry on 2025-12-30, on or "
            "before the opening date 2025-12-31: the opening balances must come first. If these "
            "are opening balances booked before, revert that commit first; otherwise choose a "
            "--date before the account's first entry."
        ),
        (
            "<string>:19: Equity:3001-实收资本 already has an entry on 2025-12-30, on or "
            "before the opening date 2025-12-31: the opening balances must come first. If these "
            "are opening balances booked before, revert that commit first; otherwise choose a "
            "--date before the account's first entry."
        ),
    ]


def test_an_account_opened_after_the_date_is_refused_with_the_fix(tmp_path: Path) -> None:
    later = CHART.replace("2025-12-31 open Assets:1601", "2026-01-01 open Assets:1601")
    assert problems_of(tmp_path, request(), later) == [
        (
            "qinghe-tb.csv:8: 1601 固定资产 maps to Assets:1601-固定资产, which is opened on "
            "2026-01-01, after 2025-12-31: the opening balances are the balances at the end of "
            "2025-12-31 and are booked that day. Open the account on or before 2025-12-31 (for a "
            "new client, `clients add --opened 2025-12-31`)."
        )
    ]


def test_lines_per_customer_tie_to_each_customers_items(tmp_path: Path) -> None:
    trial = TRIAL.replace(
        '1122,应收账款,"19,800.00",\n',
        '1122,应收账款,"19,800.00",\n112201,西湖酒店,"16,800.00",\n112202,龙井茶庄,"3,000.00",\n',
    )
    plan = plan_of(tmp_path, request(trial))
    assert [(m.line.code, m.target) for m in plan.lines["Assets:1122-应收账款:西湖酒店"]] == [
        ("112201", "party")
    ]
    assert len(plan.items) == 4
    wrong = trial.replace('112201,西湖酒店,"16,800.00"', '112201,西湖酒店,"16,000.00"').replace(
        '112202,龙井茶庄,"3,000.00"', '112202,龙井茶庄,"3,800.00"'
    )
    problems = problems_of(tmp_path, request(wrong))
    assert [problem.split(":", 2)[1] for problem in problems] == ["8", "9"]
    assert (
        "open items of Assets:1122-应收账款:西湖酒店 in qinghe-open.csv add up to 16,800.00"
        in (problems[0])
    )


def test_a_mapping_file_reads_codes_and_names_and_refuses_what_is_not_one() -> None:
    assert read_mapping('1122: Assets:Receivable\n"Business Checking": Assets:Bank\n', "m") == {
        "1122": "Assets:Receivable",
        "Business Checking": "Assets:Bank",
    }
    assert read_mapping("", "m") == {}
    with pytest.raises(UsageError, match=r"m:2: map a code or name to one account name"):
        read_mapping("1001: Assets:Cash\n1002: [Assets:A, Assets:B]\n", "m")
    with pytest.raises(UsageError, match=r"m: write one `code or name: Account` per line"):
        read_mapping("- Assets:Cash\n", "m")


QUICKBOOKS = """\
Trial Balance
Northwind Design Ltd.
"As of December 31, 2025"

,Debit,Credit
1010 Business Checking,"$12,450.00",
1200 Accounts Receivable (A/R),"3,300.00",
2000 Accounts Payable (A/P),,"1,150.00"
3000 Owner's Equity,,"14,600.00"
TOTAL,"$15,750.00","$15,750.00"
"""
EN_CHART = """
    option "operating_currency" "USD"
    2025-12-31 open Assets:Bank USD
    2025-12-31 open Equity:Capital USD
    2025-12-31 open Equity:Opening-Balances
    2025-12-31 open Assets:Receivable:Harbor-Logistics USD
      name: "Harbor Logistics Ltd."
    2025-12-31 open Liabilities:Payable:Paper-Co USD
"""
EN_ITEMS = """\
Customer,Invoice,Date,Due date,Open amount
Harbor Logistics Ltd.,INV-1042,2025-12-12,2026-01-11,"3,300.00"
Paper-Co,B-77,2025-12-20,2026-01-19,"1,150.00"
"""


def test_a_quickbooks_trial_balance_onto_an_english_chart_through_a_mapping(
    tmp_path: Path,
) -> None:
    usd = Client(**{**CLIENT.__dict__, "currency": "USD", "language": "en"})
    mapping = {
        "1010": "Assets:Bank",
        "Accounts Receivable (A/R)": "Assets:Receivable",
        "Accounts Payable (A/P)": "Liabilities:Payable",
        "3000": "Equity:Capital",
    }
    req = OpeningRequest(
        usd,
        read_trial_balance(QUICKBOOKS.encode(), "qb.csv"),
        DATE,
        tuple(read_open_items(EN_ITEMS.encode(), "open.csv")),
        "open.csv",
        mapping,
    )
    plan = plan_of(tmp_path, req, EN_CHART)
    assert {account: [m.target for m in found] for account, found in plan.lines.items()} == {
        "Assets:Bank": ["account"],
        "Assets:Receivable": ["control"],
        "Liabilities:Payable": ["control"],
        "Equity:Capital": ["account"],
    }
    assert [(item.link, item.posting) for item in plan.items] == [
        ("INV-1042", D("3300.00")),
        ("BILL-B-77", D("-1150.00")),
    ]
    unmapped = problems_of(tmp_path, OpeningRequest(usd, req.trial, DATE), EN_CHART)
    assert unmapped[:2] == [
        (
            "qb.csv:6: 1010 Business Checking (debit 12,450.00) maps to no account of the chart; "
            "no account comes close."
        ),
        (
            "qb.csv:7: 1200 Accounts Receivable (A/R) (debit 3,300.00) maps to no account of the "
            "chart; candidates: Assets:Receivable (the control account of its open items), "
            "Assets:Receivable:Harbor-Logistics."
        ),
    ]


def test_the_opening_equity_account_must_be_open_on_the_date(tmp_path: Path) -> None:
    late = CHART.replace(
        "2025-12-31 open Equity:Opening-Balances", "2026-01-01 open Equity:Opening-Balances"
    )
    assert problems_of(tmp_path, request(), late) == [
        (
            "ledgers/qinghe/accounts.beancount: the chart has no Equity:Opening-Balances open on "
            "2025-12-31 to book the opening against; open it on or before 2025-12-31."
        )
    ]
