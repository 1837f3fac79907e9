"""The client filter options shared by `clients list` and `status`."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

import click

from beanfirm.errors import UsageError
from beanfirm.firm.filters import ClientFilter
from beanfirm.store.registry import FREQUENCIES, LANGUAGES, SIZES

if TYPE_CHECKING:
    from collections.abc import Callable

    from beanfirm.store.practice import Practice
    from beanfirm.store.registry import Client

FILTER_FIELDS = (
    ("industry", None, "Only clients in this industry."),
    ("frequency", FREQUENCIES, "Only clients with this transaction frequency."),
    ("region", None, "Only clients in this region."),
    ("size", SIZES, "Only clients of this size."),
    ("preparer", None, "Only clients this staff id prepares."),
    ("reviewer", None, "Only clients this staff id reviews."),
    ("staff", None, "Only clients this staff id prepares or reviews."),
    ("language", LANGUAGES, "Only clients with this language."),
    ("currency", None, "Only clients with this base currency."),
)


def filter_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """Add the filter options (each repeatable) and pass a `client_filter` instead."""
    for name, choices, help_text in reversed(FILTER_FIELDS):
        func = click.option(
            f"--{name}",
            multiple=True,
            type=click.Choice(choices) if choices else str,
            help=help_text + " Repeat for alternatives.",
        )(func)

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        values = {name: tuple(kwargs.pop(name)) for name, _c, _h in FILTER_FIELDS}
        return func(*args, client_filter=ClientFilter(**values), **kwargs)

    return wrapper


def select_clients(practice: Practice, client_filter: ClientFilter) -> list[Client]:
    """Return the clients a filter selects; a staff id that does not exist is a usage error."""
    staff_ids = [member.id for member in practice.registry.firm.staff]
    unknown = client_filter.unknown_staff(staff_ids)
    if unknown:
        msg = (
            f"No staff member {', '.join(repr(s) for s in unknown)} in clients.yaml, so the "
            f"filter would match nothing. Staff ids are: {', '.join(staff_ids)}."
        )
        raise UsageError(msg)
    return client_filter.select(practice.registry.clients)
