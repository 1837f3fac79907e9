"""Fava's filters in a portal worker: linear-time regular expressions, file names as shown.

Fava's `filter=` (bare words, `payee:`, `narration:`, `filename:` and any metadata key) and
`account=` take a regular expression from the request and run it on Python's `re`, which
backtracks: `filename:"^(?:.+)+Z"` costs twice as much for each character of the path, and
froze a worker for minutes. A thread that runs it cannot be stopped, and a process per request
would cost a fork and a ledger's memory each time. So a worker replaces Fava's matcher
(`fava.core.filters.Match`) and its account filter (which also puts the request's text into a
pattern, through Beancount's `account.has_component`) with ones that run the pattern on RE2,
which has no backtracking: its time is linear in the text matched, whatever the pattern. A
pattern that RE2 does not take (look-around, back-references) or that is too large is compared
as plain text, as Fava itself does with a pattern that Python cannot compile.

Every value is matched as the client sees it on the page: a file name after the server's
folders are replaced by `/books`, `/practice` and `/python` (scrub.py), so that no filter can
find the server's folder names out one character at a time.

The gateway bounds the length of the filter parameters (limits.py), so a filter's cost is at
most its length times the text of the ledger.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, ClassVar

import fava.core
import re2
from fava.beans.account import get_entry_accounts
from fava.core import filters as fava_filters

if TYPE_CHECKING:
    from fava.beans.abc import Directive

# RE2's memory for one pattern (its default is 8 MiB); past it, RE2 leaves its DFA for a
# slower search that is still linear. RE2's module keeps at most 128 compiled patterns.
PATTERN_MEMORY = 1 << 20


def _options(*, case_sensitive: bool) -> re2.Options:
    options = re2.Options()
    options.case_sensitive = case_sensitive
    options.log_errors = False  # a pattern RE2 refuses is an answer, not a log line
    options.max_mem = PATTERN_MEMORY
    return options


_OPTIONS = _options(case_sensitive=False)  # Fava's filters ignore case (re.IGNORECASE)
_CASE_SENSITIVE = _options(case_sensitive=True)  # as Beancount's has_component


def _shown_as_is(text: str) -> str:
    return text


class BoundedMatch(fava_filters.Match):
    """Fava's `Match` on RE2, against the text a client sees."""

    __slots__ = ()
    shown: ClassVar[Callable[[str], str]] = _shown_as_is

    def __init__(self, search: str) -> None:  # Fava's Match, only on RE2 instead of re
        try:
            found = re2.compile(search, _OPTIONS).search
        except re2.error:
            self.match = lambda text: text == search
        else:
            self.match = lambda text: found(text) is not None

    def __call__(self, obj: object) -> bool:
        """Tell whether the pattern is found in the value as the page would show it."""
        return self.match(type(self).shown(str(obj)))


class BoundedAccountFilter(fava_filters.AccountFilter):
    """Fava's account filter: a parent account or a pattern, both matched on RE2."""

    __slots__ = ("_component",)

    def __init__(self, value: str) -> None:
        super().__init__(value)  # its pattern is a BoundedMatch once install() has run
        # Beancount's has_component, which puts the value into a pattern as it is.
        try:
            component = re2.compile(f"(^|:){value}(:|$)", _CASE_SENSITIVE).search
        except re2.error:
            self._component: Callable[[str], bool] = lambda name: value in name.split(":")
        else:
            self._component = lambda name: component(name) is not None

    def apply(self, entries: Sequence[Directive]) -> Sequence[Directive]:
        """Keep the entries with an account that has the component or matches the pattern."""
        if not self._value:
            return entries
        return [
            entry
            for entry in entries
            if any(self._component(name) or self._match(name) for name in get_entry_accounts(entry))
        ]


def install(shown: Callable[[str], str]) -> None:
    """Make Fava's filters in this process run on RE2, matching the text `shown` returns."""
    BoundedMatch.shown = shown
    # Fava looks these names up in its modules each time it builds a filter: replacing them
    # there reaches every filter it builds (AdvancedFilter and AccountFilter use Match;
    # FilteredLedger builds the AccountFilter).
    fava_filters.Match = BoundedMatch  # type: ignore[misc]
    fava.core.AccountFilter = BoundedAccountFilter  # type: ignore[attr-defined]
