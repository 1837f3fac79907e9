"""Uploads through the portal (资料收集), and attacks on them, through the real gateway.

The portal's one write: a client user's files into their own client's inbox. Everything a
user could try: upload without logging in, into another client, as staff, without or with a
forged CSRF token, from another site, too large, too many, a program or a page named like a
statement, a name that walks out of the inbox or hides itself; and whether what was sent
ever comes back to another client. Each attack proves nothing was written.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from cli_support import add_firm_clients, commit_all, new_practice
from conftest import STAFF_ENV, run_beanfirm
from portal_support import (
    BO_USER,
    HUAMEI_USER,
    NORTHWIND_USER,
    add_users,
    csrf_of,
    login,
)
from werkzeug.test import Client

from beanfirm.jobs import uploading
from beanfirm.portal import uploads as portal_uploads
from beanfirm.portal.audit import recent
from beanfirm.portal.gateway import make_app
from beanfirm.portal.site import Portal, PortalSettings
from beanfirm.portal.users import add_user
from beanfirm.store.uploads import uploads_of

INBOX = "ledgers/huamei/inbox"
UPLOAD = "/c/huamei/upload"
# huamei's ICBC account, as add_firm_clients registers it (number 6222001).
ICBC_HEADER = (
    "交易日期,摘要,交易详情,交易场所,交易国家或地区简称,钞/汇,交易金额(收入),交易金额(支出),"
    "交易币种,记账金额(收入),记账金额(支出),记账币种,余额,对方户名,对方账户\n"
)


def icbc_export(number: str = "6222001", rows: int = 2) -> bytes:
    """An ICBC debit-card export (明细查询) of huamei's account, newest first."""
    lines = ["明细查询文件下载\n", "\n", f'卡号: {number},"卡别名: 基本户"\n', "\n", ICBC_HEADER]
    lines += [
        f"2025-02-{day:02d},消费,,便利店,CHN,钞,-,-,-,,10.00,人民币,{1000 - 10 * day}.00,供应商{day},\n"
        for day in range(rows, 0, -1)  # newest first; 1000.00 before the first
    ]
    return "".join(lines).encode("utf-8")


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.7\n%receipt\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


@pytest.fixture(scope="module")
def portal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Portal]:
    root = new_practice(tmp_path_factory.mktemp("uploads") / "practice")
    add_firm_clients(root)
    (root / "ledgers/huamei/requests.yaml").write_text(
        "- id: 1\n  title: 11月工商银行对账单\n  due: 2099-12-10\n  opened-by: bo\n"
        "  opened-at: 2026-12-01\n",
        encoding="utf-8",
    )
    commit_all(root, "A request for huamei")
    site = Portal(root, PortalSettings(state_dir=root / ".beanfirm"))
    add_users(site)
    yield site
    site.close()


@pytest.fixture(scope="module")
def app(portal: Portal) -> object:
    return make_app(portal)


def browser(app: object, email: str | None = None) -> Client:
    client = Client(app)  # type: ignore[arg-type]
    if email:
        assert login(client, email).status_code == 303
    return client


def inbox_files(portal: Portal) -> list[str]:
    inbox = portal.root / INBOX
    if not inbox.is_dir():
        return []
    return sorted(
        p.relative_to(inbox).as_posix()
        for p in inbox.rglob("*")
        if p.is_file() and not p.name.startswith(".uploads.")
    )


def practice_files(portal: Portal) -> set[str]:
    """Every file of the practice but the portal's own state and git's objects."""
    root = portal.root
    return {
        p.relative_to(root).as_posix()
        for p in root.rglob("*")
        if p.is_file() and not p.relative_to(root).as_posix().startswith((".beanfirm", ".git/"))
    }


def post(
    client: Client,
    files: list[tuple[bytes, str]],
    *,
    csrf: str | None = None,
    path: str = UPLOAD,
    **fields: str,
) -> tuple[int, str]:
    if csrf is None:
        page = client.get(path)
        csrf = csrf_of(page.get_data(as_text=True)) if page.status_code == 200 else ""
    data: dict[str, object] = {"csrf": csrf, **fields}
    data["file"] = [(io.BytesIO(content), name) for content, name in files]
    response = client.post(path, data=data, content_type="multipart/form-data")
    return response.status_code, response.get_data(as_text=True)


