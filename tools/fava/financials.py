"""The Fava page "Financial statements" (财务报表): a month's statements as the forms lay them out.

Turned on by one line in the ledger (it takes no configuration)::

    2025-10-01 custom "fava-extension" "beanfirm.fava.financials"

The page shows the statements of `beanfirm financials` for the month in its address
(`?period=YYYY-MM`, the month picker at the top sets it; default: the last month a lock closes,
else the last full month), rendered by `beanfirm.monthend.render` in the client's language, with
links that download them as PDF and XLSX (the `download` endpoint, a GET). A mapping that
leaves out an account, an amount without a rate, entries not yet categorized: the page says so
with the file and line to fix, as the command line does. The statements need the client's
record in the practice's clients.yaml (currency, fiscal year, name): the ledger is
`ledgers/<client>/main.beancount` of a practice, or the portal tells its worker which client it
serves (`beanfirm.fava.practice`).
"""

from __future__ import annotations

import dataclasses
import datetime
import functools
import io
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, cast
from urllib.parse import urlencode

from fava.ext import FavaExtensionBase, extension_endpoint
from flask import Response, g, request, send_file
from flask import url_for as flask_url_for
from markupsafe import Markup

from beanfirm.accounts.customers import today
from beanfirm.core.translation import Words, language_of
from beanfirm.errors import BeanfirmError, Problem
from beanfirm.fava.practice import LedgerClient
from beanfirm.monthend.closing import Period, month_of, parse_period
from beanfirm.monthend.render import render_parts
from beanfirm.monthend.statements import Statements, financial_statements
from beanfirm.plugins.locked import standing_locks
from beanfirm.store.registry import Client, Firm

if TYPE_CHECKING:
    from collections.abc import Sequence

    from fava.core import FavaLedger

    from beanfirm.core.beans import Directive, Entries

DOWNLOADS = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
# Every cache a request can fill is bounded: each month asked for is a pass over the ledger,
# each download a render (a PDF takes about a second); the last few are kept until a reload.
PERIODS_KEPT = 12
DOWNLOADS_KEPT = 8
MONTHS_OFFERED = 600  # the picker's list: fifty years of months at the most
FIRST_YEAR = 1900
LAST_YEAR = 2099
# Downloads are made one at a time: a burst of them takes one core of the client's worker.
DOWNLOAD_WAIT = 30.0


@dataclass(frozen=True)
class Page:
    """What the page shows for one month: the statements, or why there are none."""

    period: Period
    statements: Statements | None
    error: str | None  # a sentence: what is wrong and what to do
    problems: tuple[Problem, ...]
    locked_through: datetime.date | None  # the latest standing lock of the books
    notice: str | None = None  # the address asked for a month that is not one

    @property
    def closed(self) -> bool:
        """Tell whether a lock covers the whole month (the month is closed)."""
        return self.locked_through is not None and self.locked_through >= self.period.end


def statement_language(client: Client | None, fava_language: str | None) -> str:
    """Return the statements' language: the client's, else Fava's; `zh` or `en` (the forms')."""
    language = client.language if client is not None else language_of(fava_language)
    return "zh" if language == "zh" else "en"


def latest_lock(entries: Sequence[Directive]) -> datetime.date | None:
    """Return the last day the books' standing locks close, or None."""
    locks, _problems = standing_locks(entries)
    return max((lock.through for lock in locks), default=None)


def default_period(locked_through: datetime.date | None, day: datetime.date) -> Period:
    """Return the month the page opens on: the last month a lock closes, else the last full one."""
    if locked_through is not None:
        month = month_of(locked_through)
        return month if locked_through == month.end else month.previous()
    return month_of(day).previous()


def read_period(text: str) -> Period:
    """Read a `YYYY-MM` of an address (raises BeanfirmError with what to give)."""
    period = parse_period(text[:16])
    if not FIRST_YEAR <= period.start.year <= LAST_YEAR:
        message = f"{text[:16]!r} is not a month between {FIRST_YEAR} and {LAST_YEAR}."
        raise BeanfirmError(message)
    return period


