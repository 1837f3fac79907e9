"""The month board, `beanfirm status --period`: each client's month through the pipeline."""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from approval_support import approve
from cli_support import assert_user_error, commit_all, snapshot
from conftest import STAFF_ENV, run_beanfirm
from month_support import ADD_HUAMEI, BANK, FIRST, LAST, append_to_month
from portal_support import ANA_USER, CY_USER, HUAMEI_USER, add_users, build_practice, login
from werkzeug.test import Client

from beanfirm.firm.board import due_day
from beanfirm.firm.summary import months_of
from beanfirm.monthend.checklist import covered_accounts, is_open
from beanfirm.monthend.closing import month_of, parse_period
from beanfirm.portal.audit import recent
from beanfirm.portal.gateway import make_app
from beanfirm.portal.site import Portal, PortalSettings
from beanfirm.store.ledger import load_ledger

if TYPE_CHECKING:
    from collections.abc import Iterator

DEADLINES = "  deadlines: {close: 10, statements: 15}\n"


def _registry(folder: Path, old: str, new: str) -> None:
    path = folder / "clients.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture
def books(practice: Path) -> Path:
    """huamei from FIRST's start: FIRST booked (one entry flagged `!`) and reconciled.

    The flagged entry is past the plugin's grace period: an error of the ledger as well.
    """
    assert run_beanfirm(*ADD_HUAMEI, cwd=practice, env=STAFF_ENV).code == 0
    _registry(practice, "clients:", DEADLINES + "clients:")
    sale = FIRST.start + datetime.timedelta(days=2)
    append_to_month(
        practice,
        "huamei",
        sale,
        f'{sale} ! "客户" "sale"\n  {BANK}  1000.00 CNY\n  Income:5001-主营业务收入  -1000.00 CNY\n',
    )
    append_to_month(practice, "huamei", LAST.start, f"{LAST.start} balance {BANK}  1000.00 CNY\n")
    commit_all(practice, "FIRST booked and reconciled")
    return practice


def board(folder: Path, period: str, *args: str, code: int = 0) -> list[dict[str, Any]]:
    result = run_beanfirm("status", "--period", period, "--json", *args, cwd=folder)
    assert result.code == code, result.err
    rows: list[dict[str, Any]] = json.loads(result.out)
    return rows


def test_the_board_follows_a_month_through_the_pipeline(books: Path) -> None:
    folder = books
    [row] = board(folder, FIRST.label, code=1)  # exits 1: the ledger has an error
    assert row["client"] == "huamei"
    assert row["errors"] == 1
    assert row["period"] == FIRST.label
    assert row["received"] == {
        "done": True, "found": "1 registered accounts have the month", "todo": ""
    }  # fmt: skip
    month = f"ledgers/huamei/journal/{FIRST.start:%Y}/{FIRST.start:%m}.beancount"
    assert row["booked"]["done"] is False
    assert row["booked"]["found"] == (
        f"1 entry of {FIRST.label} uncategorized or flagged `!`, the first at {month}:3"
    )
    assert row["reconciled"]["done"] is True
    assert row["approved"] == {
        "done": False,
        "found": "it has never been approved",
        "todo": "have a reviewer approve it (`beanfirm review`, `beanfirm approve huamei`)",
    }
    assert row["closed"]["done"] is False
    assert row["closed"]["found"] == f"{FIRST.label} is open: never locked"
    assert row["issued"]["done"] is False
    assert (
        row["issued"]["todo"]
        == f"the close files them (`beanfirm close huamei --period {FIRST.label}`)"
    )
    close_day, statements_day = due_day(FIRST, 10), due_day(FIRST, 15)
    assert row["deadlines"] == {
        "close": {"day": str(close_day), "met": False, "overdue": True},
        "statements": {"day": str(statements_day), "met": False, "overdue": True},
    }
    assert row["overdue"] is True
    # The table says the same, the deadlines past in words.
    result = run_beanfirm("status", "--period", FIRST.label, cwd=folder)
    assert result.code == 1, result.err
    line = next(line for line in result.out.splitlines() if "huamei" in line)
    assert line.split("│")[5:13] == [
        " yes      ", " no     ", " yes        ", " no       ", " no     ", " no     ",
        f" {close_day} overdue ", f" {statements_day} overdue ",
    ]  # fmt: skip

    # Booked and approved, then closed: the close's own commit needs no approval.
    path = folder / month
    path.write_text(path.read_text(encoding="utf-8").replace(" ! ", " * "), encoding="utf-8")
    commit_all(folder, "The sale checked")
    approve(folder, "huamei")
    [row] = board(folder, FIRST.label)
    assert [row[stage]["done"] for stage in ("received", "booked", "reconciled", "approved")] == [
        True, True, True, True,
    ]  # fmt: skip
    closed = run_beanfirm("close", "huamei", "--period", FIRST.label, "--as", "ana", cwd=folder)
    assert closed.code == 0, closed.err
    [row] = board(folder, FIRST.label)
    assert row["approved"] == {
        "done": True, "found": f"{FIRST.label} closed: approved before", "todo": ""
    }  # fmt: skip
    assert row["closed"] == {"done": True, "found": f"locked through {FIRST.end}", "todo": ""}
    assert row["deadlines"]["close"] == {"day": str(close_day), "met": True, "overdue": False}
    # The close files the month's statements in its own commit: issued with the close.
    assert row["deadlines"]["statements"] == {
        "day": str(statements_day), "met": True, "overdue": False
    }  # fmt: skip
    assert row["issued"]["done"] is True
    assert row["issued"]["found"] == (
        f"4 files in ledgers/huamei/documents/closing/{FIRST.label}: close-report.md, "
        f"财务报表-{FIRST.label}.json, 财务报表-{FIRST.label}.pdf, 财务报表-{FIRST.label}.xlsx"
    )
    assert row["overdue"] is False
    assert board(folder, FIRST.label, "--overdue") == []
    # The next month: its export has not come, nothing of it is done.
    [row] = board(folder, LAST.label)
    assert row["received"]["done"] is False  # the assertion on LAST's 1st closes FIRST
    assert row["closed"]["found"] == f"{LAST.label} is open: locked through {FIRST.end} only"


