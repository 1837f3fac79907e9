"""The `categorized` plugin: grace periods, leaf accounts, required links and metadata."""

from __future__ import annotations

from pathlib import Path

import pytest
from plugin_support import file_findings, findings, ledger, line_of

PLUGIN = """plugin "beanfirm.plugins.categorized" "{'today': '2026-11-23'}"\n"""
CHART = ledger(
    """
    2026-01-01 open Assets:Bank
    2026-01-01 open Assets:Bank:CMB
    2026-01-01 open Assets:Receivable:Acme
    2026-01-01 open Liabilities:2202-应付账款:宁波食品厂
    2026-01-01 open Income:Services
    2026-01-01 open Expenses:Office
    2026-01-01 open Expenses:Travel:Meals
    2026-01-01 open Expenses:Uncategorized
    2026-01-01 open Income:Uncategorized
    """
)


def book(entries: str, plugin: str = PLUGIN) -> str:
    return plugin + CHART + ledger(entries)


def test_a_categorized_ledger_has_no_findings() -> None:
    text = book(
        """
        2026-10-02 * "Acme" "Consulting" ^INV-2026-0001
          due: 2026-11-01
          Assets:Receivable:Acme            1000.00 CNY
          Income:Services
        2026-10-20 * "Acme" "Payment" ^INV-2026-0001
          Assets:Bank:CMB                   1000.00 CNY
          Assets:Receivable:Acme
        2026-10-21 * "宁波食品厂" "采购" ^BILL-2026-0001
          Expenses:Office                    300.00 CNY
          Liabilities:2202-应付账款:宁波食品厂
        2026-10-22 * "Haidilao" "Lunch" #visit
          customer: "Acme"
          visit: "V-2026-0001"
          Expenses:Travel:Meals              200.00 CNY
          Assets:Bank:CMB
        """
    )
    assert findings(text) == []


def test_an_uncategorized_entry_within_its_grace_period_is_a_warning() -> None:
    text = book(
        """
        2026-10-24 ! "中国移动" "话费充值"
          Expenses:Uncategorized             100.00 CNY
          Assets:Bank:CMB
        """
    )
    assert findings(text) == [
        (
            "CategorizedWarning",
            line_of(text, "中国移动"),
            (
                "Expenses:Uncategorized 100.00 CNY awaits categorization; book it to its real "
                "account and flag the transaction '*' by 2026-12-08 (the grace period of 45 days)."
            ),
        )
    ]


def test_an_uncategorized_entry_beyond_its_grace_period_is_an_error() -> None:
    text = book(
        """
        2026-09-01 * "Unknown" "Deposit"
          Assets:Bank:CMB                     50.00 CNY
          Income:Uncategorized
        """
    )
    assert findings(text) == [
        (
            "CategorizedError",
            line_of(text, "Deposit"),
            (
                "Income:Uncategorized -50.00 CNY is still uncategorized 83 days after its date, "
                "beyond the grace period of 45 days (it ended 2026-10-16); book it to its real "
                "account and flag the transaction '*'."
            ),
        )
    ]


def test_the_last_day_of_the_grace_period_is_still_within_it() -> None:
    text = book(
        """
        2026-10-09 ! "Shop" "Paper"
          Expenses:Uncategorized              10.00 CNY
          Assets:Bank:CMB
        """
    )
    assert [kind for kind, _, _ in findings(text)] == ["CategorizedWarning"]


def test_a_flagged_entry_beyond_its_grace_period_is_an_error() -> None:
    text = book(
        """
        2026-08-01 ! "Staples" "Paper, to be checked"
          Expenses:Office                     80.00 CNY
          Assets:Bank:CMB
        2026-11-20 * "Staples" "Toner"
          Expenses:Office                     60.00 CNY
          ! Assets:Bank:CMB
        """
    )
    assert findings(text) == [
        (
            "CategorizedError",
            line_of(text, "Paper, to be checked"),
            (
                "This transaction is still flagged '!' 114 days after its date, beyond the grace "
                "period of 45 days (it ended 2026-09-15); review it, correct it if needed and flag "
                "it '*'."
            ),
        ),
        (
            "CategorizedWarning",
            line_of(text, "Toner"),
            (
                "This transaction is flagged '!' for review; review it, correct it if needed and "
                "flag it '*' by 2027-01-04 (the grace period of 45 days)."
            ),
        ),
    ]


