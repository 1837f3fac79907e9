"""The financial statements as an HTML page laid out like the forms, in the reader's language.

The page is rendered from `templates/financials.html` (Jinja2, autoescaped): each statement
with its form number, the entity, the date and the unit above the table, 行次 beside each line,
and the signature lines (单位负责人, 会计机构负责人, 制表人) below it, as the forms have them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from beanfirm.core.htmlpages import template_environment
from beanfirm.core.journal import money
from beanfirm.core.translation import Words, language_tag

if TYPE_CHECKING:
    from decimal import Decimal

    from beanfirm.monthend.statements import Statements


def amount_text(value: Decimal | None) -> str:
    """Return an amount as the statements show it: two decimals, or nothing for a heading."""
    return "" if value is None else money(value)


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
        language=language,
        prepared_by=prepared_by or "",
        firm=firm or "",
        lang=language_tag(language),
        t=Words(language),
        amount=amount_text,
    )
