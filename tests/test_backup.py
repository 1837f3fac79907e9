"""`beanfirm backup` and `beanfirm restore`: a byte-identical round trip, and every attack refused.

One demo practice is backed up once in full and once incrementally (after a commit, a tag
and a branch); the attacks tamper with copies of those two files.
"""

from __future__ import annotations

import io
import os
import shutil
import sqlite3
import tarfile
from dataclasses import dataclass
from pathlib import Path

import pyrage
import pytest
from cli_support import TEST_COMMITTER, append_entry, assert_user_error, commit_all
from conftest import git, run_beanfirm, tree_state

from beanfirm.errors import BackupError
from beanfirm.jobs.restoring import restore
from beanfirm.store.sealed import read_identities

TAXI = (
    '2025-12-05 * "出租车" "a taxi fare booked as freight, moved to travel"\n'
    "  Expenses:5601-销售费用:运输费  -35.00 CNY\n"
    "  Expenses:5601-销售费用:差旅费  35.00 CNY\n"
)


@dataclass(frozen=True)
class Backed:
    """A practice, its two backups (full, incremental), the key holder's and a stranger's key."""

    practice: Path
    folder: Path
    full: Path
    incremental: Path
    key: Path
    stranger: Path
    recipient: str


def _key(path: Path) -> str:
    identity = pyrage.x25519.Identity.generate()
    path.write_text(f"# a key holder's key, made by the test\n{identity}\n", encoding="utf-8")
    return str(identity.to_public())


def _backup(practice: Path, *args: str) -> Path:
    result = run_beanfirm("backup", *args, cwd=practice)
    assert result.code == 0, result.err
    return Path(result.out.split(" written: ", 1)[1].split(" (", 1)[0])


@pytest.fixture(scope="module")
def backed(tmp_path_factory: pytest.TempPathFactory) -> Backed:
    base = tmp_path_factory.mktemp("backup")
    practice = base / "demo"
    assert run_beanfirm("generate", str(practice), "--demo", cwd=base).code == 0
    recipient = _key(base / "holder.key")
    _key(base / "stranger.key")
    with (practice / "clients.yaml").open("a", encoding="utf-8") as registry:
        registry.write(f"backup:\n  to: ../backups\n  recipients:\n    - {recipient}\n")
    commit_all(practice, "Back up to the key holder")
    added = run_beanfirm(
        "portal",
        "user",
        "add",
        "owner@huamei.example",
        "--client",
        "huamei-retail",
        "--generate",
        cwd=practice,
    )
    assert added.code == 0, added.err
    full = _backup(practice)
    append_entry(practice, "ledgers/huamei-retail/journal/2025/12.beancount", TAXI)
    commit_all(practice, "A taxi fare")
    git(practice, *TEST_COMMITTER, "tag", "-a", "closed-2025-11", "-m", "November closed")
    git(practice, "branch", "review/taxi")
    incremental = _backup(practice)
    return Backed(
        practice,
        base / "backups",
        full,
        incremental,
        base / "holder.key",
        base / "stranger.key",
        recipient,
    )


def _users(database: Path) -> list[tuple[object, ...]]:
    with sqlite3.connect(database) as db:
        return list(db.execute("SELECT * FROM users ORDER BY email"))


def test_restore_is_byte_identical(backed: Backed, tmp_path: Path) -> None:
    target = tmp_path / "restored"
    result = run_beanfirm(
        "restore",
        str(backed.folder),
        "--to",
        str(target),
        "--identity",
        str(backed.key),
        cwd=tmp_path,
    )
    assert result.code == 0, result.err
    assert "chain: " + backed.full.stem + ", " + backed.incremental.stem in result.out
    assert "Checked 4 clients: no errors." in result.out
    refs = "for-each-ref", "--format=%(refname) %(objectname)"
    assert git(target, *refs) == git(backed.practice, *refs)
    assert "refs/tags/closed-2025-11" in git(target, *refs)
    assert git(target, "symbolic-ref", "HEAD") == git(backed.practice, "symbolic-ref", "HEAD")

    def files(folder: Path) -> dict[str, str]:
        return {k: v for k, v in tree_state(folder).items() if not k.startswith(".git/")}

    assert files(target) == files(backed.practice)
    objects = "rev-list", "--objects", "--all"
    assert git(target, *objects) == git(backed.practice, *objects)
    users = target / ".beanfirm" / "portal.sqlite"
    assert _users(users) == _users(backed.practice / ".beanfirm" / "portal.sqlite")
    assert (users.stat().st_mode & 0o777, users.parent.stat().st_mode & 0o777) == (0o600, 0o700)
    assert git(target, "status", "--porcelain") == ""


