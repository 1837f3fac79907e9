"""`beanfirm import` end to end: booking, the diff, re-import, dedup, balances, the inbox."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from cli_support import append_entry, commit_all, snapshot
from conftest import git
from import_support import (
    ALIPAY,
    BANK,
    ICBC_NUMBER,
    add_client,
    alipay,
    cmb,
    commit_count,
    head,
    import_files,
    journal,
    transactions_with,
    write,
)

from beanfirm.core.journal import CURRENCY_COLUMN

MARCH = "ledgers/acme/journal/2024/03.beancount"


@pytest.fixture
def shop(practice: Path) -> Path:
    """A practice with the client `acme`: a CMB bank account, Alipay and an ICBC account."""
    add_client(practice)
    return practice


def test_an_export_is_booked_archived_checked_and_committed_once(shop: Path) -> None:
    export = write(
        shop.parent,
        "cmb-march.csv",
        cmb(
            [
                ("2024-03-01", "10000.00", "代发工资", "上海某某公司", "工资"),
                ("2024-03-05", "-35.00", "消费", "星巴克", "咖啡"),
                ("2024-03-31", "-3000.00", "转账汇款", "上海恒基物业", "房租"),
            ]
        ),
    )
    before = commit_count(shop)
    result = import_files(shop, "acme", str(export))
    assert result.code == 0, result.err
    assert commit_count(shop) == before + 1
    assert "3 rows added (3 uncategorized)" in result.out
    author = git(shop, "log", "-1", "--format=%an <%ae>").strip()
    assert author == "Ana Partner <ana@firm.example>"
    message = git(shop, "log", "-1", "--format=%B")
    assert message.startswith("Import cmb-march.csv into acme: 3 rows added")
    assert "- 3 rows added, 3 of them left uncategorized\n" in message
    assert "- 0 rows skipped: already imported\n" in message
    assert "- 0 rows merged into transfers\n" in message
    assert "- 1 balance assertion added\n" in message
    archived = "ledgers/acme/documents/Assets/1002-银行存款/招商银行/2024-03-31.cmb-march.csv"
    assert (shop / archived).read_bytes() == export.read_bytes()
    changed = git(shop, "-c", "core.quotepath=off", "show", "--name-only", "--format=", "HEAD")
    assert sorted(changed.split()) == sorted([archived, MARCH])
    text = (shop / MARCH).read_text(encoding="utf-8")
    assert text.startswith("; 2024-03: entries of this month, in date order.\n\n2024-03-01 ! ")
    balance = text.split("\n\n")[-1]
    assert balance.split() == [
        "2024-04-01",
        "balance",
        BANK,
        "6965.00",
        "CNY",
        "statement:",
        '"documents/Assets/1002-银行存款/招商银行/2024-03-31.cmb-march.csv"',
    ]
    # The entries are in the layout of the golden files: aligned amounts, `!`, import-id.
    assert '2024-03-05 ! "星巴克" "消费 咖啡"\n  import-id: "fp:' in text
    currency_columns = {
        len(line) - len("CNY") + 1 for line in text.splitlines() if line.endswith(" CNY")
    }
    assert currency_columns == {CURRENCY_COLUMN}
    assert git(shop, "status", "--porcelain") == ""


def test_the_diff_of_an_import_holds_only_the_added_entries(shop: Path) -> None:
    # March already holds Alipay entries; the bank's rows fall between them.
    wallet = write(
        shop.parent,
        "alipay.csv",
        alipay(
            [
                ("2024-03-02 09:00:00", "全家便利店", "早餐", "支出", "12.00", "A1"),
                ("2024-03-10 12:00:00", "美团外卖", "午餐", "支出", "30.00", "A2"),
                ("2024-03-20 18:00:00", "滴滴出行", "打车", "支出", "25.00", "A3"),
            ]
        ),
    )
    assert import_files(shop, "acme", str(wallet)).code == 0
    bank = write(
        shop.parent,
        "cmb.csv",
        cmb(
            [
                ("2024-03-01", "5000.00", "代发工资", "上海某某公司", "工资"),
                ("2024-03-05", "-45.50", "消费", "星巴克", "咖啡"),
                ("2024-03-15", "-300.00", "消费", "中国石化", "加油"),
                ("2024-03-25", "-80.00", "消费", "顺丰速运", "快递"),
            ]
        ),
    )
    result = import_files(shop, "acme", str(bank))
    assert result.code == 0, result.err
    diff = git(shop, "diff", "--no-ext-diff", "--no-textconv", "-U0", "HEAD~1", "HEAD", "--", MARCH)
    changed = [
        line
        for line in diff.splitlines()
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]
    assert len(changed) > 4 * 5, diff
    assert all(line.startswith("+") for line in changed), diff
    # One hunk before each existing entry it precedes, one at the end: rows and balance.
    assert diff.count("@@ -") == 4, diff
    added = "\n".join(line[1:] for line in changed)
    for payee in ("上海某某公司", "星巴克", "中国石化", "顺丰速运"):
        assert f'! "{payee}"' in added
    assert "全家便利店" not in added
    dates = [line[:10] for line in (shop / MARCH).read_text().splitlines() if line[:2] == "20"]
    assert dates == sorted(dates)


def test_reimporting_the_same_or_an_overlapping_export_adds_nothing_twice(shop: Path) -> None:
    rows = [
        ("2024-03-01", "100.00", "存入", "", "现金"),
        ("2024-03-02", "-10.00", "消费", "x", "y"),
        ("2024-03-09", "-20.00", "消费", "z", "w"),
    ]
    export = write(shop.parent, "cmb.csv", cmb(rows[:2]))
    assert import_files(shop, "acme", str(export)).code == 0
    before = snapshot(shop)
    again = import_files(shop, "acme", str(export))
    assert again.code == 0, again.err
    assert "Nothing new in cmb.csv" in again.out
    assert "all 2 rows are in the ledger already" in again.out
    assert snapshot(shop) == before
    longer = write(shop.parent, "cmb-longer.csv", cmb(rows))
    result = import_files(shop, "acme", str(longer))
    assert result.code == 0, result.err
    assert "1 row added (1 uncategorized), 2 rows already imported" in result.out
    assert len(transactions_with(shop, "import-id")) == 3


def test_two_identical_genuine_rows_both_survive_and_reimport_adds_neither(shop: Path) -> None:
    # Two coffees bought one after the other: the export has no order number for them, so
    # the lines are byte for byte the same.
    export = write(
        shop.parent,
        "alipay-twice.csv",
        alipay(
            [
                ("2024-03-08 12:00:00", "星巴克", "咖啡", "支出", "35.00", ""),
                ("2024-03-08 12:00:00", "星巴克", "咖啡", "支出", "35.00", ""),
            ]
        ),
    )
    lines = export.read_text(encoding="utf-8").splitlines()
    assert lines[3] == lines[4]
    result = import_files(shop, "acme", str(export))
    assert result.code == 0, result.err
    assert "2 rows added" in result.out
    booked = transactions_with(shop, "星巴克")
    assert len(booked) == 2
    ids = sorted(
        line.split('"')[1] for block in booked for line in block.splitlines() if "import-id" in line
    )
    assert ids[0].endswith("#1")
    assert ids[1].endswith("#2")
    assert ids[0][:-2] == ids[1][:-2]
    again = import_files(shop, "acme", str(export))
    assert again.code == 0
    assert "Nothing new" in again.out
    assert len(transactions_with(shop, "星巴克")) == 2


# The two layouts of ICBC's 明细 download, both read by the icbc-debit importer: the short
# one leaves 交易场所 empty, the long one fills it and adds columns. The same bank row gets
# another fingerprint in each (its narration is 摘要 and 交易场所).
ICBC_SHORT = "交易日期,摘要,交易场所,钞/汇,记账金额(收入),记账金额(支出),记账币种,余额,对方户名\n"
ICBC_LONG = (
    "交易日期,摘要,交易详情,交易场所,交易国家或地区简称,钞/汇,交易金额(收入),交易金额(支出),"
    "交易币种,记账金额(收入),记账金额(支出),记账币种,余额,对方户名,对方账户\n"
)


def icbc(rows: list[tuple[str, str, str, str, str]], *, long: bool = False) -> str:
    """An ICBC export, newest first: (date, amount, 摘要, 交易场所, 对方户名), from zero."""
    lines = []
    balance = Decimal(0)
    for date, amount, summary, place, party in rows:
        balance += Decimal(amount)
        money_in, money_out = (amount, "") if not amount.startswith("-") else ("", amount[1:])
        if long:
            cells = [date, summary, "", place, "CHN", "钞", money_in or "-", money_out or "-"]
            cells += [
                "人民币",
                money_in or "-",
                money_out or "-",
                "人民币",
                str(balance),
                party,
                "",
            ]
        else:
            cells = [date, summary, "", "钞", money_in, money_out, "人民币", str(balance), party]
        lines.append(",".join(cells) + "\n")
    header = ICBC_LONG if long else ICBC_SHORT
    return f"卡号: {ICBC_NUMBER}\n" + header + "".join(reversed(lines))


ICBC_ROWS = [
    ("2024-03-01", "1500.00", "转账", "网银", "上海某某餐饮管理有限公司"),
    ("2024-03-05", "-300.00", "消费", "中国石化上海加油站", "中国石化销售股份有限公司"),
    ("2024-03-12", "-12.00", "手续费", "工商银行", ""),
]


def test_the_same_rows_in_the_other_layout_of_the_bank_are_not_imported_twice(
    shop: Path,
) -> None:
    short = write(shop.parent, "icbc-short.csv", icbc(ICBC_ROWS[:2]))
    assert import_files(shop, "acme", str(short), "--account", "工商银行").code == 0
    long = write(shop.parent, "icbc-long.csv", icbc(ICBC_ROWS, long=True))
    result = import_files(shop, "acme", str(long), "--account", "工商银行")
    assert result.code == 0, result.err
    assert "1 row added (1 uncategorized), 2 rows already imported" in result.out
    said = [line for line in result.out.splitlines() if "from another export" in line]
    assert len(said) == 2
    assert said[0].startswith(
        "  line 5: 2024-03-01 1500.00 CNY 上海某某餐饮管理有限公司 转账 网银 -> "
    )
    assert f"{MARCH}:" in said[0]
    assert len(transactions_with(shop, "import-id")) == 3
    again = import_files(shop, "acme", str(long), "--account", "工商银行")
    assert "Nothing new" in again.out, again.out


COFFEE_ROW = ("2024-03-03 12:00:00", "星巴克", "咖啡", "支出", "35.00", "")  # no order number


def test_a_row_of_another_export_is_one_row_of_the_ledger_never_two(shop: Path) -> None:
    # The first export was made at noon: one coffee of the day. The second, of the whole day,
    # writes the item otherwise (another fingerprint) and has the second coffee too.
    first = write(shop.parent, "noon.csv", alipay([COFFEE_ROW]))
    assert import_files(shop, "acme", str(first)).code == 0
    later = ("2024-03-03 15:00:00", "星巴克", "咖啡 大杯", "支出", "35.00", "")
    day = write(
        shop.parent, "day.csv", alipay([(*COFFEE_ROW[:2], "咖啡 大杯", *COFFEE_ROW[3:]), later])
    )
    result = import_files(shop, "acme", str(day))
    assert result.code == 0, result.err
    assert "1 row added (1 uncategorized), 1 row already imported" in result.out
    assert "already imported from another export" in result.out
    assert len(transactions_with(shop, "星巴克")) == 2


def test_a_later_identical_row_of_the_same_export_is_added(shop: Path) -> None:
    # The same export again with a second identical coffee of that day: id #1 is known, #2 is
    # new, and the entry of #1 (an id of this export's own) is never taken for it.
    first = write(shop.parent, "noon.csv", alipay([COFFEE_ROW]))
    assert import_files(shop, "acme", str(first)).code == 0
    day = write(shop.parent, "day.csv", alipay([COFFEE_ROW, COFFEE_ROW]))
    result = import_files(shop, "acme", str(day))
    assert result.code == 0, result.err
    assert "1 row added (1 uncategorized), 1 row already imported" in result.out
    assert "from another export" not in result.out
    assert len(transactions_with(shop, "星巴克")) == 2


def hand_entry(shop: Path, text: str) -> int:
    """Type an entry by hand into March, commit it, and return its line."""
    path = shop / MARCH
    if not path.exists():
        path.write_text("; 2024-03: entries of this month, in date order.\n", encoding="utf-8")
    line = append_entry(shop, MARCH, text)
    commit_all(shop, "An entry typed by hand")
    return line


COFFEE = (
    '2024-03-10 * "Coffee Shop" "coffee with a customer"\n'
    "  Expenses:5601-销售费用:业务招待费   35.00 CNY\n"
    f"  {BANK}\n"
)


def test_a_different_amount_is_never_a_duplicate(shop: Path) -> None:
    # beangulp drops a -36.50 supermarket charge as a "duplicate" of a -35.00 coffee.
    line = hand_entry(shop, COFFEE)
    export = write(
        shop.parent,
        "cmb.csv",
        cmb(
            [
                ("2024-03-10", "-35.00", "消费", "Coffee Shop", "coffee"),
                ("2024-03-11", "-36.50", "消费", "Supermarket", "groceries"),
            ],
            opening="0",
        ),
    )
    result = import_files(shop, "acme", str(export))
    assert result.code == 0, result.err
    assert "1 row added" in result.out
    assert "1 row matched to entries typed by hand" in result.out
    assert f"{MARCH}:{line}" in result.out
    assert len(transactions_with(shop, "Supermarket")) == 1
    assert len(transactions_with(shop, "Coffee")) == 1


def test_one_entry_typed_by_hand_absorbs_one_row_not_two(shop: Path) -> None:
    # beangulp drops both genuine -35.00 purchases on consecutive days against one entry.
    line = hand_entry(shop, COFFEE)
    export = write(
        shop.parent,
        "cmb.csv",
        cmb(
            [
                ("2024-03-10", "-35.00", "消费", "Coffee Shop", "coffee"),
                ("2024-03-11", "-35.00", "消费", "Coffee Shop", "coffee"),
            ],
        ),
    )
    result = import_files(shop, "acme", str(export), "--json")
    assert result.code == 0, result.err
    report = json.loads(result.out)[0]
    outcomes = [(row["date"], row["outcome"], row["where"]) for row in report["rows"]]
    assert outcomes == [
        ("2024-03-10", "matched", f"{MARCH}:{line}"),
        ("2024-03-11", "added", None),
    ]
    assert len(transactions_with(shop, "Coffee Shop")) == 2
    # The entry typed by hand records the row it stands for.
    entry = transactions_with(shop, "coffee with a customer")[0]
    assert '  import-id: "fp:' in entry


def test_an_entry_that_absorbed_a_row_never_absorbs_a_later_one(shop: Path) -> None:
    hand_entry(shop, COFFEE)
    first = write(shop.parent, "a.csv", cmb([("2024-03-10", "-35.00", "消费", "Coffee Shop", "c")]))
    assert import_files(shop, "acme", str(first)).code == 0
    # The next export starts where the first ended; a genuine -35.00 two days later.
    second = write(
        shop.parent, "b.csv", cmb([("2024-03-12", "-35.00", "消费", "Coffee Shop", "c")], "-35.00")
    )
    result = import_files(shop, "acme", str(second))
    assert result.code == 0, result.err
    assert "1 row added" in result.out
    assert len(transactions_with(shop, "Coffee Shop")) == 2


def test_dry_run_shows_entries_and_every_decision_and_writes_nothing(shop: Path) -> None:
    line = hand_entry(shop, COFFEE)
    export = write(
        shop.parent,
        "cmb.csv",
        cmb(
            [
                ("2024-03-10", "-35.00", "消费", "Coffee Shop", "c"),
                ("2024-03-11", "-12.00", "消费", "Bakery", "bread"),
            ]
        ),
    )
    before = snapshot(shop)
    result = import_files(shop, "acme", str(export), "-n")
    assert result.code == 0, result.err
    assert snapshot(shop) == before
    assert "Dry run" in result.out
    assert '2024-03-11 ! "Bakery" "消费 bread"' in result.out
    assert (
        f"matches an entry typed by hand: same account and amount, 0 day(s) apart: {MARCH}:{line}"
        in result.out
    )
    assert "category: " in result.out
    assert "balance Assets:1002-银行存款:招商银行 -47.00 CNY on 2024-03-12: add" in result.out
    assert "archive as ledgers/acme/documents/" in result.out


def test_a_balance_already_asserted_is_kept_and_a_contradicting_one_refused(shop: Path) -> None:
    hand_entry(shop, f"2024-03-11 balance {BANK}  -12.00 CNY\n")
    same = write(shop.parent, "same.csv", cmb([("2024-03-10", "-12.00", "消费", "Bakery", "b")]))
    result = import_files(shop, "acme", str(same), "--json")
    assert result.code == 0, result.err
    balances = json.loads(result.out)[0]["balances"]
    assert [b["outcome"] for b in balances] == ["exists"]
    assert journal(shop).count(" balance ") == 1
    before = snapshot(shop)
    other = write(
        shop.parent, "other.csv", cmb([("2024-03-10", "-13.00", "消费", "Bakery", "b2")], "0")
    )
    result = import_files(shop, "acme", str(other))
    assert result.code == 2
    assert "Traceback" not in result.err
    assert "the ledger asserts -12.00 CNY" in result.err
    assert f"{MARCH}:" in result.err
    assert snapshot(shop) == before


def test_inbox_files_are_imported_and_removed_failures_stay(shop: Path) -> None:
    inbox = shop / "ledgers" / "acme" / "inbox"
    inbox.mkdir()
    good = inbox / "march.csv"
    good.write_text(cmb([("2024-03-01", "10.00", "存入", "", "x")]), encoding="utf-8")
    bad = inbox / "broken.csv"
    bad.write_text(
        cmb([("2024-03-02", "10.00", "存入", "", "x")]).replace("2024-03-02", "2024-13-02"),
        encoding="utf-8",
    )
    assert git(shop, "status", "--porcelain") == ""  # the inbox is ignored
    result = import_files(shop, "--inbox")
    assert result.code == 2
    assert "Imported march.csv" in result.out
    assert "broken.csv:2" in result.err
    assert not good.exists()
    assert bad.exists()
    assert git(shop, "status", "--porcelain") == ""


def test_batch_goes_on_after_a_failure_unless_failfast(shop: Path) -> None:
    bad = write(shop.parent, "bad.csv", "a,b\n1,2\n")
    good = write(shop.parent, "good.csv", cmb([("2024-03-01", "10.00", "存入", "", "x")]))
    before = head(shop)
    stopped = import_files(shop, "acme", str(bad), str(good), "-x")
    assert stopped.code == 2
    assert head(shop) == before
    result = import_files(shop, "acme", str(bad), str(good))
    assert result.code == 2
    assert "Imported good.csv" in result.out
    assert head(shop) != before


@pytest.mark.parametrize(
    "args",
    [
        (),
        ("acme",),
        ("--inbox", "acme", "x.csv"),
        ("--inbox", "--account", BANK),
        ("nobody", "x.csv"),
    ],
    ids=["nothing", "no-files", "inbox-and-files", "inbox-and-account", "unknown-client"],
)
def test_usage_errors_exit_2(shop: Path, args: tuple[str, ...]) -> None:
    result = import_files(shop, *args)
    assert result.code == 2, (result.out, result.err)
    assert result.err.startswith("Error: ")
    assert "Traceback" not in result.err


def test_an_error_that_was_already_in_the_ledger_does_not_block_an_import(shop: Path) -> None:
    hand_entry(
        shop,
        '2024-03-03 * "unbalanced"\n  Expenses:5601-销售费用:业务招待费  9.00 CNY\n'
        f"  {BANK}  -10.00 CNY\n",
    )
    export = write(shop.parent, "a.csv", cmb([("2024-03-20", "-5.00", "消费", "x", "y")], "-10.00"))
    result = import_files(shop, "acme", str(export))
    assert result.code == 0, result.err
    assert "1 row added" in result.out


def test_json_report(shop: Path) -> None:
    export = write(shop.parent, "a.csv", cmb([("2024-03-20", "5.00", "存入", "x", "y")]))
    result = import_files(shop, "acme", str(export), "--json")
    assert result.code == 0, result.err
    (report,) = json.loads(result.out)
    assert report["status"] == "imported"
    assert report["account"] == BANK
    assert report["importer"] == "cmb-debit"
    assert report["added"] == 1
    assert report["uncategorized"] == 1
    assert report["rows"][0]["outcome"] == "added"
    assert len(report["commit"]) == 40


def test_categorization_rules_apply_and_decisions_show(shop: Path) -> None:
    rules = shop / "ledgers" / "acme" / "rules.yaml"
    rules.write_text(
        "rules:\n"
        "  - name: coffee\n"
        "    when:\n"
        "      payee: 星巴克\n"
        "    account: Expenses:5602-管理费用:业务招待费\n",
        encoding="utf-8",
    )
    commit_all(shop, "Rules")
    export = write(
        shop.parent,
        "a.csv",
        alipay(
            [
                ("2024-03-08 12:00:00", "星巴克", "咖啡", "支出", "35.00", "A1"),
                ("2024-03-09 12:00:00", "某商户", "杂项", "支出", "8.00", "A2"),
            ]
        ),
    )
    dry = import_files(shop, "acme", str(export), "-n")
    assert dry.code == 0, dry.err
    assert 'added: rule ledgers/acme/rules.yaml:2 (coffee): payee "星巴克"' in dry.out
    result = import_files(shop, "acme", str(export))
    assert result.code == 0, result.err
    assert "2 rows added (1 uncategorized)" in result.out
    (coffee,) = transactions_with(shop, "星巴克")
    assert coffee.startswith('2024-03-08 * "星巴克"')
    assert "Expenses:5602-管理费用:业务招待费" in coffee
    assert ALIPAY in coffee


def test_a_csv_account_reads_its_config_from_the_importers_folder(practice: Path) -> None:
    add_client(practice, accounts=("Assets:1002-银行存款:本地银行,bank,csv",))
    config = (
        practice / "ledgers" / "acme" / "importers" / "Assets" / "1002-银行存款" / "本地银行.yaml"
    )
    export = write(practice.parent, "local.csv", "Date,Text,Amount\n2024-03-01,存入,100.00\n")
    missing = import_files(practice, "acme", str(export))
    assert missing.code == 2
    assert "its config file is missing" in missing.err
    config.parent.mkdir(parents=True)
    config.write_text(
        "columns:\n  date: Date\n  narration: Text\n  amount: Amount\ncurrency: CNY\n",
        encoding="utf-8",
    )
    commit_all(practice, "The import config of the local bank")
    result = import_files(practice, "acme", str(export))
    assert result.code == 0, result.err
    assert "1 row added" in result.out


def test_a_last_row_without_a_balance_is_asserted_and_a_wrong_amount_caught_later(
    shop: Path,
) -> None:
    # The bank's last row masks its balance, and its amount reads -53.00 where the bank
    # took 35.00: the closing assertion carries the row, as the ledger books it.
    first = write(
        shop.parent,
        "cmb-early.csv",
        cmb([("2024-03-01", "10000.00", "代发工资", "上海某某公司", "工资")])
        + "2024-03-05,CNY,-53.00,****,消费,星巴克,咖啡\n",
    )
    result = import_files(shop, "acme", str(first))
    assert result.code == 0, result.err
    (asserted,) = [line for line in journal(shop).splitlines() if " balance " in line]
    assert asserted.split() == ["2024-03-06", "balance", BANK, "9947.00", "CNY"]
    # The next export states the bank's balance after that row: the books are 18.00 short.
    before = snapshot(shop)
    later = write(
        shop.parent, "cmb-later.csv", cmb([("2024-03-10", "-100.00", "消费", "超市", "b")], "9965")
    )
    result = import_files(shop, "acme", str(later))
    assert result.code != 0
    assert "Traceback" not in result.err
    said = " ".join(result.err.split())
    assert "would break its ledger, so nothing was written" in said
    assert "expected 9865.00 CNY != accumulated 9847.00 CNY (18.00 too little)" in said
    assert snapshot(shop) == before
