"""The portal's WSGI application: its own pages, and `/c/<client-id>/` forwarded to Fava."""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING, Any

from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.wrappers import Request, Response

from beanfirm.core.translation import Words
from beanfirm.portal import pages, uploads
from beanfirm.portal.forward import PREFIX, forward
from beanfirm.portal.headers import security_headers
from beanfirm.portal.language import error_for, login_language, words_for
from beanfirm.portal.render import error_page

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from beanfirm.portal.site import Identity, Portal

    StartResponse = Callable[..., Any]
    WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]

log = logging.getLogger(__name__)

ASSET_PREFIX = "/_portal/"
LOGO = "/_portal/logo.png"  # the firm's logo (clients.yaml `logo:`), on the login page too
# A client's home page, a closed month's filed statements (/home/<id>/statements/2026-10.pdf),
# and the way to the statements of account of its customers (/home/<id>/customers).
HOME_RE = re.compile(
    r"/home/(?P<id>[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)"
    r"(?:/statements/(?P<file>[0-9a-z.-]+)|/(?P<customers>customers))?"
)


class Gateway:
    """Dispatch a request to a page of the portal or to a client's Fava."""

    def __init__(self, portal: Portal) -> None:
        self.portal = portal

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        """Answer as a WSGI application."""
        request = Request(environ)
        try:
            response = self.respond(request)
        except Exception:  # the reader gets the portal's page, the log the trace
            log.exception("the gateway failed on %s %s", request.method, request.path)
            response = self._failed(request)
        return response(environ, start_response)

    def _failed(self, request: Request) -> Response:
        """Return the portal's own 500 page, in the user's words if they can still be found."""
        try:
            identity = self.portal.identify(request.cookies.get(pages.SESSION_COOKIE))
            t = words_for(self.portal, request, identity)
            firm: str | None = self.portal.registry().firm.name
        except Exception:  # the database or the registry itself failed: the browser's words
            log.exception("the gateway's error page cannot find the user's words")
            t, firm = Words(login_language(request)), None
        message = t("Something went wrong on the portal. The firm has been told in its logs.")
        return error_page(500, message, t=t, firm=firm)

    def respond(self, request: Request) -> Response:
        """Answer one request."""
        path = request.environ.get("PATH_INFO", "")
        served = None
        if path == LOGO and request.method in {"GET", "HEAD"}:
            served = pages.logo(self.portal)
        elif path.startswith(ASSET_PREFIX) and request.method in {"GET", "HEAD"}:
            served = pages.asset(path[len(ASSET_PREFIX) :])
        if served is not None:
            return served
        identity = self.portal.identify(request.cookies.get(pages.SESSION_COOKIE))
        upload_to = uploads.upload_client(request) if path.startswith(PREFIX) else None
        if upload_to is not None:  # the one write: a client user's documents into their inbox
            return uploads.upload(self.portal, request, identity, upload_to)
        if path.startswith(PREFIX):
            return forward(self.portal, request, identity)
        # The gateway's own pages and refusals, in the user's language (language.py).
        t = words_for(self.portal, request, identity)
        if path.startswith(ASSET_PREFIX) and request.method in {"GET", "HEAD"}:
            return error_for(self.portal, t, 404)  # no such asset, or no logo
        if path == "/login":
            if request.method == "POST":
                return pages.login(self.portal, request)
            if request.method in {"GET", "HEAD"}:
                return pages.login_form(self.portal, request)
            return error_for(self.portal, t, 405)
        if path == "/logout" and request.method == "POST":
            return pages.logout(self.portal, request, identity)
        return self._page(request, path, identity, t)

    def _page(self, request: Request, path: str, identity: Identity | None, t: Words) -> Response:
        if identity is None:
            if request.method in {"GET", "HEAD"}:
                return Response(status=302, headers={"Location": "/login"})
            return error_for(self.portal, t, 401, t("Log in first."))
        home = HOME_RE.fullmatch(path)
        if path not in {"/", "/board"} and home is None:
            return error_for(self.portal, t, 404)
        if request.method not in {"GET", "HEAD"}:
            return error_for(self.portal, t, 405, t("The portal shows books; it changes nothing."))
        if home is not None and home["customers"]:
            return pages.customer_statements(self.portal, request, identity, home["id"])
        if home is not None and home["file"]:
            return pages.filed_download(self.portal, request, identity, home["id"], home["file"])
        if home is not None:
            return pages.client_home(self.portal, request, identity, home["id"])
        if path == "/board":
            return pages.board(self.portal, request, identity)
        return pages.home(self.portal, request, identity)


def make_app(portal: Portal) -> WSGIApp:
    """Return the gateway with security headers (behind a trusted proxy: its headers)."""
    app: WSGIApp = Gateway(portal)
    if portal.settings.trust_proxy:
        app = ProxyFix(app, x_for=1, x_proto=1, x_host=1)
    return security_headers(app, tls=portal.settings.secure_cookies)