def test_a_month_locked_without_a_close_is_issued_by_financials(books: Path) -> None:
    # The board said to close a month that a lock had closed, and the close refused it.
    folder = books
    path = folder / f"ledgers/huamei/journal/{FIRST.start:%Y}/{FIRST.start:%m}.beancount"
    path.write_text(path.read_text(encoding="utf-8").replace(" ! ", " * "), encoding="utf-8")
    commit_all(folder, "The sale checked")
    approve(folder, "huamei")
    locked = run_beanfirm("lock", "huamei", "--through", FIRST.label, "--as", "ana", cwd=folder)
    assert locked.code == 0, locked.err
    [row] = board(folder, FIRST.label)
    assert row["closed"]["done"] is True
    assert row["issued"]["done"] is False
    assert row["issued"]["todo"] == (
        "the month is closed (a later close or lock took it) without them: commit its "
        f"statements there (`beanfirm financials huamei --period {FIRST.label}`)"
    )


def test_overdue_keeps_the_clients_past_a_deadline(books: Path) -> None:
    assert [r["client"] for r in board(books, FIRST.label, "--overdue", code=1)] == ["huamei"]
    # A month whose deadlines are still to come: nobody is late yet.
    quiet = run_beanfirm("status", "--period", "2999-01", "--overdue", cwd=books)
    assert quiet.out == "No client shown is past a deadline for 2999-01.\n"


def test_an_export_in_the_inbox_is_received_not_imported(books: Path) -> None:
    folder = books
    [row] = board(folder, LAST.label, code=1)
    assert row["received"]["done"] is False
    assert row["received"]["found"] == f"no entry and no balance assertion in {LAST.label}: {BANK}"
    inbox = folder / "ledgers/huamei/inbox"
    inbox.mkdir()
    (inbox / "icbc.csv").write_text("交易日期,金额\n", encoding="utf-8")
    (inbox / ".DS_Store").write_text("", encoding="utf-8")
    [row] = board(folder, LAST.label, code=1)
    assert row["inbox"] == 1
    assert row["received"]["found"].endswith("; 1 file in the inbox: received, not imported")
    assert row["received"]["todo"] == "import them (`beanfirm import huamei --inbox`)"
    result = run_beanfirm("status", "--period", LAST.label, cwd=folder)
    assert " inbox 1 " in result.out


def test_a_clients_own_deadline_overrides_the_firms(books: Path) -> None:
    folder = books
    _registry(folder, "    currency: CNY\n", "    currency: CNY\n    deadlines:\n      close: 31\n")
    [row] = board(folder, FIRST.label, code=1)
    assert row["deadlines"]["close"]["day"] == str(LAST.end)  # 31: the month's last day
    assert row["deadlines"]["statements"]["day"] == str(due_day(FIRST, 15))  # the firm's
    shown = run_beanfirm("clients", "show", "huamei", "--json", cwd=folder)
    assert json.loads(shown.out)["deadlines"] == {"close": 31}


