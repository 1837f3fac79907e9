"""beanfirm's own Fava extensions behind the portal: their pages reach the client, read-only.

A client's ledger turns them on (`custom "fava-extension" "beanfirm.fava.reconciliation"`,
`"beanfirm.fava.customers"`); the gateway forwards their routes by the names Fava gives them
(routes.EXTENSIONS) and nothing else. The routing itself is tested in test_portal_units.py.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from approval_support import approve
from cli_support import commit_all
from portal_support import (
    HUAMEI_USER,
    NORTHWIND_SECRET,
    PASSWORD,
    Books,
    books_of,
    build_practice,
    login,
)
from werkzeug.test import Client

from beanfirm.portal.gateway import make_app
from beanfirm.portal.pool import PoolPolicy
from beanfirm.portal.routes import EXTENSIONS
from beanfirm.portal.site import Portal, PortalSettings
from beanfirm.portal.users import add_user
from beanfirm.store.registry import load_registry

MODULES = ("beanfirm.fava.reconciliation", "beanfirm.fava.customers")


@pytest.fixture(scope="module")
def portal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Portal]:
    root = build_practice(tmp_path_factory.mktemp("extensions") / "practice")
    main = root / "ledgers" / "huamei" / "main.beancount"
    lines = "".join(f'2025-01-01 custom "fava-extension" "{module}"\n' for module in MODULES)
    main.write_text(main.read_text(encoding="utf-8") + "\n" + lines, encoding="utf-8")
    commit_all(root, "Turn on beanfirm's Fava extensions")
    approve(root, "huamei")  # client users see the approved books
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
    for rest in (f"extension/{name}/", f"extension/{name}/statement"):
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