def _part(path: Path, key: Path, name: str) -> bytes:
    data = pyrage.decrypt(path.read_bytes(), read_identities(key))
    with tarfile.open(fileobj=io.BytesIO(data)) as archive:
        handle = archive.extractfile(name)
        assert handle is not None
        return handle.read()


def test_the_incremental_holds_only_what_is_new(backed: Backed) -> None:
    full = _part(backed.full, backed.key, "practice.bundle")
    incremental = _part(backed.incremental, backed.key, "practice.bundle")
    assert len(incremental) < len(full) / 10
    head = git(backed.practice, "rev-parse", "HEAD~1").strip()
    assert f"-{head}".encode() in incremental.split(b"\n\n", 1)[0]  # its prerequisite
    assert backed.incremental.name.startswith("000002-")
    assert backed.incremental.name.endswith("-incremental.age")


def test_verify_restores_nothing_it_leaves(backed: Backed, tmp_path: Path) -> None:
    before = sorted(os.listdir(backed.folder))
    result = run_beanfirm(
        "backup", "--verify", str(backed.folder), "--identity", str(backed.key), cwd=tmp_path
    )
    assert result.code == 0, result.err
    assert result.out.startswith(f"Verified: backup {backed.incremental.stem}")
    assert sorted(os.listdir(backed.folder)) == before
    assert list(tmp_path.iterdir()) == []


def _attack(backed: Backed, tmp_path: Path) -> tuple[Path, Path, Path]:
    """Copy the two backups (with their labels) into a folder to tamper with."""
    folder = tmp_path / "copy"
    shutil.copytree(backed.folder, folder)
    return folder, folder / backed.full.name, folder / backed.incremental.name


def _refused(folder: Path, key: Path, tmp_path: Path, *needles: str) -> None:
    target = tmp_path / "restored"
    with pytest.raises(BackupError) as raised:
        restore([folder], read_identities(key), target, jobs=1)
    for needle in needles:
        assert needle in str(raised.value), (needle, str(raised.value))
    assert not target.exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".restored")] == []


@pytest.mark.parametrize("where", [40, 200, -1], ids=["header", "payload", "last-byte"])
def test_a_flipped_byte_is_refused(backed: Backed, tmp_path: Path, where: int) -> None:
    folder, full, _ = _attack(backed, tmp_path)
    data = bytearray(full.read_bytes())
    data[where] ^= 0x01
    full.write_bytes(bytes(data))
    _refused(folder, backed.key, tmp_path, str(full), "is damaged", "another copy")


def test_a_truncated_file_is_refused(backed: Backed, tmp_path: Path) -> None:
    folder, _, incremental = _attack(backed, tmp_path)
    incremental.write_bytes(incremental.read_bytes()[:-100])
    _refused(folder, backed.key, tmp_path, str(incremental), "is damaged")


def _reseal(path: Path, manifest: bytes, key: Path, recipient: str) -> None:
    """Put another manifest into a backup, as someone with the public key could."""
    identity = read_identities(key)
    plain = io.BytesIO(pyrage.decrypt(path.read_bytes(), identity))
    buffer = io.BytesIO()
    with tarfile.open(fileobj=plain) as archive, tarfile.open(fileobj=buffer, mode="w") as forged:
        for member in archive.getmembers():
            data = manifest if member.name == "manifest.json" else archive.extractfile(member)
            assert data is not None
            content = data if isinstance(data, bytes) else data.read()
            member.size = len(content)
            forged.addfile(member, io.BytesIO(content))
    sealed = pyrage.encrypt(buffer.getvalue(), [pyrage.x25519.Recipient.from_str(recipient)])
    path.write_bytes(sealed)


def _manifest(path: Path, key: Path) -> bytes:
    return _part(path, key, "manifest.json")


def test_a_swapped_manifest_is_refused(backed: Backed, tmp_path: Path) -> None:
    folder, full, incremental = _attack(backed, tmp_path)
    _reseal(incremental, _manifest(full, backed.key), backed.key, backed.recipient)
    _refused(folder, backed.key, tmp_path, str(incremental), "holds the manifest of backup")


def test_a_manifest_renamed_to_fit_is_refused(backed: Backed, tmp_path: Path) -> None:
    folder, full, incremental = _attack(backed, tmp_path)
    manifest = _manifest(full, backed.key).replace(
        backed.full.stem.encode(), backed.incremental.stem.encode()
    )
    _reseal(incremental, manifest, backed.key, backed.recipient)
    _refused(folder, backed.key, tmp_path, str(incremental), "does not match the parts")


def test_a_missing_link_is_refused(backed: Backed, tmp_path: Path) -> None:
    folder, full, incremental = _attack(backed, tmp_path)
    full.unlink()
    _refused(folder, backed.key, tmp_path, str(incremental), backed.full.name, "is missing")


