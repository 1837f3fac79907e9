"""Reading dates quickly (`DateReader`) gives exactly what `parse_date` gives, or its error."""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from beanfirm.importers.dates import (
    DEFAULT_FORMATS,
    DateError,
    DateReader,
    exclusive,
    fixed_width_reader,
    parse_date,
)

FORMAT_SETS = [
    DEFAULT_FORMATS,
    ("%m/%d/%Y",),
    ("%d/%m/%Y", "%m/%d/%Y"),  # overlapping: the order decides
    ("%Y%m%d", "%d-%m-%Y", "%d.%m.%Y"),
    ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d"),
    ("%Y年%m月%d日",),
    ("%Y-%m-%d %H:%S",),
    ("%m/%d",),  # no year: taken from the period
    ("%d %b %Y", "%Y-%m-%d"),
]
CELLS = st.one_of(
    st.sampled_from(
        [
            "2024-01-05",
            "2024-1-5",
            "2024-02-30",
            "2024-03-01 10:00:00",
            "2024-03-01  10:00:00",
            " 2024-03-01",
            "03/01/2024",
            "13/01/2024",
            "01/13/2024",
            "20240229",
            "20230229",
            "05-01-2024",
            "05.01.2024",
            "2024年03月01日",
            "2024-03-01 24:00:00",
            "2024-03-01 23:61",
            "12/31",
            "02/29",
            "5 Jan 2024",
            "2024-03-01\u3000",
            "２０２４-03-01",  # noqa: RUF001 - full-width digits, as Chinese exports write
            "",
            "x",
        ]
    ),
    st.text(alphabet="0123456789-/: .年月日", max_size=20),
)


def outcome(read: Callable[[str], object], cell: str) -> object:
    try:
        return read(cell)
    except DateError as exc:
        return str(exc)


@pytest.mark.parametrize("formats", FORMAT_SETS)
@settings(max_examples=200, deadline=None)
@given(cell=CELLS)
def test_the_quick_reader_agrees_with_parse_date(formats: tuple[str, ...], cell: str) -> None:
    end = datetime.date(2024, 1, 31)
    reader = DateReader(formats, end)
    assert outcome(reader, cell) == outcome(lambda c: parse_date(c, formats, end), cell)
    assert outcome(reader, cell) == outcome(reader, cell)  # remembered alike


def test_exclusive_formats_are_those_no_text_fits_twice() -> None:
    assert exclusive(DEFAULT_FORMATS)
    assert exclusive(("%Y-%m-%d %H:%M:%S", "%Y-%m-%d"))
    assert not exclusive(("%d/%m/%Y", "%m/%d/%Y"))
    assert not exclusive(("%d %b %Y", "%Y-%m-%d"))


def test_only_fixed_width_formats_have_a_quick_reader() -> None:
    assert fixed_width_reader("%Y-%m-%d") is not None
    assert fixed_width_reader("%m/%d") is None  # no year
    assert fixed_width_reader("%d %b %Y") is None
    assert fixed_width_reader(" %Y-%m-%d") is None
