"""Comparing the account number an export states with the one clients.yaml records.

Exports write numbers in many ways: `6222 0212 3456 7899`, `1234****9876` (masked, and the
mask's length need not match the hidden digits), `10020030/1234567890` (MT940 bank code and
account), an IBAN with or without spaces. clients.yaml may hold the full number or only its
last digits. `account_number_matches(found, expected)` is true when both can be the same
account:

- spaces, dashes, dots, quotes and slashes are ignored and letters compared in upper case;
- a masked number (`*`, `x`, `X`, `•`) matches when its visible start and end are the
  start and end of the other number (a fully masked number matches anything);
- otherwise one must end with the other, which must be at least 4 characters long (so
  `9876` matches `6222021234567899876`, and `1234567890` matches the IBAN
  `DE89100200301234567890`).

Several registered accounts may match one stated number (an IBAN, the same account's domestic
number, a shorter suffix of it): `account_number_equals` tells the exact match, which wins.
"""

from __future__ import annotations

import re

MASKS = "*xX•●"
IGNORED = re.compile(r"[\s\-./'\"_:]")
MIN_SUFFIX = 4


def normalize_number(number: str) -> str:
    """Return the number without separators, in upper case (masks kept)."""
    return IGNORED.sub("", number).upper().replace("•", "*").replace("●", "*")


def masked_parts(number: str) -> tuple[str, str] | None:
    """Return the visible start and end of a masked number, None if it has no mask."""
    marked = re.sub("[*X]", "*", number)
    if "*" not in marked:
        return None
    start = marked[: marked.index("*")]
    end = marked[marked.rindex("*") + 1 :]
    return start, end


def masked_match(masked: str, other: str) -> bool:
    """Match a masked number against another (itself perhaps masked)."""
    parts = masked_parts(masked)
    if parts is None:  # pragma: no cover - called for masked numbers only
        return masked == other
    start, end = parts
    other_parts = masked_parts(other)
    if other_parts is not None:
        other_start, other_end = other_parts
        return (start.startswith(other_start) or other_start.startswith(start)) and (
            end.endswith(other_end) or other_end.endswith(end)
        )
    return other.startswith(start) and other.endswith(end) and len(start + end) <= len(other)


def account_number_matches(found: str, expected: str) -> bool:
    """Tell whether an export's account number and the registry's can be the same account."""
    ours, theirs = normalize_number(found), normalize_number(expected)
    if not ours or not theirs:
        return False
    if masked_parts(ours) is not None:
        return masked_match(ours, theirs)
    if masked_parts(theirs) is not None:
        return masked_match(theirs, ours)
    if ours == theirs:
        return True
    shorter, longer = sorted((ours, theirs), key=len)
    return len(shorter) >= MIN_SUFFIX and longer.endswith(shorter)


def account_number_equals(found: str, expected: str) -> bool:
    """Tell whether two account numbers are the same, separators aside and neither masked."""
    ours, theirs = normalize_number(found), normalize_number(expected)
    return bool(ours) and ours == theirs and masked_parts(ours) is None


def claims_number(stated: str, registered: str, rivals: tuple[str, ...] = ()) -> bool:
    """Tell whether the account registered as `registered` takes a file stating `stated`.

    The numbers must match; a match that is not exact yields to a rival account (another
    account configured beside it) registered with exactly the stated number.
    """
    if not account_number_matches(stated, registered):
        return False
    if account_number_equals(stated, registered):
        return True
    return not any(account_number_equals(stated, rival) for rival in rivals)
