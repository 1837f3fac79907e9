"""Security headers on every response of the gateway.

The content security policy is the strictest under which Fava 1.30's pages render: its
scripts and styles are files of its own (`'self'`); its Svelte components write
`style="display: contents"` attributes, so inline styles are allowed but inline scripts are
not (the `<script type="application/json">` data blocks are not scripts); charts use data:
images; PDFs show in an `<object>` and other documents in a sandboxed `<iframe>`, both from
the same origin. Documents themselves are sandboxed (no scripts, a unique origin) and may be
framed by the portal only; every other page may not be framed at all.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    StartResponse = Callable[..., Any]
    WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]

PAGE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'self'; "
    "frame-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
DOCUMENT_CSP = (
    "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'self'"
)

COMMON = (
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "same-origin"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
    ("Cross-Origin-Resource-Policy", "same-origin"),
    ("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()"),
)
HSTS = ("Strict-Transport-Security", "max-age=31536000")


def security_headers(app: WSGIApp, *, tls: bool) -> WSGIApp:
    """Wrap a WSGI app so that every response carries the security headers."""

    def wrapped(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            given = {name.lower(): value for name, value in headers}
            extra = [pair for pair in COMMON if pair[0].lower() not in given]
            csp = given.get("content-security-policy")
            if csp is None:
                extra.append(("Content-Security-Policy", PAGE_CSP))
            if "x-frame-options" not in given:
                framed = csp is not None and "frame-ancestors 'self'" in csp
                extra.append(("X-Frame-Options", "SAMEORIGIN" if framed else "DENY"))
            if "cache-control" not in given:
                extra.append(("Cache-Control", "no-store"))
            if tls or environ.get("wsgi.url_scheme") == "https":
                extra.append(HSTS)
            if "server" in given:
                headers = [(n, v) for n, v in headers if n.lower() != "server"]
            return start_response(status, headers + extra, exc_info)

        return app(environ, start)

    return wrapped
