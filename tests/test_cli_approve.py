"""`beanfirm approve` end to end, and the attacks on it: each refused with nothing written."""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_support import BALANCED_ZH, HUAMEI_JANUARY, UNBALANCED_ZH, assert_user_error, snapshot
from conftest import git, run_beanfirm
from review_support import commit_as, make_reviewed, tags, wang_commits_then_changes_email


@pytest.fixture
def reviewed(practice_with_client: Path) -> Path:
    """A practice whose client huamei waits for review (see `make_reviewed`)."""
    return make_reviewed(practice_with_client)


def test_a_reviewer_approves_and_again_is_nothing_new(reviewed: Path) -> None:
    result = run_beanfirm("approve", "huamei", "--as", "wang", cwd=reviewed)
    assert result.code == 0, result.err
    head = git(reviewed, "rev-parse", "HEAD").strip()
    assert f"Approved huamei up to {head[:8]}" in result.out
    assert tags(reviewed) == ["beanfirm/approved/huamei/0001"]
    body = git(reviewed, "tag", "-l", "--format=%(contents)", "beanfirm/approved/huamei/0001")
    assert "approver: wang" in body
    assert f"commit: {head}" in body
    assert "previous: none" in body
    tagger = git(reviewed, "tag", "-l", "--format=%(taggeremail)", "beanfirm/approved/*")
    assert tagger.strip() == "<wang@firm.example>"

    again = run_beanfirm("approve", "huamei", "--as", "wang", cwd=reviewed)
    assert again.code == 0, again.err
    assert "already approved" in again.out
    assert tags(reviewed) == ["beanfirm/approved/huamei/0001"]


def test_the_group_option_names_the_approver_too(reviewed: Path) -> None:
    result = run_beanfirm("--as", "wang", "approve", "huamei", "--json", cwd=reviewed)
    assert result.code == 0, result.err
    assert '"result": "approved"' in result.out


@pytest.mark.parametrize(
    ("staff", "code", "needles"),
    [
        ("ana", 1, ("ana wrote", "two-person rule", "Nothing was written")),
        ("bo", 1, ("bo is a preparer", "only a reviewer or a partner")),
        ("nobody", 2, ("No staff member 'nobody'",)),
    ],
)
def test_who_may_not_approve_is_refused(
    reviewed: Path, staff: str, code: int, needles: tuple[str, ...]
) -> None:
    before = snapshot(reviewed)
    result = run_beanfirm("approve", "huamei", "--as", staff, cwd=reviewed)
    assert_user_error(result, code, *needles)
    assert tags(reviewed) == []
    assert snapshot(reviewed) == before


@pytest.mark.parametrize("how", ["amend", "author"])
def test_a_commit_changed_by_hand_counts_as_the_committers_too(reviewed: Path, how: str) -> None:
    # wang amended bo's commit (git keeps bo as its author), or committed naming bo as author,
    # and approved it: the content he added was never seen by a second person.
    path = reviewed / HUAMEI_JANUARY
    path.write_text(path.read_text(encoding="utf-8") + "\n" + BALANCED_ZH, encoding="utf-8")
    wang = ("-c", "user.name=Wang", "-c", "user.email=wang@firm.example")
    if how == "amend":
        git(reviewed, *wang, "commit", "-qa", "--amend", "--no-edit")
    else:
        git(reviewed, *wang, "commit", "-qam", "Fare", "--author=Bo <bo@firm.example>")
    assert git(reviewed, "log", "-1", "--format=%ae").strip() == "bo@firm.example"
    before = snapshot(reviewed)
    result = run_beanfirm("approve", "huamei", "--as", "wang", cwd=reviewed)
    assert_user_error(result, 1, "wang wrote 1 of the", "two-person rule")
    assert tags(reviewed) == []
    assert snapshot(reviewed) == before


