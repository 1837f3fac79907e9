"""The diff engine: entries added, removed and changed, and the balance impact, per client."""

from __future__ import annotations

import subprocess
import textwrap
from decimal import Decimal
from typing import TYPE_CHECKING

import pytest

from beanfirm.review.changes import ChangedFileError, changes_between, client_of, diff
from beanfirm.review.entrydiff import (
    EntryChange,
    compare_entries,
    differences,
    impact_between,
    parse_text,
)
from beanfirm.review.gitdriver import canonical_text, external_diff
from beanfirm.store.gitrepo import PracticeRepo

if TYPE_CHECKING:
    from pathlib import Path

JULY = "ledgers/acme/journal/2026/07.beancount"
AUGUST = "ledgers/acme/journal/2026/08.beancount"

BASE = """\
2026-07-01 * "Landlord" "rent"
  import-id: "cmb-1"
  Expenses:Rent           3000.00 CNY
  Assets:Bank:CMB        -3000.00 CNY

2026-07-02 * "Cafe" "coffee"
  Expenses:Food             30.00 CNY
  Assets:Bank:CMB

2026-07-03 balance Assets:Bank:CMB  -3030.00 CNY
"""


def compare(old: str, new: str, *, old_path: str = JULY, new_path: str = JULY) -> list[EntryChange]:
    """Compare two texts of a file (or of two files) in accounting terms."""
    before = parse_text(textwrap.dedent(old), old_path)
    after = parse_text(textwrap.dedent(new), new_path)
    assert not before.problems
    assert not after.problems
    return compare_entries(
        [(old_path, e) for e in before.entries], [(new_path, e) for e in after.entries]
    )


def kinds(changes: list[EntryChange]) -> list[str]:
    """Return the kind of each change, in order."""
    return [change.kind for change in changes]


def test_the_same_text_is_no_change() -> None:
    assert compare(BASE, BASE) == []


def test_an_added_and_a_removed_entry() -> None:
    coffee = (
        '2026-07-02 * "Cafe" "coffee"\n  Expenses:Food             30.00 CNY\n  Assets:Bank:CMB\n'
    )
    taxi = '\n2026-07-04 * "Taxi" "fare"\n  Expenses:Travel  12.00 CNY\n  Assets:Bank:CMB\n'
    changes = compare(BASE, BASE.replace(coffee, "") + taxi)
    assert [(c.kind, (c.new or c.old).narration) for c in changes] == [  # type: ignore[union-attr]
        ("removed", "coffee"),
        ("added", "fare"),
    ]


def test_a_retyped_narration_is_a_change() -> None:
    changes = compare(BASE, BASE.replace('"Cafe" "coffee"', '"Cafe" "tea"'))
    assert kinds(changes) == ["changed"]
    assert differences(changes[0]) == ['narration: "coffee" -> "tea"']


def test_a_reordered_and_realigned_file_is_no_change() -> None:
    realigned = """\
2026-07-03 balance Assets:Bank:CMB -3030.0 CNY

2026-07-02   *   "Cafe"   "coffee"
  Expenses:Food    30.0000 CNY
  Assets:Bank:CMB

2026-07-01 * "Landlord" "rent"
  Assets:Bank:CMB  -3000 CNY
  import-id: "cmb-1"
  Expenses:Rent 3000.00 CNY
"""
    # The import-id line moved below a posting is a posting's metadata: a change.
    changes = compare(BASE, realigned)
    assert kinds(changes) == ["changed"]
    moved_meta = realigned.replace(
        '2026-07-01 * "Landlord" "rent"\n  Assets:Bank:CMB  -3000 CNY\n  import-id: "cmb-1"\n',
        '2026-07-01 * "Landlord" "rent"\n  import-id: "cmb-1"\n  Assets:Bank:CMB  -3000 CNY\n',
    )
    assert compare(BASE, moved_meta) == []


def test_an_entry_moved_to_another_file_is_no_change() -> None:
    july, _, rest = BASE.partition('2026-07-02 * "Cafe"')
    before = parse_text(BASE, JULY).entries
    after_july = parse_text(july, JULY).entries
    after_august = parse_text('2026-07-02 * "Cafe"' + rest, AUGUST).entries
    changes = compare_entries(
        [(JULY, e) for e in before],
        [(JULY, e) for e in after_july] + [(AUGUST, e) for e in after_august],
    )
    assert changes == []


