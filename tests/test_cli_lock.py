"""`beanfirm lock` and `beanfirm reopen` end to end: who may, what they write, what check stops."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from cli_support import (
    add_staff,
    append_entry,
    assert_user_error,
    commit_all,
    snapshot,
)
from conftest import STAFF_ENV, git, run_beanfirm

from beanfirm.review.locks import lock_regressions
from beanfirm.store.approvals import latest_approval, write_approval
from beanfirm.store.gitrepo import PracticeRepo
from beanfirm.store.registry import Staff

CLIENT = (
    "clients", "add", "huamei", "--name", "华美便利店", "--industry", "retail",
    "--frequency", "high", "--region", "shanghai", "--size", "micro",
    "--preparer", "bo", "--reviewer", "cy", "--opened", "2025-01-01",
)  # fmt: skip
REVIEWER = Staff("cy", "Cy Reviewer", "cy@firm.example", "reviewer")
JANUARY = "ledgers/huamei/journal/2025/01.beancount"
LOCKS = "ledgers/huamei/locks.beancount"
MAIN = "ledgers/huamei/main.beancount"
TAXI = (
    '2025-01-06 * "出租车" "taxi to a customer"\n'
    "  Assets:1001-库存现金  -10.00 CNY\n"
    "  Expenses:5601-销售费用:差旅费  10.00 CNY\n"
)


def approve(folder: Path) -> None:
    """Approve huamei up to HEAD as cy, with the approval record's own writer."""
    repo = PracticeRepo(folder)
    latest = latest_approval(repo, "huamei")
    head = git(folder, "rev-parse", "HEAD").strip()
    previous = latest.commit if latest else None
    write_approval(repo, "huamei", REVIEWER, head, previous=previous, commits=1)


@pytest.fixture
def client_books(practice: Path) -> Path:
    """huamei with one January entry, approved; cy a reviewer."""
    add_staff(practice, "cy", "Cy Reviewer", "reviewer")
    result = run_beanfirm(*CLIENT, cwd=practice, env=STAFF_ENV)
    assert result.code == 0, result.err
    append_entry(practice, JANUARY, TAXI)
    commit_all(practice, "A taxi")
    approve(practice)
    return practice


def lock(folder: Path, *args: str) -> tuple[int, str, str]:
    result = run_beanfirm("lock", "huamei", *args, cwd=folder)
    return result.code, result.out, result.err


def test_a_reviewer_locks_in_one_commit_and_check_then_stops_an_edit(client_books: Path) -> None:
    folder = client_books
    code, out, err = lock(folder, "--through", "2025-01", "--as", "cy")
    assert code == 0, err
    assert "Locked huamei through 2025-01-31. Commit " in out
    assert git(folder, "log", "-1", "--format=%an|%s").strip() == (
        "Cy Reviewer|Lock huamei through 2025-01-31"
    )
    assert git(folder, "show", "--name-only", "--format=", "HEAD").split() == [LOCKS]
    locks = (folder / LOCKS).read_text(encoding="utf-8")
    assert '2025-01-31 custom "beanfirm-lock" "sha256:' in locks
    assert '  by: "cy"\n  months: "2025-01:' in locks
    assert run_beanfirm("check", cwd=folder).code == 0
    # an edit of the locked month: check names the lock and the month
    path = folder / JANUARY
    path.write_text(path.read_text(encoding="utf-8").replace("10.00", "12.00"), encoding="utf-8")
    result = run_beanfirm("check", "huamei", cwd=folder)
    assert result.code == 1
    assert (
        f"huamei: error: {LOCKS}:4: The books through 2025-01-31 are locked (by cy) but changed "
        "since: an entry of 2025-01 was edited." in result.out
    )
    # and, from git, which entry: the one now at its line, the one sealed at the lock's line
    line = 1 + path.read_text(encoding="utf-8").splitlines().index(TAXI.splitlines()[0])
    assert (
        f"huamei: error: {JANUARY}:{line}: this entry of 2025-01-06 is not as the lock through "
        "2025-01-31 (by cy, commit " in result.out
    )
    assert (
        f"huamei: error: {LOCKS}:4: the entry of 2025-01-06 that the lock sealed at "
        f"journal/2025/01.beancount:{line} (commit " in result.out
    )
    # and a write into the locked month is refused, nothing written
    git(folder, "checkout", "-q", "--", JANUARY)
    before = snapshot(folder)
    code, _out, err = lock(folder, "--through", "2025-01-31", "--as", "ana")
    assert code == 2
    assert "it is locked through 2025-01-31 already (by cy)" in err
    assert snapshot(folder) == before


