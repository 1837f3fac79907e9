"""`beanfirm init DIR`: a new practice under git, or nothing at all."""

from __future__ import annotations

import os
import stat
from typing import TYPE_CHECKING

import pytest
import yaml
from cli_support import assert_user_error, is_ignored
from conftest import git, run_beanfirm

if TYPE_CHECKING:
    from pathlib import Path

INIT = (
    "init",
    "--firm",
    "Test Firm",
    "--staff-id",
    "ana",
    "--staff-name",
    "Ana Partner",
    "--staff-email",
    "ana@firm.example",
)


def _init(folder: Path, *overrides: str) -> tuple[int, str, str]:
    args = list(INIT)
    for option, value in zip(overrides[::2], overrides[1::2], strict=True):
        args[args.index(option) + 1] = value
    result = run_beanfirm(args[0], str(folder), *args[1:], cwd=folder.parent)
    return result.code, result.out, result.err


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_init_creates_a_practice_with_one_commit(tmp_path: Path) -> None:
    folder = tmp_path / "firm"
    code, out, err = _init(folder)
    assert code == 0, err
    assert out.startswith("Created practice ")
    assert git(folder, "rev-list", "--count", "HEAD").strip() == "1"
    assert git(folder, "log", "-1", "--format=%an <%ae>|%s") == (
        "Ana Partner <ana@firm.example>|Start the practice of Test Firm\n"
    )
    assert git(folder, "ls-files").splitlines() == [
        ".gitattributes",
        ".gitignore",
        "clients.yaml",
        "ledgers/.gitkeep",
    ]
    assert "beanfirm" in git(folder, "config", "--get", "merge.beanfirm.driver")
    assert "beanfirm.review.gitdriver" in git(folder, "config", "--get", "diff.beanfirm.command")
    attributes = (folder / ".gitattributes").read_text(encoding="utf-8").splitlines()
    assert {"*.beancount merge=beanfirm", "*.beancount diff=beanfirm"} <= set(attributes)
    assert git(folder, "status", "--porcelain", "--untracked-files=all") == ""
    assert (folder / "ledgers").is_dir()
    registry = yaml.safe_load((folder / "clients.yaml").read_text(encoding="utf-8"))
    assert registry == {
        "firm": {
            "name": "Test Firm",
            "staff": [
                {"id": "ana", "name": "Ana Partner", "email": "ana@firm.example", "role": "partner"}
            ],
        },
        "clients": [],
    }
    # Files a colleague or a Fava service must read get the usual permissions, not 0600.
    for name in ("clients.yaml", ".gitignore"):
        assert stat.S_IMODE((folder / name).stat().st_mode) == 0o666 & ~_umask(), name


def test_new_practice_is_usable_at_once(tmp_path: Path) -> None:
    folder = tmp_path / "firm"
    assert _init(folder)[0] == 0
    listed = run_beanfirm("clients", "list", "--format", "csv", cwd=folder)
    assert (listed.code, listed.err) == (0, "")
    assert listed.out.splitlines() == [
        "id,name,industry,frequency,region,size,preparer,reviewer,currency,language,reconcile"
    ]
    checked = run_beanfirm("check", "--json", cwd=folder)
    assert (checked.code, checked.out.strip()) == (0, "[]")


def test_gitignore_covers_picklecache_and_inboxes(tmp_path: Path) -> None:
    folder = tmp_path / "firm"
    assert _init(folder)[0] == 0
    ignored = (
        "ledgers/acme/.main.beancount.picklecache",
        ".main.beancount.picklecache",
        "ledgers/acme/inbox/2025-01-icbc.csv",
        "ledgers/acme/inbox/alipay/2025-01.csv",
        ".beanfirm/cache/check/acme.json",
    )
    kept = (
        "clients.yaml",
        "ledgers/acme/main.beancount",
        "ledgers/acme/accounts.beancount",
        "ledgers/acme/journal/2025/01.beancount",
        "ledgers/acme/documents/Assets/Bank/2025-01-31.statement.pdf",
        "ledgers/acme/rules.yaml",
    )
    assert {path: is_ignored(folder, path) for path in (*ignored, *kept)} == {
        **dict.fromkeys(ignored, True),
        **dict.fromkeys(kept, False),
    }
    # And for real files: git does not see a planted cache or a waiting bank export.
    for relpath in ignored[:4]:
        path = folder / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"data")
    assert git(folder, "status", "--porcelain", "--untracked-files=all") == ""


def test_init_in_an_existing_empty_folder(tmp_path: Path) -> None:
    folder = tmp_path / "firm"
    folder.mkdir()
    code, _out, err = _init(folder)
    assert code == 0, err
    assert git(folder, "rev-list", "--count", "HEAD").strip() == "1"


def test_init_refuses_a_non_empty_folder(tmp_path: Path) -> None:
    folder = tmp_path / "firm"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine\n", encoding="utf-8")
    result = run_beanfirm(INIT[0], str(folder), *INIT[1:], cwd=tmp_path)
    assert_user_error(result, 2, f"{folder} is not empty", "Choose another folder")
    assert sorted(p.name for p in folder.iterdir()) == ["notes.txt"]
    assert (folder / "notes.txt").read_text(encoding="utf-8") == "mine\n"


@pytest.mark.parametrize(
    ("option", "value", "complaint"),
    [
        ("--staff-id", "Ana Smith", "staff id 'Ana Smith' must be lowercase letters"),
        ("--staff-id", "../ana", "staff id '../ana' must be lowercase letters"),
        ("--staff-email", "not-an-email", "'not-an-email' is not an email address"),
    ],
)
def test_init_rejects_invalid_staff_and_creates_nothing(
    tmp_path: Path, option: str, value: str, complaint: str
) -> None:
    folder = tmp_path / "firm"
    code, out, err = _init(folder, option, value)
    assert (code, out) == (2, "")
    assert err.startswith("Error: The firm details are not valid:"), err
    assert complaint in err
    assert "Traceback" not in err
    assert not folder.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == []
