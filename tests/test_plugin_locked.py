"""The `locked` plugin: any change to an entry dated in a locked period is an error; nothing else."""

from __future__ import annotations

import datetime
import re
import subprocess
from pathlib import Path

import pytest
from beancount import loader
from plugin_support import BEAN_CHECK, found, ledger

from beanfirm.core.journal import aligned
from beanfirm.plugins.seal import seal
from beanfirm.review.locks import period_digest
from beanfirm.store.ledger import load_until_plugin

MAIN = ledger(
    """
    option "operating_currency" "CNY"
    plugin "beanfirm.plugins.locked"
    plugin "beanfirm.plugins.duplicates"
    include "accounts.beancount"
    include "journal/*.beancount"
    include "locks.beancount"
    """
)
ACCOUNTS = ledger(
    """
    2026-01-01 open Assets:Bank:CMB CNY
    2026-01-01 open Expenses:Office
    2026-01-01 open Expenses:Travel
    2026-01-01 open Income:Sales
    """
)
SEPTEMBER = ledger(
    """
    2026-09-03 * "Didi" "Taxi to the customer"
      visit: "V-17"
      Expenses:Travel                                                   43.00 CNY
      Assets:Bank:CMB

    2026-09-20 * "Acme" "Invoice paid" ^INV-2026-0009
      Assets:Bank:CMB                                                 1200.00 CNY
      Income:Sales

    2026-09-30 balance Assets:Bank:CMB                                1157.00 CNY
    """
)
OCTOBER = ledger(
    """
    2026-10-08 * "Deli" "Paper and toner" #office
      Expenses:Office                                                   88.50 CNY
      Assets:Bank:CMB
    """
)
NOVEMBER = ledger(
    """
    2026-11-02 * "Didi" "Taxi"
      Expenses:Travel                                                   20.00 CNY
      Assets:Bank:CMB
    """
)


def books(folder: Path, locks: str = "", **months: str) -> Path:
    """Write a ledger of three month files (September to November) and its locks."""
    journal = folder / "journal"
    journal.mkdir(parents=True, exist_ok=True)
    for path in journal.glob("*.beancount"):
        path.unlink()
    (folder / "main.beancount").write_text(MAIN, encoding="utf-8")
    (folder / "accounts.beancount").write_text(ACCOUNTS, encoding="utf-8")
    texts = {"2026-09": SEPTEMBER, "2026-10": OCTOBER, "2026-11": NOVEMBER}
    texts.update({key.replace("_", "-"): value for key, value in months.items()})
    for month, text in texts.items():
        (journal / f"{month}.beancount").write_text(text, encoding="utf-8")
    (folder / "locks.beancount").write_text(locks, encoding="utf-8")
    return folder / "main.beancount"


def lock_text(main: Path, through: str, by: str = "wang") -> str:
    """Seal the ledger as the plugin sees it, as `beanfirm lock` does."""
    seen = load_until_plugin(main, "beanfirm.plugins.locked")
    sealed = seal(seen.entries, datetime.date.fromisoformat(through), str(main.parent))
    return (
        f'{through} custom "beanfirm-lock" "{sealed.digest}"\n'
        f'  by: "{by}"\n  months: "{sealed.months_text}"\n'
    )


def errors_of(main: Path) -> list[tuple[str, int, str]]:
    _entries, errors, _options = loader.load_file(str(main))  # as Fava loads a ledger
    return found(errors)


@pytest.fixture
def locked_books(tmp_path: Path) -> tuple[Path, str]:
    """Books locked through October; the lock text."""
    main = books(tmp_path)
    lock = lock_text(main, "2026-10-31")
    books(tmp_path, lock)
    assert errors_of(main) == []
    return main, lock


EDITS = {
    "amount": (
        "2026-09",
        SEPTEMBER.replace("43.00 CNY", "34.00 CNY"),
        "an entry of 2026-09 was edited",
    ),
    "narration": (
        "2026-10",
        OCTOBER.replace("Paper and toner", "Paper"),
        "an entry of 2026-10 was edited",
    ),
    "metadata": (
        "2026-09",
        SEPTEMBER.replace('"V-17"', '"V-18"'),
        "an entry of 2026-09 was edited",
    ),
    "tag": ("2026-10", OCTOBER.replace(" #office", ""), "an entry of 2026-10 was edited"),
    "link": ("2026-09", SEPTEMBER.replace(" ^INV-2026-0009", ""), "an entry of 2026-09 was edited"),
    "flag": (
        "2026-10",
        OCTOBER.replace('08 * "Deli"', '08 ! "Deli"'),
        "an entry of 2026-10 was edited",
    ),
    "deleted": (
        "2026-10",
        "",
        "2026-10 holds 0 entries where the lock sealed 1",
    ),
    "balance": (
        "2026-09",
        SEPTEMBER.replace("2026-09-30 balance", "2026-09-29 balance"),
        "an entry of 2026-09 was edited",
    ),
}


