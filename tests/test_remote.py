"""The shared remote: the pre-receive hook, `beanfirm sync`, through real pushes over file://."""

from __future__ import annotations

import datetime
import os
from pathlib import Path

import pytest
from cli_support import (
    HUAMEI_JANUARY,
    UNBALANCED_ZH,
    add_staff,
    assert_user_error,
    commit_all,
    new_practice,
)
from conftest import STAFF_ENV, git, run_beanfirm
from month_support import ADD_HUAMEI, BANK, FIRST, LAST, append_to_month
from remote_support import (
    STAFF,
    add_entry,
    clone,
    clone_state,
    entry,
    firm_remote,
    forged_approval,
    push,
    remote_ref,
    template_practice,
)

from beanfirm.store.approvals import write_approval
from beanfirm.store.gitrepo import PracticeRepo
from beanfirm.store.registry import Staff


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return template_practice(tmp_path_factory.mktemp("template") / "practice")


@pytest.fixture
def bare(template: Path, tmp_path: Path) -> Path:
    return firm_remote(template, tmp_path)


def test_the_hook_refuses_a_push_that_breaks_a_client(bare: Path, tmp_path: Path) -> None:
    bo = clone(bare, tmp_path / "bo", "bo")
    before = remote_ref(bare, "refs/heads/main")
    add_entry(bo, UNBALANCED_ZH, "An unbalanced fare")
    pushed = push(bo, "HEAD:main")
    assert pushed.returncode != 0
    said = pushed.stderr
    assert "remote: Error: Commit " in said
    assert "would break the ledger of client huamei, so the remote refused it" in said
    assert f"remote:   {HUAMEI_JANUARY}:" in said  # file:line of the unbalanced entry
    assert "Traceback" not in said
    assert remote_ref(bare, "refs/heads/main") == before


def test_the_hook_takes_a_push_that_checks_clean(bare: Path, tmp_path: Path) -> None:
    bo = clone(bare, tmp_path / "bo", "bo")
    commit = add_entry(bo, entry(6, "taxi to a customer", "10.00"), "A fare")
    pushed = push(bo, "HEAD:main")
    assert pushed.returncode == 0, pushed.stderr
    assert remote_ref(bare, "refs/heads/main") == commit


def test_the_hook_guards_approval_tags_and_approved_history(bare: Path, tmp_path: Path) -> None:
    cy = clone(bare, tmp_path / "cy", "cy")
    approved = git(cy, "rev-parse", "HEAD").strip()
    git(cy, "tag", "beanfirm/approved/huamei/0002")  # lightweight: not an approval record
    refused = push(cy, "refs/tags/beanfirm/approved/huamei/0002")
    assert refused.returncode != 0
    assert "as a lightweight tag" in refused.stderr
    git(cy, "tag", "-d", "beanfirm/approved/huamei/0002")
    done = run_beanfirm("approve", "huamei", "--as", "cy", cwd=cy)
    assert done.code == 0, done.err
    accepted = push(cy, "refs/tags/beanfirm/approved/huamei/0001")
    assert accepted.returncode == 0, accepted.stderr
    tag = remote_ref(bare, "refs/tags/beanfirm/approved/huamei/0001")
    # Deleting or moving the approval is refused.
    deleted = push(cy, ":refs/tags/beanfirm/approved/huamei/0001")
    assert deleted.returncode != 0
    assert "would delete the approval beanfirm/approved/huamei/0001" in deleted.stderr
    add_entry(cy, entry(6, "taxi", "10.00"), "A fare")
    git(cy, "tag", "-f", "-a", "-m", "Moved", "beanfirm/approved/huamei/0001")
    moved = push(cy, "--force", "refs/tags/beanfirm/approved/huamei/0001")
    assert "would move the approval" in moved.stderr
    assert remote_ref(bare, "refs/tags/beanfirm/approved/huamei/0001") == tag
    # A force-push that leaves the approved commit out of main is refused.
    assert push(cy, "HEAD:main").returncode == 0
    git(cy, "reset", "-q", "--hard", f"{approved}~1")
    rewritten = push(cy, "--force", "HEAD:main")
    assert rewritten.returncode != 0
    said = " ".join(rewritten.stderr.replace("remote:", "").split())
    assert "out of every branch, approved ones among them (approvals huamei/0001)" in said


