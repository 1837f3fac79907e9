"""The portal as deployed: `beanfirm serve` on 127.0.0.1, users made with the command line,
real HTTP, and a real browser (headless Chromium) reading a client's income statement (as
approved), and the page of a client never approved, in Chinese and in English."""

from __future__ import annotations

import contextlib
import datetime
import http.client
import http.cookiejar
import json
import os
import re
import shutil
import subprocess
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest
from approval_support import approve
from beancount.core import data
from cli_support import HUAMEI_JANUARY, append_entry, commit_all
from conftest import BEANFIRM, STAFF_ENV, run_beanfirm, tree_state
from portal_support import (
    HUAMEI_SECRET,
    NORTHWIND_SECRET,
    PASSWORD,
    build_practice,
    map_sales_account,
)
from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.wait import WebDriverWait

from beanfirm.store.ledger import load_ledger

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
CLIENT_EMAIL = "boss@huamei.example"
UNREVIEWED_PAYEE = "HUAMEI-UNREVIEWED-2468"
UNREVIEWED_ENTRY = (
    f'2025-01-21 * "{UNREVIEWED_PAYEE}" "a sale nobody has reviewed"\n'
    "  Assets:1002-银行存款:工商银行  70.00 CNY\n"
    "  Income:6001-主营业务收入  -70.00 CNY\n"
)
# Clients never approved: jinma (zh) and northwind (en).
UNREVIEWED = {"zh": ("boss@jinma.example", "jinma"), "en": ("cfo@northwind.example", "northwind")}
# A foreign client on the English chart (en-simple), in dollars, whose people read Chinese.
FOREIGN = ("harbour", "boss@harbour.example", "Harbour Light Trading Ltd")


@dataclass(frozen=True)
class Live:
    """A running `beanfirm serve`."""

    url: str
    root: Path
    state: Path


def _after_post(driver: webdriver.Chrome) -> WebDriverWait[webdriver.Chrome]:
    """Wait for the page a form's post loads: the old page's nodes may be asked for meanwhile.

    Chromium then answers "Node with given id does not belong to the document" (seen once in
    a run of the whole suite): a poll that lands during the navigation, not a failure.
    """
    return WebDriverWait(
        driver, 30, ignored_exceptions=(StaleElementReferenceException, WebDriverException)
    )


def _beanfirm(root: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BEANFIRM_")}
    return subprocess.run(
        [str(BEANFIRM), *args],
        cwd=root,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    root = build_practice(tmp_path_factory.mktemp("live") / "practice", approved=("huamei",))
    _add_foreign_client(root)
    state = root.parent / "state"
    users = ((CLIENT_EMAIL, "huamei"), (FOREIGN[1], FOREIGN[0]), *UNREVIEWED.values())
    for email, client_id in users:
        added = _beanfirm(
            root,
            "portal",
            "user",
            "add",
            email,
            "--client",
            client_id,
            "--password-stdin",
            "--state-dir",
            str(state),
            stdin=PASSWORD + "\n",
        )
        assert added.returncode == 0, added.stderr
    env = {k: v for k, v in os.environ.items() if not k.startswith("BEANFIRM_")}
    server = subprocess.Popen(
        [str(BEANFIRM), "serve", "--port", "0", "--state-dir", str(state)],
        cwd=root,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert server.stdout is not None
    line = server.stdout.readline()
    found = re.search(r"(http://127\.0\.0\.1:\d+)/", line)
    assert found, (line, server.poll())
    try:
        yield Live(found.group(1), root, state)
    finally:
        server.terminate()
        server.wait(30)


def _add_foreign_client(root: Path) -> None:
    """Add FOREIGN with a January sale, approved: the English chart, its language Chinese."""
    client_id, _email, name = FOREIGN
    added = run_beanfirm(
        *("clients", "add", client_id, "--name", name, "--industry", "trading"),
        *("--frequency", "low", "--region", "shenzhen", "--size", "small", "--preparer", "bo"),
        *("--reviewer", "ana", "--language", "zh", "--template", "en-simple"),
        *("--currency", "USD", "--opened", "2025-01-01"),
        cwd=root,
        env=STAFF_ENV,
    )
    assert added.code == 0, added.err
    append_entry(
        root,
        f"ledgers/{client_id}/journal/2025/01.beancount",
        '2025-01-10 * "Acme" "January invoice"\n  Assets:Bank  100.00 USD\n'
        "  Income:Sales  -100.00 USD\n",
    )
    commit_all(root, f"{client_id}'s January")
    approve(root, client_id)


def _opener() -> urllib.request.OpenerDirector:
    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *_args: object, **_kwargs: object) -> None:
            return None

    jar = http.cookiejar.CookieJar()
    return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect())


def _get(opener: urllib.request.OpenerDirector, url: str) -> tuple[int, bytes, dict[str, str]]:
    try:
        with opener.open(url, timeout=120) as response:
            return response.status, response.read(), dict(response.headers)
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read(), dict(exc.headers)


def _login(live: Live, email: str = CLIENT_EMAIL) -> urllib.request.OpenerDirector:
    opener = _opener()
    _, form, _ = _get(opener, f"{live.url}/login")
    token = re.search(rb'name="csrf" value="([^"]+)"', form)
    assert token
    data = urllib.parse.urlencode(
        {"csrf": token.group(1).decode(), "email": email, "password": PASSWORD}
    ).encode()
    status = _post(opener, f"{live.url}/login", data)
    assert status == 303, status
    return opener


def _post(opener: urllib.request.OpenerDirector, url: str, data: bytes) -> int:
    assert url.startswith("http://127.0.0.1:")
    try:
        with opener.open(urllib.request.Request(url, data=data), timeout=60) as response:  # noqa: S310
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return exc.code


def _raw(live: Live, method: str, path: str) -> int:
    host, port = urllib.parse.urlsplit(live.url).netloc.split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=60)
    try:
        connection.putrequest(method, path, skip_accept_encoding=True)
        connection.endheaders()
        return connection.getresponse().status
    finally:
        connection.close()