def test_a_remade_link_is_refused(backed: Backed, tmp_path: Path) -> None:
    folder, full, incremental = _attack(backed, tmp_path)
    # The same contents encrypted again, as anyone with the public key can: another file.
    _reseal(full, _manifest(full, backed.key), backed.key, backed.recipient)
    _refused(folder, backed.key, tmp_path, str(full), str(incremental), "not the backup")


def test_another_full_backup_in_its_place_is_refused(backed: Backed, tmp_path: Path) -> None:
    folder, full, _ = _attack(backed, tmp_path)
    made = _backup(backed.practice, "--full", "--to", str(tmp_path / "other"))
    shutil.copyfile(made, full)
    _refused(folder, backed.key, tmp_path, str(full), f"the file named {made.name}")


def test_a_wrong_key_is_refused(backed: Backed, tmp_path: Path) -> None:
    target = tmp_path / "restored"
    result = run_beanfirm(
        "restore",
        str(backed.incremental),
        str(backed.full),
        "--to",
        str(target),
        "--identity",
        str(backed.stranger),
        cwd=tmp_path,
    )
    assert_user_error(result, 1, str(backed.incremental), "other key holders", "--identity")
    assert not target.exists()


def test_restore_never_writes_over_a_folder(backed: Backed, tmp_path: Path) -> None:
    target = tmp_path / "books"
    target.mkdir()
    (target / "keep.txt").write_text("mine\n", encoding="utf-8")
    result = run_beanfirm(
        "restore",
        str(backed.folder),
        "--to",
        str(target),
        "--identity",
        str(backed.key),
        cwd=tmp_path,
    )
    assert_user_error(result, 1, str(target), "not empty")
    assert [p.name for p in target.iterdir()] == ["keep.txt"]


def test_a_private_key_in_the_registry_is_refused(backed: Backed, tmp_path: Path) -> None:
    practice = tmp_path / "practice"
    shutil.copytree(backed.practice, practice)
    secret = backed.key.read_text(encoding="utf-8").splitlines()[1]
    registry = practice / "clients.yaml"
    text = registry.read_text(encoding="utf-8")
    registry.write_text(text.replace(backed.recipient, secret), encoding="utf-8")
    line = text.splitlines().index(f"    - {backed.recipient}") + 1
    result = run_beanfirm("backup", "--to", str(tmp_path / "out"), cwd=practice)
    assert_user_error(result, 2, f"clients.yaml:{line}", "not a public key")
    assert not (tmp_path / "out").exists()


def test_retention_keeps_what_a_kept_backup_needs(backed: Backed, tmp_path: Path) -> None:
    practice = tmp_path / "practice"
    shutil.copytree(backed.practice, practice)
    registry = practice / "clients.yaml"
    text = registry.read_text(encoding="utf-8")
    registry.write_text(text + "  full-every: 1\n  keep-fulls: 1\n", encoding="utf-8")
    commit_all(practice, "Keep one full backup")
    folder = tmp_path / "kept"
    first = _backup(practice, "--to", str(folder))
    second = _backup(practice, "--to", str(folder))
    assert first.name.endswith("-full.age"), first
    assert second.name.endswith("-incremental.age"), second
    before = tree_state(folder)
    dry = run_beanfirm("backup", "-n", "--to", str(folder), cwd=practice)
    assert dry.code == 0, dry.err
    assert "would be written (dry run)" in dry.out
    assert f"Retention would delete {first.stem}." in dry.out
    assert tree_state(folder) == before
    third = run_beanfirm("backup", "--to", str(folder), cwd=practice)
    assert third.code == 0, third.err
    assert f"Retention deleted {first.stem}." in third.out
    assert f"Retention deleted {second.stem}." in third.out
    left = sorted(p.name for p in folder.iterdir())
    assert len(left) == 2, left
    assert left[0].startswith("000003-"), left
    assert left[0].endswith("-full.age"), left


def test_a_mistake_elsewhere_in_the_registry_stops_no_backup(
    backed: Backed, tmp_path: Path
) -> None:
    practice = tmp_path / "practice"
    shutil.copytree(backed.practice, practice)
    registry = practice / "clients.yaml"
    registry.write_text(
        registry.read_text(encoding="utf-8").replace(
            "\nclients:\n", "\nclients:\n- nonsense: 1\n", 1
        ),
        encoding="utf-8",
    )
    assert run_beanfirm("check", cwd=practice).code == 2  # the registry is wrong...
    made = _backup(practice, "--to", str(tmp_path / "out"))  # ...and the backup still runs
    assert made.name.endswith("-full.age")
