"""`beanfirm opening` and `beanfirm import --opening`, end to end on a temporary practice."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from cli_support import assert_user_error, commit_all, snapshot
from conftest import STAFF_ENV, Run, git, run_beanfirm, without_plugins

BANK = "Assets:1002-银行存款:工商银行"
TRIAL = """\
科目余额表
编制单位:杭州青禾茶饮有限公司
科目编码,科目名称,期末余额,
,,借方,贷方
1001,库存现金,"1,250.50",
100201,工商银行,"86,400.00",
1122,应收账款,"19,800.00",
2202,应付账款,,"7,450.00"
3001,实收资本,,"100,000.50"
合计,,"107,450.50","107,450.50"
"""
ITEMS = """\
往来单位,发票号,日期,到期日,未结金额
杭州西湖酒店有限公司,2025-1107,2025-11-07,2025-12-07,"12,000.00"
西湖酒店,2025-1203,2025-12-03,2026-01-02,"4,800.00"
龙井茶庄,2025-1215,2025-12-15,2026-01-14,"3,000.00"
梅家坞茶农合作社,MJW-0311,2025-12-20,2026-01-19,"7,450.00"
"""
PARTIES = """
2025-12-31 open Assets:1122-应收账款:西湖酒店 CNY
  name: "杭州西湖酒店有限公司"
2025-12-31 open Assets:1122-应收账款:龙井茶庄 CNY
2025-12-31 open Liabilities:2202-应付账款:茶农合作社 CNY
  name: "梅家坞茶农合作社"
