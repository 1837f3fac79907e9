"""Typed names for the Beancount values beanfirm passes around: entries, options, errors, meta.

Beancount 3 ships its types (`py.typed`): a directive, a posting or an amount is typed where it
passes, as `beancount.core.data` declares it. This module names what Beancount leaves loose or
spells long. Two things stay `Any` because Beancount types them so: a metadata value
(`data.Meta` is `dict[str, Any]`; a value is a string, a number, a date, an amount or a
boolean) and the values of a `custom` directive.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, TypeAlias, TypedDict

from beancount.core import data

if TYPE_CHECKING:
    from typing_extensions import ReadOnly  # typing.ReadOnly from Python 3.13

Directive: TypeAlias = data.Directive
# The entries the loader returns, a plugin is given and returns.
Entries: TypeAlias = list[data.Directive]
Meta: TypeAlias = data.Meta
# An error of the loader, the parser or a plugin: `source` (file and line), `message`, `entry`.
BeanError: TypeAlias = data.BeancountError


class Options(TypedDict, total=False):
    """The options map of a ledger: the options beanfirm reads, never changes.

    Beancount types the whole map `Any` (`beancount.loader.OptionsMap`); the types here are
    those its parser gives (`beancount.parser.options`). Read-only items, so that Fava's own
    `BeancountOptions` fits too.
    """

    filename: ReadOnly[str]
    title: ReadOnly[str]
    include: ReadOnly[Sequence[str]]
    documents: ReadOnly[Sequence[str]]
    operating_currency: ReadOnly[Sequence[str]]
    plugin: ReadOnly[Sequence[tuple[str, str | None]]]


def amount_of(item: data.Posting | data.Balance) -> tuple[Decimal, str]:
    """Return the number and currency of a posting or a balance assertion, as importers make them.

    Beancount's types leave both optional. Raises TypeError for a posting whose amount is left
    out (a parsed, unbooked entry).
    """
    amount = item.units if isinstance(item, data.Posting) else item.amount
    if amount is None or amount.number is None:
        message = f"the {type(item).__name__.lower()} on {item.account} has no amount"
        raise TypeError(message)
    return amount.number, amount.currency
