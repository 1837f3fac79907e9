"""The `duplicates` plugin: probable duplicates, unless import-ids, links or a person say not."""

from __future__ import annotations

from pathlib import Path

import pytest
from plugin_support import file_findings, findings, ledger, line_of

PLUGIN = 'plugin "beanfirm.plugins.duplicates"\n'
CHART = ledger(
    """
    2026-01-01 open Assets:Bank:CMB
    2026-01-01 open Assets:Receivable:Acme
    2026-01-01 open Liabilities:2221-应交税费:应交增值税
    2026-01-01 open Income:Sales
    2026-01-01 open Expenses:Travel
    """
)
TAXI = ledger(
    """
    2026-03-05 * "Didi" "Taxi"
      Expenses:Travel                     43.00 CNY
      Assets:Bank:CMB
    """
)

QUOTED_TAXI = '"Taxi"'
QUOTED_IMPORTED = '"Imported"'


def book(entries: str, plugin: str = PLUGIN) -> str:
    return plugin + CHART + TAXI + ledger(entries)


def test_look_alike_transactions_that_differ_are_not_reported() -> None:
    text = book(
        """
        2026-03-05 * "Didi" "Another amount"
          Expenses:Travel                     44.00 CNY
          Assets:Bank:CMB
        2026-03-09 * "Didi" "Four days later"
          Expenses:Travel                     43.00 CNY
          Assets:Bank:CMB
        2026-03-06 * "China Railway" "Another payee"
          Expenses:Travel                     43.00 CNY
          Assets:Bank:CMB
        2026-03-06 * "Didi" "A second ride, said a person"
          distinct: "two rides that day"
          Expenses:Travel                     43.00 CNY
          Assets:Bank:CMB
        2026-03-20 * "Didi" "Numbered by the bank"
          import-id: "20260320-0001"
          Expenses:Travel                     43.00 CNY
          Assets:Bank:CMB
        2026-03-20 * "Didi" "Numbered by the bank"
          import-id: "20260320-0002"
          Expenses:Travel                     43.00 CNY
          Assets:Bank:CMB
        2026-04-01 * "Acme" "Payment" ^INV-2026-0001
          Assets:Bank:CMB                   1000.00 CNY
          Assets:Receivable:Acme
        2026-04-01 * "Acme" "Payment" ^INV-2026-0002
          Assets:Bank:CMB                   1000.00 CNY
          Assets:Receivable:Acme
        2026-04-02 * "Shop" "Sale"
          Assets:Bank:CMB                    103.00 CNY
          Income:Sales                      -100.00 CNY
          Liabilities:2221-应交税费:应交增值税    -3.00 CNY
        2026-04-02 * "Shop" "Sale with the same tax"
          Assets:Bank:CMB                    102.80 CNY
          Income:Sales                       -99.80 CNY
          Liabilities:2221-应交税费:应交增值税    -3.00 CNY
        """
    )
    assert findings(text) == []


def test_a_probable_duplicate_is_a_warning_naming_both_lines() -> None:
    text = book(
        """
        2026-03-07 * "DIDI " "Taxi (typed in by hand)"
          Expenses:Travel                     43.00 CNY
          Assets:Bank:CMB
        """
    )
    assert findings(text) == [
        (
            "DuplicatesWarning",
            line_of(text, "typed in by hand"),
            (
                f"Probable duplicate of the transaction at <string>:{line_of(text, QUOTED_TAXI)} "
                '(-43.00 CNY on Assets:Bank:CMB, 2 days apart, payee "DIDI "); if it was entered '
                'twice delete one, if both are real add `distinct: "<why>"` metadata to this one.'
            ),
        )
    ]


def test_the_narration_stands_in_for_a_missing_payee() -> None:
    text = book(
        """
        2026-04-01 * "Bank fee"
          Expenses:Travel                      5.00 CNY
          Assets:Bank:CMB
        2026-04-01 * "Bank fee"
          Expenses:Travel                      5.00 CNY
          Assets:Bank:CMB
        """
    )
    assert [(kind, line) for kind, line, _ in findings(text)] == [
        ("DuplicatesWarning", line_of(text, "Bank fee", 2))
    ]