def test_taking_out_a_lock_or_the_plugin_line_is_an_error_in_check(client_books: Path) -> None:
    folder = client_books
    assert lock(folder, "--through", "2025-01", "--as", "cy")[0] == 0
    locks = folder / LOCKS
    text = locks.read_text(encoding="utf-8")
    locks.write_text(text[: text.index("2025-01-31")], encoding="utf-8")
    result = run_beanfirm("check", "huamei", cwd=folder)
    assert result.code == 1
    assert (
        f"{LOCKS}:4: the lock through 2025-01-31 (by cy) was taken out or changed without a "
        "reopen by a partner." in result.out
    )
    locks.write_text(text, encoding="utf-8")
    main = folder / MAIN
    main_text = main.read_text(encoding="utf-8")
    main.write_text(main_text.replace('plugin "beanfirm.plugins.locked"\n', ""), encoding="utf-8")
    result = run_beanfirm("check", "huamei", cwd=folder)
    assert result.code == 1
    assert f'{MAIN}: the line `plugin "beanfirm.plugins.locked"` was taken out' in result.out
    main.write_text(main_text.replace('include "locks.beancount"\n', ""), encoding="utf-8")
    result = run_beanfirm("check", "huamei", cwd=folder)
    assert result.code == 1
    assert f'{MAIN}: the line `include "locks.beancount"` was taken out' in result.out
    # a reopen written by hand by a preparer lifts nothing
    main.write_text(main_text, encoding="utf-8")
    locks.write_text(
        text + '\n2025-03-01 custom "beanfirm-reopen" 2025-01-31 "typo"\n  by: "bo"\n',
        encoding="utf-8",
    )
    result = run_beanfirm("check", "huamei", cwd=folder)
    assert result.code == 1
    assert "a reopen by 'bo', who is not a partner in clients.yaml" in result.out


def test_only_a_partner_reopens_and_the_period_is_then_open(client_books: Path) -> None:
    folder = client_books
    assert lock(folder, "--through", "2025-01", "--as", "cy")[0] == 0
    before = snapshot(folder)
    for who in ("cy", "bo"):
        result = run_beanfirm(
            "reopen", "huamei", "--through", "2025-01", "--reason", "bank fix", "--as", who,
            cwd=folder,
        )  # fmt: skip
        assert_user_error(result, 2, f"Refusing to reopen huamei: {who} is a ", "only a partner")
        assert snapshot(folder) == before
    result = run_beanfirm(
        "reopen", "huamei", "--through", "2025-01-31", "--reason", "the bank corrected it",
        "--as", "ana", cwd=folder,
    )  # fmt: skip
    assert result.code == 0, result.err
    assert git(folder, "log", "-1", "--format=%an|%s").strip() == (
        "Ana Partner|Reopen huamei through 2025-01-31"
    )
    assert 'custom "beanfirm-reopen" 2025-01-31 "the bank corrected it"\n  by: "ana"\n' in (
        folder / LOCKS
    ).read_text(encoding="utf-8")
    path = folder / JANUARY
    path.write_text(path.read_text(encoding="utf-8").replace("10.00", "12.00"), encoding="utf-8")
    assert run_beanfirm("check", "huamei", cwd=folder).code == 0