def test_real_http_login_read_and_refusals(live: Live) -> None:
    before = tree_state(live.root / "ledgers")
    assert _get(_opener(), f"{live.url}/c/huamei/")[0] == 302  # anonymous: to the login
    opener = _login(live)
    status, _, headers = _get(opener, f"{live.url}/c/huamei/")
    assert status == 302
    base = headers["Location"].rsplit("/", 2)[0]
    status, body, headers = _get(opener, f"{live.url}{base}/api/journal")
    assert status == 200
    assert HUAMEI_SECRET.encode() in body
    assert str(live.root).encode() not in body
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    status, body, _ = _get(opener, f"{live.url}/c/northwind/")
    assert status == 404
    assert NORTHWIND_SECRET.encode() not in body
    for method in ("PUT", "POST", "DELETE", "PATCH", "put", "get"):
        assert _raw(live, method, f"{base}/api/source") in {400, 401, 405}, method
    for trick in (
        "/c/huamei/%2e%2e/northwind/",
        "/c/huamei/..%2f..%2fnorthwind/",
        "/c/huamei/../northwind/",
        "//c/northwind/",
    ):
        assert _raw(live, "GET", trick) in {302, 400, 404}, trick
    assert tree_state(live.root / "ledgers") == before


def test_a_new_approval_reaches_the_client_without_a_restart(live: Live) -> None:
    """The running portal notices the approval tag by itself and swaps the books in."""
    payee = "HUAMEI-APPROVED-LIVE-1357"
    append_entry(live.root, HUAMEI_JANUARY, UNREVIEWED_ENTRY.replace(UNREVIEWED_PAYEE, payee))
    commit_all(live.root, "A sale, then its approval")
    opener = _login(live)
    _, _, headers = _get(opener, f"{live.url}/c/huamei/")
    journal = f"{live.url}{headers['Location'].rsplit('/', 2)[0]}/api/journal"
    status, body, _ = _get(opener, journal)
    assert (status, payee.encode() in body) == (200, False)
    approve(live.root, "huamei")
    deadline = time.monotonic() + 120
    while payee.encode() not in body:
        assert time.monotonic() < deadline, "the approval did not reach the client in 120 s"
        time.sleep(0.5)
        status, body, _ = _get(opener, journal)
        assert status == 200


