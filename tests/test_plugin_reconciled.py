"""The `reconciled` plugin: a passing balance assertion per closed period, no pad."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from plugin_support import file_findings, findings, ledger, line_of, load

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
                '"monthly" (or "weekly", "quarterly", or "none" for an account that is not '
                "reconciled)."
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
                "'quarterly', 'none'; got 'daily'"
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
