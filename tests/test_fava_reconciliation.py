"""The Fava page "Reconciliation" (`beanfirm.fava.reconciliation`), rendered by Fava itself."""

from __future__ import annotations

import html
import re
from typing import TYPE_CHECKING

from fava.application import create_app

if TYPE_CHECKING:
    from pathlib import Path

    from flask.testing import FlaskClient

LEDGER = """\
option "title" "Test Books"
option "operating_currency" "CNY"
option "documents" "documents"
plugin "beanfirm.plugins.reconciled" "{'lag-days': 10, 'today': '2025-04-20'}"
2025-01-01 custom "fava-extension" "beanfirm.fava.reconciliation"
{language}
2025-01-01 open Assets:Bank:ICBC CNY
  reconcile: "monthly"
2025-01-01 open Assets:Card CNY
  reconcile: "monthly"
2025-01-01 open Assets:Wallet CNY
  reconcile: "quarterly"
2025-01-01 open Equity:Capital CNY

2025-01-02 * "Owner" "capital"
  Assets:Bank:ICBC   1000.00 CNY
  Assets:Card          50.00 CNY
  Equity:Capital

2025-01-28 * "Cheque" "outstanding at the end of January"
  Assets:Bank:ICBC   -10.00 CNY
  Equity:Capital

2025-02-01 balance Assets:Bank:ICBC   990.00 CNY
  statement: "documents/Assets/Bank/ICBC/2025-01-31.icbc.csv"
  reconciled-by: "ana"
  statement-balance: 1000.00 CNY

2025-03-01 balance Assets:Bank:ICBC   990.00 CNY
  reconciled-by: "ana"
"""

FILES = {
    "documents/Assets/Bank/ICBC/2025-01-31.icbc.csv": "date,amount\n",
    "documents/Assets/Bank/ICBC/2025-01-31.reconciliation.html": "<p>January report</p>",
    "documents/Assets/Bank/ICBC/2025-01-31.reconciliation.csv": "section,date\n",
    "documents/Assets/Bank/ICBC/2025-02-28.reconciliation.html": "<p>February report</p>",
}


MARCH = '2025-03-01 balance Assets:Bank:ICBC   990.00 CNY\n  reconciled-by: "ana"\n'


def _client(folder: Path, language: str = "", *, march: bool = True) -> tuple[FlaskClient, str]:
    main = folder / "main.beancount"
    text = LEDGER.replace("{language}", language)
    main.write_text(text if march else text.replace(MARCH, ""), encoding="utf-8")
    for rel, text in FILES.items():
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    app = create_app([str(main.resolve())], load=True)
    client = app.test_client()
    slug = str(client.get("/").headers["Location"]).split("/")[1]
    return client, slug


def _cells(page: str) -> list[list[str]]:
    body = page[page.index("<tbody>") : page.index("</tbody>")]
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", body, flags=re.DOTALL)
    return [
        [
            " ".join(re.sub(r"<[^>]+>", " ", cell).split())
            for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, flags=re.DOTALL)
        ]
        for row in rows
    ]


def test_the_page_lists_each_reconciled_account(tmp_path: Path) -> None:
    client, slug = _client(tmp_path)
    response = client.get(f"/{slug}/extension/Reconciliation/")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "<h2>Reconciliation</h2>" in page
    assert _cells(page) == [
        # Reconciled through February; March was due 10 days after it ended: overdue.
        [
            "Assets:Bank:ICBC",
            "monthly",
            "2025-02-28",
            "2025-04-10 overdue",
            "2025-03-01 990.00 CNY",
            "0.00",
            "",
            "2025-02-28.reconciliation.html 2025-01-31.reconciliation.html 2025-01-31.reconciliation.csv",
        ],
        # Never reconciled, with an entry in January: overdue since February 10.
        ["Assets:Card", "monthly", "never", "2025-02-10 overdue", "", "", "", ""],
        # No entries: nothing due.
        ["Assets:Wallet", "quarterly", "never", "", "", "", "", ""],
    ]
    assert page.count('class="overdue"') == 2


def test_the_last_difference_and_the_statement_link(tmp_path: Path) -> None:
    # Without March's assertion the last one is January's, which accepted a difference.
    client, slug = _client(tmp_path, march=False)
    page = client.get(f"/{slug}/extension/Reconciliation/").get_data(as_text=True)
    first = _cells(page)[0]
    assert first[2:7] == [
        "2025-01-31",
        "2025-03-10 overdue",
        "2025-02-01 990.00 CNY",
        "10.00",
        "2025-01-31.icbc.csv",
    ]


def test_the_report_links_are_served_by_favas_document_route(tmp_path: Path) -> None:
    client, slug = _client(tmp_path)
    page = client.get(f"/{slug}/extension/Reconciliation/").get_data(as_text=True)
    links = [html.unescape(link) for link in re.findall(r'href="([^"]*/document/\?[^"]*)"', page)]
    assert len(links) == 3
    assert all(link.startswith(f"/{slug}/document/?filename=") for link in links)
    february = next(link for link in links if "2025-02-28" in link)
    served = client.get(february)
    assert served.status_code == 200
    assert served.get_data(as_text=True) == "<p>February report</p>"


def test_the_title_follows_favas_language(tmp_path: Path) -> None:
    client, slug = _client(tmp_path, '2025-01-01 custom "fava-option" "language" "zh"')
    page = client.get(f"/{slug}/extension/Reconciliation/").get_data(as_text=True)
    assert "<h2>对账</h2>" in page