def test_the_hook_refuses_a_force_push_that_loses_pushed_work(bare: Path, tmp_path: Path) -> None:
    # Unapproved but pushed: a colleague's commit was thrown away by a force push.
    bo = clone(bare, tmp_path / "bo", "bo")
    add_entry(bo, entry(6, "taxi", "10.00"), "A fare")
    assert push(bo, "HEAD:main").returncode == 0
    pushed = remote_ref(bare, "refs/heads/main")
    git(bo, "reset", "-q", "--hard", "HEAD~1")
    rewritten = push(bo, "--force", "HEAD:main")
    assert rewritten.returncode != 0
    said = " ".join(rewritten.stderr.replace("remote:", "").split())
    assert "would leave 1 commit(s) the remote has out of every branch" in said
    assert remote_ref(bare, "refs/heads/main") == pushed


def test_the_hook_refuses_an_approval_of_a_commit_no_branch_holds(
    bare: Path, tmp_path: Path
) -> None:
    # An approval of a commit a rebase replayed: standing, it stopped every later approval.
    bo = clone(bare, tmp_path / "bo", "bo")
    commit = add_entry(bo, entry(6, "taxi", "10.00"), "A fare")
    reviewer = Staff("cy", STAFF["cy"], "cy@firm.example", "reviewer")
    write_approval(PracticeRepo(bo), "huamei", reviewer, commit, previous=None, commits=1)
    git(bo, "reset", "-q", "--hard", "HEAD~1")  # the approved commit is on no branch now
    refused = push(bo, "HEAD:main", "refs/tags/beanfirm/approved/huamei/0001")
    assert refused.returncode != 0
    said = " ".join(refused.stderr.replace("remote:", "").split())
    assert "which no branch holds after the push" in said
    assert not remote_ref(bare, "refs/tags/beanfirm/approved/huamei/0001")


def test_the_hook_refuses_a_self_approval_and_a_forged_record(bare: Path, tmp_path: Path) -> None:
    ana = clone(bare, tmp_path / "ana", "ana")
    # ana added huamei (its commits are hers): she may not approve them, even by hand.
    name = forged_approval(ana, "huamei", "ana")
    refused = push(ana, f"refs/tags/{name}")
    assert refused.returncode != 0
    said = " ".join(refused.stderr.replace("remote:", "").split())
    assert "The push creates the approval beanfirm/approved/huamei/0001 of huamei by ana" in said
    assert "ana approved commits they wrote themselves" in said
    # bo is a preparer: his approval breaks the roles; a record with a wrong tree is forged.
    git(ana, "tag", "-d", name)
    name = forged_approval(ana, "huamei", "bo")
    refused = push(ana, f"refs/tags/{name}")
    assert refused.returncode != 0
    assert "huamei by bo, which breaks the approval rules" in refused.stderr
    git(ana, "tag", "-d", name)
    git(ana, "tag", "-a", "-m", "Approve huamei", name)  # not a record at all
    refused = push(ana, f"refs/tags/{name}")
    assert "which is not a valid approval record" in refused.stderr
    assert not remote_ref(bare, f"refs/tags/{name}")


def test_install_hooks_refuses_what_is_not_a_bare_repository(tmp_path: Path, bare: Path) -> None:
    result = run_beanfirm("remote", "install-hooks", str(tmp_path), cwd=tmp_path)
    assert_user_error(result, 2, "is not a bare git repository")
    hook = bare / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\nexec /usr/local/bin/gitea-hook\n", encoding="utf-8")
    result = run_beanfirm("remote", "install-hooks", str(bare), cwd=tmp_path)
    assert_user_error(result, 2, "is a hook beanfirm did not write; nothing was changed")
    assert hook.read_text(encoding="utf-8").endswith("gitea-hook\n")
    # Gitea's layout: its own pre-receive runs the scripts in pre-receive.d/; ours goes there.
    (bare / "hooks" / "pre-receive.d").mkdir()
    result = run_beanfirm("remote", "install-hooks", str(bare), cwd=tmp_path)
    assert result.code == 0, result.err
    ours = bare / "hooks" / "pre-receive.d" / "beanfirm"
    assert ours.read_text(encoding="utf-8").endswith(" -m beanfirm.jobs.prereceive\n")
    assert os.access(ours, os.X_OK)


