"""`ClientFilter`: alternatives within a field, AND across fields, registry order kept."""

from __future__ import annotations

import pytest

from beanfirm.firm.filters import ClientFilter
from beanfirm.store.registry import Classification, Client


def client(
    client_id: str,
    classification: tuple[str, str, str, str],
    preparer: str,
    reviewer: str,
    *,
    language: str = "zh",
    currency: str = "CNY",
) -> Client:
    return Client(
        id=client_id,
        name=client_id.title(),
        classification=Classification(*classification),
        preparer=preparer,
        reviewer=reviewer,
        currency=currency,
        fiscal_year_start="01-01",
        language=language,
        reconcile="monthly",
        accounts=(),
        line=1,
    )


CLIENTS = (
    client("huamei", ("retail", "high", "shanghai", "micro"), "li", "wang"),
    client("dongsheng", ("wholesale", "medium", "zhejiang", "small"), "zhao", "wang"),
    client("brightpath", ("consulting", "low", "shanghai", "small"), "li", "chen", language="en"),
    client("pacific", ("wholesale", "low", "guangdong", "medium"), "zhao", "chen", currency="USD"),
)


def selected(wanted: ClientFilter) -> list[str]:
    return [c.id for c in wanted.select(CLIENTS)]


def test_empty_filter_selects_everyone_in_registry_order() -> None:
    assert selected(ClientFilter()) == ["huamei", "dongsheng", "brightpath", "pacific"]


@pytest.mark.parametrize(
    ("wanted", "expected"),
    [
        (ClientFilter(industry=("wholesale",)), ["dongsheng", "pacific"]),
        (ClientFilter(frequency=("low",)), ["brightpath", "pacific"]),
        (ClientFilter(region=("shanghai",)), ["huamei", "brightpath"]),
        (ClientFilter(size=("small",)), ["dongsheng", "brightpath"]),
        (ClientFilter(preparer=("li",)), ["huamei", "brightpath"]),
        (ClientFilter(reviewer=("chen",)), ["brightpath", "pacific"]),
        (ClientFilter(staff=("wang",)), ["huamei", "dongsheng"]),
        (ClientFilter(staff=("zhao",)), ["dongsheng", "pacific"]),
        (ClientFilter(language=("en",)), ["brightpath"]),
        (ClientFilter(currency=("USD",)), ["pacific"]),
    ],
    ids=[
        "industry",
        "frequency",
        "region",
        "size",
        "preparer",
        "reviewer",
        "staff-as-reviewer",
        "staff-as-preparer",
        "language",
        "currency",
    ],
)
def test_each_field(wanted: ClientFilter, expected: list[str]) -> None:
    assert selected(wanted) == expected


@pytest.mark.parametrize(
    ("wanted", "expected"),
    [
        (ClientFilter(industry=("retail", "consulting")), ["huamei", "brightpath"]),
        (ClientFilter(frequency=("high", "medium")), ["huamei", "dongsheng"]),
        (ClientFilter(region=("zhejiang", "guangdong")), ["dongsheng", "pacific"]),
        (ClientFilter(size=("micro", "medium")), ["huamei", "pacific"]),
        (ClientFilter(preparer=("li", "zhao")), ["huamei", "dongsheng", "brightpath", "pacific"]),
        (ClientFilter(reviewer=("wang", "chen")), ["huamei", "dongsheng", "brightpath", "pacific"]),
        (ClientFilter(staff=("li", "chen")), ["huamei", "brightpath", "pacific"]),
        (ClientFilter(language=("zh", "en")), ["huamei", "dongsheng", "brightpath", "pacific"]),
        (ClientFilter(currency=("CNY", "EUR")), ["huamei", "dongsheng", "brightpath"]),
    ],
    ids=[
        "industry",
        "frequency",
        "region",
        "size",
        "preparer",
        "reviewer",
        "staff",
        "language",
        "currency",
    ],
)
def test_values_within_a_field_are_alternatives(wanted: ClientFilter, expected: list[str]) -> None:
    assert selected(wanted) == expected


@pytest.mark.parametrize(
    ("wanted", "expected"),
    [
        (ClientFilter(region=("shanghai",), size=("small",)), ["brightpath"]),
        (ClientFilter(industry=("wholesale",), frequency=("low",)), ["pacific"]),
        (ClientFilter(preparer=("li",), reviewer=("wang",)), ["huamei"]),
        (ClientFilter(staff=("wang",), language=("en",)), []),
        (ClientFilter(staff=("chen",), currency=("CNY",)), ["brightpath"]),
        (
            ClientFilter(industry=("retail", "wholesale"), region=("shanghai", "zhejiang")),
            ["huamei", "dongsheng"],
        ),
        (ClientFilter(staff=("li",), preparer=("zhao",)), []),
        (ClientFilter(industry=("farming",)), []),
    ],
)
def test_fields_combine_with_and(wanted: ClientFilter, expected: list[str]) -> None:
    assert selected(wanted) == expected


def test_matches_agrees_with_select() -> None:
    wanted = ClientFilter(region=("shanghai",), language=("en",))
    assert [wanted.matches(c) for c in CLIENTS] == [False, False, True, False]
