"""The one module that makes PDF files: WeasyPrint from HTML, and the fonts it needs.

WeasyPrint lays out HTML and CSS with Pango, which finds fonts through fontconfig. Without a
font that covers Chinese, Pango draws boxes and nothing fails, so `require_cjk_font` asks
fontconfig first (`fc-list :lang=zh`) and refuses with what to install. WeasyPrint is imported
on first use: it takes most of a second, which commands that make no PDF should not pay.
"""

from __future__ import annotations

import functools
import re
import shutil
import subprocess
from typing import Any

from beanfirm.errors import ConfigError

# CJK ideographs, CJK punctuation and full-width forms: text that needs a CJK font.
CJK_RE = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")
FONT_PACKAGES = "fonts-wqy-microhei (small) or fonts-noto-cjk"


def needs_cjk(text: str) -> bool:
    """Tell whether a text holds Chinese characters or punctuation."""
    return CJK_RE.search(text) is not None


@functools.cache
def cjk_fonts() -> tuple[str, ...]:
    """Return the font files fontconfig knows that cover Chinese (empty: none, or no fc-list)."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return ()
    result = subprocess.run(
        [fc_list, ":lang=zh", "file"], capture_output=True, text=True, check=False, timeout=60
    )
    files = (line.strip().rstrip(":") for line in result.stdout.splitlines())
    return tuple(sorted(name for name in files if name))


def require_cjk_font() -> None:
    """Raise ConfigError, saying what to install, when no font on this machine covers Chinese."""
    if cjk_fonts():
        return
    msg = (
        "No font on this machine covers Chinese (fontconfig's `fc-list :lang=zh` lists none), "
        "so the PDF would show boxes instead of Chinese text. Install one: as root, "
        f"`apt-get install {FONT_PACKAGES}` (or `make fonts` in the beanfirm repository), "
        "then run the command again. HTML and CSV output need no font."
    )
    raise ConfigError(msg)


def html_to_pdf(html: str) -> bytes:
    """Render an HTML document (with its CSS inline) to PDF bytes."""
    if needs_cjk(html):
        require_cjk_font()
    weasyprint = _weasyprint()
    pdf: bytes = weasyprint.HTML(string=html).write_pdf(font_config=_font_config())
    return pdf


def prepare() -> None:
    """Import WeasyPrint and set up fonts now: before forking workers, so that they inherit them."""
    _weasyprint()
    _font_config()


@functools.cache
def _weasyprint() -> Any:
    import weasyprint  # noqa: PLC0415 - slow to import; only PDF output needs it

    return weasyprint


@functools.cache
def _font_config() -> Any:
    """One font configuration per process, reused by every document it renders."""
    from weasyprint.text.fonts import FontConfiguration  # noqa: PLC0415

    return FontConfiguration()
