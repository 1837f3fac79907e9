"""`beanfirm review`: the queue, sending a change back, and the note in `beanfirm status`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_support import BALANCED_ZH, HUAMEI_JANUARY, assert_user_error, snapshot
from conftest import git, run_beanfirm
from review_support import commit_as, make_reviewed, tags


@pytest.fixture
def reviewed(practice_with_client: Path) -> Path:
    """A practice whose client huamei waits for review (see `make_reviewed`)."""
    return make_reviewed(practice_with_client)


def test_the_queue_shows_what_waits_and_empties_on_approval(reviewed: Path) -> None:
    result = run_beanfirm("review", "--today", "2030-01-01", "--json", cwd=reviewed)
    assert result.code == 0, result.err
    [row] = json.loads(result.out)
    assert row["client"] == "huamei"
    assert row["approved"] is None
    assert (row["authors"][0], row["authors"][-1]) == ("ana", "bo")  # staff ids by e-mail
    subjects = [commit["subject"] for commit in row["commits"]]
    assert subjects[-1] == "Taxi"
    assert row["days_waiting"] > 365
    assert row["added"] >= 1
    assert row["errors"] is None  # not checked yet: the queue never loads a ledger
    nets = {(item["account"], item["net"]) for item in row["impact"]}
    assert ("Expenses:5601-销售费用:差旅费", "10.00") in nets

    assert run_beanfirm("approve", "huamei", "--as", "wang", cwd=reviewed).code == 0
    commit_as(reviewed, "bo@firm.example", HUAMEI_JANUARY, BALANCED_ZH, "Second taxi")
    assert run_beanfirm("check", cwd=reviewed).code == 0
    after = json.loads(run_beanfirm("review", "--json", cwd=reviewed).out)
    [row] = after
    assert [c["subject"] for c in row["commits"]] == ["Second taxi"]
    assert (row["added"], row["removed"], row["changed"]) == (1, 0, 0)
    assert row["impact"] == [
        {
            "account": "Assets:1002-银行存款:工商银行",
            "currency": "CNY",
            "before": "-10.00",
            "after": "-20.00",
            "net": "-10.00",
        },
        {
            "account": "Expenses:5601-销售费用:差旅费",
            "currency": "CNY",
            "before": "10.00",
            "after": "20.00",
            "net": "10.00",
        },
    ]
    assert (row["errors"], row["warnings"]) == (0, 0)  # from the check cache
    assert row["approval"] == "beanfirm/approved/huamei/0001"


def test_a_reviewer_sees_their_clients_and_a_partner_all(reviewed: Path) -> None:
    mine = run_beanfirm("review", "--reviewer", "wang", cwd=reviewed)
    assert mine.code == 0, mine.err
    assert "Nothing waits for review" in mine.out
    partner = run_beanfirm("review", "--reviewer", "ana", cwd=reviewed)
    assert "huamei" in partner.out


def test_a_change_sent_back_shows_in_status_until_a_new_commit(reviewed: Path) -> None:
    sent = run_beanfirm(
        "review",
        "huamei",
        "--send-back",
        "--note",
        "The taxi needs its receipt.",
        "--as",
        "wang",
        cwd=reviewed,
    )
    assert sent.code == 0, sent.err
    assert tags(reviewed) == ["beanfirm/returned/huamei/0001"]
    status = run_beanfirm("status", cwd=reviewed)
    assert "Sent back: huamei, by wang" in status.out
    assert "The taxi needs its receipt." in status.out
    queue = json.loads(run_beanfirm("review", "--json", cwd=reviewed).out)
    assert queue[0]["sent_back"]["note"] == "The taxi needs its receipt."

    commit_as(reviewed, "bo@firm.example", HUAMEI_JANUARY, BALANCED_ZH, "Receipt added")
    status = run_beanfirm("status", "--json", cwd=reviewed)
    assert "sent_back" not in status.out


def test_a_preparer_cannot_send_back(reviewed: Path) -> None:
    before = snapshot(reviewed)
    result = run_beanfirm(
        "review", "huamei", "--send-back", "--note", "x", "--as", "bo", cwd=reviewed
    )
    assert_user_error(result, 1, "bo may not send huamei back")
    assert snapshot(reviewed) == before
    assert git(reviewed, "tag", "--list").strip() == ""
