"""The merge driver `beanfirm`: real `git merge`s of month files that both sides changed."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pyrage
from cli_support import TEST_COMMITTER, commit_all
from conftest import git, run_beanfirm

from beanfirm.store.entrymerge import merge

MONTH = "ledgers/huamei/journal/2025/01.beancount"
HEADER = "; 2025-01: entries of this month, in date order.\n"


def txn(day: int, payee: str, import_id: str | None, amount: str = "10.00", **kw: str) -> str:
    """A bank row as an import writes it; `account`, `flag` and `narration` may be changed."""
    meta = f'  import-id: "{import_id}"\n' if import_id else ""
    account = kw.get("account", "Expenses:5601-销售费用:差旅费")
    return (
        f'2025-01-{day:02d} {kw.get("flag", "*")} "{payee}" "{kw.get("narration", "bank row")}"\n'
        f"{meta}"
        f"  Assets:1002-银行存款:工商银行                                -{amount} CNY\n"
        f"  {account}                                {amount} CNY\n"
    )


def month(*entries: str) -> str:
    return HEADER + "".join("\n" + entry for entry in entries)


def branches(folder: Path, base: str, ours: str, theirs: str) -> subprocess.CompletedProcess[str]:
    """Commit `base`, then `ours` on main and `theirs` on a branch, and merge the branch."""
    path = folder / MONTH
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(base, encoding="utf-8")
    git(folder, "add", "--all")
    git(folder, *TEST_COMMITTER, "commit", "-qm", "base")
    git(folder, "checkout", "-qb", "theirs")
    path.write_text(theirs, encoding="utf-8")
    git(folder, *TEST_COMMITTER, "commit", "-qam", "their import")
    git(folder, "checkout", "-q", "-")
    path.write_text(ours, encoding="utf-8")
    git(folder, *TEST_COMMITTER, "commit", "-qam", "our import")
    return subprocess.run(
        ["git", *TEST_COMMITTER, "merge", "--no-edit", "theirs"],
        cwd=folder,
        capture_output=True,
        text=True,
        check=False,
    )


def test_two_imports_into_one_month_merge_cleanly(practice: Path) -> None:
    base = month(txn(2, "房东", "b-1"))
    ours = month(txn(2, "房东", "b-1"), txn(5, "滴滴", "b-2"), txn(9, "美团", "b-4"))
    theirs = month(txn(2, "房东", "b-1"), txn(4, "京东", "b-3"), txn(9, "美团", "b-4"))
    merged = branches(practice, base, ours, theirs)
    assert merged.returncode == 0, merged.stdout + merged.stderr
    text = (practice / MONTH).read_text(encoding="utf-8")
    assert "<<<<<<<" not in text
    assert ">>>>>>>" not in text
    assert [text.count(f'import-id: "b-{n}"') for n in (1, 2, 3, 4)] == [1, 1, 1, 1]
    assert text == month(
        txn(2, "房东", "b-1"), txn(4, "京东", "b-3"), txn(5, "滴滴", "b-2"), txn(9, "美团", "b-4")
    )


def test_the_same_rows_imported_on_both_sides_merge_to_one_copy(practice: Path) -> None:
    both = month(txn(2, "房东", "b-1"), txn(3, "滴滴", None), txn(5, "滴滴", "b-2"))
    # git's line merge would take these as one change too; the order differs on their side.
    theirs = month(txn(2, "房东", "b-1"), txn(5, "滴滴", "b-2"), txn(3, "滴滴", None))
    merged = branches(practice, month(txn(2, "房东", "b-1")), both, theirs)
    assert merged.returncode == 0, merged.stdout + merged.stderr
    assert (practice / MONTH).read_text(encoding="utf-8") == both


def test_one_entry_edited_both_ways_stays_a_named_conflict(practice: Path) -> None:
    base = month(txn(2, "房东", "b-1"), txn(5, "滴滴", "b-2", flag="!"))
    ours = month(txn(2, "房东", "b-1"), txn(5, "滴滴", "b-2", account="Expenses:Taxi"))
    theirs = month(
        txn(2, "房东", "b-1", narration="rent for January"),
        txn(5, "滴滴", "b-2", amount="12.00"),
        txn(7, "美团", "b-3"),
    )
    merged = branches(practice, base, ours, theirs)
    assert merged.returncode != 0
    said = " ".join(merged.stderr.split())
    assert 'the entry 2025-01-05 "滴滴" 10.00 CNY (import-id b-2) was changed on both sides' in said
    assert 'ours set the flag from "!" to "*"' in said
    assert "added the posting Expenses:Taxi 10.00 CNY" in said
    assert "theirs" in said
    assert "12.00 CNY" in said
    text = (practice / MONTH).read_text(encoding="utf-8")
    assert text.count("<<<<<<<") == 1
    assert text.count(">>>>>>>") == 1
    before, marked = text.split("<<<<<<< ours\n")
    # Only the one entry is between the markers; their other changes merged around it.
    assert txn(2, "房东", "b-1", narration="rent for January") in before
    assert marked.startswith(txn(5, "滴滴", "b-2", account="Expenses:Taxi") + "=======\n")
    assert txn(7, "美团", "b-3") in marked.split(">>>>>>> theirs\n")[1]
    assert git(practice, "diff", "--name-only", "--diff-filter=U").split() == [MONTH]


def test_a_file_that_does_not_parse_falls_back_to_a_line_merge(practice: Path) -> None:
    base = month(txn(2, "房东", "b-1"))
    ours = month(txn(2, "房东", "b-1"), txn(5, "滴滴", "b-2"))
    theirs = month(txn(2, "房东", "b-1"), "2025-01-07 * this line does not parse\n")
    merged = branches(practice, base, ours, theirs)
    assert merged.returncode != 0
    text = (practice / MONTH).read_text(encoding="utf-8")
    assert txn(5, "滴滴", "b-2") in text
    assert "this line does not parse" in text
    assert "<<<<<<< ours" in text
    assert "line by line" in merged.stderr


def test_install_sets_the_driver_up_in_a_clone(practice: Path) -> None:
    git(practice, "config", "--unset", "merge.beanfirm.driver")
    result = run_beanfirm("merge-driver", "--install", cwd=practice)
    assert result.code == 0, result.err
    driver = git(practice, "config", "--get", "merge.beanfirm.driver")
    assert driver.endswith(" -m beanfirm.store.mergedriver %O %A %B %P\n")
    assert git(practice, "check-attr", "merge", "--", MONTH).endswith(": merge: beanfirm\n")


def test_a_restored_practice_merges_ledgers_with_the_driver(practice: Path, tmp_path: Path) -> None:
    identity = pyrage.x25519.Identity.generate()
    key = tmp_path / "holder.key"
    key.write_text(f"{identity}\n", encoding="utf-8")
    with (practice / "clients.yaml").open("a", encoding="utf-8") as registry:
        registry.write(f"backup:\n  recipients:\n    - {identity.to_public()}\n")
    commit_all(practice, "Back up to the key holder")
    backed = run_beanfirm("backup", "--to", str(tmp_path / "backups"), cwd=practice)
    assert backed.code == 0, backed.err
    restored = tmp_path / "restored"
    result = run_beanfirm(
        "restore",
        str(tmp_path / "backups"),
        "--to",
        str(restored),
        "--identity",
        str(key),
        cwd=tmp_path,
    )
    assert result.code == 0, result.err
    driver = git(restored, "config", "--get", "merge.beanfirm.driver")
    assert driver.endswith(" -m beanfirm.store.mergedriver %O %A %B %P\n")
    assert "beanfirm.review.gitdriver" in git(restored, "config", "--get", "diff.beanfirm.command")
    assert git(restored, "status", "--porcelain", "--untracked-files=all") == ""
    # A staff member's plain `git merge` in the restored practice, before any `beanfirm sync`:
    # git's line merge would stop at the two imports' rows; the driver merges them.
    base = month(txn(2, "房东", "b-1"))
    ours = month(txn(2, "房东", "b-1"), txn(5, "滴滴", "b-2"))
    theirs = month(txn(2, "房东", "b-1"), txn(4, "京东", "b-3"))
    merged = branches(restored, base, ours, theirs)
    assert merged.returncode == 0, merged.stdout + merged.stderr
    assert (restored / MONTH).read_text(encoding="utf-8") == month(
        txn(2, "房东", "b-1"), txn(4, "京东", "b-3"), txn(5, "滴滴", "b-2")
    )


def test_the_driver_without_its_files_says_how_it_is_called(practice: Path) -> None:
    result = run_beanfirm("merge-driver", cwd=practice)
    assert result.code == 2
    assert result.err.startswith("Error: merge-driver needs the three files git passes")


def test_one_side_removes_the_other_changes_elsewhere() -> None:
    base = month(txn(2, "房东", "b-1"), txn(3, "滴滴", None), txn(5, "美团", "b-2"))
    ours = month(txn(2, "房东", "b-1"), txn(5, "美团", "b-2"))
    theirs = month(txn(2, "房东", "b-1"), txn(3, "滴滴", None), txn(5, "美团", "b-2", flag="!"))
    merged = merge(base, ours, theirs)
    assert merged is not None
    assert merged.conflicts == ()
    assert merged.text == month(txn(2, "房东", "b-1"), txn(5, "美团", "b-2", flag="!"))


def test_an_entry_without_import_id_edited_in_place_is_a_change() -> None:
    base = month(txn(3, "滴滴", None), txn(6, "美团", None))
    ours = month(txn(3, "滴滴", None, amount="11.00"), txn(6, "美团", None))
    theirs = month(txn(3, "滴滴", None, amount="13.00"), txn(6, "美团", None))
    merged = merge(base, ours, theirs)
    assert merged is not None
    assert len(merged.conflicts) == 1
    said = merged.conflicts[0].describe()
    assert said.startswith('the entry 2025-01-03 "滴滴" 10.00 CNY was changed on both sides')
    assert merged.text.count("<<<<<<<") == 1
    one_side = merge(base, ours, base.replace("美团", "美团外卖"))
    assert one_side is not None
    assert one_side.conflicts == ()
    assert one_side.text == month(txn(3, "滴滴", None, amount="11.00"), txn(6, "美团外卖", None))


def test_the_same_import_id_booked_two_ways_is_a_conflict() -> None:
    base = month(txn(2, "房东", "b-1"))
    ours = month(txn(2, "房东", "b-1"), txn(5, "滴滴", "b-2"))
    theirs = month(txn(2, "房东", "b-1"), txn(5, "滴滴", "b-2", account="Expenses:Taxi"))
    merged = merge(base, ours, theirs)
    assert merged is not None
    assert "was added on both sides, booked differently" in merged.conflicts[0].describe()
    assert merged.text.count("<<<<<<<") == 1


def test_removed_on_one_side_changed_on_the_other_is_a_conflict() -> None:
    base = month(txn(2, "房东", "b-1"), txn(5, "滴滴", "b-2"))
    ours = month(txn(2, "房东", "b-1"))
    theirs = month(txn(2, "房东", "b-1"), txn(5, "滴滴", "b-2", flag="!"))
    merged = merge(base, ours, theirs)
    assert merged is not None
    assert "ours removed it" in merged.conflicts[0].describe()
    assert "<<<<<<< ours\n=======\n" + txn(5, "滴滴", "b-2", flag="!") in merged.text


def test_comments_travel_with_their_entry() -> None:
    base = month(txn(2, "房东", "b-1"))
    ours = month("; the landlord's receipt is in documents/\n" + txn(2, "房东", "b-1"))
    theirs = month(txn(2, "房东", "b-1"), txn(8, "滴滴", "b-2"))
    merged = merge(base, ours, theirs)
    assert merged is not None
    assert merged.text == month(
        "; the landlord's receipt is in documents/\n" + txn(2, "房东", "b-1"), txn(8, "滴滴", "b-2")
    )