def test_reopening_a_month_that_later_locks_seal_lifts_them_too(client_books: Path) -> None:
    # Reopening January alone said "Reopened" while February's lock still sealed January.
    folder = client_books
    assert lock(folder, "--through", "2025-01", "--as", "cy")[0] == 0
    february = folder / "ledgers/huamei/journal/2025/02.beancount"
    february.write_text(TAXI.replace("2025-01-06", "2025-02-06"), encoding="utf-8")
    commit_all(folder, "A February taxi")
    approve(folder)
    assert lock(folder, "--through", "2025-02", "--as", "cy")[0] == 0
    result = run_beanfirm(
        "reopen", "huamei", "--through", "2025-01", "--reason", "the bank corrected it",
        "--as", "ana", cwd=folder,
    )  # fmt: skip
    assert result.code == 0, result.err
    assert 'custom "beanfirm-reopen" 2025-02-28 "the bank corrected it"' in result.out
    assert 'custom "beanfirm-reopen" 2025-01-31 "the bank corrected it"' in result.out
    assert "(and the later lock through 2025-02-28, which seal it too)" in git(
        folder, "log", "-1", "--format=%b"
    )
    path = folder / JANUARY
    path.write_text(path.read_text(encoding="utf-8").replace("10.00", "12.00"), encoding="utf-8")
    assert run_beanfirm("check", "huamei", cwd=folder).code == 0


@pytest.mark.parametrize(
    ("args", "code", "says"),
    [
        (("--through", "2025-01", "--as", "bo"), 2, "bo is a preparer, and only a reviewer or"),
        (("--through", "2025-13", "--as", "cy"), 2, "--through '2025-13' is not a date"),
        (("--through", "2999-01-31", "--as", "cy"), 2, "that day is not over yet"),
        (("--through", "2015-01", "--as", "cy"), 2, "its books begin on 2025-01-01"),
        (("--through", "2024-12-31", "--as", "cy"), 2, "so the lock would seal nothing"),
        (("--through", "2025-01", "--as", "nobody"), 2, "nobody"),
    ],
)
def test_refusals_write_nothing(
    client_books: Path, args: tuple[str, ...], code: int, says: str
) -> None:
    before = snapshot(client_books)
    result = run_beanfirm("lock", "huamei", *args, cwd=client_books)
    assert_user_error(result, code, says)
    assert snapshot(client_books) == before


def test_today_is_not_over_and_is_not_locked(client_books: Path) -> None:
    # An entry may still be dated today: locked through today, the seal breaks with it.
    today = datetime.date.today()  # noqa: DTZ011 - the firm's calendar day, as lock's
    before = snapshot(client_books)
    result = run_beanfirm("lock", "huamei", "--through", str(today), "--as", "cy", cwd=client_books)
    assert_user_error(result, 2, "that day is not over yet", f"today is {today}")
    assert snapshot(client_books) == before


def test_a_commit_not_approved_or_a_ledger_error_refuses_the_lock(client_books: Path) -> None:
    folder = client_books
    append_entry(folder, JANUARY, TAXI.replace("2025-01-06", "2025-01-07"))
    commit_all(folder, "Another taxi")
    before = snapshot(folder)
    result = run_beanfirm("lock", "huamei", "--through", "2025-01", "--as", "cy", cwd=folder)
    assert_user_error(result, 2, "1 commit since its latest approval changed it")
    assert snapshot(folder) == before
    append_entry(folder, JANUARY, TAXI.replace("  10.00 CNY\n", "  11.00 CNY\n"))
    commit_all(folder, "An unbalanced taxi")
    approve(folder)
    before = snapshot(folder)
    result = run_beanfirm("lock", "huamei", "--through", "2025-01", "--as", "cy", cwd=folder)
    assert_user_error(result, 1, "its ledger has 1 error, and only books that check clean")
    assert snapshot(folder) == before