class Financials(FavaExtensionBase):
    """The Financial statements page (see the module docstring)."""

    def __init__(self, ledger: FavaLedger, config: str | None = None) -> None:
        super().__init__(ledger, config)
        self.pages_kept = functools.lru_cache(maxsize=PERIODS_KEPT)(self._compute)
        self.downloads_kept = functools.lru_cache(maxsize=DOWNLOADS_KEPT)(self._render)
        self._rendering = threading.Lock()
        self._client = LedgerClient(self.ledger.beancount_file_path)
        self._locked: tuple[datetime.date | None] | None = None
        self.report_title = self.t("Financial statements")

    @property
    def language(self) -> str:
        """Return the page's language: the client's, else Fava's (`zh` or `en`)."""
        found = self.client()
        return statement_language(found and found[0], self.ledger.fava_options.language)

    def t(self, message: str, **fields: object) -> str:
        """Return a message of the page in its language."""
        return Words(self.language)(message, **fields)

    def client(self) -> tuple[Client, Firm] | None:
        """Return the registry's client of this ledger and its firm, if they can be found."""
        return self._client.get()

    def after_load_file(self) -> None:
        """Forget what was computed from the previous version of the ledger."""
        self.pages_kept.cache_clear()
        self.downloads_kept.cache_clear()
        self._client.forget()
        self._locked = None
        self.report_title = self.t("Financial statements")

    def page(self) -> Page:
        """Return the page for the month the address asks for (default: see the docstring)."""
        wanted = request.args.get("period", "")
        if wanted:
            try:
                return self.pages_kept(read_period(wanted))
            except BeanfirmError:
                page = self.pages_kept(self.default_period())
                notice = self.t(
                    "The address asks for period={value}, not a month (YYYY-MM); showing {month}.",
                    value=wanted[:16],
                    month=page.period.label,
                )
                return dataclasses.replace(page, notice=notice)
        return self.pages_kept(self.default_period())

    def default_period(self) -> Period:
        """Return the month the page opens on (see `default_period`)."""
        return default_period(self.locked_through(), today())

    def locked_through(self) -> datetime.date | None:
        """Return the last day the books' standing locks close (read once per load)."""
        if self._locked is None:
            self._locked = (latest_lock(self._entries()),)
        return self._locked[0]

    def months(self, page: Page) -> list[str]:
        """Return the months the picker offers, newest first: the books' months to this one."""
        entries = self._entries()
        if not entries:
            return [page.period.label]
        first = max(entries[0].date, datetime.date(FIRST_YEAR, 1, 1))
        last = min(max(entries[-1].date, today()), datetime.date(LAST_YEAR, 12, 31))
        offered: list[str] = []
        month = month_of(last)
        while month.end >= first and len(offered) < MONTHS_OFFERED:
            offered.append(month.label)
            month = month.previous()
        if page.period.label not in offered:
            offered = sorted({*offered, page.period.label}, reverse=True)
        return offered

    def statements_html(self, page: Page) -> tuple[Markup, Markup]:
        """Return the forms' style sheet and the statements (monthend's own rendering)."""
        if page.statements is None:
            return Markup(""), Markup("")
        style, body = render_parts(page.statements, self.language)
        return Markup(style), Markup(body)  # noqa: S704 - our template's, autoescaped

    def download_url(self, page: Page, fmt: str) -> str:
        """Return the address that downloads a month's statements (the `download` endpoint)."""
        base = flask_url_for(
            "extension_report", bfile=g.beancount_file_slug, extension_name=self.name
        )
        return f"{base}download?{urlencode({'period': page.period.label, 'format': fmt})}"

    def _entries(self) -> Entries:
        # Fava types its entries with its own abstract classes (fava.beans.abc), which
        # Beancount's named tuples are registered with: they are Beancount's.
        return cast("Entries", self.ledger.all_entries)

    def _compute(self, chosen: Period) -> Page:
        entries = self._entries()
        locked_through = self.locked_through()
        found = self.client()
        if found is None:
            message = self.t(
                "Financial statements need the client's record in the practice's clients.yaml "
                "(its currency and fiscal year); this ledger is not in a practice's ledgers/ "
                "folder."
            )
            return Page(chosen, None, message, (), locked_through)
        try:
            statements = financial_statements(entries, self.ledger.options, found[0], chosen)
        except BeanfirmError as error:
            folder = Path(self.ledger.beancount_file_path).parent
            problems = tuple(_shown(problem, folder) for problem in error.problems)
            return Page(chosen, None, error.message, problems, locked_through)
        return Page(chosen, statements, None, (), locked_through)

    @extension_endpoint
    def download(self) -> Response:
        """Download a month's statements (GET: period=YYYY-MM, format=pdf|xlsx)."""
        fmt = request.args.get("format", "")
        try:
            period = read_period(request.args.get("period", ""))
        except BeanfirmError as error:
            return _plain(f"{error} Give period=YYYY-MM and format=pdf or xlsx.", 400)
        if fmt not in DOWNLOADS:
            return _plain("Give format=pdf or format=xlsx, and period=YYYY-MM.", 400)
        page = self.pages_kept(period)
        found = self.client()
        if page.statements is None or found is None:
            lines = [page.error or "", *(str(problem) for problem in page.problems)]
            return _plain("\n".join(lines), 400)
        if not self._rendering.acquire(timeout=DOWNLOAD_WAIT):
            return _plain("Statements are being made for others; try again in a minute.", 503)
        try:
            body = self.downloads_kept(period, fmt)
        except BeanfirmError as error:
            return _plain(str(error), 400)
        finally:
            self._rendering.release()
        name = self.t("financials")
        return send_file(
            io.BytesIO(body),
            mimetype=DOWNLOADS[fmt],
            as_attachment=True,
            download_name=f"{found[0].id}-{name}-{period.label}.{fmt}",
        )

    def _render(self, period: Period, fmt: str) -> bytes:
        """Render one month's statements as a file (kept by `downloads_kept`)."""
        statements = self.pages_kept(period).statements
        found = self.client()
        assert statements is not None  # noqa: S101 - the endpoint asked first
        assert found is not None  # noqa: S101 - no statements without the client
        client, firm = found
        return render_file(
            statements, self.language, fmt, firm=firm.name, prepared_by=preparer_name(client, firm)
        )


