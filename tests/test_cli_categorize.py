"""`beanfirm categorize`: rules, suggestions and a person's choices on entries already booked."""

from __future__ import annotations

import json
import os
import re
import select
import signal
import subprocess
import time
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest
from beancount import loader
from beancount.core import realization
from cli_support import assert_user_error, commit_all, snapshot
from conftest import BEANFIRM, STAFF_ENV, git, run_beanfirm

from beanfirm.core.journal import aligned
from beanfirm.core.textmatch import PAYEE, RowText
from beanfirm.errors import UsageError
from beanfirm.jobs.categorizing import Choices, rules_text, run_categorize, survey
from beanfirm.rules.rulesfile import parse_rules
from beanfirm.rules.waiting import booked_by_person
from beanfirm.store.gitrepo import Author, PracticeRepo
from beanfirm.store.practice import Practice, open_practice
from beanfirm.store.registry import Client

ICBC = "Assets:1002-银行存款:工商银行"
OCTOBER = "ledgers/huamei/journal/2025/10.beancount"
RULES = "ledgers/huamei/rules.yaml"
PHONE = "Expenses:5602-管理费用:通讯费"
COST = "Expenses:5401-主营业务成本"
AUTHOR = Author("Ana Partner", "ana@firm.example")

CLIENT_RULES = """\
rules:
  - name: 电话费
    when:
      payee: 中国移动
      direction: out
    account: Expenses:5602-管理费用:通讯费
  - name: 拼多多 逐笔判断
    when:
      text: 拼多多
    account: Expenses:Uncategorized
"""

# Three past payments to 统一企业 teach history; four rows wait on Uncategorized.
MONTH = """\
; 2025-10: entries of this month, in date order.

2025-10-02 * "统一企业" "进货"
  Expenses:5401-主营业务成本                                       500.00 CNY
  Assets:1002-银行存款:工商银行                                  -500.00 CNY

2025-10-03 * "统一企业" "进货"
  Expenses:5401-主营业务成本                                       600.00 CNY
  Assets:1002-银行存款:工商银行                                  -600.00 CNY

2025-10-04 * "统一企业" "进货"
  Expenses:5401-主营业务成本                                       700.00 CNY
  Assets:1002-银行存款:工商银行                                  -700.00 CNY

2025-10-10 ! "中国移动" "话费充值 [/red]"
  import-id: "A-1"
  Expenses:Uncategorized                                          100.00 CNY
  Assets:1002-银行存款:工商银行                                  -100.00 CNY

2025-10-11 ! "统一企业" "进货 饮料"
  Expenses:Uncategorized                                         1280.00 CNY
  Assets:1002-银行存款:工商银行                                 -1280.00 CNY

2025-10-12 ! "拼多多" "商品"
  Expenses:Uncategorized                                           86.00 CNY
  Assets:1002-银行存款:工商银行                                   -86.00 CNY

2025-10-13 ! "中国石化" "加油"
  Expenses:Uncategorized                                          300.00 CNY
  Assets:1002-银行存款:工商银行                                  -300.00 CNY
"""


@pytest.fixture
def client(practice_with_client: Path) -> Path:
    """The test client with the month above and the client's rules, committed."""
    practice = practice_with_client
    month = practice / OCTOBER
    month.parent.mkdir(parents=True, exist_ok=True)
    month.write_text(MONTH, encoding="utf-8")
    (practice / RULES).write_text(CLIENT_RULES, encoding="utf-8")
    main = practice / "ledgers/huamei/main.beancount"
    text = main.read_text(encoding="utf-8")
    if "journal/2025/10.beancount" not in text and 'include "journal/*/*.beancount"' not in text:
        main.write_text(text + 'include "journal/2025/10.beancount"\n', encoding="utf-8")
    commit_all(practice, "October")
    return practice


