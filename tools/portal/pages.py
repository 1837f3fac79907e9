"""The gateway's own pages: login, logout, the landing page, dashboard, month board, unapproved."""

from __future__ import annotations

import datetime
import functools
import hmac
import re
import secrets
from importlib import resources
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from werkzeug.wrappers import Request, Response

from beanfirm.core.translation import Words, language_tag
from beanfirm.errors import UsageError
from beanfirm.firm.board import STAGES
from beanfirm.monthend.closing import month_of, parse_period
from beanfirm.portal import audit
from beanfirm.portal.dashboard import filter_choices, filter_from, firm_board, firm_status
from beanfirm.portal.render import error_page, page
from beanfirm.portal.sessions import end_session, start_session
from beanfirm.portal.throttle import admit, clear_failures
from beanfirm.portal.users import check_login, normalize_email

if TYPE_CHECKING:
    from beanfirm.portal.site import Identity, Portal

SESSION_COOKIE = "beanfirm_session"
CSRF_COOKIE = "beanfirm_login_csrf"
ASSETS = {"portal.css": "text/css", "upload.js": "text/javascript"}
TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{43}")


def _secure(portal: Portal, request: Request) -> bool:
    return portal.settings.secure_cookies or request.scheme == "https"


def _safe_next(target: str | None) -> str:
    """Return a local path to go to after login (never another site, never a broken header).

    A control character (CR and LF split the `Location` header) makes it invalid, like a
    foreign site: the user lands on the portal's home page.
    """
    if not target or not target.isprintable():
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    if "\\" in target:
        return "/"
    return target


def login_form(
    portal: Portal, request: Request, *, message: str = "", status: int = 200, email: str = ""
) -> Response:
    """Show the login form with its CSRF token (double-submit: cookie and field).

    The token is kept while its cookie lives: a browser that loads the form again in the
    background (a redirected favicon, a second tab) must not invalidate the form on screen.
    """
    token = request.cookies.get(CSRF_COOKIE, "")
    if not TOKEN_RE.fullmatch(token):
        token = secrets.token_urlsafe(32)
    response = page(
        "login.html",
        status=status,
        title="Log in",
        identity=None,
        csrf=token,
        message=message,
        email=email,
        next=_safe_next(request.values.get("next")),
    )
    response.set_cookie(
        CSRF_COOKIE,
        token,
        httponly=True,
        samesite="Strict",
        secure=_secure(portal, request),
        path="/login",
    )
    return response


def _same_origin(request: Request) -> bool:
    origin = request.headers.get("Origin")
    if origin is None or origin == "null":
        return origin is None
    return origin.rstrip("/") == request.host_url.rstrip("/")


