"""The financial statements as a PDF file: the HTML page of the forms, printed on A4."""

from __future__ import annotations

from typing import TYPE_CHECKING

from beanfirm.core.pdf import html_to_pdf
from beanfirm.monthend.render import render_html

if TYPE_CHECKING:
    from beanfirm.monthend.statements import Statements


def render_pdf(
    statements: Statements,
    language: str,
    *,
    prepared_by: str | None = None,
    firm: str | None = None,
) -> bytes:
    """Return the statements as PDF bytes, each on its own page, `prepared_by` as 制表人.

    `firm` is the name on the letterhead (clients.yaml `firm:`). Raises ConfigError when a
    Chinese page would need a font this machine does not have.
    """
    html = render_html(statements, language, prepared_by=prepared_by, firm=firm)
    return html_to_pdf(html)
