"""The Fava extension `beanfirm.fava.financials`: the month's statements, their downloads, errors.

The client `huamei` of a temporary practice (added with `beanfirm clients add`, its plugins
taken out) gets a sale and a rent payment in January 2025, worked by hand: 货币资金 730.00,
应交税费 130.00, 未分配利润 600.00, 净利润 600.00.
"""

from __future__ import annotations

import datetime
import io
import re
from decimal import Decimal
from typing import TYPE_CHECKING

import pytest
from cli_support import HUAMEI_JANUARY, append_entry, commit_all
from openpyxl import load_workbook
from pypdf import PdfReader
from test_cli_financials import RENT, SALE
from test_fava_customers import fava

from beanfirm.accounts.customers import today
from beanfirm.errors import BeanfirmError
from beanfirm.fava import financials
from beanfirm.fava.financials import default_period, read_period
from beanfirm.monthend.closing import month_of
from beanfirm.monthend.statements import Statements

if TYPE_CHECKING:
    from pathlib import Path

    from flask.testing import FlaskClient

EXTENSION = '2025-01-01 custom "fava-extension" "beanfirm.fava.financials"\n'
PAGE = "/extension/Financials/"
LOCK = '2025-01-31 custom "beanfirm-lock" "sha256:' + "0" * 64 + '"\n  by: "ana"\n'


def books(practice: Path, *, extension: str = EXTENSION) -> Path:
    """Give huamei its January and the page; return its main.beancount."""
    append_entry(practice, HUAMEI_JANUARY, SALE)
    append_entry(practice, HUAMEI_JANUARY, RENT)
    main = practice / "ledgers" / "huamei" / "main.beancount"
    main.write_text(main.read_text(encoding="utf-8") + extension, encoding="utf-8")
    commit_all(practice, "January, and the Financial statements page")
    return main


def page_of(client: FlaskClient, slug: str, query: str = "") -> str:
    response = client.get(f"/{slug}{PAGE}{query}")
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response.get_data(as_text=True)


def ours(html: str) -> str:
    """Return the extension's part of a Fava page (Fava's own data names the ledger's files)."""
    return html.split('<div class="beanfirm-financials">', 1)[1].split("</article>", 1)[0]


def row(html: str, name: str) -> list[str]:
    """Return 行次 and the two amounts of a line of the statements, found by its name."""
    cell = r"\s*<td[^>]*>(.*?)</td>"
    found = re.search(rf"<td[^>]*>{re.escape(name)}</td>{cell * 3}", html, re.DOTALL)
    assert found, name
    return list(found.groups())


def test_the_page_shows_the_months_statements_as_the_forms(practice_with_client: Path) -> None:
    client, slug = fava(books(practice_with_client))
    html = page_of(client, slug, "?period=2025-01")
    assert "<h2>财务报表</h2>" in html  # the client's language in clients.yaml is zh
    assert "会小企01表" in ours(html)  # the forms as monthend.render lays them out
    assert "会小企02表" in ours(html)
    assert "会小企03表" in ours(html)  # the cash-flow statement: every statement of the client
    assert row(html, "货币资金") == ["1", "730.00", "0.00"]
    assert row(html, "应交税费") == ["36", "130.00", "0.00"]
    assert row(html, "未分配利润") == ["51", "600.00", "0.00"]
    assert row(html, "四、净利润（净亏损以“-”号填列）") == ["32", "600.00", "600.00"]  # noqa: RUF001
    assert "2025-01 尚未结账" in html
    assert '<option value="2025-01" selected>2025-01</option>' in html  # the picker's month
    offered = re.findall(r'<option value="(\d{4}-\d{2})"', html)
    assert offered[0] == month_of(today()).label  # newest first
    assert offered[-1] == "2025-01"  # the books' first month
    assert len(offered) == len(set(offered))
    assert f"/{slug}{PAGE}download?period=2025-01&amp;format=pdf" in html
    assert f"/{slug}{PAGE}download?period=2025-01&amp;format=xlsx" in html
    assert "<html" not in ours(html)  # the sections, not a page in a page


def test_english_client_gets_english_statements(practice_with_client: Path) -> None:
    registry = practice_with_client / "clients.yaml"
    text = registry.read_text(encoding="utf-8")
    registry.write_text(text.replace("language: zh", "language: en"), encoding="utf-8")
    client, slug = fava(books(practice_with_client))
    html = page_of(client, slug, "?period=2025-01")
    assert "<h2>Financial statements</h2>" in html
    assert row(html, "Net profit") == ["32", "600.00", "600.00"]
    assert "财务报表" not in ours(html)


def test_the_clients_name_is_text_not_markup(practice_with_client: Path) -> None:
    registry = practice_with_client / "clients.yaml"
    text = registry.read_text(encoding="utf-8")
    registry.write_text(
        text.replace("name: 华美", "name: <script>x()</script>华美"), encoding="utf-8"
    )
    client, slug = fava(books(practice_with_client))
    html = ours(page_of(client, slug, "?period=2025-01"))
    assert "&lt;script&gt;x()&lt;/script&gt;华美" in html
    assert "<script>x()" not in html


def test_the_page_opens_on_the_last_closed_month(practice_with_client: Path) -> None:
    main = books(practice_with_client)
    (main.parent / "locks.beancount").write_text(LOCK, encoding="utf-8")
    client, slug = fava(main)
    html = page_of(client, slug)
    assert '<option value="2025-01" selected>' in html
    assert "2025-01 已结账：账簿已锁定至 2025-01-31。" in html  # noqa: RUF001