def test_user_commands_and_audit(live: Live) -> None:
    state = ("--state-dir", str(live.state))
    listed = _beanfirm(live.root, "portal", "user", "list", "--json", *state)
    assert listed.returncode == 0, listed.stderr
    assert {
        "email": CLIENT_EMAIL,
        "kind": "client",
        "staff": None,
        "clients": ["huamei"],
    } in json.loads(listed.stdout)
    staff = _beanfirm(
        live.root, "portal", "user", "add", "bo@firm.example", "--staff", "bo", "--generate", *state
    )
    assert staff.returncode == 0, staff.stderr
    assert "Password: " in staff.stdout
    both = _beanfirm(
        live.root,
        "portal",
        "user",
        "add",
        "x@y.example",
        "--staff",
        "bo",
        "--client",
        "huamei",
        "--generate",
        *state,
    )
    assert both.returncode == 2
    assert "Traceback" not in both.stderr
    short = _beanfirm(
        live.root,
        "portal",
        "user",
        "add",
        "x@y.example",
        "--client",
        "huamei",
        "--password-stdin",
        *state,
        stdin="short\n",
    )
    assert short.returncode == 2
    assert "too short" in short.stderr
    unknown = _beanfirm(
        live.root, "portal", "user", "add", "x@y.example", "--client", "nope", "--generate", *state
    )
    assert unknown.returncode == 2
    assert "No client 'nope'" in unknown.stderr
    assert (
        _beanfirm(
            live.root, "portal", "user", "passwd", "bo@firm.example", "--generate", *state
        ).returncode
        == 0
    )
    assert (
        _beanfirm(live.root, "portal", "user", "remove", "bo@firm.example", *state).returncode == 0
    )
    assert (
        _beanfirm(live.root, "portal", "user", "remove", "bo@firm.example", *state).returncode == 2
    )
    _login(live)
    audit = _beanfirm(live.root, "audit", "--portal", "--json", "--user", CLIENT_EMAIL, *state)
    assert audit.returncode == 0, audit.stderr
    assert any(event["event"] == "login" for event in json.loads(audit.stdout))
    db = live.state / "portal.sqlite"
    assert db.stat().st_mode & 0o077 == 0
    assert PASSWORD.encode() not in db.read_bytes()


def test_demo_users_are_idempotent(tmp_path: Path) -> None:
    root = Path(__file__).resolve().parent.parent
    state = ("--state-dir", str(tmp_path))
    first = run_beanfirm("portal", "demo-users", *state, cwd=root)
    second = run_beanfirm("portal", "demo-users", *state, cwd=root)
    assert first.code == 0, first.err
    assert second.code == 0, second.err
    emails = [line.split()[0] for line in first.out.splitlines()]
    assert emails == [line.split()[0] for line in second.out.splitlines()]
    assert first.out != second.out  # fresh passwords, shown once
    listed = run_beanfirm("portal", "user", "list", "--json", *state, cwd=root)
    assert len(json.loads(listed.out)) == len(emails)


# -- the browser ----------------------------------------------------------------------------


def _require_chromium() -> None:
    if CHROMIUM.exists() and CHROMEDRIVER.exists():
        return
    message = "Debian's chromium and chromium-driver are not installed (make test installs them)"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@contextlib.contextmanager
def _browser(tmp_path: Path, *flags: str) -> Iterator[webdriver.Chrome]:
    """Headless Chromium that records CSP violations from the first script on."""
    _require_chromium()
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1280,900",
        f"--user-data-dir={tmp_path / 'profile'}",
        *flags,
    ):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    service = webdriver.ChromeService(executable_path=str(CHROMEDRIVER))
    driver = webdriver.Chrome(options=options, service=service)
    try:
        # Not subject to the page's CSP.
        driver.execute_cdp_cmd(
            "Page.addScriptToEvaluateOnNewDocument",
            {
                "source": (
                    "window.__csp = [];document.addEventListener('securitypolicyviolation',"
                    "e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));"
                )
            },
        )
        yield driver
    finally:
        driver.quit()


def _log_in(driver: webdriver.Chrome, live: Live, email: str) -> None:
    driver.get(f"{live.url}/login")
    driver.find_element(By.NAME, "email").send_keys(email)
    driver.find_element(By.NAME, "password").send_keys(PASSWORD)
    driver.find_element(By.CSS_SELECTOR, "form.login button").click()
    WebDriverWait(driver, 30).until(expected_conditions.url_to_be(f"{live.url}/"))


