"""Statements as PDF: the Chinese text is really there, in an embedded Chinese font."""

from __future__ import annotations

import datetime
import io
import subprocess
from pathlib import Path
from typing import Any

import pytest
from accounts_support import load_text
from conftest import run_beanfirm
from pypdf import PdfReader
from statement_support import CLIENT, FIRM, LEDGER

from beanfirm.core.pdf import needs_cjk, require_cjk_font
from beanfirm.errors import ConfigError
from beanfirm.jobs.statements import render_statement

REPO = Path(__file__).resolve().parent.parent


def cjk_families() -> set[str]:
    """The Chinese-capable font families fontconfig knows, without spaces or hyphens."""
    out = subprocess.run(
        ["fc-list", ":lang=zh", "family"], capture_output=True, text=True, check=True
    ).stdout
    names = {name for line in out.splitlines() for name in line.split(",")}
    return {name.replace(" ", "").replace("-", "") for name in names if name}


def embedded_fonts(reader: PdfReader) -> dict[str, bool]:
    """Map each font's base name (subset tag removed) to whether its program is embedded."""
    found: dict[str, bool] = {}
    for page in reader.pages:
        resources: Any = page["/Resources"]
        fonts: Any = resources["/Font"]
        for ref in fonts.values():
            font = ref.get_object()
            for part in [font, *(d.get_object() for d in font.get("/DescendantFonts", []))]:
                descriptor = part.get("/FontDescriptor")
                if descriptor is None:
                    continue
                descriptor = descriptor.get_object()
                name = str(part["/BaseFont"]).lstrip("/").split("+", 1)[-1]
                found[name] = any(
                    key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")
                )
    return found


def test_the_pdf_holds_the_chinese_text_in_an_embedded_chinese_font(tmp_path: Path) -> None:
    ledger = load_text(tmp_path, LEDGER)
    pdf = render_statement(
        ledger.entries,
        ledger.options,
        CLIENT,
        FIRM,
        "Hualian",
        start=datetime.date(2026, 2, 1),
        end=datetime.date(2026, 2, 28),
        output="pdf",
    )
    assert pdf.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(pdf))
    text = "".join(page.extract_text() for page in reader.pages)
    for phrase in ("上海华联超市有限公司", "对账单", "期初余额", "杭州东升商贸有限公司", "700.00"):
        assert phrase in text, phrase
    fonts = embedded_fonts(reader)
    families = cjk_families()
    chinese = [
        name
        for name, embedded in fonts.items()
        if embedded and any(name.replace("-", "").startswith(f) for f in families)
    ]
    assert chinese, (fonts, families)


def test_an_english_statement_also_renders(tmp_path: Path) -> None:
    ledger = load_text(tmp_path, LEDGER)
    pdf = render_statement(
        ledger.entries,
        ledger.options,
        CLIENT,
        FIRM,
        "Acme",
        kind="open-item",
        end=datetime.date(2026, 4, 10),
        output="pdf",
    )
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "Statement of Open Items" in text
    assert "INV-101" in text
    assert "4,000.00" in text


def test_chinese_text_is_detected() -> None:
    assert needs_cjk("对账单")
    assert needs_cjk("Tel：")  # noqa: RUF001 - a full-width colon, on purpose
    assert not needs_cjk("Statement of Account, 2026-02-28")


def test_without_a_chinese_font_the_command_says_what_to_install(tmp_path: Path) -> None:
    """fontconfig pointed at an empty configuration knows no font at all."""
    config = tmp_path / "fonts.conf"
    config.write_text(
        f"<?xml version='1.0'?><fontconfig><dir>{tmp_path / 'none'}</dir>"
        f"<cachedir>{tmp_path / 'cache'}</cachedir></fontconfig>",
        encoding="utf-8",
    )
    out = tmp_path / "out.pdf"
    result = run_beanfirm(
        "statement", "dongsheng-trading", "--customer", "华联超市", "--to", "2026-10-31",
        "-o", str(out), cwd=REPO, env={"FONTCONFIG_FILE": str(config)},
    )  # fmt: skip
    assert result.code == 2, result.err
    assert result.err.startswith("Error: No font on this machine covers Chinese")
    assert "apt-get install fonts-wqy-microhei" in result.err
    assert "Traceback" not in result.err
    assert not out.exists()
    assert not list(tmp_path.glob(".*"))  # no temporary folder left behind


def test_require_cjk_font_passes_on_this_machine() -> None:
    """`make fonts` (a dependency of `make pytest`) installs one; without it this fails."""
    try:
        require_cjk_font()
    except ConfigError as exc:  # pragma: no cover - the message is the diagnosis
        pytest.fail(str(exc))
