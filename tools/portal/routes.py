"""Which requests the gateway forwards to a client's Fava: an allow-list of read routes.

An allow-list, not a deny-list: a route that a later Fava adds (or an extension registers)
is refused until someone reads it and adds it here. Everything not listed is refused, among
them the editor, the import page and every write endpoint, raw source (`api/source`,
`api/source_slice`, `api/context`, `download-journal`), code that runs on request
(`api/extract`, `api/imports`, every extension but beanfirm's own), BQL (`api/query`,
`download-query`, the query report: queries can select file names and are unbounded in
cost), the entry form's autocompletion, `statement/` (it serves whatever document an entry's
metadata names), and `/jump` (an open redirect to the Referer).

beanfirm's own Fava extensions (`EXTENSIONS`, by the name Fava gives them: their class
name) are reviewed with this gateway in mind: their report page, their endpoints and their
JavaScript module are forwarded, for GET and HEAD only like everything else.

Paths are checked after decoding, and any path that could mean something else to the next
decoder is refused outright: `.` and `..` segments, empty segments (`//`), a `%` left after
decoding (double encoding), backslashes and control characters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

READ_METHODS = ("GET", "HEAD")

# Fava's client-side reports (application.CLIENT_SIDE_REPORTS) that only read.
READ_REPORTS = frozenset(
    {
        "balance_sheet",
        "commodities",
        "documents",
        "errors",
        "events",
        "holdings",
        "income_statement",
        "journal",
        "options",
        "statistics",
        "trial_balance",
    }
)

# GET endpoints of Fava's JSON API that return reports (json_api.py).
READ_API = frozenset(
    {
        "account_report",
        "balance_sheet",
        "changed",
        "commodities",
        "documents",
        "errors",
        "events",
        "help",
        "income_statement",
        "journal",
        "journal_page",
        "ledger_data",
        "options",
        "statistics",
        "trial_balance",
    }
)

# beanfirm's Fava extensions: `beanfirm.fava.reconciliation`, `beanfirm.fava.customers`,
# `beanfirm.fava.financials` and `beanfirm.fava.visits`.
EXTENSIONS = frozenset({"Reconciliation", "CustomerAccounts", "Financials", "Visits"})

# Accountant-only pages a client user's request never reaches (staff keep them): the ledger's
# errors are the firm's backlog (clientview.py leaves them out of the pages' data too); Fava's
# help and options pages are Fava's and Beancount's manual and settings, in English whatever
# the language; Statistics and Holdings load through BQL (`api/query`), which stays refused.
CLIENT_HIDDEN_REPORTS = frozenset({"errors", "help", "options", "statistics", "holdings"})
CLIENT_HIDDEN_API = frozenset({"errors", "help", "options", "statistics"})

# The kinds of Fava route the gateway forwards, each a pattern below.
RouteKind = Literal[
    "index",
    "static",
    "ledger",
    "report",
    "account",
    "holdings",
    "help",
    "document",
    "api",
    "extension",
    "extension_js",
]

_SEGMENT = r"[^/]+"
_PATTERNS: dict[RouteKind, re.Pattern[str]] = {
    "index": re.compile(r"/"),
    "static": re.compile(r"/static/[A-Za-z0-9][A-Za-z0-9._-]*"),
    "ledger": re.compile(rf"/{_SEGMENT}/"),
    "report": re.compile(rf"/{_SEGMENT}/(?P<report>[a-z_]+)/"),
    "account": re.compile(rf"/{_SEGMENT}/account/{_SEGMENT}/"),
    "holdings": re.compile(rf"/{_SEGMENT}/holdings/by_(account|currency|cost_currency)/"),
    "help": re.compile(rf"/{_SEGMENT}/help/(?:[a-z_]+)?"),
    "document": re.compile(rf"/{_SEGMENT}/document/"),
    "api": re.compile(rf"/{_SEGMENT}/api/(?P<api>[a-z_]+)"),
    "extension": re.compile(
        rf"/{_SEGMENT}/extension/(?P<extension>[A-Za-z][A-Za-z0-9_]*)/(?:[A-Za-z0-9_-]+)?"
    ),
    "extension_js": re.compile(
        rf"/{_SEGMENT}/extension_js_module/(?P<extension>[A-Za-z][A-Za-z0-9_]*)\.js"
    ),
}


@dataclass(frozen=True)
class Route:
    """A request the gateway will forward: which kind of Fava route it is."""

    kind: RouteKind
    name: str = ""  # the report's or API endpoint's name (`income_statement`), else empty

    @property
    def staff_only(self) -> bool:
        """Tell whether only staff may read this route (not a client user)."""
        return (
            self.kind in {"help", "holdings"}
            or (self.kind == "report" and self.name in CLIENT_HIDDEN_REPORTS)
            or (self.kind == "api" and self.name in CLIENT_HIDDEN_API)
        )


def is_clean_path(path: str) -> bool:
    """Tell whether a decoded path has one meaning only (no dot segments, no leftovers)."""
    if not path.startswith("/") or "%" in path or "\\" in path:
        return False
    if any(ord(char) < 0x20 or ord(char) == 0x7F for char in path):  # noqa: PLR2004
        return False
    segments = path[1:].split("/")
    inner = segments[:-1] if segments[-1] == "" else segments
    return all(segment not in {"", ".", ".."} for segment in inner)


def match_route(path: str) -> Route | None:
    """Return the allowed route a path (inside one client's prefix) is, or None."""
    if not is_clean_path(path):
        return None
    for kind, pattern in _PATTERNS.items():
        found = pattern.fullmatch(path)
        if found is None:
            continue
        if kind == "report" and found["report"] not in READ_REPORTS:
            # `/x/account/` etc. also match `report`; only listed reports pass.
            continue
        if kind == "api" and found["api"] not in READ_API:
            return None
        if kind.startswith("extension") and found["extension"] not in EXTENSIONS:
            return None
        if kind in {"report", "api"}:
            return Route(kind, found[kind])
        return Route(kind)
    return None
