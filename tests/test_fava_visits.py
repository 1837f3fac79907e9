"""The Fava page "Visit expenses" (`beanfirm.fava.visits`), rendered by Fava itself."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from fava.application import create_app

if TYPE_CHECKING:
    from pathlib import Path

    from flask.testing import FlaskClient

LEDGER = """\
option "title" "Test Books"
option "operating_currency" "CNY"
2025-01-01 custom "fava-extension" "beanfirm.fava.visits"{config}
2025-01-01 open Assets:Bank CNY
2025-01-01 open Expenses:Travel:Transport CNY
2025-01-01 open Expenses:Travel:Meals CNY
2025-01-01 open Expenses:Travel:Lodging CNY
2025-01-01 open Assets:Receivable:Acme CNY
  class: "key"
2025-01-01 open Assets:Receivable:Bolt CNY

2025-02-03 * "Didi" "Taxi" #visit
  customer: "Acme"
  visit: "V-1"
  staff: "tom"
  Expenses:Travel:Transport       45.10 CNY
  Assets:Bank

2025-02-04 * "Hotel" "Night" #visit
  customer: "Acme"
  visit: "V-1"
  Expenses:Travel:Lodging        600.00 CNY
  Assets:Bank

2025-03-09 * "Lunch" "<b>Lunch</b>" #visit
  customer: "Bolt"
  visit: "V-2"
  Expenses:Travel:Meals           60.00 CNY
  Assets:Bank

2025-03-15 * "Taxi" "No visit id" #visit
  customer: "Bolt"
  Expenses:Travel:Transport       33.00 CNY
  Assets:Bank
"""


def _client(folder: Path, config: str = "") -> tuple[FlaskClient, str]:
    main = folder / "main.beancount"
    main.write_text(LEDGER.replace("{config}", config), encoding="utf-8")
    app = create_app([str(main.resolve())], load=True)
    client = app.test_client()
    slug = str(client.get("/").headers["Location"]).split("/")[1]
    return client, slug


def _section(page: str, section: str) -> list[list[str]]:
    start = page.index(f'<section id="{section}">')
    body = page[start : page.index("</section>", start)]
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", body, flags=re.DOTALL)
    return [
        [" ".join(re.sub(r"<[^>]+>", " ", cell).split()) for cell in cells]
        for row in rows
        if (cells := re.findall(r"<td[^>]*>(.*?)</td>", row, flags=re.DOTALL))
    ]


def test_the_page_shows_the_tables_of_the_report(tmp_path: Path) -> None:
    client, slug = _client(tmp_path)
    response = client.get(f"/{slug}/extension/Visits/")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "<h2>Visit expenses</h2>" in page
    assert _section(page, "customer") == [
        ["Acme", "key", "1", "45.10", "", "600.00", "", "645.10", "CNY"],
        ["Bolt", "(none)", "1", "", "60.00", "", "", "60.00", "CNY"],
        ["Total", "2", "45.10", "60.00", "600.00", "0.00", "705.10", "CNY"],
    ]
    assert _section(page, "month") == [
        ["2025-02", "1", "45.10", "", "600.00", "", "645.10", "CNY"],
        ["2025-03", "1", "", "60.00", "", "", "60.00", "CNY"],
        ["Total", "2", "45.10", "60.00", "600.00", "0.00", "705.10", "CNY"],
    ]
    assert _section(page, "visit")[0] == [
        "V-1", "2025-02-03", "Acme", "key", "tom", "45.10", "", "600.00", "", "645.10", "CNY",
    ]  # fmt: skip
    flagged = _section(page, "flagged")
    line = LEDGER.count("\n", 0, LEDGER.index("No visit id")) + 1
    assert flagged[0][:3] == [f"main.beancount:{line}", "33.00", "CNY"]
    assert "<svg" in page  # the chart
    assert "<b>Lunch</b>" not in page


def test_the_period_in_the_address_bounds_the_page(tmp_path: Path) -> None:
    client, slug = _client(tmp_path)
    page = client.get(f"/{slug}/extension/Visits/?from=2025-03-01&to=2025-03-31")
    rows = _section(page.get_data(as_text=True), "customer")
    assert rows == [
        ["Bolt", "(none)", "1", "", "60.00", "", "", "60.00", "CNY"],
        ["Total", "1", "0.00", "60.00", "0.00", "0.00", "60.00", "CNY"],
    ]
    bad = client.get(f"/{slug}/extension/Visits/?from=someday").get_data(as_text=True)
    assert "not two dates; showing all" in bad
    assert _section(bad, "customer")[-1][-2] == "705.10"


def test_the_chinese_page_has_no_english_left(tmp_path: Path) -> None:
    client, slug = _client(tmp_path, " \"{'language': 'zh'}\"")
    page = client.get(f"/{slug}/extension/Visits/").get_data(as_text=True)
    start = page.index('<div class="beanfirm-visits">')
    body = page[start : page.index("<style>", start)]
    text = re.sub(r"<svg.*?</svg>|<[^>]+>", " ", body, flags=re.DOTALL)
    assert "拜访客户费用" in text
    assert "按客户类别" in text
    assert "交通费" in text
    words = set(re.findall(r"[A-Za-z]{3,}", text))
    # What is left in Latin letters is data (ids, names, the currency) and metadata keys.
    assert words <= {"Acme", "Bolt", "key", "tom", "CNY", "main", "beancount", "visit", "customer"}


def test_names_from_the_ledger_are_escaped(tmp_path: Path) -> None:
    ledger = LEDGER.replace(
        'customer: "Bolt"\n  visit: "V-2"', 'customer: "<script>x()</script>"\n  visit: "V-2"'
    )
    main = tmp_path / "main.beancount"
    main.write_text(ledger.replace("{config}", ""), encoding="utf-8")
    app = create_app([str(main.resolve())], load=True)
    client = app.test_client()
    slug = str(client.get("/").headers["Location"]).split("/")[1]
    page = client.get(f"/{slug}/extension/Visits/").get_data(as_text=True)
    assert "<script>x()</script>" not in page
    assert "&lt;script&gt;x()&lt;/script&gt;" in page
