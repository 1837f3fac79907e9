"""The four plugins load from the installed package in bean-check, Fava and beanfirm check."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
from beancount import loader
from beancount.core import data
from plugin_support import BEAN_CHECK, ledger, line_of

from beanfirm.firm.summary import summarize
from beanfirm.plugins import categorized, reconciled
from beanfirm.plugins.severity import Finding
from beanfirm.store.ledger import load_ledger

PLUGINS = ledger(
    """
    option "operating_currency" "CNY"
    plugin "beanfirm.plugins.categorized" "{'today': '2026-11-23'}"
    plugin "beanfirm.plugins.reconciled" "{'today': '2026-11-23'}"
    plugin "beanfirm.plugins.receivables"
    plugin "beanfirm.plugins.duplicates"
    """
)
CHART = ledger(
    """
    2026-10-01 open Assets:Bank:CMB CNY
      reconcile: "monthly"
    2026-10-01 open Assets:Receivable:Acme CNY
    2026-10-01 open Equity:Opening-Balances
    2026-10-01 open Income:Services
    2026-10-01 open Expenses:Uncategorized
    """
)
CLEAN = ledger(
    """
    2026-10-01 * "Opening balance"
      Assets:Bank:CMB                   1000.00 CNY
      Equity:Opening-Balances
    2026-10-02 * "Acme" "Consulting" ^INV-2026-0001
      due: 2026-11-01
      Assets:Receivable:Acme            1000.00 CNY
      Income:Services
    2026-10-25 * "Acme" "Payment" ^INV-2026-0001
      Assets:Bank:CMB                   1000.00 CNY
      Assets:Receivable:Acme
    2026-11-01 balance Assets:Bank:CMB  2000.00 CNY
    """
)
# One finding of each plugin: a warning of categorized, an error of receivables, an error of
# reconciled (October is not asserted any more), a warning of duplicates.
FINDINGS = ledger(
    """
    2026-10-01 * "Opening balance"
      Assets:Bank:CMB                   1000.00 CNY
      Equity:Opening-Balances
    2026-10-20 * "Acme" "Payment" ^INV-2026-0009
      Assets:Bank:CMB                    500.00 CNY
      Assets:Receivable:Acme
    2026-10-21 * "Acme" "Payment"
      Assets:Bank:CMB                    500.00 CNY
      Income:Services
    2026-11-20 ! "China Mobile" "Top-up"
      Expenses:Uncategorized             100.00 CNY
      Assets:Bank:CMB
    """
)


def write(folder: Path, body: str) -> Path:
    main = folder / "main.beancount"
    main.write_text(PLUGINS + CHART + body, encoding="utf-8")
    return main


def bean_check(main: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(BEAN_CHECK), str(main)], capture_output=True, text=True, check=False)


def test_bean_check_loads_the_plugins_and_passes_a_clean_ledger(tmp_path: Path) -> None:
    result = bean_check(write(tmp_path, CLEAN))
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


def test_bean_check_reports_each_plugin_with_file_and_line(tmp_path: Path) -> None:
    main = write(tmp_path, FINDINGS)
    text = main.read_text(encoding="utf-8")
    result = bean_check(main)
    assert result.returncode == 1
    assert "Traceback" not in result.stdout + result.stderr
    heads = [line for line in result.stderr.splitlines() if line.startswith(str(main))]
    assert sorted(heads) == sorted(
        [
            (
                f"{main}:{line_of(text, 'open Assets:Bank:CMB')}: Assets:Bank:CMB (reconciled monthly) "
                "has no passing balance assertion for 1 closed period: 2026-10; record each "
                "statement's closing balance as a balance directive dated the day after its period "
                "ends (2026-11-01)."
            ),
            (
                f"{main}:{line_of(text, '^INV-2026-0009')}: This payment names invoice INV-2026-0009, "
                "but no invoice INV-2026-0009 is booked (a transaction linked ^INV-2026-0009 charging "
                "the account); correct the link, or book the invoice first."
            ),
            (
                f"{main}:{line_of(text, '2026-10-21')}: Probable duplicate of the transaction at "
                f"main.beancount:{line_of(text, '^INV-2026-0009')} (500.00 CNY on Assets:Bank:CMB, 1 "
                'day apart, payee "Acme"); if it was entered twice delete one, if both are real add '
                '`distinct: "<why>"` metadata to this one.'
            ),
            (
                f"{main}:{line_of(text, 'China Mobile')}: Expenses:Uncategorized 100.00 CNY awaits "
                "categorization; book it to its real account and flag the transaction '*' by "
                "2027-01-04 (the grace period of 45 days)."
            ),
        ]
    )


@pytest.mark.parametrize("name", ["categorized", "reconciled", "receivables", "duplicates"])
def test_bean_check_reports_a_bad_config_on_the_plugin_line(tmp_path: Path, name: str) -> None:
    main = tmp_path / "main.beancount"
    main.write_text(
        "; settings\n" + f'plugin "beanfirm.plugins.{name}" "{{\'nonsense\': 1}}"\n' + CHART,
        encoding="utf-8",
    )
    result = bean_check(main)
    assert result.returncode == 1
    assert result.stderr.startswith(
        f'{main}:2: Invalid configuration of plugin "beanfirm.plugins.{name}": unknown key '
        "'nonsense'"
    ), result.stderr


def test_fava_shows_the_findings_on_its_errors_page(tmp_path: Path) -> None:
    from fava.core import FavaLedger  # noqa: PLC0415 - Fava is slow to import

    main = write(tmp_path, FINDINGS)
    fava_ledger = FavaLedger(str(main), poll_watcher=True)
    found = sorted((type(e).__name__, (e.source or {}).get("lineno")) for e in fava_ledger.errors)
    text = main.read_text(encoding="utf-8")
    assert found == sorted(
        [
            ("ReconciledError", line_of(text, "open Assets:Bank:CMB")),
            ("ReceivablesError", line_of(text, "^INV-2026-0009")),
            ("DuplicatesWarning", line_of(text, "2026-10-21")),
            ("CategorizedWarning", line_of(text, "China Mobile")),
        ]
    )


def test_beanfirm_check_counts_warnings_apart_from_errors(tmp_path: Path) -> None:
    summary = summarize(load_ledger(write(tmp_path, FINDINGS)), tmp_path)
    assert sorted(p.message.split(" ")[0] for p in summary.warnings) == [
        "Expenses:Uncategorized",
        "Probable",
    ]
    assert [(p.filename, p.line) for p in summary.errors] == [
        ("main.beancount", line_of(PLUGINS + CHART + FINDINGS, "open Assets:Bank:CMB")),
        ("main.beancount", line_of(PLUGINS + CHART + FINDINGS, "^INV-2026-0009")),
    ]


def test_an_unexpected_failure_becomes_an_error_not_an_exception(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_args: Any) -> tuple[list[Any], list[Finding]]:
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(categorized, "_Checker", broken)
    main = write(tmp_path, CLEAN)
    _entries, errors, _options = loader.load_file(str(main))
    [error] = errors
    assert type(error).__name__ == "PluginCrashError"
    assert error.source == {"filename": str(main), "lineno": line_of(PLUGINS, "categorized")}
    assert error.message.startswith(
        'Plugin "beanfirm.plugins.categorized" failed: ZeroDivisionError: division by zero (at '
    )
    assert error.message.endswith(
        "). Its checks did not run. This is a bug in beanfirm, not in the ledger; please "
        "report it with this message."
    )


def test_the_reconciled_through_entries_are_custom_directives(tmp_path: Path) -> None:
    entries, _errors, _options = loader.load_file(str(write(tmp_path, CLEAN)))
    [custom] = [e for e in entries if isinstance(e, data.Custom)]
    assert (custom.type, str(custom.date), [v.value for v in custom.values]) == (
        reconciled.RECONCILED_THROUGH,
        "2026-10-31",
        ["Assets:Bank:CMB", "monthly"],
    )
