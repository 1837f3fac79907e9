"""`beanfirm diff` end to end: an import commit in accounting terms, and git's diff driver."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from cli_support import new_practice, snapshot
from conftest import STAFF_ENV, git, run_beanfirm
from import_support import BANK, add_client, cmb, import_files, write

GOLDENS = Path(__file__).resolve().parent / "goldens"
JULY = "ledgers/acme/journal/2026/07.beancount"
ROWS = [
    ("2026-07-03", "-3000.00", "房租", "上海恒基物业", "7月房租"),
    ("2026-07-05", "1280.00", "转账", "Client <b>Ltd</b>", "货款"),
    ("2026-07-09", "-86.50", "消费", "中国石化", "加油"),
]


@pytest.fixture(scope="module")
def imported_once(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A practice whose last commit is the import of a three-row bank export (made once)."""
    folder = tmp_path_factory.mktemp("diff")
    practice = new_practice(folder / "practice")
    add_client(practice, accounts=(f"{BANK},bank,cmb-debit,6214830012345678",))
    export = write(folder, "cmb-2026-07.csv", cmb(ROWS))
    result = import_files(practice, "acme", str(export))
    assert result.code == 0, result.err
    return practice


@pytest.fixture
def imported(imported_once: Path, tmp_path: Path) -> Path:
    """A copy of that practice, for one test to change."""
    return Path(shutil.copytree(imported_once, tmp_path / "practice", symlinks=True))


def diff(practice: Path, *args: str) -> tuple[int, str, str]:
    """Run `beanfirm diff` in the practice."""
    result = run_beanfirm("diff", *args, cwd=practice, env=STAFF_ENV)
    return result.code, result.out, result.err


def test_an_import_commit_in_accounting_terms(
    imported: Path, request: pytest.FixtureRequest
) -> None:
    code, out, err = diff(imported, "HEAD")
    assert code == 0, err
    # Commit ids change with the clock; the golden file has them as <old> and <new>.
    old, new = (git(imported, "rev-parse", rev).strip()[:10] for rev in ("HEAD~1", "HEAD"))
    text = out.replace(old, "<old>").replace(new, "<new>")
    golden = GOLDENS / "diff-import.txt"
    if request.config.getoption("--regen-goldens"):
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8")


def test_json_counts_every_entry_and_the_impact(imported: Path) -> None:
    code, out, _ = diff(imported, "HEAD", "acme", "--json")
    assert code == 0
    data = json.loads(out)
    (acme,) = data["clients"]
    assert (acme["added"], acme["removed"], acme["changed"]) == (4, 0, 0)  # 3 rows, 1 balance
    assert [c["type"] for c in acme["changes"]] == ["transaction"] * 3 + ["balance"]
    nets = {row["account"]: row["net"] for row in acme["impact"]}
    assert nets[BANK] == "-1806.50"
    assert sum(map(float, nets.values())) == 0  # every transaction balances
    assert data["also_changed"] == [
        "ledgers/acme/documents/Assets/1002-银行存款/招商银行/2026-07-09.cmb-2026-07.csv"
    ]


def test_html_is_a_standalone_page_with_data_escaped(imported: Path) -> None:
    code, out, _ = diff(imported, "HEAD", "--html")
    assert code == 0
    assert out.startswith("<!DOCTYPE html>")
    assert "Client &lt;b&gt;Ltd&lt;/b&gt;" in out
    assert "<b>" not in out


def test_working_tree_realigned_is_no_change_and_a_flag_is(imported: Path) -> None:
    month = imported / JULY
    text = month.read_text(encoding="utf-8")
    month.write_text(re.sub(" {2,}", "    ", text), encoding="utf-8")
    code, out, _ = diff(imported)
    assert code == 0
    assert "acme: 0 added, 0 removed, 0 changed" in out
    assert "no entry changed (only layout, order or comments)" in out
    month.write_text(text.replace('! "中国石化"', '* "中国石化"', 1), encoding="utf-8")
    data = json.loads(diff(imported, "--json")[1])
    (change,) = data["clients"][0]["changes"]
    assert change["differences"] == ["flag: ! -> *"]
    assert data["new"] is None


