"""Shared fixtures: the installed `beanfirm` command and temporary practices."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

BEANFIRM = Path(sys.executable).parent / "beanfirm"
STAFF_ENV = {"BEANFIRM_STAFF": "ana"}


@dataclass(frozen=True)
class Run:
    """The outcome of one `beanfirm` call."""

    code: int
    out: str
    err: str


def run_beanfirm(*args: str, cwd: Path, env: dict[str, str] | None = None) -> Run:
    """Run the installed `beanfirm` command as a user would."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("BEANFIRM_")}
    full_env.update(env or {})
    proc = subprocess.run(
        [str(BEANFIRM), *args], cwd=cwd, env=full_env, capture_output=True, text=True, check=False
    )
    return Run(proc.returncode, proc.stdout, proc.stderr)


def tree_state(folder: Path) -> dict[str, str]:
    """Hash every file under a folder (except caches and locks), to prove nothing changed."""
    state: dict[str, str] = {}
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder).as_posix()
        if rel.startswith(".beanfirm") or not path.is_file():
            if path.is_dir() and not rel.startswith(".beanfirm"):
                state[rel + "/"] = "dir"
            continue
        state[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    return state


def git(folder: Path, *args: str) -> str:
    """Run git in a folder and return its output."""
    return subprocess.run(
        ["git", *args], cwd=folder, capture_output=True, text=True, check=True
    ).stdout


@pytest.fixture
def practice(tmp_path: Path) -> Path:
    """A new practice with two staff members and no clients, committed."""
    folder = tmp_path / "practice"
    result = run_beanfirm(
        "init",
        str(folder),
        "--firm",
        "Test Firm",
        "--staff-id",
        "ana",
        "--staff-name",
        "Ana Partner",
        "--staff-email",
        "ana@firm.example",
        cwd=tmp_path,
    )
    assert result.code == 0, result.err
    registry = folder / "clients.yaml"
    text = registry.read_text(encoding="utf-8").replace(
        "clients: []",
        "  - id: bo\n    name: Bo Preparer\n    email: bo@firm.example\n    role: preparer\n"
        "clients: []",
    )
    registry.write_text(text, encoding="utf-8")
    git(folder, "commit", "-qam", "Add Bo")
    return folder


ADD_ZH = (
    "clients",
    "add",
    "huamei",
    "--name",
    "华美便利店",
    "--industry",
    "retail",
    "--frequency",
    "high",
    "--region",
    "shanghai",
    "--size",
    "micro",
    "--preparer",
    "bo",
    "--reviewer",
    "ana",
    "--opened",
    "2025-01-01",
    "--account",
    "Assets:1002-银行存款:工商银行,bank,icbc-debit,6222001",
)


@pytest.fixture
def practice_with_client(practice: Path) -> Path:
    """A practice with one Chinese client, `huamei`, added through the command line."""
    result = run_beanfirm(*ADD_ZH, cwd=practice, env=STAFF_ENV)
    assert result.code == 0, result.err
    # These tests count Beancount's own errors; beanfirm's plugins (which a new client gets,
    # see test_new_client_gets_beanfirms_checks) are tested in tests/test_plugin_*.py.
    without_plugins(practice, "huamei")
    return practice


def without_plugins(practice: Path, client_id: str) -> None:
    """Take beanfirm's plugin lines out of a test client's main.beancount, and commit."""
    main = practice / "ledgers" / client_id / "main.beancount"
    lines = main.read_text(encoding="utf-8").splitlines(keepends=True)
    main.write_text(
        "".join(row for row in lines if not row.startswith("plugin ")), encoding="utf-8"
    )
    git(practice, "commit", "-qam", "Test ledger without beanfirm's plugins")


def pytest_addoption(parser: pytest.Parser) -> None:
    """`--regen-goldens`: rewrite the golden files instead of comparing with them."""
    parser.addoption(
        "--regen-goldens",
        action="store_true",
        default=False,
        help="rewrite the golden files (importer samples, reports, the examples of docs/) "
        "from the current output",
    )