def test_a_git_ignored_ledger_file_refuses_the_lock_and_names_it(client_books: Path) -> None:
    # An entry of the period in a file git ignores: sealed with it, the lock would be broken
    # at HEAD and on every other clone.
    folder = client_books
    (folder / ".git" / "info" / "exclude").write_text("extra*.beancount\n", encoding="utf-8")
    extra = folder / "ledgers" / "huamei" / "journal" / "2025" / "extra.beancount"
    extra.write_text(TAXI.replace("2025-01-06", "2025-01-08"), encoding="utf-8")
    before = snapshot(folder)
    result = run_beanfirm("lock", "huamei", "--through", "2025-01", "--as", "cy", cwd=folder)
    assert_user_error(
        result, 2, "git ignores but the ledger reads", "journal/2025/extra.beancount", "clone"
    )
    assert snapshot(folder) == before
    extra.unlink()
    assert lock(folder, "--through", "2025-01", "--as", "cy")[0] == 0


def test_a_dry_run_checks_everything_and_writes_nothing(client_books: Path) -> None:
    before = snapshot(client_books)
    code, out, err = lock(client_books, "--through", "2025-01", "--as", "cy", "-n")
    assert code == 0, err
    assert "Dry run: nothing was written." in out
    assert snapshot(client_books) == before


def test_a_client_without_the_plugin_line_gets_it_with_its_first_lock(client_books: Path) -> None:
    folder = client_books
    main = folder / MAIN
    text = main.read_text(encoding="utf-8")
    old = text.replace('plugin "beanfirm.plugins.locked"\n', "").replace(
        'include "locks.beancount"\n', ""
    )
    main.write_text(old, encoding="utf-8")
    (folder / LOCKS).unlink()
    commit_all(folder, "A client from before locks")
    approve(folder)
    code, out, err = lock(folder, "--through", "2025-01", "--as", "ana")
    assert code == 0, err
    assert "and the `locked` plugin line and the include of locks.beancount" in out
    assert git(folder, "show", "--name-only", "--format=", "HEAD").split() == [LOCKS, MAIN]
    new = main.read_text(encoding="utf-8")
    assert new.index('plugin "beanfirm.plugins.locked"') < new.index('plugin "beanfirm.plugins.cat')
    assert new.endswith('include "locks.beancount"\n')
    assert run_beanfirm("check", "huamei", cwd=folder).code == 0


def test_a_write_into_a_locked_month_is_refused_and_one_after_it_is_not(practice: Path) -> None:
    add_staff(practice, "cy", "Cy Reviewer", "reviewer")
    bank = "Assets:1002-银行存款:工商银行,bank,icbc-debit,6222001"
    args = [*CLIENT, "--account", bank]
    args[args.index("--opened") + 1] = "2026-11-01"
    assert run_beanfirm(*args, cwd=practice, env=STAFF_ENV).code == 0
    main = practice / MAIN  # November's statement is not due yet on the day the test pins
    main.write_text(
        main.read_text(encoding="utf-8").replace(
            "{'lag-days': 15}", "{'lag-days': 15, 'today': '2026-12-01'}"
        ),
        encoding="utf-8",
    )
    commit_all(practice, "Checks as of 2026-12-01")
    approve(practice)
    assert lock(practice, "--through", "2026-11", "--as", "cy")[0] == 0
    before = snapshot(practice)
    reconcile = ("reconcile", "huamei", "--account", "工商银行", "--balance", "0")
    result = run_beanfirm("--as", "ana", *reconcile, "--date", "2026-11-15", cwd=practice)
    assert_user_error(
        result,
        2,
        "the books of huamei through 2026-11-30 are locked (by cy, since ",
        "its balance assertion would be dated 2026-11-16, in that period",
    )
    assert snapshot(practice) == before
    result = run_beanfirm("--as", "ana", *reconcile, "--date", "2026-12-02", cwd=practice)
    assert result.code == 0, result.err


