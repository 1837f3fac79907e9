"""`beanfirm status`: one row per client, the same filters as `clients list`."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pytest
from cli_support import (
    BALANCED_ZH,
    HUAMEI_JANUARY,
    UNBALANCED_ZH,
    add_firm_clients,
    append_entry,
    commit_all,
    new_practice,
)
from conftest import run_beanfirm
from test_cli_list import FILTERS

if TYPE_CHECKING:
    from pathlib import Path

UNCATEGORIZED_ZH = (
    '2025-01-20 ! "滴滴出行" "快车"\n'
    "  Expenses:Uncategorized  43.00 CNY\n"
    "  Assets:1002-银行存款:工商银行  -43.00 CNY\n"
)


def _status(folder: Path, *args: str, code: int = 0) -> list[dict[str, Any]]:
    result = run_beanfirm("status", "--json", *args, cwd=folder)
    assert (result.code, result.err) == (code, ""), result.err
    rows: list[dict[str, Any]] = json.loads(result.out)
    return rows


def test_status_row(practice_with_client: Path) -> None:
    append_entry(practice_with_client, HUAMEI_JANUARY, BALANCED_ZH)
    append_entry(practice_with_client, HUAMEI_JANUARY, UNCATEGORIZED_ZH)
    commit_all(practice_with_client, "Two entries, one still to categorize")
    assert _status(practice_with_client) == [
        {
            "client": "huamei",
            "name": "华美便利店",
            "preparer": "bo",
            "reviewer": "ana",
            "industry": "retail",
            "frequency": "high",
            "region": "shanghai",
            "size": "micro",
            "transactions": 2,
            "last_entry": "2025-01-20",
            "errors": 0,
            "warnings": 0,
            "uncategorized": 1,
            "anomalies": 0,
            "overdue": 0,
            "receivables_overdue": {"invoices": 0, "amounts": {}, "oldest_days": 0},
            "reconciliations": [],
            "inbox": {"exports": 0, "papers": 0},
        }
    ]
    table = run_beanfirm("status", cwd=practice_with_client)
    assert (table.code, table.err) == (0, "")
    [row] = [line for line in table.out.splitlines() if line.startswith("│")]
    assert [cell.strip() for cell in row.split("│")[1:-1]] == [
        "huamei",
        "bo",
        "ana",
        "retail",
        "high",
        "micro",
        "shanghai",
        "2025-01-20",
        "2",
        "0",
        "1",
        "0",
        "",
        "",
    ]


def test_status_counts_errors(practice_with_client: Path) -> None:
    append_entry(practice_with_client, HUAMEI_JANUARY, UNBALANCED_ZH)
    [row] = _status(practice_with_client, code=1)  # findings: exit 1, like check
    assert (row["errors"], row["transactions"], row["last_entry"], row["uncategorized"]) == (
        1,
        1,
        "2025-01-05",
        0,
    )


def test_status_of_an_empty_ledger(practice_with_client: Path) -> None:
    [row] = _status(practice_with_client)
    assert (row["transactions"], row["last_entry"], row["errors"], row["uncategorized"]) == (
        0,
        None,
        0,
        0,
    )


@pytest.fixture(scope="module")
def firm(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A practice with three different clients; the tests here only read it."""
    folder = new_practice(tmp_path_factory.mktemp("status") / "practice")
    add_firm_clients(folder)
    return folder


# The repeated and combined filters of test_cli_list (which covers every single one) and a
# few singles: enough to show that status selects through the same options.
STATUS_FILTERS = [
    f for f in FILTERS if len(f[0]) >= 4 or f[0] in {(), ("--reviewer", "cy"), ("--staff", "cy")}
]


@pytest.mark.parametrize(("args", "expected"), STATUS_FILTERS)
def test_status_filters_like_clients_list(
    firm: Path, args: tuple[str, ...], expected: list[str]
) -> None:
    # test_cli_list checks `clients list` against the same table.
    assert [row["client"] for row in _status(firm, *args)] == expected


def test_status_table_lists_the_selected_clients(firm: Path) -> None:
    result = run_beanfirm("status", "--region", "shanghai", cwd=firm)
    assert (result.code, result.err) == (0, "")
    assert "Test Firm: status" in result.out
    assert [
        line.split("│")[1].strip() for line in result.out.splitlines() if line.startswith("│")
    ] == [
        "huamei",
        "jinma",
    ]
