"""A small element tree with line numbers, for the XML statement formats (OFX 2.x, CAMT.053).

`xml.etree` forgets where an element was, and a user needs `file:line` for a missing tag, so
statements are parsed with expat into `Node`s that keep their line. Namespaces are dropped
(CAMT.053 versions differ only in their namespace; `Node.namespace` keeps the root's). A
document type declaration is refused: bank statements never carry one, and refusing it rules
out entity-expansion and external-entity attacks. A file that is not well-formed raises
`NotWellFormedError`, which keeps expat's error code for a reader that can recover. Every walk
is iterative, so a deeply nested file cannot exhaust the stack.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from xml.parsers import expat

from beanfirm.errors import StatementError


@dataclass(eq=False)
class Node:
    """One element: its local name, attributes, text, children and line (equal if identical)."""

    tag: str
    line: int
    attrs: dict[str, str] = field(default_factory=dict)
    text: str = ""
    children: list[Node] = field(default_factory=list)
    namespace: str = ""

    def child(self, tag: str) -> Node | None:
        """Return the first direct child with this tag."""
        return next((node for node in self.children if node.tag == tag), None)

    def find(self, path: str) -> Node | None:
        """Return the first node along a `A/B/C` path of direct children."""
        node: Node | None = self
        for tag in path.split("/"):
            node = node.child(tag) if node is not None else None
        return node

    def findall(self, path: str) -> list[Node]:
        """Return every node along a `A/B/C` path (every match at each step)."""
        nodes = [self]
        for tag in path.split("/"):
            nodes = [child for node in nodes for child in node.children if child.tag == tag]
        return nodes

    def iter(self, *tags: str) -> Iterator[Node]:
        """Yield every descendant (and self) with one of these tags, in document order."""
        stack = [self]
        while stack:
            node = stack.pop()
            if node.tag in tags:
                yield node
            stack.extend(reversed(node.children))

    def text_at(self, path: str) -> str | None:
        """Return the stripped text at a path, None when the node is missing or empty."""
        node = self.find(path)
        text = node.text.strip() if node is not None else ""
        return text or None


class NotWellFormedError(StatementError):
    """An XML file expat refuses; `code` is expat's error code (`expat.errors.codes`)."""

    def __init__(self, filename: str, line: int | None, message: str, code: int) -> None:
        super().__init__(filename, line, message)
        self.code = code


def local_name(name: str) -> tuple[str, str]:
    """Split expat's `namespace tag` name into (namespace, tag)."""
    namespace, _, tag = name.rpartition(" ")
    return namespace, tag


class TreeBuilder:
    """Builds Nodes from expat's callbacks."""

    def __init__(self, parser: expat.XMLParserType, filename: str) -> None:
        self.parser = parser
        self.filename = filename
        self.stack: list[Node] = []
        self.root: Node | None = None

    def start(self, name: str, attrs: dict[str, str]) -> None:
        """Open an element."""
        namespace, tag = local_name(name)
        node = Node(
            tag,
            self.parser.CurrentLineNumber,
            {local_name(key)[1]: value for key, value in attrs.items()},
            namespace=namespace,
        )
        if self.stack:
            self.stack[-1].children.append(node)
        else:
            self.root = node
        self.stack.append(node)

    def end(self, name: str) -> None:  # noqa: ARG002 - expat checks that tags match
        """Close an element."""
        self.stack.pop()

    def data(self, text: str) -> None:
        """Add text to the open element."""
        if self.stack:
            self.stack[-1].text += text

    def doctype(self, *_: object) -> None:
        """Refuse a document type declaration."""
        raise StatementError(
            self.filename,
            self.parser.CurrentLineNumber,
            "the file declares a document type (<!DOCTYPE>), which bank statements never do; "
            "it is refused for safety. Export the statement again.",
        )


def parse_xml(data: bytes, filename: str) -> Node:
    """Parse an XML document into Nodes, or raise StatementError at the offending line."""
    parser = expat.ParserCreate(namespace_separator=" ")
    builder = TreeBuilder(parser, filename)
    parser.StartElementHandler = builder.start
    parser.EndElementHandler = builder.end
    parser.CharacterDataHandler = builder.data
    parser.StartDoctypeDeclHandler = builder.doctype
    parser.buffer_text = True
    try:
        parser.Parse(data, True)  # noqa: FBT003 - expat's own signature
    except expat.ExpatError as exc:
        raise NotWellFormedError(
            filename,
            exc.lineno,
            f"the file is not well-formed XML ({expat.errors.messages[exc.code]}, column "
            f"{exc.offset + 1}). It is truncated or damaged; export it again.",
            exc.code,
        ) from exc
    except LookupError as exc:  # expat asks Python for the declared encoding, which has none
        raise StatementError(
            filename,
            1,
            f"the XML declaration names an encoding that no reader knows ({exc}), so the file "
            "cannot be read. It is damaged or not a bank statement: export it again, in UTF-8 "
            "if the bank offers a choice.",
        ) from exc
    except (ValueError, UnicodeError) as exc:
        raise StatementError(
            filename, None, f"the XML file cannot be read ({exc}). Export it again."
        ) from exc
    if builder.root is None:  # pragma: no cover - expat reports a document without elements
        raise StatementError(filename, None, "the file holds no XML element.")
    return builder.root