def _balances(practice: Path) -> dict[str, Decimal]:
    """Each account's balance in CNY, as Beancount's own realization gives it."""
    entries, errors, _options = loader.load_file(str(practice / "ledgers/huamei/main.beancount"))
    assert not errors, errors
    real = realization.realize(entries)  # type: ignore[no-untyped-call]
    return {
        account.account: account.balance.get_currency_units("CNY").number
        for account in realization.iter_children(real)  # type: ignore[no-untyped-call]
        if not account.balance.is_empty()
    }


def _changed_lines(practice: Path) -> tuple[list[str], list[str]]:
    """Return the lines the last commit took out of and put into the month file."""
    diff = git(practice, "show", "--no-textconv", "-U0", "--format=", "HEAD", "--", OCTOBER)
    removed = [line[1:] for line in diff.splitlines() if re.match(r"^-(?!--)", line)]
    added = [line[1:] for line in diff.splitlines() if re.match(r"^\+(?!\+\+)", line)]
    return removed, added


def test_rules_and_suggestions_book_in_one_commit_changing_only_their_lines(client: Path) -> None:
    before = _balances(client)
    commits = git(client, "rev-list", "--count", "HEAD")
    result = run_beanfirm("categorize", "huamei", cwd=client, env=STAFF_ENV)
    assert result.code == 0, result.err
    assert int(git(client, "rev-list", "--count", "HEAD")) == int(commits) + 1
    assert git(client, "show", "--name-only", "--format=", "HEAD").split() == [OCTOBER]
    removed, added = _changed_lines(client)
    assert removed == [
        '2025-10-10 ! "中国移动" "话费充值 [/red]"',
        "  Expenses:Uncategorized                                          100.00 CNY",
        "  Expenses:Uncategorized                                         1280.00 CNY",
    ]
    assert added == [
        '2025-10-10 * "中国移动" "话费充值 [/red]"',
        '  categorized-by: "ledgers/huamei/rules.yaml:2"',
        aligned(f"  {PHONE}", "100.00", "CNY"),
        f'  suggested-account: "{COST}"',
        "  suggestion-confidence: 1.00",
        aligned(f"  {COST}", "1280.00", "CNY"),
    ]
    # The suggestion keeps its `!`: its header line is not in the diff at all.
    after = _balances(client)
    assert after["Expenses:Uncategorized"] == before["Expenses:Uncategorized"] - Decimal("1380.00")
    assert after[PHONE] == before.get(PHONE, Decimal(0)) + Decimal("100.00")
    assert after[COST] == before[COST] + Decimal("1280.00")
    assert after[ICBC] == before[ICBC]
    # The table prints data as data, and names what is left and why.
    assert "[/red]" in result.out
    assert "2 by a rule" not in result.out
    assert "1 by a rule, 1 by a suggestion" in result.out
    assert "2 left" in result.out
    assert "keeps it uncategorized" in result.out
    assert 'no past entries of "中国石化"' in result.out
    message = git(client, "log", "-1", "--format=%an%n%B")
    assert message.startswith("Ana Partner\nCategorize 2 entries of huamei")


def test_dry_run_checks_and_writes_nothing(client: Path) -> None:
    before = snapshot(client)
    result = run_beanfirm("categorize", "huamei", "-n", cwd=client, env=STAFF_ENV)
    assert result.code == 0, result.err
    assert "Dry run: would categorize 2 entries of huamei" in result.out
    assert snapshot(client) == before


def test_since_leaves_earlier_entries(client: Path) -> None:
    result = run_beanfirm(
        "categorize", "huamei", "--since", "2025-10-11", cwd=client, env=STAFF_ENV
    )
    assert result.code == 0, result.err
    removed, _added = _changed_lines(client)
    assert '2025-10-10 ! "中国移动" "话费充值 [/red]"' not in removed
    assert "Categorized 1 entry" in result.out


