"""The seven anomaly tests of `beanfirm.anomalies`, on ledgers written in the tests."""

from __future__ import annotations

import dataclasses
import datetime
from decimal import Decimal
from pathlib import Path

from beancount import loader
from beancount.core import data, realization

from beanfirm.anomalies.detect import find_anomalies
from beanfirm.anomalies.dismissals import dismissal_text, open_anomalies, parse_dismissals
from beanfirm.anomalies.findings import Anomaly
from beanfirm.anomalies.payments import Source

BANK = "Assets:1002-银行存款:工商银行"
ALIPAY = "Assets:1012-其他货币资金:支付宝"
SOURCES = [Source(BANK, "bank"), Source(ALIPAY, "payment")]
ROOT = Path("/nonexistent-practice")

CHART = f"""
2020-01-01 open {BANK} CNY
2020-01-01 open {ALIPAY} CNY
2020-01-01 open Assets:1001-库存现金 CNY
2020-01-01 open Expenses:5602-管理费用:办公费 CNY
2020-01-01 open Expenses:5602-管理费用:水电费 CNY
2020-01-01 open Expenses:5602-管理费用:房租 CNY
2020-01-01 open Expenses:5601-销售费用:业务招待费 CNY
2020-01-01 open Expenses:Uncategorized CNY
2020-01-01 open Income:5001-主营业务收入 CNY
"""
OFFICE = "Expenses:5602-管理费用:办公费"
POWER = "Expenses:5602-管理费用:水电费"
MEALS = "Expenses:5601-销售费用:业务招待费"


def txn(day: str, payee: str, account: str, source: str, amount: str, flag: str = "*") -> str:
    """Return a payment of `amount` from `source` booked to `account`."""
    return (
        f'{day} {flag} "{payee}" "test"\n  {account}  {amount} CNY\n  {source}  -{amount} CNY\n\n'
    )


def found(text: str, kind: str | None = None) -> list[Anomaly]:
    """Load a ledger and return its anomalies (of one kind)."""
    entries, errors, _options = loader.load_string(CHART + text)
    assert errors == []
    return [a for a in find_anomalies(entries, ROOT, SOURCES) if kind in (None, a.kind)]


def spaced(start: datetime.date, count: int, days: int) -> list[str]:
    """Return `count` working days `days` apart (Tuesdays, so no day off)."""
    first = start + datetime.timedelta(days=(1 - start.weekday()) % 7)
    return [(first + datetime.timedelta(days=days * i)).isoformat() for i in range(count)]


# Payments on Tuesdays of 2025 that none of the other tests flags.
QUIET = "".join(
    txn(day, f"供应商{i}", OFFICE, BANK, f"{100 + i}.00")
    for i, day in enumerate(spaced(datetime.date(2025, 3, 1), 8, 7))
)


def test_the_same_payment_from_two_accounts_is_a_duplicate_unless_a_transfer() -> None:
    ledger = (
        txn("2025-06-03", "晨光文具", OFFICE, BANK, "500.00")
        + txn("2025-06-04", "支付宝-晨光文具", OFFICE, ALIPAY, "500.00")
        # a transfer between the two accounts: the same amount, never a duplicate
        + f'2025-06-04 * "转账" "top-up"\n  {ALIPAY}  500.00 CNY\n  {BANK}  -500.00 CNY\n\n'
        # the same amount to another category: two purchases
        + txn("2025-06-05", "海底捞", MEALS, ALIPAY, "500.00")
        # the same account twice is the duplicates plugin's business, not this test's
        + txn("2025-06-10", "晨光文具", OFFICE, BANK, "300.00")
        + txn("2025-06-10", "晨光文具", OFFICE, BANK, "300.00")
        # too far apart
        + txn("2025-07-01", "晨光文具", OFFICE, BANK, "700.00")
        + txn("2025-07-08", "晨光文具", OFFICE, ALIPAY, "700.00")
        # either side uncategorized: the same payment, booked once by a rule
        + txn("2025-08-05", "晨光文具", OFFICE, BANK, "800.00")
        + txn("2025-08-06", "支付宝", "Expenses:Uncategorized", ALIPAY, "800.00", flag="!")
    )
    duplicates = found(ledger, "duplicate")
    assert [(a.date, a.account, a.amount) for a in duplicates] == [
        (datetime.date(2025, 6, 4), ALIPAY, Decimal("-500.00")),
        (datetime.date(2025, 8, 6), ALIPAY, Decimal("-800.00")),
    ]
    assert duplicates[0].evidence["other_account"] == BANK
    assert duplicates[0].evidence["other"] == "<string>:11"
    assert "the same payment twice?" in duplicates[0].finding


