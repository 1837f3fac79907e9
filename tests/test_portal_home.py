"""A client's home page: filed statements from the approved books, the month's status in the
client's words, what the firm waits for, the way into their books; and Fava as a client sees
it (signs, language, no accountant-only pages)."""

from __future__ import annotations

import datetime
import io
import json
import re
import shutil
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from approval_support import approve
from beancount import loader
from beancount.core import convert, realization
from cli_support import HUAMEI_JANUARY, append_entry, commit_all
from PIL import Image
from portal_support import (
    ANA_USER,
    HUAMEI_USER,
    NORTHWIND_USER,
    PASSWORD,
    add_users,
    books_of,
    build_practice,
    login,
)
from werkzeug.test import Client, TestResponse

from beanfirm.core.translation import Words
from beanfirm.errors import BeanfirmError
from beanfirm.firm.board import STAGES, BoardRow
from beanfirm.monthend.checklist import Item
from beanfirm.portal.clientview import css_string, head_extra
from beanfirm.portal.gateway import make_app
from beanfirm.portal.home import WaitingFor, month_stage, stage_words
from beanfirm.portal.pool import PoolPolicy
from beanfirm.portal.site import Portal, PortalSettings
from beanfirm.portal.users import add_user
from beanfirm.store.registry import load_registry

OCTOBER_PDF = b"%PDF-1.7 huamei october statements"
OCTOBER_XLSX = b"PK huamei october workbook"
UNAPPROVED_PDF = b"%PDF-1.7 november, filed after the approval"
GROUP_USER = "group@huamei.example"
JINMA_USER = "boss@jinma.example"


