"""docs/importers.md documents every config key, every preset, and its examples work."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from beanfirm.importers import IMPORTER_NAMES
from beanfirm.importers.csvconfig import COLUMN_KEYS, RULE_KEYS, TOP_KEYS, parse_config
from beanfirm.importers.presets import PRESETS

PAGE = Path(__file__).parents[2] / "docs" / "importers.md"


def test_every_config_key_is_documented() -> None:
    text = PAGE.read_text(encoding="utf-8")
    for key in (*TOP_KEYS, *COLUMN_KEYS, *RULE_KEYS):
        assert f"`{key}`" in text, key


def test_every_importer_name_is_documented() -> None:
    text = PAGE.read_text(encoding="utf-8")
    for name in IMPORTER_NAMES:
        assert f"`{name}`" in text, name


@pytest.mark.parametrize(
    "block",
    [
        b
        for b in re.findall(r"```yaml\n(.*?)```", PAGE.read_text("utf-8"), re.DOTALL)
        if "clients:" not in b
    ],
)
def test_the_example_configs_are_valid(block: str) -> None:
    config, problems = parse_config(block, "example.yaml", PRESETS)
    assert problems == []
    assert config is not None
