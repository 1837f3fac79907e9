"""The Fava page "Customer accounts" (往来账款): aging, statements, forecast and credit ratings.

Turned on by one line in the ledger, with an optional configuration (a Python dict literal)::

    2025-10-01 custom "fava-extension" "beanfirm.fava.customers"
    2025-10-01 custom "fava-extension" "beanfirm.fava.customers" "{'language': 'zh'}"

Keys: `language` (`zh`, `en` or another language beanfirm has a catalogue for; default: the
client's `language` in clients.yaml, else Fava's `language` option, else English), `buckets`
(the aging limits, default `[30, 60, 90]`), `weeks` (the forecast's length, default 13). A bad
configuration is reported among Fava's errors and the page stays off.

One page, read-only, with five sections: receivables aging, payables aging, statements of
account (links that download each customer's statement as HTML or PDF), the cash-flow forecast
(table and chart) and the credit ratings, all as of today or the `as_of=YYYY-MM-DD` in the
page's address. The figures are those of `beanfirm aging`, `statement`, `forecast` and
`credit`. The statements need the practice's clients.yaml (the letterheads): the ledger must be
`ledgers/<client>/main.beancount` inside a practice, or served by the portal, which names its
client (`beanfirm.fava.practice`); the other sections work on any ledger.
"""

from __future__ import annotations

import dataclasses
import datetime
import functools
import io
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import urlencode

from fava.ext import ExtensionConfigError, FavaExtensionBase, extension_endpoint
from flask import Response, g, request, send_file
from flask import url_for as flask_url_for
from markupsafe import Markup

from beanfirm.accounts.aging import DEFAULT_BUCKETS, Aging, age_items, parse_buckets
from beanfirm.accounts.credit import RULES, Rating, Worth, rate_customers
from beanfirm.accounts.customers import today
from beanfirm.accounts.forecast import DEFAULT_WEEKS, Forecast, check_weeks, client_forecast
from beanfirm.accounts.forecastchart import render_chart
from beanfirm.accounts.messages import check_language
from beanfirm.accounts.openitems import Book, Party, read_book
from beanfirm.accounts.statements import STATEMENT_TYPES
from beanfirm.core.beans import Directive, Options
from beanfirm.errors import BeanfirmError
from beanfirm.fava.practice import LedgerClient, PageLanguage
from beanfirm.store.registry import Client, Firm

if TYPE_CHECKING:
    from fava.core import FavaLedger

CONFIG_KEYS = ("language", "buckets", "weeks")
STATEMENT_FORMATS = {"html": "text/html", "pdf": "application/pdf"}
# Every cache a request can fill is bounded: each `as_of=` in an address is a page (a forecast
# and a chart), each statement a render (a PDF costs about a second of CPU). The last few of
# each are kept, least recently used out, until the ledger reloads.
PAGES_KEPT = 8
STATEMENTS_KEPT = 16
# The days the page and the statements can be asked for: further out, dates overflow (a
# statement's opening balance is the day before it starts) and forecasts run for nothing.
FIRST_DAY = datetime.date(1900, 1, 1)
LAST_DAY = datetime.date(2099, 12, 31)
# Statements are made one at a time, so that a burst of them takes one core of the client's
# worker, not all; one that waits longer than this is refused (busy, try again).
STATEMENT_WAIT = 30.0


class CustomerAccountsConfigError(ExtensionConfigError):
    """The extension's configuration string is wrong; the message says how to fix it."""

    def __init__(self, message: str) -> None:
        ValueError.__init__(self, f"beanfirm.fava.customers: {message}")


@dataclass(frozen=True)
class Settings:
    """The extension's configuration."""

    language: str | None = None
    limits: tuple[int, ...] = DEFAULT_BUCKETS
    weeks: int = DEFAULT_WEEKS


@dataclass(frozen=True)
class StatementLink:
    """A customer and the addresses of its statements."""

    party: Party
    links: tuple[tuple[str, str, str], ...]  # (statement type label, type, format)


@dataclass(frozen=True)
class Page:
    """Everything the page shows for one day."""

    as_of: datetime.date
    receivables: Aging | str  # a string: why there is no aging
    payables: Aging | str
    statements: tuple[StatementLink, ...]
    statements_available: bool
    forecast: Forecast
    chart: Markup
    ratings: tuple[Rating, ...]
    notice: str | None


