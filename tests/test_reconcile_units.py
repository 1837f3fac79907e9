"""The parts of reconciliation: statement periods, the account book, matching, differences."""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from beancount import loader

from beanfirm.core.beans import Directive
from beanfirm.firm.checkcache import _summary_from_json, summary_to_json
from beanfirm.firm.summary import LedgerSummary
from beanfirm.importers.statement import (
    BankStatement,
    ClosingBalance,
    OpeningBalance,
    StatementRow,
)
from beanfirm.ingest.ledgerindex import Location
from beanfirm.reconcile.accountbook import BookPosting, account_book
from beanfirm.reconcile.comparison import compare
from beanfirm.reconcile.differences import digit_slip
from beanfirm.reconcile.matching import match_lines
from beanfirm.reconcile.period import (
    StatementLine,
    StatementRefusedError,
    read_period,
)
from beanfirm.reconcile.status import ReconciliationStatus, reconciliation_status

BANK = "Assets:Bank:ICBC"
D = datetime.date


def row(
    line: int, day: str, number: str, balance: str | None = None, payee: str = ""
) -> StatementRow:
    return StatementRow(
        line,
        D.fromisoformat(day),
        None,
        Decimal(number),
        "CNY",
        payee,
        "",
        None,
        None if balance is None else Decimal(balance),
        None,
        (),
        f"id-{line}",
    )


def statement(
    rows: list[StatementRow],
    closing: tuple[str, str] | None = None,
    opening: tuple[str, str] | None = None,
) -> BankStatement:
    balances = (
        (ClosingBalance(D.fromisoformat(closing[0]), Decimal(closing[1]), "CNY", 99),)
        if closing
        else ()
    )
    openings = (
        (OpeningBalance(D.fromisoformat(opening[0]), Decimal(opening[1]), "CNY", 1),)
        if opening
        else ()
    )
    return BankStatement("bank.csv", tuple(rows), (), balances, None, openings)


# Statement periods ---------------------------------------------------------------------------


def test_a_balance_column_gives_opening_and_closing() -> None:
    rows = [row(5, "2025-01-03", "-100", "900"), row(4, "2025-01-09", "50", "950")]
    period = read_period(statement(rows, ("2025-01-09", "950")), "CNY", source="bank.csv")
    assert (period.opening, period.closing) == (Decimal(1000), Decimal(950))
    assert (period.first_day, period.end) == (D(2025, 1, 3), D(2025, 1, 9))
    assert period.balance_before(D(2025, 1, 5)) == Decimal(900)


def test_a_balance_column_that_does_not_add_up_is_refused() -> None:
    rows = [row(5, "2025-01-03", "-100", "900"), row(4, "2025-01-09", "50", "960")]
    with pytest.raises(StatementRefusedError, match=r"bank.csv:4: the statement does not add up"):
        read_period(statement(rows, ("2025-01-09", "960")), "CNY", source="bank.csv")


def test_opening_plus_movements_must_be_the_closing() -> None:
    rows = [row(5, "2025-01-03", "-100"), row(6, "2025-01-09", "50")]
    bad = statement(rows, ("2025-01-09", "950"), ("2025-01-01", "1001"))
    with pytest.raises(StatementRefusedError, match=r"bank.csv:1: .*opening balance 1001"):
        read_period(bad, "CNY", source="bank.csv")
    good = statement(rows, ("2025-01-09", "950"), ("2025-01-01", "1000"))
    period = read_period(good, "CNY", source="bank.csv")
    assert (period.first_day, period.opening) == (D(2025, 1, 1), Decimal(1000))


def test_a_closing_balance_alone_gives_the_opening() -> None:
    rows = [row(5, "2025-01-03", "-100"), row(6, "2025-01-09", "50")]
    period = read_period(statement(rows, ("2025-01-10", "950")), "CNY", source="x.ofx")
    assert (period.opening, period.end) == (Decimal(1000), D(2025, 1, 10))


def test_a_statement_without_a_balance_needs_one() -> None:
    rows = [row(5, "2025-01-03", "-100")]
    with pytest.raises(StatementRefusedError, match="states no balance"):
        read_period(statement(rows), "CNY", source="alipay.csv")
    period = read_period(statement(rows), "CNY", source="alipay.csv", balance=Decimal(400))
    assert (period.opening, period.closing) == (Decimal(500), Decimal(400))
    with pytest.raises(StatementRefusedError, match="but --balance says 1"):
        read_period(statement(rows, ("2025-01-03", "400")), "CNY", source="x", balance=Decimal(1))


def test_another_currency_is_refused() -> None:
    rows = [row(5, "2025-01-03", "-100", "900")]
    with pytest.raises(StatementRefusedError, match=r"bank.csv:5: the statement is in CNY.*USD"):
        read_period(statement(rows, ("2025-01-03", "900")), "USD", source="bank.csv")


