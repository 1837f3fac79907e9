"""The gateway's own pages: login, logout, the landing page, dashboard, month board, unapproved."""

from __future__ import annotations

import datetime
import functools
import re
import secrets
from importlib import resources
from typing import TYPE_CHECKING
from urllib.parse import quote, unquote, urlencode, urlsplit

from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Request, Response

from beanfirm.core.translation import (
    LANGUAGES,
    SOURCE_LANGUAGE,
    Words,
    language_name,
    language_tag,
)
from beanfirm.errors import UsageError
from beanfirm.firm.board import STAGES
from beanfirm.monthend.closing import month_of, parse_period
from beanfirm.portal import audit
from beanfirm.portal.dashboard import filter_choices, filter_from, firm_board, firm_status
from beanfirm.portal.home import (
    FILED_FORMATS,
    filed_file,
    filed_months,
    snapshot_filed_months,
    stage_words,
)
from beanfirm.portal.language import error_for, login_language, request_values, words_for
from beanfirm.portal.pool import WorkerUnavailableError
from beanfirm.portal.render import page
from beanfirm.portal.sessions import end_session, same_origin, start_session, token_matches
from beanfirm.portal.snapshots import SnapshotError
from beanfirm.portal.throttle import admit, clear_failures
from beanfirm.portal.users import check_login, normalize_email

if TYPE_CHECKING:
    from beanfirm.portal.pool import BooksView
    from beanfirm.portal.site import Identity, Portal