def test_a_metadata_change_is_a_change() -> None:
    new = BASE.replace("  Expenses:Food", '  receipt: "r-17.pdf"\n  Expenses:Food')
    changes = compare(BASE, new)
    assert kinds(changes) == ["changed"]
    assert differences(changes[0]) == ['metadata receipt added: "r-17.pdf"']


def test_a_flag_change_is_a_change() -> None:
    new = BASE.replace('2026-07-02 * "Cafe"', '2026-07-02 ! "Cafe"')
    changes = compare(BASE, new)
    assert kinds(changes) == ["changed"]
    assert differences(changes[0]) == ["flag: * -> !"]


def test_a_recategorized_entry_is_one_change_naming_its_postings() -> None:
    new = BASE.replace("Expenses:Food", "Expenses:Meals")
    changes = compare(BASE, new)
    assert kinds(changes) == ["changed"]
    assert differences(changes[0]) == [
        "posting removed: Expenses:Food 30.00 CNY",
        "posting added: Expenses:Meals 30.00 CNY",
    ]


def test_an_entry_is_matched_by_its_import_id_when_everything_else_changed() -> None:
    new = BASE.replace('2026-07-01 * "Landlord" "rent"', '2026-07-05 * "Huaxin Property" "lease"')
    changes = compare(BASE, new)
    assert kinds(changes) == ["changed"]
    assert changes[0].old is not None
    assert changes[0].new is not None
    assert differences(changes[0]) == [
        "date: 2026-07-01 -> 2026-07-05",
        'payee: "Landlord" -> "Huaxin Property"',
        'narration: "rent" -> "lease"',
    ]


def test_a_new_import_id_is_an_added_entry_not_a_change() -> None:
    new = BASE.replace('import-id: "cmb-1"', 'import-id: "cmb-2"').replace(
        '"Landlord" "rent"', '"Landlord" "rent again"'
    )
    assert kinds(compare(BASE, new)) == ["removed", "added"]


def test_twins_are_paired_with_the_most_alike() -> None:
    old = """\
2026-07-03 * "Amazon" "payout"
  Assets:Bank  100.00 USD
  Income:Sales
2026-07-03 * "Amazon" "payout"
  Assets:Bank  200.00 USD
  Income:Sales
"""
    new = old.replace("200.00 USD\n  Income:Sales", "200.00 USD\n  Income:Other")
    changes = compare(old, new)
    assert kinds(changes) == ["changed"]
    assert differences(changes[0]) == [
        "posting removed: Income:Sales",
        "posting added: Income:Other",
    ]


def test_impact_sums_per_account_and_currency() -> None:
    old = parse_text(BASE, JULY).entries
    new = parse_text(
        BASE
        + textwrap.dedent("""
            2026-07-04 * "Fx" "buy dollars"
              Assets:Bank:CMB   -700.00 CNY @ 0.14 USD
              Assets:Bank:USD
            2026-07-05 * "Client" "fee"
              Assets:Bank:USD    50.00 USD
              Income:Fees       -50.00 USD
            """),
        JULY,
    ).entries
    impact, uncounted = impact_between(old, new)
    assert uncounted == []
    rows = {(i.account, i.currency): (i.before, i.after, i.net) for i in impact}
    assert rows == {
        ("Assets:Bank:CMB", "CNY"): (Decimal(-3030), Decimal(-3730), Decimal(-700)),
        ("Assets:Bank:USD", "USD"): (Decimal(0), Decimal("148.00"), Decimal("148.00")),
        ("Income:Fees", "USD"): (Decimal(0), Decimal(-50), Decimal(-50)),
    }


def test_a_syntax_error_is_a_problem_with_its_line() -> None:
    parsed = parse_text('2026-07-01 * "Cafe" "coffee"\n  Expenses:Food  30.00 CNY CNY\n', JULY)
    assert [(p.filename, p.line) for p in parsed.problems] == [(JULY, 2)]


def test_paths_outside_a_client_folder_belong_to_no_client() -> None:
    assert client_of("ledgers/acme/main.beancount") == "acme"
    assert client_of("ledgers/acme/journal/2026/07.beancount") == "acme"
    assert client_of("clients.yaml") is None
    assert client_of("ledgers/readme.md") is None