def test_a_client_without_deadlines_has_none(practice: Path) -> None:
    add = (
        "clients", "add", "huamei", "--name", "华美便利店", "--industry", "retail",
        "--frequency", "high", "--region", "shanghai", "--size", "micro",
        "--preparer", "bo", "--reviewer", "ana", "--opened", str(FIRST.start),
    )  # fmt: skip
    assert run_beanfirm(*add, cwd=practice, env=STAFF_ENV).code == 0
    [row] = board(practice, FIRST.label)
    assert row["deadlines"] == {}
    assert row["overdue"] is False
    assert row["received"]["found"] == "0 registered accounts have the month"


@pytest.mark.parametrize(
    ("deadlines", "needle"),
    [
        ("{close: 0}", "the close deadline of the firm is '0'; it must be a day of the month"),
        ("{close: 10th}", "the close deadline of the firm is '10th'"),
        ("{statement: 15}", "unknown key 'statement' in the deadlines of the firm. Did you mean"),
        ("{close: [10]}", "the close deadline of the firm must be a single value"),
    ],
)
def test_a_bad_deadline_is_refused_with_its_line(books: Path, deadlines: str, needle: str) -> None:
    folder = books
    _registry(folder, DEADLINES, f"  deadlines: {deadlines}\n")
    before = snapshot(folder)
    result = run_beanfirm("status", "--period", FIRST.label, cwd=folder)
    assert_user_error(result, 2, "clients.yaml:", needle)
    assert snapshot(folder) == before


def test_a_bad_period_is_refused(books: Path) -> None:
    result = run_beanfirm("status", "--period", "2026-13", cwd=books)
    assert_user_error(result, 2, "--period '2026-13' is not a month: give it as YYYY-MM")


def test_the_board_takes_the_status_filters(books: Path) -> None:
    assert board(books, FIRST.label, "--preparer", "ana") == []
    shown = board(books, FIRST.label, "--preparer", "bo", code=1)
    assert [row["client"] for row in shown] == ["huamei"]


MONTHS_LEDGER = """
option "operating_currency" "CNY"
2025-01-01 open Assets:Bank
2025-01-01 open Assets:Card
2025-01-01 open Liabilities:Loan
2025-01-01 open Expenses:Uncategorized
2025-01-01 open Expenses:Rent
2025-01-05 * "rent"
  Assets:Bank  -10.00 CNY
  Expenses:Rent
2025-01-20 ! "unchecked"
  Assets:Card  -5.00 CNY
  Expenses:Rent
2025-02-01 balance Assets:Bank  -10.00 CNY
2025-02-02 balance Assets:Card  -5.00 CNY
2025-02-09 * "phone"
  Liabilities:Loan  -3.00 CNY
  Expenses:Uncategorized
2025-03-01 balance Liabilities:Loan  -3.00 CNY
"""


def test_the_cached_months_say_what_the_checklist_reads(tmp_path: Path) -> None:
    """The board's months (kept in the check cache) agree with the close's own reading."""
    main = tmp_path / "main.beancount"
    main.write_text(MONTHS_LEDGER, encoding="utf-8")
    ledger = load_ledger(main)
    months = months_of(ledger, tmp_path)
    assert sorted(months) == ["2025-01", "2025-02"]
    for label, activity in months.items():
        period = parse_period(label)
        covered = covered_accounts(ledger.entries, period)
        assert activity.covered == {a for a in covered if a.startswith(("Assets:", "Liabilities:"))}
        in_month = [e for e in ledger.entries if is_open(e) and month_of(e.date) == period]
        assert activity.open_count == len(in_month)
    assert months["2025-01"].covered == {"Assets:Bank", "Assets:Card"}  # Bank by its 02-01 balance
    assert months["2025-02"].covered == {"Assets:Card", "Liabilities:Loan"}
    assert months["2025-01"].first_open == "main.beancount:11"
    assert months["2025-02"].first_open == "main.beancount:16"


@pytest.mark.parametrize(
    ("period", "day", "due"),
    [
        ("2026-10", 10, "2026-11-10"),
        ("2026-01", 31, "2026-02-28"),
        ("2028-01", 30, "2028-02-29"),
        ("2026-12", 15, "2027-01-15"),
    ],
)
def test_a_deadline_is_a_day_of_the_following_month(period: str, day: int, due: str) -> None:
    assert str(due_day(parse_period(period), day)) == due


# -- the staff portal's board -----------------------------------------------------------------

NASTY_NAME = "<script>alert(1)</script> & Co"


