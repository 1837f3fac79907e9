"""`beanfirm close` end to end: the checklist, one commit of closing entries and lock, refusals."""

from __future__ import annotations

import datetime
import hashlib
import json
from collections.abc import Iterable
from pathlib import Path

import pytest
from approval_support import approve
from beancount import loader
from beancount.core import data
from cli_support import commit_all, snapshot
from conftest import STAFF_ENV, git, run_beanfirm
from month_support import ADD_HUAMEI, BANK, FIRST, LAST, append_to_month, close

from beanfirm.cli.context import author_of
from beanfirm.errors import Problem
from beanfirm.jobs.closing import close_all
from beanfirm.monthend.closing import month_of
from beanfirm.store import registry
from beanfirm.store.gitrepo import PracticeRepo
from beanfirm.store.practice import open_practice

# The two months before the current one: the tests close real past months, so that the
# `reconciled` plugin (which counts to today) sees them reconciled.
LOCKS = "ledgers/huamei/locks.beancount"


def _sale(day: datetime.date, amount: str) -> str:
    return (
        f'{day} * "客户" "sale"\n'
        f"  {BANK}  {amount} CNY\n"
        f"  Income:5001-主营业务收入  -{amount} CNY\n"
    )


def _rent(day: datetime.date) -> str:
    return f'{day} * "房东" "rent"\n  {BANK}  -300.00 CNY\n  Expenses:5602-管理费用:办公费  300.00 CNY\n'


def _taxi(day: datetime.date) -> str:
    return (
        f'{day} * "出租车" "taxi"\n'
        "  Assets:1001-库存现金  -10.00 CNY\n"
        "  Expenses:5601-销售费用:差旅费  10.00 CNY\n"
    )


def _balance(day: datetime.date, amount: str) -> str:
    return f"{day} balance {BANK}  {amount} CNY\n"


@pytest.fixture
def books(practice: Path) -> Path:
    """huamei, opened at FIRST's start: both months booked and reconciled, all approved."""
    result = run_beanfirm(*ADD_HUAMEI, cwd=practice, env=STAFF_ENV)
    assert result.code == 0, result.err
    append_to_month(
        practice, "huamei", FIRST.start, _sale(FIRST.start + datetime.timedelta(days=2), "1000.00")
    )
    append_to_month(
        practice, "huamei", FIRST.start, _rent(FIRST.start + datetime.timedelta(days=4))
    )
    append_to_month(practice, "huamei", LAST.start, _balance(LAST.start, "700.00"))
    append_to_month(
        practice, "huamei", LAST.start, _sale(LAST.start + datetime.timedelta(days=3), "500.00")
    )
    append_to_month(
        practice, "huamei", LAST.end, _balance(LAST.end + datetime.timedelta(days=1), "1200.00")
    )
    commit_all(practice, "Two months booked and reconciled")
    assert run_beanfirm("check", "huamei", cwd=practice).code == 0
    approve(practice, "huamei")
    return practice