def test_within_grace_ignore_reports_only_what_is_late() -> None:
    plugin = (
        'plugin "beanfirm.plugins.categorized" '
        "\"{'today': '2026-11-23', 'grace-days': 10, 'within-grace': 'ignore'}\"\n"
    )
    text = book(
        """
        2026-11-20 ! "Shop" "Recent"
          Expenses:Uncategorized              10.00 CNY
          Assets:Bank:CMB
        2026-11-01 ! "Shop" "Older"
          Expenses:Uncategorized              20.00 CNY
          Assets:Bank:CMB
        """,
        plugin,
    )
    assert findings(text) == [
        (
            "CategorizedError",
            line_of(text, "Older"),
            (
                "Expenses:Uncategorized 20.00 CNY is still uncategorized 22 days after its date, "
                "beyond the grace period of 10 days (it ended 2026-11-11); book it to its real "
                "account and flag the transaction '*'."
            ),
        )
    ]


def test_configured_suspense_accounts_replace_the_default_ones() -> None:
    plugin = (
        'plugin "beanfirm.plugins.categorized" '
        "\"{'today': '2026-11-23', 'suspense': ['Expenses:Office']}\"\n"
    )
    text = book(
        """
        2026-11-20 * "Shop" "Office or not"
          Expenses:Office                     10.00 CNY
          Assets:Bank:CMB
        2026-11-20 * "Shop" "Not a suspense account any more"
          Expenses:Uncategorized              20.00 CNY
          Assets:Bank:CMB
        """,
        plugin,
    )
    assert [(kind, line) for kind, line, _ in findings(text)] == [
        ("CategorizedWarning", line_of(text, "Office or not"))
    ]


def test_a_posting_to_a_heading_account_is_an_error_on_the_posting_line() -> None:
    text = book(
        """
        2026-11-02 * "Staples" "Paper"
          Expenses:Office                     80.00 CNY
          Assets:Bank
        """
    )
    assert findings(text) == [
        (
            "CategorizedError",
            line_of(text, "  Assets:Bank"),
            (
                "Posting to Assets:Bank, which is a heading, not a leaf: the chart opens "
                "Assets:Bank:CMB under it; post to the sub-account that fits."
            ),
        )
    ]


def test_leaf_only_can_be_turned_off() -> None:
    plugin = (
        "plugin \"beanfirm.plugins.categorized\" \"{'today': '2026-11-23', 'leaf-only': False}\"\n"
    )
    text = book(
        """
        2026-11-02 * "Staples" "Paper"
          Expenses:Office                     80.00 CNY
          Assets:Bank
        """,
        plugin,
    )
    assert findings(text) == []


def test_the_link_rules_follow_the_roots_of_the_receivables_plugin_line() -> None:
    # An adopted ledger keeps its customers under Assets:Receivables:; its receivables line
    # says so, and categorized asks for the invoice link there, and no longer under the default.
    plugin = PLUGIN + (
        'plugin "beanfirm.plugins.receivables" '
        "\"{'receivable': ['Assets:Receivables:'], 'invoice-prefix': 'F-'}\"\n"
    )
    text = book(
        """
        2026-01-01 open Assets:Receivables:Bolt
        2026-11-02 * "Bolt" "Consulting, no invoice number"
          Assets:Receivables:Bolt            500.00 CNY
          Income:Services
        2026-11-03 * "Bolt" "Consulting" ^F-17
          due: 2026-12-03
          Assets:Receivables:Bolt            500.00 CNY
          Income:Services
        2026-11-04 * "Acme" "Old root: not a receivable of this ledger"
          Assets:Receivable:Acme             100.00 CNY
          Income:Services
        """,
        plugin,
    )
    assert [(kind, line) for kind, line, _ in findings(text)] == [
        ("CategorizedError", line_of(text, "Consulting, no invoice number"))
    ]
    assert "needs a ^F-… link" in findings(text)[0][2]


