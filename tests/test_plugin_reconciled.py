"""The `reconciled` plugin: a passing balance assertion per closed period, no pad."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from plugin_support import file_findings, findings, ledger, line_of, load

from beanfirm.plugins import periods
from beanfirm.reconcile.status import Reconciliation, reconciled_through

PLUGIN = """plugin "beanfirm.plugins.reconciled" "{'today': '2026-05-20'}"\n"""
CHART = ledger(
    """
    2026-01-01 open Assets:Bank:CMB CNY
      reconcile: "monthly"
    2026-01-01 open Equity:Opening-Balances
    2026-01-01 open Expenses:Office
    """
)
OPENING = ledger(
    """
    2026-01-01 * "Opening balance"
      Assets:Bank:CMB                   1000.00 CNY
      Equity:Opening-Balances
    2026-01-15 * "Staples" "Paper"
      Expenses:Office                    100.00 CNY
      Assets:Bank:CMB
    """
)


def book(entries: str, plugin: str = PLUGIN, chart: str = CHART) -> str:
    return plugin + chart + OPENING + ledger(entries)


def test_a_reconciled_account_has_no_findings_and_reports_how_far() -> None:
    text = book(
        """
        2026-02-01 balance Assets:Bank:CMB   900.00 CNY
        2026-03-01 balance Assets:Bank:CMB   900.00 CNY
        2026-04-01 balance Assets:Bank:CMB   900.00 CNY
        2026-05-01 balance Assets:Bank:CMB   900.00 CNY
        """
    )
    entries, found = load(text)
    assert found == []
    assert reconciled_through(entries) == {
        "Assets:Bank:CMB": Reconciliation("Assets:Bank:CMB", "monthly", datetime.date(2026, 4, 30))
    }


def test_periods_within_the_lag_are_not_yet_required() -> None:
    # April ended 20 days before 'today' (more than the 15-day lag), so it is due; with a
    # lag of 20 days it is not.
    entries = """
        2026-02-01 balance Assets:Bank:CMB   900.00 CNY
        2026-03-01 balance Assets:Bank:CMB   900.00 CNY
        2026-04-01 balance Assets:Bank:CMB   900.00 CNY
        """
    assert [kind for kind, _, _ in findings(book(entries))] == ["ReconciledError"]
    lagging = """plugin "beanfirm.plugins.reconciled" "{'today': '2026-05-20', 'lag-days': 20}"\n"""
    assert findings(book(entries, lagging)) == []


def test_missing_periods_are_listed_on_the_open_line() -> None:
    text = book(
        """
        2026-02-01 balance Assets:Bank:CMB   900.00 CNY
        """
    )
    entries, found = load(text)
    assert found == [
        (
            "ReconciledError",
            line_of(text, "open Assets:Bank:CMB"),
            (
                "Assets:Bank:CMB (reconciled monthly) has no passing balance assertion for 3 closed "
                "periods: 2026-02, 2026-03, 2026-04; record each statement's closing balance as a "
                "balance directive dated the day after its period ends (2026-03-01, 2026-04-01, "
                "2026-05-01)."
            ),
        )
    ]
    assert reconciled_through(entries)["Assets:Bank:CMB"].through == datetime.date(2026, 1, 31)


def test_a_failing_assertion_does_not_reconcile_its_period() -> None:
    text = book(
        """
        2026-02-01 balance Assets:Bank:CMB   900.00 CNY
        2026-03-01 balance Assets:Bank:CMB   950.00 CNY
        2026-04-01 balance Assets:Bank:CMB   900.00 CNY
        2026-05-01 balance Assets:Bank:CMB   900.00 CNY
        """
    )
    entries, found = load(text)
    assert found == [
        (
            "ReconciledError",
            line_of(text, "open Assets:Bank:CMB"),
            (
                "Assets:Bank:CMB (reconciled monthly) has no passing balance assertion for 1 closed "
                "period: 2026-02; record each statement's closing balance as a balance directive "
                "dated the day after its period ends (2026-03-01); the assertion dated 2026-03-01 "
                "fails (see the balance error)."
            ),
        ),
        (
            "BalanceError",
            line_of(text, "950.00"),
            (
                "Balance failed for 'Assets:Bank:CMB': expected 950.00 CNY != accumulated "
                "900.00 CNY (50.00 too little)"
            ),
        ),
    ]
    # The run of reconciled periods stops at the gap, though later months pass again.
    assert reconciled_through(entries)["Assets:Bank:CMB"].through == datetime.date(2026, 1, 31)


def test_a_long_list_of_missing_periods_is_shortened() -> None:
    plugin = """plugin "beanfirm.plugins.reconciled" "{'today': '2026-12-31'}"\n"""
    found = findings(book("", plugin))
    assert [message for _, _, message in found] == [
        (
            "Assets:Bank:CMB (reconciled monthly) has no passing balance assertion for 11 closed "
            "periods: 2026-01, 2026-02, 2026-03, …, 2026-10, 2026-11; record each statement's "
            "closing balance as a balance directive dated the day after its period ends "
            "(2026-02-01, 2026-03-01, 2026-04-01, …, 2026-11-01, 2026-12-01)."
        )
    ]


def test_a_pad_into_a_reconciled_account_is_an_error() -> None:
    text = book(
        """
        2026-02-01 balance Assets:Bank:CMB   900.00 CNY
        2026-02-10 pad Assets:Bank:CMB Equity:Opening-Balances
        2026-03-01 balance Assets:Bank:CMB   930.00 CNY
        2026-04-01 balance Assets:Bank:CMB   930.00 CNY
        2026-05-01 balance Assets:Bank:CMB   930.00 CNY
        """
    )
    entries, found = load(text)
    assert found == [
        (
            "ReconciledError",
            line_of(text, "open Assets:Bank:CMB"),
            (
                "Assets:Bank:CMB (reconciled monthly) has no passing balance assertion for 1 closed "
                "period: 2026-02; record each statement's closing balance as a balance directive "
                "dated the day after its period ends (2026-03-01); the assertion dated 2026-03-01 "
                "passes only through a pad."
            ),
        ),
        (
            "ReconciledError",
            line_of(text, " pad "),
            (
                "pad into Assets:Bank:CMB, which is reconciled monthly: a pad invents whatever entry "
                "makes the next balance assertion pass, and so hides the differences reconciliation "
                "is there to find; delete the pad and book the missing entries from the statement."
            ),
        ),
    ]
    assert reconciled_through(entries)["Assets:Bank:CMB"].through == datetime.date(2026, 1, 31)


def test_weekly_and_quarterly_cadences() -> None:
    chart = ledger(
        """
        2026-01-01 open Assets:Bank:CMB CNY
          reconcile: "quarterly"
        2026-01-01 open Assets:Wallet CNY
          reconcile: "weekly"
        2026-01-01 open Equity:Opening-Balances
        2026-01-01 open Expenses:Office
        """
    )
    plugin = """plugin "beanfirm.plugins.reconciled" "{'today': '2026-02-05'}"\n"""
    text = book(
        """
        2026-01-05 * "Top up"
          Assets:Wallet                       10.00 CNY
          Equity:Opening-Balances
        2026-01-12 balance Assets:Wallet      10.00 CNY
        """,
        plugin,
        chart,
    )
    entries, found = load(text)
    # 2026-01-01 is a Thursday: ISO week 1 runs 2025-12-29 to 2026-01-04. The wallet's first
    # entry falls in week 2, asserted on 01-12; week 3 ended 18 days ago, week 4 only 11.
    assert found == [
        (
            "ReconciledError",
            line_of(text, "open Assets:Wallet"),
            (
                "Assets:Wallet (reconciled weekly) has no passing balance assertion for 1 closed "
                "period: 2026-W03; record each statement's closing balance as a balance directive "
                "dated the day after its period ends (2026-01-19)."
            ),
        )
    ]
    assert reconciled_through(entries) == {
        "Assets:Bank:CMB": Reconciliation("Assets:Bank:CMB", "quarterly", None),
        "Assets:Wallet": Reconciliation("Assets:Wallet", "weekly", datetime.date(2026, 1, 11)),
    }
    later = """plugin "beanfirm.plugins.reconciled" "{'today': '2026-04-20'}"\n"""
    quarterly = [m for _, _, m in findings(book("", later, chart)) if "CMB" in m]
    assert quarterly == [
        (
            "Assets:Bank:CMB (reconciled quarterly) has no passing balance assertion for 1 closed "
            "period: 2026-Q1; record each statement's closing balance as a balance directive dated "
            "the day after its period ends (2026-04-01)."
        )
    ]


def test_config_patterns_mark_accounts_and_none_exempts_one() -> None:
    chart = ledger(
        """
        2026-01-01 open Assets:Bank:CMB CNY
          reconcile: "none"
        2026-01-01 open Assets:Bank:ICBC CNY
        2026-01-01 open Equity:Opening-Balances
        2026-01-01 open Expenses:Office
        """
    )
    plugin = (
        'plugin "beanfirm.plugins.reconciled" '
        "\"{'today': '2026-05-20', 'accounts': {'Assets:Bank:': 'quarterly'}}\"\n"
    )
    text = book(
        """
        2026-01-02 * "Transfer"
          Assets:Bank:ICBC                   10.00 CNY
          Assets:Bank:CMB
        """,
        plugin,
        chart,
    )
    assert findings(text) == [
        (
            "ReconciledError",
            line_of(text, "open Assets:Bank:ICBC"),
            (
                "Assets:Bank:ICBC (reconciled quarterly) has no passing balance assertion for 1 "
                "closed period: 2026-Q1; record each statement's closing balance as a balance "
                "directive dated the day after its period ends (2026-04-01)."
            ),
        )
    ]


def test_since_skips_the_periods_before_it() -> None:
    plugin = """plugin "beanfirm.plugins.reconciled" "{'today': '2026-05-20', 'since': '2026-04-01'}"\n"""
    text = book(
        """
        2026-05-01 balance Assets:Bank:CMB   900.00 CNY
        """,
        plugin,
    )
    entries, found = load(text)
    assert found == []
    assert reconciled_through(entries)["Assets:Bank:CMB"].through == datetime.date(2026, 4, 30)


CARD = ledger(
    """
    2026-01-01 open Liabilities:Card:CMB CNY
      reconcile: "monthly@25"
    2026-01-01 open Expenses:Office
    2026-01-10 * "Staples" "Paper"
      Expenses:Office                    100.00 CNY
      Liabilities:Card:CMB
    2026-02-10 * "Staples" "Toner"
      Expenses:Office                    200.00 CNY
      Liabilities:Card:CMB
    2026-01-26 balance Liabilities:Card:CMB  -100.00 CNY
    2026-02-26 balance Liabilities:Card:CMB  -300.00 CNY
    """
)


def test_a_card_closing_on_the_25th_is_reconciled_by_its_statement_cycles() -> None:
    # Each statement closes on the 25th and is asserted on the 26th: the cycles run from the
    # 26th to the 25th, and all four that ended by 2026-05-20 are asserted.
    text = (
        PLUGIN
        + CARD
        + ledger(
            """
        2026-03-26 balance Liabilities:Card:CMB  -300.00 CNY
        2026-04-26 balance Liabilities:Card:CMB  -300.00 CNY
        """
        )
    )
    entries, found = load(text)
    assert found == []
    assert reconciled_through(entries) == {
        "Liabilities:Card:CMB": Reconciliation(
            "Liabilities:Card:CMB", "monthly@25", datetime.date(2026, 4, 25)
        )
    }
    # Reconciled by calendar month instead, the same statements cover January to March (each
    # month by the next statement), but April only once May's statement is asserted; the
    # error suggests the statement cycle its assertions show.
    calendar = text.replace('"monthly@25"', '"monthly"')
    entries, found = load(calendar)
    assert found == [
        (
            "ReconciledError",
            line_of(text, "open Liabilities:Card:CMB"),
            (
                "Liabilities:Card:CMB (reconciled monthly) has no passing balance assertion for 1 "
                "closed period: 2026-04; record each statement's closing balance as a balance "
                "directive dated the day after its period ends (2026-05-01); its last 3 assertions "
                "are all dated day 26 of the month: if its statements close on day 25, write "
                'reconcile: "monthly@25" on its open directive.'
            ),
        )
    ]
    assert reconciled_through(entries)["Liabilities:Card:CMB"].through == datetime.date(2026, 4, 25)


def test_a_missing_statement_cycle_is_listed_on_the_open_line() -> None:
    text = PLUGIN + CARD
    entries, found = load(text)
    assert found == [
        (
            "ReconciledError",
            line_of(text, "open Liabilities:Card:CMB"),
            (
                "Liabilities:Card:CMB (reconciled monthly@25) has no passing balance assertion for "
                "2 closed periods: 2026-02-26 to 2026-03-25, 2026-03-26 to 2026-04-25; record each "
                "statement's closing balance as a balance directive dated the day after its period "
                "ends (2026-03-26, 2026-04-26)."
            ),
        )
    ]
    assert reconciled_through(entries)["Liabilities:Card:CMB"].through == datetime.date(2026, 2, 25)


def test_an_assertion_on_any_day_reconciles_through_the_day_before() -> None:
    # An OFX states its balance on the day it was downloaded; beanfirm asserts it the day after.
    # Each assertion here covers the month before it and a few days of its own month.
    text = book(
        """
        2026-02-04 balance Assets:Bank:CMB   900.00 CNY
        2026-03-06 balance Assets:Bank:CMB   900.00 CNY
        2026-04-03 balance Assets:Bank:CMB   900.00 CNY
        2026-05-05 balance Assets:Bank:CMB   900.00 CNY
        """
    )
    entries, found = load(text)
    assert found == []
    assert reconciled_through(entries)["Assets:Bank:CMB"].through == datetime.date(2026, 5, 4)
    # A failing assertion uncovers every day since the one before it: here the end of February
    # and the first days of March, so both months are missing though April's assertion passes.
    failing = text.replace(
        "2026-03-06 balance Assets:Bank:CMB   900.00", "2026-03-06 balance Assets:Bank:CMB   950.00"
    )
    entries, found = load(failing)
    assert found[0] == (
        "ReconciledError",
        line_of(text, "open Assets:Bank:CMB"),
        (
            "Assets:Bank:CMB (reconciled monthly) has no passing balance assertion for 2 closed "
            "periods: 2026-02, 2026-03; record each statement's closing balance as a balance "
            "directive dated the day after its period ends (2026-03-01, 2026-04-01); the "
            "assertion dated 2026-03-06 fails (see the balance error)."
        ),
    )
    assert [kind for kind, _, _ in found] == ["ReconciledError", "BalanceError"]
    assert reconciled_through(entries)["Assets:Bank:CMB"].through == datetime.date(2026, 2, 3)


def _irregular_checking(failing: datetime.date | None = None) -> str:
    """A checking account of books kept elsewhere: 44 assertions, 5 to 11 days apart."""
    gaps = (5, 9, 6, 11, 7, 10)
    day, lines = datetime.date(2025, 1, 3), []
    for index in range(44):
        amount = "999.00" if day == failing else "1000.00"
        lines.append(f"{day} balance Assets:Bank:Checking  {amount} USD\n")
        day += datetime.timedelta(days=gaps[index % len(gaps)])
    plugin = """plugin "beanfirm.plugins.reconciled" "{'today': '2025-12-20'}"\n"""
    return (
        plugin
        + ledger(
            """
        2025-01-01 open Assets:Bank:Checking USD
          reconcile: "monthly"
        2025-01-01 open Equity:Opening-Balances
        2025-01-02 * "Opening balance"
          Assets:Bank:Checking              1000.00 USD
          Equity:Opening-Balances
        """
        )
        + "".join(lines)
    )


def test_irregular_assertions_reconcile_every_month_they_cover() -> None:
    text = _irregular_checking()
    assert text.count(" balance ") == 44
    entries, found = load(text)
    # January to November are covered (the last assertion, 2025-12-10, reaches 2025-12-09).
    assert found == []
    assert reconciled_through(entries) == {
        "Assets:Bank:Checking": Reconciliation(
            "Assets:Bank:Checking", "monthly", datetime.date(2025, 12, 9)
        )
    }
    # The assertion of 2025-07-04 fails: the days since the one before it (2025-06-27) are not
    # covered, and they fall in June and July.
    text = _irregular_checking(failing=datetime.date(2025, 7, 4))
    entries, found = load(text)
    assert found[0] == (
        "ReconciledError",
        line_of(text, "open Assets:Bank:Checking"),
        (
            "Assets:Bank:Checking (reconciled monthly) has no passing balance assertion for 2 "
            "closed periods: 2025-06, 2025-07; record each statement's closing balance as a "
            "balance directive dated the day after its period ends (2025-07-01, 2025-08-01); the "
            "assertion dated 2025-07-04 fails (see the balance error)."
        ),
    )
    assert [kind for kind, _, _ in found] == ["ReconciledError", "BalanceError"]
    assert reconciled_through(entries)["Assets:Bank:Checking"].through == datetime.date(2025, 6, 26)


@pytest.mark.parametrize(
    ("cadence", "day", "start", "after", "name"),
    [
        ("monthly@25", "2026-01-25", "2025-12-26", "2026-01-26", "2025-12-26 to 2026-01-25"),
        ("monthly@25", "2026-01-26", "2026-01-26", "2026-02-26", "2026-01-26 to 2026-02-25"),
        # A cycle closing on the 30th closes on the last day of February.
        ("monthly@30", "2026-03-01", "2026-03-01", "2026-03-31", "2026-03-01 to 2026-03-30"),
        ("monthly@30", "2026-02-10", "2026-01-31", "2026-03-01", "2026-01-31 to 2026-02-28"),
        ("monthly@31", "2024-02-29", "2024-02-01", "2024-03-01", "2024-02-01 to 2024-02-29"),
        ("quarterly@25", "2026-03-26", "2026-03-26", "2026-06-26", "2026-03-26 to 2026-06-25"),
        ("quarterly@25", "2026-01-10", "2025-12-26", "2026-03-26", "2025-12-26 to 2026-03-25"),
        ("quarterly", "2026-12-31", "2026-10-01", "2027-01-01", "2026-Q4"),
        ("monthly", "2026-12-31", "2026-12-01", "2027-01-01", "2026-12"),
    ],
)
def test_the_periods_of_a_cadence(
    cadence: str, day: str, start: str, after: str, name: str
) -> None:
    first = periods.period_start(datetime.date.fromisoformat(day), cadence)
    assert str(first) == start
    assert str(periods.next_start(first, cadence)) == after
    assert periods.label(first, cadence) == name


@pytest.mark.parametrize("text", ["monthly@0", "monthly@32", "weekly@5", "monthly@", "daily"])
def test_what_is_no_cadence(text: str) -> None:
    assert not periods.is_cadence(text)


def test_an_account_without_entries_needs_no_statement_yet() -> None:
    text = PLUGIN + CHART
    entries, found = load(text)
    assert found == []
    assert reconciled_through(entries)["Assets:Bank:CMB"].through is None


def test_a_closed_account_needs_no_statement_after_closing() -> None:
    text = book(
        """
        2026-02-01 balance Assets:Bank:CMB   900.00 CNY
        2026-02-10 * "Closing the account"
          Equity:Opening-Balances            900.00 CNY
          Assets:Bank:CMB
        2026-03-01 balance Assets:Bank:CMB     0.00 CNY
        2026-03-01 close Assets:Bank:CMB
        """
    )
    assert findings(text) == []


def test_a_reconcile_value_that_is_no_cadence_is_an_error() -> None:
    chart = CHART.replace('"monthly"', '"montly"')
    text = book("", chart=chart)
    assert findings(text) == [
        (
            "ReconciledError",
            line_of(text, "open Assets:Bank:CMB"),
            (
                "reconcile: 'montly' on Assets:Bank:CMB is not a cadence; write reconcile: "
                '"monthly" (or "weekly", "quarterly", "monthly@25" for statements that close on '
                'the 25th, or "none" for an account that is not reconciled).'
            ),
        )
    ]


@pytest.mark.parametrize(
    ("config", "problem"),
    [
        (
            "{'lag': 15}",
            "unknown key 'lag'; the keys of this plugin are lag-days, today, since, accounts",
        ),
        ("{'lag-days': 1.5}", "'lag-days' must be a whole number, like 15; got 1.5"),
        ("{'since': 2026}", "'since' must be a date written 'YYYY-MM-DD'; got 2026"),
        (
            "{'accounts': ['Assets:Bank:']}",
            (
                "'accounts' must be a dict of account regex to cadence, like {'Assets:Bank:': "
                "'monthly'}; got ['Assets:Bank:']"
            ),
        ),
        (
            "{'accounts': {'Assets:Bank:': 'daily'}}",
            (
                "'accounts': the cadence of 'Assets:Bank:' must be one of 'weekly', 'monthly', "
                "'quarterly', 'monthly@DAY', 'quarterly@DAY', 'none'; got 'daily'"
            ),
        ),
        (
            "{'accounts': {'Assets:[': 'monthly'}}",
            (
                "'accounts': 'Assets:[' is not a regular expression (unterminated character set at "
                "position 7)"
            ),
        ),
    ],
)
def test_a_bad_config_is_an_error_on_the_plugin_line(
    tmp_path: Path, config: str, problem: str
) -> None:
    text = CHART + f'plugin "beanfirm.plugins.reconciled" "{config}"\n'
    _main, found = file_findings(tmp_path, text)
    assert found == [
        (
            "PluginConfigError",
            line_of(text, "plugin"),
            (
                f'Invalid configuration of plugin "beanfirm.plugins.reconciled": {problem}. The '
                "plugin checked nothing; fix the configuration string on this line "
                "(see docs/plugins/reconciled.md)."
            ),
        )
    ]


def test_the_line_of_the_right_plugin_directive_when_it_appears_twice(tmp_path: Path) -> None:
    text = PLUGIN + CHART + 'plugin "beanfirm.plugins.reconciled" "{\'lag\': 1}"\n'
    _main, found = file_findings(tmp_path, text)
    assert [(kind, line) for kind, line, _ in found] == [
        ("PluginConfigError", line_of(text, "'lag'"))
    ]
