"""`beanfirm anomalies` and `anomalies dismiss`, end to end on a temporary practice."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest
from cli_support import HUAMEI_JANUARY, append_entry, assert_user_error, commit_all, snapshot
from conftest import STAFF_ENV, git, run_beanfirm

if TYPE_CHECKING:
    from pathlib import Path

BANK = "Assets:1002-银行存款:工商银行"
RENT = (
    '2025-01-01 * "恒基物业" "房租"\n'
    "  Expenses:5602-管理费用:房租  3000.00 CNY\n"
    f"  {BANK}  -3000.00 CNY\n"
)
CASH = (
    f'2025-01-06 * "取现" "备用金"\n  Assets:1001-库存现金  2000.00 CNY\n  {BANK}  -2000.00 CNY\n'
)
HOSTILE = (
    '2025-01-04 * "[/red][bold]:bank:" "Saturday"\n'
    "  Expenses:5602-管理费用:房租  10.00 CNY\n"
    f"  {BANK}  -10.00 CNY\n"
)
EARLIER = (
    '2025-01-02 * "晨光文具" "paper"\n'
    "  Expenses:5602-管理费用:办公费  12.34 CNY\n"
    f"  {BANK}  -12.34 CNY\n\n"
)
DISMISSALS = "ledgers/huamei/anomalies.yaml"


@pytest.fixture
def books(practice_with_client: Path) -> tuple[Path, int, int]:
    """The huamei practice with a payment on New Year's Day and round cash; their lines."""
    practice = practice_with_client
    rent = append_entry(practice, HUAMEI_JANUARY, RENT)
    cash = append_entry(practice, HUAMEI_JANUARY, CASH)
    commit_all(practice, "January")
    return practice, rent, cash


def _found(practice: Path, *args: str) -> list[dict[str, object]]:
    result = run_beanfirm("anomalies", *args, "--json", cwd=practice)
    assert result.err == ""
    [client] = json.loads(result.out)
    anomalies = client["anomalies"]
    assert isinstance(anomalies, list)
    return anomalies


def test_anomalies_lists_each_with_its_entry_and_evidence(books: tuple[Path, int, int]) -> None:
    practice, rent, cash = books
    result = run_beanfirm("anomalies", "huamei", cwd=practice)
    assert (result.code, result.err) == (1, "")
    lines = result.out.splitlines()
    assert lines[0] == "huamei: 2 anomalies (1 round-cash, 1 day-off)"
    assert f"{HUAMEI_JANUARY}:{rent}  -3,000.00 CNY" in lines[1]
    assert lines[2].strip() == (
        f"3,000.00 CNY paid to 恒基物业 from {BANK} on 2025-01-01, a day off: New Year's Day 元旦."
    )
    assert f"{HUAMEI_JANUARY}:{cash}  2,000.00 CNY" in lines[3]
    found = _found(practice, "huamei")
    assert [(a["kind"], a["file"], a["line"], a["amount"]) for a in found] == [
        ("day-off", HUAMEI_JANUARY, rent, "-3000.00"),
        ("round-cash", HUAMEI_JANUARY, cash, "2000.00"),
    ]
    assert _found(practice, "--since", "2025-01-02") == found[1:]


def test_a_dismissal_is_one_commit_and_the_anomaly_does_not_return(
    books: tuple[Path, int, int],
) -> None:
    practice, rent, _cash = books
    [day_off, _round] = _found(practice, "huamei")
    before = git(practice, "rev-parse", "HEAD")
    result = run_beanfirm(
        "anomalies", "dismiss", "huamei", str(day_off["id"]), "--reason",
        "rent by standing order", "--on", "2025-02-03", cwd=practice, env=STAFF_ENV,
    )  # fmt: skip
    assert (result.code, result.err) == (0, "")
    assert result.out.startswith(f"Dismissed {day_off['id']} (day-off at {HUAMEI_JANUARY}:{rent})")
    assert git(practice, "rev-list", "--count", f"{before.strip()}..HEAD").strip() == "1"
    assert git(practice, "show", "--stat", "--format=%an%n%s", "HEAD").splitlines()[:2] == [
        "Ana Partner",
        f"Dismiss anomaly {day_off['id']} of huamei",
    ]
    assert git(practice, "status", "--porcelain") == ""
    text = (practice / DISMISSALS).read_text(encoding="utf-8")
    assert text.endswith(
        f'- id: {day_off["id"]}\n  kind: day-off\n  entry: "{HUAMEI_JANUARY}:{rent}"\n'
        '  reason: "rent by standing order"\n  by: "ana"\n  on: 2025-02-03\n'
    )
    # an entry above it moves its line, not its id: it stays dismissed
    journal = practice / HUAMEI_JANUARY
    journal.write_text(EARLIER + journal.read_text(encoding="utf-8"), encoding="utf-8")
    commit_all(practice, "An earlier entry")
    [listed] = json.loads(run_beanfirm("anomalies", "huamei", "--json", cwd=practice).out)
    assert ([a["kind"] for a in listed["anomalies"]], listed["dismissed"]) == (["round-cash"], 1)
    [row] = json.loads(run_beanfirm("status", "--json", cwd=practice).out)
    assert row["anomalies"] == 1


