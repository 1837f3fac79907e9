"""A cached check result is valid for one day: the plugins count days up to today."""

from __future__ import annotations

import datetime
from pathlib import Path

from conftest import git
from registry_support import a_client

from beanfirm.firm.checkcache import client_keys
from beanfirm.store.gitrepo import PracticeRepo

CLIENT = a_client()


def test_the_key_of_an_unchanged_client_changes_with_the_day(tmp_path: Path) -> None:
    main = tmp_path / "ledgers" / "alpha" / "main.beancount"
    main.parent.mkdir(parents=True)
    main.write_text('plugin "beanfirm.plugins.categorized"\n', encoding="utf-8")
    git(tmp_path, "init", "--quiet")
    git(tmp_path, "add", "--all")
    git(tmp_path, "-c", "user.name=T", "-c", "user.email=t@firm.example", "commit", "-qm", "x")
    repo = PracticeRepo(tmp_path)
    monday, tuesday = datetime.date(2026, 11, 23), datetime.date(2026, 11, 24)
    first = client_keys(repo, [CLIENT], today=monday)
    assert client_keys(repo, [CLIENT], today=monday) == first
    assert client_keys(repo, [CLIENT], today=tuesday) != first