@pytest.fixture(scope="module")
def base_practice(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """huamei (zh) with October's statements filed and approved; November's filed later."""
    root = build_practice(tmp_path_factory.mktemp("home") / "practice", approved=())
    closing = root / "ledgers" / "huamei" / "documents" / "closing"
    (closing / "2025-10").mkdir(parents=True)
    (closing / "2025-10" / "财务报表-2025-10.pdf").write_bytes(OCTOBER_PDF)
    (closing / "2025-10" / "财务报表-2025-10.xlsx").write_bytes(OCTOBER_XLSX)
    (closing / "2025-10" / "close-report.md").write_text("internal\n", encoding="utf-8")
    main = root / "ledgers" / "huamei" / "main.beancount"
    with main.open("a", encoding="utf-8") as handle:  # the Customer accounts page
        handle.write('2025-01-01 custom "fava-extension" "beanfirm.fava.customers"\n')
    commit_all(root, "Close October")
    approve(root, "huamei")
    approve(root, "northwind")
    (closing / "2025-11").mkdir()
    (closing / "2025-11" / "财务报表-2025-11.pdf").write_bytes(UNAPPROVED_PDF)
    commit_all(root, "Close November (not yet approved)")
    return root


@pytest.fixture
def portal(base_practice: Path, tmp_path: Path) -> Iterator[Portal]:
    root = tmp_path / "practice"
    shutil.copytree(base_practice, root, symlinks=True)
    policy = PoolPolicy(max_workers=3, reload_poll=0.2)
    opened = Portal(root, PortalSettings(state_dir=tmp_path / "state", pool=policy))
    add_users(opened)
    registry = load_registry(root / "clients.yaml")
    add_user(opened.store, registry, GROUP_USER, PASSWORD, client_ids=("huamei", "northwind"))
    add_user(opened.store, registry, JINMA_USER, PASSWORD, client_ids=("jinma",))
    yield opened
    opened.close()


def browser(portal: Portal, email: str) -> Client:
    client = Client(make_app(portal))
    assert login(client, email).status_code == 303
    return client


def text(response: TestResponse) -> str:
    return response.get_data(as_text=True)


def test_a_client_user_lands_on_their_home_page_in_their_language(portal: Portal) -> None:
    page = text(browser(portal, HUAMEI_USER).get("/"))
    assert '<html lang="zh-CN">' in page
    assert "财务报表" in page
    assert portal.registry().firm.name in page  # the firm's name in the header
    assert 'href="/home/huamei/statements/2025-10.pdf"' in page
    assert 'href="/home/huamei/statements/2025-10.xlsx"' in page
    assert 'href="/c/huamei/"' in page  # the way into their books
    # Only approved books: November was filed after the approval.
    assert "2025-11" not in page
    for english in ("Financial statements", "Download", "Your books", "Log out", "Month"):
        assert english not in page, english


def test_an_english_client_reads_english(portal: Portal) -> None:
    page = text(browser(portal, NORTHWIND_USER).get("/"))
    assert '<html lang="en">' in page
    assert "Financial statements" in page
    assert "No month has been closed yet" in page


def test_a_client_never_approved_gets_a_home_that_says_so(portal: Portal) -> None:
    page = text(browser(portal, JINMA_USER).get("/"))
    assert "审核您的账簿后" in page  # their books appear once the firm has reviewed them
    assert "尚无已结账的月份" in page
    assert 'href="/c/jinma/"' in page


def test_the_filed_statements_download_as_filed(portal: Portal) -> None:
    owner = browser(portal, HUAMEI_USER)
    pdf = owner.get("/home/huamei/statements/2025-10.pdf")
    assert pdf.status_code == 200
    assert pdf.data == OCTOBER_PDF
    assert pdf.headers["Content-Type"] == "application/pdf"
    assert "attachment" in pdf.headers["Content-Disposition"]
    xlsx = owner.get("/home/huamei/statements/2025-10.xlsx")
    assert xlsx.data == OCTOBER_XLSX


@pytest.mark.parametrize(
    "address",
    [
        "/home/huamei/statements/2025-11.pdf",  # filed after the approval: not yet theirs
        "/home/huamei/statements/2025-10.md",  # the close report is the firm's
        "/home/huamei/statements/2025-10.json",
        "/home/huamei/statements/..%2F..%2Fmain.beancount",
        "/home/huamei/statements/2025-13.pdf",
        "/home/northwind/statements/2025-10.pdf",  # another client's
        "/home/northwind",
        "/home/jinma",
    ],
)
def test_nothing_else_is_served(portal: Portal, address: str) -> None:
    owner = browser(portal, HUAMEI_USER)
    response = owner.get(address)
    assert response.status_code == 404, address
    assert UNAPPROVED_PDF not in response.data


def test_a_planted_link_is_not_followed(portal: Portal, tmp_path: Path) -> None:
    owner = browser(portal, HUAMEI_USER)
    assert owner.get("/").status_code == 200  # the snapshot is extracted
    view = portal.approved.view("huamei")
    assert view is not None
    secret = tmp_path / "secret.pdf"
    secret.write_bytes(b"not theirs")
    folder = view.folder / "documents" / "closing" / "2025-09"
    folder.parent.chmod(0o700)
    folder.mkdir()
    (folder / "财务报表-2025-09.pdf").symlink_to(secret)
    assert owner.get("/home/huamei/statements/2025-09.pdf").status_code == 404


def test_the_month_status_and_what_the_firm_waits_for(portal: Portal) -> None:
    portal.requests_of = lambda _root, client_id: (
        [WaitingFor("11月 工商银行对账单 <b>", datetime.date(2025, 12, 5))]
        if client_id == "huamei"
        else []
    )
    page = text(browser(portal, HUAMEI_USER).get("/"))
    assert "11月 工商银行对账单 &lt;b&gt;" in page  # data is printed as data
    assert "2025-12-05" in page
    last = datetime.date.today().replace(day=1) - datetime.timedelta(days=1)  # noqa: DTZ011
    assert f"{last:%Y-%m}" in page  # the month the board shows: nothing of it received yet
    assert "等待您的单据" in page


def test_a_user_of_several_clients_picks_one(portal: Portal) -> None:
    group = browser(portal, GROUP_USER)
    landing = text(group.get("/"))
    assert "您可以查看的账簿" in landing  # huamei's language, the first of the group
    assert "复核于" in landing
    assert 'href="/home/huamei"' in landing
    assert 'href="/home/northwind"' in landing
    assert "财务报表" in text(group.get("/home/huamei"))


def test_staff_see_a_clients_home_from_the_working_books(portal: Portal) -> None:
    page = text(browser(portal, ANA_USER).get("/home/huamei"))
    assert "2025-11" in page  # staff read the head
    assert "Dashboard" in text(browser(portal, ANA_USER).get("/"))


def test_fava_as_the_client_sees_it(portal: Portal) -> None:
    owner, staff = browser(portal, HUAMEI_USER), browser(portal, ANA_USER)
    books = books_of(owner, "huamei")
    page = text(owner.get(books.page("income_statement/")))
    assert "fava-client.css" in page
    assert '"invert_income_liabilities_equity":true' in page
    assert '"language":"zh","locale":"zh_CN"' in page
    assert '"errors":[]' in page
    assert owner.get(books.page("errors/")).status_code == 404
    assert owner.get(books.page("api/errors")).status_code == 404
    staff_books = books_of(staff, "huamei")
    staff_page = text(staff.get(staff_books.page("income_statement/")))
    assert "h1::before" in page  # the firm's name in Fava's header
    assert "h1::before" not in staff_page
    assert "fava-client.css" not in staff_page
    assert '"invert_income_liabilities_equity":false' in staff_page
    assert staff.get(staff_books.page("errors/")).status_code == 200
    for refused in ("editor/", "import/", "query/"):
        assert owner.get(books.page(refused)).status_code == 404, refused
    css = owner.get("/_portal/fava-client.css")
    assert css.status_code == 200
    for link in ("editor/", "import/", "query/", "errors/"):
        assert link in text(css), link


@pytest.mark.parametrize(
    ("passed", "stage", "words"),
    [
        ((), "waiting", "等待您的单据"),
        (("booked",), "waiting", "等待您的单据"),  # nothing booked counts before it arrives
        (("received",), "received", "已收到"),
        (("received", "booked", "reconciled"), "booking", "记账中"),
        (("received", "booked", "reconciled", "approved"), "reviewed", "已复核"),
        # Every commit approved, but the month's exports not in yet, or not reconciled.
        (("approved",), "waiting", "等待您的单据"),
        (("received", "approved"), "received", "已收到"),
        (("received", "booked", "approved"), "booking", "记账中"),
        (("approved", "closed"), "closed", "已结账"),
    ],
)
def test_the_board_in_plain_words(passed: tuple[str, ...], stage: str, words: str) -> None:
    stages = tuple(Item(name, name in passed, "") for name in STAGES)
    row = BoardRow(None, None, 0, stages, 0, ())  # type: ignore[arg-type]
    assert month_stage(row) == stage
    assert stage_words(stage, Words("zh"))[0] == words
    assert stage_words(stage, Words("en"))[0].isascii()


def test_the_login_page_speaks_the_browsers_language_and_switches(portal: Portal) -> None:
    anonymous = Client(make_app(portal))
    firm = portal.registry().firm.name
    chinese = text(anonymous.get("/login", headers={"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.8"}))
    assert '<html lang="zh-CN">' in chinese
    assert "登录" in chinese
    assert "密码" in chinese
    assert firm in chinese
    assert 'href="/login?lang=en&amp;next=%2F"' in chinese
    for english in ("Log in", "Password", "Email"):
        assert english not in chinese, english
    english = text(anonymous.get("/login", headers={"Accept-Language": "en-GB,en;q=0.9"}))
    assert '<html lang="en">' in english
    assert "Password" in english
    assert "中文" in english  # the switch, named in its own language
    switched = text(anonymous.get("/login?lang=zh", headers={"Accept-Language": "en"}))
    assert "密码" in switched
    unknown = text(anonymous.get("/login?lang=xx", headers={"Accept-Language": "fr, de"}))
    assert "Password" in unknown


def test_a_wrong_password_is_told_in_the_chosen_language(portal: Portal) -> None:
    anonymous = Client(make_app(portal))
    response = login(anonymous, HUAMEI_USER, "not the password", lang="zh")
    assert response.status_code == 401
    assert "邮箱或密码错误。" in text(response)


def test_the_owner_reads_income_as_positive(portal: Portal) -> None:
    """Net profit, as Fava charts it for the owner, is the books' profit with its sign turned.

    The books' income, by Beancount's own realization of the approved snapshot, is a credit
    (negative); the owner's chart shows it positive, the staff's as the ledger has it.
    """
    owner, staff = browser(portal, HUAMEI_USER), browser(portal, ANA_USER)
    view = portal.approved.view("huamei")
    assert view is not None
    # Its errors (an account not yet reconciled) are the firm's backlog: the client's page
    # leaves them out, the figures stay.
    entries, _errors, _options = loader.load_file(str(view.ledger))
    root = realization.realize(entries)  # type: ignore[no-untyped-call]
    income = realization.get(root, "Income")  # type: ignore[no-untyped-call]
    assert income is not None
    books = realization.compute_balance(income).reduce(convert.get_units)  # type: ignore[no-untyped-call]
    ledger_profit = -books.get_currency_units("CNY").number  # a credit: income is negative
    assert ledger_profit == Decimal("100.00")

    def profit(browser: Client) -> Decimal:
        address = books_of(browser, "huamei").page("api/income_statement")
        answer = json.loads(text(browser.get(address)))
        chart = answer["data"]["charts"][0]  # 净利润: income and expenses, by month
        assert chart["label"] == "净利润"
        return sum((Decimal(str(p["balance"].get("CNY", 0))) for p in chart["data"]), Decimal(0))

    assert profit(owner) == ledger_profit
    assert profit(staff) == -ledger_profit


CLOSING = (
    '2025-01-31 * "结转损益 2025-01" #closing\n'
    "  Income:6001-主营业务收入  100.00 CNY\n"
    "  Equity:3103-本年利润  -100.00 CNY\n"
)


@pytest.fixture
def closed(base_practice: Path, tmp_path: Path) -> Iterator[Portal]:
    """huamei with January closed (its closing entry booked) and approved."""
    root = tmp_path / "practice"
    shutil.copytree(base_practice, root, symlinks=True)
    append_entry(root, HUAMEI_JANUARY, CLOSING)
    commit_all(root, "Close January")
    approve(root, "huamei")
    opened = Portal(root, PortalSettings(state_dir=tmp_path / "state"))
    add_users(opened)
    yield opened
    opened.close()


def test_the_owner_reads_a_closed_month_closed_virtually(closed: Portal) -> None:
    """The closing entry moves January's income to 本年利润 in the books; the owner's income
    statement still shows the income (Fava's virtual close), the staff's shows the books."""
    owner, staff = browser(closed, HUAMEI_USER), browser(closed, ANA_USER)

    def profit(browser: Client) -> Decimal:
        address = books_of(browser, "huamei").page("api/income_statement")
        chart = json.loads(text(browser.get(address)))["data"]["charts"][0]
        return sum((Decimal(str(p["balance"].get("CNY", 0))) for p in chart["data"]), Decimal(0))

    assert profit(owner) == Decimal("100.00")
    assert profit(staff) == Decimal(0)  # closed into 本年利润, as booked
    owner_books = books_of(owner, "huamei")
    answer = json.loads(text(owner.get(owner_books.page("api/balance_sheet"))))
    balance_sheet = json.dumps(answer, ensure_ascii=False)
    assert "Equity:本期损益" in balance_sheet  # Fava's Earnings:Current, in the client's words
    assert "Earnings" not in balance_sheet

    def journal(browser: Client) -> str:
        address = books_of(browser, "huamei").page("api/journal")
        return json.dumps(json.loads(text(browser.get(address))), ensure_ascii=False)

    assert "结转损益" not in journal(owner)
    assert "结转损益" in journal(staff)


def _png() -> bytes:
    picture = io.BytesIO()
    Image.new("RGB", (4, 4), "#2d4a6b").save(picture, format="PNG")
    return picture.getvalue()


def _set_logo(root: Path, name: str) -> None:
    registry = root / "clients.yaml"
    text = registry.read_text(encoding="utf-8")
    registry.write_text(
        re.sub(r"(firm:\n  name: .*\n)", rf"\g<1>  logo: {name}\n", text, count=1),
        encoding="utf-8",
    )


def test_the_firms_logo_on_the_login_page_the_header_and_in_fava(portal: Portal) -> None:
    logo = _png()
    (portal.root / "branding").mkdir()
    (portal.root / "branding" / "logo.png").write_bytes(logo)
    _set_logo(portal.root, "branding/logo.png")
    anonymous = Client(make_app(portal))
    assert 'src="/_portal/logo.png"' in text(anonymous.get("/login"))
    served = anonymous.get("/_portal/logo.png")
    assert (served.status_code, served.data, served.mimetype) == (200, logo, "image/png")
    owner = browser(portal, HUAMEI_USER)
    assert 'src="/_portal/logo.png"' in text(owner.get("/"))
    fava = text(owner.get(books_of(owner, "huamei").page("income_statement/")))
    assert "url(/_portal/logo.png)" in fava


@pytest.mark.parametrize("planted", ["not a png", "link out"])
def test_a_logo_that_is_no_png_inside_the_practice_is_not_served(
    portal: Portal, tmp_path: Path, planted: str
) -> None:
    (portal.root / "branding").mkdir()
    target = portal.root / "branding" / "logo.png"
    if planted == "not a png":
        target.write_text("<svg onload=alert(1)>", encoding="utf-8")
    else:
        outside = tmp_path / "secret.png"
        outside.write_bytes(_png())
        target.symlink_to(outside)
    _set_logo(portal.root, "branding/logo.png")
    anonymous = Client(make_app(portal))
    assert anonymous.get("/_portal/logo.png").status_code == 404
    assert "/_portal/logo.png" not in text(anonymous.get("/login"))


@pytest.mark.parametrize("name", ["../logo.png", "/etc/logo.png", "branding/logo.svg"])
def test_a_logo_outside_the_practice_or_not_png_is_a_registry_problem(
    base_practice: Path, tmp_path: Path, name: str
) -> None:
    root = tmp_path / "practice"
    shutil.copytree(base_practice, root, symlinks=True)
    _set_logo(root, name)
    with pytest.raises(BeanfirmError) as raised:
        load_registry(root / "clients.yaml")
    told = [str(problem) for problem in raised.value.problems]
    assert len(told) == 1, told
    assert "clients.yaml:5" in told[0]  # the logo's own line
    assert "it must be a PNG file inside the practice" in told[0]


def test_favas_own_english_is_given_in_the_clients_words_as_data() -> None:
    head = head_extra(None, "zh").decode()
    block = re.search(
        r'<script type="application/json" id="beanfirm-fava-words">(.*?)</script>', head
    )
    assert block is not None
    assert "<" not in block.group(1)
    words = json.loads(block.group(1))
    assert words["types"]["Transaction"] == "交易"
    assert words["flags"]["Bal"] == "余额"
    assert words["dates"]["month_year"] == "{year}年{month}月"
    assert "custom" not in words["journal_show"]
    assert '<script src="/_portal/fava-words.js"></script>' in head
    english = json.loads(re.findall(r">(\{.*?\})</script>", head_extra(None, "en").decode())[0])
    assert english["types"]["Transaction"] == "Transaction"
    assert english["dates"] is None  # Fava's own dates


def test_the_firms_name_in_favas_header_is_quoted_as_data() -> None:
    quoted = css_string('明账 </style><script>alert(1)</script> "x" \\')
    assert quoted.startswith('"')
    assert quoted.endswith('"')
    inside = quoted[1:-1]
    assert not set(inside) & set("<>\"'/;{}")
    assert "\\00003c" in inside  # `<`, escaped


def test_the_reconciliation_page_reads_chinese_for_a_chinese_client(portal: Portal) -> None:
    owner = browser(portal, HUAMEI_USER)
    page = text(owner.get(books_of(owner, "huamei").page("extension/Reconciliation/")))
    assert "对账周期" in page
    assert "每月" in page  # huamei's bank is reconciled monthly
    for english in ("Cadence", "Reconciled through", "Last difference", "monthly", "never"):
        assert f">{english}<" not in page, english


def test_a_refusal_reads_in_the_clients_language(portal: Portal) -> None:
    owner, staff = browser(portal, HUAMEI_USER), browser(portal, ANA_USER)
    refused = owner.get(books_of(owner, "huamei").page("editor/"))
    assert refused.status_code == 404
    assert "404 未找到" in text(refused)
    assert "这里没有内容" in text(refused)
    assert "Not Found" not in text(refused)
    assert "404 Not Found" in text(staff.get(books_of(staff, "huamei").page("editor/")))


def test_a_board_that_cannot_be_read_leaves_the_rest_of_the_page(
    portal: Portal, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_args: object) -> list[BoardRow]:
        raise OSError("git is gone")

    monkeypatch.setattr("beanfirm.portal.home.firm_board", broken)
    response = browser(portal, HUAMEI_USER).get("/")
    assert response.status_code == 200
    assert "本期" not in text(response)
    assert 'href="/home/huamei/statements/2025-10.pdf"' in text(response)
    assert "git is gone" not in text(response)


def test_the_statements_of_account_are_one_click_away(portal: Portal) -> None:
    owner = browser(portal, HUAMEI_USER)
    assert 'href="/home/huamei/customers"' in text(owner.get("/"))
    sent = owner.get("/home/huamei/customers")
    assert sent.status_code == 302
    target = sent.headers["Location"]
    assert target.startswith("/c/huamei/")
    assert target.endswith("/extension/CustomerAccounts/#statements")
    page = owner.get(target.split("#")[0])
    assert page.status_code == 200
    assert "对账单" in text(page)
    assert owner.get("/home/northwind/customers").status_code == 404  # not theirs


def test_the_firms_open_requests_and_the_upload_link(portal: Portal) -> None:
    requests = portal.root / "ledgers" / "huamei" / "requests.yaml"
    requests.write_text(
        "- id: 1\n  title: 10月工商银行对账单\n  opened-by: ana\n  opened-at: 2025-11-01\n"
        "  closed-at: 2025-11-03\n"
        "- id: 2\n  title: 11月工商银行对账单\n  due: 2025-12-10\n  opened-by: ana\n"
        "  opened-at: 2025-12-01\n",
        encoding="utf-8",
    )
    page = text(browser(portal, HUAMEI_USER).get("/"))
    assert "11月工商银行对账单" in page
    assert "2025-12-10" in page
    assert "10月工商银行对账单" not in page  # closed: no longer awaited
    assert 'href="/c/huamei/upload"' in page
    requests.write_text("- id: [unclosed\n", encoding="utf-8")
    broken = browser(portal, HUAMEI_USER).get("/")
    assert broken.status_code == 200  # the firm's broken file is the staff's to see, not a crash
    assert "11月工商银行对账单" not in text(broken)
