"""`beanfirm visits add` and `beanfirm visits CLIENT` end to end, through the installed command."""

from __future__ import annotations

import json
import warnings
from decimal import Decimal
from pathlib import Path

import pytest
from accounts_support import beancount_balance
from beancount import loader
from conftest import STAFF_ENV, git, run_beanfirm, tree_state

from beanfirm.accounts.visitchart import render_visit_chart
from beanfirm.accounts.visits import visit_report
from beanfirm.core.pdf import cjk_fonts

BANK = "Assets:1002-银行存款:工商银行"
ADD = (
    "visits", "add", "huamei", "--customer", "华联超市", "--date", "2025-03-05",
    "--staff", "张伟", "--transport", "120.50", "--meals", "300", "--lodging", "400",
    "--paid-from", BANK,
)  # fmt: skip


@pytest.fixture
def with_customer(practice_with_client: Path) -> Path:
    """The Chinese client huamei with one customer, 华联超市, of class 重点."""
    result = run_beanfirm(
        "customers", "add", "huamei", "华联超市", "--full-name", "上海华联超市有限公司",
        "--class", "重点", cwd=practice_with_client, env=STAFF_ENV,
    )  # fmt: skip
    assert result.code == 0, result.err
    accounts = practice_with_client / "ledgers" / "huamei" / "accounts.beancount"
    assert accounts.read_text(encoding="utf-8").endswith('  class: "重点"\n')
    return practice_with_client


def commits(folder: Path) -> int:
    return len(git(folder, "log", "--oneline").splitlines())


def test_add_writes_one_tagged_entry_in_one_commit(with_customer: Path) -> None:
    before = commits(with_customer)
    result = run_beanfirm(*ADD, cwd=with_customer, env=STAFF_ENV)
    assert result.code == 0, result.err
    assert "Recorded visit V-2025-0001 to 华联超市, 820.50 CNY" in result.out
    assert commits(with_customer) == before + 1
    assert git(with_customer, "status", "--porcelain") == ""
    month = with_customer / "ledgers" / "huamei" / "journal" / "2025" / "03.beancount"
    text = month.read_text(encoding="utf-8")
    assert '#visit\n  customer: "华联超市"\n  visit: "V-2025-0001"\n  staff: "张伟"\n' in text
    # 差旅费 holds transport and lodging alike: each posting says which it is.
    assert text.count('visit-cost: "transport"') == 1
    assert text.count('visit-cost: "lodging"') == 1
    _entries, errors, _ = loader.load_file(str(with_customer / "ledgers/huamei/main.beancount"))
    assert not errors
    # A second visit gets the next id.
    again = run_beanfirm(*ADD, cwd=with_customer, env=STAFF_ENV)
    assert "V-2025-0002" in again.out, again.err


def test_the_report_reads_back_what_add_wrote(with_customer: Path) -> None:
    assert run_beanfirm(*ADD, cwd=with_customer, env=STAFF_ENV).code == 0
    result = run_beanfirm("visits", "huamei", "--json", cwd=with_customer)
    assert result.code == 0, result.err
    report = json.loads(result.out)
    assert report["rows"] == [
        {
            "visit": "V-2025-0001",
            "date": "2025-03-05",
            "customer": "华联超市",
            "class": "重点",
            "staff": "张伟",
            "transport": "120.50",
            "meals": "300.00",
            "lodging": "400.00",
            "other": "0.00",
            "total": "820.50",
            "currency": "CNY",
            "visits": 1,
        }
    ]
    csv = run_beanfirm("visits", "huamei", "--by", "class", "--csv", cwd=with_customer)
    assert csv.out.splitlines() == [
        "class,visits,transport,meals,lodging,other,total,currency",
        "重点,1,120.50,300.00,400.00,0.00,820.50,CNY",
    ]
    table = run_beanfirm("visits", "huamei", "--by", "month", cwd=with_customer)
    assert "2025-03" in table.out
    assert "820.50" in table.out