def test_the_page_shows_the_open_requests_in_the_clients_language(app: object) -> None:
    page = browser(app, HUAMEI_USER).get(UPLOAD)
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert '<html lang="zh-CN">' in html
    assert "11月工商银行对账单" in html
    assert "2099-12-10" in html
    assert 'type="file"' in html
    assert "multiple" in html
    assert '<script src="/_portal/upload.js"></script>' in html
    visible = re.sub(r"<[^>]+>|\{\{.*?\}\}", " ", html.split("<main>")[1])
    assert not re.search(r"\b(Send|Received|waiting|Choose|request)\b", visible), visible
    script = browser(app).get("/_portal/upload.js")
    assert script.status_code == 200
    assert script.headers["Content-Type"].startswith("text/javascript")
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]


def test_an_english_clients_page_is_english(app: object) -> None:
    page = browser(app, NORTHWIND_USER).get("/c/northwind/upload")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert '<html lang="en">' in html
    assert "Send documents to Test Firm" in html
    assert "Nothing at the moment." in html  # northwind has no requests file


def test_an_export_and_a_receipt_arrive_and_answer_the_request(portal: Portal, app: object) -> None:
    before = set(inbox_files(portal))
    client = browser(app, HUAMEI_USER)
    status, html = post(
        client, [(icbc_export(), "工商银行 11月.csv"), (PDF, "出租车发票.pdf")], request="1"
    )
    assert status == 200, html
    assert "已收到：工商银行 11月.csv" in html, html  # noqa: RUF001 - the Chinese page's colon
    new = sorted(set(inbox_files(portal)) - before)
    assert len(new) == 2, new
    export = next(name for name in new if name.endswith(".csv"))
    receipt = next(name for name in new if name.endswith(".pdf"))
    assert re.fullmatch(r"\d{8}-\d{6}-工商银行-11月\.csv", export)
    assert re.fullmatch(r"documents/\d{8}-\d{6}-出租车发票\.pdf", receipt)
    assert (portal.root / INBOX / export).read_bytes() == icbc_export()
    records = uploads_of(portal.root, "huamei")[-2:]
    assert [(r.kind, r.request, r.by, r.account) for r in records] == [
        ("export", 1, HUAMEI_USER, "Assets:1002-银行存款:工商银行"),
        ("document", 1, HUAMEI_USER, None),
    ]
    page = client.get(UPLOAD).get_data(as_text=True)
    assert export in page  # listed as waiting
    events = recent(portal.store, client_id="huamei", event="upload")
    assert {e.path for e in events} >= {f"{INBOX}/{export}", f"{INBOX}/{receipt}"}
    staff = run_beanfirm("requests", "list", "huamei", "--json", cwd=portal.root)
    listed = json.loads(staff.out)
    assert listed["requests"][0]["answered-by"] == [export.split("/")[-1], receipt.split("/")[-1]]
    assert len(listed["waiting"]["huamei"]) >= 2


