"""`/c/<client-id>/...`: a user's request, checked, forwarded to that client's Fava worker.

The order of checks: logged in (else login page or 401), GET or HEAD (else 405), the client
is one the user may see (else 404, the same answer as for a client that does not exist), the
path is on the allow-list (else 404). Only then is the request answered: from the pages the
gateway keeps (pagecache.py) or by the worker of the books the user reads: staff the working
head, a client user the snapshot of the client's latest approval (snapshots.py), or, before
the first approval, a page that says the reviewed books will appear there. The worker's
answer is filtered: only a few headers pass, redirects must stay inside the client's prefix,
server paths are scrubbed (by the worker, before the answer leaves it), a CSV file's cells
that a spreadsheet would run as formulas are neutralised (a bank's export kept as a document
can hold `=HYPERLINK(...)`), and any error is replaced by the portal's own page (Fava's error
pages can show file names). Refusals read in the user's language (language.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit

from werkzeug.wrappers import Request, Response

from beanfirm.core.csvcells import UnreadableCsvError, neutralised_csv
from beanfirm.portal import audit, pages
from beanfirm.portal.headers import DOCUMENT_CSP
from beanfirm.portal.language import error_for, words_for
from beanfirm.portal.limits import refusal
from beanfirm.portal.pool import WorkerUnavailableError
from beanfirm.portal.render import error_json
from beanfirm.portal.routes import READ_METHODS, match_route
from beanfirm.portal.snapshots import SnapshotError
from beanfirm.portal.upstream import PASSED_REQUEST_HEADERS
from beanfirm.store.registry import SLUG_RE

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from beanfirm.core.translation import Words
    from beanfirm.portal.pool import BooksView
    from beanfirm.portal.routes import Route, RouteKind
    from beanfirm.portal.site import Identity, Portal
    from beanfirm.portal.upstream import Reply

PREFIX = "/c/"
_PATH_SAFE = "/:@!$&'()*+,;=-._~"
# Requests the audit log does not record one by one: Fava's assets and its change poll.
_UNLOGGED: tuple[RouteKind, ...] = ("static", "extension_js")
# The media types a CSV file is sent as (a `.csv` file name counts whatever its type).
CSV_TYPES = frozenset({"text/csv", "application/csv", "text/x-csv", "text/comma-separated-values"})
TSV_TYPES = frozenset({"text/tab-separated-values", "text/tsv"})
# A file a spreadsheet opens as a table of text, by the end of its name: its cells' separator.
DELIMITERS = {".csv": ",", ".tsv": "\t"}


def decoded_path(request: Request) -> str | None:
    """Return the request path as text (PATH_INFO is bytes in latin-1), None if not UTF-8."""
    raw = request.environ.get("PATH_INFO", "")
    try:
        return str(raw).encode("latin-1").decode("utf-8")
    except UnicodeError:
        return None


def split_client(path: str) -> tuple[str, str] | None:
    """Split `/c/<id>/rest` into the client id and `/rest`; None if it is not such a path."""
    if not path.startswith(PREFIX):
        return None
    client_id, slash, rest = path[len(PREFIX) :].partition("/")
    if not SLUG_RE.fullmatch(client_id):
        return None
    return client_id, slash + rest


def forward(portal: Portal, request: Request, identity: Identity | None) -> Response:
    """Answer one request under `/c/`."""
    path = decoded_path(request)
    parts = split_client(path) if path is not None else None
    address = request.remote_addr
    if identity is None:
        return _logged_out(portal, request, path, api=parts is not None and _is_api(parts[1]))
    email = identity.user.email
    # A client user reads the portal's errors in the client's language; staff in English.
    t = words_for(portal, request, identity, parts[0] if parts else None)
    if request.method not in READ_METHODS:
        audit.record(portal.store, "refused", email=email, path=path, status=405, address=address)
        response = error_for(portal, t, 405, t("The portal shows books; it changes nothing."))
        response.headers["Allow"] = ", ".join(READ_METHODS)
        return response
    if parts is None or not portal.may_see(identity.user, parts[0]):
        audit.record(portal.store, "refused", email=email, path=path, status=404, address=address)
        return error_for(portal, t, 404)
    client_id, rest = parts
    if rest == "":
        return Response(status=302, headers={"Location": f"{PREFIX}{client_id}/"})

    def noted(event: str, status: int) -> None:
        audit.record(
            portal.store,
            event,
            email=email,
            client_id=client_id,
            path=path,
            status=status,
            address=address,
        )

    def error(status: int, message: str | None = None) -> Response:
        """Answer an error: Fava's API as Fava's own errors (its page shows them), else a page."""
        if _is_api(rest):
            return error_json(status, message, t=t)
        return error_for(portal, t, status, message)

    def refused(status: int, message: str | None = None) -> Response:
        noted("refused", status)
        return error(status, message)

    try:
        view = portal.books_for(identity.user, client_id)
    except SnapshotError:
        return refused(503, t("These books cannot be shown. The firm has been told."))
    if view is None:  # a client user of a client never approved: no Fava at all
        status = 200 if rest == "/" else 404
        noted("view", status)
        return pages.unreviewed(portal, identity, client_id, status=status)
    route = _allowed_route(rest, identity)
    too_much = refusal(request.query_string, request.args, t) if route is not None else None
    if too_much is not None:
        return refused(400, too_much)
    query = _query(portal, view, request, route.kind if route else None)
    if route is None or query is None:
        return refused(404)
    response = _from_worker(portal, request, view, rest, query, route.kind, t, error)
    if route.kind == "document":
        response.headers["Content-Security-Policy"] = DOCUMENT_CSP
        _downloaded_unless_viewable(response)
    if route.kind == "static" and response.status_code == 200:  # noqa: PLR2004
        response.headers["Cache-Control"] = "private, max-age=86400"
    if route.kind not in _UNLOGGED:
        noted("view", response.status_code)
    return response


# The documents a browser shows in the portal (in the sandbox above). Any other type is sent as
# a download of bytes: served as itself, a `.js` document was a script the portal's own pages
# could load (`script-src 'self'`), through markup in ledger text that Fava shows as HTML.
VIEWABLE = frozenset(
    {
        "application/pdf",
        "image/png",
        "image/jpeg",
        "image/gif",
        "image/webp",
        "image/svg+xml",
        "text/plain",
        "text/csv",
        "text/html",
    }
)


def _downloaded_unless_viewable(response: Response) -> None:
    """Send a document of a type the portal does not show as bytes to download."""
    if response.mimetype in VIEWABLE or response.status_code != 200:  # noqa: PLR2004
        return
    response.headers["Content-Type"] = "application/octet-stream"
    response.headers["Content-Disposition"] = "attachment"


def _logged_out(portal: Portal, request: Request, path: str | None, *, api: bool) -> Response:
    """Answer a request without a session: to the login form, or refused in the browser's words.

    Fava's page asking its API after the session ended (`api`) is told so as an API error,
    which the page shows, rather than sent the login form it cannot read.
    """
    t = words_for(portal, request, None)
    if api:
        return error_json(401, t("Your session has ended. Reload the page and log in."), t=t)
    if request.method in READ_METHODS:
        target = quote(path or "/", safe=_PATH_SAFE)
        return Response(status=302, headers={"Location": f"/login?next={quote(target)}"})
    return error_for(portal, t, 401, t("Log in first."))


def _allowed_route(rest: str, identity: Identity) -> Route | None:
    """Return the route a path is if the user may read it (an accountant-only page: staff)."""
    route = match_route(rest)
    if route is not None and route.staff_only and identity.user.kind != "staff":
        return None  # refused as any route off the list: 404
    return route


def _query(portal: Portal, view: BooksView, request: Request, kind: RouteKind | None) -> str | None:
    """Re-encode the query string; map a document's visible name back to its file.

    The file is in the folder of the books the user reads: a client user's documents come
    from the snapshot, never from the working head.
    """
    pairs = parse_qsl(request.query_string.decode("ascii", "replace"), keep_blank_values=True)
    if kind == "document":
        names = [v for k, v in pairs if k == "filename"]
        real = portal.scrubber(view).document_path(names[0]) if len(names) == 1 else None
        if real is None:
            return None
        pairs = [(k, real if k == "filename" else v) for k, v in pairs]
    return urlencode(pairs)


def _from_worker(
    portal: Portal,
    request: Request,
    view: BooksView,
    rest: str,
    query: str,
    kind: RouteKind,
    t: Words,
    error: Callable[[int, str | None], Response],
) -> Response:
    client_id = view.client_id
    client = portal.registry().client(client_id)
    target = quote(f"{PREFIX}{client_id}{rest}", safe=_PATH_SAFE)
    if query:
        target += f"?{query}"
    headers = {
        name: request.headers[name] for name in PASSED_REQUEST_HEADERS if name in request.headers
    }
    # Fava picks its language from Accept-Language when the ledger sets none.
    headers.update({"Host": "localhost", "Accept-Language": client.language})
    key = portal.pages.key(view.key, kind, target, headers)
    reply = portal.pages.get(key) if key is not None else None
    if reply is None or not portal.pool.touch(view.key):
        try:
            with portal.pool.lease(view) as upstream:
                reply = upstream.fetch(target, headers)
        except WorkerUnavailableError:
            return error(503, t("The books are being opened by many people; try again shortly."))
        except OSError:
            return error(502, None)
        if key is not None:
            portal.pages.put(key, reply)
        else:  # a newer load drops the old pages before this answer reaches the browser
            portal.pages.seen(view.key, reply.load)
    if reply.status >= 400:  # noqa: PLR2004
        return _worker_error(reply.status, t, error)
    # The worker has scrubbed the body of server paths (worker.py); a redirect's target is
    # checked here, and a CSV file's cells (csvcells.neutralised_csv).
    body = _spreadsheet_safe(reply, rest, query)
    if body is None:
        return error(502, t("This file cannot be sent safely. Ask the firm for it."))
    response = Response(body, status=reply.status)
    for name, value in reply.headers:
        if name.lower() == "location":
            location = _inside_prefix(value, client_id)
            if location is None:
                return error(404, None)
            response.headers["Location"] = portal.scrubber(view).scrub(location.encode()).decode()
        else:
            response.headers[name] = value
    return response


def _worker_error(status: int, t: Words, error: Callable[[int, str | None], Response]) -> Response:
    """Return the portal's own answer to a worker's error: no detail of the worker's passes."""
    if status == 503:  # noqa: PLR2004 - the worker refuses these books
        return error(503, t("These books cannot be shown. The firm has been told."))
    # A request the worker cannot serve (a month that is not one) stays the client's
    # mistake (400); anything else of the worker's is the portal's (502).
    return error(status if status in {400, 404} else 502, None)