def git(folder: Path, *args: str) -> None:
    """Run git quietly in a test repository."""
    subprocess.run(
        ["git", "-c", "user.name=T", "-c", "user.email=t@tests.invalid", *args],
        cwd=folder,
        check=True,
        capture_output=True,
    )


@pytest.fixture
def repo(tmp_path: Path) -> PracticeRepo:
    """A repository with two clients' month files and a clients.yaml, one commit."""
    (tmp_path / "ledgers/acme/journal/2026").mkdir(parents=True)
    (tmp_path / "ledgers/beta/journal/2026").mkdir(parents=True)
    (tmp_path / JULY).write_text(BASE)
    (tmp_path / "ledgers/beta/journal/2026/07.beancount").write_text(BASE)
    (tmp_path / "clients.yaml").write_text("clients: []\n")
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-q", "-m", "books")
    return PracticeRepo(tmp_path)


def test_changes_between_reads_only_the_changed_files(repo: PracticeRepo) -> None:
    root = repo.root
    (root / JULY).write_text(BASE.replace("30.00 CNY", "35.00 CNY").replace("-3030.00", "-3035.00"))
    (root / "ledgers/acme/journal/2026/08.beancount").write_text(
        '2026-08-01 * "Landlord" "rent"\n  Expenses:Rent  3000.00 CNY\n  Assets:Bank:CMB\n'
    )
    (root / "clients.yaml").write_text("clients: [acme]\n")
    (root / "ledgers/beta/journal/2026/07.beancount").write_text("garbage that never parses\n")
    result = diff(repo, repo.head(), None, ["acme"])
    assert result.also_changed == ("clients.yaml",)
    (acme,) = result.clients
    assert (acme.client, acme.added, acme.removed, acme.changed) == ("acme", 1, 0, 2)
    assert acme.files == (JULY, "ledgers/acme/journal/2026/08.beancount")
    nets = {(i.account, i.currency): i.net for i in acme.impact}
    assert nets == {
        ("Assets:Bank:CMB", "CNY"): Decimal(-3005),
        ("Expenses:Food", "CNY"): Decimal(5),
        ("Expenses:Rent", "CNY"): Decimal(3000),
    }
    with pytest.raises(ChangedFileError) as caught:
        diff(repo, repo.head(), None)
    assert {(p.filename, p.line) for p in caught.value.problems} == {
        ("ledgers/beta/journal/2026/07.beancount", 1)
    }


def test_changes_of_a_commit_and_from_the_empty_tree(repo: PracticeRepo) -> None:
    root = repo.root
    first = repo.head()
    (root / JULY).write_text(BASE.replace('"coffee"', '"tea"'))
    git(root, "commit", "-q", "-am", "tea")
    second = repo.head()
    assert second is not None
    assert repo.first_parent(second) == first
    (acme,) = changes_between(repo, first, second)
    assert [(c.kind, c.path) for c in acme.changes] == [("changed", JULY)]
    assert acme.impact == ()
    everything = changes_between(repo, None, second)
    assert [(c.client, c.added, c.removed, c.changed) for c in everything] == [
        ("acme", 3, 0, 0),
        ("beta", 3, 0, 0),
    ]
    assert repo.commit_of("HEAD~1") == first
    assert repo.commit_of("no-such-branch") is None


def test_textconv_of_a_reordered_file_is_the_same_and_ends_with_its_totals() -> None:
    entries = BASE.split("\n\n")
    reordered = "\n\n".join(reversed(entries)).replace("  Expenses:Rent", "  Expenses:Rent      ")
    assert canonical_text(JULY, reordered) == canonical_text(JULY, BASE)
    assert canonical_text(JULY, BASE).splitlines()[-3:] == [
        "; Assets:Bank:CMB  CNY  -3030.00",
        "; Expenses:Food    CNY     30.00",
        "; Expenses:Rent    CNY   3000.00",
    ]
    assert canonical_text(JULY, "not beancount\n") == "not beancount\n"


def test_the_driver_falls_back_to_the_raw_diff(tmp_path: Path) -> None:
    old, new = tmp_path / "old", tmp_path / "new"
    old.write_text(BASE)
    new.write_text(BASE + "2026-07-31 * oops\n")
    lines = external_diff([JULY, str(old), "0" * 40, "100644", str(new), "1" * 40, "100644"])
    assert lines[0] == f"diff --git a/{JULY} b/{JULY}"
    assert "+2026-07-31 * oops" in lines
    new.write_text(BASE.replace("coffee", "tea"))
    lines = external_diff([JULY, "/dev/null", "0" * 40, "100644", str(new), "1" * 40, "100644"])
    assert lines[0].startswith(f"beanfirm diff {JULY}: 3 added, 0 removed, 0 changed")