def test_sync_merges_two_imports_into_one_month(bare: Path, tmp_path: Path) -> None:
    ana, bo = clone(bare, tmp_path / "ana", "ana"), clone(bare, tmp_path / "bo", "bo")
    add_entry(ana, entry(9, "ana's row", "21.00", "icbc-9"), "Ana imports")
    add_entry(bo, entry(7, "bo's row", "17.00", "icbc-7"), "Bo imports")
    add_entry(bo, entry(9, "ana's row", "21.00", "icbc-9"), "Bo imports the same row")
    first = run_beanfirm("sync", cwd=ana)
    assert first.code == 0, first.err
    assert "pushed 1" in first.out
    second = run_beanfirm("sync", cwd=bo)
    assert second.code == 0, second.err
    # Bo's import of the row Ana had imported became empty on the rebase: git drops it.
    assert "took 1 commit(s), pushed 1; clients checked: huamei" in second.out
    assert remote_ref(bare, "refs/heads/main") == git(bo, "rev-parse", "HEAD").strip()
    text = git(bare, "show", f"main:{HUAMEI_JANUARY}")
    assert "<<<<<<<" not in text
    assert text.count('import-id: "icbc-9"') == 1
    assert text.count('import-id: "icbc-7"') == 1
    assert text.index("icbc-7") < text.index("icbc-9")  # in date order
    assert run_beanfirm("sync", cwd=ana).code == 0
    assert git(ana, "rev-parse", "HEAD") == git(bo, "rev-parse", "HEAD")


def test_sync_leaves_out_an_approval_of_commits_it_replayed(bare: Path, tmp_path: Path) -> None:
    # Pushed, the approval named commits no branch held, and every later approval was refused.
    ana, bo = clone(bare, tmp_path / "ana", "ana"), clone(bare, tmp_path / "bo", "bo")
    commit = add_entry(bo, entry(7, "bo's row", "17.00", "icbc-7"), "Bo imports")
    reviewer = Staff("cy", STAFF["cy"], "cy@firm.example", "reviewer")
    write_approval(PracticeRepo(bo), "huamei", reviewer, commit, previous=None, commits=1)
    add_entry(ana, entry(9, "ana's row", "21.00", "icbc-9"), "Ana imports")
    assert run_beanfirm("sync", cwd=ana).code == 0
    dry = run_beanfirm("sync", "-n", cwd=bo)
    assert "sync would not push it" in dry.out
    assert git(bo, "tag", "-l", "beanfirm/approved/*").split() == ["beanfirm/approved/huamei/0001"]
    synced = run_beanfirm("sync", cwd=bo)
    assert synced.code == 0, synced.err
    said = " ".join(synced.out.split())
    assert (
        "The approval beanfirm/approved/huamei/0001 was of your commits that sync replayed "
        "onto the remote's newer work" in said
    )
    assert "sync did not push and removed it. Approve the client again" in said
    assert not remote_ref(bare, "refs/tags/beanfirm/approved/huamei/0001")
    assert git(bo, "tag", "-l", "beanfirm/approved/*").split() == []
    assert remote_ref(bare, "refs/heads/main") == git(bo, "rev-parse", "HEAD").strip()


def test_sync_stops_on_one_entry_edited_both_ways(bare: Path, tmp_path: Path) -> None:
    ana, bo = clone(bare, tmp_path / "ana", "ana"), clone(bare, tmp_path / "bo", "bo")
    row = entry(9, "fare", "21.00", "icbc-9")
    add_entry(ana, row, "Import")
    assert run_beanfirm("sync", cwd=ana).code == 0
    assert run_beanfirm("sync", cwd=bo).code == 0
    for folder, narration in ((ana, "fare to the bank"), (bo, "fare to a customer")):
        path = folder / HUAMEI_JANUARY
        path.write_text(path.read_text(encoding="utf-8").replace('"fare"', f'"{narration}"'))
        git(folder, "commit", "-qam", "Say what the fare was for")
    assert run_beanfirm("sync", cwd=ana).code == 0
    before = clone_state(bo)
    result = run_beanfirm("sync", cwd=bo)
    assert_user_error(
        result, 2, "do not replay onto origin/main", "icbc-9", "changed on both sides"
    )
    # in the words of the one who syncs: the rebase's "ours" is the remote's, and no markers
    said = " ".join(result.err.split())
    assert (
        'both sides: the remote\'s set the narration from "fare" to "fare to the bank"; yours '
        'set the narration from "fare" to "fare to a customer"'
    ) in said
    assert "between the markers" not in said
    assert "\r" not in result.err
    assert clone_state(bo) == before
    assert not (bo / ".git" / "rebase-merge").exists()