def test_a_range_and_the_raw_text(imported: Path) -> None:
    code, out, _ = diff(imported, "HEAD~1..HEAD", "acme", "--json")
    assert code == 0
    assert json.loads(out)["clients"][0]["added"] == 4
    code, out, _ = diff(imported, "HEAD", "--raw")
    assert code == 0
    assert out.startswith("diff --git")
    assert '+2026-07-09 ! "中国石化"' in out


def test_a_syntax_error_is_reported_with_its_line_and_nothing_written(imported: Path) -> None:
    month = imported / JULY
    month.write_text(month.read_text(encoding="utf-8") + "2026-07-31 * oops\n", encoding="utf-8")
    before = snapshot(imported)
    code, out, err = diff(imported)
    assert code == 2
    assert out == ""
    assert f"{JULY}:" in err
    assert "syntax error" in err
    assert "Traceback" not in err
    assert snapshot(imported) == before


def test_an_unknown_client_or_revision_is_refused(imported: Path) -> None:
    before = snapshot(imported)
    code, _, err = diff(imported, "nobody")
    assert code == 2
    assert "neither a client of this practice nor a revision" in err
    assert "Clients: acme. " in err  # the registry's clients, not ledgers/.gitkeep
    code, _, err = diff(imported, "HEAD", ".gitkeep")
    assert code == 2
    assert ".gitkeep: neither a client" in err
    assert snapshot(imported) == before
    code, _, err = diff(imported, "HEAD..nowhere")
    assert code == 2
    assert "git knows no commit 'nowhere'" in err


def test_the_git_driver_speaks_in_git_diff_log_and_show(imported: Path) -> None:
    # `beanfirm init` set the driver up; take it away, to install it as in an older practice.
    the_import = git(imported, "rev-parse", "HEAD").strip()
    code, _, err = diff(imported, "--uninstall")
    assert code == 0, err
    attributes = (imported / ".gitattributes").read_text()
    assert "diff=beanfirm" not in attributes
    assert "merge=beanfirm" in attributes  # the merge driver's line is left alone
    before = snapshot(imported)
    code, out, _ = diff(imported, "--install", "--dry-run")
    assert (code, "Dry run, nothing changed" in out) == (0, True)
    assert snapshot(imported) == before
    code, out, err = diff(imported, "--install")
    assert code == 0, err
    assert (imported / ".gitattributes").read_text() == f"{attributes}*.beancount diff=beanfirm\n"
    assert git(imported, "log", "-1", "--format=%s").startswith("Show *.beancount diffs")
    assert "beanfirm.review.gitdriver diff" in git(imported, "config", "diff.beanfirm.command")

    shown = git(imported, "show", the_import, "--", JULY)
    assert "; totals of this file per account" in shown
    assert git(imported, "log", "-p", "-1", the_import, "--", JULY).count("; totals") == 1
    assert "beanfirm diff" in git(imported, "show", "--ext-diff", the_import, "--", JULY)
    assert "; totals" not in git(imported, "show", "--no-textconv", the_import, "--", JULY)

    month = imported / JULY
    text = month.read_text(encoding="utf-8")
    month.write_text(text.replace('"消费 加油"', '"消费 加油 92号"'), encoding="utf-8")
    out = git(imported, "diff")
    assert f"beanfirm diff {JULY}: 0 added, 0 removed, 1 changed" in out
    assert '~   changed: narration: "消费 加油" -> "消费 加油 92号"' in out
    raw = git(imported, "diff", "--no-ext-diff", "--no-textconv")
    assert raw.startswith("diff --git")
    assert "beanfirm" not in raw

    month.write_text(text + "2026-07-31 * oops\n", encoding="utf-8")  # not Beancount
    out = git(imported, "diff")
    assert out.startswith(f"diff --git a/{JULY} b/{JULY}")
    assert "+2026-07-31 * oops" in out
    month.write_text(text, encoding="utf-8")

    code, out, err = diff(imported, "--uninstall")
    assert code == 0, err
    assert (imported / ".gitattributes").read_text() == attributes
    assert "diff.beanfirm" not in git(imported, "config", "--list", "--local")
    assert "; totals" not in git(imported, "show", the_import, "--", JULY)
