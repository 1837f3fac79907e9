"""Each sample export, imported by its preset, must give exactly its golden ledger text.

The goldens were checked by eye against the samples (signs, refunds, skipped rows, balances).
Regenerate on purpose only: `.venv/bin/pytest tests/importers --regen-goldens`, then read
the diff.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from beancount.parser import parser

from beanfirm.core.ledgertext import entries_text
from beanfirm.errors import StatementError
from beanfirm.importers.csvconfig import CsvConfig
from beanfirm.importers.csvengine import StatementImporter, statement_entries
from beanfirm.importers.presets import PRESETS

SAMPLES = Path(__file__).parent / "samples"

# sample file -> (preset, account)
CASES: dict[str, tuple[str, str]] = {
    "cn-alipay.csv": ("alipay", "Assets:Alipay"),
    "cn-wechat.csv": ("wechat", "Assets:WeChat"),
    "cn-wechat.xlsx": ("wechat", "Assets:WeChat"),
    "cn-icbc-debit-v1.csv": ("icbc-debit", "Assets:Bank:ICBC"),
    "cn-icbc-debit-v2.csv": ("icbc-debit", "Assets:Bank:ICBC"),
    "cn-icbc-credit.csv": ("icbc-credit", "Liabilities:CreditCard:ICBC"),
    "cn-cmb-debit.csv": ("cmb-debit", "Assets:Bank:CMB"),
    "cn-cmb-credit.csv": ("cmb-credit", "Liabilities:CreditCard:CMB"),
    "cn-ccb-debit.xls": ("ccb-debit", "Assets:Bank:CCB"),
    "cn-boc-debit.csv": ("boc-debit", "Assets:Bank:BOC"),
    "cn-boc-credit.csv": ("boc-credit", "Liabilities:CreditCard:BOC"),
    "cn-bocom-debit.csv": ("bocom-debit", "Assets:Bank:BOCOM"),
    "cn-bocom-credit.csv": ("bocom-credit", "Liabilities:CreditCard:BOCOM"),
    "cn-abc-debit.csv": ("abc-debit", "Assets:Bank:ABC"),
    "cn-jd.csv": ("jd", "Assets:JD"),
    "us-csvbank.csv": ("chase", "Assets:Bank:Chase"),
    "es-csb43.csv": ("csb43", "Assets:Bank:ES"),
    "cn-cgb-credit.csv": ("cgb-credit", "Liabilities:CreditCard:CGB"),
    "cn-citic-credit.xls": ("citic-credit", "Liabilities:CreditCard:CITIC"),
    "cn-spdb-debit.xls": ("spdb-debit", "Assets:Bank:SPDB"),
    "cn-meituan.csv": ("meituan", "Assets:Meituan"),
    "ca-td.csv": ("td-debit", "Assets:Bank:TD"),
    "ca-bmo-credit.csv": ("bmo-credit", "Liabilities:CreditCard:BMO"),
    "ca-bmo-debit.csv": ("bmo-debit", "Assets:Bank:BMO"),
    "hk-hsbc-credit.csv": ("hsbc-hk-credit", "Liabilities:CreditCard:HSBC"),
    "hk-hsbc-debit.csv": ("hsbc-hk-debit", "Assets:Bank:HSBC"),
    "cn-alipay-pc.csv": ("alipay-pc", "Assets:Alipay"),
    "cn-bocom-maidanba.csv": ("bocom-maidanba", "Liabilities:CreditCard:BOCOM"),
}
# Fixtures written for beanfirm from the public layouts, with invented data (ATTRIBUTION.md):
# not copies of the shared samples.
WRITTEN_HERE = frozenset(("cn-alipay-pc.csv", "cn-bocom-maidanba.csv"))


# Synthetic samples whose balance columns do not follow from their amounts (ATTRIBUTION.md): a
# real export's do, and the import checks them (`running-balance`); these are read without.
UNCHAINED: dict[str, int] = {  # sample -> the line where its chain breaks
    "ca-td.csv": 2,
    "cn-abc-debit.csv": 3,
    "cn-bocom-debit.csv": 6,
    "cn-ccb-debit.xls": 10,
    "cn-cmb-debit.csv": 4,
    "cn-icbc-credit.csv": 14,
    "hk-hsbc-debit.csv": 7,
}


def sample_config(sample: str) -> CsvConfig:
    """Return the config a sample is read with (its preset; unchecked balances if synthetic)."""
    config = PRESETS[CASES[sample][0]]
    return replace(config, running_balance=False) if sample in UNCHAINED else config


def golden_text(sample: str) -> str:
    """Return what the golden file of a sample must hold."""
    preset, account = CASES[sample]
    importer = StatementImporter(sample_config(sample), account)
    statement = importer.read(str(SAMPLES / sample))
    head = [
        f";; {sample}: preset {preset}, account {account}",
        *([f";; account number: {statement.account_number}"] if statement.account_number else []),
        *(f";; skipped line {s.line}: {s.reason}" for s in statement.skipped),
        "",
    ]
    return "\n".join(head) + "\n" + entries_text(statement_entries(statement, account))


@pytest.mark.parametrize("sample", sorted(CASES))
def test_sample_imports_exactly(sample: str, request: pytest.FixtureRequest) -> None:
    golden = SAMPLES / f"{sample}.beancount"
    text = golden_text(sample)
    if request.config.getoption("--regen-goldens"):
        golden.write_text(text, encoding="utf-8")
    assert golden.read_text(encoding="utf-8") == text


@pytest.mark.parametrize("sample", sorted(UNCHAINED))
def test_a_synthetic_sample_fails_the_running_balance_check(sample: str) -> None:
    preset, account = CASES[sample]
    with pytest.raises(StatementError) as raised:
        StatementImporter(PRESETS[preset], account).read(str(SAMPLES / sample))
    assert f"{sample}:{UNCHAINED[sample]}: the running balance breaks" in str(raised.value)


@pytest.mark.parametrize("sample", sorted(CASES))
def test_golden_is_valid_ledger_text(sample: str) -> None:
    _, errors, _ = parser.parse_string((SAMPLES / f"{sample}.beancount").read_text("utf-8"))
    assert errors == []


@pytest.mark.parametrize("sample", sorted(CASES))
def test_only_its_preset_identifies_a_sample(sample: str) -> None:
    claiming = [
        name
        for name, config in PRESETS.items()
        if StatementImporter(config, "Assets:X").identify(str(SAMPLES / sample))
    ]
    assert claiming == [CASES[sample][0]]


def test_wechat_csv_and_xlsx_give_the_same_entries() -> None:
    def body(sample: str) -> str:
        return golden_text(sample).split("\n\n", 1)[1]

    assert body("cn-wechat.csv") == body("cn-wechat.xlsx")


def test_icbc_layout_versions_give_the_same_import_ids() -> None:
    importer = StatementImporter(PRESETS["icbc-debit"], "Assets:Bank:ICBC")
    v1 = importer.read(str(SAMPLES / "cn-icbc-debit-v1.csv"))
    v2 = importer.read(str(SAMPLES / "cn-icbc-debit-v2.csv"))
    assert [r.import_id for r in v1.rows] == [r.import_id for r in v2.rows]


def test_samples_are_unchanged_copies() -> None:
    shared = Path(__file__).parents[3] / "shared" / "samples" / "bank-exports"
    if not shared.is_dir():
        pytest.skip("the shared samples folder is not next to the repository")
    for sample in CASES.keys() - WRITTEN_HERE:
        assert (SAMPLES / sample).read_bytes() == (shared / sample).read_bytes(), sample
