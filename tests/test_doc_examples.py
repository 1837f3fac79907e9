"""Every `beanfirm ...` example in docs/ runs on a fresh demo practice and prints what it shows.

How a page marks its examples is in tests/docs_support.py. Regenerate on purpose only:
`.venv/bin/pytest tests/test_doc_examples.py --regen-goldens` rewrites the output of each
example that no longer matches; then read the diff (`git diff docs/`).
"""

from __future__ import annotations

import difflib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from docs_support import (
    DOCS,
    Command,
    Ran,
    matches,
    pages_with_examples,
    read_page,
    rewrite,
    run_page,
)

REPO = DOCS.parent
BIN = Path(sys.executable).parent
# Commits made by the examples get the same hash on every run: the demo's own day.
COMMIT_DATE = "2026-11-23T18:00:00+08:00"
GITCONFIG = """[user]
\tname = Docs Reader
\temail = reader@example.invalid
[init]
\tdefaultBranch = main
"""


def shell_env(home: Path, **extra: str) -> dict[str, str]:
    """Return the environment of a reader's shell: the installed beanfirm, a pinned clock."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BEANFIRM_", "GIT_"))}
    for name in ("COLUMNS", "LINES", "FORCE_COLOR"):
        env.pop(name, None)
    home.mkdir(parents=True, exist_ok=True)
    (home / ".gitconfig").write_text(GITCONFIG, encoding="utf-8")
    env.update(
        PATH=f"{BIN}{os.pathsep}{env.get('PATH', '')}",
        HOME=str(home),
        GIT_CONFIG_NOSYSTEM="1",
        GIT_AUTHOR_DATE=COMMIT_DATE,
        GIT_COMMITTER_DATE=COMMIT_DATE,
        LC_ALL="C.UTF-8",
        LANG="C.UTF-8",
        TZ="UTC",
        PYTHONUNBUFFERED="1",
        TERM="dumb",
        **extra,
    )
    return env


def _shell(command: str, cwd: Path, env: dict[str, str]) -> None:
    subprocess.run(["bash", "-c", command], cwd=cwd, env=env, check=True, capture_output=True)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo practice, generated once, with the example files the pages name, committed."""
    base = tmp_path_factory.mktemp("docs")
    folder = base / "demo"
    env = shell_env(base / "home")
    _shell(f"beanfirm generate {folder} --demo", base, env)
    for files in ("docs/examples", "tests/importers/samples"):
        shutil.copytree(REPO / files, folder / files)
    _shell(
        "git add docs tests && git commit -qm 'The example files of docs/ and tests/'", folder, env
    )
    return folder


def _report(path: Path, command: Command, actual: Ran | None) -> str:
    where = f"{path.name}:{command.line + 1}: $ {command.text}"
    if actual is None:
        return f"{where}\n(not run: the shell stopped before it)"
    lines = difflib.unified_diff(command.output, actual.output, "page", "actual", lineterm="", n=2)
    return where + "\n" + "\n".join(lines)


@pytest.mark.parametrize(
    "path", pages_with_examples(), ids=lambda p: p.relative_to(DOCS).as_posix()
)
def test_examples_print_what_the_page_shows(
    path: Path, demo: Path, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    page = read_page(path)
    repo, tmp = tmp_path / "repo", tmp_path / "tmp"
    shutil.copytree(demo, repo, symlinks=True)
    tmp.mkdir()
    env = shell_env(tmp_path / "home", DOCS_REPO=str(repo), DOCS_DEMO=str(demo))
    ran = run_page(page, tmp, env)
    setups = [c for step in page.steps for c in step.commands if c.setup]
    for command in setups:
        assert command.line in ran, f"{path.name}:{command.line + 1}: the shell stopped before"
        result = ran[command.line]
        assert result.code == 0, f"{path.name}:{command.line + 1}: setup failed: {result.output}"
    results = [ran.get(c.line) for c in page.examples]
    if request.config.getoption("--regen-goldens"):
        path.write_text(rewrite(page, ran), encoding="utf-8")
        page = read_page(path)
    wrong = [
        _report(path, command, actual)
        for command, actual in zip(page.examples, results, strict=True)
        if actual is None or not matches(command.output, actual.output)
    ]
    assert not wrong, "\n\n".join(wrong)