def test_the_same_import_id_twice_is_an_error() -> None:
    text = book(
        """
        2026-03-20 * "Didi" "Imported"
          import-id: "20260320-0001"
          Expenses:Travel                     43.00 CNY
          Assets:Bank:CMB
        2026-03-20 * "Didi" "Imported again"
          import-id: "20260320-0001"
          Expenses:Travel                     43.00 CNY
          Assets:Bank:CMB
        """
    )
    assert findings(text) == [
        (
            "DuplicatesError",
            line_of(text, "Imported again"),
            (
                f"Duplicate of the transaction at <string>:{line_of(text, QUOTED_IMPORTED)}: the "
                'same import-id "20260320-0001" (-43.00 CNY on Assets:Bank:CMB, on the same day); '
                "the same bank row was imported twice, delete this one."
            ),
        )
    ]


def test_an_imported_row_and_a_typed_entry_are_compared() -> None:
    text = book(
        """
        2026-03-05 * "Didi" "Imported"
          import-id: "20260305-0007"
          Expenses:Travel                     43.00 CNY
          Assets:Bank:CMB
        """
    )
    assert [(kind, line) for kind, line, _ in findings(text)] == [
        ("DuplicatesWarning", line_of(text, "Imported"))
    ]


def test_a_triplicate_is_reported_once_per_repeat() -> None:
    text = book(TAXI + TAXI)
    lines = [line for _, line, _ in findings(text)]
    assert lines == [line_of(text, "Taxi", 2), line_of(text, "Taxi", 3)]


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        ("{'severity': 'error'}", ["DuplicatesError"]),
        ("{'window-days': 1}", []),
        ("{'accounts': ['Expenses:']}", ["DuplicatesWarning"]),
        ("{'accounts': ['Liabilities:']}", []),
        ("{'payee-similarity': 100}", ["DuplicatesWarning"]),
    ],
)
def test_severity_window_and_accounts_are_configurable(config: str, expected: list[str]) -> None:
    text = book(
        """
        2026-03-07 * "Didi" "Taxi"
          Expenses:Travel                     43.00 CNY
          Assets:Bank:CMB
        """,
        f'plugin "beanfirm.plugins.duplicates" "{config}"\n',
    )
    assert [kind for kind, _, _ in findings(text)] == expected


def test_payee_similarity_decides_close_names() -> None:
    entries = """
        2026-03-06 * "Didi Chuxing" "Taxi"
          Expenses:Travel                     43.00 CNY
          Assets:Bank:CMB
        2026-03-06 * "Dida" "Taxi"
          Expenses:Travel                     43.00 CNY
          Assets:Bank:CMB
        """
    # "didi" is part of "didichuxing"; "dida" is only 75% like "didi".
    assert [line for _, line, _ in findings(book(entries))] == [line_of(book(entries), "Chuxing")]
    loose = 'plugin "beanfirm.plugins.duplicates" "{\'payee-similarity\': 75}"\n'
    assert len(findings(book(entries, loose))) == 2


@pytest.mark.parametrize(
    ("config", "problem"),
    [
        (
            "{'window': 3}",
            (
                "unknown key 'window'; the keys of this plugin are window-days, accounts, "
                "payee-similarity, severity"
            ),
        ),
        ("{'window-days': 400}", "'window-days' must be between 0 and 366; got 400"),
        ("{'payee-similarity': 101}", "'payee-similarity' must be between 0 and 100; got 101"),
        ("{'severity': 'info'}", "'severity' must be one of 'warning', 'error'; got 'info'"),
        (
            "{'accounts': ['Assets:(']}",
            (
                "'accounts': 'Assets:(' is not a regular expression (missing ), unterminated "
                "subpattern at position 7)"
            ),
        ),
    ],
)
def test_a_bad_config_is_an_error_on_the_plugin_line(
    tmp_path: Path, config: str, problem: str
) -> None:
    text = CHART + f'plugin "beanfirm.plugins.duplicates" "{config}"\n'
    _main, found = file_findings(tmp_path, text)
    assert found == [
        (
            "PluginConfigError",
            line_of(text, "plugin"),
            (
                f'Invalid configuration of plugin "beanfirm.plugins.duplicates": {problem}. The '
                "plugin checked nothing; fix the configuration string on this line "
                "(see docs/plugins/duplicates.md)."
            ),
        )
    ]