def test_browser_reads_the_income_statement(live: Live, tmp_path: Path) -> None:
    """The client's books as approved: the head's later entries are not on the page."""
    append_entry(live.root, HUAMEI_JANUARY, UNREVIEWED_ENTRY)
    commit_all(live.root, "A sale nobody has reviewed yet")
    with _browser(tmp_path) as driver:
        _log_in(driver, live, CLIENT_EMAIL)
        driver.find_element(By.CSS_SELECTOR, "a[href='/c/huamei/']").click()
        WebDriverWait(driver, 120).until(expected_conditions.url_contains("income_statement"))
        WebDriverWait(driver, 60).until(
            expected_conditions.presence_of_element_located((By.CSS_SELECTOR, "svg, .tree-table"))
        )
        time.sleep(1.0)  # let charts and late requests finish
        screenshot = tmp_path / "income_statement.png"
        driver.save_screenshot(str(screenshot))
        text = driver.find_element(By.TAG_NAME, "body").text
        rects = driver.find_elements(By.CSS_SELECTOR, "svg rect")
        bars = [bar for bar in rects if bar.size["width"] > 4 and bar.size["height"] > 4]
        assert bars
        ActionChains(driver).move_to_element(bars[0]).perform()  # the chart's tooltip

        def shown_tip(found: webdriver.Chrome) -> bool:
            return any(tip.text for tip in found.find_elements(By.CSS_SELECTOR, ".tooltip"))

        WebDriverWait(driver, 10).until(shown_tip)
        time.sleep(0.2)  # the words are placed on the next frame
        tip = " ".join(t.text for t in driver.find_elements(By.CSS_SELECTOR, ".tooltip"))
        # Fava's form to add an entry stays closed: by address, in the page, by its key.
        page = driver.current_url
        driver.get(page + "#add-transaction")
        driver.find_element(By.TAG_NAME, "body").send_keys("n")
        time.sleep(1.0)  # what the form would fetch, and fail at in English
        form = [d for d in driver.find_elements(By.TAG_NAME, "dialog") if d.is_displayed()]
        after_form = driver.find_element(By.TAG_NAME, "body").text
        driver.get(page.replace("income_statement/", "journal/"))
        WebDriverWait(driver, 60).until(
            expected_conditions.presence_of_element_located((By.CSS_SELECTOR, ".journal"))
        )
        journal = driver.find_element(By.TAG_NAME, "body").text
        violations = driver.execute_script("return window.__csp")
        logs = driver.get_log("browser")  # type: ignore[no-untyped-call]
    shutil.copy(screenshot, tmp_path / "last.png")
    assert screenshot.stat().st_size > 10_000
    assert "收入" in text or "Income" in text, text[:500]
    assert HUAMEI_SECRET in journal, journal[:500]
    assert UNREVIEWED_PAYEE not in journal
    # Fava's own English (its journal buttons and column, its charts' dates) reads Chinese.
    assert "交易" in journal, journal[:500]
    for english in ("Transaction", "Balance", "Custom", "Document", "Bal"):
        assert not re.search(rf"\b{english}\b", journal), english  # Opening-Balances is data
    months = r"\b(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\b"
    assert not re.search(months, text), text[:500]
    assert form == []
    assert "Fetching" not in after_form
    assert "年" in tip, tip
    assert not re.search(months, tip), tip
    assert violations == [], violations
    problems = [entry for entry in logs if entry["level"] in {"SEVERE", "WARNING"}]
    assert problems == [], problems


@pytest.mark.parametrize(("language", "words"), [("zh", "审核"), ("en", "reviewed books")])
def test_browser_shows_a_client_never_approved_a_plain_page(
    live: Live, tmp_path: Path, language: str, words: str
) -> None:
    email, client_id = UNREVIEWED[language]
    with _browser(tmp_path) as driver:
        _log_in(driver, live, email)
        driver.find_element(By.CSS_SELECTOR, f"a[href='/c/{client_id}/']").click()
        WebDriverWait(driver, 30).until(expected_conditions.url_to_be(f"{live.url}/c/{client_id}/"))
        screenshot = tmp_path / f"unreviewed-{language}.png"
        driver.save_screenshot(str(screenshot))
        text = driver.find_element(By.TAG_NAME, "body").text
        lang = driver.find_element(By.TAG_NAME, "html").get_attribute("lang")
        scripts = driver.find_elements(By.TAG_NAME, "script")
        violations = driver.execute_script("return window.__csp")
    shutil.copy(screenshot, tmp_path / "last.png")
    assert words in text, text
    assert lang == ("zh-CN" if language == "zh" else "en")
    assert scripts == []  # no Fava at all
    assert violations == [], violations


# Words a Chinese statements page may show in Latin letters: formats and the currency codes.
LATIN_ALLOWED = {"PDF", "Excel", "CNY", "USD", "YYYY", "MM"}


