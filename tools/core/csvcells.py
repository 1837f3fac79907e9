"""CSV that a spreadsheet reads as data: a text cell that would start a formula is neutralised.

A cell beginning with `=`, `+`, `-`, `@`, a tab or a carriage return is a formula to Excel,
LibreOffice and Google Sheets (`=HYPERLINK(...)` in a narration becomes a live link). Every
CSV beanfirm writes goes through `CsvWriter`, which prefixes such a cell with a single quote,
the convention spreadsheet users expect (OWASP, "CSV Injection"). A number stays a number:
`-12.50` is written as it is, whether it arrives as a Decimal or as text.
"""

from __future__ import annotations

import csv
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable
    from typing import TextIO

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def is_number(text: str) -> bool:
    """Return whether `text` is a finite decimal number and nothing else (`-12.50`, `+3`)."""
    if text != text.strip() or "_" in text:
        return False
    try:
        return Decimal(text).is_finite()
    except InvalidOperation:
        return False


def safe_cell(value: object) -> object:
    """Return a cell's value as it must be written: text that starts a formula gets a quote."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not is_number(value):
        return "'" + value
    return value


class CsvWriter:
    """A `csv.writer` whose every text cell goes through `safe_cell`."""

    def __init__(self, stream: TextIO, *, lineterminator: str) -> None:
        """Write to `stream`, ending each row with `lineterminator`."""
        self._writer = csv.writer(stream, lineterminator=lineterminator)

    def writerow(self, row: Iterable[object]) -> None:
        """Write one row."""
        self._writer.writerow([safe_cell(value) for value in row])

    def writerows(self, rows: Iterable[Iterable[object]]) -> None:
        """Write many rows."""
        for row in rows:
            self.writerow(row)
