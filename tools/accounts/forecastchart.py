"""The chart of a cash-flow forecast: weekly inflows and outflows as bars, the balance as a line.

Drawn on matplotlib's Agg canvas (no display, no pyplot, no global backend: safe inside Fava's
process), as PNG or SVG bytes. Chinese labels
use a CJK font when the machine has one (WenQuanYi, Noto Sans CJK, Source Han Sans), found
through fontconfig as PDFs find theirs (`core/pdf.py`); the SVG
keeps its text as paths, so it looks the same where the font is missing, and carries no date,
so the same forecast draws the same file. matplotlib is imported when a chart is drawn, not
with the module: it costs about 0.5 s, and every `beanfirm` command imports this one.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Literal

from beanfirm.accounts.forecast import Forecast
from beanfirm.core.pdf import cjk_fonts
from beanfirm.core.translation import Words

if TYPE_CHECKING:
    from collections.abc import Callable

    from matplotlib.figure import Figure

ChartFormat = Literal["png", "svg"]
FONTS = (
    "WenQuanYi Micro Hei",
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "DejaVu Sans",
)


def chart_format(path_name: str) -> ChartFormat | None:
    """Return the chart format a file name asks for (`.png` or `.svg`), None for others."""
    lowered = path_name.lower()
    if lowered.endswith(".png"):
        return "png"
    if lowered.endswith(".svg"):
        return "svg"
    return None


def render_chart(
    forecast: Forecast, fmt: ChartFormat, *, title: str = "", language: str = "en"
) -> bytes:
    """Draw the forecast; return the PNG or SVG file's bytes."""
    return figure_bytes(lambda: _draw(forecast, title, Words(language)), fmt)


def figure_bytes(draw: Callable[[], Figure], fmt: ChartFormat) -> bytes:
    """Draw a figure with the CJK fonts and return its PNG or SVG bytes, the same each run."""
    import matplotlib as mpl  # noqa: PLC0415 - see the module docstring

    with mpl.rc_context({"font.family": chart_fonts(), "svg.hashsalt": "beanfirm"}):
        figure = draw()
        buffer = io.BytesIO()
        metadata = {"Date": None} if fmt == "svg" else {"Software": None}
        figure.savefig(buffer, format=fmt, metadata=metadata)
    return buffer.getvalue()


def chart_fonts() -> list[str]:
    """Return the fonts of FONTS this machine has (asking for a missing one logs a warning).

    matplotlib knows the fonts of its cache, made once: a CJK font installed since is missing
    there and Chinese is drawn as boxes. The fonts fontconfig finds for Chinese are added.
    """
    from matplotlib import font_manager  # noqa: PLC0415 - see the module docstring

    manager = font_manager.fontManager
    known = {font.fname for font in manager.ttflist}
    for path in cjk_fonts():
        if path not in known:
            manager.addfont(path)
    installed = {font.name for font in manager.ttflist}
    others = sorted({font.name for font in manager.ttflist if font.fname in cjk_fonts()})
    found = [name for name in FONTS if name in installed]
    # A CJK font not named in FONTS still draws what the others lack (matplotlib falls back).
    return [*found, *(name for name in others if name not in FONTS)] or ["DejaVu Sans"]


def _draw(forecast: Forecast, title: str, t: Words) -> Figure:
    from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: PLC0415
    from matplotlib.figure import Figure  # noqa: PLC0415
    from matplotlib.ticker import FuncFormatter  # noqa: PLC0415

    figure = Figure(figsize=(10, 4.8), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.subplots()
    weeks = forecast.weeks
    positions = list(range(len(weeks)))
    # Floats only to place bars on a picture; every figure printed stays a Decimal.
    inflows = [float(week.inflows) for week in weeks]
    outflows = [float(week.outflows) for week in weeks]
    closing = [float(week.closing) for week in weeks]
    axes.bar(positions, inflows, color="#4c9f70", label=t("Inflows"))
    axes.bar(positions, outflows, color="#d1603d", label=t("Outflows"))
    axes.plot(
        positions, closing, color="#2b4162", marker="o", linewidth=2, label=t("Closing balance")
    )
    axes.axhline(0, color="#888888", linewidth=0.8)
    axes.set_xticks(positions, [week.start.strftime("%m-%d") for week in weeks])
    axes.set_xlabel(t("Week starting"))
    axes.yaxis.set_major_formatter(FuncFormatter(lambda value, _pos: f"{value:,.0f}"))
    heading = f"{title}: {t('Cash-flow forecast')}" if title else t("Cash-flow forecast")
    axes.set_title(f"{heading} ({forecast.currency}, {forecast.as_of})")
    axes.legend(loc="best")
    axes.grid(axis="y", alpha=0.3)
    figure.tight_layout()
    return figure