def test_a_locked_period_is_left_as_it_is_with_a_word(client: Path) -> None:
    locks = client / "ledgers/huamei/locks.beancount"
    text = locks.read_text(encoding="utf-8") if locks.exists() else ""
    lock = f'2025-10-10 custom "beanfirm-lock" "sha256:{"0" * 64}"\n  by: "ana"\n'
    locks.write_text(text + lock, encoding="utf-8")
    main = client / "ledgers/huamei/main.beancount"
    if 'include "locks.beancount"' not in main.read_text(encoding="utf-8"):
        main.write_text(
            main.read_text(encoding="utf-8") + 'include "locks.beancount"\n', encoding="utf-8"
        )
    commit_all(client, "Lock through 2025-10-10")
    result = run_beanfirm("categorize", "huamei", cwd=client, env=STAFF_ENV)
    assert result.code == 0, result.err
    assert "1 uncategorized entry dated in the period locked through 2025-10-10" in result.out
    removed, _added = _changed_lines(client)
    assert not any("中国移动" in line for line in removed)


def test_nothing_to_book_makes_no_commit(client: Path) -> None:
    assert run_beanfirm("categorize", "huamei", cwd=client, env=STAFF_ENV).code == 0
    head = git(client, "rev-parse", "HEAD")
    result = run_beanfirm("categorize", "huamei", cwd=client, env=STAFF_ENV)
    assert result.code == 0, result.err
    assert "Nothing to categorize in huamei" in result.out
    assert git(client, "rev-parse", "HEAD") == head


def test_a_rule_to_an_account_opened_after_a_row_passes_it_over_and_books_the_rest(
    client: Path,
) -> None:
    new_account = "Expenses:5602-管理费用:油费"
    (client / RULES).write_text(
        CLIENT_RULES
        + f"  - name: 油费\n    when: {{payee: 中国石化}}\n    account: {new_account}\n",
        encoding="utf-8",
    )
    chart = client / "ledgers/huamei/accounts.beancount"
    chart.write_text(
        chart.read_text(encoding="utf-8") + f"\n2025-12-01 open {new_account}\n", encoding="utf-8"
    )
    commit_all(client, "A rule to an account opened in December")
    result = run_beanfirm("categorize", "huamei", cwd=client, env=STAFF_ENV)
    assert result.code == 0, result.err
    assert "(1 by a rule, 1 by a suggestion, 0 by hand; 2 left)" in result.out
    assert f"{new_account} is opened only on 2025-12-01" in result.out
    assert "1 entry left passed over a rule whose account is not open on the entry's day" in (
        result.out
    )
    month = (client / OCTOBER).read_text(encoding="utf-8")
    assert "Expenses:5602-管理费用:通讯费" in month
    assert new_account not in month
    shown = run_beanfirm("categorize", "huamei", "--json", cwd=client, env=STAFF_ENV)
    found = json.loads(shown.out)
    assert found["summary"]["passed_over"] == 1
    (left,) = [item for item in found["left"] if item["payee"] == "中国石化"]
    assert left["passed_over"] == [f"{RULES}:11 ({new_account} is opened only on 2025-12-01)"]


def test_a_mistake_in_the_rules_stops_before_anything_is_written(client: Path) -> None:
    (client / RULES).write_text(
        "rules:\n  - when: {payee: 滴滴, direction: 支出}\n    account: Expenses:Travel\n",
        encoding="utf-8",
    )
    commit_all(client, "A bad rule")
    before = snapshot(client)
    result = run_beanfirm("categorize", "huamei", cwd=client, env=STAFF_ENV)
    assert_user_error(result, 2, f"{RULES}:2:", "it must be one of: in, out")
    assert snapshot(client) == before