def test_status_counts_the_anomalies_not_dismissed(books: tuple[Path, int, int]) -> None:
    practice, _rent, _cash = books
    [row] = json.loads(run_beanfirm("status", "--json", cwd=practice).out)
    assert row["anomalies"] == 2
    shown = run_beanfirm("status", cwd=practice, env={"COLUMNS": "300"}).out
    assert "anomalies" in shown


@pytest.mark.parametrize(
    ("args", "needles"),
    [
        (("day-off-00000000", "--reason", "x"), ("its books have no such anomaly",)),
        (("{id}", "--reason", "  "), ("the reason must say in one line",)),
        (("{id}", "--reason", "two\nlines"), ("the reason must say in one line",)),
        (("{id}", "--reason", "x", "-n"), ()),
    ],
)  # fmt: skip
def test_dismiss_refuses_bad_input_and_a_dry_run_writes_nothing(
    books: tuple[Path, int, int], args: tuple[str, ...], needles: tuple[str, ...]
) -> None:
    practice, _rent, _cash = books
    [day_off, _round] = _found(practice, "huamei")
    before = snapshot(practice)
    words = [word.replace("{id}", str(day_off["id"])) for word in args]
    result = run_beanfirm("anomalies", "dismiss", "huamei", *words, cwd=practice, env=STAFF_ENV)
    if needles:
        assert_user_error(result, 2, *needles, "Nothing was written.")
    else:
        assert (result.code, result.err) == (0, "")
        assert result.out.startswith(f"Dry run: would dismiss {day_off['id']}")
    assert snapshot(practice) == before


def test_dismiss_refuses_twice_and_uncommitted_work(books: tuple[Path, int, int]) -> None:
    practice, _rent, _cash = books
    [day_off, cash] = _found(practice, "huamei")
    dismiss = ("anomalies", "dismiss", "huamei", str(day_off["id"]), "--reason", "ok")
    assert run_beanfirm(*dismiss, cwd=practice, env=STAFF_ENV).code == 0
    before = snapshot(practice)
    again = run_beanfirm(*dismiss, cwd=practice, env=STAFF_ENV)
    assert_user_error(again, 2, "it was dismissed already", f"{DISMISSALS}:4, by ana: ok")
    assert snapshot(practice) == before
    journal = practice / HUAMEI_JANUARY
    journal.write_text(journal.read_text(encoding="utf-8") + "\n; my own edit\n", "utf-8")
    before = snapshot(practice)
    other = ("anomalies", "dismiss", "huamei", str(cash["id"]), "--reason", "ok")
    assert_user_error(run_beanfirm(*other, cwd=practice, env=STAFF_ENV), 2, "uncommitted")
    assert snapshot(practice) == before


def test_a_broken_dismissals_file_is_reported_at_its_line(books: tuple[Path, int, int]) -> None:
    practice, _rent, _cash = books
    (practice / DISMISSALS).write_text("dismissed:\n- id: day-off-1\n", encoding="utf-8")
    commit_all(practice, "A dismissal without a reason")
    result = run_beanfirm("anomalies", "huamei", cwd=practice)
    assert result.code == 1
    assert "Traceback" not in result.err
    assert f"  {DISMISSALS}:2: a dismissal is missing the required key 'reason'." in result.out
    checked = run_beanfirm("check", "huamei", cwd=practice)
    assert checked.code == 1
    assert f"{DISMISSALS}:2" in checked.out + checked.err
    [day_off, _round] = _found(practice, "huamei")
    before = snapshot(practice)
    dismiss = ("anomalies", "dismiss", "huamei", str(day_off["id"]), "--reason", "ok")
    assert_user_error(run_beanfirm(*dismiss, cwd=practice, env=STAFF_ENV), 2, f"{DISMISSALS}:2")
    assert snapshot(practice) == before