def test_a_client_with_errors_is_not_approved(reviewed: Path) -> None:
    commit_as(reviewed, "bo@firm.example", HUAMEI_JANUARY, UNBALANCED_ZH, "Broken taxi")
    before = snapshot(reviewed)
    result = run_beanfirm("approve", "huamei", "--as", "wang", cwd=reviewed)
    assert_user_error(result, 1, "does not check clean", "Nothing was written", "01.beancount")
    assert tags(reviewed) == []
    assert snapshot(reviewed) == before


def test_a_git_ignored_ledger_file_does_not_make_the_commit_check_clean(reviewed: Path) -> None:
    # bo's commit posts to an account never opened; a file git ignores opens it on this disk
    # only: the committed books have the error, so the commit is not approved.
    fee = BALANCED_ZH.replace("差旅费", "快递费")
    commit_as(reviewed, "bo@firm.example", HUAMEI_JANUARY, fee, "Courier")
    (reviewed / ".git" / "info" / "exclude").write_text("extra*.beancount\n", encoding="utf-8")
    extra = reviewed / "ledgers" / "huamei" / "journal" / "2025" / "extra.beancount"
    extra.write_text("2025-01-01 open Expenses:5601-销售费用:快递费\n", encoding="utf-8")
    assert run_beanfirm("check", "huamei", cwd=reviewed).code == 0  # the disk checks clean
    before = snapshot(reviewed)
    result = run_beanfirm("approve", "huamei", "--as", "wang", cwd=reviewed)
    assert_user_error(result, 1, "does not check clean", "unknown account", "快递费")
    assert tags(reviewed) == []
    assert snapshot(reviewed) == before


def test_an_older_revision_is_checked_as_it_was(reviewed: Path) -> None:
    good = git(reviewed, "rev-parse", "HEAD").strip()
    commit_as(reviewed, "bo@firm.example", HUAMEI_JANUARY, UNBALANCED_ZH, "Broken taxi")
    result = run_beanfirm("approve", "huamei", "--rev", good, "--as", "wang", cwd=reviewed)
    assert result.code == 0, result.err
    assert git(reviewed, "rev-list", "-n1", "beanfirm/approved/huamei/0001").strip() == good
    # The broken commit after it is still refused.
    refused = run_beanfirm("approve", "huamei", "--as", "wang", cwd=reviewed)
    assert_user_error(refused, 1, "does not check clean")


def test_a_revision_off_the_approved_history_is_refused(reviewed: Path) -> None:
    base = git(reviewed, "rev-parse", "HEAD~1").strip()
    assert run_beanfirm("approve", "huamei", "--as", "wang", cwd=reviewed).code == 0
    # the branch checked out leaves the approved commit behind (a rebase, a reset)
    git(reviewed, "checkout", "-q", "-b", "side", base)
    commit_as(reviewed, "bo@firm.example", HUAMEI_JANUARY, BALANCED_ZH, "Side taxi")
    result = run_beanfirm("approve", "huamei", "--as", "wang", cwd=reviewed)
    assert_user_error(result, 1, "does not descend from")
    assert tags(reviewed) == ["beanfirm/approved/huamei/0001"]


def test_a_dry_run_checks_and_writes_nothing(reviewed: Path) -> None:
    result = run_beanfirm("approve", "huamei", "--as", "wang", "-n", cwd=reviewed)
    assert result.code == 0, result.err
    assert "Would approve huamei" in result.out
    assert tags(reviewed) == []
    refused = run_beanfirm("approve", "huamei", "--as", "ana", "-n", cwd=reviewed)
    assert_user_error(refused, 1, "two-person rule")


def test_all_approves_what_waits_and_names_what_it_refuses(reviewed: Path) -> None:
    result = run_beanfirm("approve", "--all", "--as", "wang", cwd=reviewed)
    assert result.code == 0, result.err
    assert tags(reviewed) == ["beanfirm/approved/huamei/0001"]
    nothing = run_beanfirm("approve", "--all", "--as", "wang", cwd=reviewed)
    assert nothing.code == 0, nothing.err
    assert "nothing to do" in nothing.out
    commit_as(reviewed, "wang@firm.example", HUAMEI_JANUARY, BALANCED_ZH, "Wang's own taxi")
    own = run_beanfirm("approve", "--all", "--as", "wang", cwd=reviewed)
    assert own.code == 1
    assert "Refused huamei" in own.err
    assert tags(reviewed) == ["beanfirm/approved/huamei/0001"]