def test_date_extends_the_period_but_not_backwards() -> None:
    rows = [row(5, "2025-01-28", "-100", "900")]
    later = read_period(statement(rows), "CNY", source="b", through=D(2025, 1, 31))
    assert later.end == D(2025, 1, 31)
    with pytest.raises(StatementRefusedError, match="before the statement's last day"):
        read_period(statement(rows), "CNY", source="b", through=D(2025, 1, 27))


# The account book ----------------------------------------------------------------------------

LEDGER = """
2025-01-01 open Assets:Bank:ICBC CNY
2025-01-01 open Assets:Bank:ICBC:Deposit CNY
2025-01-01 open Assets:Alipay CNY
2025-01-01 open Expenses:Rent CNY
2025-01-01 open Equity:Capital CNY

2025-01-01 * "Owner" "capital"
  Assets:Bank:ICBC   1000.00 CNY
  Equity:Capital

2025-01-05 * "Alipay" "withdrawal"
  import-id: "ali-1"
  import-id-2: "bank-7"
  Assets:Alipay     -200.00 CNY
  Assets:Bank:ICBC   200.00 CNY

2025-01-09 * "Bank" "term deposit"
  Assets:Bank:ICBC:Deposit   300.00 CNY
  Equity:Capital

2025-01-10 balance Assets:Bank:ICBC 1500.00 CNY
  statement-balance: 1490.00 CNY
"""


def _entries(text: str) -> list[Directive]:
    entries, errors, _ = loader.load_string(text)
    assert errors == []
    return list(entries)


def test_the_book_holds_postings_below_the_account_with_their_import_ids() -> None:
    book = account_book(_entries(LEDGER), BANK, "CNY", [BANK, "Assets:Alipay"])
    assert [(p.date.day, p.number, p.import_id) for p in book.postings] == [
        (1, Decimal("1000.00"), None),
        (5, Decimal("200.00"), "bank-7"),
        (9, Decimal("300.00"), None),
    ]
    assert book.balance_before(D(2025, 1, 9)) == Decimal("1200.00")
    assert book.balance_before(D(2025, 1, 10)) == Decimal("1500.00")
    [assertion] = book.assertions
    assert (assertion.number, assertion.statement_figure) == (Decimal(1500), Decimal(1490))


# Matching ------------------------------------------------------------------------------------


def line(key: int, day: int, number: str, text: str = "", import_id: str = "") -> StatementLine:
    return StatementLine(
        key, key + 10, D(2025, 1, day), Decimal(number), "CNY", text, "", import_id or f"l{key}"
    )


def posting(
    key: int, day: int, number: str, text: str = "", import_id: str | None = None
) -> BookPosting:
    return BookPosting(
        key,
        D(2025, 1, day),
        Decimal(number),
        BANK,
        text,
        "",
        import_id,
        Location("j.beancount", key),
    )


def test_matching_is_one_to_one_closest_date_then_payee() -> None:
    lines = [line(0, 5, "-50", "Didi"), line(1, 5, "-50", "Meituan"), line(2, 20, "-50")]
    postings = [
        posting(0, 6, "-50", "Meituan lunch"),
        posting(1, 6, "-50", "Didi ride"),
        posting(2, 4, "-50", "Didi"),
        posting(3, 29, "-50"),
    ]
    matched = {m.line.key: (m.posting.key, m.by) for m in match_lines(lines, [postings], BANK, 3)}
    # Line 0 takes the Didi posting one day before; line 1 the Meituan posting one day after;
    # line 2 finds nothing within three days (the posting of the 29th is nine days away).
    assert matched == {0: (2, "amount"), 1: (0, "amount")}


def test_an_import_id_wins_over_a_closer_amount() -> None:
    lines = [line(0, 5, "-50", import_id="bank-7")]
    postings = [posting(0, 5, "-50"), posting(1, 15, "-50", import_id="bank-7")]
    [match] = match_lines(lines, [postings], BANK, 3)
    assert (match.posting.key, match.by) == (1, "import-id")


def test_postings_of_the_period_are_matched_before_those_outside_it() -> None:
    lines = [line(0, 30, "-50")]
    inside, outside = [posting(0, 27, "-50")], [posting(1, 31, "-50")]
    [match] = match_lines(lines, [inside, outside], BANK, 3)
    assert match.posting.key == 0


