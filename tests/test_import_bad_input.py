"""Bad input to `beanfirm import`: a clear error with file:line, nothing written, no commit."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from cli_support import snapshot
from import_support import (
    ALIPAY,
    BANK,
    CLIENT_ACCOUNTS,
    CMB_HEADER,
    ICBC,
    add_client,
    cmb,
    import_files,
    write,
)


@pytest.fixture
def shop(practice: Path) -> Path:
    add_client(practice)
    return practice


def refused(shop: Path, path: Path, *args: str) -> str:
    """Import a file into the shop from its inbox; assert it changed nothing; return stderr."""
    inbox = shop / "ledgers" / "acme" / "inbox"
    inbox.mkdir(exist_ok=True)
    target = inbox / path.name
    target.write_bytes(path.read_bytes())
    before = snapshot(shop)
    result = import_files(shop, "acme", str(target), *args)
    assert result.code == 2, (result.out, result.err)  # its error's own code, as in `rules test`
    assert "Traceback" not in result.err, result.err
    assert result.err.startswith("Error: "), result.err
    assert result.err.count("Error: ") == 1, result.err
    assert result.out == ""
    assert snapshot(shop) == before  # no file, no commit, the inbox file still there
    assert target.exists()
    return result.err


GOOD_ROWS = [
    ("2024-03-01", "100.00", "存入", "某公司", "货款"),
    ("2024-03-02", "-8.00", "消费", "x", "y"),
]


def test_wrong_encoding(shop: Path) -> None:
    # A GBK export with a byte that fits no encoding in the second row.
    data = cmb(GOOD_ROWS).encode("gb18030").replace("消费".encode("gb18030"), b"\xff\xfe")
    err = refused(shop, write_bytes(shop, "gbk.csv", data), "--account", BANK)
    assert "gbk.csv:3: byte 0xff" in err
    assert "export it again" in err


def test_mixed_encoding(shop: Path) -> None:
    lines = cmb(GOOD_ROWS).splitlines(keepends=True)
    data = "".join(lines[:2]).encode("utf-8") + lines[2].encode("gb18030")
    err = refused(shop, write_bytes(shop, "mixed.csv", data), "--account", BANK)
    assert "mixed.csv:3: the file mixes encodings" in err


def test_truncated_file(shop: Path) -> None:
    text = cmb(GOOD_ROWS).rstrip("\n")
    truncated = text[: text.rindex(",")]  # the last row stops before its last cell
    err = refused(shop, write(shop.parent, "cut.csv", truncated), "--account", BANK)
    assert "cut.csv:3:" in err
    assert "truncated" in err


def test_unparseable_date(shop: Path) -> None:
    text = cmb(GOOD_ROWS).replace("2024-03-02", "2024-02-30")
    err = refused(shop, write(shop.parent, "date.csv", text))
    assert "date.csv:3: column '记账日期'" in err


def test_unparseable_amount(shop: Path) -> None:
    text = cmb(GOOD_ROWS).replace("-8.00", "-8.0x")
    err = refused(shop, write(shop.parent, "amount.csv", text))
    assert "amount.csv:3: column '交易金额'" in err


def test_a_break_in_the_running_balance(shop: Path) -> None:
    # A row left out of the export: the balances before and after it do not add up.
    rows = [*GOOD_ROWS, ("2024-03-03", "-2.00", "消费", "z", "w")]
    text = "".join(line for line in cmb(rows).splitlines(keepends=True) if "-8.00" not in line)
    err = refused(shop, write(shop.parent, "gap.csv", text))
    assert "gap.csv:3: the running balance breaks between lines 2 and 3" in err
    assert "A row is missing or an amount is wrong between lines 2 and 3" in err


def test_missing_columns(shop: Path) -> None:
    text = cmb(GOOD_ROWS).replace(",联机余额", ",余额")
    err = refused(shop, write(shop.parent, "columns.csv", text), "--account", BANK)
    assert "columns.csv:1:" in err
    assert "联机余额" in err


def test_empty_file(shop: Path) -> None:
    err = refused(shop, write(shop.parent, "empty.csv", ""))
    assert "empty.csv" in err
    assert "the file is empty" in err


def test_a_file_no_importer_recognises_lists_each_account_and_why(shop: Path) -> None:
    err = refused(shop, write(shop.parent, "odd.csv", "Date,What,How much\n2024-03-01,x,1\n"))
    assert "no importer of acme's accounts recognises this file" in err
    for account in (BANK, ALIPAY, ICBC):
        assert account in err
    assert "no header row with the columns" in err


@pytest.mark.parametrize(
    ("name", "damage", "error"),
    [
        (
            "mixed.csv",
            lambda text: text.encode("utf-8").replace("消费".encode(), "消费".encode("gbk")),
            "mixed.csv:3: the file mixes encodings",
        ),
        (
            "quotes.csv",
            lambda text: text.replace(",x,y", ',x,"y""""').encode("utf-8"),
            "quotes.csv:3: a quote opened in the row starting here is never closed",
        ),
    ],
)
def test_a_damaged_file_is_reported_once_with_its_line_not_as_unrecognised(
    practice: Path, name: str, damage: Callable[[str], bytes], error: str
) -> None:
    # Every CSV importer of the client found the same defect; the OFX one, that it is not OFX.
    add_client(practice, accounts=(*CLIENT_ACCOUNTS, "Liabilities:Amex,credit-card,ofx"))
    err = refused(practice, write_bytes(practice, name, damage(cmb(GOOD_ROWS))))
    assert err.startswith("Error: ")
    assert f"/inbox/{error}" in err
    assert "recognises" not in err
    assert err.count("never closed") + err.count("mixes encodings") == 1