def test_default_month_without_a_lock_is_the_last_full_one() -> None:
    day = datetime.date(2026, 11, 23)
    assert default_period(None, day).label == "2026-10"
    assert default_period(datetime.date(2026, 9, 30), day).label == "2026-09"
    assert default_period(datetime.date(2026, 9, 15), day).label == "2026-08"  # mid-month
    assert month_of(day).label == "2026-11"


@pytest.mark.parametrize(
    "text", ["2025-13", "2025-1", "0000-01", "1899-12", "2100-01", "x" * 5000, "2025-01/..", ""]
)
def test_a_period_that_is_not_a_month_is_refused(text: str) -> None:
    with pytest.raises(BeanfirmError):
        read_period(text)


def test_a_crafted_period_shows_the_default_month_with_a_notice(practice_with_client: Path) -> None:
    client, slug = fava(books(practice_with_client))
    for crafted in ("<script>x</script>", "9999-99", "0001-01", "2025-01%00"):
        html = page_of(client, slug, f"?period={crafted}")
        assert "<script>x" not in html
        assert "不是月份" in html, crafted
        assert "Traceback" not in html


def test_a_mapping_error_is_a_message_on_the_page(practice_with_client: Path) -> None:
    main = books(practice_with_client)
    line = append_entry(
        practice_with_client,
        HUAMEI_JANUARY,
        "2025-01-01 open Expenses:6601-研发费用 CNY\n\n"
        + RENT.replace("5602-管理费用:房租", "6601-研发费用"),
    )
    client, slug = fava(main)
    html = page_of(client, slug, "?period=2025-01")
    assert "leave out or double-count accounts" in html
    assert f"journal/2025/01.beancount:{line}: Expenses:6601-研发费用 (400.00)" in html
    assert str(practice_with_client) not in ours(html)  # the file relative to the client's folder
    assert 'class="statements"' not in html
    download = client.get(f"/{slug}{PAGE}download?period=2025-01&format=pdf")
    assert download.status_code == 400
    assert "Expenses:6601-研发费用" in download.get_data(as_text=True)


def test_downloads_render_the_statements(
    practice_with_client: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    made: list[tuple[str, str, str, str, str | None]] = []

    def render(
        statements: Statements, language: str, fmt: str, *, firm: str, prepared_by: str | None
    ) -> bytes:
        made.append((statements.period.label, language, fmt, firm, prepared_by))
        return b"%PDF-" if fmt == "pdf" else b"PK"

    monkeypatch.setattr(financials, "render_file", render)
    client, slug = fava(books(practice_with_client))
    pdf = client.get(f"/{slug}{PAGE}download?period=2025-01&format=pdf")
    assert pdf.status_code == 200
    assert pdf.mimetype == "application/pdf"
    assert (
        "huamei-%E8%B4%A2%E5%8A%A1%E6%8A%A5%E8%A1%A8-2025-01.pdf"
        in pdf.headers["Content-Disposition"]
    )
    xlsx = client.get(f"/{slug}{PAGE}download?period=2025-01&format=xlsx")
    assert xlsx.status_code == 200
    assert str(xlsx.mimetype).endswith("spreadsheetml.sheet")
    again = client.get(f"/{slug}{PAGE}download?period=2025-01&format=pdf")
    assert again.data == pdf.data
    # The firm's name at the head, the client's preparer (bo) as 制表人.
    made_once = [("2025-01", "zh", fmt, "Test Firm", "Bo Preparer") for fmt in ("pdf", "xlsx")]
    assert made == made_once  # kept, not made again
    for query in ("period=2025-13&format=pdf", "period=2025-01&format=exe", "format=pdf", ""):
        refused = client.get(f"/{slug}{PAGE}download?{query}")
        assert refused.status_code == 400, query
        assert "YYYY-MM" in refused.get_data(as_text=True)


def test_the_downloaded_files_are_the_statements(practice_with_client: Path) -> None:
    """Through monthend's own PDF and workbook (part PX's seam), not a second renderer."""
    client, slug = fava(books(practice_with_client))
    xlsx = client.get(f"/{slug}{PAGE}download?period=2025-01&format=xlsx")
    assert xlsx.status_code == 200, xlsx.get_data(as_text=True)
    book = load_workbook(io.BytesIO(xlsx.data))
    values = [cell for sheet in book for line in sheet.iter_rows(values_only=True) for cell in line]
    assert Decimal("730.00") in values  # 货币资金
    assert "未分配利润" in values
    pdf = client.get(f"/{slug}{PAGE}download?period=2025-01&format=pdf")
    assert pdf.status_code == 200, pdf.get_data(as_text=True)
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "730.00" in text
    assert "资产负债表" in text
    assert "Bo Preparer" in text  # 制表人: the client's preparer


def test_the_page_and_its_endpoint_take_no_writes(practice_with_client: Path) -> None:
    client, slug = fava(books(practice_with_client))
    for rest in ("", "download?period=2025-01&format=pdf"):
        for method in ("POST", "PUT", "DELETE", "PATCH"):
            assert client.open(f"/{slug}{PAGE}{rest}", method=method).status_code in {401, 404, 405}


def test_a_ledger_outside_a_practice_says_what_the_page_needs(tmp_path: Path) -> None:
    main = tmp_path / "main.beancount"
    main.write_text(
        'option "operating_currency" "CNY"\n' + EXTENSION + SALE.replace("工商银行", "Icbc"),
        encoding="utf-8",
    )
    client, slug = fava(main)
    html = page_of(client, slug, "?period=2025-01")
    assert "clients.yaml" in html
    assert client.get(f"/{slug}{PAGE}download?period=2025-01&format=pdf").status_code == 400
