"""Every command and every option is documented (the Datasette habit)."""

from __future__ import annotations

from pathlib import Path

import click
import pytest

from beanfirm.cli import cli
from beanfirm.store.registry import (
    ACCOUNT_KEYS,
    CLASSIFICATION_KEYS,
    CLIENT_KEYS,
    FIRM_KEYS,
    STAFF_KEYS,
)

DOCS = Path(__file__).resolve().parent.parent / "docs"


def _commands() -> list[tuple[str, click.Command]]:
    found: list[tuple[str, click.Command]] = []
    for name, command in cli.commands.items():
        if isinstance(command, click.Group):
            found += [(f"{name} {sub}", cmd) for sub, cmd in command.commands.items()]
        else:
            found.append((name, command))
    return found


@pytest.mark.parametrize(("name", "command"), _commands(), ids=str)
def test_command_and_options_are_documented(name: str, command: click.Command) -> None:
    page = DOCS / f"{name.split(maxsplit=1)[0]}.md"
    assert page.is_file(), f"`beanfirm {name}` has no page {page.name} in docs/"
    text = page.read_text(encoding="utf-8")
    assert f"beanfirm {name}" in text
    for param in command.params:
        if isinstance(param, click.Option):
            assert any(opt in text for opt in param.opts), f"{name}: {param.opts} undocumented"


def test_registry_keys_are_documented() -> None:
    text = (DOCS / "registry.md").read_text(encoding="utf-8")
    for key in (*FIRM_KEYS, *STAFF_KEYS, *CLIENT_KEYS, *CLASSIFICATION_KEYS, *ACCOUNT_KEYS):
        assert f"`{key}`" in text, f"clients.yaml key {key!r} is not in docs/registry.md"


def test_readme_gives_the_two_commands() -> None:
    readme = (DOCS.parent / "README.md").read_text(encoding="utf-8")
    assert "make demo" in readme
    assert "make test" in readme
