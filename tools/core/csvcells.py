"""CSV that a spreadsheet reads as data: a text cell that would start a formula is neutralised.

A cell beginning with `=`, `+`, `-`, `@`, a tab or a carriage return is a formula to Excel,
LibreOffice and Google Sheets (`=HYPERLINK(...)` in a narration becomes a live link). Every
CSV beanfirm writes goes through `CsvWriter`, which prefixes such a cell with a single quote,
the convention spreadsheet users expect (OWASP, "CSV Injection"). A number stays a number:
`-12.50` is written as it is, whether it arrives as a Decimal or as text. A CSV file someone
else wrote (a bank's export the portal sends as a document) goes through `neutralised_csv`.
"""

from __future__ import annotations

import codecs
import csv
import io
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

    def __init__(self, stream: TextIO, *, lineterminator: str, delimiter: str = ",") -> None:
        """Write to `stream`, cells apart by `delimiter`, each row ending with `lineterminator`."""
        self._writer = csv.writer(stream, lineterminator=lineterminator, delimiter=delimiter)

    def writerow(self, row: Iterable[object]) -> None:
        """Write one row."""
        self._writer.writerow([safe_cell(value) for value in row])

    def writerows(self, rows: Iterable[Iterable[object]]) -> None:
        """Write many rows."""
        for row in rows:
            self.writerow(row)


class UnreadableCsvError(ValueError):
    """A file sent as CSV that the csv module cannot read (its cells cannot be checked)."""


def neutralised_csv(data: bytes, delimiter: str = ",") -> bytes:
    """Return a CSV file's bytes with each cell that would start a formula passed by `safe_cell`.

    A file someone else wrote (a bank's export kept as a document), comma-separated as a
    spreadsheet opens a `.csv` (a `.tsv`: `delimiter` a tab). It stays in its own encoding:
    UTF-16 by its byte order mark, else read byte for byte (as Latin-1), which keeps every
    ASCII byte of UTF-8, GBK, GB18030 and Big5 for itself (their multi-byte characters never
    hold a comma, a tab, a quote or a line break, and a cell never starts inside one); a UTF-8
    byte order mark is set aside, since a spreadsheet reads the cell after it. A file with
    nothing to neutralise comes back as it was, byte for byte; else rows are written again,
    lines ending as the file's first does. Raise UnreadableCsvError when the csv module
    cannot read it, or it holds a NUL byte.
    """
    for bom, encoding in ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if data.startswith(bom):
            try:
                text = data[len(bom) :].decode(encoding)
            except UnicodeDecodeError as error:
                raise UnreadableCsvError(str(error)) from error
            kept = _neutralised_text(text, delimiter)
            return data if kept is None else bom + kept.encode(encoding)
    if b"\x00" in data:  # UTF-16 without its mark, or no text at all: cells cannot be found
        msg = "a NUL byte in a file that is not UTF-16 with its byte order mark"
        raise UnreadableCsvError(msg)
    bom = codecs.BOM_UTF8 if data.startswith(codecs.BOM_UTF8) else b""
    kept = _neutralised_text(data[len(bom) :].decode("latin-1"), delimiter)
    return data if kept is None else bom + kept.encode("latin-1")


def _neutralised_text(text: str, delimiter: str) -> str | None:
    """Return the CSV text with its formula cells neutralised, or None if none would start one."""
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as error:
        raise UnreadableCsvError(str(error)) from error
    if all(safe_cell(cell) == cell for row in rows for cell in row):
        return None
    first_end = text.find("\n")
    line_end = "\r\n" if first_end > 0 and text[first_end - 1] == "\r" else "\n"
    buffer = io.StringIO(newline="")
    CsvWriter(buffer, lineterminator=line_end, delimiter=delimiter).writerows(rows)
    written = buffer.getvalue()
    return written if text.endswith(("\n", "\r")) else written.removesuffix(line_end)
