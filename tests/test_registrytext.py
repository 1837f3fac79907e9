"""Edits of clients.yaml as text (`beanfirm.store.registrytext`): comments and order kept."""

from __future__ import annotations

import datetime

import pytest

from beanfirm.errors import ConfigError
from beanfirm.store.registrytext import append_item, remove_item, set_key

REGISTRY = """\
# the firm's registry
firm:
  name: F   # the firm
  staff:
    - id: ana   # the partner
      role: partner
    - id: bo
      role: preparer
  # staff above, nothing below
clients:
- id: acme
  name: Acme
  accounts: []
- id: zed
  name: Zed
# the end
"""


def test_append_item_goes_after_the_last_item_in_its_column() -> None:
    text = append_item(REGISTRY, ("firm", "staff"), {"id": "cy", "role": "reviewer"}, "'staff'")
    assert text == REGISTRY.replace(
        "      role: preparer\n", "      role: preparer\n    - id: cy\n      role: reviewer\n"
    )


def test_append_item_to_an_empty_or_missing_list() -> None:
    empty = append_item(REGISTRY, ("clients", 0, "accounts"), {"account": "Assets:Bank"}, "x")
    assert "  name: Acme\n  accounts:\n    - account: Assets:Bank\n- id: zed\n" in empty
    missing = append_item(REGISTRY, ("clients", 1, "accounts"), {"account": "Assets:Bank"}, "x")
    assert missing.endswith("  name: Zed\n  accounts:\n    - account: Assets:Bank\n# the end\n")


def test_append_item_refuses_a_flow_list_naming_its_line() -> None:
    flow = REGISTRY.replace("  accounts: []", "  accounts: [{account: Assets:Bank}]")
    with pytest.raises(ConfigError, match=r"\[flow, list\] \(line 13\)"):
        append_item(flow, ("clients", 0, "accounts"), {"account": "Assets:Cash"}, "accounts")


def test_remove_item_takes_its_lines_and_keeps_the_comments_around() -> None:
    text = remove_item(REGISTRY, ("firm", "staff", 0))
    assert text == REGISTRY.replace("    - id: ana   # the partner\n      role: partner\n", "")
    last = remove_item(REGISTRY, ("firm", "staff", 1))
    assert last == REGISTRY.replace("    - id: bo\n      role: preparer\n", "")
    assert "  # staff above, nothing below\n" in last


def test_set_key_adds_then_replaces_a_value() -> None:
    added = set_key(REGISTRY, ("clients", 1), "last-verified", datetime.date(2026, 3, 1))
    assert added.endswith("  name: Zed\n  last-verified: 2026-03-01\n# the end\n")
    replaced = set_key(added, ("clients", 1), "last-verified", datetime.date(2026, 4, 1))
    assert replaced == added.replace("2026-03-01", "2026-04-01")
    comment_kept = set_key(REGISTRY, ("firm",), "name", "G")
    assert "  name: G   # the firm\n" in comment_kept
