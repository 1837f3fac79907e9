"""Edits of clients.yaml as text: an item appended or removed, a key set, comments kept.

The registry is a file people edit by hand, with comments and an order of their own, so a
command never dumps it anew: each edit finds the node it changes with PyYAML's composer (which
knows where every node starts and ends) and splices text in or out at those places. The caller
parses the result again (`parse_registry`) before anything is written.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import yaml

from beanfirm.errors import ConfigError
from beanfirm.store.registry import REGISTRY_FILENAME, parse_registry

if TYPE_CHECKING:
    from pathlib import Path

    from beanfirm.store.registry import Registry

Step = str | int  # a key of a mapping or the index of a sequence's item


def compose(text: str) -> yaml.MappingNode:
    """Return the registry's top-level mapping node, or raise a ConfigError."""
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    if not isinstance(root, yaml.MappingNode):
        msg = f"{REGISTRY_FILENAME} has no top-level mapping; run `beanfirm check` to see why."
        raise ConfigError(msg)
    return root


def value_of(node: yaml.Node, key: str) -> yaml.Node | None:
    """Return the value of a key of a mapping node, or None."""
    if not isinstance(node, yaml.MappingNode):
        return None
    return next((value for k, value in node.value if k.value == key), None)


def node_at(root: yaml.Node, path: tuple[Step, ...]) -> yaml.Node | None:
    """Return the node at a path of keys and indexes, or None where it does not exist."""
    node: yaml.Node | None = root
    for step in path:
        if node is None:
            return None
        if isinstance(step, int):
            if not isinstance(node, yaml.SequenceNode) or step >= len(node.value):
                return None
            node = node.value[step]
        else:
            node = value_of(node, step)
    return node


def content_end(node: yaml.Node) -> yaml.Mark:
    """Return where a node's last value ends (a block node's own end is the next token)."""
    while isinstance(node, (yaml.MappingNode, yaml.SequenceNode)) and node.value:
        if node.flow_style:
            break
        last = node.value[-1]
        node = last[1] if isinstance(last, tuple) else last
    return node.end_mark


def after_node(text: str, node: yaml.Node) -> int:
    """Return the index of the start of the line after a node's last value."""
    end = content_end(node)
    if end.column == 0:  # a block scalar ends at the start of the line after it
        return end.index
    newline = text.find("\n", end.index)
    return len(text) if newline < 0 else newline + 1


def block_item(value: Any, indent: int) -> str:
    """Return a value as one item of a block list, its dash at column `indent`."""
    dumped = yaml.safe_dump([value], allow_unicode=True, sort_keys=False, default_flow_style=False)
    pad = " " * indent
    return "".join(
        pad + line if line.strip() else line for line in dumped.splitlines(keepends=True)
    )


def scalar_text(value: object) -> str:
    """Return a scalar as YAML text on one line (a date unquoted, a string quoted if needed)."""
    dumped = yaml.safe_dump(value, allow_unicode=True, default_flow_style=True, width=10_000)
    return dumped.removesuffix("\n").removesuffix("\n...").strip()


def _splice(text: str, at: int, insert: str) -> str:
    head = text[:at]
    if head and not head.endswith("\n"):
        head += "\n"
    return head + insert + text[at:]


def _key_column(mapping: yaml.MappingNode) -> int:
    return int(mapping.value[0][0].start_mark.column) if mapping.value else 0


def append_item(text: str, path: tuple[Step, ...], value: Any, what: str) -> str:
    """Return the text with `value` appended to the block list at `path` (created if absent).

    `what` names the list in errors (`'staff'`, `the accounts of client 'x'`).
    """
    root = compose(text)
    parent = node_at(root, path[:-1])
    key = path[-1]
    if not isinstance(parent, yaml.MappingNode) or not isinstance(key, str):
        msg = f"{REGISTRY_FILENAME} has no mapping to hold {what}; run `beanfirm check`."
        raise ConfigError(msg)
    node = value_of(parent, key)
    if node is None:  # a new key at the end of its mapping, the list indented under it
        column = _key_column(parent)
        insert = " " * column + f"{key}:\n" + block_item(value, column + 2)
        return _splice(text, after_node(text, parent), insert)
    if isinstance(node, yaml.SequenceNode) and node.value:
        if node.flow_style:
            msg = (
                f"{what} in {REGISTRY_FILENAME} is a [flow, list] (line "
                f"{node.start_mark.line + 1}); beanfirm appends to a block list, so write each "
                "item on its own lines starting with '- ' and try again."
            )
            raise ConfigError(msg)
        # the new item's dash in the column of the others', after the last one's last line
        column = int(node.value[0].start_mark.column) - 2
        return _splice(text, after_node(text, node), block_item(value, max(column, 0)))
    if not (isinstance(node, yaml.SequenceNode) or node.tag == "tag:yaml.org,2002:null"):
        msg = (
            f"{what} in {REGISTRY_FILENAME} (line {node.start_mark.line + 1}) is not a list; "
            "run `beanfirm check` to see why."
        )
        raise ConfigError(msg)
    # `key: []` or `key:` with nothing: the value becomes a block list
    column = _key_column(parent) + 2
    start, end = node.start_mark.index, node.end_mark.index
    return text[:start].rstrip(" ") + "\n" + block_item(value, column) + text[end:].lstrip("\n")


def remove_item(text: str, path: tuple[Step, ...]) -> str:
    """Return the text without the block list's item at `path` (its lines, from its dash on)."""
    item = node_at(compose(text), path)
    if item is None:
        msg = f"{REGISTRY_FILENAME} has no item at {'/'.join(map(str, path))}."
        raise ConfigError(msg)
    start = text.rfind("\n", 0, item.start_mark.index) + 1
    return text[:start] + text[after_node(text, item) :]


def set_key(text: str, path: tuple[Step, ...], key: str, value: object) -> str:
    """Return the text with `key: value` in the block mapping at `path`, set or added last."""
    mapping = node_at(compose(text), path)
    if not isinstance(mapping, yaml.MappingNode) or mapping.flow_style or not mapping.value:
        msg = f"{REGISTRY_FILENAME} has no block mapping at {'/'.join(map(str, path))}."
        raise ConfigError(msg)
    current = value_of(mapping, key)
    if isinstance(current, yaml.ScalarNode):
        start, end = current.start_mark.index, current.end_mark.index
        return text[:start] + scalar_text(value) + text[end:]
    if current is not None:
        msg = (
            f"'{key}' in {REGISTRY_FILENAME} (line {current.start_mark.line + 1}) is not a "
            f"single value; write it as `{key}: {scalar_text(value)}` and try again."
        )
        raise ConfigError(msg)
    line = " " * _key_column(mapping) + f"{key}: {scalar_text(value)}\n"
    return _splice(text, after_node(text, mapping), line)


def validated(path: Path, text: str, what: str) -> Registry:
    """Parse an edited registry text; raise a ConfigError listing its problems, if any.

    `what` says what cannot be done (`Staff member 'x' cannot be added`).
    """
    registry, problems = parse_registry(path, text, check_ledgers=False)
    if problems or registry is None:
        msg = f"{what}: {REGISTRY_FILENAME} would not be valid, so nothing was written:"
        raise ConfigError(msg, tuple(problems))
    return registry