def test_a_receivables_line_with_a_bad_configuration_leaves_the_default_roots() -> None:
    # The receivables plugin reports its own configuration error; categorized goes on with
    # the default roots rather than checking nothing.
    plugin = PLUGIN + 'plugin "beanfirm.plugins.receivables" "{\'receivable\': 7}"\n'
    text = book(
        """
        2026-11-02 * "Acme" "Consulting, no invoice number"
          Assets:Receivable:Acme             500.00 CNY
          Income:Services
        """,
        plugin,
    )
    assert [(kind, line) for kind, line, _ in findings(text)] == [
        ("PluginConfigError", 0),  # a ledger read from a string has no plugin line to show
        ("CategorizedError", line_of(text, "Consulting, no invoice number")),
    ]


def test_a_receivable_posting_needs_an_invoice_link() -> None:
    text = book(
        """
        2026-11-02 * "Acme" "Consulting, no invoice number"
          due: 2026-12-02
          Assets:Receivable:Acme            1000.00 CNY
          Income:Services
        """
    )
    assert findings(text) == [
        (
            "CategorizedError",
            line_of(text, "no invoice number"),
            (
                "A transaction posting to Assets:Receivable:Acme needs a ^INV-… link; add it to the "
                "transaction (the link of the invoice it belongs to; a payment carries the link of "
                "the invoice it settles)."
            ),
        )
    ]


def test_a_payable_posting_needs_a_bill_link() -> None:
    text = book(
        """
        2026-11-03 * "宁波食品厂" "付款" ^INV-2026-0001
          Liabilities:2202-应付账款:宁波食品厂    300.00 CNY
          Assets:Bank:CMB
        """
    )
    assert findings(text) == [
        (
            "CategorizedError",
            line_of(text, "付款"),
            (
                "A transaction posting to Liabilities:2202-应付账款:宁波食品厂 needs a ^BILL-… link; "
                "add it to the transaction (the link of the bill it belongs to; a payment carries "
                "the link of the bill it settles)."
            ),
        )
    ]


def test_a_visit_needs_customer_and_visit_metadata() -> None:
    text = book(
        """
        2026-11-04 * "Didi" "Taxi" #visit
          Expenses:Travel:Meals               43.00 CNY
            customer: "Acme"
          Assets:Bank:CMB
        2026-11-05 * "Didi" "Taxi back" #visit
          Expenses:Travel:Meals               43.00 CNY
          Assets:Bank:CMB
        """
    )
    hint = "(customer: the customer visited, visit: an id shared by all expenses of one visit)."
    assert findings(text) == [
        (
            "CategorizedError",
            line_of(text, '"Taxi"'),
            f"A transaction tagged #visit needs metadata visit:; add it to the transaction {hint}",
        ),
        (
            "CategorizedError",
            line_of(text, "Taxi back"),
            (
                "A transaction tagged #visit needs metadata customer: and visit:; add it to the "
                f"transaction {hint}"
            ),
        ),
    ]


def test_configured_rules_replace_the_default_ones() -> None:
    plugin = (
        "plugin \"beanfirm.plugins.categorized\" \"{'today': '2026-11-23', "
        "'require': [{'account': 'Expenses:Travel:', 'meta': ['trip']}]}\"\n"
    )
    text = book(
        """
        2026-11-04 * "Haidilao" "Dinner"
          Expenses:Travel:Meals               43.00 CNY
          Assets:Bank:CMB
        2026-11-05 * "Acme" "No invoice link, no rule any more"
          Assets:Receivable:Acme            1000.00 CNY
          Income:Services
        """,
        plugin,
    )
    assert findings(text) == [
        (
            "CategorizedError",
            line_of(text, "Dinner"),
            (
                "A transaction posting to Expenses:Travel:Meals needs metadata trip:; add it to the "
                "transaction."
            ),
        )
    ]


