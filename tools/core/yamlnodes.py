"""Read YAML with line numbers, so that every problem in a config file names its line.

PyYAML's composer keeps a mark on each node; `NodeReader` walks the node tree, converts
scalars with the safe constructor and collects `Problem`s (unknown keys with a suggestion,
wrong types, missing keys) instead of raising, so that a file's every mistake is reported
at once.
"""

from __future__ import annotations

import difflib
import unicodedata
from typing import TYPE_CHECKING

import yaml

from beanfirm.errors import Problem

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping


def line_of(node: yaml.Node) -> int:
    """Return the 1-based line where a node starts."""
    return int(node.start_mark.line) + 1


_FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class NodeReader:
    """Turns YAML nodes into Python values, collecting problems with their lines."""

    def __init__(self, filename: str) -> None:
        self.filename = filename
        self.problems: list[Problem] = []
        self._constructor = yaml.SafeLoader("")

    def problem(self, node: yaml.Node | None, message: str) -> None:
        """Record a problem at a node's line."""
        self.problems.append(Problem(self.filename, line_of(node) if node else None, message))

    def compose(self, text: str) -> yaml.Node | None:
        """Parse text into a node tree, or record the syntax error and return None.

        libyaml parses a 200-client registry in a tenth of the time of pure-Python YAML, so it
        reads the file when PyYAML has it; a file it refuses is read again in pure Python, whose
        messages and marks are the ones the error below words for the user.
        """
        try:
            return yaml.compose(text, Loader=_FAST_LOADER)
        except yaml.YAMLError:
            pass
        try:
            return yaml.compose(text, Loader=yaml.SafeLoader)
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            what = exc.problem or exc.context or "invalid YAML"
            if exc.context_mark and mark and mark.index >= len(text.rstrip()):
                # The file ended inside something left open (a quote, a bracket): the end of
                # the file is no help, the line where it was opened is.
                mark = exc.context_mark
                what = f"{what} {exc.context}" if exc.context else what
            line = int(mark.line) + 1 if mark else None
            self.problems.append(
                Problem(
                    self.filename,
                    line,
                    f"YAML syntax error: {what}. Fix the syntax near this line "
                    "(check indentation, colons and quotes).",
                )
            )
            return None
        except yaml.YAMLError as exc:
            self.problems.append(Problem(self.filename, None, f"YAML error: {exc}"))
            return None

    def mapping(
        self,
        node: yaml.Node,
        what: str,
        *,
        allowed: Iterable[str],
        required: Iterable[str] = (),
    ) -> dict[str, yaml.Node]:
        """Read a mapping whose keys must be among `allowed`; report unknown and missing keys."""
        if not isinstance(node, yaml.MappingNode):
            self.problem(node, f"{what} must be a mapping of keys to values.")
            return {}
        allowed = list(allowed)
        result: dict[str, yaml.Node] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value)
            if key in result:
                self.problem(key_node, f"duplicate key '{key}' in {what}; keep only one.")
                continue
            if key not in allowed:
                close = difflib.get_close_matches(key, allowed, n=1)
                hint = f" Did you mean '{close[0]}'?" if close else ""
                self.problem(
                    key_node,
                    f"unknown key '{key}' in {what}.{hint} Allowed keys: {', '.join(allowed)}.",
                )
                continue
            result[key] = value_node
        for key in required:
            if key not in result:
                self.problem(node, f"{what} is missing the required key '{key}'.")
        return result

    def sequence(self, node: yaml.Node, what: str) -> list[yaml.Node]:
        """Read a list of nodes."""
        if isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:null":
            return []
        if not isinstance(node, yaml.SequenceNode):
            self.problem(node, f"{what} must be a list (items starting with '- ').")
            return []
        return list(node.value)

    def scalar(self, node: yaml.Node, what: str) -> object:
        """Convert a scalar node with YAML's safe rules; report a list or mapping."""
        if not isinstance(node, yaml.ScalarNode):
            self.problem(node, f"{what} must be a single value, not a list or mapping.")
            return None
        return self._constructor.construct_object(node)

    def string(self, node: yaml.Node, what: str) -> str | None:
        """Read a non-empty string (numbers are accepted and kept as written)."""
        if not isinstance(node, yaml.ScalarNode):
            self.problem(node, f"{what} must be a single value, not a list or mapping.")
            return None
        if node.tag == "tag:yaml.org,2002:null" or not str(node.value).strip():
            self.problem(node, f"{what} must not be empty.")
            return None
        value = str(node.value).strip()
        if any(unicodedata.category(c) == "Cc" for c in value):
            self.problem(node, f"{what} must be one line, without line breaks or tabs.")
            return None
        return value

    def choice(
        self, node: yaml.Node, what: str, choices: Mapping[str, str] | Iterable[str]
    ) -> str | None:
        """Read a string that must be one of `choices`."""
        value = self.string(node, what)
        options = list(choices)
        if value is not None and value not in options:
            self.problem(node, f"{what} is '{value}'; it must be one of: {', '.join(options)}.")
            return None
        return value