def test_sync_refuses_a_rebase_that_breaks_a_client(bare: Path, tmp_path: Path) -> None:
    ana, bo = clone(bare, tmp_path / "ana", "ana"), clone(bare, tmp_path / "bo", "bo")
    # Ana asserts the balance as she sees it; Bo's fare, alone fine, makes it wrong.
    balance = "2025-01-20 balance Assets:1002-银行存款:工商银行                       -30.00 CNY\n"
    add_entry(ana, entry(9, "fare", "30.00", "icbc-9") + "\n" + balance, "Import and balance")
    assert run_beanfirm("sync", cwd=ana).code == 0
    add_entry(bo, entry(8, "another fare", "12.00", "icbc-8"), "Bo's fare")
    before = clone_state(bo)
    remote_before = remote_ref(bare, "refs/heads/main")
    result = run_beanfirm("sync", cwd=bo)
    assert_user_error(result, 1, "would break the ledger of client huamei, so sync refused it")
    assert "Balance failed" in result.err or "balance" in result.err.lower()
    assert clone_state(bo) == before
    assert remote_ref(bare, "refs/heads/main") == remote_before


def test_sync_puts_the_branch_back_when_the_remote_refuses(bare: Path, tmp_path: Path) -> None:
    bo = clone(bare, tmp_path / "bo", "bo")
    add_entry(bo, entry(7, "fare", "17.00", "icbc-7"), "Bo imports")
    git(bo, "tag", "beanfirm/approved/huamei/0009")  # lightweight: refused by the hook
    before = clone_state(bo)
    remote_before = remote_ref(bare, "refs/heads/main")
    result = run_beanfirm("sync", cwd=bo)
    assert_user_error(result, 2, "origin refused the push", "as a lightweight tag")
    assert clone_state(bo) == before
    assert remote_ref(bare, "refs/heads/main") == remote_before  # atomic: not the branch either


def test_sync_dry_run_pushes_nothing(bare: Path, tmp_path: Path) -> None:
    bo = clone(bare, tmp_path / "bo", "bo")
    add_entry(bo, entry(7, "fare", "17.00", "icbc-7"), "Bo imports")
    before = clone_state(bo)
    remote_before = remote_ref(bare, "refs/heads/main")
    result = run_beanfirm("sync", "-n", cwd=bo)
    assert result.code == 0, result.err
    assert result.out.startswith("Dry run: would take 0 commit(s) from origin/main and push 1")
    assert clone_state(bo) == before
    assert remote_ref(bare, "refs/heads/main") == remote_before


def test_sync_refuses_uncommitted_changes(bare: Path, tmp_path: Path) -> None:
    bo = clone(bare, tmp_path / "bo", "bo")
    add_entry(bo, entry(7, "fare", "17.00", "icbc-7"), "Bo imports")
    (bo / HUAMEI_JANUARY).write_text("half an edit\n", encoding="utf-8")
    before = clone_state(bo)
    remote_before = remote_ref(bare, "refs/heads/main")
    result = run_beanfirm("sync", cwd=bo)
    assert_user_error(result, 2, "uncommitted changes", HUAMEI_JANUARY)
    assert clone_state(bo) == before
    assert remote_ref(bare, "refs/heads/main") == remote_before


def test_sync_without_a_remote_says_how_to_add_one(template: Path) -> None:
    result = run_beanfirm("sync", cwd=template)
    assert_user_error(result, 2, "has no remote 'origin'", "git remote add origin")


