"""Every `beanfirm ...` example in docs/ runs on a fresh demo practice and prints what it shows.

How a page marks its examples is in tests/docs_support.py. Regenerate on purpose only:
`.venv/bin/pytest tests/test_doc_examples.py --regen-goldens` rewrites the output of each
example that no longer matches, keeping its `...` where they still stand for a part of the new
output; then read the diff (`git diff docs/`).
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
    kept_placeholders,
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


PAGE = """\
# A page

```console
$ beanfirm backup --to /tmp/backups
Backup 000001-...-full written: /tmp/b/000001-...-full.age (... bytes), 1 ref.
Sealed with sha256:...
...
Checked 4 clients: no errors.
$ beanfirm status
all clear
```
"""


STAMP = "20261207T225517Z"


def _regenerated(path: Path, printed: list[str]) -> str:
    """Regenerate the page at `path` (PAGE, if there is none yet) as `--regen-goldens` does,
    its first example printing `printed`, its second what the page shows; return the text."""
    if not path.exists():
        path.write_text(PAGE, encoding="utf-8")
    page = read_page(path)
    backup, status = page.examples
    text = rewrite(page, {backup.line: Ran(printed, 0), status.line: Ran(status.output, 0)})
    path.write_text(text, encoding="utf-8")
    return text


def test_regen_keeps_the_placeholders_of_an_output_it_rewrites(tmp_path: Path) -> None:
    printed = [
        f"Backup 000001-{STAMP}-full written: /tmp/b/000001-{STAMP}-full.age (10,480 bytes), 2 refs.",
        "Sealed with sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
        "2 clients read",
        "  acme: 12 entries",
        "Checked 5 clients: no errors.",
    ]
    text = _regenerated(tmp_path / "page.md", printed)
    assert text == PAGE.replace("1 ref.", "2 refs.").replace("4 clients", "5 clients")
    assert _regenerated(tmp_path / "page.md", printed) == text  # a second regen changes nothing


def test_regen_writes_a_change_beside_a_placeholder(tmp_path: Path) -> None:
    printed = [
        f"Backup 000001-{STAMP}-full saved: /srv/000001-{STAMP}-full.age (10,480 bytes), 1 ref.",
        "Sealed with sha256:9f86d081",
        "Checked 4 clients: no errors.",
    ]
    assert _regenerated(tmp_path / "page.md", printed).splitlines()[4:10] == [
        "Backup 000001-...-full saved: /srv/000001-...-full.age (... bytes), 1 ref.",
        "Sealed with sha256:...",
        "Checked 4 clients: no errors.",  # the lines the `...` stood for are gone, and it too
        "$ beanfirm status",
        "all clear",
        "```",
    ]


def test_regen_writes_out_a_placeholder_whose_neighbours_are_gone() -> None:
    # The words around it gone, what `...` would stand for is written as printed.
    assert kept_placeholders(["sealed sha256:..."], ["not sealed"]) == ["not sealed"]
    assert kept_placeholders(["at [...]"], ["at 12:00"]) == ["at 12:00"]
    # Where a word beside it is still printed, it stays.
    assert kept_placeholders(["at ... by wang"], ["at 12:00 by li"]) == ["at ... by li"]
    assert kept_placeholders(["a ... b", "..."], ["a  b"]) == ["a ... b"]
    # A `...` the command prints is written as it is (and, on the page, matches itself).
    assert kept_placeholders(["Next: cd ... then add"], ["Next: cd /tmp/x then add ..."]) == [
        "Next: cd ... then add ..."
    ]


def test_a_commit_named_with_its_subject_matches_whatever_its_digits() -> None:
    # An abbreviated hash is all digits one time in 40: "(30853991 Import …)" failed a run.
    page = ["Error: chen wrote 1 of the 1 commits (8aa1c62f Import x.csv: 5 rows added)."]
    assert matches(
        page, ["Error: chen wrote 1 of the 1 commits (30853991 Import x.csv: 5 rows added)."]
    )
    assert not matches(["(20251001 x)"], ["(20251002 x)"])


def test_regen_keeps_the_hashes_the_comparison_ignores() -> None:
    page = ["Locked. Commit 3f2a1b9c0d.", "at ... by 3f2a1b9c0d, wang", "Commit 0000000000, 0.1s"]
    printed = [
        "Locked. Commit 9e0d17c4aa.",
        "at 18:00 by 9e0d17c4aa, li",
        "Commit 1d141ef579, 0.3s!",
    ]
    assert kept_placeholders(page, printed) == [
        "Locked. Commit 3f2a1b9c0d.",
        "at ... by 3f2a1b9c0d, li",
        "Commit 0000000000, 0.1s!",
    ]