@pytest.mark.parametrize(
    ("client_id", "email", "name"),
    [("huamei", CLIENT_EMAIL, "华美便利店"), FOREIGN],
    ids=["cn-small", "en-simple"],
)
def test_browser_shows_the_statements_page_in_chinese(
    live: Live, tmp_path: Path, client_id: str, email: str, name: str
) -> None:
    """财务报表 as a client user sees it: the forms, in Chinese only, within the portal's CSP.

    The Chinese chart's forms, and the English chart's statements of a client that reads
    Chinese: no English on either but the data (the client's name, the currency's code).
    """
    if client_id == "huamei":
        map_sales_account(live.root)  # the sales of these books (and of the tests here) are 6001
        commit_all(live.root, "huamei's statement mapping: sales booked to 6001 are 营业收入")
        approve(live.root, "huamei")
    opener = _login(live, email)
    _, _, headers = _get(opener, f"{live.url}/c/{client_id}/")
    page = f"{live.url}{headers['Location'].rsplit('/', 2)[0]}/extension/Financials/?period=2025-01"
    deadline = time.monotonic() + 120
    while True:  # until the approval reaches the client's books
        status, body, _ = _get(opener, page)
        if status == 200 and b'<div class="statements">' in body:
            break
        assert time.monotonic() < deadline, body[:2000]
        time.sleep(0.5)
    with _browser(tmp_path, "--lang=zh-CN") as driver:  # a Chinese client's browser
        _log_in(driver, live, email)
        driver.get(page)
        WebDriverWait(driver, 60).until(
            expected_conditions.presence_of_element_located(
                (By.CSS_SELECTOR, ".beanfirm-financials .statements table")
            )
        )
        time.sleep(1.0)  # let Fava's late requests finish
        driver.set_window_size(1280, 2400)
        screenshot = tmp_path / f"financials-{client_id}-zh.png"
        driver.save_screenshot(str(screenshot))
        ours = driver.find_element(By.CSS_SELECTOR, ".beanfirm-financials").text
        violations = driver.execute_script("return window.__csp")
        logs = driver.get_log("browser")  # type: ignore[no-untyped-call]
    shutil.copy(screenshot, tmp_path / "last.png")
    assert screenshot.stat().st_size > 10_000
    for words in ("财务报表", "资产负债表", "利润表", "现金流量表", "货币资金", "制表人", "下载"):
        assert words in ours, words
    assert name in ours  # 编制单位
    latin = set(re.findall(r"[A-Za-z]{2,}", ours.replace(name, " "))) - LATIN_ALLOWED
    assert latin == set(), latin  # no English left on a Chinese page
    assert violations == [], violations
    problems = [entry for entry in logs if entry["level"] in {"SEVERE", "WARNING"}]
    assert problems == [], problems


# -- the client's home page, and statements as a browser shows and prints them -------------

DEMO = Path(__file__).resolve().parent.parent  # the demo practice, read only


def _file_statements(live: Live) -> bytes:
    """File huamei's January statements as the close does (documents/closing/), approved."""
    map_sales_account(live.root)
    folder = live.root / "ledgers" / "huamei" / "documents" / "closing" / "2025-01"
    folder.mkdir(parents=True, exist_ok=True)
    made = _beanfirm(
        live.root,
        "financials",
        "huamei",
        "--period",
        "2025-01",
        "--format",
        "pdf",
        "-o",
        str(folder / "财务报表-2025-01.pdf"),
    )
    assert made.returncode == 0, made.stderr
    commit_all(live.root, "huamei's January statements filed")
    approve(live.root, "huamei")
    return (folder / "财务报表-2025-01.pdf").read_bytes()


def test_browser_client_home_in_chinese_then_their_books(live: Live, tmp_path: Path) -> None:
    """Log in on the Chinese login page, land on the home page, download, open the books."""
    filed = _file_statements(live)
    firm = re.search(r"firm:\n  name: (.+)", (live.root / "clients.yaml").read_text("utf-8"))
    assert firm
    with _browser(tmp_path, "--lang=zh-CN") as driver:
        agent = driver.execute_script("return navigator.userAgent")
        driver.execute_cdp_cmd(  # a Chinese browser's Accept-Language (headless sends en-US)
            "Emulation.setUserAgentOverride",
            {"userAgent": agent, "acceptLanguage": "zh-CN,zh;q=0.9"},
        )
        driver.get(f"{live.url}/login")
        login_text = driver.find_element(By.TAG_NAME, "body").text
        driver.save_screenshot(str(tmp_path / "login-zh.png"))
        _log_in(driver, live, CLIENT_EMAIL)
        deadline = time.monotonic() + 120
        while "2025-01" not in driver.find_element(By.TAG_NAME, "body").text:
            assert time.monotonic() < deadline, "the approval did not reach the home page"
            time.sleep(0.5)
            driver.refresh()
        home = driver.find_element(By.TAG_NAME, "main").text
        lang = driver.find_element(By.TAG_NAME, "html").get_attribute("lang")
        driver.save_screenshot(str(tmp_path / "home-zh.png"))
        pdf = driver.find_element(By.CSS_SELECTOR, "a.download[href$='.pdf']").get_attribute("href")
        driver.find_element(By.CSS_SELECTOR, "a.books-link").click()
        WebDriverWait(driver, 120).until(expected_conditions.url_contains("income_statement"))
        WebDriverWait(driver, 60).until(
            expected_conditions.presence_of_element_located((By.CSS_SELECTOR, "aside a"))
        )
        time.sleep(1.0)  # let charts and late requests finish
        driver.save_screenshot(str(tmp_path / "books-zh.png"))
        sidebar = driver.find_element(By.TAG_NAME, "aside").text
        header = driver.execute_script(
            "return getComputedStyle(document.querySelector('header h1'), '::before').content"
        )
        violations = driver.execute_script("return window.__csp")
    shutil.copy(tmp_path / "home-zh.png", tmp_path / "last.png")
    assert "登录" in login_text
    assert "Log in" not in login_text
    assert firm.group(1) in login_text
    assert lang == "zh-CN"
    for words in ("财务报表", "本期", "需要您提供的资料", "查看您的账簿"):
        assert words in home, words
    assert set(re.findall(r"[A-Za-z]{2,}", home)) <= {"PDF"}, home  # no English left
    opener = _login(live)
    status, body, headers = _get(opener, str(pdf))
    assert (status, body, headers["Content-Type"]) == (200, filed, "application/pdf")
    for hidden in ("编辑器", "导入", "查询", "错误", "Editor", "Import", "Query", "Errors"):
        assert hidden not in sidebar, (hidden, sidebar)
    assert "损益表" in sidebar  # Fava's own words for its income statement
    assert header == f'"{firm.group(1)} · "'  # the firm's name in Fava's header
    assert violations == [], violations


