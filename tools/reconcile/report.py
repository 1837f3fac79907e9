"""The reconciliation report: as data (`--json`), as CSV and as HTML, filed under documents/.

The HTML report is rendered from `templates/reconciliation.html` (Jinja2, autoescaped), its
headings, outcome and kinds in the client's language (gettext messages: English when beanfirm
has no catalogue for it; the causes are in English, as the command prints them); the CSV report
has one row per figure, per difference and per matched line, for a spreadsheet. Both say who
reconciled and when, what the statement and the ledger hold at the start and at the end of the
period, every difference with its likely cause, and the balance assertion written.
"""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from beanfirm.core.csvcells import CsvWriter
from beanfirm.core.htmlpages import template_environment
from beanfirm.core.journal import money
from beanfirm.core.translation import Words
from beanfirm.reconcile.comparison import Comparison, Verdict
from beanfirm.reconcile.differences import Difference

CSV_COLUMNS = (
    "section",
    "date",
    "amount",
    "currency",
    "description",
    "statement_line",
    "ledger",
    "kind",
    "effect",
    "cause",
)


def outcome_words(t: Words) -> dict[str, str]:
    """Name each outcome of a reconciliation in the report's language."""
    return {
        "reconciled": t("reconciled: no difference"),
        "accepted": t("reconciled, with outstanding items accepted"),
        "differs": t("not reconciled: the statement and the ledger differ"),
        "already": t("reconciled already"),
    }


def difference_kinds(t: Words) -> dict[str, str]:
    """Name each kind of difference in the report's language (in English, by the kind itself)."""
    # TRANSLATORS: the kinds of difference between a bank statement and the ledger.
    return {
        "timing": t.pgettext("difference", "timing"),
        "outstanding": t.pgettext("difference", "outstanding"),
        "duplicate": t.pgettext("difference", "duplicate"),
        "amount": t.pgettext("difference", "amount"),
        "missing": t.pgettext("difference", "missing"),
        "opening": t.pgettext("difference", "opening"),
    }


@dataclass(frozen=True)
class ReportContext:
    """Who reconciled, when, and what was written: what the report says besides the figures."""

    client_id: str
    client_name: str
    language: str
    staff_id: str
    prepared: datetime.date
    outcome: Verdict
    statement: str | None
    assertion: str | None
    root: Path


def _amount(number: Decimal | None) -> str:
    return "" if number is None else money(number)


def difference_data(item: Difference, root: Path) -> dict[str, Any]:
    """Return one difference as plain data."""
    return {
        "kind": item.kind,
        "date": item.date.isoformat(),
        "amount": _amount(item.amount),
        "description": item.description,
        "effect": money(item.effect),
        "statement_line": item.line.line if item.line else None,
        "ledger": item.posting.location.shown(root) if item.posting else None,
        "duplicate_of": item.twin.location.shown(root) if item.twin else None,
        "acceptable": item.acceptable,
        "cause": item.cause,
    }


def report_data(comparison: Comparison, root: Path) -> dict[str, Any]:
    """Return the comparison as plain data (the `--json` report)."""
    period = comparison.period
    opening_difference = comparison.opening_difference
    return {
        "account": comparison.account,
        "currency": comparison.currency,
        "statement": period.source,
        "start": comparison.start.isoformat(),
        "end": comparison.end.isoformat(),
        "window_days": comparison.window,
        "opening": {
            "statement": _amount(period.opening),
            "ledger": money(comparison.ledger_opening),
            "difference": _amount(opening_difference),
        },
        "closing": {
            "statement": money(period.closing),
            "ledger": money(comparison.ledger_closing),
            "difference": money(comparison.difference),
        },
        "lines": len(period.lines),
        "matched": [
            {
                "date": match.line.date.isoformat(),
                "amount": money(match.line.number),
                "description": match.line.text,
                "statement_line": match.line.line,
                "ledger": match.posting.location.shown(root),
                "by": match.by,
            }
            for match in comparison.matches
        ],
        "lines_not_in_ledger": len(comparison.lines_not_in_ledger),
        "outstanding": len(comparison.outstanding),
        "differences": [difference_data(item, root) for item in comparison.differences],
        "outstanding_only": comparison.outstanding_only(),
    }


def render_csv(comparison: Comparison, context: ReportContext) -> bytes:
    """Return the CSV report (UTF-8 with a byte-order mark, which spreadsheets expect)."""
    buffer = io.StringIO()
    writer = CsvWriter(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    currency = comparison.currency
    start, end = comparison.start.isoformat(), comparison.end.isoformat()
    figures = (
        (start, comparison.period.opening, "statement opening balance"),
        (start, comparison.ledger_opening, "ledger opening balance"),
        (end, comparison.period.closing, "statement closing balance"),
        (end, comparison.ledger_closing, "ledger closing balance"),
        (end, comparison.difference, "closing difference (statement - ledger)"),
    )
    for day, number, what in figures:
        if number is not None:
            writer.writerow(["balance", day, money(number), currency, what, "", "", "", "", ""])
    for item in comparison.differences:
        row = difference_data(item, context.root)
        writer.writerow(
            [
                "difference",
                row["date"],
                row["amount"],
                currency,
                row["description"],
                row["statement_line"] or "",
                row["ledger"] or "",
                row["kind"],
                row["effect"],
                row["cause"],
            ]
        )
    for match in comparison.matches:
        line = match.line
        writer.writerow(
            [
                "matched",
                line.date.isoformat(),
                money(line.number),
                currency,
                line.text,
                line.line,
                match.posting.location.shown(context.root),
                match.by,
                "",
                "",
            ]
        )
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def render_html(comparison: Comparison, context: ReportContext) -> bytes:
    """Return the HTML report, in the client's language."""
    template = template_environment().get_template("reconciliation.html")
    t = Words(context.language)
    html = template.render(
        c=comparison,
        ctx=context,
        t=t,
        kinds=difference_kinds(t),
        outcome=outcome_words(t).get(context.outcome, context.outcome),
        data=report_data(comparison, context.root),
        money=money,
    )
    return html.encode("utf-8")
