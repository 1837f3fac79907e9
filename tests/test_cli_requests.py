"""`beanfirm requests add|list|close`: one commit each, validated first, nothing on a mistake."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

from cli_support import assert_user_error, commit_all, snapshot
from conftest import STAFF_ENV, git, run_beanfirm

from beanfirm.store.practice import open_practice
from beanfirm.store.requests import open_requests, parse_requests
from beanfirm.store.uploads import Upload, inbox_locked, record_upload

REQUESTS = "ledgers/huamei/requests.yaml"


def test_add_list_close_each_one_commit(practice_with_client: Path) -> None:
    folder = practice_with_client
    head = git(folder, "rev-parse", "HEAD").strip()
    added = run_beanfirm(
        "requests",
        "add",
        "huamei",
        "11月工商银行对账单",
        "--due",
        "2099-12-10",
        cwd=folder,
        env=STAFF_ENV,
    )
    assert added.code == 0, added.err
    assert "Opened request 1 (commit" in added.out
    assert git(folder, "rev-list", "--count", f"{head}..HEAD").strip() == "1"
    assert git(folder, "show", "--name-only", "--format=%an|%s", "HEAD").split("\n")[:3] == [
        "Ana Partner|Request from huamei: 11月工商银行对账单",
        "",
        REQUESTS,
    ]
    assert git(folder, "status", "--porcelain") == ""
    second = run_beanfirm(
        "requests", "add", "huamei", "Receipts of November", cwd=folder, env=STAFF_ENV
    )
    assert "Opened request 2" in second.out, second.err

    listed = run_beanfirm("requests", "list", "huamei", "--json", cwd=folder)
    data = json.loads(listed.out)
    assert [(r["id"], r["title"], r["due"]) for r in data["requests"]] == [
        (1, "11月工商银行对账单", "2099-12-10"),
        (2, "Receipts of November", None),
    ]
    assert data["requests"][0]["opened-by"] == "ana"

    # An upload answering request 1 (as the portal records it) shows while it is open, and is
    # written into the file when it is closed.
    root = folder.resolve()
    with inbox_locked(root, "huamei"):
        record_upload(
            root,
            "huamei",
            Upload(
                datetime.datetime(2026, 12, 7, 9, 30, tzinfo=datetime.UTC),
                "owner@huamei.example",
                "20261207-093000-icbc.csv",
                "export",
                120,
                request=1,
            ),
        )
    assert [r.answered_by for r in open_requests(open_practice(root), "huamei")] == [
        ("20261207-093000-icbc.csv",),
        (),
    ]
    closed = run_beanfirm("requests", "close", "huamei", "1", cwd=folder, env=STAFF_ENV)
    assert "Closed request 1 (commit" in closed.out, closed.err
    found, problems = parse_requests((folder / REQUESTS).read_text(encoding="utf-8"), REQUESTS)
    assert problems == []
    assert found[0].closed_at == datetime.date.today()  # noqa: DTZ011 - the command's day
    assert found[0].answered_by == ("20261207-093000-icbc.csv",)
    assert found[1].is_open
    assert found[1].answered_by == ()
    table = run_beanfirm("requests", "list", cwd=folder)
    assert "Receipts of November" in table.out
    assert "11月" not in table.out


def test_mistakes_write_nothing(practice_with_client: Path) -> None:
    folder = practice_with_client
    run_beanfirm("requests", "add", "huamei", "Bank statement", cwd=folder, env=STAFF_ENV)
    before = snapshot(folder)
    for args, code, needle in (
        (("add", "huamei", "  "), 2, "title is empty"),
        (("add", "huamei", "two\nlines"), 2, "one line"),
        (("add", "huamei", "late", "--due", "2001-01-01"), 2, "before today"),
        (("add", "nosuch", "x"), 2, "No client 'nosuch'"),
        (("close", "huamei", "7"), 2, "no request 7 (open ones: 1)"),
    ):
        result = run_beanfirm("requests", *args, cwd=folder, env=STAFF_ENV)
        assert_user_error(result, code, needle)
    assert run_beanfirm("requests", "close", "huamei", "1", cwd=folder, env=STAFF_ENV).code == 0
    again = run_beanfirm("requests", "close", "huamei", "1", cwd=folder, env=STAFF_ENV)
    assert_user_error(again, 2, "closed on")
    after = snapshot(folder)
    assert after.head != before.head  # the one close that was right


def test_a_close_that_would_write_an_unreadable_file_is_refused(
    practice_with_client: Path,
) -> None:
    # An upload's name with a tab, answering request 1: written into answered-by, the file
    # would be one its reader refuses.
    folder = practice_with_client
    run_beanfirm("requests", "add", "huamei", "Bank statement", cwd=folder, env=STAFF_ENV)
    root = folder.resolve()
    when = datetime.datetime(2026, 12, 7, 9, 30, tzinfo=datetime.UTC)
    with inbox_locked(root, "huamei"):
        upload = Upload(when, "owner@huamei.example", "icbc\t11.csv", "export", 1, request=1)
        record_upload(root, "huamei", upload)
    before = snapshot(folder)
    result = run_beanfirm("requests", "close", "huamei", "1", cwd=folder, env=STAFF_ENV)
    assert_user_error(
        result, 2, "its own reader refuses", "Nothing was written", "without line breaks or tabs"
    )
    assert snapshot(folder) == before
    listed = run_beanfirm("requests", "list", "huamei", cwd=folder)
    assert listed.code == 0, listed.err


def test_dry_run_writes_nothing(practice_with_client: Path) -> None:
    folder = practice_with_client
    before = snapshot(folder)
    result = run_beanfirm(
        "requests", "add", "huamei", "Bank statement", "-n", cwd=folder, env=STAFF_ENV
    )
    assert result.code == 0, result.err
    assert "Dry run: would open request 1" in result.out
    assert snapshot(folder) == before


def test_a_broken_file_is_named_with_its_line(practice_with_client: Path) -> None:
    folder = practice_with_client
    (folder / REQUESTS).write_text(
        "- id: 1\n  title: Bank\n  opened-by: ana\n  opened-at: 2026-13-01\n", encoding="utf-8"
    )
    commit_all(folder, "A request typed by hand")
    before = snapshot(folder)
    result = run_beanfirm("requests", "add", "huamei", "Receipts", cwd=folder, env=STAFF_ENV)
    assert_user_error(result, 2, f"{REQUESTS}:4", "opened-at must be a date")
    assert snapshot(folder) == before
