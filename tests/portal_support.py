"""Helpers for the portal tests: a practice with secrets per client, users and logins."""

from __future__ import annotations

import pickle
import re
from dataclasses import dataclass
from pathlib import Path

from approval_support import approve
from cli_support import add_firm_clients, append_entry, commit_all, new_practice
from werkzeug.test import Client, TestResponse

from beanfirm.monthend.mapping import template_text
from beanfirm.portal.site import Portal
from beanfirm.portal.users import add_user
from beanfirm.store.registry import load_registry

PASSWORD = "correct horse battery"
HUAMEI_USER = "owner@huamei.example"
NORTHWIND_USER = "cfo@northwind.example"
BO_USER = "bo@firm.example"
ANA_USER = "ana@firm.example"
CY_USER = "cy@firm.example"

# Text that only one client's books hold: found in another client's responses = a leak.
HUAMEI_SECRET = "HUAMEI-PAYEE-7731"
# A payee as a bank export may carry it: Fava's journal showed it as a live link.
STAFF_NOTE = "INTERNAL: ask the owner about the cash"  # a `custom` entry: the firm's own
MARKUP_PAYEE = "<a href=https://evil.example/>恶意户名</a><img src=x onerror=alert(1)>"
NORTHWIND_SECRET = "NORTHWIND-PAYEE-4242"
NORTHWIND_DOC_SECRET = b"NORTHWIND-DOCUMENT-BYTES"
# An account whose name is ASCII: Beancount looks for documents only in folders that are
# valid account names by its stricter rule, and `工商银行` (not starting with a capital or a
# digit) is not one, though the parser accepts `Assets:1002-银行存款:工商银行`.
HUAMEI_DOC = "documents/Equity/Opening-Balances/2025-01-31.statement.txt"
HUAMEI_SCRIPT = "documents/Equity/Opening-Balances/2025-01-30.receipt.js"  # a script, as bytes
NORTHWIND_DOC = "documents/Assets/Bank/2025-01-31.statement.txt"
PICKLE_MARKER = "pickle-was-loaded"


class _Planted:
    """A pickle that, if ever loaded, leaves a marker file behind."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str, str]]:
        return (open, (str(self.marker), "w"))


def build_practice(folder: Path, *, approved: tuple[str, ...] = ("huamei", "northwind")) -> Path:
    """Three clients (huamei zh, northwind en, jinma zh) with a payee and a document each.

    The `approved` clients are approved at the last commit, so their users see these books
    (client users see a client's books as of its latest approval); jinma never is.
    """
    new_practice(folder)
    add_firm_clients(folder)
    for client, secret, currency, account in (
        ("huamei", HUAMEI_SECRET, "CNY", "Assets:1002-银行存款:工商银行"),
        ("northwind", NORTHWIND_SECRET, "USD", "Assets:Bank"),
    ):
        ledger = folder / "ledgers" / client
        text = (ledger / "accounts.beancount").read_text(encoding="utf-8")
        if account not in text:
            (ledger / "accounts.beancount").write_text(
                text + f"\n2025-01-01 open {account}\n", encoding="utf-8"
            )
        income = "Income:Sales" if client == "northwind" else "Income:6001-主营业务收入"
        if income not in (ledger / "accounts.beancount").read_text(encoding="utf-8"):
            with (ledger / "accounts.beancount").open("a", encoding="utf-8") as handle:
                handle.write(f"2025-01-01 open {income}\n")
        append_entry(
            folder,
            f"ledgers/{client}/journal/2025/01.beancount",
            f'2025-01-10 * "{secret}" "a sale"\n  {account}  100.00 {currency}\n'
            f"  {income}  -100.00 {currency}\n",
        )
    append_entry(
        folder,
        "ledgers/huamei/journal/2025/01.beancount",
        f'2025-01-11 * "{MARKUP_PAYEE}" "moves nothing"\n  Assets:1002-银行存款:工商银行  5.00 CNY\n'
        f'  Assets:1002-银行存款:工商银行  -5.00 CNY\n2025-01-12 custom "staff-note" "{STAFF_NOTE}"\n',
    )
    doc = folder / "ledgers" / "northwind" / NORTHWIND_DOC
    doc.parent.mkdir(parents=True, exist_ok=True)
    doc.write_bytes(NORTHWIND_DOC_SECRET)
    huamei_doc = folder / "ledgers" / "huamei" / HUAMEI_DOC
    huamei_doc.parent.mkdir(parents=True, exist_ok=True)
    huamei_doc.write_bytes(b"huamei statement")
    (folder / "ledgers" / "huamei" / HUAMEI_SCRIPT).write_bytes(b"alert(document.cookie)")
    commit_all(folder, "Add secrets and documents")
    for client in approved:
        approve(folder, client)
    # A planted Beancount pickle cache (git-ignored, as a client with write access could
    # leave it): loading it would run code and create the marker.
    for client in ("huamei", "northwind"):
        planted = folder / "ledgers" / client / ".main.beancount.picklecache"
        planted.write_bytes(pickle.dumps(_Planted(folder / PICKLE_MARKER)))
    return folder


def map_sales_account(folder: Path) -> None:
    """Give huamei a statement mapping that takes its sales account, 6001, as 主营业务收入.

    build_practice books huamei's sales to `Income:6001-主营业务收入`, which the cn-small
    chart does not open (its 主营业务收入 is 5001), so its statements need the client's own
    mapping (ledgers/huamei/financials.yaml) beside the chart's.
    """
    mapping = template_text("cn-small").replace('"5001", "5051"', '"5001", "5051", "6001"')
    (folder / "ledgers" / "huamei" / "financials.yaml").write_text(mapping, encoding="utf-8")


def add_users(portal: Portal) -> None:
    """A user for huamei, one for northwind, and staff bo (preparer), ana (partner), cy."""
    registry = load_registry(portal.root / "clients.yaml")
    add_user(portal.store, registry, HUAMEI_USER, PASSWORD, client_ids=("huamei",))
    add_user(portal.store, registry, NORTHWIND_USER, PASSWORD, client_ids=("northwind",))
    add_user(portal.store, registry, BO_USER, PASSWORD, staff_id="bo")
    add_user(portal.store, registry, ANA_USER, PASSWORD, staff_id="ana")
    add_user(portal.store, registry, CY_USER, PASSWORD, staff_id="cy")


def csrf_of(html: str) -> str:
    """Return the CSRF token of a form in a page."""
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, html
    return found.group(1)


def login(client: Client, email: str, password: str = PASSWORD, **extra: str) -> TestResponse:
    """Log in through the form as a browser would (GET the form, POST it)."""
    form = client.get("/login")
    data = {"csrf": csrf_of(form.get_data(as_text=True)), "email": email, "password": password}
    data.update(extra)
    return client.post("/login", data=data)


def session_cookie(client: Client) -> str | None:
    """Return the session cookie the test client holds."""
    cookie = client.get_cookie("beanfirm_session")
    return cookie.value if cookie else None


@dataclass(frozen=True)
class Books:
    """Where a client's Fava lives in the portal."""

    base: str  # /c/<id>/<ledger slug>

    def page(self, rest: str) -> str:
        """Return the URL of a page under the ledger."""
        return f"{self.base}/{rest}"


def books_of(client: Client, client_id: str) -> Books:
    """Follow the portal's redirect from /c/<id>/ to the ledger's default page."""
    response = client.get(f"/c/{client_id}/")
    assert response.status_code == 302, response.status_code
    location = response.headers["Location"]
    assert location.startswith(f"/c/{client_id}/"), location
    return Books(location.rsplit("/", 2)[0])
