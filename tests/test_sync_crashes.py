"""`beanfirm sync` killed outright, and every write refused while git is in the middle of something.

A real `beanfirm sync` is killed (`SIGKILL` to its whole process group, as a power cut would
end git and the merge driver with it) at a moment a slow merge driver or a slow remote hook
makes certain; the next sync must put the branch back and sync, with no commit lost.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from cli_support import HUAMEI_JANUARY, assert_user_error
from conftest import ADD_ZH, BEANFIRM, STAFF_ENV, git, run_beanfirm, tree_state
from import_support import add_client, cmb, write
from remote_support import (
    add_entry,
    clone,
    clone_state,
    entry,
    firm_remote,
    remote_ref,
    template_practice,
)
from review_support import make_reviewed, tags

from beanfirm.store.gitstate import git_operation

KILL_WAIT = 30.0  # seconds to wait for the moment of the kill before the test fails
NOTES = "ledgers/huamei/notes.txt"


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return template_practice(tmp_path_factory.mktemp("template") / "practice")


def slow_merge_driver(folder: Path, mark: Path) -> Path:
    """Make the clone's merge driver touch `mark`, then sleep: a rebase that stays under way."""
    script = folder.parent / "slow-driver"
    script.write_text(
        f'#!/bin/sh\ntouch "{mark}"\nsleep 60\n'
        f'exec "{sys.executable}" -m beanfirm.store.mergedriver "$@"\n',
        encoding="utf-8",
    )
    script.chmod(0o755)
    git(folder, "config", "merge.beanfirm.name", "slow")
    git(folder, "config", "merge.beanfirm.driver", f"{script} %O %A %B %P")
    attributes = folder / ".git" / "info" / "attributes"
    attributes.parent.mkdir(exist_ok=True)
    attributes.write_text("*.beancount merge=beanfirm\n", encoding="utf-8")
    return script


def quick_again(script: Path) -> None:
    """The driver (or hook) at `script` no longer waits."""
    text = script.read_text(encoding="utf-8").replace("sleep 60\n", "")
    script.write_text(text, encoding="utf-8")