@pytest.fixture(scope="module")
def portal_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Portal, object]]:
    """The portal of a practice whose jinma is named with HTML, with its users."""
    root = build_practice(tmp_path_factory.mktemp("board") / "practice")
    registry = root / "clients.yaml"
    text = registry.read_text(encoding="utf-8").replace("金马批发有限公司", f"'{NASTY_NAME}'")
    text = text.replace("\nclients:", "\n" + DEADLINES + "clients:", 1)
    registry.write_text(text, encoding="utf-8")
    commit_all(root, "jinma's name, the firm's deadlines")
    site = Portal(root, PortalSettings(state_dir=root / ".beanfirm"))
    add_users(site)
    yield site, make_app(site)
    site.close()


def _browser(app: object, email: str) -> Client:
    browser = Client(app)  # type: ignore[arg-type]
    assert login(browser, email).status_code == 303
    return browser


def test_staff_see_the_board_of_their_clients(portal_app: tuple[Portal, object]) -> None:
    portal, app = portal_app
    response = _browser(app, ANA_USER).get("/board?period=2025-01")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert all(f"/c/{cid}/" in html for cid in ("huamei", "northwind", "jinma"))
    assert "2025-02-10 overdue" in html
    assert '<input type="month" name="period" value="2025-01" required>' in html
    # The data of the practice is printed as data: a client's name is text, never markup.
    assert NASTY_NAME not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co" in html
    # A reviewer sees the clients they review, filters apply as on the dashboard.
    reviewer = _browser(app, CY_USER).get("/board?period=2025-01").get_data(as_text=True)
    assert "/c/jinma/" in reviewer
    assert "/c/huamei/" not in reviewer
    retail = _browser(app, ANA_USER).get("/board?period=2025-01&industry=retail")
    assert "/c/northwind/" not in retail.get_data(as_text=True)
    assert any(
        e.event == "view" and e.path == "/board?period=2025-01"
        for e in recent(portal.store, email=ANA_USER, limit=100)
    )


def test_a_client_user_gets_no_board(portal_app: tuple[Portal, object]) -> None:
    _portal, app = portal_app
    owner = _browser(app, HUAMEI_USER)
    for url in ("/board", "/board?period=2025-01", "/board?period=2025-01&industry=retail"):
        response = owner.get(url)
        assert response.status_code == 404
        html = response.get_data(as_text=True)
        assert "jinma" not in html
        assert "northwind" not in html
    anonymous = Client(app)  # type: ignore[arg-type]
    assert anonymous.get("/board?period=2025-01").headers["Location"] == "/login"


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH"])
def test_the_board_takes_no_write(portal_app: tuple[Portal, object], method: str) -> None:
    _portal, app = portal_app
    response = _browser(app, ANA_USER).open("/board?period=2025-01", method=method)
    assert response.status_code in {400, 405}


@pytest.mark.parametrize(
    "period",
    ["2025-13", "../../etc", "2025-1", "<b>2025-01</b>", "2025-01-01", "9" * 5000, "%00"],
)
def test_a_crafted_period_is_refused(portal_app: tuple[Portal, object], period: str) -> None:
    _portal, app = portal_app
    response = _browser(app, ANA_USER).get("/board", query_string={"period": period})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "is not a month: give it as YYYY-MM" in html
    assert "<b>2025-01</b>" not in html


def test_a_closed_month_changed_by_a_commit_not_approved_is_no_longer_closed(
    books: Path,
) -> None:
    folder = books
    month = f"ledgers/huamei/journal/{FIRST.start:%Y}/{FIRST.start:%m}.beancount"
    path = folder / month
    path.write_text(path.read_text(encoding="utf-8").replace(" ! ", " * "), encoding="utf-8")
    commit_all(folder, "The sale checked")
    approve(folder, "huamei")
    closed = run_beanfirm("close", "huamei", "--period", FIRST.label, "--as", "ana", cwd=folder)
    assert closed.code == 0, closed.err
    # the sealed month edited by hand and committed with plain git, never approved
    path.write_text(
        path.read_text(encoding="utf-8").replace('"sale"', '"a sale"'), encoding="utf-8"
    )
    commit_all(folder, "A word changed")
    [row] = board(folder, FIRST.label, code=1)
    assert row["closed"]["done"] is False
    assert row["closed"]["found"].startswith(f"{FIRST.label} was closed, but its seal is broken")
    assert row["approved"]["done"] is False
    assert "changed after its close" in row["approved"]["found"]
    assert row["deadlines"]["close"]["met"] is False
