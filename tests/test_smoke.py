"""The first thing a new user does: init, add a client, check, status."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from conftest import git, run_beanfirm

if TYPE_CHECKING:
    from pathlib import Path


def test_new_client_checks_clean(practice_with_client: Path) -> None:
    result = run_beanfirm("check", "--json", cwd=practice_with_client)
    assert result.code == 0, result.err
    [row] = json.loads(result.out)
    assert row["client"] == "huamei"
    assert row["errors"] == []
    assert row["transactions"] == 0
    log = git(practice_with_client, "log", "--format=%an <%ae>|%s")
    assert log.splitlines()[1] == "Ana Partner <ana@firm.example>|Add client huamei: 华美便利店"


def test_new_client_gets_beanfirms_checks(practice: Path) -> None:
    from conftest import ADD_ZH, STAFF_ENV  # noqa: PLC0415

    result = run_beanfirm(*ADD_ZH, cwd=practice, env=STAFF_ENV)
    assert result.code == 0, result.err
    main = (practice / "ledgers/huamei/main.beancount").read_text(encoding="utf-8")
    plugins = [line.split()[1] for line in main.splitlines() if line.startswith("plugin ")]
    assert plugins == [
        '"beanfirm.plugins.locked"',
        '"beanfirm.plugins.categorized"',
        '"beanfirm.plugins.reconciled"',
        '"beanfirm.plugins.receivables"',
        '"beanfirm.plugins.duplicates"',
    ]
    check = run_beanfirm("check", "--json", cwd=practice)
    assert check.code == 0, check.out