def test_an_amount_far_from_the_payees_history_is_shown_with_that_history() -> None:
    amounts = ["100.00", "110.00", "95.00", "105.00", "102.00", "98.00", "900.00", "101.00"]
    days = spaced(datetime.date(2025, 1, 1), len(amounts), 14)
    ledger = "".join(txn(d, "国家电网", POWER, BANK, a) for d, a in zip(days, amounts, strict=True))
    [unusual] = found(ledger, "unusual-amount")
    assert (unusual.date.isoformat(), unusual.amount) == (days[6], Decimal("-900.00"))
    assert unusual.evidence["median"] == "101.50"
    assert unusual.evidence["mad"] == "3.50"
    assert unusual.evidence["robust_z"] == "153.88"
    assert unusual.evidence["entries"] == len(amounts)
    history = unusual.evidence["history"]
    assert isinstance(history, list)
    assert [row["amount"] for row in history if isinstance(row, dict)] == amounts[1:6]
    assert "median 101.50, MAD 3.50 over 8 entries" in unusual.finding


def test_a_change_in_an_amount_that_never_changes_is_unusual() -> None:
    days = spaced(datetime.date(2025, 1, 1), 7, 28)
    rent = [txn(d, "恒基物业", "Expenses:5602-管理费用:房租", BANK, "3000.00") for d in days]
    rent[5] = txn(days[5], "恒基物业", "Expenses:5602-管理费用:房租", BANK, "6000.00")
    rent[6] = txn(days[6], "恒基物业", "Expenses:5602-管理费用:房租", BANK, "3100.00")
    [unusual] = found("".join(rent), "unusual-amount")
    assert (unusual.amount, unusual.evidence["mad"], unusual.evidence["robust_z"]) == (
        Decimal("-6000.00"),
        "0.00",
        None,
    )


def test_round_cash_in_thousands_transfers_included() -> None:
    cash = "Assets:1001-库存现金"
    ledger = (
        f'2025-06-03 * "取现" "备用金"\n  {cash}  5000.00 CNY\n  {BANK}  -5000.00 CNY\n\n'
        + txn("2025-06-04", "房东", OFFICE, cash, "2000.00")
        + txn("2025-06-05", "房东", OFFICE, cash, "2050.00")
        + txn("2025-06-06", "房东", OFFICE, cash, "500.00")
    )
    rounds = found(ledger, "round-cash")
    assert [(a.date.day, a.account, a.amount) for a in rounds] == [
        (3, cash, Decimal("5000.00")),
        (4, cash, Decimal("-2000.00")),
    ]
    assert "in cash put into" in rounds[0].finding


def test_payments_on_days_off_follow_the_holiday_calendar() -> None:
    ledger = (
        txn("2026-10-05", "恒基物业", OFFICE, BANK, "3000.00")  # National Day
        + txn("2026-10-10", "恒基物业", OFFICE, BANK, "3000.00")  # a Saturday worked (调休)
        + txn("2026-10-09", "恒基物业", OFFICE, BANK, "3000.00")  # a Friday
        + txn("2026-10-11", "饿了么", MEALS, ALIPAY, "30.00")  # a Sunday, but a payment app
        + f'2026-10-18 * "客户" "收款"\n  {BANK}  10.00 CNY\n  Income:5001-主营业务收入\n\n'
        + txn("2030-01-05", "恒基物业", OFFICE, BANK, "3000.00")  # a Saturday, past the calendar
    )
    days = found(ledger, "day-off")
    assert [(a.date.isoformat(), a.evidence["day_off"]) for a in days] == [
        ("2026-10-05", "National Day 国庆节"),
        ("2030-01-05", "Saturday"),
    ]
    assert days[0].evidence["holiday_calendar"] == "chinesecalendar"
    assert days[1].evidence["holiday_calendar"] is None
    assert "no data for 2030: only weekends are checked" in days[1].finding


def test_a_new_payee_paid_more_than_nearly_every_payment_is_flagged() -> None:
    days = spaced(datetime.date(2025, 1, 1), 40, 2)
    usual = "".join(txn(d, "晨光文具", OFFICE, BANK, f"{100 + i}.00") for i, d in enumerate(days))
    ledger = (
        usual
        + txn("2025-01-09", "开业装修", OFFICE, BANK, "9000.00")  # in the first 60 days
        + txn("2025-04-15", "新供应商", OFFICE, BANK, "5000.00")
        + txn("2025-04-16", "小供应商", OFFICE, BANK, "50.00")
    )
    [new] = found(ledger, "new-payee")
    assert (new.payee, new.amount, new.evidence["payments"]) == (
        "新供应商",
        Decimal("-5000.00"),
        43,
    )
    assert (
        "a payee never paid before: larger than 41 of the client's 43 payments (95%)" in new.finding
    )


