"""Reading amounts from export cells exactly, as Decimal.

Accepted: thousands separators (`1,234.56`, or `1.234,56` / `1 234,56` with a decimal
comma), a sign before or after the number (`+10.00`, `-3.00`, `3.00-`), parenthesised
negatives (`(12.00)`), currency signs (`¥28.16`, `$5`, `€3`; stripped, the currency comes
from the config or a currency column) and ISO codes (`CNY 123.18`, `CNY13.50`, `12 EUR`; the
code is returned), and a trailing annotation in parentheses (`131.77(已退款89.84)`,
`-3.90(CN)`: the leading number counts). Placeholders (empty, `-`, `--`, `-------`, `/`) mean
"no amount". Anything else is an error: a cell that half-parses is never guessed at.

An amount with more decimal places than its currency has (`12.345` CNY; `minor_digits`, from
the ISO 4217 table Babel keeps) is no bank's figure but a damaged or half-read one; the readers
refuse it (`excess_places`), and never round it.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import NamedTuple

SPACES = "\t\u00a0\u3000\u2009\u202f "
PADDING = SPACES + "\r\n"  # what `clean` strips around a cell
SIGNS = "¥￥$€£"
PLACEHOLDER_CHARS = "-\u2014\u2013/*_"  # dashes, em/en dashes, slashes, stars
PLACEHOLDER = re.compile(f"^[{PLACEHOLDER_CHARS}]*$")
WHITESPACE = re.compile(r"\s+")
# A parenthesised note after the number, in ASCII or full-width parentheses.
ANNOTATION = re.compile(r"^(?P<head>.*?\d)\s*[(\uff08](?P<note>[^()\uff08\uff09]*)[)\uff09]$")
CODE = re.compile(
    r"^(?P<code>[A-Z]{3})\s*(?P<rest>[^A-Z].*)$|^(?P<rest2>.*[^A-Z\s])\s*(?P<code2>[A-Z]{3})$"
)
POINT_NUMBER = re.compile(r"^(\d{1,3}(,\d{3})+|\d+)(\.\d+)?$")
COMMA_NUMBER = re.compile(r"^(\d{1,3}([. \u00a0']\d{3})+|\d+)(,\d+)?$")
# What most cells hold: an optional minus and a number, no currency, no padding. `Decimal`
# reads these directly (the general `parse_amount` gives the same number, but slower).
# (`\d+` first: most numbers have no thousands separator, and the regex then never backtracks.)
PLAIN_POINT = re.compile(r"-?(?:\d+|\d{1,3}(?:,\d{3})+)(?:\.\d+)?")
PLAIN_COMMA = re.compile(r"-?(?:\d+|\d{1,3}(?:\.\d{3})+)(?:,\d+)?")
# Longer numbers go the general way, whose negation rounds to Decimal's 28 digits.
PLAIN_MAX_LENGTH = 28

# What spreadsheets and data tools write for a number that is not one, and `Decimal` reads as
# NaN or Infinity: in a balance column it is no masked figure but a broken one.
NON_FINITE = re.compile(r"[+-]?(?:[sq]?nan\d*|inf(?:inity)?)", re.IGNORECASE)

# Names that Chinese exports put in a currency column, and ISO codes as themselves.
CURRENCY_NAMES: dict[str, str] = {
    "人民币": "CNY",
    "人民币元": "CNY",
    "RMB": "CNY",
    "美元": "USD",
    "港币": "HKD",
    "港元": "HKD",
    "欧元": "EUR",
    "日元": "JPY",
    "英镑": "GBP",
    "澳元": "AUD",
    "加元": "CAD",
    "新加坡元": "SGD",
}
ISO_CODE = re.compile(r"^[A-Z]{3}$")
# ISO 4217 codes of no currency, whose minor unit the standard gives as "N.A." (precious
# metals, units of account, testing): an amount in them may have any number of places.
NO_MINOR_UNIT = frozenset(
    ("XAU", "XAG", "XPT", "XPD", "XDR", "XBA", "XBB", "XBC", "XBD", "XSU", "XUA", "XTS", "XXX")
)


class AmountError(ValueError):
    """A cell is not an amount; the message says why."""


class Money(NamedTuple):
    """An amount read from a cell, with the currency code the cell named, if any."""

    number: Decimal
    currency: str | None


def clean(text: str) -> str:
    """Strip the padding exports put around cells (spaces, tabs, full-width spaces)."""
    return text.strip(PADDING)


def is_non_finite(text: str) -> bool:
    """Tell whether a cell holds NaN or Infinity in one of their spellings (`nan`, `-inf`)."""
    return NON_FINITE.fullmatch(clean(text)) is not None


def is_placeholder(text: str) -> bool:
    """Tell whether a cell means "nothing here" (empty, dashes, a slash)."""
    return bool(PLACEHOLDER.match(clean(text)))


def text_value(cell: str) -> str | None:
    r"""Return a text cell cleaned, whitespace runs made one space; None for a placeholder.

    Most cells are printable text without double spaces, for which collapsing whitespace
    changes nothing (`\s` matches no printable character but the space), so the regular
    expressions run only on the others.
    """
    value = cell.strip(PADDING)
    if not value.isprintable() or "  " in value:
        value = WHITESPACE.sub(" ", value)
        return None if is_placeholder(value) else value
    if not value or (value[0] in PLACEHOLDER_CHARS and PLACEHOLDER.match(value)):
        return None
    return value


def plain_number_reader(decimal_mark: str) -> Callable[[str], Decimal | None]:
    """Return a reader of plain numbers (`-1,234.56`; `-1.234,56` with a decimal comma).

    It returns what `parse_amount` would give for a cleaned cell holding such a number and
    not zero, and None for any other cell, which the caller then reads with `parse_amount`
    (zero goes that way because `-0.00` there is `0.00`).
    """
    if decimal_mark == ".":
        point = PLAIN_POINT.fullmatch

        def read_point(text: str) -> Decimal | None:
            if len(text) > PLAIN_MAX_LENGTH or point(text) is None:
                return None
            number = Decimal(text.replace(",", "") if "," in text else text)
            return number or None

        return read_point
    comma = PLAIN_COMMA.fullmatch

    def read_comma(text: str) -> Decimal | None:
        if len(text) > PLAIN_MAX_LENGTH or comma(text) is None:
            return None
        number = Decimal(text.replace(".", "").replace(",", "."))
        return number or None

    return read_comma


@functools.cache
def minor_digits(currency: str) -> int | None:
    """Return how many decimal places a currency's amounts have (CNY 2, JPY 0, KWD 3).

    From Babel's ISO 4217 data; None for a code it does not list as a currency (`BTC`, a
    made-up code, gold), whose amounts are not checked.
    """
    from babel.numbers import get_currency_precision, list_currencies  # noqa: PLC0415 - lazily

    if currency in NO_MINOR_UNIT or currency not in list_currencies():
        return None
    return int(get_currency_precision(currency))


def decimal_places(number: Decimal) -> int:
    """Return how many decimal places a number's value has: `12.340` has 2, `0.00` none."""
    _, digits, exponent = number.as_tuple()
    if not isinstance(exponent, int) or exponent >= 0:
        return 0
    written = "".join(map(str, digits))
    significant = written.rstrip("0")
    if not significant:
        return 0
    return max(0, -exponent - (len(written) - len(significant)))


