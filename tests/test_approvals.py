"""The approval record: approval and send-back tags written, read back, and malformed ones named."""

from __future__ import annotations

import datetime
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from beanfirm.errors import WriteRefusedError
from beanfirm.store.approvals import (
    ApprovalRecordError,
    approval_message,
    approval_records,
    approvals,
    latest_approval,
    latest_return,
    parse_approval,
    pushed_approval,
    write_approval,
    write_return,
)
from beanfirm.store.gitrepo import Author, GitError, PracticeRepo
from beanfirm.store.registry import Staff, parse_registry

if TYPE_CHECKING:
    from collections.abc import Iterator

WANG = Staff("wang", "Wang Reviewer", "wang@firm.example", "reviewer")
LI = Author("Li Preparer", "li@firm.example")
SSH_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB wang@laptop"
FINGERPRINT = "0123456789ABCDEF0123456789ABCDEF01234567"
WHEN = datetime.datetime(2026, 12, 1, 9, 0, tzinfo=datetime.UTC)


def git(root: Path, *args: str) -> str:
    """Run git in `root` and return its output."""
    return subprocess.run(
        ["git", "-C", str(root), *args], check=True, capture_output=True, text=True
    ).stdout.strip()


def commit_file(repo: PracticeRepo, relpath: str, text: str) -> str:
    """Write a file and commit it as Li."""
    path = repo.root / relpath
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return repo.commit([relpath], f"Change {relpath}", LI)


@pytest.fixture
def repo(tmp_path: Path) -> PracticeRepo:
    """Return a repository with one client folder and two commits."""
    repo = PracticeRepo.init(tmp_path / "practice")
    git(repo.root, "config", "user.name", "Nobody")
    git(repo.root, "config", "user.email", "nobody@example.com")
    commit_file(repo, "ledgers/acme/main.beancount", "; one\n")
    commit_file(repo, "ledgers/acme/main.beancount", "; two\n")
    return repo


def test_an_approval_is_written_and_read_back(repo: PracticeRepo) -> None:
    head = repo.head()
    assert head is not None
    written = write_approval(repo, "acme", WANG, head, previous=None, commits=2)
    assert written.tag == "beanfirm/approved/acme/0001"
    assert (written.client, written.number, written.approver) == ("acme", 1, "wang")
    assert written.commit == head
    assert written.tree == git(repo.root, "rev-parse", f"{head}:ledgers/acme")
    assert (written.previous, written.commits, written.signed) == (None, 2, False)
    assert written.tagger_email == "wang@firm.example"
    assert git(repo.root, "cat-file", "-t", written.tag) == "tag"
    assert latest_approval(repo, "acme") == written
    assert latest_approval(repo, "other") is None

    second_head = commit_file(repo, "ledgers/acme/main.beancount", "; three\n")
    second = write_approval(repo, "acme", WANG, second_head, previous=head, commits=1)
    assert second.tag == "beanfirm/approved/acme/0002"
    assert second.previous == head
    assert [a.number for a in approvals(repo, "acme")] == [1, 2]
    assert [a.number for a in approvals(repo)] == [1, 2]


def test_an_approval_is_refused_when_another_came_meanwhile(repo: PracticeRepo) -> None:
    head = repo.head()
    assert head is not None
    write_approval(repo, "acme", WANG, head, previous=None, commits=2)
    with pytest.raises(WriteRefusedError, match="approved by someone else meanwhile"):
        write_approval(repo, "acme", WANG, head, previous=None, commits=2)
    assert len(approvals(repo, "acme")) == 1


def test_a_send_back_is_written_and_read_back(repo: PracticeRepo) -> None:
    head = repo.head()
    assert head is not None
    back = write_return(repo, "acme", WANG, head, "The October fees\nare booked twice.")
    assert back.tag == "beanfirm/returned/acme/0001"
    assert back.note == "The October fees are booked twice."
    assert latest_return(repo, "acme") == back
    assert approvals(repo, "acme") == []


def test_the_message_parses_back() -> None:
    sha = "a" * 40
    message = approval_message(
        client="acme", approver="wang", commit=sha, tree="b" * 40, previous=None, commits=3
    )
    assert message.splitlines()[0] == "Approve acme up to aaaaaaaa"
    approval = parse_approval(
        "beanfirm/approved/acme/0007",
        message,
        tagger_email="w@x.example",
        when=WHEN,
        signed=False,
        target=sha,
    )
    assert (approval.number, approval.commits, approval.previous) == (7, 3, None)