def test_a_close_books_the_closing_entry_and_the_lock_in_one_commit(books: Path) -> None:
    folder = books
    before = snapshot(folder)
    code, out, err = close(folder, "huamei", "--period", FIRST.label, "-n")
    assert code == 0, err
    assert "  ok   approved: every change is approved" in out
    assert f'{FIRST.end} * "结转损益 {FIRST.label}" #closing' in out
    assert "Dry run: nothing was written." in out
    assert snapshot(folder) == before
    code, out, err = close(folder, "huamei", "--period", FIRST.label)
    assert code == 0, err
    assert f"Closed huamei for {FIRST.label}. Commit " in out
    month = f"ledgers/huamei/journal/{FIRST.start:%Y}/{FIRST.start:%m}.beancount"
    filed = f"ledgers/huamei/documents/closing/{FIRST.label}"
    committed = git(
        folder, "-c", "core.quotePath=false", "show", "--name-only", "--format=", "HEAD"
    )
    stem = f"{filed}/财务报表-{FIRST.label}"
    assert sorted(committed.split()) == [
        f"{filed}/close-report.md",
        f"{stem}.json",
        f"{stem}.pdf",
        f"{stem}.xlsx",
        month,
        LOCKS,
    ]
    assert (folder / f"{stem}.pdf").read_bytes().startswith(b"%PDF")
    # the statements were computed with the closing entry booked: 本年利润 holds the profit
    filed_json = json.loads((folder / f"{stem}.json").read_text(encoding="utf-8"))
    assert filed_json["period"] == FIRST.label
    report = (folder / f"{filed}/close-report.md").read_text(encoding="utf-8")
    assert "- closed by: Ana Partner (ana)" in report
    assert "- [x] approved: every change is approved" in report
    for suffix in ("json", "pdf", "xlsx"):
        digest = hashlib.sha256((folder / f"{stem}.{suffix}").read_bytes()).hexdigest()
        assert f"| 财务报表-{FIRST.label}.{suffix} | `{digest}` |" in report
    seal = (folder / LOCKS).read_text(encoding="utf-8").split('"beanfirm-lock" "')[1][:71]
    assert f"seal `{seal}`" in report
    # Beancount's documents plugin makes no `document` entry of the filed files
    entries, _errors, options = loader.load_file(str(folder / "ledgers/huamei/main.beancount"))
    assert options["documents"] == ["documents"]
    assert not [entry for entry in entries if isinstance(entry, data.Document)]
    assert git(folder, "log", "-1", "--format=%an|%s").strip() == (
        f"Ana Partner|Close huamei for {FIRST.label}"
    )
    text = (folder / month).read_text(encoding="utf-8")
    closing = text[text.index(f'{FIRST.end} * "结转损益') :]
    assert "  Expenses:5602-管理费用:办公费" in closing
    assert "-300.00 CNY" in closing
    assert "  Equity:3103-本年利润" in closing
    assert "-700.00 CNY" in closing
    assert f'{FIRST.end} custom "beanfirm-lock"' in (folder / LOCKS).read_text(encoding="utf-8")
    # the books check clean with the lock sealing the closing entry
    assert run_beanfirm("check", "huamei", cwd=folder).code == 0
    # closing it again is refused, nothing written
    before = snapshot(folder)
    code, out, err = close(folder, "huamei", "--period", FIRST.label)
    assert code == 2, (out, err)
    assert f"Refusing to close huamei for {FIRST.label}: not closed yet: " in err
    assert "FAIL not closed yet" in out
    assert snapshot(folder) == before


def test_a_month_reopened_and_closed_again_moves_nothing_twice(books: Path) -> None:
    """A partner reopens a closed month; its second close books no second 结转损益."""
    folder = books
    assert close(folder, "huamei", "--period", FIRST.label)[0] == 0
    reopen = ("reopen", "huamei", "--through", FIRST.label, "--reason", "a late bill")
    assert run_beanfirm(*reopen, "--as", "ana", cwd=folder).code == 0
    month = folder / f"ledgers/huamei/journal/{FIRST.start:%Y}/{FIRST.start:%m}.beancount"
    approve(folder, "huamei")
    code, out, err = close(folder, "huamei", "--period", FIRST.label)
    assert code == 0, err
    assert "No closing entries: nothing to move this month." in out
    assert month.read_text(encoding="utf-8").count(f'"结转损益 {FIRST.label}"') == 1
    assert run_beanfirm("check", "huamei", cwd=folder).code == 0


def test_a_close_waits_for_the_approval_of_every_change(books: Path) -> None:
    folder = books
    append_to_month(folder, "huamei", FIRST.start, _taxi(FIRST.start + datetime.timedelta(days=9)))
    commit_all(folder, "A taxi, not approved")
    before = snapshot(folder)
    code, _out, err = close(folder, "huamei", "--period", FIRST.label)
    assert code == 2
    assert "approved: 1 commit since its latest approval changed it. To do: have a reviewer" in err
    assert snapshot(folder) == before


def test_a_close_waits_for_the_previous_month(books: Path) -> None:
    folder = books
    mid = FIRST.start + datetime.timedelta(days=14)
    result = run_beanfirm("lock", "huamei", "--through", str(mid), "--as", "ana", cwd=folder)
    assert result.code == 0, result.err
    approve(folder, "huamei")
    before = snapshot(folder)
    code, _out, err = close(folder, "huamei", "--period", LAST.label)
    assert code == 2
    assert (
        f"previous month closed: {FIRST.label} is open: the books are locked through {mid} only"
        in err
    )
    assert f"beanfirm close huamei --period {FIRST.label}" in err
    assert snapshot(folder) == before


