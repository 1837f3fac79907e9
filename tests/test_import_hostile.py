"""Hostile exports: an unknown XML encoding, NaN amounts, repeated headers. Refused, not guessed.

Each is refused with one paragraph naming the file and line and what to do, nothing is
written, and an `--inbox` run goes on with the other files.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from cli_support import snapshot
from conftest import git
from import_support import BANK, CMB_HEADER, add_client, cmb, import_files

CAMT = "Assets:1002-银行存款:德意志银行"
NONSENSE_XML = (
    '<?xml version="1.0" encoding="x-nonsense"?>\n'
    '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">\n'
    "  <BkToCstmrStmt><Stmt><Id>1</Id></Stmt></BkToCstmrStmt>\n"
    "</Document>\n"
)


@pytest.fixture
def shop(practice: Path) -> Path:
    add_client(
        practice, accounts=(f"{BANK},bank,cmb-debit,6214830012345678", f"{CAMT},bank,camt053")
    )
    return practice


def test_an_unknown_xml_encoding_fails_its_file_and_the_inbox_goes_on(shop: Path) -> None:
    inbox = shop / "ledgers" / "acme" / "inbox"
    inbox.mkdir()
    bad = inbox / "statement.xml"
    bad.write_text(NONSENSE_XML, encoding="utf-8")
    good = inbox / "march.csv"
    good.write_text(cmb([("2024-03-01", "10.00", "存入", "", "x")]), encoding="utf-8")
    result = import_files(shop, "--inbox")
    assert result.code == 2, (result.out, result.err)
    assert "Traceback" not in result.err, result.err
    assert "statement.xml:1: the XML declaration names an encoding" in result.err
    assert "x-nonsense" in result.err
    assert "Imported march.csv" in result.out
    assert bad.exists()
    assert not good.exists()
    assert git(shop, "status", "--porcelain") == ""


def test_an_inbox_file_named_in_gbk_fails_its_file_and_the_inbox_goes_on(shop: Path) -> None:
    # A name from Chinese Windows (工行.csv in GBK) was a traceback half-way through the write.
    inbox = shop / "ledgers" / "acme" / "inbox"
    inbox.mkdir()
    bad = Path(os.fsdecode(bytes(inbox) + b"/" + "工行".encode("gbk") + b".csv"))
    bad.write_text(cmb([("2024-03-02", "10.00", "存入", "", "x")]), encoding="utf-8")
    good = inbox / "march.csv"
    good.write_text(cmb([("2024-03-01", "10.00", "存入", "", "x")]), encoding="utf-8")
    result = import_files(shop, "--inbox")
    assert result.code == 2, (result.out, result.err)
    assert "Traceback" not in result.err, result.err
    assert "\\xb9\\xa4\\xd0\\xd0.csv: the file's name is not UTF-8 text" in result.err
    assert "Rename the file" in result.err
    assert "Imported march.csv" in result.out
    assert bad.exists()
    assert git(shop, "status", "--porcelain") == ""
    assert "xb9" not in git(shop, "log", "-1", "--format=%B")


def refused(shop: Path, name: str, text: str, account: str = BANK) -> str:
    """Import an export into one of acme's accounts; assert it changed nothing; return stderr."""
    export = shop.parent / name
    export.write_text(text, encoding="utf-8")
    before = snapshot(shop)
    result = import_files(shop, "acme", str(export), "--account", account)
    assert result.code == 2, (result.out, result.err)
    assert "Traceback" not in result.err, result.err
    assert result.err.startswith("Error: ")
    assert result.err.count("Error: ") == 1, result.err
    assert result.out == ""
    assert snapshot(shop) == before
    return result.err


@pytest.mark.parametrize("cell", ["NaN", "sNaN", "inf", "-Infinity"])
def test_a_nan_balance_cell_is_refused_not_dropped(shop: Path, cell: str) -> None:
    text = cmb(
        [("2024-03-01", "100.00", "存入", "a", "b"), ("2024-03-02", "-8.00", "消费", "x", "y")]
    )
    err = refused(shop, "nan.csv", text.replace(",92.00,", f",{cell},"))
    assert f"nan.csv:3: column '联机余额': '{cell}' is not a balance" in err
    assert "balance assertion" in err


def test_a_repeated_header_is_refused_naming_it(shop: Path) -> None:
    rows = cmb([("2024-03-01", "100.00", "存入", "a", "b")]).splitlines()
    text = f"{rows[0]},交易金额\n{rows[1]},5.00\n"
    assert text.startswith(CMB_HEADER.rstrip("\n"))
    err = refused(shop, "twice.csv", text)
    assert "twice.csv:1: the header names two columns '交易金额' (columns 3 and 8)" in err
    assert "`fields`" in err


def test_an_unknown_xml_encoding_writes_nothing(shop: Path) -> None:
    err = refused(shop, "statement.xml", NONSENSE_XML, CAMT)
    assert "statement.xml:1: the XML declaration names an encoding" in err