@pytest.mark.parametrize(
    ("name", "edit", "reason"),
    [
        ("beanfirm/approved/acme/0001", ("client: acme", "client: other"), "records client"),
        ("beanfirm/approved/acme/0001", ("commits: 3", "commits: three"), "not a count"),
        ("beanfirm/approved/acme/0001", ("commits: 3\n", ""), "lacks commits"),
        ("beanfirm/approved/acme/0001", ("tree: ", "tree: b"), "not a full git object id"),
        ("beanfirm/approved/acme/0001", ("commits: 3", "commits: 3\nextra: 1"), "not part of"),
        ("beanfirm/approved/acme/one", ("", ""), "not named"),
        ("beanfirm/approved/acme/0001", ("commit: a", "commit: c"), "it was moved"),
    ],
)
def test_a_malformed_message_is_refused(name: str, edit: tuple[str, str], reason: str) -> None:
    message = approval_message(
        client="acme", approver="wang", commit="a" * 40, tree="b" * 40, previous=None, commits=3
    ).replace(*edit, 1)
    with pytest.raises(ApprovalRecordError, match=reason):
        parse_approval(
            name, message, tagger_email="w@x.example", when=WHEN, signed=False, target="a" * 40
        )


def test_forged_and_moved_tags_are_named_not_taken(repo: PracticeRepo) -> None:
    head = repo.head()
    assert head is not None
    first = write_approval(repo, "acme", WANG, head, previous=None, commits=2)
    # A lightweight tag in the namespace, and a tag moved onto another commit by hand.
    git(repo.root, "tag", "beanfirm/approved/acme/0002", head)
    other = commit_file(repo, "ledgers/acme/main.beancount", "; four\n")
    git(
        repo.root,
        "tag",
        "-f",
        "-a",
        "-m",
        approval_message(
            client="acme",
            approver="wang",
            commit=head,
            tree=first.tree,
            previous=None,
            commits=1,
        ),
        "beanfirm/approved/acme/0003",
        other,
    )
    records = approval_records(repo, "acme")
    assert [a.number for a in records.approvals] == [1]
    reasons = {m.tag: m.reason for m in records.malformed}
    assert "lightweight" in reasons["beanfirm/approved/acme/0002"]
    assert "it was moved" in reasons["beanfirm/approved/acme/0003"]
    # A ref pointed at another approval's tag object.
    git(repo.root, "update-ref", "refs/tags/beanfirm/approved/acme/0004", first.object_id)
    reasons = {m.tag: m.reason for m in approval_records(repo, "acme").malformed}
    assert "ref was moved" in reasons["beanfirm/approved/acme/0004"]


def test_a_tag_that_exists_is_never_overwritten(repo: PracticeRepo) -> None:
    head = repo.head()
    assert head is not None
    first = write_approval(repo, "acme", WANG, head, previous=None, commits=2)
    with pytest.raises(GitError):
        repo.create_tag(first.tag, head, "x\n", Author("X", "x@example.com"), signing_key=None)
    assert latest_approval(repo, "acme") == first


@pytest.mark.skipif(shutil.which("ssh-keygen") is None, reason="needs ssh-keygen")
def test_a_signed_approval_verifies_against_the_listed_key(
    repo: PracticeRepo, tmp_path: Path
) -> None:
    key = tmp_path / "wang_key"
    other = tmp_path / "other_key"
    for path in (key, other):
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(path)], check=True)
    public = key.with_suffix(".pub").read_text().strip()
    git(repo.root, "config", "gpg.format", "ssh")
    git(repo.root, "config", "user.signingkey", str(key))
    signer = Staff("wang", "Wang Reviewer", "wang@firm.example", "reviewer", public)
    head = repo.head()
    assert head is not None
    written = write_approval(repo, "acme", signer, head, previous=None, commits=2)
    assert written.signed
    assert repo.signature_problem(written.tag, public) is None
    other_public = other.with_suffix(".pub").read_text().strip()
    assert repo.signature_problem(written.tag, other_public) is not None

    # git signs with another key than the one listed: refused, nothing written.
    git(repo.root, "config", "user.signingkey", str(other))
    later = commit_file(repo, "ledgers/acme/main.beancount", "; five\n")
    with pytest.raises(GitError, match="could not be signed with the key listed"):
        write_approval(repo, "acme", signer, later, previous=head, commits=1)
    # git cannot sign at all: refused, nothing written.
    git(repo.root, "config", "user.signingkey", str(tmp_path / "missing"))
    with pytest.raises(GitError, match="nothing was written"):
        write_approval(repo, "acme", signer, later, previous=head, commits=1)
    assert approvals(repo, "acme") == [written]
    assert git(repo.root, "tag", "--list", "beanfirm/*") == written.tag


@pytest.mark.parametrize(
    ("value", "kept", "problem"),
    [
        (SSH_KEY, SSH_KEY, None),
        ("0123 4567 89ab cdef 0123  4567 89ab cdef 0123 4567", FINGERPRINT, None),
        ("my key", None, "a signing key must be an SSH public key"),
    ],
)
def test_a_signing_key_is_read_from_the_registry(
    tmp_path: Path, value: str, kept: str | None, problem: str | None
) -> None:
    text = (
        "firm:\n  name: Firm\n  staff:\n  - id: wang\n    name: Wang\n"
        f"    email: wang@firm.example\n    role: reviewer\n    signing-key: {value}\n"
        "clients: []\n"
    )
    registry, problems = parse_registry(tmp_path / "clients.yaml", text, check_ledgers=False)
    if problem is None:
        assert problems == []
        assert registry is not None
        assert registry.firm.staff[0].signing_key == kept
    else:
        assert [p.line for p in problems] == [8]
        assert problem in problems[0].message


