"""`beanfirm clients list`: every filter, repeated values, and the three output formats."""

from __future__ import annotations

import csv
import io
import json
import re
from typing import TYPE_CHECKING

import pytest
from cli_support import add_firm_clients, new_practice
from conftest import run_beanfirm

if TYPE_CHECKING:
    from pathlib import Path

# (filter arguments, the client ids they select, in registry order); see add_firm_clients.
FILTERS: list[tuple[tuple[str, ...], list[str]]] = [
    ((), ["huamei", "northwind", "jinma"]),
    (("--industry", "retail"), ["huamei"]),
    (("--industry", "retail", "--industry", "wholesale"), ["huamei", "jinma"]),
    (("--industry", "farming"), []),
    (("--frequency", "low"), ["northwind"]),
    (("--frequency", "high", "--frequency", "medium"), ["huamei", "jinma"]),
    (("--region", "shanghai"), ["huamei", "jinma"]),
    (("--region", "beijing", "--region", "shenzhen"), ["northwind"]),
    (("--size", "small"), ["northwind"]),
    (("--size", "micro", "--size", "medium"), ["huamei", "jinma"]),
    (("--preparer", "bo"), ["huamei", "northwind"]),
    (("--preparer", "cy"), ["jinma"]),
    (("--preparer", "bo", "--preparer", "cy"), ["huamei", "northwind", "jinma"]),
    (("--reviewer", "ana"), ["huamei", "northwind", "jinma"]),
    (("--reviewer", "cy"), []),
    (("--staff", "cy"), ["jinma"]),
    (("--staff", "bo"), ["huamei", "northwind"]),
    (("--staff", "ana"), ["huamei", "northwind", "jinma"]),
    (("--language", "en"), ["northwind"]),
    (("--language", "zh"), ["huamei", "jinma"]),
    (("--language", "zh", "--language", "en"), ["huamei", "northwind", "jinma"]),
    (("--currency", "USD"), ["northwind"]),
    (("--currency", "CNY", "--currency", "EUR"), ["huamei", "jinma"]),
    # Different fields combine with AND.
    (("--region", "shanghai", "--size", "micro"), ["huamei"]),
    (("--staff", "bo", "--language", "en"), ["northwind"]),
    (("--region", "shanghai", "--currency", "USD"), []),
]

CSV_HEADER = [
    "id",
    "name",
    "industry",
    "frequency",
    "region",
    "size",
    "preparer",
    "reviewer",
    "currency",
    "language",
    "reconcile",
]
CSV_ROWS = {
    "huamei": [
        "huamei",
        "华美便利店",
        "retail",
        "high",
        "shanghai",
        "micro",
        "bo",
        "ana",
        "CNY",
        "zh",
        "monthly",
    ],
    "northwind": [
        "northwind",
        "Northwind Consulting Ltd",
        "consulting",
        "low",
        "beijing",
        "small",
        "bo",
        "ana",
        "USD",
        "en",
        "monthly",
    ],
    "jinma": [
        "jinma",
        "金马批发有限公司",
        "wholesale",
        "medium",
        "shanghai",
        "medium",
        "cy",
        "ana",
        "CNY",
        "zh",
        "monthly",
    ],
}


@pytest.fixture(scope="module")
def firm(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A practice with three different clients; the tests here only read it."""
    folder = new_practice(tmp_path_factory.mktemp("list") / "practice")
    add_firm_clients(folder)
    return folder


@pytest.mark.parametrize(("args", "expected"), FILTERS)
def test_filters_json(firm: Path, args: tuple[str, ...], expected: list[str]) -> None:
    result = run_beanfirm("clients", "list", *args, "--json", cwd=firm)
    assert (result.code, result.err) == (0, "")
    assert [client["id"] for client in json.loads(result.out)] == expected


@pytest.mark.parametrize(
    ("args", "expected"),
    [f for f in FILTERS if f[0][:1] in {(), ("--region",), ("--staff",), ("--currency",)}],
)
def test_filters_csv(firm: Path, args: tuple[str, ...], expected: list[str]) -> None:
    result = run_beanfirm("clients", "list", *args, "--format", "csv", cwd=firm)
    assert (result.code, result.err) == (0, "")
    rows = list(csv.reader(io.StringIO(result.out)))
    assert rows == [CSV_HEADER, *(CSV_ROWS[cid] for cid in expected)]


def test_json_flag_and_format_json_agree(firm: Path) -> None:
    flag = run_beanfirm("clients", "list", "--json", cwd=firm)
    option = run_beanfirm("clients", "list", "--format", "json", cwd=firm)
    assert flag.code == option.code == 0
    assert flag.out == option.out
    records = json.loads(flag.out)
    assert records[2] == {
        "id": "jinma",
        "name": "金马批发有限公司",
        "classification": {
            "industry": "wholesale",
            "frequency": "medium",
            "region": "shanghai",
            "size": "medium",
        },
        "preparer": "cy",
        "reviewer": "ana",
        "currency": "CNY",
        "fiscal-year-start": "01-01",
        "language": "zh",
        "reconcile": "monthly",
    }


@pytest.mark.parametrize("args", [(), ("--format", "table")])
def test_table(firm: Path, args: tuple[str, ...]) -> None:
    result = run_beanfirm("clients", "list", "--staff", "bo", *args, cwd=firm)
    assert (result.code, result.err) == (0, "")
    assert "Test Firm: 2 clients" in result.out
    # Header cells sit between heavy rules (┃), body cells between light ones (│).
    cells = [
        [cell.strip() for cell in re.split("[│┃]", line)[1:-1]]
        for line in result.out.splitlines()
        if line.startswith(("│", "┃"))
    ]
    assert cells == [CSV_HEADER, CSV_ROWS["huamei"], CSV_ROWS["northwind"]]


@pytest.mark.parametrize(
    ("args", "complaint"),
    [
        (("--frequency", "daily"), "'daily' is not one of 'low', 'medium', 'high'"),
        (("--size", "huge"), "'huge' is not one of 'micro', 'small', 'medium', 'large'"),
        (("--language", "fr"), "'fr' is not one of 'zh', 'en'"),
        (("--format", "xml"), "'xml' is not one of 'table', 'json', 'csv'"),
    ],
)
def test_bad_choice_is_a_usage_error(firm: Path, args: tuple[str, ...], complaint: str) -> None:
    result = run_beanfirm("clients", "list", *args, cwd=firm)
    assert (result.code, result.out) == (2, "")
    assert complaint in result.err
    assert "Traceback" not in result.err


@pytest.mark.parametrize("option", ["--staff", "--preparer", "--reviewer"])
def test_unknown_staff_in_a_filter_is_a_usage_error(firm: Path, option: str) -> None:
    for command in (("clients", "list"), ("status",)):
        result = run_beanfirm(*command, option, "zed", cwd=firm)
        assert result.code == 2, result.err
        assert "No staff member 'zed'" in result.err
        assert "Staff ids are: ana, bo, cy" in result.err
        assert "Traceback" not in result.err
