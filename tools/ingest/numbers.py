"""Account numbers in a row's texts: whole tokens, an IBAN in full, a masked card's tail.

A row names one of the client's own accounts by its number only where the number stands as
itself, never as part of something else:

- **in full**, as a whole token: the digits of a number registered in clients.yaml, written
  together or in groups (`6214 8300 1234 5678`, `6214-8300-…`), with no digit or letter
  joined to either end, so that a number inside an order number (`订单编号…`) or inside another
  account's number does not count;
- **an IBAN in full**: an IBAN in the text (its check digits valid) matches only an account
  registered with that IBAN, never one whose number is part of it, and its digits are not
  read as other numbers;
- **a card's tail**: four digits after a mask or a marker (`****5678`, `尾号5678`,
  `ending in 5678`, `(5678)`, `#5678`), which match the last four digits of a registered
  number; a mask's visible start (`6222****5678`) must be the registered number's start too,
  or it is another card. A registered number of four digits or fewer matches only so.

`stated_numbers` tells whether a text states an account number (an IBAN, a card's tail), so
that a number which contradicts the registered one rules that account out: a name alone then
does not decide.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from beanfirm.importers.accountnumber import normalize_number

# Texts are NFKC-folded and lower-cased first, so a full-width bracket reads as `(`.
# In brackets only as a whole, `(5678)`: `(2024年…` is a year.
# A mask keeps the number's visible start (`6222****5678`): the first group.
TAIL_MARKERS = re.compile(
    r"(?:(\d*)\*+|尾号|末四位|(?<![a-z])ending in|(?<![a-z])ending|#)\s*(\d{4})(?!\d)"
    r"|\((\d{4})\)"
)
IBAN = re.compile(r"(?<![a-z0-9])[a-z]{2}\d{2}(?: ?[a-z0-9]){11,30}(?![a-z0-9])")
NUMBER = re.compile(r"(?<![a-z0-9])\d+(?:[ -]\d+)*(?![a-z0-9])")
MIN_DIGITS = 4
IBAN_MODULUS = 97


def is_iban(text: str) -> bool:
    """Tell whether a text, spaces aside, is an IBAN whose check digits are right."""
    compact = text.replace(" ", "").upper()
    if not re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]{11,30}", compact):
        return False
    moved = compact[4:] + compact[:4]
    return int("".join(str(int(char, 36)) for char in moved)) % IBAN_MODULUS == 1


def ibans(text: str) -> tuple[list[str], str]:
    """Return the IBANs in a folded text (upper case, no spaces) and the text without them."""
    found: list[str] = []

    def take(match: re.Match[str]) -> str:
        if not is_iban(match.group()):
            return match.group()
        found.append(match.group().replace(" ", "").upper())
        return " "

    return found, IBAN.sub(take, text)


def number_tokens(text: str) -> list[str]:
    """Return the numbers a text holds: whole tokens, and runs of their groups (`6214 8300`)."""
    found: list[str] = []
    for match in NUMBER.finditer(text):
        groups = re.split(r"[ -]", match.group())
        ends = range(len(groups) + 1)
        found += ["".join(groups[i:j]) for i in ends for j in ends if i < j]
    return found


@dataclass(frozen=True)
class NumbersIn:
    """The numbers one text holds: its IBANs, its other whole numbers, its marked tails."""

    ibans: frozenset[str]
    tokens: frozenset[str]
    tails: frozenset[tuple[str, str]]  # the visible start of a masked number ('' if none), tail


@functools.lru_cache(maxsize=4096)
def numbers_in(text: str) -> NumbersIn:
    """Return the numbers a folded text holds (each row's texts are asked once per account)."""
    found, rest = ibans(text)
    return NumbersIn(
        frozenset(found),
        frozenset(number_tokens(rest)),
        frozenset(
            (start, marked or bracketed) for start, marked, bracketed in TAIL_MARKERS.findall(text)
        ),
    )


def holds_number(texts: Sequence[str], number: str | None) -> bool:
    """Tell whether the texts hold a registered account number (see the module docstring)."""
    return number_held(texts, number) is not None


def number_held(texts: Sequence[str], number: str | None) -> Literal["whole", "tail"] | None:
    """Return how the texts hold a registered number: whole (or an IBAN), by its tail, or not.

    A tail is four digits: another party's card may end so too, so it names the account
    without confirming it (`transfers.transfer_target`).
    """
    registered = normalize_number(number or "")
    digits = re.sub(r"\D", "", registered)
    if len(digits) < MIN_DIGITS:
        return None
    iban = is_iban(registered)
    whole = not iban and registered.isdigit() and len(digits) > MIN_DIGITS
    found: Literal["whole", "tail"] | None = None
    for text in texts:
        held = numbers_in(text)
        if (iban and registered in held.ibans) or (whole and digits in held.tokens):
            return "whole"
        for start, tail in held.tails:
            if tail == digits[-MIN_DIGITS:] and start_agrees(start, digits):
                found = "tail"
    return found


def start_agrees(start: str, digits: str) -> bool:
    """Tell whether a masked number's visible start can be that of the registered digits.

    `6222****5678` is another card than `6214…5678`. A registered number too short to hold
    the start, a mask and the tail (only its last digits were registered) cannot say.
    """
    if len(digits) <= len(start) + MIN_DIGITS:
        return True
    return digits.startswith(start)


def stated_numbers(texts: Sequence[str]) -> bool:
    """Tell whether the texts state an account number where one is written: an IBAN, a tail.

    A bare number may be a date, an order or an amount; a payment method (`招商银行(9876)`)
    states its card's number as a tail.
    """
    return any(numbers_in(text).ibans or numbers_in(text).tails for text in texts)
