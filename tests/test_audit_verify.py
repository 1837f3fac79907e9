"""`beanfirm audit` and `--verify`: forged, moved and deleted approval tags are each named."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from cli_support import BALANCED_ZH, HUAMEI_JANUARY, assert_user_error, snapshot
from conftest import git, run_beanfirm
from review_support import commit_as, make_reviewed, wang_commits_then_changes_email

from beanfirm.review.audit import verify_approvals
from beanfirm.store.approvals import approval_message
from beanfirm.store.gitrepo import PracticeRepo
from beanfirm.store.registry import load_registry

TAG_1 = "beanfirm/approved/huamei/0001"
TAG_2 = "beanfirm/approved/huamei/0002"


@pytest.fixture
def approved(practice_with_client: Path) -> Path:
    """A practice whose client huamei wang approved once, through the command line."""
    make_reviewed(practice_with_client)
    result = run_beanfirm("approve", "huamei", "--as", "wang", cwd=practice_with_client)
    assert result.code == 0, result.err
    return practice_with_client


def forge(
    practice: Path,
    name: str,
    *,
    approver: str = "wang",
    tree: str | None = None,
    previous: str | None = None,
    email: str = "wang@firm.example",
    extra: tuple[str, ...] = (),
) -> None:
    """Make an approval tag at HEAD by hand, as someone with git and no beanfirm would."""
    head = git(practice, "rev-parse", "HEAD").strip()
    message = approval_message(
        client="huamei",
        approver=approver,
        commit=head,
        tree=tree or git(practice, "rev-parse", "HEAD:ledgers/huamei").strip(),
        previous=previous,
        commits=1,
    )
    git(
        practice,
        "-c",
        "user.name=Forger",
        "-c",
        f"user.email={email}",
        *extra,
        "tag",
        "-a",
        "-m",
        message,
        name,
        head,
    )


def problems(practice: Path) -> dict[str, str]:
    """Return what verification says, by tag."""
    result = verify_approvals(PracticeRepo(practice), load_registry(practice / "clients.yaml"))
    return {p.filename: p.message for p in result.problems}


def test_honest_approvals_verify(approved: Path) -> None:
    commit_as(approved, "bo@firm.example", HUAMEI_JANUARY, BALANCED_ZH, "Second taxi")
    # Only bo's commit is new since wang's approval: ana, who wrote older ones, may approve it.
    assert run_beanfirm("approve", "huamei", "--as", "ana", cwd=approved).code == 0
    result = run_beanfirm("audit", "--verify", cwd=approved)
    assert result.code == 0, result.err
    assert "2 approval(s) verified" in result.out


def test_a_forged_tree_a_preparer_and_self_approval_are_named(approved: Path) -> None:
    commit_as(approved, "wang@firm.example", HUAMEI_JANUARY, BALANCED_ZH, "Wang's own taxi")
    first = git(approved, "rev-list", "-n1", TAG_1).strip()
    forge(approved, TAG_2, previous=first)  # wang approves his own commit by hand
    forge(
        approved,
        "beanfirm/approved/huamei/0003",
        approver="bo",
        email="bo@firm.example",
        previous=git(approved, "rev-parse", "HEAD").strip(),
    )
    found = problems(approved)
    assert "wrote themselves" in found[TAG_2]
    assert "bo is a preparer" in found["beanfirm/approved/huamei/0003"]
    git(approved, "tag", "-d", "beanfirm/approved/huamei/0003", TAG_2)
    forge(approved, TAG_2, previous=first, approver="ana", email="ana@firm.example", tree="0" * 40)
    assert "records the tree" in problems(approved)[TAG_2]
    before = snapshot(approved)
    result = run_beanfirm("audit", "--verify", cwd=approved)
    assert result.code == 1
    assert f"{TAG_2}: it records the tree" in result.err
    assert snapshot(approved) == before


def test_a_moved_and_a_deleted_tag_are_named(approved: Path) -> None:
    first = git(approved, "rev-list", "-n1", TAG_1).strip()
    for number in (2, 3):
        commit_as(approved, "bo@firm.example", HUAMEI_JANUARY, BALANCED_ZH, f"Taxi {number}")
        assert run_beanfirm("approve", "huamei", "--as", "wang", cwd=approved).code == 0
    assert problems(approved) == {}
    git(approved, "tag", "-d", TAG_2)  # a gap
    git(approved, "tag", "-f", TAG_1, "HEAD")  # moved, as a lightweight tag
    found = problems(approved)
    assert "deleted" in found[TAG_2]
    assert "lightweight" in found[TAG_1]
    # Moved with its own record re-made by hand: the record no longer matches the target.
    message = git(approved, "tag", "-l", "--format=%(contents)", "beanfirm/approved/huamei/0003")
    git(approved, "tag", "-f", "-a", "-m", message, "beanfirm/approved/huamei/0003", first)
    assert "it was moved" in problems(approved)["beanfirm/approved/huamei/0003"]
    result = run_beanfirm("audit", "--verify", "--json", cwd=approved)
    assert result.code == 1
    assert len(json.loads(result.out)["problems"]) == 3


@pytest.mark.skipif(shutil.which("ssh-keygen") is None, reason="needs ssh-keygen")
def test_an_unsigned_or_wrongly_signed_approval_is_named(approved: Path, tmp_path: Path) -> None:
    keys = {}
    for name in ("wang", "other"):
        path = tmp_path / name
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(path)], check=True)
        keys[name] = path
    public = keys["wang"].with_suffix(".pub").read_text().strip()
    registry = approved / "clients.yaml"
    text = registry.read_text(encoding="utf-8")
    registry.write_text(
        text.replace("    role: reviewer\n", f"    role: reviewer\n    signing-key: {public}\n"),
        encoding="utf-8",
    )
    git(approved, "commit", "-qam", "Wang signs his approvals")
    commit_as(approved, "bo@firm.example", HUAMEI_JANUARY, BALANCED_ZH, "Second taxi")
    first = git(approved, "rev-list", "-n1", TAG_1).strip()
    ssh = ("-c", "gpg.format=ssh")
    # Without git set up to sign, beanfirm refuses rather than approve unsigned.
    before = snapshot(approved)
    refused = run_beanfirm("approve", "huamei", "--as", "wang", cwd=approved)
    assert_user_error(refused, 2, "gpg failed to sign", "must be signed", "Nothing was written")
    assert snapshot(approved) == before
    forge(approved, TAG_2, previous=first)
    assert "it is not signed" in problems(approved)[TAG_2]
    git(approved, "tag", "-d", TAG_2)
    forge(
        approved,
        TAG_2,
        previous=first,
        extra=(*ssh, "-c", f"user.signingkey={keys['other']}", "-c", "tag.gpgSign=true"),
    )
    assert "does not verify" in problems(approved)[TAG_2]
    git(approved, "tag", "-d", TAG_2)
    git(approved, "config", "gpg.format", "ssh")
    git(approved, "config", "user.signingkey", str(keys["wang"]))
    signed = run_beanfirm("approve", "huamei", "--as", "wang", cwd=approved)
    assert signed.code == 0, signed.err
    assert ", signed." in signed.out
    assert problems(approved) == {}


def test_the_timeline_has_commits_approvals_and_send_backs(approved: Path) -> None:
    commit_as(approved, "bo@firm.example", HUAMEI_JANUARY, BALANCED_ZH, "Second taxi")
    sent = run_beanfirm(
        "review",
        "huamei",
        "--send-back",
        "--note",
        "Which customer?",
        "--as",
        "wang",
        cwd=approved,
    )
    assert sent.code == 0, sent.err
    result = run_beanfirm("audit", "huamei", "--json", cwd=approved)
    assert result.code == 0, result.err
    kinds = [(e["kind"], e["who"]) for e in json.loads(result.out)]
    assert ("commit", "ana") in kinds
    assert ("commit", "bo") in kinds
    assert kinds.index(("approved", "wang")) < kinds.index(("sent-back", "wang"))
    csv = run_beanfirm("audit", "--csv", "--since", "2000-01-01", cwd=approved)
    assert csv.out.splitlines()[0] == "when (UTC),client,who,kind,what,ref"
    assert "sent back: Which customer?" in csv.out


def test_self_approval_is_named_after_the_approvers_email_changed(approved: Path) -> None:
    wang_commits_then_changes_email(approved)
    first = git(approved, "rev-list", "-n1", TAG_1).strip()
    forge(approved, TAG_2, previous=first, email="fang@firm.example")
    assert "wrote themselves" in problems(approved)[TAG_2]
