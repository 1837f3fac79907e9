"""Helpers for the plugin tests (tests/test_plugin_*.py): load inline ledgers, list findings."""

from __future__ import annotations

import sys
from pathlib import Path
from textwrap import dedent
from typing import Any

from beancount import loader

BEAN_CHECK = Path(sys.executable).parent / "bean-check"

# What a test compares: the finding's type (its severity is in the name), line and message.
Found = tuple[str, int, str]


def ledger(text: str) -> str:
    """Return inline ledger text without the test's indentation or the leading newline."""
    return dedent(text).lstrip("\n")


def line_of(text: str, needle: str, occurrence: int = 1) -> int:
    """Return the 1-based line number of the n-th line of `text` that contains `needle`."""
    found = [number for number, row in enumerate(text.splitlines(), 1) if needle in row]
    return found[occurrence - 1]


def found(errors: list[Any]) -> list[Found]:
    """Return errors as (type name, line, message), sorted by line."""
    rows = [(type(e).__name__, int(e.source["lineno"]), str(e.message)) for e in errors]
    return sorted(rows, key=lambda row: (row[1], row[0], row[2]))


def findings(text: str) -> list[Found]:
    """Load ledger text from a string and return every error, sorted by line."""
    _entries, errors, _options = loader.load_string(text)
    return found(errors)


def load(text: str) -> tuple[list[Any], list[Found]]:
    """Load ledger text; return its entries and its findings."""
    entries, errors, _options = loader.load_string(text)
    return entries, found(errors)


def file_findings(folder: Path, text: str) -> tuple[Path, list[Found]]:
    """Write ledger text to main.beancount in a folder, load that file, return its findings."""
    main = folder / "main.beancount"
    main.write_text(text, encoding="utf-8")
    _entries, errors, _options = loader.load_file(str(main))
    return main, found(errors)