@pytest.mark.parametrize("edit", sorted(EDITS))
def test_an_edit_in_a_locked_month_is_an_error_naming_the_lock_and_month(
    locked_books: tuple[Path, str], edit: str
) -> None:
    main, lock = locked_books
    month, text, says = EDITS[edit]
    books(main.parent, lock, **{month.replace("-", "_"): text})
    errors = [error for error in errors_of(main) if error[0] == "LockedError"]
    assert len(errors) == 1, errors
    _kind, line, message = errors[0]
    assert line == 1  # the lock's line in locks.beancount
    assert message.startswith("The books through 2026-10-31 are locked (by wang) but changed since")
    assert says in message, message
    assert "beanfirm reopen CLIENT --through 2026-10-31" in message


def test_an_entry_back_dated_into_the_lock_is_an_error(locked_books: tuple[Path, str]) -> None:
    main, lock = locked_books
    back_dated = NOVEMBER + ledger(
        """
        2026-10-31 * "Didi" "Taxi, booked late"
          Expenses:Travel                                                   15.00 CNY
          Assets:Bank:CMB
        """
    )
    books(main.parent, lock, **{"2026_11": back_dated})
    (error,) = errors_of(main)
    assert error[0] == "LockedError"
    assert "2026-10 holds 2 entries where the lock sealed 1" in error[2]


def test_an_entry_after_the_lock_is_never_affected(locked_books: tuple[Path, str]) -> None:
    main, lock = locked_books
    books(main.parent, lock, **{"2026_11": NOVEMBER.replace("20.00", "25.00")})
    assert errors_of(main) == []


def test_moving_an_entry_to_another_file_or_reordering_is_not_a_change(
    locked_books: tuple[Path, str],
) -> None:
    main, lock = locked_books
    taxi, invoice, balance = SEPTEMBER.split("\n\n")
    books(
        main.parent,
        lock,
        **{"2026_09": invoice + "\n\n" + balance, "2026_11": NOVEMBER + "\n" + taxi + "\n"},
    )
    assert errors_of(main) == []
    # postings in another order, entries in another order, comments added
    reordered = ledger(
        """
        ; re-ordered by hand
        2026-09-30 balance Assets:Bank:CMB                                1157.00 CNY
        2026-09-20 * "Acme" "Invoice paid" ^INV-2026-0009
          Income:Sales
          Assets:Bank:CMB                                                 1200.00 CNY
        2026-09-03 * "Didi" "Taxi to the customer"
          visit: "V-17"
          Assets:Bank:CMB                                                 -43.00 CNY
          Expenses:Travel                                                   43.00 CNY
        """
    )
    books(main.parent, lock, **{"2026_09": reordered})
    assert errors_of(main) == []


def test_realigning_a_locked_month_is_not_a_change(locked_books: tuple[Path, str]) -> None:
    main, lock = locked_books
    squeezed = re.sub(r"(?m)^(  \S+) +(\S+) (CNY)$", r"\1 \2 \3", SEPTEMBER)
    assert squeezed != SEPTEMBER
    books(main.parent, lock, **{"2026_09": squeezed})
    assert errors_of(main) == []
    realigned = re.sub(r"(?m)^(  \S+) +(\S+) (CNY)$", lambda m: aligned(m[1], m[2], m[3]), squeezed)
    books(main.parent, lock, **{"2026_09": realigned})
    assert errors_of(main) == []


