"""The check cache: keys follow a client's content only, and a bad cache file is a miss."""

from __future__ import annotations

import dataclasses
import datetime
import json
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import git

from beanfirm.accounts.aging import Overdue
from beanfirm.errors import Problem
from beanfirm.firm.checkcache import CheckCache, client_keys
from beanfirm.firm.summary import LedgerSummary, MonthActivity
from beanfirm.jobs.newpractice import GITIGNORE
from beanfirm.store.gitrepo import PracticeRepo
from beanfirm.store.registry import Classification, Client

ALPHA_JANUARY = "ledgers/alpha/journal/2025/01.beancount"


def client(client_id: str) -> Client:
    return Client(
        id=client_id,
        name=client_id.title(),
        classification=Classification("retail", "high", "shanghai", "micro"),
        preparer="bo",
        reviewer="ana",
        currency="CNY",
        fiscal_year_start="01-01",
        language="zh",
        reconcile="monthly",
        accounts=(),
        line=1,
    )


CLIENTS = [client("alpha"), client("beta")]


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A committed practice with two client folders and beanfirm's .gitignore."""
    folder = tmp_path / "practice"
    files = {
        ".gitignore": GITIGNORE,
        "clients.yaml": "firm: {}\nclients: []\n",
        "ledgers/alpha/main.beancount": 'include "journal/*/*.beancount"\n',
        ALPHA_JANUARY: "; January\n",
        "ledgers/beta/main.beancount": "; beta\n",
    }
    for relpath, text in files.items():
        (folder / relpath).parent.mkdir(parents=True, exist_ok=True)
        (folder / relpath).write_text(text, encoding="utf-8")
    git(folder, "init", "--quiet")
    git(folder, "add", "--all")
    git(
        folder,
        "-c",
        "user.name=Setup",
        "-c",
        "user.email=setup@firm.example",
        "commit",
        "--quiet",
        "-m",
        "Initial practice",
    )
    return folder


def keys(root: Path) -> dict[str, str]:
    return client_keys(PracticeRepo(root), CLIENTS)


def write(root: Path, relpath: str, text: str) -> None:
    (root / relpath).parent.mkdir(parents=True, exist_ok=True)
    (root / relpath).write_text(text, encoding="utf-8")


def test_keys_are_stable(root: Path) -> None:
    first = keys(root)
    assert sorted(first) == ["alpha", "beta"]
    assert first["alpha"] != first["beta"]
    assert keys(root) == first


def test_committed_change_changes_only_that_client(root: Path) -> None:
    before = keys(root)
    write(root, ALPHA_JANUARY, "; January, edited\n")
    git(
        root,
        "-c",
        "user.name=Setup",
        "-c",
        "user.email=setup@firm.example",
        "commit",
        "--quiet",
        "-am",
        "Edit January",
    )
    after = keys(root)
    assert after["alpha"] != before["alpha"]
    assert after["beta"] == before["beta"]


def test_uncommitted_change_follows_the_content(root: Path) -> None:
    before = keys(root)
    write(root, ALPHA_JANUARY, "; January, edited\n")
    edited = keys(root)
    write(root, ALPHA_JANUARY, "; January, edited again\n")
    edited_again = keys(root)
    assert len({before["alpha"], edited["alpha"], edited_again["alpha"]}) == 3
    assert before["beta"] == edited["beta"] == edited_again["beta"]
    # Put back as committed: the folder is clean again and the key is the committed one.
    write(root, ALPHA_JANUARY, "; January\n")
    assert keys(root) == before


def test_new_untracked_file_changes_the_key(root: Path) -> None:
    before = keys(root)
    write(root, "ledgers/alpha/journal/2025/02.beancount", "; February\n")
    after = keys(root)
    assert after["alpha"] != before["alpha"]
    assert after["beta"] == before["beta"]
    write(root, "ledgers/alpha/journal/2025/02.beancount", "; February, edited\n")
    assert keys(root)["alpha"] not in {before["alpha"], after["alpha"]}


@pytest.mark.parametrize(
    "ignored",
    [
        "ledgers/alpha/inbox/icbc-2025-02.csv",
        "ledgers/alpha/.main.beancount.picklecache",
        "ledgers/alpha/journal/2025/01.beancount.picklecache",
    ],
)
def test_ignored_files_do_not_change_the_key(root: Path, ignored: str) -> None:
    before = keys(root)
    write(root, ignored, "anything")
    assert keys(root) == before
    # Nor in a folder that has real uncommitted changes.
    write(root, ALPHA_JANUARY, "; January, edited\n")
    (root / ignored).unlink()
    edited = keys(root)
    write(root, ignored, "anything else")
    assert keys(root) == edited


def test_registry_record_is_part_of_the_key(root: Path) -> None:
    before = keys(root)
    moved = dataclasses.replace(CLIENTS[0], reviewer="chen")
    after = client_keys(PracticeRepo(root), [moved, CLIENTS[1]])
    assert after["alpha"] != before["alpha"]
    assert after["beta"] == before["beta"]


