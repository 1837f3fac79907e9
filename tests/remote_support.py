"""A firm on a shared remote for the tests: a bare repository with the hook, and clones."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from cli_support import HUAMEI_JANUARY, add_staff, new_practice
from conftest import ADD_ZH, STAFF_ENV, git, run_beanfirm, tree_state

from beanfirm.store.approvals import APPROVED, approval_message, tag_name

STAFF = {"ana": "Ana Partner", "bo": "Bo Preparer", "cy": "Cy Reviewer"}


def template_practice(folder: Path) -> Path:
    """A practice with one client, huamei (bo prepares, ana reviews; cy a reviewer too)."""
    new_practice(folder)
    add_staff(folder, "cy", "Cy Reviewer", "reviewer")
    result = run_beanfirm(*ADD_ZH, cwd=folder, env=STAFF_ENV)  # committed by ana
    assert result.code == 0, result.err
    git(folder, "branch", "-M", "main")  # whatever git's default, the firm's branch is main
    return folder


def firm_remote(template: Path, folder: Path, *, hook: bool = True) -> Path:
    """A bare copy of the template practice, with beanfirm's pre-receive hook."""
    bare = folder / "firm.git"
    git(folder, "clone", "-q", "--bare", str(template), str(bare))
    if hook:
        installed = run_beanfirm("remote", "install-hooks", str(bare), cwd=folder)
        assert installed.code == 0, installed.err
    return bare


def clone(bare: Path, folder: Path, staff: str) -> Path:
    """A staff member's clone of the firm's remote, with its git identity."""
    git(bare.parent, "clone", "-q", str(bare), str(folder))
    git(folder, "config", "user.name", STAFF[staff])
    git(folder, "config", "user.email", f"{staff}@firm.example")
    return folder  # `beanfirm sync` sets the merge driver up where it is not


def entry(day: int, narration: str, amount: str, import_id: str | None = None) -> str:
    """A balanced bank payment of huamei's, as an import writes it."""
    meta = f'  import-id: "{import_id}"\n' if import_id else ""
    return (
        f'2025-01-{day:02d} * "出租车" "{narration}"\n{meta}'
        f"  Assets:1002-银行存款:工商银行                                -{amount} CNY\n"
        f"  Expenses:5601-销售费用:差旅费                                 {amount} CNY\n"
    )


def add_entry(folder: Path, text: str, message: str, relpath: str = HUAMEI_JANUARY) -> str:
    """Append an entry to a month file and commit it as the clone's staff member; return it."""
    path = folder / relpath
    before = path.read_text(encoding="utf-8") if path.exists() else ""
    path.write_text(before + "\n" + text, encoding="utf-8")
    git(folder, "add", "--all")
    git(folder, "commit", "-qm", message)
    return git(folder, "rev-parse", "HEAD").strip()


def push(folder: Path, *refspecs: str) -> subprocess.CompletedProcess[str]:
    """Push with plain git, as someone without beanfirm would."""
    return subprocess.run(
        ["git", "push", "origin", *refspecs],
        cwd=folder,
        capture_output=True,
        text=True,
        check=False,
    )


def remote_ref(bare: Path, ref: str) -> str:
    """Return what a ref of the remote points at ('' when it has no such ref)."""
    proc = subprocess.run(
        ["git", "rev-parse", "--verify", "--quiet", ref],
        cwd=bare,
        capture_output=True,
        text=True,
        check=False,
    )
    return proc.stdout.strip()


def forged_approval(folder: Path, client: str, approver: str, number: int = 1) -> str:
    """Tag HEAD as an approval by `approver`, by hand, as `beanfirm approve` would record it.

    Well-formed, so that only the rules (two persons, roles) can refuse it; return the tag.
    """
    commit = git(folder, "rev-parse", "HEAD").strip()
    tree = git(folder, "rev-parse", f"HEAD:ledgers/{client}").strip()
    count = len(git(folder, "rev-list", "HEAD", "--", f"ledgers/{client}").split())
    message = approval_message(
        client=client, approver=approver, commit=commit, tree=tree, previous=None, commits=count
    )
    note = folder / ".git" / "approval-message"
    note.write_text(message, encoding="utf-8")
    name = tag_name(APPROVED, client, number)
    git(
        folder,
        "-c",
        f"user.name={STAFF[approver]}",
        "-c",
        f"user.email={approver}@firm.example",
        "tag",
        "-a",
        "-F",
        str(note),
        name,
    )
    return name


def copy_practice(template: Path, folder: Path) -> Path:
    """A copy of the template practice (its history too)."""
    shutil.copytree(template, folder, symlinks=True)
    return folder


def clone_state(folder: Path) -> tuple[str, str, str, dict[str, str]]:
    """HEAD, the branch, `git status` and every file outside `.git`: what a failed sync keeps.

    A fetch moves the remote-tracking refs inside `.git`; that is not a change to the clone.
    """
    files = {k: v for k, v in tree_state(folder).items() if not k.startswith(".git/")}
    return (
        git(folder, "rev-parse", "HEAD").strip(),
        git(folder, "symbolic-ref", "HEAD").strip(),
        git(folder, "status", "--porcelain", "--untracked-files=all"),
        files,
    )
