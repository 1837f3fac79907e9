"""The parts of invoicing that need no practice: rates, line items, the VAT split, numbers."""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from beancount import loader

from beanfirm.accounts.invoices import (
    LineItem,
    cents,
    find_item,
    items_of,
    next_number,
    parse_item,
    percent,
    split_vat,
)
from beanfirm.accounts.openitems import read_book
from beanfirm.errors import UsageError
from beanfirm.store.registry import parse_rate, parse_registry


@pytest.mark.parametrize(
    ("text", "rate"),
    [("13%", "0.13"), ("0.06", "0.06"), ("0", "0"), ("5.5%", "0.055"), ("abc", None),
     ("130%", None), ("-1%", None), ("nan", None)],
)  # fmt: skip
def test_a_rate_is_a_percentage_or_a_fraction_from_0_to_1(text: str, rate: str | None) -> None:
    assert parse_rate(text) == (Decimal(rate) if rate is not None else None)


def test_a_total_alone_includes_the_vat_and_the_cents_add_up() -> None:
    split = split_vat(Decimal(100), (), Decimal("0.13"))
    assert (split.net, split.vat, split.total) == (Decimal("88.50"), Decimal("11.50"), Decimal(100))
    plain = split_vat(Decimal("99.99"), (), None)
    assert (plain.net, plain.vat) == (Decimal("99.99"), Decimal(0))


def test_line_items_are_before_vat_and_a_total_must_agree_with_them() -> None:
    items = (parse_item("咨询: 第一期:3:33.333"), LineItem("x", Decimal(1), Decimal("0.01")))
    assert items[0].description == "咨询: 第一期"
    assert items[0].amount == Decimal("100.00")
    split = split_vat(None, items, Decimal("0.06"))
    assert (split.net, split.vat, split.total) == (
        Decimal("100.01"), Decimal("6.00"), Decimal("106.01"),
    )  # fmt: skip
    with pytest.raises(UsageError, match="does not agree"):
        split_vat(Decimal("106.00"), items, Decimal("0.06"))
    for bad in ("no parts", "x:0:1", "x:1:-1", "x:1:NaN", ":1:1"):
        with pytest.raises(UsageError, match="cannot be read"):
            parse_item(bad)
    assert percent(Decimal("0.055")) == "5.5%"
    typed = parse_item("咨询服务：2：5000")  # noqa: RUF001 - as a Chinese input method types it
    assert (typed.description, typed.quantity, typed.price) == (
        "咨询服务",
        Decimal(2),
        Decimal(5000),
    )


def test_a_line_that_no_longer_reads_is_kept_as_text() -> None:
    meta = {"item-2": "b:1:2", "item-10": "hand-edited line", "item-1": "a:1:1", "other": "x"}
    assert [item.description for item in items_of(meta)] == ["a", "b", "hand-edited line"]


def test_the_next_number_follows_the_highest_of_the_series() -> None:
    entries, _errors, _options = loader.load_string(
        """
2025-01-01 open Assets:R
2025-01-01 open Income:S
2025-02-01 * "x" ^INV-2025-0007 ^INV-OLD-99 ^BILL-2025-0100
  Assets:R   1 CNY
  Income:S
2025-02-02 * "x" ^INV-2024-0003
  Assets:R   1 CNY
  Income:S
"""
    )
    day = datetime.date(2026, 1, 5)
    assert next_number(entries, "INV-", day) == "INV-2026-0008"
    assert next_number(entries, "BILL-", day) == "BILL-2026-0101"
    assert next_number([], "INV-", day) == "INV-2026-0001"


def test_a_vat_rate_the_registry_cannot_read_is_a_problem_with_its_line(tmp_path: Path) -> None:
    text = (
        "firm:\n  name: F\n  staff:\n  - {id: a, name: A, email: a@x.example, role: partner}\n"
        "  - {id: b, name: B, email: b@x.example, role: reviewer}\n"
        "clients:\n  - id: c\n    name: C\n    classification: {industry: retail, frequency: low,"
        " region: r, size: micro}\n    preparer: a\n    reviewer: b\n    currency: CNY\n"
        "    vat-rate: 13 percent\n"
    )
    registry, problems = parse_registry(tmp_path / "clients.yaml", text, check_ledgers=False)
    assert registry is not None
    assert [(p.line, p.message[:39]) for p in problems] == [
        (13, "vat-rate of client 'c' is '13 percent';")
    ]
    good, none = parse_registry(
        tmp_path / "clients.yaml", text.replace("13 percent", "13%"), check_ledgers=False
    )
    assert not none
    assert good is not None
    assert good.clients[0].vat_rate == Decimal("0.13")


def test_amounts_are_in_cents() -> None:
    assert str(cents(Decimal(5000), "--amount")) == "5000.00"
    with pytest.raises(UsageError, match="more than two decimals"):
        cents(Decimal("1.005"), "--amount")


def test_an_unknown_number_names_the_series_by_its_serial_not_its_text() -> None:
    # An invoice dated in a later year read as the last of the series, by text.
    entries, errors, options = loader.load_string(
        """
plugin "beanfirm.plugins.receivables"
2025-01-01 open Assets:Receivable:Acme
2025-01-01 open Income:Sales
2026-12-01 * "Acme" "dated ahead" ^INV-2027-0276
  due: 2027-01-01
  Assets:Receivable:Acme  10.00 CNY
  Income:Sales
2026-12-02 * "Acme" "issued later" ^INV-2026-0297
  due: 2027-01-02
  Assets:Receivable:Acme  10.00 CNY
  Income:Sales
"""
    )
    assert not errors
    book = read_book(entries, options, "receivables")
    with pytest.raises(UsageError, match="run from INV-2027-0276 to INV-2026-0297"):
        find_item(book, "INV-2026-9999", "acme")
