"""`beanfirm rules test` end to end, through the installed command, on the demo practice."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import run_beanfirm, tree_state
from import_support import cmb

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "docs" / "examples" / "huamei-alipay-2026-11.csv"
SAMPLES = REPO / "tests" / "importers" / "samples"
CLIENT_RULES = "ledgers/huamei-retail/rules.yaml"
FIRM_RULES = "rules.yaml"


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    """A copy of the demo practice with one client, to spoil its rules."""
    folder = tmp_path / "demo"
    folder.mkdir()
    for name in ("clients.yaml", "rules.yaml"):
        shutil.copy(REPO / name, folder / name)
    for client in (
        "huamei-retail",
        "dongsheng-trading",
        "brightpath-consulting",
        "silkroad-export",
    ):
        shutil.copytree(REPO / "ledgers" / client, folder / "ledgers" / client)
    return folder


def rule_at(path: str, name: str) -> str:
    """Return `file:line` of the rule with this name in the demo's rules files."""
    lines = (REPO / path).read_text(encoding="utf-8").splitlines()
    return f"{path}:{lines.index(f'  - name: {name}') + 1}"


def _rows(folder: Path, *args: str) -> list[dict[str, object]]:
    result = run_beanfirm("rules", "test", *args, "--json", cwd=folder)
    assert result.code == 0, result.err
    rows: list[dict[str, object]] = json.loads(result.out)["rows"]
    return rows


def test_each_row_shows_the_rule_it_hits_and_its_account(demo: Path) -> None:
    before = tree_state(demo)
    rows = _rows(demo, "huamei-retail", str(EXAMPLE))
    seen = {str(r["payee"]): (r["rule"], r["account"], r["flag"]) for r in rows}
    assert seen == {
        # Learned from the ledger: 统一企业 was always 主营业务成本; kept for review.
        "统一企业": (None, "Expenses:Uncategorized", "!"),
        "中国移动": (rule_at(FIRM_RULES, "电话费 宽带"), "Expenses:5602-管理费用:通讯费", "*"),
        "滴滴出行": (rule_at(FIRM_RULES, "打车 火车"), "Expenses:5602-管理费用:差旅费", "*"),
        "美团外卖": (rule_at(CLIENT_RULES, "外卖平台结算"), "Income:5001-主营业务收入", "!"),
        "拼多多平台商户": (rule_at(CLIENT_RULES, "拼多多 逐笔判断"), "Expenses:Uncategorized", "!"),
        "晨光文具旗舰店": (
            rule_at(FIRM_RULES, "支付宝 日用百货小额"),
            "Expenses:5602-管理费用:办公费",
            "!",
        ),
        "中国石化": (None, "Expenses:Uncategorized", "!"),
        "王**": (None, "Income:Uncategorized", "!"),
        "支付宝": (
            rule_at(FIRM_RULES, "支付宝/微信支付 服务费"),
            "Expenses:5603-财务费用:手续费",
            "*",
        ),
    }
    suggested = {str(r["payee"]): r["suggested_account"] for r in rows if r["suggested_account"]}
    assert suggested == {"统一企业": "Expenses:5401-主营业务成本"}
    never_seen = next(r for r in rows if r["payee"] == "中国石化")
    assert "no past entries" in str(never_seen["reason"])
    assert tree_state(demo) == before, "rules test writes nothing"


def test_the_table_names_the_rule_file_and_line(demo: Path) -> None:
    result = run_beanfirm("rules", "test", "huamei-retail", str(EXAMPLE), cwd=demo)
    assert result.code == 0, result.err
    assert "huamei-retail: " in result.out
    assert "Assets:1012-其他货币资金:支付宝 (alipay)" in result.out
    assert rule_at(CLIENT_RULES, "外卖平台结算") in result.out
    assert "no rule" in result.out
    assert "(suggested Expenses:5401-主营业务成本, 100%)" in result.out
    assert "9 rows: 6 by a rule, 1 with a suggestion, 2 uncategorized" in result.out


def test_a_bank_sample_with_skipped_rows_and_the_account_picked_by_identify(demo: Path) -> None:
    result = run_beanfirm(
        "rules", "test", "huamei-retail", str(SAMPLES / "cn-alipay.csv"), cwd=demo
    )
    assert result.code == 0, result.err
    assert "8 rows: 5 by a rule, 0 with a suggestion, 3 uncategorized; 2 skipped" in result.out
    assert "skipped line 29: 收/支 is '不计收支'" in result.out


def test_a_rule_for_another_chart_is_passed_over(demo: Path) -> None:
    # brightpath keeps the English chart: the Chinese electricity rule does not apply there.
    export = demo.parent / "cmb.csv"
    export.write_text(
        cmb(
            [
                ("2024-01-01", "1234.00", "代发住房公积金", "北京住房公积金管理中心", "提取"),
                ("2024-01-27", "-3.00", "一网通支付", "国网电力有限公司99999999999999", "供电"),
            ]
        ),
        encoding="utf-8",
    )
    rows = _rows(demo, "brightpath-consulting", str(export))
    power = next(r for r in rows if str(r["payee"]).startswith("国网电力"))
    assert power["account"] == "Expenses:Utilities"
    assert "passed over rules.yaml:" in str(power["reason"])


