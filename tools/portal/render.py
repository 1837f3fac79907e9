"""The gateway's own pages, from Jinja templates (autoescaped), and its error pages."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from werkzeug.wrappers import Response

from beanfirm.core.htmlpages import template_environment


def page(template: str, status: int = 200, **context: Any) -> Response:
    """Render a template as an HTML response."""
    html = template_environment("beanfirm.portal").get_template(template).render(**context)
    return Response(html, status=status, content_type="text/html; charset=utf-8")


def error_page(status: int, message: str | None = None) -> Response:
    """Return the portal's error page: a status and a sentence, never a path or a trace."""
    phrase = HTTPStatus(status).phrase
    default = {
        400: "The address asks for something these books cannot give; check its date or month.",
        404: "There is nothing here, or nothing you may see.",
        502: "The books could not be shown just now. The firm has been told in its logs.",
    }
    text = message or default.get(status, phrase)
    return page("error.html", status=status, title=f"{status} {phrase}", message=text)
