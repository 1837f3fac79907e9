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
    "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; "
    "frame-ancestors 'self'"
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
            names = {name.lower() for name, _ in headers}
            extra = [pair for pair in COMMON if pair[0].lower() not in names]
            if "content-security-policy" not in names:
                extra.append(("Content-Security-Policy", PAGE_CSP))
            if "x-frame-options" not in names:
                frame = "SAMEORIGIN" if "frame-ancestors 'self'" in str(headers) else "DENY"
                extra.append(("X-Frame-Options", frame))
            if "cache-control" not in names:
                extra.append(("Cache-Control", "no-store"))
            if tls or environ.get("wsgi.url_scheme") == "https":
                extra.append(HSTS)
            headers = [(n, v) for n, v in headers if n.lower() != "server"] + extra
            return start_response(status, headers, exc_info)

        return app(environ, start)

    return wrapped