def test_a_close_waits_for_reconciliation(books: Path) -> None:
    folder = books
    path = folder / f"ledgers/huamei/journal/{LAST.end:%Y}/{LAST.end:%m}.beancount"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace(_balance(LAST.end + datetime.timedelta(days=1), "1200.00"), ""))
    commit_all(folder, "The statement of the last month not in yet")
    approve(folder, "huamei")
    before = snapshot(folder)
    code, out, err = close(folder, "huamei", "--period", LAST.label)
    assert code == 2
    assert f"FAIL reconciled: not reconciled through the month's end: {BANK} (through " in out
    assert f", due {LAST.end})" in out
    assert "Refusing to close huamei" in err
    assert snapshot(folder) == before


def _rows(out: str) -> dict[str, tuple[str, str]]:
    """Read `close --all`'s table: each client's result and the first line of its detail."""
    rows = {}
    for line in out.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("│").split("│")]
        if line.startswith("│") and cells[0]:
            rows[cells[0]] = (cells[1], cells[2])
    return rows


def _add_northwind(folder: Path) -> None:
    """Add an English client (en-simple chart): it closes its income only at year end."""
    add = (
        "clients", "add", "northwind", "--name", "Northwind", "--industry", "consulting",
        "--language", "en",
        "--frequency", "low", "--region", "beijing", "--size", "small",
        "--preparer", "bo", "--reviewer", "ana", "--opened", str(FIRST.start),
    )  # fmt: skip
    assert run_beanfirm(*add, cwd=folder, env=STAFF_ENV).code == 0


def test_close_all_closes_each_client_in_a_commit_of_its_own_then_skips_them(books: Path) -> None:
    folder = books
    _add_northwind(folder)
    approve(folder, "northwind")
    code, out, err = close(folder, "--all", "--period", FIRST.label, "-j", "2")
    assert code == 0, (out, err)
    rows = _rows(out)
    assert rows["huamei"][0] == rows["northwind"][0] == "closed"
    assert rows["huamei"][1].startswith("1 entry, 4 files")
    english = folder / f"ledgers/northwind/documents/closing/{FIRST.label}"
    assert sorted(path.name for path in english.iterdir()) == [
        "close-report.md",
        *(f"financials-{FIRST.label}.{suffix}" for suffix in ("json", "pdf", "xlsx")),
    ]
    subjects = git(folder, "log", "-2", "--format=%s").splitlines()
    assert sorted(subjects) == [f"Close {cid} for {FIRST.label}" for cid in ("huamei", "northwind")]
    for commit in ("HEAD", "HEAD~1"):
        touched = git(folder, "show", "--name-only", "--format=", commit).split()
        assert len({path.split("/")[1] for path in touched}) == 1, touched  # one client each
    assert run_beanfirm("check", cwd=folder).code == 0
    before = snapshot(folder)
    code, out, err = close(folder, "--all", "--period", FIRST.label)
    assert code == 0, (out, err)
    assert _rows(out) == {
        "huamei": ("skipped", f"closed through {FIRST.end} already"),
        "northwind": ("skipped", f"closed through {FIRST.end} already"),
    }
    assert snapshot(folder) == before


def test_a_preparer_closes_an_approved_month_and_a_second_person_approves_the_close(
    books: Path,
) -> None:
    folder = books
    result = run_beanfirm("close", "huamei", "--period", FIRST.label, "--as", "bo", cwd=folder)
    assert result.code == 0, result.err
    assert git(folder, "log", "-1", "--format=%an|%s").strip() == (
        f"Bo Preparer|Close huamei for {FIRST.label}"
    )
    report = f"ledgers/huamei/documents/closing/{FIRST.label}/close-report.md"
    assert "- closed by: Bo Preparer (bo)" in (folder / report).read_text(encoding="utf-8")
    # The close is a change of its own: the next month cannot close before a reviewer or
    # partner approves it (a preparer may not approve, her own commits least of all).
    nxt = run_beanfirm("close", "huamei", "--period", LAST.label, "--as", "bo", "-n", cwd=folder)
    assert nxt.code == 2
    assert "approved: 1 commit since its latest approval changed it" in nxt.err
    refused = run_beanfirm("approve", "huamei", "--as", "bo", cwd=folder)
    assert refused.code == 1
    assert "bo is a preparer" in refused.err
    assert run_beanfirm("approve", "huamei", "--as", "ana", cwd=folder).code == 0
    nxt = run_beanfirm("close", "huamei", "--period", LAST.label, "--as", "bo", "-n", cwd=folder)
    assert nxt.code == 0, nxt.err