@pytest.mark.skipif(shutil.which("ssh-keygen") is None, reason="needs ssh-keygen")
def test_a_pushed_tag_reads_as_its_ref_would(repo: PracticeRepo, tmp_path: Path) -> None:
    key = tmp_path / "key"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key)], check=True)
    git(repo.root, "config", "gpg.format", "ssh")
    git(repo.root, "config", "user.signingkey", str(key))
    public = key.with_suffix(".pub").read_text().strip()
    signer = Staff("wang", "Wang Reviewer", "wang@firm.example", "reviewer", public)
    head = repo.head()
    assert head is not None
    written = write_approval(repo, "acme", signer, head, previous=None, commits=2)
    pushed = pushed_approval(repo, f"refs/tags/{written.tag}", written.object_id)
    assert pushed == written
    # A new ref pushed onto an existing approval's tag object (a copy of a signed approval).
    with pytest.raises(ApprovalRecordError, match="ref was moved onto it"):
        pushed_approval(repo, "refs/tags/beanfirm/approved/acme/0002", written.object_id)


def _gpg_key(home: Path, email: str) -> str:
    """Make an unprotected ed25519 signing key in the GnuPG home `home`; return its fingerprint."""
    gpg = ["gpg", "--homedir", str(home), "--batch", "--quiet", "--pinentry-mode", "loopback"]
    subprocess.run(
        [*gpg, "--passphrase", "", "--quick-gen-key", email, "ed25519", "sign", "never"],
        check=True,
        capture_output=True,
    )
    listing = subprocess.run(
        [*gpg, "--with-colons", "--list-secret-keys", email],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return next(line.split(":")[9] for line in listing.splitlines() if line.startswith("fpr:"))


@pytest.fixture
def gnupg(
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Path]:
    """A GnuPG home of the test's own, its agent stopped after.

    Under /tmp: the agent's socket path must be short, and pytest's folders can be long.
    """
    home = Path(tempfile.mkdtemp(prefix="gpg-", dir="/tmp"))
    home.chmod(0o700)
    monkeypatch.setenv("GNUPGHOME", str(home))
    yield home
    subprocess.run(["gpgconf", "--homedir", str(home), "--kill", "all"], check=False)
    shutil.rmtree(home, ignore_errors=True)


@pytest.mark.skipif(shutil.which("gpg") is None, reason="needs gpg")
def test_a_gpg_signed_approval_verifies_against_the_listed_fingerprint(
    repo: PracticeRepo, gnupg: Path
) -> None:
    wang = _gpg_key(gnupg, "wang@firm.example")
    other = _gpg_key(gnupg, "other@firm.example")
    git(repo.root, "config", "user.signingkey", wang)  # gpg.format: git's default, openpgp
    listed = " ".join(wang[i : i + 4] for i in range(0, 40, 4)).lower()  # as a person types it
    registry, problems = parse_registry(
        repo.root / "clients.yaml",
        "firm:\n  name: Firm\n  staff:\n  - id: wang\n    name: Wang\n"
        f"    email: wang@firm.example\n    role: reviewer\n    signing-key: {listed}\n"
        "clients: []\n",
        check_ledgers=False,
    )
    assert problems == []
    assert registry is not None
    signer = registry.firm.staff[0]
    head = repo.head()
    assert head is not None
    written = write_approval(repo, "acme", signer, head, previous=None, commits=2)
    assert written.signed
    assert "BEGIN PGP SIGNATURE" in git(repo.root, "cat-file", "tag", written.tag)
    assert repo.signature_problem(written.tag, wang) is None
    assert repo.signature_problem(written.tag, other) == f"signed by another key than {other}"

    # git signs with another key of the keyring than the one listed: refused, nothing written.
    git(repo.root, "config", "user.signingkey", other)
    later = commit_file(repo, "ledgers/acme/main.beancount", "; five\n")
    with pytest.raises(GitError, match="could not be signed with the key listed"):
        write_approval(repo, "acme", signer, later, previous=head, commits=1)
    # git cannot sign at all (a key the keyring does not have): refused, nothing written.
    git(repo.root, "config", "user.signingkey", "F" * 40)
    with pytest.raises(GitError, match="Nothing was written"):
        write_approval(repo, "acme", signer, later, previous=head, commits=1)
    assert approvals(repo, "acme") == [written]
    assert git(repo.root, "tag", "--list", "beanfirm/*") == written.tag
