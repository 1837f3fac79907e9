"""The Fava extension `beanfirm.fava.customers`: one read-only page with the right figures.

The client `dongsheng-trading` of a copy of the demo practice (its clients.yaml holds the
letterheads the statements need) gets the small ledger of tests/test_aging.py, worked by hand.
"""

from __future__ import annotations

import dataclasses
import datetime
import re
import shutil
import threading
import time
from pathlib import Path

import pytest
from accounts_support import ledger_text
from fava.application import create_app
from flask.testing import FlaskClient
from test_aging import LEDGER

from beanfirm.fava import customers
from beanfirm.fava.customers import PAGES_KEPT, STATEMENTS_KEPT, CustomerAccounts, Page

REPO = Path(__file__).resolve().parent.parent
EXTENSION = '2025-12-01 custom "fava-extension" "beanfirm.fava.customers"'
PAGE = "/extension/CustomerAccounts/"


def practice_ledger(tmp_path: Path, extension: str = EXTENSION, text: str = LEDGER) -> Path:
    """A demo practice whose dongsheng-trading ledger is the inline one; return main.beancount."""
    folder = tmp_path / "practice"
    folder.mkdir(parents=True)
    shutil.copy(REPO / "clients.yaml", folder / "clients.yaml")
    shutil.copytree(REPO / "ledgers", folder / "ledgers")
    ledger = folder / "ledgers" / "dongsheng-trading"
    for path in ledger.iterdir():
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink()
    main = ledger / "main.beancount"
    main.write_text(
        'option "title" "Test books"\n' + ledger_text(text) + extension + "\n", encoding="utf-8"
    )
    return main


def fava(main: Path, *, read_only: bool = True) -> tuple[FlaskClient, str]:
    app = create_app([str(main.resolve())], load=True, read_only=read_only)
    app.testing = True
    client = app.test_client()
    slug = str(client.get("/").headers["Location"]).split("/")[1]
    return client, slug


def page_of(client: FlaskClient, slug: str, query: str = "?as_of=2026-03-31") -> str:
    response = client.get(f"/{slug}{PAGE}{query}")
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response.get_data(as_text=True)


def section(html: str, name: str) -> str:
    match = re.search(rf'<section id="{name}">(.*?)</section>', html, re.DOTALL)
    assert match, name
    return match.group(1)


def cells(html: str) -> list[str]:
    return [
        re.sub(r"<[^>]+>", "", cell).strip()
        for cell in re.findall(r"<td[^>]*>(.*?)</td>", html, re.DOTALL)
    ]


def test_every_section_shows_the_figures_worked_by_hand(tmp_path: Path) -> None:
    client, slug = fava(practice_ledger(tmp_path))
    html = page_of(client, slug)
    assert "<h2>往来账款</h2>" in html  # the client's language in clients.yaml is zh
    assert '<th class="num">未到期</th>' in section(html, "receivables")  # not "Current"
    receivables = cells(section(html, "receivables"))
    # Acme: Current 500, 1-30 2000, 31-60 700, total 3200; Lotus: 91+ 800, credit -250, 550.
    acme = receivables.index("Acme Robotics Ltd")
    assert receivables[acme : acme + 9] == [
        "Acme Robotics Ltd",
        "500.00",
        "2000.00",
        "700.00",
        "",
        "",
        "",
        "3200.00",
        "CNY",
    ]
    lotus = receivables.index("Lotus Pharmaceutical")
    assert receivables[lotus : lotus + 9] == [
        "Lotus Pharmaceutical",
        "",
        "",
        "",
        "",
        "800.00",
        "-250.00",
        "550.00",
        "CNY",
    ]
    total = receivables.index("合计")
    assert receivables[total : total + 9] == [
        "合计",
        "500.00",
        "2000.00",
        "700.00",
        "0.00",
        "800.00",
        "-250.00",
        "3750.00",
        "CNY",
    ]
    assert "Zeta" not in section(html, "receivables")  # nothing open
    payables = cells(section(html, "payables"))
    assert payables[:9] == ["宁波海天食品有限公司", "", "500.00", "", "", "", "", "500.00", "CNY"]
    forecast = section(html, "forecast")
    assert "<svg" in forecast
    assert len(re.findall(r"<tr class=\"(?:negative)?\">", forecast)) == 13
    credit = cells(section(html, "credit"))
    assert credit[credit.index("Acme Robotics Ltd") + 1] in {"A", "B", "C", "D"}
    # The reasons are in the page's language (Chinese here), not the command line's English.
    reasons = re.sub(r"<[^>]+>", " ", section(html, "credit"))
    assert "回款天数（按金额加权）" in reasons  # noqa: RUF001 - full-width, as Chinese writes
    assert "当前逾期（最早的未结清发票）" in reasons  # noqa: RUF001
    for english in ("Days to pay", "point(s)", "overdue", "payments", "Trend", "history"):
        assert english not in reasons, english


