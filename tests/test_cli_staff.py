"""`beanfirm staff add|list|remove` and `clients verify`, end to end on a temporary practice."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_support import assert_user_error, snapshot
from conftest import STAFF_ENV, git, run_beanfirm

REGISTRY_HEAD = "# a comment the firm wrote, kept by every edit\n"


def _with_comment(practice: Path) -> None:
    registry = practice / "clients.yaml"
    registry.write_text(REGISTRY_HEAD + registry.read_text(encoding="utf-8"), encoding="utf-8")
    git(practice, "commit", "-qam", "A comment")


def test_staff_add_list_and_remove_each_commit_and_keep_comments(
    practice_with_client: Path,
) -> None:
    practice = practice_with_client
    _with_comment(practice)
    added = run_beanfirm(
        "staff", "add", "cy", "--name", "Cy Reviewer", "--email", "cy@firm.example", "--role",
        "reviewer", cwd=practice, env=STAFF_ENV,
    )  # fmt: skip
    assert added.code == 0, added.err
    text = (practice / "clients.yaml").read_text(encoding="utf-8")
    assert text.startswith(REGISTRY_HEAD)
    assert (
        "  - id: cy\n    name: Cy Reviewer\n    email: cy@firm.example\n    role: reviewer\n"
        in text
    )
    listed = json.loads(run_beanfirm("staff", "list", "--json", cwd=practice).out)
    assert [(row["id"], row["prepares"], row["reviews"]) for row in listed] == [
        ("ana", "", "huamei"),
        ("bo", "huamei", ""),
        ("cy", "", ""),
    ]
    removed = run_beanfirm("staff", "remove", "cy", cwd=practice, env=STAFF_ENV)
    assert removed.code == 0, removed.err
    assert "cy@firm.example" not in (practice / "clients.yaml").read_text(encoding="utf-8")
    subjects = git(practice, "log", "-2", "--format=%s").splitlines()
    assert subjects == ["Remove staff member cy: Cy Reviewer", "Add staff member cy: Cy Reviewer"]


@pytest.mark.parametrize(
    ("args", "needles"),
    [
        (("add", "bo", "--name", "B", "--email", "b@firm.example", "--role", "preparer"),
         ("duplicate staff id 'bo'", "clients.yaml:")),
        (("add", "Dee", "--name", "D", "--email", "d@firm.example", "--role", "preparer"),
         ("staff id 'Dee' must be lowercase",)),
        (("add", "dee", "--name", "D", "--email", "not-an-email", "--role", "preparer"),
         ("is not an email address",)),
        (("remove", "bo"), ("still assigned to huamei (preparer)",)),
        (("remove", "nobody"), ("No staff member 'nobody'",)),
    ],
)  # fmt: skip
def test_staff_refuses_bad_input_and_writes_nothing(
    practice_with_client: Path, args: tuple[str, ...], needles: tuple[str, ...]
) -> None:
    practice = practice_with_client
    before = snapshot(practice)
    result = run_beanfirm("staff", *args, cwd=practice, env=STAFF_ENV)
    assert_user_error(result, 2, *needles)
    assert snapshot(practice) == before


def test_staff_remove_refuses_the_last_partner(practice: Path) -> None:
    before = snapshot(practice)
    result = run_beanfirm("staff", "remove", "ana", cwd=practice, env=STAFF_ENV)
    assert_user_error(result, 2, "the firm's last partner")
    assert snapshot(practice) == before


def test_clients_verify_records_who_and_when_in_one_commit(practice_with_client: Path) -> None:
    practice = practice_with_client
    _with_comment(practice)
    result = run_beanfirm(
        "clients", "verify", "huamei", "--as", "bo", "--on", "2025-03-01", cwd=practice,
        env=STAFF_ENV,
    )  # fmt: skip
    assert result.code == 0, result.err
    text = (practice / "clients.yaml").read_text(encoding="utf-8")
    assert text.startswith(REGISTRY_HEAD)
    assert text.endswith("    last-verified: 2025-03-01\n    verified-by: bo\n"), text[-200:]
    assert git(practice, "log", "-1", "--format=%an|%s").strip() == (
        "Bo Preparer|Verify the data of client huamei"
    )
    shown = run_beanfirm("clients", "show", "huamei", cwd=practice)
    assert "  last verified   2025-03-01 by bo\n" in shown.out, shown.out
    record = json.loads(run_beanfirm("clients", "show", "huamei", "--json", cwd=practice).out)
    assert (record["last-verified"], record["verified-by"]) == ("2025-03-01", "bo")
    again = run_beanfirm(
        "clients", "verify", "huamei", "--on", "2025-04-01", cwd=practice, env=STAFF_ENV
    )
    assert again.code == 0, again.err
    text = (practice / "clients.yaml").read_text(encoding="utf-8")
    assert text.endswith("    last-verified: 2025-04-01\n    verified-by: ana\n"), text[-200:]


def test_clients_verify_a_customer_sets_its_metadata(practice_with_client: Path) -> None:
    practice = practice_with_client
    added = run_beanfirm(
        "customers", "add", "huamei", "华联超市", "--terms-days", "30", cwd=practice,
        env=STAFF_ENV,
    )  # fmt: skip
    assert added.code == 0, added.err
    result = run_beanfirm(
        "clients", "verify", "huamei", "--customer", "华联超市", "--on", "2025-03-01",
        cwd=practice, env=STAFF_ENV,
    )  # fmt: skip
    assert result.code == 0, result.err
    chart = (practice / "ledgers/huamei/accounts.beancount").read_text(encoding="utf-8")
    assert chart.endswith(
        '  language: "zh"\n  last-verified: 2025-03-01\n  verified-by: "ana"\n'
    ), chart[-300:]
    before = snapshot(practice)
    unknown = run_beanfirm(
        "clients", "verify", "huamei", "--customer", "永辉", cwd=practice, env=STAFF_ENV
    )
    assert_user_error(unknown, 2, "no customer '永辉'", "华联超市")
    assert snapshot(practice) == before


def test_status_flags_records_older_than_the_review_interval(practice_with_client: Path) -> None:
    practice = practice_with_client
    quiet = json.loads(run_beanfirm("status", "--json", cwd=practice).out)
    assert "reviews_due" not in quiet[0]  # no interval set: nothing is due
    registry = practice / "clients.yaml"
    text = registry.read_text(encoding="utf-8")
    registry.write_text(text.replace("  staff:\n", "  review-interval-days: 30\n  staff:\n", 1))
    git(practice, "commit", "-qam", "Review client data monthly")
    for name in ("华联超市", "永辉超市"):
        added = run_beanfirm("customers", "add", "huamei", name, cwd=practice, env=STAFF_ENV)
        assert added.code == 0, added.err
    today = run_beanfirm("clients", "verify", "huamei", "--customer", "华联超市", cwd=practice,
                         env=STAFF_ENV)  # fmt: skip
    assert today.code == 0, today.err
    old = run_beanfirm("clients", "verify", "huamei", "--on", "2020-01-31", cwd=practice,
                       env=STAFF_ENV)  # fmt: skip
    assert old.code == 0, old.err
    rows = json.loads(run_beanfirm("status", "--json", cwd=practice).out)
    assert rows[0]["reviews_due"] == [
        "client data last verified 2020-01-31",
        "customer 永辉超市 never verified",
    ]
    table = run_beanfirm("status", cwd=practice, env={"COLUMNS": "200"})
    assert (
        "Review due (every 30 days): huamei: client data last verified 2020-01-31; "
        "customer 永辉超市 never verified; check them with the client, then "
        "`beanfirm clients verify huamei`."
    ) in " ".join(table.out.split())


def test_registry_reports_a_bad_review_record_at_its_line(practice_with_client: Path) -> None:
    practice = practice_with_client
    registry = practice / "clients.yaml"
    text = registry.read_text(encoding="utf-8")
    text = text.replace("  staff:\n", "  review-interval-days: soon\n  staff:\n", 1)
    registry.write_text(text + "    last-verified: yesterday\n    verified-by: nobody\n")
    result = run_beanfirm("clients", "list", cwd=practice)
    assert result.code == 2, result.out
    assert "review-interval-days is 'soon'" in result.err
    assert "last-verified of client 'huamei' is 'yesterday'" in result.err
    assert "verified by 'nobody', who is not on the firm's staff" in result.err


@pytest.mark.parametrize(
    "args",
    [
        ("staff", "add", "dee", "--name", "Dee", "--email", "dee@firm.example", "--role",
         "reviewer", "-n"),
        ("clients", "verify", "huamei", "--dry-run"),
        ("customers", "add", "huamei", "华联超市", "--terms-days", "30", "-n"),
    ],
)  # fmt: skip
def test_dry_runs_write_nothing(practice_with_client: Path, args: tuple[str, ...]) -> None:
    practice = practice_with_client
    before = snapshot(practice)
    result = run_beanfirm(*args, cwd=practice, env=STAFF_ENV)
    assert result.code == 0, result.err
    assert result.out.startswith("Dry run: would"), result.out
    assert snapshot(practice) == before