def login(portal: Portal, request: Request) -> Response:
    """Check the form's CSRF token, throttling and the password; start a new session."""
    sent = request.form.get("csrf", "")
    expected = request.cookies.get(CSRF_COOKIE, "")
    if not expected or not hmac.compare_digest(sent, expected) or not _same_origin(request):
        return login_form(
            portal,
            request,
            status=400,
            message=("The login form had expired or came from elsewhere. Please log in again."),
        )
    target = _safe_next(request.form.get("next"))  # checked before any session exists
    email = normalize_email(request.form.get("email", ""))
    password = request.form.get("password", "")
    address = request.remote_addr or "unknown"
    store, policy = portal.store, portal.settings.throttle
    if not admit(store, email, address, policy):
        audit.record(store, "login-locked", email=email, status=429, address=address)
        minutes = int(policy.window // 60)
        return login_form(
            portal,
            request,
            status=429,
            email=email,
            message=(
                "Too many failed logins for this account or from this address. "
                f"Try again in {minutes} minutes, or ask the firm to reset your password."
            ),
        )
    user = check_login(store, email, password)
    if user is None:  # admit() counted the failure already
        audit.record(store, "login-failed", email=email, status=401, address=address)
        return login_form(
            portal, request, status=401, email=email, message="Wrong email or password."
        )
    clear_failures(store, email)
    # A new session id at every login: an id known before login (fixation) is worth nothing.
    token = start_session(store, user.email, replaces=request.cookies.get(SESSION_COOKIE))
    audit.record(store, "login", email=user.email, status=303, address=address)
    response = Response(status=303, headers={"Location": target})
    response.set_cookie(
        SESSION_COOKIE,
        token,
        httponly=True,
        samesite="Lax",
        secure=_secure(portal, request),
        path="/",
    )
    response.delete_cookie(CSRF_COOKIE, path="/login")
    return response


def logout(portal: Portal, request: Request, identity: Identity | None) -> Response:
    """End the session on the server (the form carries the session's CSRF token)."""
    if identity is not None:
        sent = request.form.get("csrf", "")
        if not hmac.compare_digest(sent, identity.session.csrf):
            return error_page(400, "The logout form had expired; reload the page and try again.")
        end_session(portal.store, identity.token)
        audit.record(portal.store, "logout", email=identity.user.email, address=request.remote_addr)
    response = Response(status=303, headers={"Location": "/login"})
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


def _viewed(portal: Portal, request: Request, identity: Identity, path: str) -> None:
    """Record in the audit log that a user viewed one of the gateway's own pages."""
    audit.record(
        portal.store,
        "view",
        email=identity.user.email,
        path=path,
        status=200,
        address=request.remote_addr,
    )


def home(portal: Portal, request: Request, identity: Identity) -> Response:
    """Client users: their clients. Staff: the firm dashboard, filtered."""
    registry = portal.registry()
    clients = portal.clients_of(identity.user)
    _viewed(portal, request, identity, "/")
    approved = portal.approved.all_shown()
    if identity.user.kind != "staff":
        return page(
            "landing.html",
            title="My books",
            identity=identity,
            firm=registry.firm.name,
            clients=clients,
            approved=approved,
        )
    client_filter = filter_from(request.args.to_dict(flat=False))
    shown = client_filter.select(clients)
    rows = firm_status(portal.root, registry, shown)
    chosen = dict(vars(client_filter))
    return page(
        "dashboard.html",
        title="Dashboard",
        identity=identity,
        firm=registry.firm.name,
        rows=rows,
        choices=filter_choices(clients),
        chosen=chosen,
        approved=approved,
    )


def board(portal: Portal, request: Request, identity: Identity) -> Response:
    """Staff: the month board of a chosen month (default the last one), filtered.

    A client user gets what any page they may not see gives: 404, and nothing of the firm.
    """
    if identity.user.kind != "staff":
        return error_page(404)
    text = request.args.get("period", "")
    if not text:
        last = month_of(datetime.date.today().replace(day=1) - datetime.timedelta(days=1))  # noqa: DTZ011
        text = last.label
    try:
        period = parse_period(text)
    except UsageError as exc:
        return error_page(400, str(exc))
    registry = portal.registry()
    clients = portal.clients_of(identity.user)
    _viewed(portal, request, identity, f"/board?period={period.label}")
    client_filter = filter_from(request.args.to_dict(flat=False))
    rows = firm_board(portal.root, registry, client_filter.select(clients), period)
    return page(
        "board.html",
        title=f"Month board {period.label}",
        identity=identity,
        firm=registry.firm.name,
        period=period.label,
        rows=rows,
        stages=STAGES,
        choices=filter_choices(clients),
        chosen=dict(vars(client_filter)),
    )


def unreviewed(portal: Portal, identity: Identity, client_id: str, *, status: int) -> Response:
    """Tell a client user, in the client's language, that the reviewed books come later."""
    client = portal.registry().client(client_id)
    t = Words(client.language)
    return page(
        "unreviewed.html",
        status=status,
        title=t("Your books"),
        identity=identity,
        client=client,
        firm=portal.registry().firm.name,
        t=t,
        lang=language_tag(client.language),
    )


@functools.cache
def _asset_bytes(name: str) -> bytes:
    return resources.files("beanfirm.portal").joinpath("static", name).read_bytes()


def asset(name: str) -> Response:
    """Serve the gateway's stylesheet and scripts (read once)."""
    if name not in ASSETS:
        return error_page(404)
    response = Response(_asset_bytes(name), content_type=f"{ASSETS[name]}; charset=utf-8")
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response