def test_between_commits_a_reopen_must_be_committed_by_the_partner_it_names(
    client_books: Path,
) -> None:
    folder = client_books
    assert lock(folder, "--through", "2025-01", "--as", "cy")[0] == 0
    locked = git(folder, "rev-parse", "HEAD").strip()
    repo = PracticeRepo(folder)
    # a preparer writes a reopen in the partner's name, and commits it as themself
    locks = folder / LOCKS
    forged = '\n2025-03-01 custom "beanfirm-reopen" 2025-01-31 "typo"\n  by: "ana"\n'
    locks.write_text(locks.read_text(encoding="utf-8") + forged, encoding="utf-8")
    git(folder, "-c", "user.name=Bo", "-c", "user.email=bo@firm.example", "commit", "-qam", "x")
    ((problem,),) = [lock_regressions(repo, "huamei", locked, "HEAD")]
    assert problem.filename == LOCKS
    assert "a reopen that says it is by 'ana', but the commit that wrote it is not ana's" in (
        problem.message
    )
    assert "bo@firm.example" in problem.message
    assert "the lock through 2025-01-31" not in problem.message
    # the partner's own reopen passes
    git(folder, "reset", "-q", "--hard", locked)
    result = run_beanfirm(
        "reopen", "huamei", "--through", "2025-01", "--reason", "typo", "--as", "ana", cwd=folder
    )
    assert result.code == 0, result.err
    assert lock_regressions(repo, "huamei", locked, "HEAD") == []


def test_a_forged_reopen_committed_with_git_is_named_by_check_and_refused_by_approve(
    client_books: Path,
) -> None:
    folder = client_books
    assert lock(folder, "--through", "2025-01", "--as", "cy")[0] == 0
    approve(folder)
    # a preparer writes a reopen in the partner's name, edits January, commits it with git
    locks = folder / LOCKS
    forged = '\n2025-03-01 custom "beanfirm-reopen" 2025-01-31 "typo"\n  by: "ana"\n'
    locks.write_text(locks.read_text(encoding="utf-8") + forged, encoding="utf-8")
    path = folder / JANUARY
    path.write_text(path.read_text(encoding="utf-8").replace("10.00", "12.00"), encoding="utf-8")
    git(folder, "-c", "user.name=Bo", "-c", "user.email=bo@firm.example", "commit", "-qam", "x")
    checked = run_beanfirm("check", "huamei", cwd=folder)
    assert checked.code == 1
    assert "a reopen that says it is by 'ana', but the commit that wrote it is not ana's" in (
        checked.out
    )
    before, tags = snapshot(folder), git(folder, "tag", "--list", "beanfirm/*")
    result = run_beanfirm("approve", "huamei", "--as", "cy", cwd=folder)
    assert_user_error(result, 1, "not ana's", "Nothing was written")
    assert (snapshot(folder), git(folder, "tag", "--list", "beanfirm/*")) == (before, tags)


def test_approve_refuses_a_lock_taken_out_in_a_commit(client_books: Path) -> None:
    folder = client_books
    assert lock(folder, "--through", "2025-01", "--as", "cy")[0] == 0
    approve(folder)
    # a preparer deletes the lock and edits January, in one commit made with plain git
    (folder / LOCKS).write_text("", encoding="utf-8")
    path = folder / JANUARY
    path.write_text(path.read_text(encoding="utf-8").replace("10.00", "12.00"), encoding="utf-8")
    git(folder, "-c", "user.name=Bo", "-c", "user.email=bo@firm.example", "commit", "-qam", "x")
    assert run_beanfirm("check", "huamei", cwd=folder).code == 0  # nothing left to check
    before, tags = snapshot(folder), git(folder, "tag", "--list", "beanfirm/*")
    result = run_beanfirm("approve", "huamei", "--as", "cy", cwd=folder)
    assert_user_error(
        result, 1, "undo its locks", "the lock through 2025-01-31 (by cy) was taken out"
    )
    assert "Nothing was written" in result.err
    assert (snapshot(folder), git(folder, "tag", "--list", "beanfirm/*")) == (before, tags)