def read_config(config: object) -> Settings:
    """Validate the configuration (already parsed by Fava); raise a config error if wrong."""
    if config is None:
        return Settings()
    if not isinstance(config, dict):
        msg = f"the configuration must be a dict like \"{{'language': 'zh'}}\"; got {config!r}"
        raise CustomerAccountsConfigError(msg)
    unknown = [key for key in config if key not in CONFIG_KEYS]
    if unknown:
        msg = f"unknown key(s) {', '.join(map(repr, unknown))}; the keys are {CONFIG_KEYS}"
        raise CustomerAccountsConfigError(msg)
    try:
        language = config.get("language")
        if language is not None:
            check_language(str(language), where="the fava-extension line's 'language'")
        buckets = config.get("buckets", list(DEFAULT_BUCKETS))
        if not isinstance(buckets, list | tuple):
            msg = f"'buckets' must be a list of whole numbers like [30, 60, 90]; got {buckets!r}"
            raise CustomerAccountsConfigError(msg)
        limits = parse_buckets(",".join(str(limit) for limit in buckets))
        weeks = config.get("weeks", DEFAULT_WEEKS)
        if isinstance(weeks, bool) or not isinstance(weeks, int):
            msg = f"'weeks' must be a whole number like 13; got {weeks!r}"
            raise CustomerAccountsConfigError(msg)
        check_weeks(weeks)
    except BeanfirmError as error:
        raise CustomerAccountsConfigError(error.message.replace("--", "'")) from error
    return Settings(language, limits, weeks)


class CustomerAccounts(PageLanguage, FavaExtensionBase):
    """The Customer accounts page (see the module docstring)."""

    def __init__(self, ledger: FavaLedger, config: str | None = None) -> None:
        super().__init__(ledger, config)
        self.settings = read_config(self.config)
        self.pages_kept = functools.lru_cache(maxsize=PAGES_KEPT)(self._compute)
        self.statements_kept = functools.lru_cache(maxsize=STATEMENTS_KEPT)(self._render)
        self._rendering = threading.Lock()
        self._client = LedgerClient(self.ledger.beancount_file_path)
        self.report_title = self.t("Customer accounts")

    @property
    def configured_language(self) -> str | None:
        """Return the language the extension's line sets (None: none)."""
        return self.settings.language

    def client(self) -> tuple[Client, Firm] | None:
        """Return the registry's client and firm for this ledger, if it is in a practice."""
        return self._client.get()

    def after_load_file(self) -> None:
        """Forget what was computed from the previous version of the ledger."""
        self.pages_kept.cache_clear()
        self.statements_kept.cache_clear()
        self._client.forget()
        self.report_title = self.t("Customer accounts")

    def page(self) -> Page:
        """Return the figures of the page for the day the address asks for (default today)."""
        notice = None
        as_of = today()
        wanted = request.args.get("as_of")
        if wanted:
            try:
                as_of = _within_years(datetime.date.fromisoformat(wanted))
            except ValueError:
                as_of = today()
                notice = self.t(
                    "The address asks for as_of={value}, not a date; showing today.", value=wanted
                )
        page = self.pages_kept(as_of)
        return dataclasses.replace(page, notice=notice) if notice else page

    def grades(self) -> str:
        """Return the grading rule in words."""
        steps = ", ".join(f"{grade} ≤ {most}" for most, grade in RULES.grades)
        return f"{steps}, D > {RULES.grades[-1][0]}"

    def _compute(self, as_of: datetime.date) -> Page:
        entries, options = self._entries(), self.ledger.options
        receivables = read_book(entries, options, "receivables")
        payables = read_book(entries, options, "payables")
        limits = self.settings.limits
        found = self.client()
        result = client_forecast(
            entries, options, as_of, found[0] if found else None, weeks=self.settings.weeks
        )
        svg = render_chart(
            result,
            "svg",
            title=found[0].name if found else "",
            language=self.language,
        ).decode("utf-8")
        chart = Markup(svg[svg.index("<svg") :])  # noqa: S704 - matplotlib's own SVG
        return Page(
            as_of,
            _aging(receivables, as_of, limits),
            _aging(payables, as_of, limits),
            tuple(self._statement_links(receivables.parties.values())),
            found is not None,
            result,
            chart,
            tuple(rate_customers(receivables, as_of, Worth.of_ledger(entries, result.currency))),
            None,
        )

    def _statement_links(self, parties: Iterable[Party]) -> list[StatementLink]:
        rows = []
        labels = {
            "balance-forward": self.t("Balance forward"),
            "open-item": self.t("Open items"),
            "activity": self.t("Activity"),
        }
        for party in sorted(parties, key=lambda p: (p.name, p.account)):
            links = tuple(
                (labels[kind], kind, fmt) for kind in STATEMENT_TYPES for fmt in STATEMENT_FORMATS
            )
            rows.append(StatementLink(party, links))
        return rows

    def _entries(self) -> Sequence[Directive]:
        # Fava types its entries with its own abstract classes (fava.beans.abc), which
        # Beancount's named tuples are registered with: they are Beancount's.
        return cast("Sequence[Directive]", self.ledger.all_entries)

    def statement_url(self, party: Party, kind: str, fmt: str, as_of: datetime.date) -> str:
        """Return the address of one statement (the `statement` endpoint, a GET)."""
        page = flask_url_for(
            "extension_report", bfile=g.beancount_file_slug, extension_name=self.name
        )
        query = urlencode({"customer": party.key, "type": kind, "format": fmt, "to": as_of})
        return f"{page}statement?{query}"

    @extension_endpoint
    def statement(self) -> Response:
        """Render one customer's statement (GET: customer, type, format, from, to)."""
        found = self.client()
        if found is None:
            message = self.t(
                "Statements need the practice's clients.yaml (the letterheads); this ledger is "
                "not in a practice's ledgers/ folder."
            )
            return _plain(message, 404)
        customer = request.args.get("customer", "")
        kind = request.args.get("type", "balance-forward")
        fmt = request.args.get("format", "html")
        if kind not in STATEMENT_TYPES or fmt not in STATEMENT_FORMATS or not customer:
            message = (
                "Give customer=NAME, type= one of balance-forward, open-item, activity, and "
                "format= html or pdf."
            )
            return _plain(message, 400)
        try:
            start = _date_arg("from")
            end = _date_arg("to")
        except BeanfirmError as error:
            return _plain(str(error), 400)
        if not self._rendering.acquire(timeout=STATEMENT_WAIT):
            return _plain("Statements are being made for others; try again in a minute.", 503)
        try:
            body = self.statements_kept(customer, kind, fmt, start, end, today())
        except BeanfirmError as error:
            return _plain(str(error), 400)
        finally:
            self._rendering.release()
        name = f"statement-{found[0].id}-{customer}-{kind}-{end or today()}.{fmt}"
        return send_file(
            io.BytesIO(body),
            mimetype=STATEMENT_FORMATS[fmt],
            as_attachment=fmt == "pdf",
            download_name=name,
        )

    def _render(
        self,
        customer: str,
        kind: str,
        fmt: str,
        start: datetime.date | None,
        end: datetime.date | None,
        day: datetime.date,
    ) -> bytes:
        """Render one statement (kept by `statements_kept`; `day` is today, which it depends on)."""
        found = self.client()
        assert found is not None  # noqa: S101 - the endpoint asked first
        return render_statement(
            self._entries(),
            self.ledger.options,
            found[0],
            found[1],
            customer,
            kind=kind,
            start=start,
            end=end,
            language=self.settings.language,
            output=fmt,
            today=day,
        )


