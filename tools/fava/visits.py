"""The Fava page "Visit expenses" (拜访客户费用): the tables and chart of `beanfirm visits`.

Turned on by one line in the ledger, with an optional configuration (a Python dict literal)::

    2025-10-01 custom "fava-extension" "beanfirm.fava.visits"
    2025-10-01 custom "fava-extension" "beanfirm.fava.visits" "{'language': 'zh'}"

Key: `language` (default: the client's `language` in clients.yaml, else Fava's `language`
option, else English). The page is read-only: the visits per customer, customer class, month
(with the chart) and staff, each visit with its costs by category, and the `#visit` entries
flagged for a missing `customer:` or `visit:`, for the period of the `from=` and `to=` in the
page's address (default: every visit). The figures are those of `beanfirm visits`.
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

from fava.ext import ExtensionConfigError, FavaExtensionBase
from flask import request
from markupsafe import Markup

from beanfirm.accounts.messages import check_language
from beanfirm.accounts.visitchart import category_words, render_visit_chart
from beanfirm.accounts.visits import CATEGORIES, COLUMNS, GROUPINGS, Row, VisitReport, visit_report
from beanfirm.core.beans import Directive
from beanfirm.core.translation import Words
from beanfirm.errors import BeanfirmError
from beanfirm.fava.practice import LedgerClient, PageLanguage

if TYPE_CHECKING:
    from fava.core import FavaLedger

    from beanfirm.accounts.visits import Grouping

PAGES_KEPT = 8  # the last few periods asked for, until the ledger reloads
FIRST_DAY = datetime.date(1900, 1, 1)
LAST_DAY = datetime.date(2099, 12, 31)


class VisitsConfigError(ExtensionConfigError):
    """The extension's configuration string is wrong; the message says how to fix it."""

    def __init__(self, message: str) -> None:
        ValueError.__init__(self, f"beanfirm.fava.visits: {message}")


def read_language(config: object) -> str | None:
    """Return the configured language (None: not configured); raise a config error if wrong."""
    if config is None:
        return None
    if not isinstance(config, dict) or set(config) - {"language"}:
        msg = f"the configuration must be a dict like \"{{'language': 'zh'}}\"; got {config!r}"
        raise VisitsConfigError(msg)
    try:
        language = str(config["language"])
        check_language(language, where="the fava-extension line's 'language'")
    except BeanfirmError as error:
        raise VisitsConfigError(error.message) from error
    return language


@dataclass(frozen=True)
class Table:
    """One table of the page: its heading, key columns and rows."""

    by: Grouping
    heading: str
    columns: tuple[str, ...]
    rows: tuple[Row, ...]


@dataclass(frozen=True)
class Page:
    """Everything the page shows for one period."""

    start: datetime.date | None
    end: datetime.date | None
    report: VisitReport
    tables: tuple[Table, ...]
    chart: Markup
    notice: str | None = None


def _day(value: str | None) -> datetime.date | None:
    """Return a date from the address, None when absent; ValueError when not a date."""
    if not value:
        return None
    day = datetime.date.fromisoformat(value)
    return min(max(day, FIRST_DAY), LAST_DAY)


class Visits(PageLanguage, FavaExtensionBase):
    """The Visit expenses page (see the module docstring)."""

    def __init__(self, ledger: FavaLedger, config: str | None = None) -> None:
        super().__init__(ledger, config)
        self.configured = read_language(self.config)
        self.pages_kept = functools.lru_cache(maxsize=PAGES_KEPT)(self._compute)
        self._client = LedgerClient(self.ledger.beancount_file_path)
        self.report_title = self.t("Visit expenses")

    @property
    def configured_language(self) -> str | None:
        """Return the language the extension's line sets (None: none)."""
        return self.configured

    def categories(self) -> list[tuple[str, str]]:
        """Return each category and its name in the page's language."""
        words = category_words(Words(self.language))
        return [(category, words[category]) for category in CATEGORIES]

    def column(self, name: str) -> str:
        """Return a key column's heading in the page's language."""
        t = Words(self.language)
        words = {
            "visit": t("Visit"),
            "date": t("Date"),
            "customer": t("Customer"),
            "class": t("Class"),
            "staff": t("Staff"),
            "month": t("Month"),
        }
        return words[name]

    def heading(self, by: Grouping) -> str:
        """Return the heading of the table grouped `by` a key, in the page's language."""
        t = Words(self.language)
        headings = {
            "visit": t("Each visit"),
            "customer": t("By customer"),
            "class": t("By customer class"),
            "month": t("By month"),
            "staff": t("By staff"),
        }
        return headings[by]

    def after_load_file(self) -> None:
        """Forget what was computed from the previous version of the ledger."""
        self.pages_kept.cache_clear()
        self._client.forget()
        self.report_title = self.t("Visit expenses")

    def page(self) -> Page:
        """Return the page for the period the address asks for (default: every visit)."""
        try:
            start, end = _day(request.args.get("from")), _day(request.args.get("to"))
        except ValueError:
            page = self.pages_kept(None, None)
            notice = self.t("The address asks for a period that is not two dates; showing all.")
            return Page(page.start, page.end, page.report, page.tables, page.chart, notice)
        return self.pages_kept(start, end)

    def _compute(self, start: datetime.date | None, end: datetime.date | None) -> Page:
        # Fava types its entries with its own abstract classes (fava.beans.abc), which
        # Beancount's named tuples are registered with: they are Beancount's.
        entries = cast("Sequence[Directive]", self.ledger.all_entries)
        root = str(self.ledger.beancount_file_path).rsplit("/", 1)[0] + "/"
        report = visit_report(
            entries,
            self.ledger.options,
            start=start,
            end=end,
            relative=lambda name: name.removeprefix(root),
        )
        found = self._client.get()
        svg = render_visit_chart(
            report, "svg", title=found[0].name if found else "", language=self.language
        ).decode("utf-8")
        chart = Markup(svg[svg.index("<svg") :])  # noqa: S704 - matplotlib's own SVG
        tables = tuple(
            Table(by, self.heading(by), COLUMNS[by], tuple(report.rows(by)))
            for by in (*GROUPINGS[1:], GROUPINGS[0])
        )
        return Page(start, end, report, tables, chart)