def test_a_payee_booked_to_a_category_it_never_had() -> None:
    days = spaced(datetime.date(2025, 1, 1), 7, 7)
    accounts = [OFFICE, OFFICE, OFFICE, OFFICE, MEALS, "Expenses:Uncategorized", OFFICE]
    ledger = "".join(
        txn(d, "晨光文具", a, BANK, "50.00") for d, a in zip(days, accounts, strict=True)
    )
    [change] = found(ledger, "category-change")
    assert (change.date.isoformat(), change.evidence["category"], change.evidence["usual"]) == (
        days[4],
        MEALS,
        OFFICE,
    )
    assert change.evidence["last_usual"] == "<string>:23"


def test_a_gap_in_an_accounts_entries_longer_than_usual() -> None:
    early = spaced(datetime.date(2025, 1, 1), 12, 2)
    late = spaced(datetime.date(2025, 3, 1), 12, 2)
    ledger = "".join(
        txn(d, "晨光文具", OFFICE, BANK, f"{10 + i}.00") for i, d in enumerate(early + late)
    ) + "".join(txn(d, "饿了么", MEALS, ALIPAY, f"{20 + i}.00") for i, d in enumerate(early))
    gaps = found(ledger, "import-gap")
    assert [(a.account, a.evidence["from"], a.evidence["to"]) for a in gaps] == [
        (BANK, early[-1], late[0]),
        (ALIPAY, early[-1], late[-1]),  # its entries stop while the bank's go on
    ]
    assert "none up to" in gaps[1].finding


def _alipay_gap(late_days: int) -> Anomaly:
    """The Alipay account's gap at the books' end, the bank's entries going on `late_days`."""
    early = spaced(datetime.date(2025, 1, 1), 12, 2)
    late = spaced(datetime.date(2025, 1, 1) + datetime.timedelta(days=24), late_days, 2)
    ledger = "".join(
        txn(d, "晨光文具", OFFICE, BANK, f"{10 + i}.00") for i, d in enumerate(early + late)
    ) + "".join(txn(d, "饿了么", MEALS, ALIPAY, f"{20 + i}.00") for i, d in enumerate(early))
    [gap] = [a for a in found(ledger, "import-gap") if a.account == ALIPAY]
    return gap


def test_a_dismissed_gap_that_grows_is_listed_again_saying_so() -> None:
    """A gap dismissed at 16 days hid the same gap at 111 days: its id is its account and start."""
    short, longer = _alipay_gap(10), _alipay_gap(40)
    assert short.id == longer.id
    assert (short.evidence["days"], longer.evidence["days"]) == (17, 77)
    text = dismissal_text(None, short, "export next week", "li", "2025-02-20")
    assert text.endswith("  on: 2025-02-20\n  to: 2025-02-15\n")
    dismissed, problems = parse_dismissals(text, "anomalies.yaml")
    assert problems == []
    assert open_anomalies([short], dismissed) == []
    [again] = open_anomalies([longer], dismissed)
    assert again.id == longer.id
    assert again.finding == longer.finding + (
        " It was dismissed when it was 17 days (by li on 2025-02-20: export next week); it has "
        "grown since."
    )
    # dismissed again at its length: a later item of the same id, which covers it
    text = dismissal_text(text, again, "the account was closed", "li", "2025-05-06")
    dismissed, problems = parse_dismissals(text, "anomalies.yaml")
    assert problems == []
    assert (dismissed[longer.id].reason, dismissed[longer.id].line) == (
        "the account was closed",
        11,
    )
    assert open_anomalies([longer], dismissed) == []
    # the same length twice is a dismissal given twice
    twice = text + text[text.index("- id", text.index("- id") + 1) :]
    _dismissed, [problem] = parse_dismissals(twice, "anomalies.yaml")
    assert "is dismissed twice" in problem.message


def test_a_gap_dismissed_before_its_length_was_recorded_covers_it_up_to_that_day() -> None:
    longer = _alipay_gap(40)
    old = f"dismissed:\n- id: {longer.id}\n  reason: later\n  by: li\n"
    dismissed, problems = parse_dismissals(old + "  on: 2025-02-20\n", "anomalies.yaml")
    assert problems == []
    [again] = open_anomalies([longer], dismissed)
    assert "dismissed when it was at most 22 days, on 2025-02-20 (by li" in again.finding
    dismissed, _problems = parse_dismissals(old + "  on: 2025-05-06\n", "anomalies.yaml")
    assert open_anomalies([longer], dismissed) == []
    _dismissed, [problem] = parse_dismissals(old + "  to: soon\n", "anomalies.yaml")
    assert (problem.line, problem.message) == (
        5,
        "the gap's last day is 'soon'; write it as YYYY-MM-DD.",
    )