def excess_places(number: Decimal, currency: str) -> int | None:
    """Return the decimal places of an amount that has more than its currency has, else None.

    `12.345` CNY has 3, more than a fen; `12.340` is 12.34 and fine. A damaged cell, or a
    figure read from the wrong place (a rate, a quantity), is refused rather than rounded.
    """
    exponent = number.as_tuple().exponent
    allowed = minor_digits(currency)
    if allowed is None or not isinstance(exponent, int) or -exponent <= allowed:
        return None
    places = decimal_places(number)
    return places if places > allowed else None


def places_problem(currency: str, places: int) -> str:
    """Say why an amount with `places` decimal places is refused in its currency."""
    allowed = minor_digits(currency) or "none"
    return (
        f"it has {places} decimal places, but an amount in {currency} has {allowed}: the figure "
        "is damaged, half-read or not the bank's (nothing is rounded)"
    )


def currency_code(name: str) -> str | None:
    """Return the ISO code for a currency name or code, or None if unknown."""
    name = clean(name)
    if ISO_CODE.match(name):
        return name
    return CURRENCY_NAMES.get(name)


def split_sign(text: str) -> tuple[bool | None, str]:
    """Remove one sign (leading/trailing +/-, or parentheses).

    Return (negative, rest), where negative is None when the text had no sign.
    """
    text = text.replace("\u2212", "-")
    if text.startswith("(") and text.endswith(")"):
        return True, text[1:-1].strip()
    if text[:1] and text[:1] in "+-":
        return text[0] == "-", text[1:].strip()
    if text[-1:] and text[-1:] in "+-":
        return text[-1] == "-", text[:-1].strip()
    return None, text


def parse_number(text: str, decimal_mark: str) -> Decimal:
    """Parse an unsigned number with thousands separators into a Decimal."""
    pattern = POINT_NUMBER if decimal_mark == "." else COMMA_NUMBER
    if not pattern.match(text):
        separator = "a decimal point" if decimal_mark == "." else "a decimal comma"
        raise AmountError(f"'{text}' is not a number written with {separator}")
    if decimal_mark == ".":
        plain = text.replace(",", "")
    else:
        plain = re.sub(r"[. \u00a0']", "", text).replace(",", ".")
    try:
        return Decimal(plain)
    except InvalidOperation as exc:  # pragma: no cover - the pattern admits only digits
        raise AmountError(f"'{text}' is not a number") from exc


def parse_amount(text: str, decimal_mark: str = ".") -> Money | None:
    """Return the amount in a cell, None for a placeholder; raise AmountError otherwise."""
    raw = clean(text)
    if is_placeholder(raw):
        return None
    body = raw
    annotated = ANNOTATION.match(body)
    if annotated and not re.fullmatch(r"[\d.,\s]*", annotated["note"]):
        body = annotated["head"].strip()
    currency: str | None = None
    coded = CODE.match(body)
    if coded:
        currency = coded["code"] or coded["code2"]
        body = (coded["rest"] or coded["rest2"]).strip()
    if body.endswith("元"):
        body = body[:-1].strip()
    negative, body = split_sign(body.strip(SIGNS + " "))
    body = body.strip(SIGNS + " ")
    again, body = split_sign(body)
    if negative is not None and again is not None:
        raise AmountError(f"'{raw}' has two signs")
    negative = negative or again
    if not body:
        raise AmountError(f"'{raw}' has no digits")
    number = parse_number(body, decimal_mark)
    return Money(-number if negative else number, currency)


def plain_amount(text: str) -> Decimal:
    """Read an amount a person wrote (`86400.00`, `86,400.00`, `-1250.50`) as a Decimal.

    For a figure typed on the command line or in a config file, where the currency is known:
    read as `parse_amount` reads a cell, so what half-parses (`4,9767.23`, `8,0,0,0`, `1e3`,
    `49.767,23`) is refused, never guessed; a placeholder or a currency code is refused too
    (raises AmountError).
    """
    money = parse_amount(text)
    if money is None:
        raise AmountError(f"'{text}' has no amount")
    if money.currency is not None:
        raise AmountError(f"'{text}' names a currency; give the number alone")
    return money.number
