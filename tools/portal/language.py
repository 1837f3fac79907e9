"""Which language the portal speaks to a request: a client user's client's, the browser's, English.

A client user reads every page and every refusal in the language of their client (of the
client in the address if it is one of theirs, else of their first one); staff read English;
before login (no session, an expired one) the language is the login page's: the switch's
(`lang=`), else the browser's. A client the user may not see never chooses the language: its
404 must read exactly as that of a client that does not exist.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import RequestEntityTooLarge

from beanfirm.core.translation import LANGUAGES, SOURCE_LANGUAGE, Words, language_of
from beanfirm.portal.render import error_page

if TYPE_CHECKING:
    from werkzeug.wrappers import Request, Response

    from beanfirm.portal.site import Identity, Portal


def request_values(request: Request) -> MultiDict[str, str]:
    """Return the address's and the form's fields; the address's alone if the form is too large."""
    try:
        return MultiDict(request.values)
    except RequestEntityTooLarge:
        return MultiDict(request.args)


def login_language(request: Request) -> str:
    """Return the login page's language: the switch's (`lang=`), else the browser's, else English.

    The browser's is the first of its Accept-Language tags, by quality, that beanfirm writes.
    """
    chosen = request_values(request).get("lang", "")
    if chosen in LANGUAGES:
        return chosen
    for tag, _quality in request.accept_languages:
        language = language_of(tag)
        if language != SOURCE_LANGUAGE or tag.lower().startswith(SOURCE_LANGUAGE):
            return language
    return SOURCE_LANGUAGE


def words_for(
    portal: Portal, request: Request, identity: Identity | None, client_id: str | None = None
) -> Words:
    """Return the words the portal answers a request in (see the module's docstring)."""
    if identity is None:
        return Words(login_language(request))
    if identity.user.kind == "staff":
        return Words(SOURCE_LANGUAGE)
    clients = portal.clients_of(identity.user)
    mine = [c for c in clients if c.id == client_id] or clients
    return Words(mine[0].language if mine else SOURCE_LANGUAGE)


def error_for(portal: Portal, t: Words, status: int, message: str | None = None) -> Response:
    """Return the portal's error page in the words `t`, under the firm's name and logo."""
    return error_page(
        status, message, t=t, firm=portal.registry().firm.name, logo=portal.logo() is not None
    )
