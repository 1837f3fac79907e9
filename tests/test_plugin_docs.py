"""Every plugin has its page in docs/plugins/, and every configuration key is on it."""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

import pytest

import beanfirm.plugins

DOCS = Path(__file__).resolve().parent.parent / "docs" / "plugins"
PLUGINS = sorted(
    name
    for _finder, name, _ispkg in pkgutil.iter_modules(beanfirm.plugins.__path__)
    if hasattr(importlib.import_module(f"beanfirm.plugins.{name}"), "__plugins__")
)


def test_the_five_plugins_are_there() -> None:
    assert PLUGINS == ["categorized", "duplicates", "locked", "receivables", "reconciled"]


@pytest.mark.parametrize("name", PLUGINS)
def test_each_plugin_and_each_of_its_keys_is_documented(name: str) -> None:
    page = DOCS / f"{name}.md"
    assert page.is_file(), f"plugin {name} has no page docs/plugins/{name}.md"
    text = page.read_text(encoding="utf-8")
    assert f'plugin "beanfirm.plugins.{name}"' in text
    module = importlib.import_module(f"beanfirm.plugins.{name}")
    for key in module.KEYS:
        assert f"`{key}`" in text, f"key {key!r} of {name} is not on {page.name}"
    index = (DOCS / "README.md").read_text(encoding="utf-8")
    assert f"({name}.md)" in index