def test_an_earlier_lock_is_still_checked_and_a_reopen_lifts_only_its_lock(tmp_path: Path) -> None:
    main = books(tmp_path)
    locks = lock_text(main, "2026-09-30") + "\n" + lock_text(main, "2026-10-31", by="li")
    books(tmp_path, locks)
    assert errors_of(main) == []
    edited = SEPTEMBER.replace("43.00 CNY", "44.00 CNY").replace("1157.00", "1156.00")
    books(tmp_path, locks, **{"2026_09": edited})
    assert [(kind, line) for kind, line, _message in errors_of(main)] == [
        ("LockedError", 1),
        ("LockedError", 5),
    ]
    reopen = '\n2026-12-02 custom "beanfirm-reopen" 2026-10-31 "bank corrected"\n  by: "chen"\n'
    books(tmp_path, locks + reopen, **{"2026_09": edited})
    ((kind, line, message),) = errors_of(main)
    assert (kind, line) == ("LockedError", 1)
    assert "through 2026-09-30" in message
    # October is open again: an edit of October alone is no error
    books(tmp_path, locks + reopen, **{"2026_10": OCTOBER.replace("88.50", "85.80")})
    assert errors_of(main) == []


def test_a_lock_of_the_same_day_after_a_reopen_seals_again(tmp_path: Path) -> None:
    main = books(tmp_path)
    old = lock_text(main, "2026-10-31")
    reopen = '\n2026-12-02 custom "beanfirm-reopen" 2026-10-31 "bank corrected"\n  by: "chen"\n'
    corrected = OCTOBER.replace("88.50", "85.80")
    books(tmp_path, old + reopen, **{"2026_10": corrected})
    relock = lock_text(main, "2026-10-31")
    books(tmp_path, old + reopen + "\n" + relock, **{"2026_10": corrected})
    assert errors_of(main) == []
    books(tmp_path, old + reopen + "\n" + relock)  # back to the first October: sealed again
    assert [kind for kind, _line, _message in errors_of(main)] == ["LockedError"]


@pytest.mark.parametrize(
    ("directive", "says"),
    [
        ('2026-10-31 custom "beanfirm-lock" "sha256:abc"\n  by: "wang"\n', "not in the form"),
        ('2026-10-31 custom "beanfirm-lock" "sha256:' + "0" * 64 + '"\n', "has no `by:"),
        ('2026-12-01 custom "beanfirm-reopen" 2026-10-31 "why"\n', "not in the form"),
        ('2026-12-01 custom "beanfirm-reopen" 2026-08-31 "why"\n  by: "chen"\n', "no lock"),
    ],
)
def test_a_lock_or_reopen_written_wrong_is_an_error(
    tmp_path: Path, directive: str, says: str
) -> None:
    main = books(tmp_path, directive)
    ((kind, line, message),) = errors_of(main)
    assert (kind, line) == ("LockedError", 1)
    assert says in message


def test_partners_configured_a_reopen_by_anyone_else_reopens_nothing(tmp_path: Path) -> None:
    main = books(tmp_path)
    lock = lock_text(main, "2026-10-31")
    reopen = '\n2026-12-02 custom "beanfirm-reopen" 2026-10-31 "I say so"\n  by: "bo"\n'
    books(tmp_path, lock + reopen, **{"2026_10": ""})
    text = main.read_text(encoding="utf-8")
    main.write_text(
        text.replace(
            'plugin "beanfirm.plugins.locked"',
            "plugin \"beanfirm.plugins.locked\" \"{'partners': ['chen']}\"",
        ),
        encoding="utf-8",
    )
    messages = sorted(message for _kind, _line, message in errors_of(main))
    assert len(messages) == 2, messages
    assert "holds 0 entries where the lock sealed 1" in messages[0]
    assert "by 'bo', who is not a partner (chen)" in messages[1]


def test_bean_check_reports_the_edit_and_exits_1(locked_books: tuple[Path, str]) -> None:
    main, lock = locked_books
    books(main.parent, lock, **{"2026_09": SEPTEMBER.replace("43.00 CNY", "34.00 CNY")})
    proc = subprocess.run([str(BEAN_CHECK), str(main)], capture_output=True, text=True, check=False)
    assert proc.returncode == 1
    assert "locks.beancount:1: The books through 2026-10-31 are locked" in proc.stderr + proc.stdout


def test_the_digest_does_not_depend_on_where_the_ledger_is(tmp_path: Path) -> None:
    document = '2026-09-30 document Assets:Bank:CMB "statements/2026-09.pdf"\n'
    first = books(tmp_path / "a", **{"2026_09": SEPTEMBER + "\n" + document})
    second = books(tmp_path / "b", **{"2026_09": SEPTEMBER + "\n" + document})
    assert lock_text(first, "2026-10-31") == lock_text(second, "2026-10-31")
    entries, _errors, _options = loader.load_file(str(first))
    assert period_digest(entries, datetime.date(2026, 10, 31)).startswith("sha256:")