def test_the_hook_refuses_an_edit_to_a_locked_period(bare: Path, tmp_path: Path) -> None:
    cy = clone(bare, tmp_path / "cy", "cy")
    for args in (("approve", "huamei"), ("lock", "huamei", "--through", "2025-01")):
        done = run_beanfirm(*args, "--as", "cy", cwd=cy)
        assert done.code == 0, done.err
    synced = run_beanfirm("sync", cwd=cy)
    assert synced.code == 0, synced.err
    bo = clone(bare, tmp_path / "bo", "bo")
    before = remote_ref(bare, "refs/heads/main")
    add_entry(bo, entry(6, "a fare in the closed month", "10.00"), "Edit January")
    edited = push(bo, "HEAD:main")
    assert edited.returncode != 0
    assert "would break the ledger of client huamei, so the remote refused it" in edited.stderr
    assert "lock" in edited.stderr.lower()
    git(bo, "reset", "-q", "--hard", "HEAD~1")
    locks = bo / "ledgers" / "huamei" / "locks.beancount"
    text = locks.read_text(encoding="utf-8")
    assert "beanfirm-lock" in text
    locks.write_text(
        "".join(
            line
            for line in text.splitlines(keepends=True)
            if "beanfirm-lock" not in line and not line.startswith("  by:")
        ),
        encoding="utf-8",
    )
    git(bo, "commit", "-qam", "Take the lock out")
    unlocked = push(bo, "HEAD:main")
    assert unlocked.returncode != 0
    assert "without a reopen by a partner" in unlocked.stderr
    assert remote_ref(bare, "refs/heads/main") == before
    # sync finds it first, in the clone, and puts the branch back.
    state = clone_state(bo)
    result = run_beanfirm("sync", cwd=bo)
    assert_user_error(result, 1, "so sync refused it", "without a reopen by a partner")
    assert clone_state(bo) == state


def test_a_preparers_close_goes_through_the_hook_and_waits_for_a_reviewer(
    tmp_path: Path,
) -> None:
    """A preparer closes an approved month in her clone; the remote takes the close (the
    lock, the closing entry, the statements) and the reviewer's approval of it."""
    template = new_practice(tmp_path / "template")
    add_staff(template, "cy", "Cy Reviewer", "reviewer")
    added = run_beanfirm(*ADD_HUAMEI, cwd=template, env=STAFF_ENV)
    assert added.code == 0, added.err
    sale = (
        f'{FIRST.start} * "客户" "sale"\n'
        f"  {BANK}  500.00 CNY\n"
        "  Income:5001-主营业务收入  -500.00 CNY\n"
    )
    append_to_month(template, "huamei", FIRST.start, sale)
    append_to_month(template, "huamei", LAST.start, f"{LAST.start} balance {BANK}  500.00 CNY\n")
    after = LAST.end + datetime.timedelta(days=1)
    append_to_month(template, "huamei", LAST.end, f"{after} balance {BANK}  500.00 CNY\n")
    commit_all(template, "Two months booked and reconciled")
    git(template, "branch", "-M", "main")
    bare = firm_remote(template, tmp_path)
    cy = clone(bare, tmp_path / "cy", "cy")
    for args in (("approve", "huamei", "--as", "cy"), ("sync",)):
        done = run_beanfirm(*args, cwd=cy)
        assert done.code == 0, done.err
    bo = clone(bare, tmp_path / "bo", "bo")
    closed = run_beanfirm("close", "huamei", "--period", FIRST.label, "--as", "bo", cwd=bo)
    assert closed.code == 0, closed.err
    synced = run_beanfirm("sync", cwd=bo)
    assert synced.code == 0, synced.err
    close_commit = git(bo, "rev-parse", "HEAD").strip()
    assert remote_ref(bare, "refs/heads/main") == close_commit
    assert git(bo, "log", "-1", "--format=%an").strip() == "Bo Preparer"
    for args in (("sync",), ("approve", "huamei", "--as", "cy"), ("sync",)):
        done = run_beanfirm(*args, cwd=cy)
        assert done.code == 0, done.err
    assert remote_ref(bare, "refs/tags/beanfirm/approved/huamei/0002^{commit}") == close_commit
