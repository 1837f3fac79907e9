"""Reading OFX 1.x SGML into the same `Node` tree as XML.

OFX 1.x is SGML whose leaf elements are usually not closed (`<TRNAMT>-9.99<FITID>3201…`),
while aggregates are (`</STMTTRN>`). The reader takes the tags in order:

- text after an opening tag makes that element a leaf, which the next tag closes;
- a closing tag closes its element and every element opened inside it and left open;
- an element closed that way without text was an empty leaf (`<MEMO><FITID>1`), so the
  elements read inside it are moved up to its parent, where they belong;
- but an aggregate whose content OFX fixes (`CONTENT`: `<BANKTRANLIST>` holds `<DTSTART>`,
  `<DTEND>` and `<STMTTRN>`s) is never a leaf: a tag it cannot hold ends it, as SGML lets an
  end tag be left out, and it keeps what it holds. Some banks never close `<BANKTRANLIST>`;
  read as an empty leaf, its `<STMTTRN>`s would move up out of it and be lost.

Tag names are upper-cased and entities (`&amp;`, `&lt;`, …) resolved; a bare `&` is kept.
A closing tag for an element that is not open, or an aggregate never closed (a truncated
file), is an error at its line.
"""

from __future__ import annotations

import re

from beanfirm.errors import StatementError
from beanfirm.importers.xmltree import Node

TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9._:-]*)\s*>")
ENTITIES = {"&amp;": "&", "&lt;": "<", "&gt;": ">", "&quot;": '"', "&apos;": "'", "&nbsp;": " "}
ENTITY = re.compile("|".join(re.escape(name) for name in ENTITIES), re.IGNORECASE)
# Aggregates that banks leave open, and the elements each may hold (per the OFX specification).
CONTENT: dict[str, frozenset[str]] = {
    "BANKTRANLIST": frozenset(("DTSTART", "DTEND", "STMTTRN")),
}


def unescape(text: str) -> str:
    """Resolve the entities SGML OFX uses; leave a bare `&` alone."""
    return ENTITY.sub(lambda found: ENTITIES[found.group(0).lower()], text)


class SgmlReader:
    """Builds a Node tree from OFX SGML, one tag at a time."""

    def __init__(self, filename: str, first_line: int) -> None:
        self.filename = filename
        self.root = Node("#document", first_line)
        self.stack = [self.root]
        self.leaf_open = False  # the top element got text and is closed by the next tag

    def text(self, chunk: str) -> None:
        """Give text to the open element."""
        value = unescape(chunk).strip()
        top = self.stack[-1]
        if value and top is not self.root and not top.children:
            top.text += value
            self.leaf_open = True

    def open(self, tag: str, line: int) -> None:
        """Open an element (closing a leaf that got text)."""
        if self.leaf_open:
            self.stack.pop()
            self.leaf_open = False
        while self.stack[-1].tag in CONTENT and tag not in CONTENT[self.stack[-1].tag]:
            self.stack.pop()  # an aggregate left open, ended by a tag it cannot hold
        node = Node(tag, line)
        self.stack[-1].children.append(node)
        self.stack.append(node)

    def close(self, tag: str, line: int) -> None:
        """Close an element and whatever was left open inside it."""
        self.leaf_open = False
        depth = next(
            (i for i in range(len(self.stack) - 1, 0, -1) if self.stack[i].tag == tag), None
        )
        if depth is None:
            raise StatementError(
                self.filename,
                line,
                f"</{tag}> closes an element that is not open. The file is damaged or not "
                "OFX; export it again.",
            )
        while len(self.stack) > depth + 1:
            self.implicit_close()
        self.stack.pop()

    def implicit_close(self) -> None:
        """Close the top element; an empty leaf hands the elements read in it to its parent."""
        node = self.stack.pop()
        parent = self.stack[-1]
        if not node.text and node.children and node.tag not in CONTENT:
            at = next(i for i, child in enumerate(parent.children) if child is node) + 1
            parent.children[at:at] = node.children
            node.children = []

    def finish(self) -> Node:
        """Close what is left: leaves may end the file, aggregates may not."""
        while len(self.stack) > 1:
            top = self.stack[-1]
            if top.children:
                raise StatementError(
                    self.filename,
                    top.line,
                    f"<{top.tag}> opened here is never closed: the file is truncated. "
                    "Download it again.",
                )
            self.implicit_close()
        return self.root


def parse_sgml(body: str, filename: str, first_line: int = 1) -> Node:
    """Return the tree of an OFX SGML body; `first_line` is the line `body` starts on."""
    reader = SgmlReader(filename, first_line)
    line = first_line
    position = 0
    for found in TAG.finditer(body):
        reader.text(body[position : found.start()])
        line += body.count("\n", position, found.start())
        tag = found.group(2).upper()
        if found.group(1):
            reader.close(tag, line)
        else:
            reader.open(tag, line)
        line += body.count("\n", found.start(), found.end())
        position = found.end()
    reader.text(body[position:])
    return reader.finish()