def test_the_electricity_rule_takes_state_grid_and_not_every_name_holding_its_letters(
    demo: Path,
) -> None:
    # 国网 (State Grid) opens its companies' names; 中国网通, 中国网络 hold the same two letters.
    export = demo.parent / "icbc.csv"
    export.write_text(
        "卡号: 6222021001112223334\n"
        "交易日期,摘要,交易场所,钞/汇,记账金额(收入),记账金额(支出),记账币种,余额,对方户名\n"
        "2026-11-28,宽带费,,钞,,120.00,人民币,9500.00,中国网通\n"
        "2026-11-27,服务费,,钞,,80.00,人民币,9620.00,中国网络科技有限公司\n"
        "2026-11-26,代扣,,钞,,300.00,人民币,9700.00,国网上海市电力公司\n"
        "2026-11-25,消费,,钞,,200.00,人民币,10000.00,云闪付APP-网上国网\n",
        encoding="utf-8",
    )
    rows = _rows(demo, "huamei-retail", str(export), "--account", "工商银行")
    seen = {str(r["payee"]): (r["rule"], r["account"]) for r in rows}
    assert seen == {
        "国网上海市电力公司": (rule_at(FIRM_RULES, "电费"), "Expenses:5602-管理费用:水电费"),
        "云闪付APP-网上国网": (rule_at(FIRM_RULES, "电费"), "Expenses:5602-管理费用:水电费"),
        "中国网通": (rule_at(FIRM_RULES, "电话费 宽带"), "Expenses:5602-管理费用:通讯费"),
        "中国网络科技有限公司": (None, "Expenses:Uncategorized"),
    }


def test_account_option_names_the_account(demo: Path) -> None:
    rows = _rows(demo, "huamei-retail", str(EXAMPLE), "--account", "支付宝")
    assert len(rows) == 9
    result = run_beanfirm(
        "rules", "test", "huamei-retail", str(EXAMPLE), "--account", "招商银行", cwd=demo
    )
    assert result.code == 2
    assert "--account 招商银行 is not one of the accounts of huamei-retail" in result.err


def _assert_refused(result_err: str, code: int, *needles: str) -> None:
    assert code == 2
    assert "Traceback" not in result_err
    assert result_err.startswith("Error: ")
    for needle in needles:
        assert needle in result_err


def test_a_bad_rules_file_is_refused_with_every_line(demo: Path) -> None:
    (demo / CLIENT_RULES).write_text(
        "rules:\n"
        "  - when: {payee: 滴滴, direction: 支出}\n"
        "    account: Expenses:5602-管理费用:差旅费\n"
        "  - when:\n"
        '      narration: "/(充值/"\n'
        "    account: Expenses:通讯费\n",
        encoding="utf-8",
    )
    before = tree_state(demo)
    result = run_beanfirm("rules", "test", "huamei-retail", str(EXAMPLE), cwd=demo)
    _assert_refused(
        result.err,
        result.code,
        "The categorization rules of huamei-retail have 3 problems",
        f"{CLIENT_RULES}:2: `when: direction` is '支出'; it must be one of: in, out.",
        f"{CLIENT_RULES}:5: `when: narration`: the regular expression /(充值/ is invalid",
        f"{CLIENT_RULES}:6: 'Expenses:通讯费' is not an account name Beancount accepts",
    )
    assert result.out == ""
    assert tree_state(demo) == before


def test_a_bad_firm_rules_file_is_refused(demo: Path) -> None:
    (demo / "rules.yaml").write_text("rules:\n  - when: {max: 1,000}\n", encoding="utf-8")
    result = run_beanfirm("rules", "test", "huamei-retail", str(EXAMPLE), cwd=demo)
    _assert_refused(result.err, result.code, "rules.yaml:2: ")


def test_unknown_client_unknown_file_and_a_file_of_no_account(demo: Path) -> None:
    result = run_beanfirm("rules", "test", "nobody", str(EXAMPLE), cwd=demo)
    _assert_refused(result.err, result.code, "No client 'nobody' in clients.yaml")
    result = run_beanfirm("rules", "test", "huamei-retail", str(demo / "missing.csv"), cwd=demo)
    assert result.code == 2
    assert "does not exist" in result.err
    result = run_beanfirm(
        "rules", "test", "huamei-retail", str(SAMPLES / "us-csvbank.csv"), cwd=demo
    )
    _assert_refused(
        result.err, result.code, "no importer of huamei-retail's accounts recognises this file"
    )


def test_an_unreadable_export_is_refused(demo: Path) -> None:
    broken = demo / "broken.csv"
    broken.write_bytes(EXAMPLE.read_bytes().replace(b",1280.00,", b",12x0.00,"))
    result = run_beanfirm("rules", "test", "huamei-retail", str(broken), cwd=demo)
    _assert_refused(result.err, result.code, "broken.csv:14")


def test_bank_text_is_printed_as_text(demo: Path) -> None:
    # A narration closing a tag it never opened crashed rich; `:Bank:` became the bank emoji.
    export = demo.parent / "cmb.csv"
    export.write_text(
        cmb([("2024-01-27", "-3.00", "一网通支付", "ACME [/red] [bold]", "fee :bank: [link=x]")]),
        encoding="utf-8",
    )
    result = run_beanfirm("rules", "test", "brightpath-consulting", str(export), cwd=demo)
    assert result.code == 0, result.err
    for text in ("ACME [/red] [bold]", "fee :bank: [link=x]", "Assets:Bank:CMB"):
        assert text in result.out, (text, result.out)
    assert "\N{BANK}" not in result.out