def kill_sync_when(folder: Path, mark: Path) -> None:
    """Run `beanfirm sync` in `folder` and SIGKILL it, git and all, once `mark` appears."""
    proc = subprocess.Popen(  # its own process group: the kill reaches git and its children
        [str(BEANFIRM), "sync"],
        cwd=folder,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    deadline = time.monotonic() + KILL_WAIT
    while not mark.exists() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    reached = mark.exists()
    os.killpg(proc.pid, signal.SIGKILL)
    out, err = proc.communicate()
    assert reached, f"sync never reached the moment of the kill: {out!r} {err!r}"


def git_may_fail(folder: Path, *args: str) -> None:
    """Run a git that is meant to stop half-way (and say so by its exit status)."""
    subprocess.run(["git", *args], cwd=folder, capture_output=True, check=False)


def commits(folder: Path, rev: str = "refs/heads/main") -> list[str]:
    return git(folder, "rev-list", rev).split()


def test_a_sync_killed_mid_rebase_is_put_back_by_the_next(template: Path, tmp_path: Path) -> None:
    bare = firm_remote(template, tmp_path)
    ana, bo = clone(bare, tmp_path / "ana", "ana"), clone(bare, tmp_path / "bo", "bo")
    add_entry(ana, entry(9, "ana's row", "21.00", "icbc-9"), "Ana imports")
    assert run_beanfirm("sync", cwd=ana).code == 0
    # Bo's first commit replays without the driver; his second needs it, and it hangs there.
    add_entry(bo, "A note of Bo's\n", "Bo notes", NOTES)
    add_entry(bo, entry(7, "bo's row", "17.00", "icbc-7"), "Bo imports")
    mark = tmp_path / "driver-started"
    driver = slow_merge_driver(bo, mark)
    before, history = clone_state(bo), commits(bo)
    kill_sync_when(bo, mark)
    # The hole: the killed rebase is still under way, HEAD detached on a replayed commit.
    assert (bo / ".git" / "rebase-merge").is_dir()
    assert git(bo, "log", "-1", "--format=%s", "HEAD").strip() == "Bo notes"
    assert commits(bo) == history  # the branch itself never moved
    # Meanwhile every write refuses, and writes nothing.
    files = tree_state(bo)
    refused = run_beanfirm("--as", "ana", "lock", "huamei", "--through", "2025-01", cwd=bo)
    assert_user_error(refused, 2, "`beanfirm sync` was interrupted", "Run `beanfirm sync`")
    assert tree_state(bo) == files
    quick_again(driver)
    # A dry run puts the branch back first, exactly as it was, and leaves it there.
    dry = run_beanfirm("sync", "-n", cwd=bo)
    assert dry.code == 0, dry.err
    assert clone_state(bo) == before
    assert commits(bo) == history
    assert not (bo / ".git" / "rebase-merge").exists()
    assert not (bo / ".git" / "beanfirm" / "sync-start.json").exists()
    synced = run_beanfirm("sync", cwd=bo)
    assert synced.code == 0, synced.err
    assert "took 1 commit(s), pushed 2" in synced.out
    assert remote_ref(bare, "refs/heads/main") == git(bo, "rev-parse", "HEAD").strip()
    assert git(bo, "symbolic-ref", "HEAD").strip() == "refs/heads/main"
    assert git(bo, "status", "--porcelain", "--untracked-files=all") == ""
    text = git(bare, "show", f"main:{HUAMEI_JANUARY}")
    assert "icbc-7" in text
    assert "icbc-9" in text
    assert git(bare, "show", f"main:{NOTES}").strip() == "A note of Bo's"


def test_a_sync_killed_while_pushing_leaves_the_branch_where_it_was(
    template: Path, tmp_path: Path
) -> None:
    bare = firm_remote(template, tmp_path, hook=False)
    ana, bo = clone(bare, tmp_path / "ana", "ana"), clone(bare, tmp_path / "bo", "bo")
    add_entry(ana, entry(9, "ana's row", "21.00", "icbc-9"), "Ana imports")
    git(ana, "push", "-q", "origin", "main")
    mark = tmp_path / "hook-started"
    hook = bare / "hooks" / "pre-receive"  # a remote that takes its time over Bo's push
    hook.write_text(f'#!/bin/sh\ntouch "{mark}"\nsleep 60\nexit 0\n', encoding="utf-8")
    hook.chmod(0o755)
    add_entry(bo, entry(7, "bo's row", "17.00", "icbc-7"), "Bo imports")
    git(bo, "config", "rebase.updateRefs", "true")  # would move main with the replayed commit
    remote_before = remote_ref(bare, "refs/heads/main")
    before, history = clone_state(bo), commits(bo)
    kill_sync_when(bo, mark)  # rebased, checked, and killed while the remote's hook runs
    assert remote_ref(bare, "refs/heads/main") == remote_before
    assert commits(bo) == history  # the rebase left the branch alone: it moves on success
    assert git(bo, "log", "-1", "--format=%s", "HEAD").strip() == "Bo imports"
    assert git(bo, "rev-parse", "HEAD^").strip() == remote_before  # HEAD: the rebased commit
    quick_again(hook)
    # A file made since the kill is not overwritten by putting the branch back: refused.
    (bo / "by-hand.txt").write_text("mine\n", encoding="utf-8")
    files = tree_state(bo)
    refused = run_beanfirm("sync", cwd=bo)
    assert_user_error(refused, 2, "files have changed since (by-hand.txt)", "git stash -u")
    assert tree_state(bo) == files
    (bo / "by-hand.txt").unlink()
    # A file as the branch has it is the put-back's own, killed half-way: no one's edit.
    (bo / HUAMEI_JANUARY).write_text(git(bo, "show", f"main:{HUAMEI_JANUARY}"), encoding="utf-8")
    assert git(bo, "status", "--porcelain") != ""
    dry = run_beanfirm("sync", "-n", cwd=bo)
    assert dry.code == 0, dry.err
    assert dry.out.startswith("An interrupted sync was put right first: HEAD is back on main")
    assert clone_state(bo) == before
    synced = run_beanfirm("sync", cwd=bo)
    assert synced.code == 0, synced.err
    assert "took 1 commit(s), pushed 1" in synced.out
    assert remote_ref(bare, "refs/heads/main") == git(bo, "rev-parse", "main").strip()
    assert git(bo, "status", "--porcelain", "--untracked-files=all") == ""


def test_a_sync_killed_after_its_push_keeps_the_branch_pushed(
    template: Path, tmp_path: Path
) -> None:
    """Killed once the branch moved (the push was accepted) but before the record went."""
    bare = firm_remote(template, tmp_path)
    bo = clone(bare, tmp_path / "bo", "bo")
    start = git(bo, "rev-parse", "HEAD").strip()
    add_entry(bo, entry(7, "bo's row", "17.00", "icbc-7"), "Bo imports")
    assert run_beanfirm("sync", cwd=bo).code == 0
    pushed = git(bo, "rev-parse", "HEAD").strip()
    git(bo, "switch", "-q", "--detach")  # the last step, HEAD back on the branch, not made
    record = bo / ".git" / "beanfirm" / "sync-start.json"
    record.write_text(f'{{"branch": "main", "commit": "{start}", "pid": 1}}', encoding="utf-8")
    result = run_beanfirm("sync", cwd=bo)
    assert result.code == 0, result.err
    assert f"HEAD is back on main at {pushed[:10]}" in result.out
    assert git(bo, "symbolic-ref", "HEAD").strip() == "refs/heads/main"
    assert git(bo, "rev-parse", "HEAD").strip() == pushed == remote_ref(bare, "refs/heads/main")
    assert not record.exists()


def test_sync_leaves_a_rebase_of_someone_elses_alone(template: Path, tmp_path: Path) -> None:
    bare = firm_remote(template, tmp_path)
    bo = clone(bare, tmp_path / "bo", "bo")
    add_entry(bo, entry(7, "bo's row", "17.00", "icbc-7"), "Bo imports")
    add_entry(bo, entry(8, "bo's fare", "18.00", "icbc-8"), "Bo imports again")
    git_may_fail(bo, "rebase", "--quiet", "--exec", "false", "HEAD~1")
    assert (bo / ".git" / "rebase-merge").is_dir()
    files = tree_state(bo)
    result = run_beanfirm("sync", cwd=bo)
    assert_user_error(result, 2, "in the middle of a rebase", "git rebase --abort")
    assert tree_state(bo) == files
    assert (bo / ".git" / "rebase-merge").is_dir()  # a rebase by hand is its maker's to end


# Every write refuses while git is in the middle of something: each state made by git itself.


def _side_commit(folder: Path, text: str) -> str:
    """Commit `text` to notes.txt on a branch `side` off HEAD~1; return to main."""
    git(folder, "switch", "-q", "-c", "side", "HEAD~1")
    (folder / "notes.txt").write_text(text, encoding="utf-8")
    git(folder, "add", "notes.txt")
    git(folder, "commit", "-qm", "Side note")
    git(folder, "switch", "-q", "main")
    return git(folder, "rev-parse", "side").strip()


def _conflicting_note(folder: Path) -> None:
    (folder / "notes.txt").write_text("main's note\n", encoding="utf-8")
    git(folder, "add", "notes.txt")
    git(folder, "commit", "-qm", "Main's note")


def in_a_rebase(folder: Path) -> None:
    git_may_fail(folder, "rebase", "--quiet", "--exec", "false", "HEAD~1")


def in_a_merge(folder: Path) -> None:
    _side_commit(folder, "side's note\n")
    git(folder, "merge", "--quiet", "--no-ff", "--no-commit", "side")


def in_a_cherry_pick(folder: Path) -> None:
    _side_commit(folder, "side's note\n")
    _conflicting_note(folder)
    git_may_fail(folder, "cherry-pick", "side")


def in_a_revert(folder: Path) -> None:
    _conflicting_note(folder)
    (folder / "notes.txt").write_text("a later note\n", encoding="utf-8")
    git(folder, "commit", "-qam", "A later note")
    git_may_fail(folder, "revert", "--no-edit", "HEAD~1")


def in_a_bisect(folder: Path) -> None:
    git(folder, "bisect", "start", "HEAD", "HEAD~3")


def detached(folder: Path) -> None:
    git(folder, "switch", "-q", "--detach")


def sync_killed(folder: Path) -> None:
    record = folder / ".git" / "beanfirm" / "sync-start.json"
    head = git(folder, "rev-parse", "HEAD").strip()
    record.write_text(f'{{"branch": "main", "commit": "{head}", "pid": 1}}', encoding="utf-8")


STATES = {
    in_a_rebase: "in the middle of a rebase",
    in_a_merge: "in the middle of a merge",
    in_a_cherry_pick: "in the middle of a cherry-pick",
    in_a_revert: "in the middle of a revert",
    in_a_bisect: "in the middle of a bisect",
    detached: "HEAD is detached",
    sync_killed: "`beanfirm sync` was interrupted",
}


@pytest.fixture
def shop(practice: Path) -> Path:
    """A practice with the client acme, on branch main, with a few commits."""
    git(practice, "branch", "-M", "main")
    add_client(practice)
    return practice


@pytest.mark.parametrize("state", list(STATES), ids=lambda state: state.__name__)
def test_writes_refuse_while_git_is_in_the_middle_of_something(
    shop: Path, tmp_path: Path, state: object
) -> None:
    assert callable(state)
    state(shop)
    said = STATES[state]
    files, head = tree_state(shop), git(shop, "rev-parse", "HEAD")
    refs = git(shop, "for-each-ref")
    export = write(tmp_path, "cmb.csv", cmb([("2024-03-01", "-35.00", "消费", "滴滴出行", "")]))
    for args in (
        ("import", "acme", str(export)),
        ("import", "-n", "acme", str(export)),
        (*ADD_ZH,),
        ("repair",),
    ):
        result = run_beanfirm(*args, cwd=shop, env=STAFF_ENV)
        assert_user_error(result, 2, said, "nothing was written", "then run the command again")
        assert tree_state(shop) == files, args
        assert git(shop, "rev-parse", "HEAD") == head, args
        assert git(shop, "for-each-ref") == refs, args


def test_approve_refuses_in_the_middle_of_a_rebase(practice_with_client: Path) -> None:
    """An approval of the commit being replayed would name a commit the abort throws away."""
    reviewed = make_reviewed(practice_with_client)
    in_a_rebase(reviewed)
    head, files = git(reviewed, "rev-parse", "HEAD"), tree_state(reviewed)
    result = run_beanfirm("approve", "huamei", "--as", "wang", cwd=reviewed)
    assert_user_error(result, 2, "in the middle of a rebase", "nothing was written")
    assert tags(reviewed) == []
    assert (git(reviewed, "rev-parse", "HEAD"), tree_state(reviewed)) == (head, files)
    git(reviewed, "rebase", "--abort")
    assert run_beanfirm("approve", "huamei", "--as", "wang", cwd=reviewed).code == 0


def test_read_only_commands_work_in_the_middle_of_a_rebase(shop: Path) -> None:
    assert "Writes are refused" not in run_beanfirm("status", cwd=shop).out
    in_a_rebase(shop)
    assert run_beanfirm("check", "acme", cwd=shop).code == 0
    status = run_beanfirm("status", cwd=shop)
    assert status.code == 0, status.err
    assert "Writes are refused: git is in the middle of a rebase" in status.out
    assert "`git rebase --abort`" in status.out


def test_the_check_reads_files_only(tmp_path: Path) -> None:
    """No git runs: a folder with git's state files and no repository at all is read alike."""
    git_dir, state_dir = tmp_path / "git", tmp_path / "git" / "beanfirm"
    git_dir.mkdir()
    (git_dir / "HEAD").write_text("ref: refs/heads/main\n", encoding="utf-8")
    assert git_operation(git_dir, state_dir) is None
    (git_dir / "HEAD").write_text("0123456789abcdef0123456789abcdef01234567\n", encoding="utf-8")
    found = git_operation(git_dir, state_dir)
    assert found is not None
    assert "detached" in found.state
    (git_dir / "rebase-merge").mkdir()
    found = git_operation(git_dir, state_dir)
    assert found is not None
    assert "rebase" in found.state
