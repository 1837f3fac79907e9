"""Statements of account and reminders: the languages they are written in, amounts and dates.

Their words are gettext messages in English (`Messages(language)("Statement date")`),
translated in the catalogues of `beanfirm.core.translation`; a test checks that every message
has its translation in every catalogue. The command line itself speaks English.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from beanfirm.core.translation import LANGUAGES, Words, language_name
from beanfirm.errors import UsageError


def check_language(language: str, *, where: str = "--lang") -> str:
    """Return the language if beanfirm writes it, else raise a UsageError that lists them."""
    if language in LANGUAGES:
        return language
    known = ", ".join(f"{code} ({language_name(code)})" for code in LANGUAGES)
    msg = (
        f"Unknown language '{language}' ({where}): statements and reminders are written in "
        f"{known}. Use one of these codes."
    )
    raise UsageError(msg)


class Messages(Words):
    """The words of a statement or reminder in one language: `Messages("zh")("Date")` is `日期`."""

    def __init__(self, language: str) -> None:
        super().__init__(check_language(language))


def money(number: Decimal) -> str:
    """Format an amount with thousands separators and at least two decimals: `-12,345.60`."""
    exponent = number.as_tuple().exponent
    places = max(2, -exponent) if isinstance(exponent, int) else 2
    return f"{number:,.{places}f}"


def day(date: datetime.date) -> str:
    """Format a date the same way in both languages (ISO 8601, as ledgers write it)."""
    return date.isoformat()
