"""`beanfirm check [ID...]`: errors with file:line, exit codes, workers and the content cache."""

from __future__ import annotations

import json
import os
import pickle
import shlex
import subprocess
from typing import TYPE_CHECKING, Any

import pytest
from cli_support import (
    ADD_EN,
    BALANCED_ZH,
    BEAN_CHECK,
    HUAMEI_JANUARY,
    NORTHWIND_JANUARY,
    UNBALANCED_ZH,
    append_entry,
    assert_user_error,
    commit_all,
)
from conftest import STAFF_ENV, git, run_beanfirm

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path


@pytest.fixture
def two_clients(practice_with_client: Path) -> Path:
    """huamei (zh, CNY) and northwind (en, USD), both with empty books."""
    result = run_beanfirm(*ADD_EN, cwd=practice_with_client, env=STAFF_ENV)
    assert result.code == 0, result.err
    return practice_with_client


def _check(folder: Path, *args: str) -> tuple[int, list[dict[str, Any]]]:
    result = run_beanfirm("check", "--json", *args, cwd=folder)
    assert "Traceback" not in result.err, result.err
    return result.code, json.loads(result.out)


def _cached(rows: list[dict[str, Any]]) -> dict[str, bool]:
    return {row["client"]: row["cached"] for row in rows}


def _clean_row(client: str, *, cached: bool) -> dict[str, Any]:
    return {
        "client": client,
        "ok": True,
        "transactions": 0,
        "last_entry": None,
        "errors": [],
        "warnings": [],
        "cached": cached,
    }


def _break_huamei(folder: Path) -> int:
    line = append_entry(folder, HUAMEI_JANUARY, UNBALANCED_ZH)
    commit_all(folder, "An unbalanced entry")
    return line


def test_clean_practice_exits_0(two_clients: Path) -> None:
    assert _check(two_clients) == (
        0,
        [_clean_row("huamei", cached=False), _clean_row("northwind", cached=False)],
    )
    text = run_beanfirm("check", cwd=two_clients)
    assert (text.code, text.err) == (0, "")
    assert text.out.splitlines()[-1] == "2 of 2 clients ok."


def test_a_ledger_error_exits_1_with_file_and_line(two_clients: Path) -> None:
    line = _break_huamei(two_clients)
    code, rows = _check(two_clients)
    assert code == 1
    assert rows[0] == {
        "client": "huamei",
        "ok": False,
        "transactions": 1,
        "last_entry": "2025-01-05",
        "errors": [
            {
                "filename": HUAMEI_JANUARY,
                "line": line,
                "message": "Transaction does not balance: (-1.00 CNY)",
            }
        ],
        "warnings": [],
        "cached": False,
    }
    assert rows[1] == _clean_row("northwind", cached=False)
    text = run_beanfirm("check", cwd=two_clients)
    assert text.code == 1
    assert "Traceback" not in text.err
    assert (
        f"huamei: error: {HUAMEI_JANUARY}:{line}: Transaction does not balance: (-1.00 CNY)"
        in text.out.splitlines()
    )
    assert text.out.splitlines()[-1] == "1 of 2 clients ok."


def test_check_ids_limits_to_those_clients(two_clients: Path) -> None:
    _break_huamei(two_clients)
    code, rows = _check(two_clients, "northwind")
    assert (code, [r["client"] for r in rows]) == (0, ["northwind"])
    code, rows = _check(two_clients, "huamei")
    assert (code, [r["client"] for r in rows]) == (1, ["huamei"])
    code, rows = _check(two_clients, "northwind", "huamei")
    assert (code, [r["client"] for r in rows]) == (1, ["northwind", "huamei"])
    unknown = run_beanfirm("check", "nope", cwd=two_clients)
    assert_user_error(unknown, 2, "No client 'nope'", "Known clients: huamei, northwind.")


def test_failfast_stops_at_the_first_client_with_errors(two_clients: Path) -> None:
    _break_huamei(two_clients)
    code, rows = _check(two_clients, "-x")
    assert (code, [r["client"] for r in rows]) == (1, ["huamei"])


def test_one_worker_and_two_workers_agree(two_clients: Path) -> None:
    _break_huamei(two_clients)
    append_entry(
        two_clients,
        NORTHWIND_JANUARY,
        '2025-01-09 * "Taxi"\n  Assets:Bank  -12.50 USD\n  Expenses:Travel:Transport  12.50 USD\n',
    )
    code_1, one = _check(two_clients, "--no-cache", "-j", "1")
    code_2, two = _check(two_clients, "--no-cache", "-j", "2")
    assert code_1 == code_2 == 1
    assert one == two
    assert [(r["client"], r["ok"], r["transactions"], r["cached"]) for r in one] == [
        ("huamei", False, 1, False),
        ("northwind", True, 1, False),
    ]