def render_statement(
    entries: Sequence[Directive],
    options: Options,
    client: Client,
    firm: Firm,
    customer: str,
    **how: Any,
) -> bytes:
    """Render a statement through the statement engine (`beanfirm.jobs.statements`)."""
    from beanfirm.jobs import statements as statementjob  # noqa: PLC0415 - WeasyPrint loads only when asked

    return statementjob.render_statement(entries, options, client, firm, customer, **how)


def _aging(book: Book, as_of: datetime.date, limits: tuple[int, ...]) -> Aging | str:
    """Return the aging, or the error that says which invoice lacks a due date."""
    try:
        return age_items(book, as_of, limits)
    except BeanfirmError as error:
        return str(error)


def _date_arg(name: str) -> datetime.date | None:
    value = request.args.get(name)
    if not value:
        return None
    try:
        return _within_years(datetime.date.fromisoformat(value))
    except ValueError as error:
        msg = (
            f"{name}={value} is not a date between {FIRST_DAY} and {LAST_DAY}; write it YYYY-MM-DD."
        )
        raise BeanfirmError(msg) from error


def _within_years(day: datetime.date) -> datetime.date:
    """Return a day the page can be asked for; raise ValueError for one too far out."""
    if not FIRST_DAY <= day <= LAST_DAY:
        msg = f"{day} is not between {FIRST_DAY} and {LAST_DAY}"
        raise ValueError(msg)
    return day


def _plain(message: str, status: int) -> Response:
    return Response(message, status, mimetype="text/plain")