def test_uncommitted_work_is_refused(client: Path) -> None:
    month = client / OCTOBER
    month.write_text(month.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    before = snapshot(client)
    result = run_beanfirm("categorize", "huamei", cwd=client, env=STAFF_ENV)
    assert_user_error(result, 2, OCTOBER)
    assert snapshot(client) == before


def test_unknown_client(client: Path) -> None:
    result = run_beanfirm("categorize", "nobody", cwd=client, env=STAFF_ENV)
    assert_user_error(result, 2, "nobody")


def _interactive(client: Path, answers: str) -> tuple[int, str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BEANFIRM_")}
    env.update(STAFF_ENV)
    proc = subprocess.run(
        [str(BEANFIRM), "categorize", "huamei", "-i"],
        cwd=client,
        env=env,
        input=answers,
        capture_output=True,
        text=True,
        check=False,
    )
    return proc.returncode, proc.stdout, proc.stderr


def test_interactive_choices_and_a_new_rule_go_into_one_commit(client: Path) -> None:
    # 拼多多: a fragment of the chart; 中国石化: a rule to 差旅费 made from the row.
    code, out, err = _interactive(client, "c\n办公\nr\n\n管理费用:差旅\n")
    assert code == 0, err
    assert git(client, "show", "--name-only", "--format=", "HEAD").split() == [OCTOBER, RULES]
    rules = (client / RULES).read_text(encoding="utf-8")
    assert rules == CLIENT_RULES + (
        "  - name: 中国石化\n    when:\n      payee: 中国石化\n      direction: out\n"
        "    account: Expenses:5602-管理费用:差旅费\n"
    )
    month = (client / OCTOBER).read_text(encoding="utf-8")
    assert '2025-10-12 * "拼多多" "商品"\n  Expenses:5602-管理费用:办公费 ' in month
    assert (
        '2025-10-13 * "中国石化" "加油"\n  categorized-by: "ledgers/huamei/rules.yaml:11"\n'
        in month
    )
    assert "Uncategorized" not in month
    assert "rule added at ledgers/huamei/rules.yaml:11" in out
    assert "4 entries" in out
    check = run_beanfirm("check", "huamei", "--json", cwd=client)
    assert '"ok": true' in check.out, check.out


def _add_waiting(client: Path, payee: str, narration: str, amount: str) -> None:
    """Add and commit one more row of 20 October waiting on Uncategorized."""
    month = client / OCTOBER
    month.write_text(
        month.read_text(encoding="utf-8")
        + f'\n2025-10-20 ! "{payee}" "{narration}"\n'
        + f"  Expenses:Uncategorized  {amount} CNY\n"
        + f"  {ICBC}  -{amount} CNY\n",
        encoding="utf-8",
    )
    commit_all(client, "One more")


def test_the_new_rule_books_the_rows_below_it_matches(client: Path) -> None:
    _add_waiting(client, "中国石化", "加油", "200.00")
    code, out, err = _interactive(client, "s\nr\n\n管理费用:差旅\n")
    assert code == 0, err
    assert "the new rule also books 1 more row(s)" in out
    assert (client / OCTOBER).read_text(encoding="utf-8").count(
        "Expenses:5602-管理费用:差旅费"
    ) == 2


def test_a_rule_made_from_a_payee_between_slashes_matches_that_payee_only(client: Path) -> None:
    _add_waiting(client, "/杂货/", "杂项", "55.00")
    code, out, err = _interactive(client, "s\ns\nr\n\n办公\n")
    assert code == 0, err
    assert "Rule: payee contains [/杂货/]" in out
    rules = (client / RULES).read_text(encoding="utf-8")
    assert rules.endswith(
        "  - name: /杂货/\n    when:\n      payee: /\\/杂货\\//\n      direction: out\n"
        "    account: Expenses:5602-管理费用:办公费\n"
    )
    parsed, problems = parse_rules(rules, RULES)
    assert problems == []
    payee = parsed.rules[-1].when.payee
    assert payee is not None
    assert payee.search(RowText("/杂货/", "", None), PAYEE)
    assert not payee.search(RowText("华联杂货店", "", None), PAYEE)


@pytest.mark.parametrize(
    ("answers", "said"),
    [
        ("c\n办公\n", "Aborted"),  # the end of input, as Ctrl-C: nothing saved
        ("c\n办公\nq\nn\n", "Nothing was saved."),
    ],
)
def test_leaving_without_saving_writes_nothing(client: Path, answers: str, said: str) -> None:
    before = snapshot(client)
    code, out, err = _interactive(client, answers)
    assert said in out + err
    assert code in (0, 1)
    assert snapshot(client) == before


def test_quitting_with_decisions_saves_them_when_asked(client: Path) -> None:
    code, out, err = _interactive(client, "c\n办公\nq\n\n")
    assert code == 0, err
    assert "Save the 3 booking(s) decided so far in one commit?" in out
    month = (client / OCTOBER).read_text(encoding="utf-8")
    assert '2025-10-12 * "拼多多" "商品"' in month
    assert '2025-10-13 ! "中国石化" "加油"' in month  # never reached: left as it was


def test_a_rule_an_earlier_rule_overrides_is_not_added(client: Path) -> None:
    code, out, err = _interactive(client, "r\n\n办公\ns\ns\n")
    assert code == 0, err
    assert "The rule would not book this row" in out
    assert (client / RULES).read_text(encoding="utf-8") == CLIENT_RULES


def test_choosing_an_account_lists_several_and_takes_a_number(client: Path) -> None:
    code, out, err = _interactive(client, "c\n管理费用\n1\ns\n")
    assert code == 0, err
    assert "accounts contain '管理费用':" in out
    assert "  1  Expenses:5602-管理费用:" in out


def test_ctrl_c_at_the_prompt_saves_nothing(client: Path) -> None:
    before = snapshot(client)
    env = {k: v for k, v in os.environ.items() if not k.startswith("BEANFIRM_")}
    env.update(STAFF_ENV)
    proc = subprocess.Popen(
        [str(BEANFIRM), "categorize", "huamei", "-i"],
        cwd=client,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdin is not None
    assert proc.stdout is not None
    proc.stdin.write("c\n办公\n".encode())  # one row decided, then Ctrl-C at the next prompt
    proc.stdin.flush()
    seen = b""
    deadline = time.monotonic() + 60
    while seen.count(b"q quit") < 2 and time.monotonic() < deadline:
        ready, _, _ = select.select([proc.stdout], [], [], 1)
        if ready:
            seen += os.read(proc.stdout.fileno(), 4096)
    assert seen.count(b"q quit") == 2, seen.decode()
    proc.send_signal(signal.SIGINT)
    _out, err = proc.communicate(timeout=60)
    assert proc.returncode != 0
    assert b"Traceback" not in err
    assert snapshot(client) == before


def test_json_lists_each_booking_and_each_row_left(client: Path) -> None:
    result = run_beanfirm("categorize", "huamei", "--json", cwd=client, env=STAFF_ENV)
    assert result.code == 0, result.err
    report = json.loads(result.out)
    assert report["summary"] == {
        "by_rule": 1,
        "by_suggestion": 1,
        "left": 2,
        "passed_over": 0,
        "locked": 0,
    }
    assert [(b["payee"], b["by"], b["flag"], b["account"]) for b in report["booked"]] == [
        ("中国移动", "rule", "*", PHONE),
        ("统一企业", "suggestion", "!", COST),
    ]
    assert report["booked"][0]["entry"] == f"{OCTOBER}:15"
    assert report["booked"][1]["amount"] == "1280.00"
    assert [row["payee"] for row in report["left"]] == ["拼多多", "中国石化"]
    assert report["commit"] == git(client, "rev-parse", "HEAD").strip()
    assert report["paths"] == [OCTOBER]
    assert "中国移动" in result.out  # UTF-8, not \\u escapes


def test_json_and_interactive_do_not_go_together(client: Path) -> None:
    result = run_beanfirm("categorize", "huamei", "-i", "--json", cwd=client, env=STAFF_ENV)
    assert_user_error(result, 2, "--json and -i")


def test_many_rows_are_shown_grouped(client: Path) -> None:
    month = client / OCTOBER
    rows = "".join(
        f'\n2025-10-{20 + i % 10:02d} ! "中国移动" "话费 {i}"\n'
        f"  Expenses:Uncategorized  {i + 1}.00 CNY\n  {ICBC}  -{i + 1}.00 CNY\n"
        for i in range(45)
    )
    month.write_text(month.read_text(encoding="utf-8") + rows, encoding="utf-8")
    commit_all(client, "Many")
    result = run_beanfirm("categorize", "huamei", cwd=client, env=STAFF_ENV)
    assert result.code == 0, result.err
    assert "huamei: 47 booked, by rule and account" in result.out
    assert re.search(r"ledgers/huamei/rules\.yaml:2 .*通讯费 .* 46 ", result.out), result.out
    assert "话费 44" not in result.out  # no row of its own


def _decided_then_changed(client: Path) -> tuple[Practice, Client, Choices]:
    """A person's choice for 拼多多, made on the ledger as the interactive mode read it."""
    practice = open_practice(client)
    huamei = practice.registry.client("huamei")
    found = survey(practice, huamei)
    [row] = [left for left in found.left if left.waiting.txn.payee == "拼多多"]
    booking = booked_by_person(row.waiting, "Expenses:5602-管理费用:办公费", "ana")
    return practice, huamei, Choices((booking,), rules_before=rules_text(practice, huamei))


def test_an_entry_changed_while_deciding_stops_the_write(client: Path) -> None:
    practice, huamei, choices = _decided_then_changed(client)
    month = client / OCTOBER
    month.write_text(
        month.read_text(encoding="utf-8").replace('"拼多多" "商品"', '"拼多多" "商品 A4纸"'),
        encoding="utf-8",
    )
    commit_all(client, "Someone else's edit")
    before = snapshot(client)
    with pytest.raises(UsageError, match="changed or was categorized while you were deciding"):
        run_categorize(practice, PracticeRepo(client), huamei, author=AUTHOR, choices=choices)
    assert snapshot(client) == before


def test_a_rules_file_changed_while_deciding_stops_the_write(client: Path) -> None:
    practice, huamei, choices = _decided_then_changed(client)
    made = replace(choices, rules_after=CLIENT_RULES + "  # a rule made here\n", rules_made=1)
    (client / RULES).write_text(CLIENT_RULES + "# someone else's note\n", encoding="utf-8")
    commit_all(client, "Someone else's edit")
    before = snapshot(client)
    with pytest.raises(UsageError, match="changed while you were categorizing"):
        run_categorize(practice, PracticeRepo(client), huamei, author=AUTHOR, choices=made)
    assert snapshot(client) == before


def test_enter_accepts_what_a_thin_history_hints_and_only_a_person_books_it(client: Path) -> None:
    month = client / OCTOBER
    past = "".join(
        f'\n2025-10-0{day} * "中国石化" "加油"\n'
        f"  Expenses:5602-管理费用:差旅费  {day}0.00 CNY\n  {ICBC}  -{day}0.00 CNY\n"
        for day in (5, 6)
    )
    month.write_text(month.read_text(encoding="utf-8") + past, encoding="utf-8")
    commit_all(client, "Two past fills")
    # Two past entries are below the threshold: the non-interactive pass leaves the row.
    dry = run_beanfirm("categorize", "huamei", "-n", "--json", cwd=client, env=STAFF_ENV)
    left = json.loads(dry.out)["left"]
    assert [(row["payee"], row["suggested_account"]) for row in left] == [
        ("拼多多", None),
        ("中国石化", "Expenses:5602-管理费用:差旅费"),
    ]
    code, out, err = _interactive(client, "s\n\n")
    assert code == 0, err
    assert 'confidence 1.00: 2 of 2 past "中国石化" entries went there' in out
    text = month.read_text(encoding="utf-8")
    assert '2025-10-13 * "中国石化" "加油"\n  Expenses:5602-管理费用:差旅费 ' in text
    assert '2025-10-12 ! "拼多多" "商品"\n  Expenses:Uncategorized ' in text
