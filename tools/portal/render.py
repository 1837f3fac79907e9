"""The gateway's own pages, from Jinja templates (autoescaped), and its error pages."""

from __future__ import annotations

import json
from http import HTTPStatus
from typing import Any

from werkzeug.wrappers import Response

from beanfirm.core.htmlpages import template_environment
from beanfirm.core.translation import SOURCE_LANGUAGE, Words, language_tag


def page(template: str, status: int = 200, **context: Any) -> Response:
    """Render a template as an HTML response."""
    html = template_environment("beanfirm.portal").get_template(template).render(**context)
    return Response(html, status=status, content_type="text/html; charset=utf-8")


def error_page(
    status: int,
    message: str | None = None,
    *,
    t: Words | None = None,
    firm: str | None = None,
    logo: bool = False,
) -> Response:
    """Return the portal's error page: a status and a sentence, never a path or a trace.

    In the words `t` of a client user's client (`message` is in them already), else English;
    under the firm's name (and logo) when given (language.error_for gives them).
    """
    t = t or Words(SOURCE_LANGUAGE)
    phrase, text = _error_words(status, message, t)
    return page(
        "error.html",
        status=status,
        title=f"{status} {phrase}",
        message=text,
        t=t,
        lang=language_tag(t.language),
        firm=firm,
        logo=logo,
    )


def error_json(status: int, message: str | None = None, *, t: Words) -> Response:
    """Return the portal's error as Fava's JSON API gives one: `{"error": sentence}`.

    Fava's pages load their reports through its API and show its `error` under the report's
    title, so a refused API request (a filter too long) tells the reader why, in their words.
    """
    _phrase, text = _error_words(status, message, t)
    body = json.dumps({"error": text}, ensure_ascii=False)
    return Response(body, status=status, content_type="application/json")


def _error_words(status: int, message: str | None, t: Words) -> tuple[str, str]:
    """Return an error's phrase (`Not Found`) and sentence, in the words `t`."""
    phrases = {
        400: t("Bad Request"),
        401: t("Unauthorized"),
        404: t("Not Found"),
        405: t("Method Not Allowed"),
        500: t("Internal Server Error"),
        502: t("Bad Gateway"),
        503: t("Service Unavailable"),
    }
    phrase = phrases.get(status, HTTPStatus(status).phrase)
    default = {
        400: t("The address asks for something these books cannot give; check its date or month."),
        404: t("There is nothing here, or nothing you may see."),
        502: t("The books could not be shown just now. The firm has been told in its logs."),
    }
    return phrase, message or default.get(status, phrase)