# Differences ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("right", "wrong", "slip"),
    [
        ("1752.09", "1725.09", "two digits transposed"),
        ("-201.35", "-201.53", "two digits transposed"),
        ("300.00", "308.00", "one digit different"),
        ("45.00", "450.00", "the decimal point shifted"),
        ("45.00", "-45.00", None),
        ("100.00", "250.00", None),
        ("1752.09", "1752.09", None),
    ],
)
def test_digit_slips(right: str, wrong: str, slip: str | None) -> None:
    assert digit_slip(Decimal(right), Decimal(wrong)) == slip


def test_the_effects_of_the_differences_add_up_to_the_difference() -> None:
    ledger = _entries(
        """
2025-01-01 open Assets:Bank:ICBC CNY
2025-01-01 open Expenses:Rent CNY
2025-01-01 open Equity:Capital CNY
2025-01-01 * "Owner" "capital"
  Assets:Bank:ICBC   1000.00 CNY
  Equity:Capital
2025-01-05 * "Landlord" "rent"
  Assets:Bank:ICBC   -300.00 CNY
  Expenses:Rent
2025-01-06 * "Landlord" "rent"
  Assets:Bank:ICBC   -300.00 CNY
  Expenses:Rent
2025-01-12 * "Shop" "supplies"
  Assets:Bank:ICBC   -17.25 CNY
  Expenses:Rent
2025-01-15 * "Old cheque" "never cashed"
  Assets:Bank:ICBC   -40.00 CNY
  Expenses:Rent
"""
    )
    book = account_book(ledger, BANK, "CNY", [BANK])
    rows = [
        row(1, "2025-01-01", "1000", "1000", "Owner"),
        row(2, "2025-01-05", "-300", "700", "Landlord"),
        row(3, "2025-01-12", "-12.75", "687.25", "Shop"),
        row(4, "2025-01-20", "-9", "678.25", "Bank fee"),
    ]
    period = read_period(statement(rows, ("2025-01-31", "678.25")), "CNY", source="b.csv")
    comparison = compare(period, book, 3, Path("/"))
    assert comparison.difference == Decimal("335.50")
    kinds = [(d.kind, d.effect) for d in comparison.differences]
    assert kinds == [
        ("duplicate", Decimal("300.00")),
        ("amount", Decimal("4.50")),
        ("outstanding", Decimal("40.00")),
        ("missing", Decimal(-9)),
    ]
    assert sum(d.effect for d in comparison.differences) == comparison.difference
    assert not comparison.outstanding_only()


# Status --------------------------------------------------------------------------------------

STATUS_LEDGER = """
plugin "beanfirm.plugins.reconciled" "{'lag-days': 10, 'today': '2025-03-20'}"
2025-01-01 open Assets:Bank:ICBC CNY
  reconcile: "monthly"
2025-01-01 open Assets:Wallet CNY
  reconcile: "monthly"
2025-01-01 open Equity:Capital CNY
2025-01-02 * "Owner" "capital"
  Assets:Bank:ICBC   1000.00 CNY
  Equity:Capital
2025-02-01 balance Assets:Bank:ICBC 1000.00 CNY
"""


def test_an_account_is_overdue_when_its_next_period_is_past_the_lag() -> None:
    entries, _, options = loader.load_string(STATUS_LEDGER)
    assert reconciliation_status(list(entries), options) == [
        # February ended on the 28th; with 10 days' lag it was due on 2025-03-10.
        ReconciliationStatus(
            "Assets:Bank:ICBC", "monthly", D(2025, 1, 31), D(2025, 3, 10), overdue=True
        ),
        # No entries yet: nothing to reconcile, never overdue.
        ReconciliationStatus("Assets:Wallet", "monthly", None, None, overdue=False),
    ]


def test_the_check_cache_keeps_the_reconciliations() -> None:
    summary = LedgerSummary(
        (),
        (),
        1,
        D(2025, 1, 2),
        0,
        (
            ReconciliationStatus(
                "Assets:Bank:ICBC", "monthly", D(2025, 1, 31), D(2025, 3, 10), overdue=True
            ),
        ),
    )
    assert _summary_from_json(summary_to_json(summary)) == summary


def test_an_account_never_asserted_is_reconciled_through_no_day() -> None:
    # Opened in January, first used in March, no balance assertion yet: never reconciled, not
    # "through 2025-02-28" (the day before the first period with entries).
    text = STATUS_LEDGER + (
        '2025-01-01 open Assets:Bank:CMB CNY\n  reconcile: "monthly"\n'
        '2025-03-05 * "Owner" "capital"\n  Assets:Bank:CMB   50.00 CNY\n  Equity:Capital\n'
    )
    entries, _, options = loader.load_string(text)  # ICBC's February is missing: an error
    (cmb,) = (s for s in reconciliation_status(list(entries), options) if s.account.endswith("CMB"))
    assert cmb == ReconciliationStatus(
        "Assets:Bank:CMB", "monthly", None, D(2025, 4, 10), overdue=False
    )