def test_bytes_that_are_not_utf8_are_a_problem_with_their_line() -> None:
    text = (BASE.encode() + b'2026-07-04 * "Caf\xe9" "latin-1"\n').decode(
        "utf-8", errors="surrogateescape"
    )
    parsed = parse_text(text, JULY)
    assert parsed.entries == ()
    assert [(p.line, p.message) for p in parsed.problems] == [
        (11, "this line is not UTF-8 text; Beancount reads ledgers as UTF-8")
    ]


def test_a_sale_from_a_lot_held_elsewhere_is_named_not_guessed() -> None:
    sale = """\
2026-07-20 * "Broker" "sell"
  Assets:Broker:Stock  -10 ACME {}
  Assets:Broker:Cash   1500.00 CNY
  Income:Gains
"""
    impact, uncounted = impact_between(
        parse_text(BASE, JULY).entries, parse_text(BASE + "\n" + sale, JULY).entries
    )
    assert impact == ()
    assert uncounted == [f"{JULY}:12"]


def test_a_clients_entry_in_the_registry_is_told_key_by_key(repo: PracticeRepo) -> None:
    root = repo.root
    (root / "clients.yaml").write_text(
        "firm: {name: F}\nclients:\n- id: acme\n  reviewer: ana\n  accounts: [{account: A}]\n"
        "- id: gone\n  reviewer: ana\n"
    )
    git(root, "commit", "-qam", "registry")
    (root / "clients.yaml").write_text(
        "firm: {name: F}\nclients:\n- id: acme\n  reviewer: bo\n  accounts: [{account: B}]\n"
        "- id: new\n  reviewer: ana\n"
    )
    result = diff(repo, repo.head(), None)
    assert result.also_changed == ("clients.yaml",)
    assert [(c.client, c.registry, c.changes) for c in result.clients] == [
        (
            "acme",
            ('accounts: [{"account": "A"}] -> [{"account": "B"}]', 'reviewer: "ana" -> "bo"'),
            (),
        ),
        ("gone", ("removed from clients.yaml",), ()),
        ("new", ("added to clients.yaml",), ()),
    ]
    assert [c.client for c in diff(repo, repo.head(), None, ["new"]).clients] == ["new"]
    (root / "clients.yaml").write_text("clients: [\n")
    with pytest.raises(ChangedFileError) as caught:
        diff(repo, repo.head(), None)
    assert [p.filename for p in caught.value.problems] == ["clients.yaml"]


def test_many_twins_each_pair_with_its_own_amount() -> None:
    old = "".join(
        f'2026-07-03 * "Amazon" "payout"\n  Assets:Bank  {n}.00 USD\n  Income:Sales\n\n'
        for n in range(1, 301)
    )
    changes = compare(old, old.replace('* "Amazon"', '! "Amazon"'))
    assert {c.kind for c in changes} == {"changed"}
    assert len(changes) == 300
    assert all(c.old.postings == c.new.postings for c in changes)  # type: ignore[union-attr]


def test_a_practice_in_a_folder_of_a_bigger_repository(tmp_path: Path) -> None:
    practice = tmp_path / "firm"
    (practice / "ledgers/acme/journal/2026").mkdir(parents=True)
    (practice / JULY).write_text(BASE)
    (tmp_path / "README").write_text("other work\n")
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-q", "-m", "books")
    (practice / JULY).write_text(BASE.replace("coffee", "tea"))
    (practice / AUGUST).write_text(BASE.replace("2026-07", "2026-08"))
    (tmp_path / "README").write_text("changed, outside the practice\n")
    repo = PracticeRepo(practice)
    result = diff(repo, repo.head(), None)
    assert result.also_changed == ()
    (acme,) = result.clients
    assert acme.files == (JULY, AUGUST)
    assert (acme.added, acme.changed) == (3, 1)
    git(tmp_path, "commit", "-q", "-am", "tea")
    (acme,) = changes_between(repo, repo.first_parent(repo.head() or ""), repo.head())
    assert acme.files == (JULY,)