def _post_from_page(driver: webdriver.Chrome, path: str) -> None:
    """Post an empty form to a path from the page on screen, as a stale tab would."""
    driver.execute_script(
        "const f = document.createElement('form'); f.method = 'post'; f.action = arguments[0];"
        "document.body.appendChild(f); f.submit();",
        path,
    )
    WebDriverWait(driver, 30).until(
        lambda d: (
            d.execute_script("return document.readyState") == "complete"
            and d.find_elements(By.TAG_NAME, "h1")
        )
    )


def test_browser_error_pages_in_chinese(live: Live, tmp_path: Path) -> None:
    """The 401, 404, 405 and login-error pages as a Chinese browser shows them: no English.

    The screenshots (in the test's tmp_path) are what someone checks by eye: Chinese renders.
    """
    firm = re.search(r"firm:\n  name: (.+)", (live.root / "clients.yaml").read_text("utf-8"))
    assert firm
    seen: dict[str, tuple[str, str]] = {}
    with _browser(tmp_path, "--lang=zh-CN") as driver:
        agent = driver.execute_script("return navigator.userAgent")
        driver.execute_cdp_cmd(
            "Emulation.setUserAgentOverride",
            {"userAgent": agent, "acceptLanguage": "zh-CN,zh;q=0.9"},
        )

        def look(name: str) -> None:
            driver.save_screenshot(str(tmp_path / f"{name}.png"))
            body = driver.find_element(By.TAG_NAME, "body").text
            seen[name] = (driver.find_element(By.TAG_NAME, "h1").text, body)

        driver.get(f"{live.url}/login")
        driver.find_element(By.NAME, "email").send_keys("nobody@nowhere.example")
        driver.find_element(By.NAME, "password").send_keys("wrong")
        driver.find_element(By.CSS_SELECTOR, "form.login button").click()
        WebDriverWait(driver, 30).until(
            expected_conditions.presence_of_element_located((By.CSS_SELECTOR, "p.message"))
        )
        look("login-error")
        _post_from_page(driver, "/")
        look("401")
        _log_in(driver, live, CLIENT_EMAIL)
        driver.get(f"{live.url}/board")  # the staff's month board
        look("404")
        _post_from_page(driver, "/c/huamei/")
        look("405")
    languages = "English"  # the login page's switch names the other language in itself
    for name, (heading, body) in seen.items():
        text = body.replace(firm.group(1), " ").replace("nobody@nowhere.example", " ")
        text = text.replace(languages, " ")
        assert re.search(r"[\u4e00-\u9fff]", heading), (name, heading)
        assert re.findall(r"[A-Za-z]{3,}", text) == [], (name, body)
    assert seen["401"][0] == "401 未登录"
    assert seen["404"][0] == "404 未找到"
    assert seen["405"][0] == "405 不允许的操作"
    assert "邮箱或密码错误" in seen["login-error"][1]


