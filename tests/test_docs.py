"""Every command and every option is documented (the Datasette habit), and the docs name what is."""

from __future__ import annotations

import importlib
import re
import tomllib
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from beanfirm.cli import cli
from beanfirm.importers import IMPORTER_NAMES
from beanfirm.store.registry import (
    ACCOUNT_KEYS,
    CLASSIFICATION_KEYS,
    CLIENT_KEYS,
    FIRM_KEYS,
    STAFF_KEYS,
)

DOCS = Path(__file__).resolve().parent.parent / "docs"
REPO = DOCS.parent


def _commands() -> list[tuple[str, click.Command]]:
    found: list[tuple[str, click.Command]] = []
    ctx = click.Context(cli)
    for name in cli.list_commands(ctx):  # the group imports each command's module when asked
        command = cli.get_command(ctx, name)
        assert command is not None, name
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


def _help_commands() -> list[str]:
    """Return the commands `beanfirm --help` lists."""
    text = CliRunner().invoke(cli, ["--help"]).output
    listing = text.split("\nCommands:\n", 1)[1]
    return [line.split()[0] for line in listing.splitlines() if line.startswith("  ")]


def _table_commands(page: Path) -> list[str]:
    """Return the command of each row of a page's command table (`beanfirm NAME ...` cells)."""
    rows = [line for line in page.read_text(encoding="utf-8").splitlines() if line[:1] == "|"]
    return [found.group(1) for row in rows if (found := re.search(r"`beanfirm ([a-z-]+)", row))]


@pytest.mark.parametrize("page", ["README.md", "docs/README.md"])
def test_command_tables_list_every_command_of_the_help(page: str) -> None:
    listed = _table_commands(REPO / page)
    assert sorted(listed) == sorted(set(listed)), f"{page} lists a command twice"
    assert set(listed) == set(_help_commands()), f"{page}'s command table and `beanfirm --help`"


def test_readme_links_each_command_to_its_page() -> None:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    for name in _help_commands():
        row = re.search(rf"^\| `beanfirm {name}\b.*$", text, re.MULTILINE)
        assert row, name
        assert f"(docs/{name}.md)" in row.group(0), (
            f"README's row of {name} links no docs/{name}.md"
        )


def test_readme_names_what_make_installs_as_root() -> None:
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    packages = {
        name
        for line in re.findall(r"apt-get install -y -qq ([^;]+);", makefile)
        for name in line.split()
    }
    assert {"chromium", "fonts-wqy-microhei"} <= packages
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for name in packages:
        assert f"`{name}`" in readme, f"README does not say that make installs {name}"


def test_registry_lists_every_importer_name() -> None:
    text = (DOCS / "registry.md").read_text(encoding="utf-8")
    section = text.split("#### Importer names", 1)[1].split("\n## ", 1)[0]
    listed = re.findall(r"^\| `([a-z0-9-]+)` \|", section, re.MULTILINE)
    assert sorted(listed) == sorted(IMPORTER_NAMES)


def _layers() -> list[list[str]]:
    """Return the packages of each layer of the layers contract, top first."""
    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = config["tool"]["importlinter"]["contracts"]
    layers: list[str] = next(c["layers"] for c in contracts if c["type"] == "layers")
    return [[name.strip() for name in layer.split("|")] for layer in layers]


def test_architecture_page_lists_the_layers_with_their_docstrings() -> None:
    text = (DOCS / "architecture.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| (\d+) \| `(beanfirm[.\w]*)` \| (.*) \|$", text, re.MULTILINE)
    expected = [(str(i), name) for i, layer in enumerate(_layers(), 1) for name in layer]
    assert [(layer, name) for layer, name, _holds in rows] == expected
    for _layer, name, holds in rows:
        doc = importlib.import_module(name).__doc__ or ""
        assert holds == doc.strip().splitlines()[0], f"{name}: its docstring and the page differ"
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "(docs/architecture.md)" in readme


def _resolves(dotted: str) -> bool:
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            found: object = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for attr in parts[cut:]:
            if not hasattr(found, attr):
                return False
            found = getattr(found, attr)
        return True
    return False


PAGES = sorted([REPO / "README.md", *DOCS.rglob("*.md")])


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.relative_to(REPO).as_posix())
def test_the_code_and_files_a_page_names_exist(page: Path) -> None:
    text = page.read_text(encoding="utf-8")
    for dotted in set(re.findall(r"`(beanfirm(?:\.[A-Za-z_]\w*)+)", text)):
        assert _resolves(dotted), f"{page.name} names `{dotted}`, which does not exist"
    pattern = r"`((?:tools|plugins|importers|tests|benchmarks|docs)/[^`\s*<>]+)`"
    for path in set(re.findall(pattern, text)):
        assert (REPO / path).exists(), f"{page.name} names `{path}`, which does not exist"
