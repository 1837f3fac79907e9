"""The chart of visit expenses: each month's costs stacked by category (transport, meals, ...).

Drawn as the forecast's chart is (`forecastchart`): matplotlib's Agg canvas, no pyplot, the CJK
font found explicitly, PNG or SVG bytes without a date; matplotlib is imported when drawn.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from beanfirm.accounts.forecastchart import ChartFormat, figure_bytes
from beanfirm.accounts.visits import CATEGORIES, VisitReport
from beanfirm.core.translation import Words

if TYPE_CHECKING:
    from matplotlib.figure import Figure

COLORS = {"transport": "#2b4162", "meals": "#d1603d", "lodging": "#4c9f70", "other": "#9a8c98"}


def category_words(t: Words) -> dict[str, str]:
    """Return the name of each category in a language."""
    return {
        "transport": t("Transport"),
        "meals": t("Meals"),
        "lodging": t("Lodging"),
        "other": t.pgettext("visit cost", "Other"),
    }


def chart_currency(report: VisitReport) -> str | None:
    """Return the currency the chart shows: that of the largest total (None: no visits)."""
    totals = report.totals()
    return max(totals, key=lambda costs: costs.total).currency if totals else None


def render_visit_chart(
    report: VisitReport, fmt: ChartFormat, *, title: str = "", language: str = "en"
) -> bytes:
    """Draw the monthly visit costs by category; return the PNG or SVG file's bytes."""
    return figure_bytes(lambda: _draw(report, title, Words(language)), fmt)


def _draw(report: VisitReport, title: str, t: Words) -> Figure:
    from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: PLC0415
    from matplotlib.figure import Figure  # noqa: PLC0415
    from matplotlib.ticker import FuncFormatter  # noqa: PLC0415

    figure = Figure(figsize=(10, 4.8), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.subplots()
    currency = chart_currency(report)
    rows = [row for row in report.rows("month") if row.costs.currency == currency]
    positions = list(range(len(rows)))
    bottoms = [0.0] * len(rows)
    words = category_words(t)
    for category in CATEGORIES:
        # Floats only to place bars on a picture; every figure printed stays a Decimal.
        heights = [float(row.costs.amounts[category]) for row in rows]
        if any(heights):
            axes.bar(
                positions,
                heights,
                bottom=bottoms,
                color=COLORS[category],
                label=words[category],
            )
            bottoms = [low + high for low, high in zip(bottoms, heights, strict=True)]
    axes.set_xticks(positions, [row.key[0] for row in rows])
    axes.set_xlim(-0.6, max(len(rows), 6) - 0.4)  # a bar of one month stays a bar's width
    axes.set_xlabel(t("Month"))
    axes.yaxis.set_major_formatter(FuncFormatter(lambda value, _pos: f"{value:,.0f}"))
    heading = f"{title}: {t('Visit expenses')}" if title else t("Visit expenses")
    axes.set_title(f"{heading} ({currency or ''})")
    if rows:
        axes.legend(loc="best")
    axes.grid(axis="y", alpha=0.3)
    figure.tight_layout()
    return figure
