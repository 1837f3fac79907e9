"""`beanfirm import` of the alipay-pc and bocom-maidanba layouts, and of a config with a fee."""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_support import commit_all, snapshot
from import_support import add_client, commit_count, import_files, journal, write

SAMPLES = Path(__file__).parent / "importers" / "samples"
ALIPAY = "Assets:1012-其他货币资金:支付宝"
CARD = "Liabilities:2241-其他应付款:交行信用卡"
CARD_NUMBER = "6222530000004321"
FEES = "Expenses:5603-财务费用:手续费"
# The Alipay account reads the PC export with its own config: the preset, fees to 手续费.
CONFIG = "ledgers/acme/importers/Assets/1012-其他货币资金/支付宝.yaml"
CONFIG_TEXT = f"extends: alipay-pc\nfee-account: {FEES}\n"


@pytest.fixture
def shop(practice: Path) -> Path:
    """A practice with `acme`: Alipay read by a config on alipay-pc, and a 交行 card."""
    add_client(
        practice,
        accounts=(f"{ALIPAY},payment,csv", f"{CARD},credit-card,bocom-maidanba,{CARD_NUMBER}"),
    )
    config = practice / CONFIG
    config.parent.mkdir(parents=True)
    config.write_text(CONFIG_TEXT, encoding="utf-8")
    commit_all(practice, "acme: read Alipay's PC export, fees to 手续费")
    return practice


def test_the_alipay_pc_export_is_imported_with_its_fee_once(shop: Path) -> None:
    export = write(shop.parent, "alipay.csv", "")
    export.write_bytes((SAMPLES / "cn-alipay-pc.csv").read_bytes())
    before = commit_count(shop)
    dry = import_files(shop, "acme", str(export), "-n")
    assert dry.code == 0, dry.err
    assert commit_count(shop) == before
    result = import_files(shop, "acme", str(export))
    assert result.code == 0, result.err
    assert commit_count(shop) == before + 1
    assert "5 rows added" in result.out
    text = journal(shop)
    block = next(b for b in text.split("\n\n") if "收钱码收款" in b)
    assert [line.split()[0] for line in block.splitlines()[-3:]] == [
        ALIPAY,
        "Income:Uncategorized",
        FEES,
    ]
    assert [line.split()[-2] for line in block.splitlines()[-3:]] == ["127.23", "-128.00", "0.77"]
    # Importing it again adds nothing: the ids are the export's 交易号.
    again = import_files(shop, "acme", str(export))
    assert again.code == 0, again.err
    assert "all 5 rows are in the ledger already" in again.out
    assert commit_count(shop) == before + 1


def test_the_maidanba_statement_is_imported_to_the_card(shop: Path) -> None:
    export = write(shop.parent, "bocom.csv", (SAMPLES / "cn-bocom-maidanba.csv").read_text("utf-8"))
    result = import_files(shop, "acme", str(export))
    assert result.code == 0, result.err
    assert "7 rows added" in result.out
    text = journal(shop)
    assert f"  {CARD}" in text
    assert 'card: "8765"' in text  # a supplementary card's row
    assert "2024-12-29 ! " in text  # 12/29 of the cycle that ends on 2025/01/25


def test_an_alipay_pc_export_with_a_row_removed_writes_nothing(shop: Path) -> None:
    lines = (SAMPLES / "cn-alipay-pc.csv").read_bytes().split(b"\r\n")
    shop_row = "便利店购物".encode("gbk")
    export = write(shop.parent, "alipay.csv", "")
    export.write_bytes(b"\r\n".join(line for line in lines if shop_row not in line))
    before = snapshot(shop)
    for args in (("-n",), ()):
        result = import_files(shop, "acme", str(export), *args)
        assert result.code != 0
        assert "Traceback" not in result.err
        assert "alipay.csv" in result.err
        assert "the export states 7 records but its table holds 6 data rows" in result.err
        assert snapshot(shop) == before


def test_a_config_naming_a_fee_column_the_export_lacks_writes_nothing(shop: Path) -> None:
    (shop / CONFIG).write_text(CONFIG_TEXT + "columns:\n  fee: 手续费\n", encoding="utf-8")
    export = write(shop.parent, "alipay.csv", "")
    export.write_bytes((SAMPLES / "cn-alipay-pc.csv").read_bytes())
    before = snapshot(shop)
    result = import_files(shop, "acme", str(export))
    assert result.code != 0
    assert "Traceback" not in result.err
    assert "no importer of acme's accounts recognises this file" in result.err
    assert "lacks the column(s) 手续费" in result.err
    # Read with the account's importer, the refusal says where the columns are named.
    result = import_files(shop, "acme", str(export), "--account", ALIPAY)
    assert result.code != 0
    assert "lacks the column(s) 手续费" in result.err
    assert f"adjust its config, {shop / CONFIG}." in result.err
    assert snapshot(shop) == before


def test_a_bad_fee_account_in_the_config_names_the_config_file(shop: Path) -> None:
    (shop / CONFIG).write_text("extends: alipay-pc\nfee-account: 手续费\n", encoding="utf-8")
    commit_all(shop, "acme: a fee account that is no account")
    export = write(shop.parent, "alipay.csv", "")
    export.write_bytes((SAMPLES / "cn-alipay-pc.csv").read_bytes())
    before = snapshot(shop)
    result = import_files(shop, "acme", str(export))
    assert result.code != 0, (result.out, result.err)
    assert "Traceback" not in result.err
    assert CONFIG in result.err
    assert "`fee-account` '手续费' is not a Beancount account name" in result.err
    assert snapshot(shop) == before