def test_the_report_ties_to_the_ledger(with_customer: Path) -> None:
    for day in ("2025-03-05", "2025-04-10"):
        args = list(ADD)
        args[args.index("2025-03-05")] = day
        assert run_beanfirm(*args, cwd=with_customer, env=STAFF_ENV).code == 0
    entries, _, options = loader.load_file(str(with_customer / "ledgers/huamei/main.beancount"))
    report = json.loads(run_beanfirm("visits", "huamei", "--json", cwd=with_customer).out)
    total = Decimal(report["totals"][0]["total"])
    travel = beancount_balance(entries, "Expenses:5601-销售费用:差旅费")["CNY"]
    meals = beancount_balance(entries, "Expenses:5602-管理费用:业务招待费")["CNY"]
    cny = travel + meals
    assert total == cny == Decimal("1641.00")
    assert visit_report(entries, options).totals()[0].total == total


@pytest.mark.parametrize(
    ("change", "says"),
    [
        (("--customer", "沃尔玛"), "has no customer '沃尔玛' (known customers: 华联超市)"),
        (("--meals", "12.345"), "--meals 12.345 has more than two decimals"),
        (("--meals", "abc"), "--meals 'abc' is not an amount"),
        (("--lodging", "-5"), "--lodging -5 is negative"),
        (("--paid-from", "Assets:Nowhere"), "--paid-from Assets:Nowhere is not an asset"),
        (("--staff", "a\nb"), "--staff must be one line"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(
    with_customer: Path, change: tuple[str, str], says: str
) -> None:
    args = list(ADD)
    args[args.index(change[0]) + 1] = change[1]
    before, head = tree_state(with_customer), git(with_customer, "rev-parse", "HEAD")
    result = run_beanfirm(*args, cwd=with_customer, env=STAFF_ENV)
    assert result.code == 2, result.err
    assert says in result.err
    assert "Traceback" not in result.err
    assert tree_state(with_customer) == before
    assert git(with_customer, "rev-parse", "HEAD") == head


def test_a_locked_period_is_refused(with_customer: Path) -> None:
    locks = with_customer / "ledgers" / "huamei" / "locks.beancount"
    locks.write_text(
        f'2025-03-31 custom "beanfirm-lock" "sha256:{"0" * 64}"\n  by: "ana"\n', encoding="utf-8"
    )
    git(with_customer, "add", "-A")
    git(with_customer, "commit", "-qm", "A lock through March")
    before = tree_state(with_customer)
    result = run_beanfirm(*ADD, cwd=with_customer, env=STAFF_ENV)
    assert result.code == 2, result.err
    assert "locked through 2025-03-31" in result.err
    assert tree_state(with_customer) == before
    later = list(ADD)
    later[later.index("2025-03-05")] = "2025-04-01"
    assert run_beanfirm(*later, cwd=with_customer, env=STAFF_ENV).code == 0


def test_a_dry_run_checks_and_writes_nothing(with_customer: Path) -> None:
    before = tree_state(with_customer)
    result = run_beanfirm(*ADD, "-n", cwd=with_customer, env=STAFF_ENV)
    assert result.code == 0, result.err
    assert "Dry run: would record visit V-2025-0001" in result.out
    assert tree_state(with_customer) == before


def test_flagged_entries_exit_1_with_file_and_line(with_customer: Path) -> None:
    month = with_customer / "ledgers" / "huamei" / "journal" / "2025" / "05.beancount"
    month.parent.mkdir(parents=True, exist_ok=True)
    month.write_text(
        '2025-05-02 * "出租车" "[red]x[/red]" #visit\n'
        '  customer: "华联超市"\n'
        f"  Expenses:5601-销售费用:差旅费  33.00 CNY\n  {BANK}\n",
        encoding="utf-8",
    )
    result = run_beanfirm("visits", "huamei", cwd=with_customer)
    assert result.code == 1, result.err
    assert "ledgers/huamei/journal/2025/05.beancount:1" in result.out
    assert "33.00" in result.out
    data = json.loads(run_beanfirm("visits", "huamei", "--json", cwd=with_customer).out)
    assert data["flagged"][0]["line"] == 1


def test_the_chart_is_written_as_png(with_customer: Path, tmp_path: Path) -> None:
    assert run_beanfirm(*ADD, cwd=with_customer, env=STAFF_ENV).code == 0
    chart = tmp_path / "visits.png"
    result = run_beanfirm("visits", "huamei", "--chart", str(chart), cwd=with_customer)
    assert result.code == 0, result.err
    assert chart.read_bytes().startswith(b"\x89PNG")
    bad = run_beanfirm("visits", "huamei", "--chart", str(tmp_path / "v.pdf"), cwd=with_customer)
    assert bad.code == 2
    assert "PNG or SVG" in bad.err


def test_a_chinese_chart_has_every_glyph(with_customer: Path) -> None:
    if not cjk_fonts():
        pytest.skip("no CJK font on this machine")
    assert run_beanfirm(*ADD, cwd=with_customer, env=STAFF_ENV).code == 0
    entries, _, options = loader.load_file(str(with_customer / "ledgers/huamei/main.beancount"))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "Glyph 26477 missing from font(s) DejaVu Sans."
        png = render_visit_chart(
            visit_report(entries, options), "png", title="华美便利店", language="zh"
        )
    assert png.startswith(b"\x89PNG")


def test_text_from_the_ledger_is_printed_as_data(with_customer: Path) -> None:
    args = list(ADD)
    args[args.index("张伟")] = "[red]Tom[/red] :bank:"
    assert run_beanfirm(*args, cwd=with_customer, env=STAFF_ENV).code == 0
    result = run_beanfirm("visits", "huamei", "--by", "staff", cwd=with_customer)
    assert result.code == 0, result.err
    assert "[red]Tom[/red] :bank:" in result.out
    assert "🏦" not in result.out


def test_a_class_of_two_lines_is_refused(practice_with_client: Path) -> None:
    before = tree_state(practice_with_client)
    result = run_beanfirm(
        "customers", "add", "huamei", "华联超市", "--class", "a\nb",
        cwd=practice_with_client, env=STAFF_ENV,
    )  # fmt: skip
    assert result.code == 2
    assert "--class must be one line" in result.err
    assert tree_state(practice_with_client) == before


def test_more_expenses_of_a_visit_go_under_its_id(with_customer: Path) -> None:
    assert run_beanfirm(*ADD, cwd=with_customer, env=STAFF_ENV).code == 0
    hotel = (
        "visits", "add", "huamei", "--customer", "华联超市", "--date", "2025-03-07",
        "--visit", "V-2025-0001", "--lodging", "380", "--paid-from", BANK,
    )  # fmt: skip
    result = run_beanfirm(*hotel, cwd=with_customer, env=STAFF_ENV)
    assert result.code == 0, result.err
    report = json.loads(run_beanfirm("visits", "huamei", "--json", cwd=with_customer).out)
    assert [(row["visit"], row["lodging"], row["total"]) for row in report["rows"]] == [
        ("V-2025-0001", "780.00", "1200.50")
    ]
    result = run_beanfirm(
        "customers", "add", "huamei", "联华超市", cwd=with_customer, env=STAFF_ENV
    )
    assert result.code == 0, result.err
    other = list(hotel)
    other[other.index("华联超市")] = "联华超市"
    before = tree_state(with_customer)
    refused = run_beanfirm(*other, cwd=with_customer, env=STAFF_ENV)
    assert refused.code == 2
    assert "visit V-2025-0001 is already a visit to '华联超市'" in refused.err
    assert "ledgers/huamei/journal/2025/03.beancount:" in refused.err
    assert tree_state(with_customer) == before