def test_a_preparer_may_not_close_an_unapproved_month(books: Path) -> None:
    folder = books
    append_to_month(folder, "huamei", FIRST.start, _taxi(FIRST.start + datetime.timedelta(days=9)))
    commit_all(folder, "A taxi, not approved")
    before = snapshot(folder)
    result = run_beanfirm("close", "huamei", "--period", FIRST.label, "--as", "bo", cwd=folder)
    assert result.code == 2
    assert "approved: 1 commit since its latest approval changed it" in result.err
    assert snapshot(folder) == before


def test_a_git_ignored_ledger_file_refuses_the_close(books: Path) -> None:
    # The close seals the month: an entry in a file git ignores would be sealed with it.
    folder = books
    (folder / ".git" / "info" / "exclude").write_text("extra*.beancount\n", encoding="utf-8")
    extra = folder / "ledgers" / "huamei" / "journal" / f"{FIRST.start:%Y}" / "extra.beancount"
    extra.write_text(_taxi(FIRST.start + datetime.timedelta(days=9)), encoding="utf-8")
    before = snapshot(folder)
    code, out, err = close(folder, "huamei", "--period", FIRST.label)
    assert code == 2, (out, err)
    assert f"Refusing to close huamei for {FIRST.label}" in err
    assert f"ledgers/huamei/journal/{FIRST.start:%Y}/extra.beancount" in err
    assert snapshot(folder) == before


def test_a_month_must_be_over(books: Path) -> None:
    folder = books
    before = snapshot(folder)
    this_month = month_of(datetime.date.today())  # noqa: DTZ011
    code, _out, err = close(folder, "huamei", "--period", this_month.label)
    assert code == 2
    assert f"Refusing to close huamei for {this_month.label}: the month is not over yet" in err
    code, _out, err = close(folder, "huamei", "--period", "2025-13")
    assert code == 2
    assert "--period '2025-13' is not a month: give it as YYYY-MM" in err
    assert snapshot(folder) == before


def test_close_all_reports_each_refusal_and_stops_at_the_first_with_x(books: Path) -> None:
    folder = books
    _add_northwind(folder)  # never approved
    append_to_month(folder, "huamei", FIRST.start, _taxi(FIRST.start + datetime.timedelta(days=9)))
    commit_all(folder, "A taxi, not approved")
    before = snapshot(folder)
    code, out, err = close(folder, "--all", "--period", FIRST.label, "-x", "-j", "1")
    assert code == 2, (out, err)
    # clients.yaml order: huamei first, refused; -x stops there
    assert _rows(out) == {
        "huamei": ("refused", "approved: 1 commit since its latest approval changed it"),
    }
    code, out, err = close(folder, "--all", "--period", FIRST.label, "-n")
    assert code == 2, (out, err)
    rows = _rows(out)
    assert rows["huamei"][0] == rows["northwind"][0] == "refused"
    assert rows["northwind"][1].startswith("approved: it has never been approved")
    assert snapshot(folder) == before


def _register(life: str) -> str:
    in_service = FIRST.start - datetime.timedelta(days=40)
    return (
        "assets:\n"
        "  FA-001:\n"
        "    name: 收银机\n"
        "    account: Assets:1601-固定资产\n"
        "    cost: 3600.00\n"
        f"    in-service: {in_service}\n"
        "    method: 年限平均法\n"
        f"    life-months: {life}\n"
        "    salvage: 0\n"
        "    depreciation-account: Assets:1602-累计折旧\n"
        "    expense-account: Expenses:5602-管理费用:折旧费\n"
    )