@pytest.mark.parametrize(
    ("content", "name", "reason"),
    [
        (b"<html><script>alert(1)</script></html>", "statement.csv", "不是"),
        (b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64, "receipt.pdf", "既不是"),
        (b"\x7fELF\x02\x01\x01" + b"\x00" * 64, "run.png", "既不是"),
        (b"PK\x03\x04" + b"\x00" * 64, "statement.xlsx", "不是"),
        (b"import os\nos.system('touch /tmp/owned')\n", "import.py", "不是"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><script>x</script></svg>', "p.png", "不是"),
        (icbc_export(number="9999888"), "another-account.csv", "不是"),
        (b"", "empty.csv", "空"),
    ],
)
def test_what_is_not_a_statement_or_a_picture_is_refused_at_once(
    portal: Portal, app: object, content: bytes, name: str, reason: str
) -> None:
    before = practice_files(portal)
    status, html = post(browser(app, HUAMEI_USER), [(content, name)])
    assert status == 400
    assert f"未收到：{name}" in html  # noqa: RUF001 - the Chinese page's colon
    assert reason in html
    assert practice_files(portal) - before <= {f"{INBOX}/.uploads.lock"}
    assert not any(n.startswith(".upload-") for n in inbox_files(portal))
    assert recent(portal.store, event="upload-refused", limit=1)[0].status == 400


@pytest.mark.parametrize(
    "sent",
    [
        "../../../clients.yaml",
        "..\\..\\main.beancount",
        "/etc/passwd",
        ".main.beancount.picklecache",
        "..",
        "\u202ecod.exe.png",
        "\uff52\uff45\uff43\uff45\uff49\uff50\uff54\uff0epng",  # full-width "receipt.png"
        "a\x00b.png",
        "<img src=x onerror=alert(1)>.png",
        "x" * 500 + ".png",
    ],
)
def test_names_are_made_safe(portal: Portal, app: object, sent: str) -> None:
    before = practice_files(portal)
    status, html = post(browser(app, HUAMEI_USER), [(PNG, sent)])
    assert status == 200, html
    # The upload record and the inbox's lock are the uploader's own (the lock is made by the
    # first upload of the inbox, whichever case that is), not a stored upload.
    new = practice_files(portal) - before - {f"{INBOX}/.uploads.jsonl", f"{INBOX}/.uploads.lock"}
    assert len(new) == 1, new
    stored = new.pop()
    assert stored.startswith(f"{INBOX}/documents/"), stored
    name = stored.rsplit("/", 1)[1]
    assert re.fullmatch(r"\d{8}-\d{6}-[\w()\uff08\uff09-]{1,60}(-\d+)?\.png", name), name
    assert ".." not in name
    assert "<img" not in html  # the sent name is shown as text, escaped
    if sent.startswith("\uff52"):
        assert "-receipt" in name  # NFKC: full-width letters become plain ones


def test_a_png_named_csv_is_kept_as_what_it_is(portal: Portal, app: object) -> None:
    before = set(inbox_files(portal))
    status, _ = post(browser(app, HUAMEI_USER), [(PNG, "statement.csv")])
    assert status == 200
    (new,) = set(inbox_files(portal)) - before
    assert new.startswith("documents/")
    assert new.endswith("-statement.png")


def test_only_a_logged_in_user_of_that_client(portal: Portal, app: object) -> None:
    before = practice_files(portal)
    anonymous = browser(app)
    assert anonymous.get(UPLOAD).status_code == 302
    assert anonymous.get(UPLOAD).headers["Location"] == "/login?next=/c/huamei/upload"
    assert post(anonymous, [(PNG, "a.png")], csrf="x")[0] == 401
    northwind = browser(app, NORTHWIND_USER)
    assert northwind.get(UPLOAD).status_code == 404
    own = csrf_of(northwind.get("/c/northwind/upload").get_data(as_text=True))
    assert post(northwind, [(PNG, "a.png")], csrf=own)[0] == 404
    staff = browser(app, BO_USER)  # bo prepares huamei, but uploads are the client's
    assert staff.get(UPLOAD).status_code == 404
    assert post(staff, [(PNG, "a.png")], csrf="x")[0] == 404
    assert browser(app, HUAMEI_USER).get("/c/nosuch/upload").status_code == 404
    assert practice_files(portal) == before
    refusals = recent(portal.store, event="refused", limit=4)
    assert [e.status for e in refusals] == [404, 404, 404, 404]


def test_csrf_and_origin(portal: Portal, app: object) -> None:
    before = practice_files(portal)
    client = browser(app, HUAMEI_USER)
    other = browser(app, HUAMEI_USER)  # a second session of the same user: its own token
    others_token = csrf_of(other.get(UPLOAD).get_data(as_text=True))
    for token in ("", "forged", others_token, "é"):  # not ASCII: was a 500
        status, html = post(client, [(PNG, "a.png")], csrf=token)
        assert status == 400, token
        assert "上传表单已过期" in html  # on the upload page, in the client's language
    token = csrf_of(client.get(UPLOAD).get_data(as_text=True))
    response = client.post(
        UPLOAD,
        data={"csrf": token, "file": (io.BytesIO(PNG), "a.png")},
        headers={"Origin": "https://evil.example"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert "表单来自其他网站" in response.get_data(as_text=True)
    assert practice_files(portal) == before


def test_size_and_count_limits(
    portal: Portal, app: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = practice_files(portal)
    client = browser(app, HUAMEI_USER)
    monkeypatch.setattr(uploading, "MAX_FILE_BYTES", 1000)
    status, html = post(client, [(PNG + b"\x00" * 2000, "big.png")])
    assert status == 400
    assert "未收到：big.png" in html  # noqa: RUF001 - the Chinese page's colon
    status, html = post(client, [(PNG, f"{n}.png") for n in range(uploading.MAX_FILES + 1)])
    assert status == 400
    assert f"每次最多上传 {uploading.MAX_FILES} 个文件" in html
    monkeypatch.setattr(portal_uploads, "MAX_REQUEST_BYTES", 5000)
    assert post(client, [(PNG + b"\x00" * 6000, "huge.png")])[0] == 413
    assert practice_files(portal) - before <= {f"{INBOX}/.uploads.lock"}


def test_a_full_inbox_takes_no_more(
    portal: Portal, app: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(uploading, "MAX_WAITING", 0)
    before = practice_files(portal)
    status, html = post(browser(app, HUAMEI_USER), [(PNG, "one-more.png")])
    assert status == 400
    assert "未收到" in html
    assert practice_files(portal) - before <= {f"{INBOX}/.uploads.lock"}


def test_uploads_are_never_served_back(portal: Portal, app: object) -> None:
    post(browser(app, HUAMEI_USER), [(PNG, "secret-receipt.png")])
    stored = next(n for n in inbox_files(portal) if "secret-receipt" in n)
    huamei = browser(app, HUAMEI_USER)
    for path in (
        f"/c/huamei/upload/{stored}",
        f"/c/huamei/inbox/{stored}",
        f"/c/huamei/upload/../inbox/{stored}",
        f"/_portal/../ledgers/huamei/inbox/{stored}",
    ):
        assert huamei.get(path).status_code in {302, 404}, path
    northwind = browser(app, NORTHWIND_USER).get("/c/northwind/upload").get_data(as_text=True)
    assert "secret-receipt" not in northwind
    assert "11月工商银行对账单" not in northwind


def test_favas_own_write_routes_stay_closed(app: object) -> None:
    client = browser(app, HUAMEI_USER)
    for path in (
        "/c/huamei/upload/",
        "/c/huamei/ledger/api/upload_import_file",
        "/c/huamei/ledger/api/add_document",
        "/c/huamei/ledger/api/add_entries",
        "/c/huamei/ledger/api/source",
    ):
        response = client.post(path, data={"file": (io.BytesIO(PNG), "a.png")})
        assert response.status_code == 405, path
    assert client.put(UPLOAD).status_code == 405
    assert client.delete(UPLOAD).status_code == 405


def test_import_inbox_takes_the_uploaded_export(tmp_path: Path) -> None:
    root = new_practice(tmp_path / "practice")
    add_firm_clients(root)
    site = Portal(root, PortalSettings(state_dir=root / ".beanfirm"))
    try:
        add_users(site)
        client = browser(make_app(site), HUAMEI_USER)
        status, _ = post(client, [(icbc_export(), "icbc.csv"), (PNG, "taxi.png")])
        assert status == 200
    finally:
        site.close()
    dashboard = run_beanfirm("status", cwd=root)
    assert "Received, waiting in the inbox: huamei: 1 export(s), 1 receipt(s)" in dashboard.out
    board = run_beanfirm("status", "--period", "2025-02", "--json", cwd=root)
    rows = {row["client"]: row for row in json.loads(board.out)}
    assert rows["huamei"]["inbox"] == 1  # the export: received, not imported
    plain = {
        row["client"]: row for row in json.loads(run_beanfirm("status", "--json", cwd=root).out)
    }
    assert plain["huamei"]["inbox"] == {"exports": 1, "papers": 1}
    imported = run_beanfirm("import", "--inbox", "huamei", "--opening", cwd=root, env=STAFF_ENV)
    assert imported.code == 0, imported.err
    journal = (root / "ledgers/huamei/journal/2025/02.beancount").read_text(encoding="utf-8")
    assert "供应商1" in journal
    assert "供应商2" in journal
    left = sorted(
        p.relative_to(root / INBOX).as_posix()
        for p in (root / INBOX).rglob("*")
        if p.is_file() and not p.name.startswith(".")
    )
    assert len(left) == 1  # the export was imported; the receipt waits for the preparer
    assert left[0].startswith("documents/")


def test_a_long_export_is_identified_by_its_head(portal: Portal, app: object) -> None:
    long_ours, long_theirs = icbc_export(rows=28), icbc_export(number="9999888", rows=28)
    padding = "".join(
        f"2025-01-01,消费,,x,CHN,钞,-,-,-,,0.00,人民币,1000.00,p{n},\n" for n in range(1200)
    )
    ours = long_ours + padding.encode()
    theirs = long_theirs + padding.encode()
    assert len(ours) > 64 * 1024
    client = browser(app, HUAMEI_USER)
    assert post(client, [(theirs, "theirs.csv")])[0] == 400  # another account's number
    status, html = post(client, [(ours, "ours.csv")])
    assert status == 200, html
    assert not [p for p in (portal.root / INBOX).iterdir() if ".head" in p.name]


def test_a_file_of_several_megabytes_is_taken(portal: Portal, app: object) -> None:
    big = PNG + bytes(3 * 1024 * 1024)  # more than the form parser's buffer
    status, html = post(browser(app, HUAMEI_USER), [(big, "scan.png")])
    assert status == 200, html
    stored = [p for p in (portal.root / INBOX / "documents").iterdir() if "-scan" in p.name]
    assert [p.stat().st_size for p in stored] == [len(big)]


def test_the_demo_walk(tmp_path: Path) -> None:
    """The demo: huamei-retail's owner sends the November ICBC statement the firm asked for,
    answering its request, and the preparer imports it from the inbox and closes the request."""
    root = tmp_path / "demo"
    generated = run_beanfirm("generate", str(root), "--demo", cwd=tmp_path)
    assert generated.code == 0, generated.err
    statement = Path(__file__).parent.parent / "docs/examples/huamei-icbc-2026-11.csv"
    site = Portal(root, PortalSettings(state_dir=root / ".beanfirm"))
    try:
        add_user(
            site.store,
            site.registry(),
            "owner@huamei-retail.example",
            "correct horse battery",
            client_ids=("huamei-retail",),
        )
        client = browser(make_app(site), "owner@huamei-retail.example")
        page = client.get("/c/huamei-retail/upload").get_data(as_text=True)
        assert "11月工商银行对账单" in page
        assert "2026-12-10" in page
        status, html = post(
            client,
            [(statement.read_bytes(), statement.name)],
            path="/c/huamei-retail/upload",
            request="1",
        )
        assert status == 200, html
    finally:
        site.close()
    imported = run_beanfirm("--as", "li", "import", "--inbox", "huamei-retail", cwd=root)
    assert imported.code == 0, imported.err
    closed = run_beanfirm("--as", "li", "requests", "close", "huamei-retail", "1", cwd=root)
    assert closed.code == 0, closed.err
    text = (root / "ledgers/huamei-retail/requests.yaml").read_text(encoding="utf-8")
    assert re.search(r"answered-by:\n  - \d{8}-\d{6}-huamei-icbc-2026-11\.csv\n", text), text


def test_an_inbox_that_leads_elsewhere_takes_nothing(tmp_path: Path) -> None:
    root = new_practice(tmp_path / "practice")
    add_firm_clients(root)
    elsewhere = root / "ledgers" / "northwind" / "planted"
    elsewhere.mkdir()
    (root / INBOX).symlink_to(elsewhere)  # huamei's inbox, pointing into northwind's folder
    site = Portal(root, PortalSettings(state_dir=root / ".beanfirm"))
    try:
        add_users(site)
        status, _ = post(browser(make_app(site), HUAMEI_USER), [(PNG, "a.png")])
    finally:
        site.close()
    assert status == 400
    assert list(elsewhere.iterdir()) == []


def test_a_workbook_that_unpacks_to_too_much_is_not_opened(
    portal: Portal, app: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(uploading, "MAX_UNPACKED_BYTES", 1024 * 1024)
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", " " * (2 * 1024 * 1024))  # 2 MB of nothing
    opened: list[str] = []
    monkeypatch.setattr("openpyxl.load_workbook", lambda *_a, **_k: opened.append("opened"))
    before = practice_files(portal)
    status, html = post(browser(app, HUAMEI_USER), [(bomb.getvalue(), "statement.xlsx")])
    assert status == 400
    assert "解压" in html
    assert opened == []  # no reader ever saw it
    assert practice_files(portal) - before <= {f"{INBOX}/.uploads.lock"}
