"""The gateway's own pages, from Jinja templates (autoescaped), and its error pages."""

from __future__ import annotations

import functools
from http import HTTPStatus
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from werkzeug.wrappers import Response


@functools.cache
def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("beanfirm.portal", "templates"),
        autoescape=select_autoescape(default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def page(template: str, status: int = 200, **context: Any) -> Response:
    """Render a template as an HTML response."""
    html = _environment().get_template(template).render(**context)
    return Response(html, status=status, content_type="text/html; charset=utf-8")


def error_page(status: int, message: str | None = None) -> Response:
    """Return the portal's error page: a status and a sentence, never a path or a trace."""
    phrase = HTTPStatus(status).phrase
    default = {
        404: "There is nothing here, or nothing you may see.",
        502: "The books could not be shown just now. The firm has been told in its logs.",
    }
    text = message or default.get(status, phrase)
    return page("error.html", status=status, title=f"{status} {phrase}", message=text)