def test_browser_hides_refused_links_under_a_filter_too(live: Live, tmp_path: Path) -> None:
    """Fava's sidebar links carry the page's filters (`.../editor/?time=2025`): still hidden."""
    hidden = ("editor", "import", "query", "errors", "help", "options", "statistics", "holdings")
    with _browser(tmp_path) as driver:
        _log_in(driver, live, CLIENT_EMAIL)
        driver.get(f"{live.url}/c/huamei/")
        WebDriverWait(driver, 120).until(expected_conditions.url_contains("income_statement"))
        driver.get(driver.current_url.split("?")[0] + "?time=2025")
        WebDriverWait(driver, 60).until(
            expected_conditions.presence_of_element_located((By.CSS_SELECTOR, "aside a"))
        )
        links = driver.find_elements(By.CSS_SELECTOR, "aside a")
        shown = [a.get_attribute("href") or "" for a in links if a.is_displayed()]
    assert any("time=2025" in href for href in shown), shown  # the links carry the filter
    assert [h for h in shown if any(f"/{page}/" in h for page in hidden)] == [], shown


def _rect(driver: webdriver.Chrome, selector: str) -> dict[str, float]:
    found = driver.execute_script(
        "return document.querySelector(arguments[0]).getBoundingClientRect().toJSON()", selector
    )
    assert isinstance(found, dict), selector
    return found


def test_browser_statement_of_account_has_margins_and_its_footer_at_the_foot(
    tmp_path: Path,
) -> None:
    """The HTML statement a client downloads, on screen and as the browser prints it."""
    html = tmp_path / "statement.html"
    made = run_beanfirm(
        "statement",
        "dongsheng-trading",
        "--customer",
        "华联超市",
        "--from",
        "2026-09-01",
        "--to",
        "2026-10-31",
        "--format",
        "html",
        "-o",
        str(html),
        cwd=DEMO,
    )
    assert made.code == 0, made.err
    with _browser(tmp_path) as driver:
        driver.get(html.as_uri())
        driver.save_screenshot(str(tmp_path / "statement-screen.png"))
        table, footer, body = (_rect(driver, s) for s in ("table.lines", ".preparer", "body"))
        driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
        printed = driver.execute_script(
            "const s = getComputedStyle(document.querySelector('.preparer'));"
            "return [s.position, s.bottom];"
        )
        pdf = driver.execute_cdp_cmd("Page.printToPDF", {"preferCSSPageSize": True})
    shutil.copy(tmp_path / "statement-screen.png", tmp_path / "last.png")
    assert footer["top"] > table["bottom"]  # the footer under the statement, not over it
    assert body["left"] >= 40  # margins
    assert printed == ["fixed", "0px"]  # printed: at the foot of each page
    assert len(pdf["data"]) > 1000


def test_browser_financial_statements_have_print_margins(tmp_path: Path) -> None:
    html = tmp_path / "financials.html"
    made = run_beanfirm(
        "financials",
        "dongsheng-trading",
        "--period",
        "2026-10",
        "--format",
        "html",
        "-o",
        str(html),
        cwd=DEMO,
    )
    assert made.code == 0, made.err
    with _browser(tmp_path) as driver:
        driver.get(html.as_uri())
        driver.save_screenshot(str(tmp_path / "financials-screen.png"))
        body = _rect(driver, "body")
        signatures = _rect(driver, ".signatures")
        table = _rect(driver, "table.statement")
        driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
        breaks = driver.execute_script(
            "return getComputedStyle(document.querySelector('section')).breakAfter"
        )
    shutil.copy(tmp_path / "financials-screen.png", tmp_path / "last.png")
    assert body["left"] >= 40
    assert signatures["top"] > table["bottom"]  # signed under the form
    assert breaks == "page"  # printed: one statement a page


ICBC = "Assets:1002-银行存款:工商银行"


def _icbc_export(root: Path) -> str:
    """huamei's February ICBC export, its balances following on from what the books hold.

    Other tests of this module book entries in huamei's books, so the opening balance is read
    from the ledger as it is now.
    """
    books = load_ledger(root / "ledgers/huamei/main.beancount")
    opening = sum(
        (
            posting.units.number or Decimal(0) if posting.units else Decimal(0)
            for entry in books.entries
            if isinstance(entry, data.Transaction) and entry.date < datetime.date(2025, 2, 1)
            for posting in entry.postings
            if posting.account == ICBC
        ),
        Decimal(0),
    )
    return (
        '明细查询文件下载\n\n卡号: 6222001,"卡别名: 基本户"\n\n'
        "交易日期,摘要,交易详情,交易场所,交易国家或地区简称,钞/汇,交易金额(收入),交易金额(支出),"
        "交易币种,记账金额(收入),记账金额(支出),记账币种,余额,对方户名,对方账户\n"
        f"2025-02-02,消费,,便利店,CHN,钞,-,-,-,,10.00,人民币,{opening - 20:.2f},供应商2,\n"
        f"2025-02-01,消费,,便利店,CHN,钞,-,-,-,,10.00,人民币,{opening - 10:.2f},供应商1,\n"
    )