SESSION_COOKIE = "beanfirm_session"
CSRF_COOKIE = "beanfirm_login_csrf"
ASSETS = {
    "portal.css": "text/css",
    "fava-client.css": "text/css",
    "upload.js": "text/javascript",
    "fava-words.js": "text/javascript",
}
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

    In the language of `login_language`, with links to the others; `message` is in it already.

    The token is kept while its cookie lives: a browser that loads the form again in the
    background (a redirected favicon, a second tab) must not invalidate the form on screen.
    """
    token = request.cookies.get(CSRF_COOKIE, "")
    if not TOKEN_RE.fullmatch(token):
        token = secrets.token_urlsafe(32)
    language = login_language(request)
    t = Words(language)
    target = _safe_next(request_values(request).get("next"))
    response = page(
        "login.html",
        status=status,
        title=t("Log in"),
        identity=None,
        csrf=token,
        message=message,
        email=email,
        next=target,
        t=t,
        lang=language_tag(language),
        language=language,
        switch=[
            (other, language_name(other), f"/login?{urlencode({'lang': other, 'next': target})}")
            for other in LANGUAGES
            if other != language
        ],
        firm=portal.registry().firm.name,
        logo=portal.logo() is not None,
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


def login(portal: Portal, request: Request) -> Response:
    """Check the form's CSRF token, throttling and the password; start a new session."""
    t = Words(login_language(request))
    try:
        sent = request.form.get("csrf", "")
    except RequestEntityTooLarge:  # werkzeug's bound on a form's fields (MAX_FORM_MEMORY_SIZE)
        return login_form(
            portal,
            request,
            status=413,
            message=t("The login form was too large. Please log in again."),
        )
    expected = request.cookies.get(CSRF_COOKIE, "")
    if not token_matches(sent, expected) or not same_origin(request):
        return login_form(
            portal,
            request,
            status=400,
            message=t("The login form had expired or came from elsewhere. Please log in again."),
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
            message=t(
                "Too many failed logins for this account or from this address. "
                "Try again in {minutes} minutes, or ask the firm to reset your password.",
                minutes=minutes,
            ),
        )
    user = check_login(store, email, password)
    if user is None:  # admit() counted the failure already
        audit.record(store, "login-failed", email=email, status=401, address=address)
        return login_form(
            portal, request, status=401, email=email, message=t("Wrong email or password.")
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
        try:
            sent = request.form.get("csrf", "")
        except RequestEntityTooLarge:  # no form of the portal's is that large: a forged one
            sent = ""
        if not token_matches(sent, identity.session.csrf) or not same_origin(request):
            t = words_for(portal, request, identity)
            return error_for(
                portal, t, 400, t("The logout form had expired; reload the page and try again.")
            )
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
    if identity.user.kind != "staff" and len(clients) == 1:
        return client_home(portal, request, identity, clients[0].id, viewed=False)
    if identity.user.kind != "staff":
        # In the language of the user's first client (a group's companies share one, mostly).
        language = clients[0].language if clients else SOURCE_LANGUAGE
        t = Words(language)
        return page(
            "landing.html",
            title=t("My books"),
            t=t,
            lang=language_tag(language),
            identity=identity,
            firm=registry.firm.name,
            logo=portal.logo() is not None,
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
        logo=portal.logo() is not None,
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
        return error_for(portal, words_for(portal, request, identity), 404)
    text = request.args.get("period", "")
    if not text:
        last = month_of(datetime.date.today().replace(day=1) - datetime.timedelta(days=1))  # noqa: DTZ011
        text = last.label
    try:
        period = parse_period(text)
    except UsageError as exc:
        return error_for(portal, Words(SOURCE_LANGUAGE), 400, str(exc))
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
        logo=portal.logo() is not None,
        t=t,
        lang=language_tag(client.language),
    )


def _books_view(portal: Portal, identity: Identity, client_id: str) -> BooksView | None:
    """Return the books a user reads (a client user's: the approved snapshot), if any."""
    try:
        return portal.books_for(identity.user, client_id)
    except SnapshotError:
        return None


def client_home(
    portal: Portal, request: Request, identity: Identity, client_id: str, *, viewed: bool = True
) -> Response:
    """Show a client's home page, in the client's language (home.py says what it shows)."""
    if not portal.may_see(identity.user, client_id):
        return error_for(portal, words_for(portal, request, identity), 404)
    if viewed:
        _viewed(portal, request, identity, f"/home/{client_id}")
    registry = portal.registry()
    client = registry.client(client_id)
    view = _books_view(portal, identity, client_id)  # None: never approved
    if view is None:
        filed = []
    elif view.commit is None:  # staff: the working head
        filed = filed_months(view.folder)
    else:
        filed = snapshot_filed_months(view.folder)
    t = Words(client.language)
    month = portal.statuses.status(registry, client)
    stage = stage_words(month.stage, t) if month.stage is not None else None
    shown = portal.approved.shown(client_id)
    return page(
        "home.html",
        title=client.name,
        identity=identity,
        firm=registry.firm.name,
        logo=portal.logo() is not None,
        client=client,
        t=t,
        lang=language_tag(client.language),
        filed=filed,
        month=month,
        stage=stage,
        waiting=portal.requests_of(portal.root, client_id),
        reviewed=shown.approval.when.date() if shown is not None else None,
        # The upload page (uploads.UPLOAD_PATH under forward.PREFIX, which import this module).
        upload_url=f"/c/{client_id}/upload",
        several=len(portal.clients_of(identity.user)) > 1,
    )


def customer_statements(
    portal: Portal, request: Request, identity: Identity, client_id: str
) -> Response:
    """Send a user to the statements of account on the Customer accounts page of their books.

    Fava's addresses name the ledger by a slug of its title, which only the client's worker
    knows: its own first page says where it lives.
    """
    t = words_for(portal, request, identity, client_id)
    if not portal.may_see(identity.user, client_id):
        return error_for(portal, t, 404)
    view = _books_view(portal, identity, client_id)
    if view is None:  # never approved: their books' address says so
        return Response(status=302, headers={"Location": f"/c/{client_id}/"})
    _viewed(portal, request, identity, f"/home/{client_id}/customers")
    try:
        with portal.pool.lease(view) as upstream:
            reply = upstream.fetch(f"/c/{client_id}/", {"Host": "localhost"})
    except (WorkerUnavailableError, OSError):
        return error_for(
            portal, t, 503, t("The books are being opened by many people; try again shortly.")
        )
    location = next((v for k, v in reply.headers if k.lower() == "location"), "")
    parts = urlsplit(location).path.split("/")  # "", "c", the client, the slug, the page
    if reply.status != 302 or len(parts) < 4 or parts[2] != client_id or not parts[3]:  # noqa: PLR2004
        return error_for(portal, t, 404)
    slug = quote(unquote(parts[3]))  # as the worker's address has it, encoded once
    target = f"/c/{client_id}/{slug}/extension/CustomerAccounts/#statements"
    return Response(status=302, headers={"Location": target})


def filed_download(
    portal: Portal, request: Request, identity: Identity, client_id: str, name: str
) -> Response:
    """Send a closed month's statements as the close filed them (`2026-10.pdf`), or 404."""
    t = words_for(portal, request, identity, client_id)
    if not portal.may_see(identity.user, client_id):
        return error_for(portal, t, 404)
    period, _, fmt = name.partition(".")
    view = _books_view(portal, identity, client_id)
    path = filed_file(view.folder, period, fmt) if view is not None else None
    path_shown = f"/home/{client_id}/statements/{name}"
    if path is None:
        audit.record(
            portal.store,
            "refused",
            email=identity.user.email,
            client_id=client_id,
            path=path_shown,
            status=404,
            address=request.remote_addr,
        )
        return error_for(portal, t, 404)
    audit.record(
        portal.store,
        "view",
        email=identity.user.email,
        client_id=client_id,
        path=path_shown,
        status=200,
        address=request.remote_addr,
    )
    response = Response(path.read_bytes(), content_type=FILED_FORMATS[fmt])
    ascii_name = f"{client_id}-{period}.{fmt}"
    response.headers["Content-Disposition"] = (
        f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(path.name)}"
    )
    return response


@functools.cache
def _asset_bytes(name: str) -> bytes:
    return resources.files("beanfirm.portal").joinpath("static", name).read_bytes()


def logo(portal: Portal) -> Response | None:
    """Serve the firm's logo (a PNG checked by its signature); None when there is none."""
    data = portal.logo()
    if data is None:
        return None
    response = Response(data, content_type="image/png")
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


def asset(name: str) -> Response | None:
    """Serve the gateway's stylesheet and scripts (read once); None for any other name."""
    if name not in ASSETS:
        return None
    response = Response(_asset_bytes(name), content_type=f"{ASSETS[name]}; charset=utf-8")
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response