"""
DECEMBER = "ledgers/qinghe/journal/2025/12.beancount"


@pytest.fixture
def qinghe(practice: Path) -> Path:
    """A practice with a new client whose books open on 2025-12-31, its customers opened."""
    result = run_beanfirm(
        "clients", "add", "qinghe", "--name", "杭州青禾茶饮有限公司", "--industry", "food",
        "--frequency", "low", "--region", "zhejiang", "--size", "micro", "--preparer", "bo",
        "--reviewer", "ana", "--opened", "2025-12-31", "--account", f"{BANK},bank,icbc-debit",
        cwd=practice, env=STAFF_ENV,
    )  # fmt: skip
    assert result.code == 0, result.err
    with (practice / "ledgers/qinghe/accounts.beancount").open("a", encoding="utf-8") as chart:
        chart.write(PARTIES)
    commit_all(practice, "The customers and vendors of qinghe")
    (practice.parent / "tb.csv").write_text(TRIAL, encoding="utf-8")
    (practice.parent / "open.csv").write_text(ITEMS, encoding="utf-8")
    return practice


def opening(practice: Path, *args: str) -> tuple[int, str, str]:
    result = run_beanfirm(
        "opening", "qinghe", str(practice.parent / "tb.csv"), "--date", "2025-12-31", *args,
        cwd=practice, env=STAFF_ENV,
    )  # fmt: skip
    return result.code, result.out, result.err


def test_a_dry_run_then_the_opening_in_one_commit_that_aging_reads(qinghe: Path) -> None:
    before = snapshot(qinghe)
    items = ("--open-items", str(qinghe.parent / "open.csv"))
    code, out, err = opening(qinghe, *items, "-n")
    assert code == 0, err
    assert "Would write ledgers/qinghe/journal/2025/12.beancount:" in out
    assert out.endswith("Dry run: nothing was written.\n")
    assert snapshot(qinghe) == before
    code, out, err = opening(qinghe, *items)
    assert code == 0, err
    assert "  Assets:1122-应收账款 <- line 7 1122 应收账款 (by code)" in out
    assert git(qinghe, "rev-list", "--count", f"{before.head}..HEAD").strip() == "1"
    assert git(qinghe, "show", "--name-only", "--format=", "HEAD").split() == [DECEMBER]
    message = git(qinghe, "log", "-1", "--format=%B")
    assert message.startswith("Open the books of qinghe on 2025-12-31 from tb.csv\n")
    assert "- 3 open invoice(s) and 1 open bill(s) from open.csv, carried in as open items" in (
        message
    )
    assert git(qinghe, "status", "--porcelain") == ""
    aging = run_beanfirm(
        "aging", "qinghe", "--as-of", "2026-01-10", "--json", cwd=qinghe, env=STAFF_ENV
    )
    assert aging.code == 0, aging.err
    report = json.loads(aging.out)
    numbers = [line["number"] for party in report["parties"] for line in party["lines"]]
    assert numbers == ["INV-2025-1107", "INV-2025-1203", "INV-2025-1215"]
    again = snapshot(qinghe)
    code, _, err = opening(qinghe, *items)
    assert code == 2
    assert "were opened from a trial balance already (tb.csv, on 2025-12-31" in err
    assert snapshot(qinghe) == again


@pytest.mark.parametrize(
    ("change", "needles"),
    [
        (
            ("1001,库存现金", "1604,在建工程"),
            ("tb.csv:5: 1604 在建工程 (debit 1,250.50) maps to no account of the chart",
             "give its account a code"),
        ),
        (
            ('"100,000.50"\n', '"100,000.49"\n'),
            (("tb.csv:10: the total row says debits 107,450.50 and credits 107,450.50, but the "
             "accounts above it add up to 107,450.50 and 107,450.49"),),
        ),
        (("3,000.00", "3,000.01"), ("the open items of Assets:1122-应收账款: in open.csv add up",)),
    ],
)  # fmt: skip
def test_bad_input_is_one_clear_error_and_nothing_is_written(
    qinghe: Path, change: tuple[str, str], needles: tuple[str, ...]
) -> None:
    for name in ("tb.csv", "open.csv"):
        path = qinghe.parent / name
        path.write_text(path.read_text(encoding="utf-8").replace(*change), encoding="utf-8")
    before = snapshot(qinghe)
    for dry in ((), ("-n",)):
        code, out, err = opening(qinghe, "--open-items", str(qinghe.parent / "open.csv"), *dry)
        assert_user_error(Run(code, out, err), 2, *needles)
        assert snapshot(qinghe) == before


# --- import --opening ----------------------------------------------------------------------

IBAN = "NL51ABNA0987654321"
EURO = "Assets:Bank:Current"


def mt940(opening_balance: str) -> str:
    """A one-statement MT940 file that opens with a balance and books one credit."""
    closing = str(Decimal(opening_balance.replace(",", ".")) + 150).replace(".", ",")
    return (
        ":20:STMT0001\n"
        f":25:{IBAN}\n"
        ":28C:00042/001\n"
        f":60F:C240301EUR{opening_balance}\n"
        ":61:2403040304C150,00NTRFNONREF//REF0001\n"
        ":86:/NAME/CUSTOMER BV/REMI/INVOICE 7/\n"
        f":62F:C240304EUR{closing}\n"
        "-\n"
    )


@pytest.fixture
def euro(practice: Path) -> Path:
    """A practice with an English client keeping EUR books, one MT940 account, no history."""
    result = run_beanfirm(
        "clients", "add", "acme", "--name", "Acme BV", "--industry", "retail",
        "--frequency", "low", "--region", "nl", "--size", "small", "--preparer", "bo",
        "--reviewer", "ana", "--language", "en", "--currency", "EUR", "--opened", "2024-01-01",
        "--account", f"{EURO},bank,mt940,{IBAN}", cwd=practice, env=STAFF_ENV,
    )  # fmt: skip
    assert result.code == 0, result.err
    without_plugins(practice, "acme")
    return practice


def test_import_opening_books_the_statements_opening_balance_the_day_before(euro: Path) -> None:
    export = euro.parent / "march.sta"
    export.write_text(mt940("1000,00"), encoding="utf-8")
    before = snapshot(euro)
    refused = run_beanfirm("import", "acme", str(export), cwd=euro, env=STAFF_ENV)
    assert (
        refused.code == 2
    )  # an export that cannot be booked as it is: 2 (docs/README.md#exit-codes)
    assert "has no entries yet, and the export says it held 1000.00 EUR at the start of" in (
        refused.err
    )
    assert "Import again with --opening" in refused.err
    assert "Traceback" not in refused.err
    assert snapshot(euro) == before
    done = run_beanfirm("import", "acme", str(export), "--opening", cwd=euro, env=STAFF_ENV)
    assert done.code == 0, done.err
    message = git(euro, "log", "-1", "--format=%B")
    assert (
        "- the opening balance 1000.00 EUR booked on 2024-03-01 against Equity:Opening-Balances "
        "(--opening: its opening balance, line 4)" in message
    )
    march = (euro / "ledgers/acme/journal/2024/03.beancount").read_text(encoding="utf-8")
    # :60F: states the balance at the end of 2024-03-01, asserted at the start of 03-02.
    assert '2024-03-01 * "期初余额 Opening balance from march.sta"' in march
    assert " ".join(march.split()).count("balance Assets:Bank:Current") == 2
    assert "2024-03-02 balance Assets:Bank:Current 1000.00 EUR" in " ".join(march.split())
    assert "2024-03-05 balance Assets:Bank:Current 1150.00 EUR" in " ".join(march.split())
    check = run_beanfirm("check", "acme", cwd=euro, env=STAFF_ENV)
    assert check.code == 0, check.out
    again = run_beanfirm("import", "acme", str(export), "--opening", cwd=euro, env=STAFF_ENV)
    assert again.code == 0, again.err
    assert again.out.startswith("Nothing new in march.sta")


def test_a_csv_running_balance_on_the_accounts_first_day(practice: Path) -> None:
    bank = "Assets:1002-银行存款:招商银行"
    result = run_beanfirm(
        "clients", "add", "xinyang", "--name", "新阳商贸", "--industry", "retail",
        "--frequency", "low", "--region", "sh", "--size", "micro", "--preparer", "bo",
        "--reviewer", "ana", "--opened", "2024-03-01",
        "--account", f"{bank},bank,cmb-debit,6214830012345678", cwd=practice, env=STAFF_ENV,
    )  # fmt: skip
    assert result.code == 0, result.err
    without_plugins(practice, "xinyang")
    export = practice.parent / "cmb.csv"
    export.write_text(
        "记账日期,货币,交易金额,联机余额,交易摘要,对手信息,客户摘要\n"
        "2024-03-01,CNY,100.00,1100.00,存入,某公司,货款\n"
        "2024-03-05,CNY,-30.00,1070.00,消费,某店,文具\n",
        encoding="utf-8",
    )
    done = run_beanfirm(
        "import", "xinyang", str(export), "--account", bank, "--opening", "--json",
        cwd=practice, env=STAFF_ENV,
    )  # fmt: skip
    assert done.code == 0, done.err
    (report,) = json.loads(done.out)
    assert report["openings"] == [
        (
            "opening balance 1000.00 CNY booked on 2024-03-01 against Equity:Opening-Balances "
            "(--opening: the running balance of its first row, less that row's amount, line 2)"
        )
    ]
    march = (practice / "ledgers/xinyang/journal/2024/03.beancount").read_text(encoding="utf-8")
    # The account opens on the statement's first day: the opening is booked that day.
    assert '2024-03-01 * "期初余额 Opening balance from cmb.csv"' in march
    assert "the running balance of its first row, less that row's amount, line 2" in git(
        practice, "log", "-1", "--format=%B"
    )


def test_a_mapping_file_maps_what_the_chart_cannot(qinghe: Path) -> None:
    trial = qinghe.parent / "tb.csv"
    trial.write_text(TRIAL.replace("1001,库存现金", "1604,零用金"), encoding="utf-8")
    mapping = qinghe.parent / "map.yaml"
    mapping.write_text("1604: Assets:1001-库存现金\n", encoding="utf-8")
    items = ("--open-items", str(qinghe.parent / "open.csv"))
    code, out, err = opening(qinghe, *items, "--map", str(mapping), "-n")
    assert code == 0, err
    assert "  Assets:1001-库存现金 <- line 5 1604 零用金 (by mapping)" in out
    mapping.write_bytes("1604: Assets:1001-库存现金\n".encode("gb18030"))
    code, out, err = opening(qinghe, *items, "--map", str(mapping), "-n")
    assert_user_error(Run(code, out, err), 2, "map.yaml: is not UTF-8 text")
