"""The account-number hook: what an export states against clients.yaml's `number:`."""

from __future__ import annotations

from pathlib import Path

import pytest

from beanfirm.importers import IMPORTER_NAMES
from beanfirm.importers.accountnumber import account_number_equals, account_number_matches
from beanfirm.importers.camt053 import Camt053Importer
from beanfirm.importers.csvengine import StatementImporter
from beanfirm.importers.importer import BeanfirmImporter
from beanfirm.importers.mt940 import Mt940Importer
from beanfirm.importers.ofx import OfxImporter
from beanfirm.importers.presets import PRESETS

SAMPLES = Path(__file__).parent / "samples"


@pytest.mark.parametrize(
    ("found", "expected"),
    [
        ("6222021234567899876", "6222 0212 3456 7899 876"),
        ("1234****9876", "12345678909876"),
        ("1234****9876", "1234 5678 9876"),
        ("12345678909876", "1234****9876"),
        ("xxxxx*********xxxx", "6222021234567899876"),
        ("6222021234567899876", "9876"),
        ("37040044/0532013000", "0532013000"),
        ("10020030/1234567890", "DE89100200301234567890"),
        ("CH93 0076 2011 6238 5295 7", "ch9300762011623852957"),
        ("'5191230567984561'", "5191-2305-6798-4561"),
        ("1234****9876", "1234***9876"),
    ],
)
def test_numbers_of_one_account_match(found: str, expected: str) -> None:
    assert account_number_matches(found, expected)


@pytest.mark.parametrize(
    ("found", "expected"),
    [
        ("6222021234567899876", "6222021234567891111"),
        ("1234****9876", "12345678901111"),
        ("1234****9876", "99995678909876"),
        ("6222021234567899876", "876"),
        ("DE89370400440532013000", "DE02120300000000202051"),
        ("", "1234"),
        ("1234", ""),
        ("1234****9876", "5555****9876"),
    ],
)
def test_numbers_of_other_accounts_do_not(found: str, expected: str) -> None:
    assert not account_number_matches(found, expected)


@pytest.mark.parametrize(
    ("found", "expected", "equal"),
    [
        ("NL02 ABNA 0987 6543 21", "nl02abna0987654321", True),
        ("NL02ABNA0987654321", "0987654321", False),
        ("0987654321", "987654321", False),
        ("1234****9876", "1234****9876", False),
        ("", "", False),
    ],
)
def test_an_exact_number_is_told_from_a_suffix(found: str, expected: str, equal: bool) -> None:
    assert account_number_equals(found, expected) is equal


@pytest.mark.parametrize(
    ("importer", "sample", "number"),
    [
        (
            StatementImporter(PRESETS["icbc-debit"], "Assets:Bank"),
            "cn-icbc-debit-v1.csv",
            "1234****9876",
        ),
        (
            StatementImporter(PRESETS["spdb-debit"], "Assets:Bank"),
            "cn-spdb-debit.xls",
            "6200000000001230",
        ),
        (StatementImporter(PRESETS["alipay"], "Assets:Alipay"), "cn-alipay.csv", None),
        (OfxImporter("Liabilities:Amex"), "us-ofxdownload.ofx", "379700001111222"),
    ],
)
def test_every_importer_has_the_hook(
    importer: BeanfirmImporter, sample: str, number: str | None
) -> None:
    assert importer.account_number(str(SAMPLES / sample)) == number
    assert importer.read(str(SAMPLES / sample)).account_number == number


def test_every_registered_name_is_a_preset_or_a_format() -> None:
    formats = {"ofx": OfxImporter, "camt053": Camt053Importer, "mt940": Mt940Importer}
    for name in IMPORTER_NAMES:
        assert name == "csv" or name in PRESETS or name in formats, name
    for name in PRESETS:
        assert name in IMPORTER_NAMES, name
    for name, cls in formats.items():
        assert cls("Assets:Bank").name == f"beanfirm.{name}:Assets:Bank"