def test_a_close_books_the_months_depreciation_before_it_closes_profit(books: Path) -> None:
    folder = books
    (folder / "ledgers/huamei/fixed-assets.yaml").write_text(_register("36"), encoding="utf-8")
    commit_all(folder, "The fixed-asset register")
    approve(folder, "huamei")
    code, out, err = close(folder, "huamei", "--period", FIRST.label)
    assert code == 0, (out, err)
    month = folder / f"ledgers/huamei/journal/{FIRST.start:%Y}/{FIRST.start:%m}.beancount"
    text = month.read_text(encoding="utf-8")
    accrual = text[text.index("#accrual") :]
    assert "  Expenses:5602-管理费用:折旧费" in accrual
    assert "100.00 CNY" in accrual  # 3,600.00 over 36 months
    # 结转损益 moves the depreciation too: 1,000.00 sale - 300.00 rent - 100.00 depreciation
    closing = text[text.index(f'{FIRST.end} * "结转损益') :]
    assert "  Expenses:5602-管理费用:折旧费" in closing
    assert "-600.00 CNY" in closing
    report = folder / f"ledgers/huamei/documents/closing/{FIRST.label}/close-report.md"
    assert "accrual: " in report.read_text(encoding="utf-8")
    assert run_beanfirm("check", "huamei", cwd=folder).code == 0


@pytest.mark.parametrize(
    ("name", "text", "needle"),
    [
        ("fixed-assets.yaml", _register("0"), "ledgers/huamei/fixed-assets.yaml:8"),
        (
            "financials.yaml",
            "chart: cn-small\nbalance-sheet:\n  form: 会小企01表\n  titel: 资产负债表\n",
            "ledgers/huamei/financials.yaml:4",
        ),
    ],
)
def test_a_register_or_mapping_with_a_mistake_refuses_the_close(
    books: Path, name: str, text: str, needle: str
) -> None:
    folder = books
    (folder / f"ledgers/huamei/{name}").write_text(text, encoding="utf-8")
    commit_all(folder, f"A {name} with a mistake")
    approve(folder, "huamei")
    before = snapshot(folder)
    code, out, err = close(folder, "huamei", "--period", FIRST.label)
    assert code == 2, (out, err)
    assert needle in err
    assert "Traceback" not in err
    assert snapshot(folder) == before
    code, out, err = close(folder, "--all", "--period", FIRST.label)
    assert code == 2, (out, err)
    assert _rows(out)["huamei"][0] == "refused"
    assert snapshot(folder) == before


def test_close_all_reads_the_registry_once_and_asks_git_of_each_client_alone(
    books: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Per client, close --all costs the same in a practice of 2 clients or of 200.

    The registry is parsed once for the batch (its workers inherit it), never per client, and
    git's status is asked of the closing client's folder, not of every client's.
    """
    folder = books
    _add_northwind(folder)
    approve(folder, "northwind")
    practice = open_practice(folder)
    repo = PracticeRepo(folder)
    staff = practice.registry.staff_member("ana")
    parsed = folder.parent / "parsed.txt"  # the forked workers add their calls here too
    asked = folder.parent / "asked.txt"  # each pathspec list git's status was asked, a line
    real_parse = registry.parse_registry
    real_status = PracticeRepo.changed_paths

    def parse(
        path: Path, text: str | None = None, *, check_ledgers: bool = True
    ) -> tuple[registry.Registry | None, list[Problem]]:
        with parsed.open("a", encoding="utf-8") as out:
            out.write("parsed\n")
        return real_parse(path, text, check_ledgers=check_ledgers)

    def status(self: PracticeRepo, pathspecs: Iterable[str]) -> list[str]:
        pathspecs = list(pathspecs)
        with asked.open("a", encoding="utf-8") as out:
            out.write(" ".join(pathspecs) + "\n")
        return real_status(self, pathspecs)

    monkeypatch.setattr(registry, "parse_registry", parse)
    monkeypatch.setattr(PracticeRepo, "changed_paths", status)
    for jobs, period in ((1, FIRST), (2, LAST)):
        for client_id in ("huamei", "northwind"):
            approve(folder, client_id)  # the previous close's commit, in a run of its own
        parsed.unlink(missing_ok=True)
        asked.unlink(missing_ok=True)
        outcomes = close_all(
            practice, repo, list(practice.registry.clients), period, staff=staff,
            author=author_of(staff), jobs=jobs,
        )  # fmt: skip
        assert [(o.client_id, o.state) for o in outcomes] == [
            ("huamei", "closed"), ("northwind", "closed"),
        ], outcomes  # fmt: skip
        assert not parsed.exists(), jobs
        # each question about the one client's folder that is written, never all of `ledgers`
        questions = asked.read_text(encoding="utf-8").splitlines()
        assert len(questions) >= 2 * 2, questions  # the write's check before and after
        assert all(q in ("ledgers/huamei", "ledgers/northwind") for q in questions), questions