def test_statements_are_links_to_get_endpoints(tmp_path: Path) -> None:
    client, slug = fava(practice_ledger(tmp_path))
    statements = section(page_of(client, slug), "statements")
    links = re.findall(r'<a data-remote href="([^"]+)">', statements)
    # Three customers, three types, HTML and PDF.
    assert len(links) == 3 * 3 * 2
    assert (
        f"/{slug}{PAGE}statement?customer=Acme&amp;type=open-item&amp;format=pdf&amp;to=2026-03-31"
        in links
    )
    html = client.get(
        f"/{slug}{PAGE}statement?customer=Acme&type=open-item&format=html&to=2026-03-31"
    )
    assert html.status_code == 200
    assert html.mimetype == "text/html"
    text = html.get_data(as_text=True)
    assert "Acme Robotics Ltd" in text
    assert "3,200.00" in text  # the balance on 2026-03-31
    pdf = client.get(
        f"/{slug}{PAGE}statement?customer=Lotus&type=balance-forward&format=pdf&from=2026-03-01&to=2026-03-31"
    )
    assert pdf.status_code == 200, pdf.get_data(as_text=True)
    assert pdf.mimetype == "application/pdf"
    assert pdf.data.startswith(b"%PDF")
    assert "attachment" in pdf.headers["Content-Disposition"]


@pytest.mark.parametrize(
    ("query", "status", "needle"),
    [
        (
            "customer=Walmart&type=open-item&format=html",
            400,
            "Known customers: Acme (Acme Robotics Ltd)",
        ),
        ("customer=Acme&type=weekly&format=html", 400, "type= one of balance-forward"),
        ("customer=Acme&type=open-item&format=docx", 400, "format= html or pdf"),
        ("type=open-item&format=html", 400, "Give customer=NAME"),
        (
            "customer=Acme&type=activity&format=html&from=2026-03-31&to=2026-03-01",
            400,
            "ends (2026-03-01) before it starts",
        ),
        ("customer=Acme&type=activity&format=html&to=yesterday", 400, "to=yesterday is not a date"),
        # Days too far out overflowed (the opening balance is the day before the start): a 500.
        (
            "customer=Acme&type=activity&format=html&from=0001-01-01",
            400,
            "from=0001-01-01 is not a date between 1900-01-01 and 2099-12-31",
        ),
        ("customer=Acme&type=open-item&format=pdf&to=9999-12-31", 400, "to=9999-12-31 is not"),
    ],
)
def test_bad_statement_requests_say_what_to_ask(
    tmp_path: Path, query: str, status: int, needle: str
) -> None:
    client, slug = fava(practice_ledger(tmp_path))
    response = client.get(f"/{slug}{PAGE}statement?{query}")
    assert response.status_code == status
    assert needle in response.get_data(as_text=True)


def test_the_page_is_read_only(tmp_path: Path) -> None:
    client, slug = fava(practice_ledger(tmp_path), read_only=False)
    for method in (client.post, client.put, client.delete):
        response = method(f"/{slug}{PAGE}statement?customer=Acme&type=open-item&format=html")
        assert response.status_code == 404  # the endpoint answers GET only


def test_the_date_comes_from_the_address(tmp_path: Path) -> None:
    client, slug = fava(practice_ledger(tmp_path))
    later = cells(section(page_of(client, slug, "?as_of=2026-04-15"), "receivables"))
    acme = later.index("Acme Robotics Ltd")
    assert later[acme + 7] == "1200.00"  # INV-002 was paid on 04-15
    bad = page_of(client, slug, "?as_of=someday")
    assert "as_of=someday 不是日期" in bad
    far = page_of(client, slug, "?as_of=9999-12-31")  # was a 500 (the forecast overflowed)
    assert "as_of=9999-12-31 不是日期" in far


def test_language_and_buckets_from_the_extension_line(tmp_path: Path) -> None:
    line = EXTENSION + " \"{'language': 'en', 'buckets': [15, 45], 'weeks': 4}\""
    client, slug = fava(practice_ledger(tmp_path, line))
    html = page_of(client, slug)
    assert "<h2>Customer accounts</h2>" in html
    assert '<th class="num">16-45</th>' in section(html, "receivables")
    assert '<th class="num">Current</th>' in section(html, "receivables")
    assert len(re.findall(r"<tr class=\"(?:negative)?\">", section(html, "forecast"))) == 4