def preparer_name(client: Client, firm: Firm) -> str | None:
    """Return the name of the client's preparer (制表人 of its statements), if on the staff."""
    return next((staff.name for staff in firm.staff if staff.id == client.preparer), None)


def render_file(
    statements: Statements, language: str, fmt: str, *, firm: str, prepared_by: str | None
) -> bytes:
    """Render statements as PDF or XLSX (`beanfirm.monthend.pdf`, `beanfirm.monthend.xlsx`)."""
    # Imported when asked: WeasyPrint and openpyxl take a while to load.
    if fmt == "pdf":
        from beanfirm.monthend.pdf import render_pdf  # noqa: PLC0415

        return render_pdf(statements, language, firm=firm, prepared_by=prepared_by)
    from beanfirm.monthend.xlsx import render_xlsx  # noqa: PLC0415

    return render_xlsx(statements, language, firm=firm, prepared_by=prepared_by)


def _shown(problem: Problem, folder: Path) -> Problem:
    """Return a problem with its file relative to the client's folder when it is in it."""
    try:
        name = Path(problem.filename).resolve().relative_to(folder.resolve()).as_posix()
    except ValueError:
        name = Path(problem.filename).name if problem.filename else ""
    return Problem(name, problem.line, problem.message)


def _plain(message: str, status: int) -> Response:
    return Response(message, status, mimetype="text/plain")