def _is_api(rest: str) -> bool:
    """Tell whether a path inside a client's prefix is Fava's JSON API (`/<ledger>/api/...`)."""
    parts = rest.split("/", 3)
    return len(parts) > 2 and parts[2] == "api"  # noqa: PLR2004


def _spreadsheet_safe(reply: Reply, rest: str, query: str) -> bytes | None:
    """Return an answer's body, a CSV or TSV file's formula cells neutralised (None: unreadable)."""
    delimiter = table_delimiter(reply.headers, rest, query) if reply.body else None
    if delimiter is None:
        return reply.body
    try:
        return neutralised_csv(reply.body, delimiter)
    except UnreadableCsvError:
        return None


def table_delimiter(headers: Sequence[tuple[str, str]], rest: str, query: str) -> str | None:
    """Return the cell separator of a CSV or TSV file a spreadsheet would open, else None.

    Told by the answer's type or by a file name (the path, its `Content-Disposition`, or a
    document's `filename`); a CSV type or name wins over a TSV one.
    """
    named = [rest]
    for name, value in headers:
        if name.lower() == "content-type":
            media = value.partition(";")[0].strip().lower()
            named.append(".csv" if media in CSV_TYPES else ".tsv" if media in TSV_TYPES else "")
        elif name.lower() == "content-disposition":
            named.append(unquote(value).rstrip('"; '))
    if rest.endswith("/document/"):
        named += [v for k, v in parse_qsl(query) if k == "filename"]
    found = {DELIMITERS[text.lower()[-4:]] for text in named if text.lower()[-4:] in DELIMITERS}
    return "," if "," in found else next(iter(found), None)


def _inside_prefix(location: str, client_id: str) -> str | None:
    """Return a redirect target if it stays in the client's part of the portal."""
    parts = urlsplit(location)
    if parts.scheme not in {"", "http"} or parts.netloc not in {"", "localhost"}:
        return None
    if not parts.path.startswith(f"{PREFIX}{client_id}/"):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")