@pytest.mark.parametrize(
    ("config", "needle"),
    [
        ("{'language': 'fr'}", "Unknown language 'fr'"),
        ("{'buckets': [60, 30]}", "the limits must increase"),
        ("{'weeks': 99}", "'weeks 99 is out of range"),
        ("{'colour': 'red'}", "unknown key(s) 'colour'"),
    ],
)
def test_a_bad_configuration_is_a_fava_error(tmp_path: Path, config: str, needle: str) -> None:
    client, slug = fava(practice_ledger(tmp_path, f'{EXTENSION} "{config}"'))
    errors = client.get(f"/{slug}/api/errors").get_json()["data"]
    assert any(needle in error["message"] for error in errors), errors
    assert client.get(f"/{slug}{PAGE}").status_code == 404


def test_a_ledger_outside_a_practice_has_no_statements(tmp_path: Path) -> None:
    main = tmp_path / "alone.beancount"
    main.write_text(
        'option "title" "Alone"\n' + ledger_text(LEDGER) + EXTENSION + "\n", encoding="utf-8"
    )
    client, slug = fava(main)
    html = page_of(client, slug)
    assert "<h2>Customer accounts</h2>" in html  # no registry: Fava's language, English
    assert "Statements need the practice&#39;s clients.yaml" in section(html, "statements")
    assert "3750.00" in section(html, "receivables")
    response = client.get(f"/{slug}{PAGE}statement?customer=Acme&type=open-item&format=html")
    assert response.status_code == 404


def test_two_ledgers_in_one_process_link_to_their_own_statements(tmp_path: Path) -> None:
    # Fava caches generated addresses module-wide (peers.md); the statement links must not.
    first, first_slug = fava(practice_ledger(tmp_path / "a"))
    other = practice_ledger(tmp_path / "b")
    other.write_text(
        other.read_text(encoding="utf-8").replace("Test books", "Other books"), encoding="utf-8"
    )
    second, second_slug = fava(other)
    assert first_slug != second_slug
    for client, slug in ((first, first_slug), (second, second_slug)):
        links = re.findall(
            r'<a data-remote href="([^"]+)">', section(page_of(client, slug), "statements")
        )
        assert links
        assert all(link.startswith(f"/{slug}/extension/") for link in links)


def extension_of(client: FlaskClient, slug: str) -> CustomerAccounts:
    ledger = client.application.config["LEDGERS"][slug]
    found = ledger.extensions.get_extension("CustomerAccounts")
    assert isinstance(found, CustomerAccounts)
    return found


def test_pages_kept_stay_at_their_bound_whatever_as_of_is_asked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # One real page; the others are copies with their own date, so that 360 cost nothing.
    computed: list[datetime.date] = []
    real: list[Page] = []
    original = CustomerAccounts._compute

    def compute(self: CustomerAccounts, as_of: datetime.date) -> Page:
        computed.append(as_of)
        if not real:
            real.append(original(self, as_of))
        return dataclasses.replace(real[0], as_of=as_of)

    monkeypatch.setattr(CustomerAccounts, "_compute", compute)
    client, slug = fava(practice_ledger(tmp_path))
    extension = extension_of(client, slug)
    days = [datetime.date(2026, 1, 1) + datetime.timedelta(days=n) for n in range(360)]
    for day in days:
        with client.application.test_request_context(f"/{slug}{PAGE}?as_of={day}"):
            assert extension.page().as_of == day
        assert extension.pages_kept.cache_info().currsize <= PAGES_KEPT
    assert computed == days
    # The last few are kept: asked again, none is computed again; an older one is.
    for day in days[-PAGES_KEPT:]:
        with client.application.test_request_context(f"/{slug}{PAGE}?as_of={day}"):
            extension.page()
    assert f"{days[-1]}" in page_of(client, slug, f"?as_of={days[-1]}")  # through Fava too
    assert computed == days
    with client.application.test_request_context(f"/{slug}{PAGE}?as_of={days[0]}"):
        extension.page()
    assert computed == [*days, days[0]]
    assert extension.pages_kept.cache_info().currsize == PAGES_KEPT


def test_statements_are_made_one_at_a_time_and_the_last_ones_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    client, slug = fava(practice_ledger(tmp_path))
    extension = extension_of(client, slug)
    running = [0]
    most = [0]
    lock = threading.Lock()

    def render(*_args: object, **_how: object) -> bytes:
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        time.sleep(0.05)
        with lock:
            running[0] -= 1
        return b"<p>statement</p>"

    monkeypatch.setattr(customers, "render_statement", render)
    days = [f"2026-02-{day:02}" for day in range(1, 25)]

    def ask(day: str) -> None:
        own = client.application.test_client()
        url = f"/{slug}{PAGE}statement?customer=Acme&type=activity&format=html&to={day}"
        assert own.get(url).status_code == 200

    threads = [threading.Thread(target=ask, args=(day,)) for day in days]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    info = extension.statements_kept.cache_info()
    assert (most[0], info.misses, info.currsize) == (1, len(days), STATEMENTS_KEPT)
    ask(days[-1])  # kept: not made again
    assert extension.statements_kept.cache_info().misses == len(days)