def test_text_from_the_books_is_printed_as_data(books: tuple[Path, int, int]) -> None:
    practice, _rent, _cash = books
    append_entry(practice, HUAMEI_JANUARY, HOSTILE)
    commit_all(practice, "A payee with markup")
    result = run_beanfirm("anomalies", "huamei", cwd=practice, env={"COLUMNS": "300"})
    assert result.code == 1
    assert "Traceback" not in result.err
    assert "paid to [/red][bold]:bank: from" in result.out


def test_unknown_clients_and_options_are_usage_errors(books: tuple[Path, int, int]) -> None:
    practice, _rent, _cash = books
    assert_user_error(run_beanfirm("anomalies", "nobody", cwd=practice), 2, "No client 'nobody'")
    bad = run_beanfirm("anomalies", "--bogus", cwd=practice)
    assert bad.code == 2
    assert "No such option '--bogus'" in bad.err


def test_no_anomaly_exits_0_and_json_is_utf8(books: tuple[Path, int, int]) -> None:
    practice, _rent, _cash = books
    none = run_beanfirm("anomalies", "huamei", "--kind", "new-payee", cwd=practice)
    assert (none.code, none.out, none.err) == (0, "huamei: 0 anomalies\n", "")
    shown = run_beanfirm("anomalies", "--json", "--kind", "day-off", cwd=practice)
    assert shown.code == 1
    assert '"payee": "恒基物业"' in shown.out


ALIPAY = "Assets:1012-其他货币资金:支付宝"


def _paid(day: str, account: str, amount: str) -> str:
    return f'{day} * "统一企业" "进货"\n  Expenses:5401-主营业务成本  {amount} CNY\n  {account}  -{amount} CNY\n'


def test_a_dismissed_gap_that_grows_is_listed_again_and_may_be_dismissed_again(
    practice_with_client: Path,
) -> None:
    """A gap dismissed at 16 days hid the same gap at 111 days, `status` not counting it."""
    practice = practice_with_client
    add = ("accounts", "add", "huamei", ALIPAY, "--importer", "alipay", "--kind", "payment")
    result = run_beanfirm(*add, cwd=practice, env=STAFF_ENV)
    assert result.code == 0, result.err
    for day in range(1, 12):
        append_entry(practice, HUAMEI_JANUARY, _paid(f"2025-01-{day:02}", ALIPAY, "100.00"))
    for day in range(1, 31, 2):
        append_entry(practice, HUAMEI_JANUARY, _paid(f"2025-01-{day:02}", BANK, "200.00"))
    commit_all(practice, "January")
    [gap] = [a for a in _found(practice, "huamei") if a["kind"] == "import-gap"]
    assert (gap["account"], gap["evidence"]) == (
        ALIPAY,
        {"from": "2025-01-11", "to": "2025-01-29", "days": 18, "usual_days": "1"},
    )
    dismiss = ("anomalies", "dismiss", "huamei", str(gap["id"]), "--on", "2025-02-01")
    result = run_beanfirm(*dismiss, "--reason", "export next week", cwd=practice, env=STAFF_ENV)
    assert result.code == 0, result.err
    assert [a for a in _found(practice, "huamei") if a["account"] == ALIPAY] == []
    march = practice / "ledgers/huamei/journal/2025/03.beancount"
    march.parent.mkdir(parents=True, exist_ok=True)
    march.write_text(_paid("2025-03-01", BANK, "850.00"), encoding="utf-8")
    commit_all(practice, "March")
    [grown] = [a for a in _found(practice, "huamei") if a["account"] == ALIPAY]
    assert grown["id"] == gap["id"]
    assert "It was dismissed when it was 18 days" in str(grown["finding"])
    assert "(by ana on 2025-02-01: export next week); it has grown since." in str(grown["finding"])
    [row] = json.loads(run_beanfirm("status", "--json", cwd=practice).out)
    assert row["anomalies"] == len(_found(practice, "huamei"))  # the grown gap among them
    before = snapshot(practice)
    again = (*dismiss[:4], "--on", "2025-03-02", "--reason", "the account was closed")
    result = run_beanfirm(*again, "-n", cwd=practice, env=STAFF_ENV)
    assert result.code == 0, result.err
    assert snapshot(practice) == before
    result = run_beanfirm(*again, cwd=practice, env=STAFF_ENV)
    assert result.code == 0, result.err
    assert (
        (practice / DISMISSALS)
        .read_text(encoding="utf-8")
        .endswith(
            '  reason: "the account was closed"\n  by: "ana"\n  on: 2025-03-02\n  to: 2025-03-01\n'
        )
    )
    assert [a for a in _found(practice, "huamei") if a["account"] == ALIPAY] == []
    assert_user_error(run_beanfirm(*again, cwd=practice, env=STAFF_ENV), 2, "dismissed already")