# A file dropped on the page's drop zone, as a browser hands it to the page's script.
DROP_SCRIPT = """
const data = new DataTransfer();
data.items.add(new File([new Uint8Array([137, 80, 78, 71, 13, 10, 26, 10, 0, 0])],
                        "出租车发票.png", {type: "image/png"}));
const zone = document.getElementById("dropzone");
zone.dispatchEvent(new DragEvent("drop", {dataTransfer: data, bubbles: true, cancelable: true}));
"""


def test_browser_uploads_an_export_and_drops_a_receipt(live: Live, tmp_path: Path) -> None:
    """资料收集: the client sees the request, sends the statement, drops a receipt on the page."""
    requests = live.root / "ledgers" / "huamei" / "requests.yaml"
    requests.write_text(
        "- id: 1\n  title: 11月工商银行对账单\n  due: 2099-12-10\n  opened-by: bo\n"
        "  opened-at: 2026-12-01\n",
        encoding="utf-8",
    )
    commit_all(live.root, "The firm asks huamei for its November ICBC statement")
    export = tmp_path / "工商银行11月.csv"
    export.write_text(_icbc_export(live.root), encoding="utf-8")
    inbox = live.root / "ledgers" / "huamei" / "inbox"
    with _browser(tmp_path, "--lang=zh-CN") as driver:
        _log_in(driver, live, CLIENT_EMAIL)  # the home page: what the firm waits for, the link
        home = driver.find_element(By.TAG_NAME, "main").text
        driver.find_element(By.CSS_SELECTOR, "a.upload").click()
        WebDriverWait(driver, 30).until(expected_conditions.url_contains("/c/huamei/upload"))
        page = driver.find_element(By.TAG_NAME, "body").text
        driver.find_element(By.ID, "files").send_keys(str(export))
        driver.find_element(By.CSS_SELECTOR, "select[name=request] option[value='1']").click()
        driver.find_element(By.CSS_SELECTOR, "form.upload button").click()
        _after_post(driver).until(
            expected_conditions.presence_of_element_located((By.CSS_SELECTOR, ".results"))
        )
        sent = driver.find_element(By.CSS_SELECTOR, ".results").text
        driver.execute_script(DROP_SCRIPT)
        chosen = driver.find_element(By.ID, "chosen").text
        driver.find_element(By.CSS_SELECTOR, "form.upload button").click()
        _after_post(driver).until(
            expected_conditions.text_to_be_present_in_element(
                (By.CSS_SELECTOR, ".results"), "出租车发票.png"
            )
        )
        dropped = driver.find_element(By.CSS_SELECTOR, ".results").text
        screenshot = tmp_path / "upload-zh.png"
        driver.save_screenshot(str(screenshot))
        violations = driver.execute_script("return window.__csp")
        logs = driver.get_log("browser")  # type: ignore[no-untyped-call]
    shutil.copy(screenshot, tmp_path / "last.png")
    assert "11月工商银行对账单" in home
    assert "11月工商银行对账单" in page
    assert "事务所需要您提供的资料" in page
    latin = set(re.findall(r"[A-Za-z]{2,}", page)) - {
        "beanfirm",
        "PDF",
        "MB",
        "boss",
        "huamei",
        "example",
        "Test",
        "Firm",
    }
    assert latin == set(), latin  # no English left on the Chinese page
    assert "已收到：工商银行11月.csv" in sent  # noqa: RUF001 - the Chinese page's colon
    assert chosen == "出租车发票.png"
    assert "已收到：出租车发票.png" in dropped  # noqa: RUF001 - the Chinese page's colon
    exports = [p.name for p in inbox.iterdir() if p.is_file() and not p.name.startswith(".")]
    assert len(exports) == 1
    assert exports[0].endswith("-工商银行11月.csv")
    receipts = [p.name for p in (inbox / "documents").iterdir()]
    assert len(receipts) == 1
    assert receipts[0].endswith("-出租车发票.png")
    assert violations == [], violations
    problems = [entry for entry in logs if entry["level"] in {"SEVERE", "WARNING"}]
    assert problems == [], problems
    # The preparer takes the export from the inbox; the receipt waits for its entry.
    imported = _beanfirm(live.root, "--as", "bo", "import", "--inbox", "huamei", "--opening")
    assert imported.returncode == 0, imported.stderr
    assert not [p for p in inbox.iterdir() if p.is_file() and not p.name.startswith(".")]