def test_the_id_depends_on_the_kind_and_entry_not_on_the_line() -> None:
    ledger = txn("2026-10-05", "恒基物业", OFFICE, BANK, "3000.00")
    [before] = found(QUIET + ledger)
    [after] = found(QUIET + txn("2024-12-31", "别的", OFFICE, ALIPAY, "1.00") + ledger)
    assert before.line != after.line
    assert before.id == after.id
    [other] = found(QUIET + txn("2026-10-05", "恒基物业", OFFICE, BANK, "3001.00"))
    assert other.id != before.id


def test_identical_entries_get_ids_of_their_own() -> None:
    ledger = txn("2026-10-05", "恒基物业", OFFICE, BANK, "3000.00") * 2
    first, second = found(ledger)
    assert second.id == f"{first.id}-2"


def test_a_finding_ties_to_its_entry_in_beancounts_realization() -> None:
    ledger = (
        QUIET
        + txn("2026-10-05", "恒基物业", OFFICE, BANK, "3000.00")
        + txn("2025-06-03", "晨光文具", OFFICE, BANK, "500.00")
        + txn("2025-06-04", "支付宝", "Expenses:Uncategorized", ALIPAY, "500.00", flag="!")
    )
    entries, _errors, _options = loader.load_string(CHART + ledger)
    real = realization.realize(entries)  # type: ignore[no-untyped-call]
    anomalies = find_anomalies(entries, ROOT, SOURCES)
    assert {a.kind for a in anomalies} == {"day-off", "duplicate"}
    for anomaly in anomalies:
        node = realization.get(real, anomaly.account)  # type: ignore[no-untyped-call]
        postings = node.txn_postings
        moved = [
            tp.posting.units.number
            for tp in postings
            if isinstance(tp, data.TxnPosting)
            and tp.txn.meta["lineno"] == anomaly.line
            and tp.posting.units is not None
        ]
        assert moved == [anomaly.amount]


def test_a_dismissal_is_written_so_that_any_reason_reads_back_as_it_was() -> None:
    [anomaly] = found(QUIET + txn("2026-10-05", "恒基物业", OFFICE, BANK, "3000.00"))
    reason = 'standing order: "房租" #5 [/red] - {not: yaml}'
    text = dismissal_text(None, anomaly, reason, "li", "2026-11-23")
    other = dataclasses.replace(anomaly, id="x-1")
    text = dismissal_text(text, other, "b", "li", "2026-11-24")
    dismissed, problems = parse_dismissals(text, "anomalies.yaml")
    assert problems == []
    assert dismissed[anomaly.id].reason == reason
    assert (dismissed[anomaly.id].by, dismissed[anomaly.id].line) == ("li", 4)
    assert dismissed[anomaly.id].on == datetime.date(2026, 11, 23)
    assert list(dismissed) == [anomaly.id, "x-1"]


def test_a_broken_dismissals_file_is_a_problem_at_its_line() -> None:
    text = (
        "dismissed:\n- id: day-off-1\n  reason: ok\n- id: day-off-1\n  reason: twice\n- reason: x\n"
    )
    dismissed, problems = parse_dismissals(text, "ledgers/a/anomalies.yaml")
    assert list(dismissed) == ["day-off-1"]
    assert [str(p) for p in problems] == [
        "ledgers/a/anomalies.yaml:4: 'day-off-1' is dismissed twice; keep one of them.",
        "ledgers/a/anomalies.yaml:6: a dismissal is missing the required key 'id'.",
    ]
    _found, [broken] = parse_dismissals("dismissed:\n- id: [\n", "x.yaml")
    assert broken.message.startswith("YAML syntax error")


def test_a_planted_dismissals_file_runs_no_code(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    text = (
        "dismissed:\n"
        f"- id: !!python/object/apply:os.system ['touch {marker}']\n"
        "  reason: !!python/object/apply:os.system ['touch {marker}']\n"
        f"- id: ok-1\n  reason: fine\n  on: !!python/object/apply:os.system ['touch {marker}']\n"
    )
    dismissed, problems = parse_dismissals(text, "anomalies.yaml")
    assert not marker.exists()
    assert (list(dismissed), dismissed["ok-1"].on) == (["ok-1"], None)
    assert [(p.line, p.message) for p in problems] == [
        (2, "its id must be a single value, not a list or mapping."),
        (3, "its reason must be a single value, not a list or mapping."),
        (6, "the day it was dismissed must be a single value, not a list or mapping."),
    ]