def test_the_cache_reloads_only_changed_clients(two_clients: Path) -> None:
    code, first = _check(two_clients)
    assert (code, _cached(first)) == (0, {"huamei": False, "northwind": False})
    code, second = _check(two_clients)
    assert (code, _cached(second)) == (0, {"huamei": True, "northwind": True})
    assert [{**r, "cached": False} for r in second] == first

    # A committed change reloads that client only.
    append_entry(two_clients, HUAMEI_JANUARY, BALANCED_ZH)
    commit_all(two_clients, "A taxi fare")
    code, rows = _check(two_clients)
    assert (code, _cached(rows)) == (0, {"huamei": False, "northwind": True})
    assert rows[0]["transactions"] == 1

    # So does an uncommitted one, in a file git already tracks...
    line = append_entry(two_clients, HUAMEI_JANUARY, UNBALANCED_ZH)
    code, rows = _check(two_clients)
    assert (code, _cached(rows)) == (1, {"huamei": False, "northwind": True})
    assert [(e["filename"], e["line"]) for e in rows[0]["errors"]] == [(HUAMEI_JANUARY, line)]
    # ...and a cached failure still fails.
    code, rows = _check(two_clients)
    assert (code, _cached(rows)) == (1, {"huamei": True, "northwind": True})
    assert rows[0]["transactions"] == 2

    # ...or in a new, untracked file.
    (two_clients / "ledgers/northwind/journal/2025/02.beancount").write_text(
        '2025-02-03 * "Lunch"\n  Assets:Bank  -8 USD\n  Expenses:Travel:Meals  8 USD\n',
        encoding="utf-8",
    )
    code, rows = _check(two_clients)
    assert (code, _cached(rows)) == (1, {"huamei": True, "northwind": False})
    assert (rows[1]["transactions"], rows[1]["last_entry"]) == (1, "2025-02-03")


def test_no_cache_reloads_everything(two_clients: Path) -> None:
    assert _cached(_check(two_clients)[1]) == {"huamei": False, "northwind": False}
    assert _cached(_check(two_clients)[1]) == {"huamei": True, "northwind": True}
    assert _cached(_check(two_clients, "--no-cache")[1]) == {"huamei": False, "northwind": False}
    assert _cached(_check(two_clients)[1]) == {"huamei": True, "northwind": True}


def test_a_ledger_that_does_not_parse_exits_1_with_file_and_line(two_clients: Path) -> None:
    line = append_entry(two_clients, HUAMEI_JANUARY, "this is not {{ beancount\n")
    code, rows = _check(two_clients)
    assert code == 1
    assert {(e["filename"], e["line"]) for e in rows[0]["errors"]} == {(HUAMEI_JANUARY, line)}
    assert rows[0]["errors"][0]["message"] == "Invalid token: 'this'"
    assert rows[1]["ok"] is True
    text = run_beanfirm("check", "huamei", cwd=two_clients)
    assert text.code == 1
    assert "Traceback" not in text.err
    assert f"huamei: error: {HUAMEI_JANUARY}:{line}: Invalid token: 'this'" in text.out


class _Payload:
    """A pickle that runs a shell command when it is loaded."""

    def __init__(self, command: str) -> None:
        self.command = command

    def __reduce__(self) -> tuple[Callable[[str], int], tuple[str]]:
        return (os.system, (self.command,))


@pytest.mark.parametrize("planted", [b"\x80\x04garbage that is no pickle", None])
def test_a_planted_picklecache_is_never_loaded(
    practice_with_client: Path, tmp_path: Path, planted: bytes | None
) -> None:
    marker = tmp_path / "PWNED"
    payload = planted or pickle.dumps(_Payload(f"touch {shlex.quote(str(marker))}"))
    cache = practice_with_client / "ledgers/huamei/.main.beancount.picklecache"
    cache.write_bytes(payload)
    for args in ((), ("--no-cache",), ("-j", "1", "--no-cache")):
        code, rows = _check(practice_with_client, *args)
        assert (code, rows[0]["ok"], rows[0]["errors"]) == (0, True, [])
        assert not marker.exists()
    status = run_beanfirm("status", "--json", cwd=practice_with_client)
    assert status.code == 0, status.err
    assert not marker.exists()
    assert cache.read_bytes() == payload
    assert git(practice_with_client, "status", "--porcelain", "--untracked-files=all") == ""
    if planted is None:
        # The control: Beancount's own cached loader does run the payload.
        subprocess.run(
            [str(BEAN_CHECK), "ledgers/huamei/main.beancount"],
            cwd=practice_with_client,
            capture_output=True,
            check=False,
        )
        assert marker.exists()


def test_a_plugin_typo_and_a_missing_include_name_their_lines(two_clients: Path) -> None:
    main = two_clients / "ledgers/huamei/main.beancount"
    lines = main.read_text(encoding="utf-8").splitlines()
    lines.insert(3, 'plugin "beanfirm.plugins.no_such_plugin"')
    lines.append('include "journal/missing.beancount"')
    main.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, rows = _check(two_clients)
    assert code == 1
    assert sorted((e["filename"], e["line"], e["message"]) for e in rows[0]["errors"]) == [
        (
            "ledgers/huamei/main.beancount",
            4,
            (
                'Error importing "beanfirm.plugins.no_such_plugin": ModuleNotFoundError: '
                "No module named 'beanfirm.plugins.no_such_plugin'"
            ),
        ),
        (
            "ledgers/huamei/main.beancount",
            len(lines),
            'File glob "journal/missing.beancount" does not match any files',
        ),
    ]
    assert rows[1]["ok"] is True
    text = run_beanfirm("check", cwd=two_clients)
    assert text.code == 1
    assert "Traceback" not in text.out + text.err
    assert "huamei: error: ledgers/huamei/main.beancount:4: Error importing" in text.out
