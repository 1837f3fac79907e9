"""A practice with a client waiting for review, for the tests of approve, review and audit."""

from __future__ import annotations

from pathlib import Path

from cli_support import BALANCED_ZH, HUAMEI_JANUARY
from conftest import git

WANG = "  - id: wang\n    name: Wang Reviewer\n    email: wang@firm.example\n    role: reviewer\n"


def add_staff(practice: Path, entry: str) -> None:
    """Add a staff member to clients.yaml and commit it (outside the client's folder)."""
    registry = practice / "clients.yaml"
    text = registry.read_text(encoding="utf-8")
    registry.write_text(text.replace("clients:\n", entry + "clients:\n", 1), encoding="utf-8")
    git(practice, "commit", "-qam", "Add a staff member")


def commit_as(practice: Path, email: str, relpath: str, text: str, message: str) -> str:
    """Append to a file and commit it as the staff member with `email`."""
    path = practice / relpath
    path.write_text(path.read_text(encoding="utf-8") + "\n" + text, encoding="utf-8")
    git(practice, "-c", "user.name=Someone", "-c", f"user.email={email}", "commit", "-qam", message)
    return git(practice, "rev-parse", "HEAD").strip()


def tags(practice: Path) -> list[str]:
    """Return the approval and send-back tags of the practice."""
    return git(practice, "tag", "--list", "beanfirm/*").split()


def make_reviewed(practice_with_client: Path) -> Path:
    """Make a practice whose client huamei was added by ana, with a reviewer wang and a bo commit."""
    add_staff(practice_with_client, WANG)
    commit_as(practice_with_client, "bo@firm.example", HUAMEI_JANUARY, BALANCED_ZH, "Taxi")
    return practice_with_client


def wang_commits_then_changes_email(practice: Path) -> None:
    """wang books a taxi himself, then his e-mail changes in clients.yaml (a commit of its own)."""
    commit_as(practice, "wang@firm.example", HUAMEI_JANUARY, BALANCED_ZH, "Wang's own taxi")
    registry = practice / "clients.yaml"
    text = registry.read_text(encoding="utf-8")
    registry.write_text(text.replace("wang@firm.example", "fang@firm.example"), encoding="utf-8")
    git(practice, "commit", "-qam", "Wang's new mailbox")