def test_two_importers_claiming_one_file_are_named(practice: Path) -> None:
    other = "Assets:1002-银行存款:招商银行二号"
    add_client(practice, accounts=(f"{BANK},bank,cmb-debit", f"{other},bank,cmb-debit"))
    err = refused(practice, write(practice.parent, "which.csv", cmb(GOOD_ROWS)))
    assert f"two importers claim this file: {BANK} (cmb-debit) and {other} (cmb-debit)" in err
    assert "--account" in err


def test_an_export_of_another_account_number_is_refused(shop: Path) -> None:
    text = (
        "明细查询文件下载\n卡号: 6222020200009999\n"
        "交易日期,摘要,交易场所,钞/汇,记账金额(收入),记账金额(支出),记账币种,余额,对方户名\n"
        '2024-03-01,存入,柜台,钞,"100.00",-,人民币,"100.00",某公司\n'
    )
    err = refused(shop, write(shop.parent, "icbc.csv", text))
    assert "account number 6222020200009999" in err
    assert "6222020200001234" in err


def test_a_client_with_uncommitted_changes_is_refused(shop: Path) -> None:
    (shop / "ledgers" / "acme" / "accounts.beancount").open("a").write("; a note\n")
    err = refused(shop, write(shop.parent, "ok.csv", cmb(GOOD_ROWS)))
    assert "uncommitted changes" in err
    assert "accounts.beancount" in err


def test_a_missing_file(shop: Path) -> None:
    before = snapshot(shop)
    good = write(shop.parent, "good.csv", cmb(GOOD_ROWS))
    result = import_files(shop, "acme", str(good), str(shop.parent / "nowhere.csv"))
    assert result.code == 2
    assert "No such file:" in result.err
    assert "nowhere.csv" in result.err
    assert snapshot(shop) == before


def test_rows_the_importer_skips_all_give_no_empty_import(shop: Path) -> None:
    text = CMB_HEADER + "2024-03-01,CNY,0.00,0.00,查询,,\n"
    err = refused(shop, write(shop.parent, "zero.csv", text), "--account", BANK)
    assert "no transaction and no balance to import" in err
    assert "the amount is 0" in err


def write_bytes(shop: Path, name: str, data: bytes) -> Path:
    path = shop.parent / name
    path.write_bytes(data)
    return path


# Rows that would be lost or shifted (issue 13): refused whole, nothing written.

ROW_1 = "2024-03-01,CNY,100.00,100.00,存入,某公司,货款\n"


def test_a_row_wider_than_the_header_is_refused(shop: Path) -> None:
    text = CMB_HEADER + ROW_1 + "2024-03-02,CNY,1,580.00,1680.00,存入,某公司,货款\n"
    err = refused(shop, write(shop.parent, "wide.csv", text), "--account", BANK)
    assert "wide.csv:3: the row has 8 cells but the header (line 1) has 7 columns" in err


def test_rows_after_a_note_that_ended_the_table_are_refused(shop: Path) -> None:
    text = CMB_HEADER + ROW_1 + "续下页\n2024-03-02,CNY,-8.00,92.00,消费,x,y\n"
    err = refused(shop, write(shop.parent, "note.csv", text), "--account", BANK)
    assert "note.csv:4: this row holds a date and an amount" in err


def test_quotes_that_read_neither_way_are_refused(shop: Path) -> None:
    text = CMB_HEADER + '2024-03-01,CNY,100.00,100.00,存入,"某公司 \\"总部\\""x,货款\n'
    err = refused(shop, write(shop.parent, "quotes.csv", text), "--account", BANK)
    assert "quotes.csv:2: this row does not read as CSV" in err
