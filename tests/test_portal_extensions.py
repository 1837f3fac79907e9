"""beanfirm's own Fava extensions behind the portal: their pages reach the client, read-only.

A client's ledger turns them on (`custom "fava-extension" "beanfirm.fava.reconciliation"`,
`"beanfirm.fava.customers"`); the gateway forwards their routes by the names Fava gives them
(routes.EXTENSIONS) and nothing else. The routing itself is tested in test_portal_units.py.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import quote, unquote

import pytest
from approval_support import approve
from cli_support import HUAMEI_JANUARY, append_entry, commit_all
from portal_support import (
    BO_USER,
    HUAMEI_USER,
    NORTHWIND_SECRET,
    PASSWORD,
    Books,
    books_of,
    build_practice,
    login,
    map_sales_account,
)
from werkzeug.test import Client

from beanfirm.portal.gateway import make_app
from beanfirm.portal.pool import PoolPolicy
from beanfirm.portal.routes import EXTENSIONS
from beanfirm.portal.site import Portal, PortalSettings
from beanfirm.portal.users import add_user
from beanfirm.store.registry import load_registry

MODULES = ("beanfirm.fava.reconciliation", "beanfirm.fava.customers", "beanfirm.fava.financials")
# A sale committed after the approval: on the staff's books, never on the client user's.
UNAPPROVED_SALE = (
    '2025-01-25 * "UNAPPROVED-SALE-5150" "not yet reviewed"\n'
    "  Assets:1002-银行存款:工商银行  70.00 CNY\n"
    "  Income:6001-主营业务收入  -70.00 CNY\n"
)


@pytest.fixture(scope="module")
def portal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Portal]:
    root = build_practice(tmp_path_factory.mktemp("extensions") / "practice")
    main = root / "ledgers" / "huamei" / "main.beancount"
    lines = "".join(f'2025-01-01 custom "fava-extension" "{module}"\n' for module in MODULES)
    main.write_text(main.read_text(encoding="utf-8") + "\n" + lines, encoding="utf-8")
    map_sales_account(root)
    commit_all(root, "Turn on beanfirm's Fava extensions")
    approve(root, "huamei")  # client users see the approved books
    append_entry(root, HUAMEI_JANUARY, UNAPPROVED_SALE)
    commit_all(root, "A sale after the approval")
    site = Portal(
        root, PortalSettings(state_dir=root.parent / "state", pool=PoolPolicy(max_workers=1))
    )
    add_user(
        site.store,
        load_registry(root / "clients.yaml"),
        HUAMEI_USER,
        PASSWORD,
        client_ids=("huamei",),
    )
    add_user(site.store, load_registry(root / "clients.yaml"), BO_USER, PASSWORD, staff_id="bo")
    yield site
    site.close()


@pytest.fixture(scope="module")
def huamei(portal: Portal) -> tuple[Client, Books]:
    browser = Client(make_app(portal))
    assert login(browser, HUAMEI_USER).status_code == 303
    return browser, books_of(browser, "huamei")


@pytest.mark.parametrize("name", sorted(EXTENSIONS))
def test_extension_pages_reach_the_client_without_server_paths(
    portal: Portal, huamei: tuple[Client, Books], name: str
) -> None:
    browser, books = huamei
    response = browser.get(books.page(f"extension/{name}/"))
    body = response.get_data(as_text=True)
    assert response.status_code == 200, body[:500]
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    for leak in (str(portal.root), "site-packages", "Traceback", NORTHWIND_SECRET):
        assert leak not in body, leak
    assert "/c/huamei/" in body  # its links stay in the client's part of the portal
    assert "/c/northwind" not in body


@pytest.mark.parametrize("name", sorted(EXTENSIONS))
def test_extension_routes_take_no_writes(huamei: tuple[Client, Books], name: str) -> None:
    browser, books = huamei
    for rest in (f"extension/{name}/", f"extension/{name}/statement", f"extension/{name}/download"):
        for method in ("POST", "PUT", "DELETE", "PATCH"):
            assert browser.open(books.page(rest), method=method).status_code == 405


def test_an_extension_the_ledger_does_not_load_is_not_found(
    huamei: tuple[Client, Books],
) -> None:
    browser, books = huamei
    for rest in (
        "extension/FavaSourceEditor/",
        "extension/PortfolioList/",
        "extension/Reconciliation/no_such_endpoint",
    ):
        assert browser.get(books.page(rest)).status_code == 404, rest


# -- the Financial statements page (beanfirm.fava.financials) -------------------------------


def _cells(html: str, name: str) -> list[str]:
    """Return 行次 and the two amounts of a line of the statements, found by its name."""
    cell = r"\s*<td[^>]*>(.*?)</td>"
    found = re.search(rf"<td[^>]*>{re.escape(name)}</td>{cell * 3}", html, re.DOTALL)
    assert found, name
    return list(found.groups())


def test_a_client_user_sees_the_approved_statements(huamei: tuple[Client, Books]) -> None:
    browser, books = huamei
    response = browser.get(books.page("extension/Financials/?period=2025-01"))
    html = response.get_data(as_text=True)
    assert response.status_code == 200, html[:500]
    assert "财务报表" in html
    # The approved sale of 100.00 (build_practice), not the 70.00 committed after approval.
    assert _cells(html, "货币资金") == ["1", "100.00", "0.00"]
    assert "UNAPPROVED-SALE-5150" not in html
    xlsx = browser.get(books.page("extension/Financials/download?period=2025-01&format=xlsx"))
    assert xlsx.status_code == 200, xlsx.get_data(as_text=True)[:500]
    assert xlsx.data.startswith(b"PK")  # a zip: the workbook
    assert "attachment" in xlsx.headers["Content-Disposition"]
    assert "huamei-" in unquote(xlsx.headers["Content-Disposition"])


def test_the_preparer_sees_the_statements_of_the_books_as_they_are(portal: Portal) -> None:
    """Staff read the working head: the sale committed after the approval is in 货币资金."""
    browser = Client(make_app(portal))
    assert login(browser, BO_USER).status_code == 303
    books = books_of(browser, "huamei")
    response = browser.get(books.page("extension/Financials/?period=2025-01"))
    assert response.status_code == 200
    assert _cells(response.get_data(as_text=True), "货币资金") == ["1", "170.00", "0.00"]


def test_another_clients_statements_are_not_found(huamei: tuple[Client, Books]) -> None:
    browser, books = huamei
    northwind = books.base.replace("/c/huamei/", "/c/northwind/")
    for rest in (
        "extension/Financials/?period=2025-01",
        "extension/Financials/download?period=2025-01&format=pdf",
    ):
        response = browser.get(f"{northwind}/{rest}")
        assert response.status_code == 404, rest
        assert NORTHWIND_SECRET not in response.get_data(as_text=True)
    tricks = (
        "extension/Financials/../../../northwind/extension/Financials/",
        "extension/Financials/%2e%2e/%2e%2e/northwind/",
        "extension/Financials//download?period=2025-01&format=pdf",
    )
    for rest in tricks:
        assert browser.get(books.page(rest)).status_code in {400, 404}, rest


@pytest.mark.parametrize(
    "period",
    ["2025-13", "<script>alert(1)</script>", "../../northwind", "%00", "0001-01", "9" * 300],
)
def test_a_crafted_period_is_a_notice_never_an_error(
    portal: Portal, huamei: tuple[Client, Books], period: str
) -> None:
    browser, books = huamei
    response = browser.get(books.page(f"extension/Financials/?period={quote(period)}"))
    html = response.get_data(as_text=True)
    assert response.status_code == 200, html[:500]
    assert "不是月份" in html
    for leak in ("<script>alert", str(portal.root), "Traceback", NORTHWIND_SECRET):
        assert leak not in html, leak
    download = browser.get(
        books.page(f"extension/Financials/download?period={quote(period)}&format=pdf")
    )
    assert download.status_code == 400
    assert "Traceback" not in download.get_data(as_text=True)


def test_customer_statements_find_the_client_of_a_snapshot(huamei: tuple[Client, Books]) -> None:
    """A client user's books are a snapshot outside the practice; the portal names the client,
    so the statement endpoint reads its letterhead (an unknown customer is then the client's
    mistake, 400, not "these books are not in a practice", 404)."""
    browser, books = huamei
    query = "customer=Nobody&type=activity&format=html"
    response = browser.get(books.page(f"extension/CustomerAccounts/statement?{query}"))
    assert response.status_code == 400
    assert "Traceback" not in response.get_data(as_text=True)