@pytest.mark.parametrize(
    ("config", "problem"),
    [
        (
            "grace",
            (
                "the configuration is not a Python dict literal (only quoted strings, numbers, True, "
                "False, lists and dicts may appear); write it like \"{'key': value}\" with the keys "
                "in quotes"
            ),
        ),
        (
            "{'grace-days': 45",
            (
                "the configuration is not a Python dict literal ('{' was never closed); write it "
                "like \"{'key': value}\" with the keys in quotes"
            ),
        ),
        ("[45]", "the configuration is a list, not a dict; write it like \"{'key': value}\""),
        (
            "{'grace': 45}",
            (
                "unknown key 'grace'; the keys of this plugin are grace-days, today, suspense, "
                "within-grace, leaf-only, require"
            ),
        ),
        ("{'grace-days': '45'}", "'grace-days' must be a whole number, like 45; got '45'"),
        ("{'grace-days': -1}", "'grace-days' must be between 0 and 100000; got -1"),
        (
            "{'today': '23.11.2026'}",
            "'today' must be a date written 'YYYY-MM-DD'; got '23.11.2026'",
        ),
        (
            "{'within-grace': 'error'}",
            "'within-grace' must be one of 'warning', 'ignore'; got 'error'",
        ),
        ("{'leaf-only': 'yes'}", "'leaf-only' must be True or False; got 'yes'"),
        ("{'suspense': [1]}", "'suspense' must be a list of strings; got [1]"),
        ("{'require': 'visit'}", "'require' must be a list of rules (dicts); got 'visit'"),
        (
            "{'require': [{'tag': 'visit'}]}",
            "rule 1 of 'require' requires nothing: give it 'link' and/or 'meta'",
        ),
        (
            "{'require': [{'account': 'A', 'tag': 'b', 'link': 'X'}]}",
            "rule 1 of 'require' needs exactly one of 'account' (a regex) or 'tag'",
        ),
        (
            "{'require': [{'account': '(', 'link': 'X'}]}",
            (
                "rule 1 of 'require': '(' is not a regular expression (missing ), unterminated "
                "subpattern at position 0)"
            ),
        ),
    ],
)
def test_a_bad_config_is_an_error_on_the_plugin_line(
    tmp_path: Path, config: str, problem: str
) -> None:
    text = "; a comment first\n" + f'plugin "beanfirm.plugins.categorized" "{config}"\n' + CHART
    _main, found = file_findings(tmp_path, text)
    assert found == [
        (
            "PluginConfigError",
            2,
            (
                f'Invalid configuration of plugin "beanfirm.plugins.categorized": {problem}. The '
                "plugin checked nothing; fix the configuration string on this line "
                "(see docs/plugins/categorized.md)."
            ),
        )
    ]


def test_a_single_suspense_account_may_be_written_as_a_string() -> None:
    plugin = (
        'plugin "beanfirm.plugins.categorized" '
        "\"{'today': '2026-11-23', 'suspense': 'Expenses:Office'}\"\n"
    )
    text = book(
        """
        2026-11-20 * "Shop" "Office"
          Expenses:Office                     10.00 CNY
          Assets:Bank:CMB
        """,
        plugin,
    )
    assert [kind for kind, _, _ in findings(text)] == ["CategorizedWarning"]


def test_a_bad_config_in_a_ledger_loaded_from_a_string_points_at_line_0() -> None:
    text = 'plugin "beanfirm.plugins.categorized" "{\'grace\': 1}"\n' + CHART
    [(kind, line, _message)] = findings(text)
    assert (kind, line) == ("PluginConfigError", 0)
