"""The financial statements laid out as the printed forms, and as an HTML page in that layout.

`printed_forms` lays each statement out as its form prints it: the form number, the entity, the
date or the period and the unit above the table, 行次 beside each line, the balance sheet in two
columns (assets on the left, liabilities and equity on the right, where the mapping marks
`right: true`), and the signature lines (单位负责人, 会计机构负责人, 制表人) below it. The HTML
page (`templates/financials.html`, Jinja2, autoescaped; printed to PDF by `pdf.py`) and the
workbook (`xlsx.py`) are both drawn from that one layout.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, TypeVar

from babel.dates import format_date, format_skeleton

from beanfirm.core.htmlpages import template_environment
from beanfirm.core.journal import CENT, money
from beanfirm.core.translation import Words, language_tag
from beanfirm.monthend.closing import month_of

if TYPE_CHECKING:
    import datetime

    from beanfirm.monthend.mapping import Line
    from beanfirm.monthend.statements import Statement, Statements

# The unit the Chinese forms print for an amount in a currency (元), else its code.
UNIT_NAMES = {("zh", "CNY"): "元"}
_LOCALES = {"zh": "zh_CN", "en": "en"}
_T = TypeVar("_T")
_BODY = re.compile(r"<body[^>]*>(.*)</body>", re.DOTALL)
_STYLE = re.compile(r"<style[^>]*>(.*?)</style>", re.DOTALL)


def amount_text(value: Decimal | None) -> str:
    """Return an amount as the statements show it: two decimals, or nothing for a heading."""
    return "" if value is None else money(value)


def to_the_cent(value: Decimal | None) -> Decimal | None:
    """Return an amount as the printed forms give it: rounded half up to the cent."""
    return None if value is None else value.quantize(CENT, ROUND_HALF_UP) + Decimal(0)


def printed_amount(value: Decimal | None) -> str:
    """Return an amount as the printed forms show it: to the cent, thousands apart."""
    rounded = to_the_cent(value)
    return "" if rounded is None else f"{rounded:,f}"


@dataclass(frozen=True)
class Row:
    """One line of a printed form: its name, 行次 and two amounts, and how it is set."""

    name: str
    number: int | None
    first: Decimal | None
    second: Decimal | None
    kind: str  # "heading", "total" or "item"
    part: bool  # a 其中 line, printed indented under the line it is part of


@dataclass(frozen=True)
class PrintedForm:
    """A statement as its form prints it: the words above and below, and the rows."""

    statement: Statement
    title: str
    form: str  # the form's number (会小企01表), or "" when it has none
    entity: str  # 编制单位, the client
    date: str  # the day of a balance, or the period of activity
    unit: str  # 单位, the unit of the amounts
    sides: tuple[str, ...]  # the heading of each side's item column: one or two
    line_column: str  # 行次
    columns: tuple[str, str]  # in the order the form prints them (`printed-columns`)
    rows: tuple[tuple[Row | None, ...], ...]  # one row per printed row: a Row per side
    signatures: tuple[str, str, str]  # 单位负责人, 会计机构负责人, 制表人 with its name


def printed_forms(
    statements: Statements, language: str, *, prepared_by: str | None = None
) -> list[PrintedForm]:
    """Return each statement laid out as its form prints it, in the order they are issued."""
    t = Words(language)
    unit = UNIT_NAMES.get((language, statements.currency), statements.currency)
    forms = []
    for statement in statements.all:
        left, right = statement.form.sides
        sides = (t("Assets"), t("Liabilities and owners' equity")) if right else (t("Item"),)
        rows = _aligned([_rows(statement, lines, language) for lines in (left, right) if lines])
        forms.append(
            PrintedForm(
                statement=statement,
                title=statement.title(language),
                form=statement.form.form or "",
                entity=t("Entity: {name}", name=statements.client_name),
                date=_date_text(statements, statement, language),
                unit=t("Unit: {currency}", currency=unit),
                sides=sides,
                line_column=t("Line"),
                columns=_printed(statement, statement.columns(language)),
                rows=tuple(itertools.zip_longest(*rows)),
                signatures=(
                    t("Head of the entity:"),
                    t("Head of accounting:"),
                    _signed(t("Prepared by:"), prepared_by or ""),
                ),
            )
        )
    return forms


def render_html(
    statements: Statements,
    language: str,
    *,
    prepared_by: str | None = None,
    firm: str | None = None,
) -> str:
    """Return the statements as one HTML page, `prepared_by` as 制表人, `firm` at the head."""
    template = template_environment().get_template("financials.html")
    return template.render(
        s=statements,
        forms=printed_forms(statements, language, prepared_by=prepared_by),
        firm=firm or "",
        lang=language_tag(language),
        amount=printed_amount,
    )


def _signed(label: str, name: str) -> str:
    """Return a signature line with the name on it (a full-width colon needs no space)."""
    if not name:
        return label
    return f"{label}{name}" if label.endswith("\uff1a") else f"{label} {name}"


def render_parts(statements: Statements, language: str) -> tuple[str, str]:
    """Return the style sheet and the statements of `render_html`, without the page around them.

    For a page of another application (Fava's 财务报表): it scopes the style sheet to where it
    puts the statements.
    """
    page = render_html(statements, language)
    style, body = _STYLE.search(page), _BODY.search(page)
    if body is None:  # the template lost its <body>: a mistake of ours, not the user's
        message = "financials.html has no <body> element"
        raise ValueError(message)
    return (style.group(1) if style else ""), body.group(1)


def _rows(statement: Statement, lines: tuple[Line, ...], language: str) -> list[Row]:
    figures = {id(figure.line): figure for figure in statement.figures}
    rows = []
    for line in lines:
        figure = figures[id(line)]
        name = line.name_in(language)
        kind = "heading" if line.is_heading else "total" if line.is_total else "item"
        first, second = _printed(statement, (figure.current, figure.earlier))
        rows.append(Row(name, line.number, first, second, kind, line.of is not None))
    return rows


def _printed(statement: Statement, pair: tuple[_T, _T]) -> tuple[_T, _T]:
    """Return a statement's two columns in the order its printed form gives them."""
    return pair if statement.form.printed_columns == (1, 2) else (pair[1], pair[0])


def _aligned(sides: list[list[Row]]) -> list[list[Row | None]]:
    """Pad the shorter side above its last row, so that the two grand totals share a row."""
    height = max(len(rows) for rows in sides)
    padded: list[list[Row | None]] = []
    for rows in sides:
        gap: list[Row | None] = [None] * (height - len(rows))
        padded.append([*rows[:-1], *gap, *rows[-1:]] if len(sides) > 1 else [*rows])
    return padded


def _date_text(statements: Statements, statement: Statement, language: str) -> str:
    """Return the day of a balance sheet, or the period of another statement, as words."""
    locale = _LOCALES.get(language, "en")
    period = statements.period
    if statement is statements.balance_sheet:
        return _day(period.end, locale)
    if period == month_of(period.start):
        return str(format_skeleton("yMMMM", period.start, locale=locale))
    t = Words(language)
    return t("{start} to {end}", start=_day(period.start, locale), end=_day(period.end, locale))


def _day(day: datetime.date, locale: str) -> str:
    return str(format_date(day, "long", locale=locale))