def test_a_client_and_all_together_is_a_usage_error(reviewed: Path) -> None:
    result = run_beanfirm("approve", "huamei", "--all", "--as", "wang", cwd=reviewed)
    assert_user_error(result, 2, "--all")


def _merge_side_as_wang(practice: Path, *, extra: str | None) -> str:
    """Merge a side branch of bo's (with --no-ff) as wang, adding `extra` in the merge."""
    main = git(practice, "branch", "--show-current").strip()
    git(practice, "checkout", "-q", "-b", "side")
    commit_as(practice, "bo@firm.example", HUAMEI_JANUARY, BALANCED_ZH, "Side taxi")
    git(practice, "checkout", "-q", main)
    (practice / "notes.txt").write_text("unrelated\n", encoding="utf-8")
    git(practice, "add", "notes.txt")
    git(practice, "commit", "-qm", "Unrelated")
    wang = ("-c", "user.name=Wang", "-c", "user.email=wang@firm.example")
    git(practice, *wang, "merge", "-q", "--no-ff", "--no-commit", "side")
    if extra is not None:
        path = practice / HUAMEI_JANUARY
        path.write_text(path.read_text(encoding="utf-8") + "\n" + extra, encoding="utf-8")
        git(practice, "add", HUAMEI_JANUARY)
    git(practice, *wang, "commit", "-qm", "Merge side")
    return git(practice, "rev-parse", "HEAD").strip()


def test_an_entry_added_in_a_merge_is_the_mergers_own(reviewed: Path) -> None:
    merge = _merge_side_as_wang(reviewed, extra=BALANCED_ZH.replace("01-06", "01-07"))
    queue = run_beanfirm("review", "--json", cwd=reviewed)
    assert queue.code == 0, queue.err
    assert "wang" in queue.out
    trail = run_beanfirm("audit", "huamei", "--csv", cwd=reviewed)
    assert merge in trail.out
    assert_refused(reviewed, ["--as", "wang"], "wang wrote 1 of the", "Merge side", "two-person")


def assert_refused(practice: Path, args: list[str], *needles: str) -> None:
    """Approve huamei with `args`: refused (exit 1) saying `needles`, and nothing written."""
    before, tagged = snapshot(practice), tags(practice)
    assert_user_error(run_beanfirm("approve", "huamei", *args, cwd=practice), 1, *needles)
    assert (snapshot(practice), tags(practice)) == (before, tagged)


def test_a_merge_that_only_merges_is_not_the_mergers(reviewed: Path) -> None:
    merge = _merge_side_as_wang(reviewed, extra=None)
    result = run_beanfirm("approve", "huamei", "--as", "wang", cwd=reviewed)
    assert result.code == 0, result.err
    assert "(4 commits)" in result.out
    assert merge not in run_beanfirm("audit", "huamei", "--csv", cwd=reviewed).out


def test_a_commit_stays_its_writers_after_their_email_changes(reviewed: Path) -> None:
    wang_commits_then_changes_email(reviewed)
    assert_refused(reviewed, ["--as", "wang"], "wang wrote 1 of the", "Wang's own taxi")
    trail = run_beanfirm("audit", "huamei", "--csv", cwd=reviewed)
    assert ",huamei,wang,commit,Wang's own taxi" in trail.out


def test_a_revision_off_the_current_branch_is_refused(reviewed: Path) -> None:
    git(reviewed, "checkout", "-q", "-b", "side")
    side = commit_as(reviewed, "bo@firm.example", HUAMEI_JANUARY, BALANCED_ZH, "Side taxi")
    git(reviewed, "checkout", "-q", "-")
    assert_refused(
        reviewed, ["--rev", "side", "--as", "wang"], f"side ({side[:8]}) is not in the history"
    )
