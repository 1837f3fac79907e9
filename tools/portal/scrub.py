"""Keep server paths out of what a client sees, and map the visible ones back.

Fava shows file names: document links, the errors page, the options page. Before a page
leaves the gateway, each server path it knows (the client's folder, the practice, Python's
installation) is replaced by a neutral stand-in in every form it can take in HTML, JSON and
URLs. A document link then reads `/books/documents/...`, and the gateway maps that back to
the client's folder when the link is followed.
"""

from __future__ import annotations

import html
import json
import re
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from urllib.parse import quote

BOOKS = "/books"
PRACTICE = "/practice"
PYTHON = "/python"

# Only these responses are rewritten; documents and static files pass as they are.
TEXT_TYPES = ("text/html", "application/json", "text/plain", "text/csv")


def _forms(path: str) -> list[str]:
    """Return the forms a path takes in pages, always the same number, in the same order.

    Duplicates are kept so that a server path and its stand-in pair up form by form (an
    ASCII stand-in has fewer distinct forms than a path with spaces or CJK characters).
    """
    escaped = json.dumps(path)[1:-1]  # JSON with non-ASCII escaped
    unescaped = json.dumps(path, ensure_ascii=False)[1:-1]
    return [
        path,
        escaped,
        unescaped,
        escaped.replace("/", "\\/"),
        unescaped.replace("/", "\\/"),
        html.escape(path),
        quote(path, safe="/"),
        quote(path, safe=""),
        quote(path, safe="/").replace("%", "%25"),
    ]


def _trie_pattern(words: Iterable[bytes]) -> bytes:
    """Return a regex matching any of the words, longest first, as a trie of alternatives."""
    trie: dict[int | None, dict[Any, Any]] = {}
    for word in words:
        node = trie
        for byte in word:
            node = node.setdefault(byte, {})
        node[None] = {}

    def branch(node: dict[int | None, dict[Any, Any]]) -> bytes:
        paths = [
            re.escape(bytes([byte])) + branch(child)
            for byte, child in sorted((k, v) for k, v in node.items() if k is not None)
        ]
        if not paths:
            return b""
        if len(paths) == 1 and None not in node:
            return paths[0]
        # Greedy `?`: a longer word is tried before the word that ends here.
        return b"(?:" + b"|".join(paths) + b")" + (b"?" if None in node else b"")

    return branch(trie)


class Scrubber:
    """Replacements for one client's pages, longest path first."""

    def __init__(self, ledger_dir: Path, practice_root: Path) -> None:
        self.ledger_dir = ledger_dir.resolve()
        pairs = [
            (str(self.ledger_dir), BOOKS),
            (str(ledger_dir), BOOKS),
            (str(practice_root.resolve()), PRACTICE),
            (str(practice_root), PRACTICE),
            (sys.prefix, PYTHON),
            (sys.base_prefix, PYTHON),
        ]
        pairs.sort(key=lambda pair: len(pair[0]), reverse=True)
        self._replacements: dict[bytes, bytes] = {}
        for real, virtual in pairs:
            for real_form, virtual_form in zip(_forms(real), _forms(virtual), strict=True):
                self._replacements.setdefault(real_form.encode(), virtual_form.encode())
        # One pass over the body with the paths as a trie: at a `/` that starts no server
        # path the match fails at once. The longest path matches, so a folder wins over its
        # parent.
        self._pattern = re.compile(_trie_pattern(self._replacements))

    def scrub(self, body: bytes) -> bytes:
        """Replace every server path in a response body."""
        return self._pattern.sub(lambda found: self._replacements[found.group(0)], body)

    def shown(self, text: str) -> str:
        """Return a piece of text (a file name, a metadata value) as a page would show it."""
        if "/" not in text:  # every server path has one: most values are done here
            return text
        return self.scrub(text.encode("utf-8", "surrogateescape")).decode(
            "utf-8", "surrogateescape"
        )

    def document_path(self, visible: str) -> str | None:
        """Map a `/books/documents/...` name back to the file, or None if it is elsewhere."""
        if not visible.startswith(f"{BOOKS}/documents/"):
            return None
        real = self.ledger_dir / visible[len(BOOKS) + 1 :]
        try:
            inside = real.resolve().is_relative_to(self.ledger_dir / "documents")
        except (OSError, ValueError):
            return None
        return str(real) if inside and ".." not in Path(visible).parts else None