def test_client_folder_not_yet_committed(root: Path) -> None:
    gamma = client("gamma")
    write(root, "ledgers/gamma/main.beancount", "; gamma\n")
    first = client_keys(PracticeRepo(root), [gamma])
    write(root, "ledgers/gamma/main.beancount", "; gamma, edited\n")
    assert client_keys(PracticeRepo(root), [gamma]) != first


SUMMARY = LedgerSummary(
    errors=(Problem("ledgers/alpha/journal/2025/01.beancount", 3, "Balance failed"),),
    warnings=(Problem("ledgers/alpha/main.beancount", None, "Uncategorized postings"),),
    transactions=42,
    last_entry=datetime.date(2025, 1, 31),
    uncategorized=2,
    months={
        "2025-01": MonthActivity(
            frozenset({"Assets:Bank", "Assets:Cash"}),
            2,
            "ledgers/alpha/journal/2025/01.beancount:9",
        ),
    },
    customer_reviews=(
        ("Assets:Receivable:Acme", datetime.date(2025, 1, 15)),
        ("Assets:Receivable:Zed", None),
    ),
    anomalies=3,
)


def test_cache_returns_what_was_stored_under_the_same_key(tmp_path: Path) -> None:
    cache = CheckCache(tmp_path / ".beanfirm")
    cache.put("alpha", "key-1", SUMMARY)
    assert cache.get("alpha", "key-1") == SUMMARY
    assert CheckCache(tmp_path / ".beanfirm").get("alpha", "key-1") == SUMMARY


def test_cache_keeps_overdue_receivables_to_the_cent(tmp_path: Path) -> None:
    summary = dataclasses.replace(
        SUMMARY, receivables=Overdue(2, {"CNY": Decimal("1234.50"), "USD": Decimal("0.10")}, 15)
    )
    CheckCache(tmp_path / ".beanfirm").put("alpha", "key-1", summary)
    got = CheckCache(tmp_path / ".beanfirm").get("alpha", "key-1")
    assert got == summary
    assert got is not None
    assert str(got.receivables.amounts["CNY"]) == "1234.50"


def test_cache_miss_on_a_wrong_key_or_another_client(tmp_path: Path) -> None:
    cache = CheckCache(tmp_path / ".beanfirm")
    cache.put("alpha", "key-1", SUMMARY)
    assert cache.get("alpha", "key-2") is None
    assert cache.get("beta", "key-1") is None


@pytest.mark.parametrize(
    "content",
    [
        '{"key": "key-1", "summary": {"errors": [',
        "",
        "[]",
        '"key-1"',
        '{"key": "key-1"}',
        '{"key": "key-1", "summary": []}',
        '{"key": "key-1", "summary": {"errors": [], "warnings": [], "transactions": "many", "last_entry": null, "uncategorized": 0}}',
        '{"key": "key-1", "summary": {"errors": [], "warnings": [], "transactions": 1, "last_entry": "last week", "uncategorized": 0}}',
    ],
    ids=[
        "truncated",
        "empty",
        "list",
        "string",
        "no-summary",
        "summary-list",
        "bad-count",
        "bad-date",
    ],
)
def test_unreadable_cache_file_is_a_miss(tmp_path: Path, content: str) -> None:
    cache = CheckCache(tmp_path / ".beanfirm")
    cache.folder.mkdir(parents=True)
    (cache.folder / "alpha.json").write_text(content, encoding="utf-8")
    assert cache.get("alpha", "key-1") is None


def test_cache_file_is_json(tmp_path: Path) -> None:
    cache = CheckCache(tmp_path / ".beanfirm")
    cache.put("alpha", "key-1", SUMMARY)
    stored = json.loads((tmp_path / ".beanfirm/cache/check/alpha.json").read_text(encoding="utf-8"))
    assert stored == {
        "key": "key-1",
        "summary": {
            "errors": [
                {
                    "filename": "ledgers/alpha/journal/2025/01.beancount",
                    "line": 3,
                    "message": "Balance failed",
                },
            ],
            "warnings": [
                {
                    "filename": "ledgers/alpha/main.beancount",
                    "line": None,
                    "message": "Uncategorized postings",
                },
            ],
            "transactions": 42,
            "last_entry": "2025-01-31",
            "uncategorized": 2,
            "reconciliations": [],
            "receivables": {"count": 0, "amounts": {}, "oldest_days": 0},
            "months": {
                "2025-01": {
                    "covered": ["Assets:Bank", "Assets:Cash"],
                    "open_count": 2,
                    "first_open": "ledgers/alpha/journal/2025/01.beancount:9",
                },
            },
            "customer_reviews": [
                ["Assets:Receivable:Acme", "2025-01-15"],
                ["Assets:Receivable:Zed", None],
            ],
            "anomalies": 3,
        },
    }


def test_deleted_file_and_emptied_file_have_different_keys(root: Path) -> None:
    # A missing main.beancount fails the check and an empty one passes: they need two keys.
    main = root / "ledgers/alpha/main.beancount"
    main.write_text("", encoding="utf-8")
    emptied = keys(root)
    main.unlink()
    deleted = keys(root)
    assert deleted["alpha"] != emptied["alpha"]
    assert deleted["beta"] == emptied["beta"]
