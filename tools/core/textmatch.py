"""Matching the text of a bank row: substrings and regular expressions that work on Chinese.

Chinese has no spaces between words, so rules match by substring, never by word: `国家电网`
is found in `国家电网上海市电力公司`, with no word segmentation. Both sides are normalized
first (Unicode NFKC, then lowercase), so that full-width letters, digits and brackets
(U+FF01 to U+FF5E), which Chinese exports mix freely with ordinary ones, compare equal to
them, and ASCII compares without case. CJK characters have no case and NFKC leaves them as
they are, so they must match exactly.

A pattern written between slashes, `/…/`, is a regular expression (Python syntax), searched
anywhere in the NFKC-normalized text and case-insensitive, as in hledger's CSV rules;
`(?-i:…)` makes part of it case-sensitive.

Speed matters here: every row of an export is tried against every rule. A row's payee,
narration and counterparty are therefore normalized once into one string, and each field is
searched in place (`search(text, start, end)`); a condition's substrings are one compiled
alternation, so one regex search replaces a Python loop.
"""

from __future__ import annotations

import contextlib
import re
import unicodedata
from dataclasses import dataclass

# The fields of a row are joined by line breaks. No substring can hold one (rules files refuse
# control characters), and regular expressions are compiled with MULTILINE, so `.` never
# crosses from one field into the next and `^` and `$` match at each field's start and end.
SEPARATOR = "\n"
FLAGS = re.IGNORECASE | re.MULTILINE
PAYEE, NARRATION, COUNTERPARTY = 0, 1, 2


def normalized(text: str) -> str:
    """Return text in NFKC form: full-width letters, digits and brackets as ordinary ones."""
    return text if text.isascii() else unicodedata.normalize("NFKC", text)  # ASCII is NFKC


def folded(text: str) -> str:
    """Return text normalized and lowercased: the form substrings are compared in."""
    return normalized(text).lower()


def written_substring(text: str) -> str:
    r"""Return how a rules file writes a substring: as itself, unless it would read as a regex.

    Text that starts and ends with `/` (`/杂货/`) is written as the regular expression that
    finds it literally, its slashes escaped (`/\/杂货\//`), as docs/rules.md says.
    """
    if not (len(text) > 2 and text.startswith("/") and text.endswith("/")):  # noqa: PLR2004
        return text
    return "/" + re.escape(normalized(text)).replace("/", "\\/") + "/"


class PatternError(ValueError):
    """A pattern that cannot be compiled; the message says why."""


class RowText:
    """A row's payee, narration and counterparty, normalized once, for every rule to search."""

    __slots__ = ("folded", "folded_bounds", "normalized", "normalized_bounds")

    def __init__(self, *fields: str | None) -> None:
        """Prepare the fields (None for a field the row does not have)."""
        parts = [normalized(f).replace(SEPARATOR, " ") if f else "" for f in fields]
        self.normalized = SEPARATOR.join(parts)
        self.folded = self.normalized.lower()
        bounds = []
        start = 0
        for part in parts:
            bounds.append((start, start + len(part)))
            start += len(part) + 1
        self.normalized_bounds = tuple(bounds)
        # Lowercasing keeps lengths, but for a few letters (U+0130 becomes two characters).
        same = len(self.folded) == len(self.normalized)
        self.folded_bounds = self.normalized_bounds if same else _bounds(self.folded)


def _bounds(text: str) -> tuple[tuple[int, int], ...]:
    """Return (start, end) of each field of a joined text."""
    bounds = []
    start = 0
    while True:
        end = text.find(SEPARATOR, start)
        if end < 0:
            bounds.append((start, len(text)))
            return tuple(bounds)
        bounds.append((start, end))
        start = end + 1


@dataclass(frozen=True)
class Pattern:
    """A substring, or a regular expression written as `/…/`."""

    written: str
    needle: str
    regex: re.Pattern[str] | None

    @classmethod
    def parse(cls, written: str) -> Pattern:
        """Read a pattern as written in a rules file (raises PatternError)."""
        if len(written) > 2 and written.startswith("/") and written.endswith("/"):  # noqa: PLR2004
            source = written[1:-1]
            try:
                regex = re.compile(normalized(source), FLAGS)
            except re.error as exc:
                where = f" at position {exc.pos + 1}" if exc.pos is not None else ""
                msg = f"the regular expression {written} is invalid: {exc.msg}{where}"
                raise PatternError(msg) from exc
            return cls(written, source, regex)
        return cls(written, folded(written), None)

    def __str__(self) -> str:
        return self.written if self.regex is not None else f'"{self.written}"'


@dataclass(frozen=True)
class Patterns:
    """The patterns of one condition, any of which may occur, compiled to search fast."""

    patterns: tuple[Pattern, ...]
    literals: re.Pattern[str] | None
    regexes: tuple[re.Pattern[str], ...]

    @classmethod
    def of(cls, patterns: tuple[Pattern, ...]) -> Patterns:
        """Compile a condition's patterns."""
        needles = sorted({p.needle for p in patterns if p.regex is None}, key=len, reverse=True)
        literals = re.compile("|".join(re.escape(n) for n in needles)) if needles else None
        regexes = tuple(p.regex for p in patterns if p.regex is not None)
        if len(regexes) > 1:
            # One search instead of several, unless a pattern sets flags for itself.
            with contextlib.suppress(re.error):
                regexes = (re.compile("|".join(f"(?:{r.pattern})" for r in regexes), FLAGS),)
        return cls(patterns, literals, regexes)

    def search(self, row: RowText, field: int | None = None) -> bool:
        """Tell whether any pattern occurs in one field of the row, or in any (None)."""
        if self.literals is not None:
            start, end = (0, len(row.folded)) if field is None else row.folded_bounds[field]
            if self.literals.search(row.folded, start, end) is not None:
                return True
        if self.regexes:
            start, end = (0, len(row.normalized)) if field is None else row.normalized_bounds[field]
            for regex in self.regexes:
                if regex.search(row.normalized, start, end) is not None:
                    return True
        return False

    def search_text(self, text: str) -> bool:
        """Tell whether any pattern occurs in a text of its own (a metadata value)."""
        norm = normalized(text)
        if self.literals is not None and self.literals.search(norm.lower()) is not None:
            return True
        return any(regex.search(norm) is not None for regex in self.regexes)

    def __str__(self) -> str:
        return " or ".join(str(p) for p in self.patterns)
