"""beanfirm's importers as beangulp and Fava call them: never raising, one account each, dedup.

Fava's import page and beangulp's command line ask `identify`, `account`, `date` and
`filename` of every file in a folder; each must answer for a damaged or foreign file without
raising. Two importers of one format tell their files apart by the account number the file
states, and `deduplicate` marks what the existing entries hold by `import-id`.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from pathlib import Path

import pytest
from beancount.core import data
from beangulp.exceptions import Error as BeangulpError
from beangulp.extract import DUPLICATE
from beangulp_support import BAD_FILES, CHECKING_ID, JANUARY, SAVINGS, bad_folder, ofx

from beanfirm.importers.camt053 import Camt053Importer
from beanfirm.importers.csvconfig import load_config
from beanfirm.importers.csvengine import StatementImporter
from beanfirm.importers.importer import BeanfirmImporter
from beanfirm.importers.mt940 import Mt940Importer
from beanfirm.importers.ofx import OfxImporter
from beanfirm.importers.presets import PRESETS

CHECKING = "Assets:Bank:Checking"
SAVINGS_ACCOUNT = "Assets:Bank:Savings"
SAVINGS_NUMBER = "000987654321"


def importers() -> list[BeanfirmImporter]:
    """One importer of each kind, some with an account number and some without."""
    return [
        OfxImporter(CHECKING, number=CHECKING_ID),
        OfxImporter("Assets:Bank:Other"),
        Camt053Importer("Assets:Bank:Camt", number="DE89370400440532013000"),
        Mt940Importer("Assets:Bank:Mt940"),
        StatementImporter(PRESETS["alipay"], "Assets:Alipay", number="1234"),
        StatementImporter(PRESETS["td-debit"], "Assets:Bank:TD"),
    ]


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_identify_account_date_filename_never_raise(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    path = str(bad_folder(tmp_path, monkeypatch)[name])
    for importer in importers():
        claimed = importer.identify(path)
        assert importer.account(path) == importer.importer_account
        assert importer.date(path) is None, importer.name
        assert importer.filename(path) is None
        if claimed:  # the format is recognised: extract says why it cannot be read
            with pytest.raises(BeangulpError, match=name):
                importer.extract(path, [])
    if name == "unreadable.ofx":
        ofx_importer = importers()[0]
        assert not ofx_importer.identify(path)
        assert "Permission denied" in ofx_importer.problems[path]


def test_a_damaged_file_of_the_format_is_claimed_and_the_reason_kept(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "truncated.ofx"
    path.write_bytes(BAD_FILES["truncated.ofx"])
    importer = OfxImporter(CHECKING, number=CHECKING_ID)
    assert importer.identify(str(path))  # so that extract says what is wrong with it
    assert importer.date(str(path)) is None
    assert "truncated.ofx" in importer.problems[str(path)]
    assert f"beanfirm.ofx:{CHECKING} cannot date" in caplog.text
    with pytest.raises(BeangulpError) as raised:
        importer.extract(str(path), [])
    assert str(raised.value).startswith(f"{path}")


def pair() -> tuple[OfxImporter, OfxImporter]:
    """Two accounts of one bank, both OFX, each with its registered number."""
    return (
        OfxImporter(CHECKING, number=CHECKING_ID, rivals=(SAVINGS_NUMBER,)),
        OfxImporter(SAVINGS_ACCOUNT, number=SAVINGS_NUMBER, rivals=(CHECKING_ID,)),
    )


def test_two_accounts_of_one_format_each_claim_their_own_files(tmp_path: Path) -> None:
    checking, savings = pair()
    assert checking.name == "beanfirm.ofx:Assets:Bank:Checking"
    assert savings.name == "beanfirm.ofx:Assets:Bank:Savings"
    ours = tmp_path / "checking.ofx"
    ours.write_text(ofx(CHECKING_ID, JANUARY), encoding="cp1252")
    theirs = tmp_path / "savings.ofx"
    theirs.write_text(ofx("9876-54321", SAVINGS), encoding="cp1252")  # as written, separators
    stranger = tmp_path / "stranger.ofx"
    stranger.write_text(ofx("555000111", JANUARY), encoding="cp1252")
    assert [checking.identify(str(ours)), savings.identify(str(ours))] == [True, False]
    assert [checking.identify(str(theirs)), savings.identify(str(theirs))] == [False, True]
    assert not checking.identify(str(stranger))
    assert not savings.identify(str(stranger))
    # Without a registered number, an importer claims every file of its format, as before.
    assert OfxImporter(CHECKING).identify(str(stranger))


def test_an_exact_number_beats_one_that_is_only_its_suffix(tmp_path: Path) -> None:
    numbers = ("NL71RABO0123456789", "0123456789", "123456789")
    accounts = [
        OfxImporter(f"Assets:Bank:N{i}", number=n, rivals=tuple(o for o in numbers if o != n))
        for i, n in enumerate(numbers)
    ]
    for stated, owner in (("NL71RABO0123456789", 0), ("0123456789", 1), ("123456789", 2)):
        path = tmp_path / f"{stated}.ofx"
        path.write_text(ofx(stated, JANUARY), encoding="cp1252")
        assert [a.identify(str(path)) for a in accounts] == [i == owner for i in range(3)]
    masked = tmp_path / "masked.ofx"
    masked.write_text(ofx("****6789", JANUARY), encoding="cp1252")
    assert all(a.identify(str(masked)) for a in accounts)  # a tail cannot tell them apart


def ids(entries: list[data.Directive]) -> list[str]:
    return [str(e.meta["import-id"]) for e in entries if isinstance(e, data.Transaction)]


def marked(entries: list[data.Directive]) -> list[data.Directive]:
    return [entry for entry in entries if DUPLICATE in entry.meta]


def test_deduplicate_marks_what_the_ledger_holds_by_import_id(tmp_path: Path) -> None:
    checking, savings = pair()
    path = tmp_path / "checking.ofx"
    path.write_text(ofx(CHECKING_ID, JANUARY), encoding="cp1252")
    existing = checking.extract(str(path), [])
    assert ids(existing) == ["A-0001", "A-0002", "A-0003"]
    again = checking.extract(str(path), existing)
    checking.deduplicate(again, existing)
    assert marked(again) == again  # every transaction and the balance assertion
    assert [entry.meta[DUPLICATE] for entry in again] == existing

    # A longer statement: only its new row and new balance are left unmarked.
    longer = (*JANUARY, ("20250128", "-12.00", "A-0004", "Bookshop"))
    path.write_text(ofx(CHECKING_ID, longer), encoding="cp1252")
    grown = checking.extract(str(path), existing)
    checking.deduplicate(grown, existing)
    unmarked = [entry for entry in grown if DUPLICATE not in entry.meta]
    assert ids(unmarked) == ["A-0004"]
    assert [type(entry) for entry in unmarked] == [data.Transaction, data.Balance]

    # The same id booked on another account is not this account's row.
    savings_rows = savings.extract(str(path), [])
    savings.deduplicate(savings_rows, existing)
    assert marked(savings_rows) == []


def test_a_transfer_booked_from_the_other_side_holds_this_rows_id(tmp_path: Path) -> None:
    checking, _ = pair()
    path = tmp_path / "checking.ofx"
    path.write_text(ofx(CHECKING_ID, JANUARY[:1]), encoding="cp1252")
    transfer = data.Transaction(
        data.new_metadata("ledger.beancount", 12, {"import-id": "S-9", "import-id-2": "A-0001"}),
        datetime.date(2025, 1, 6),
        "*",
        "Harbor Freight Co",
        "",
        frozenset(),
        frozenset(),
        [
            data.Posting(SAVINGS_ACCOUNT, None, None, None, None, None),
            data.Posting(CHECKING, None, None, None, None, None),
        ],
    )
    entries = checking.extract(str(path), [])
    checking.deduplicate(entries, [transfer])
    (row,) = [entry for entry in entries if isinstance(entry, data.Transaction)]
    assert row.meta[DUPLICATE] is transfer


@pytest.mark.parametrize("as_text", [str, Path], ids=["str", "Path"])
def test_load_config_takes_a_str_path_and_beanfirm_presets(
    tmp_path: Path, as_text: Callable[[Path], str | Path]
) -> None:
    path = tmp_path / "cmb.yaml"
    path.write_text("extends: icbc-debit\nname: our-icbc\n", encoding="utf-8")
    config = load_config(as_text(path))
    assert config.name == "our-icbc"
    assert config.amount_in == PRESETS["icbc-debit"].amount_in
