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
    assert log.splitlines()[0] == "Ana Partner <ana@firm.example>|Add client huamei: 华美便利店"
