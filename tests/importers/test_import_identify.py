"""Exactly one importer, of all presets and statement formats, claims each sample."""

from __future__ import annotations

from pathlib import Path

import pytest

from beanfirm.importers.camt053 import Camt053Importer
from beanfirm.importers.csvengine import StatementImporter
from beanfirm.importers.importer import BeanfirmImporter
from beanfirm.importers.mt940 import Mt940Importer
from beanfirm.importers.ofx import OfxImporter
from beanfirm.importers.presets import PRESETS

SAMPLES = Path(__file__).parent / "samples"
EXPORTS = sorted(p.name for p in SAMPLES.iterdir() if p.suffix not in (".beancount", ".md"))

CAMT = (
    '<?xml version="1.0"?><Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">'
    "<BkToCstmrStmt><Stmt/></BkToCstmrStmt></Document>\n"
)
MT940 = ":20:REF\n:25:NL91ABNA0417164300\n:60F:C240101EUR1,00\n:62F:C240101EUR1,00\n-\n"


def importers() -> dict[str, BeanfirmImporter]:
    found: dict[str, BeanfirmImporter] = {
        name: StatementImporter(config, "Assets:X") for name, config in PRESETS.items()
    }
    found.update(
        ofx=OfxImporter("Assets:X"),
        camt053=Camt053Importer("Assets:X"),
        mt940=Mt940Importer("Assets:X"),
    )
    return found


def claiming(path: Path) -> list[str]:
    return [name for name, importer in importers().items() if importer.identify(str(path))]


@pytest.mark.parametrize("sample", EXPORTS)
def test_each_sample_has_exactly_one_importer(sample: str) -> None:
    assert len(claiming(SAMPLES / sample)) == 1, claiming(SAMPLES / sample)


def test_the_ofx_sample_is_claimed_by_ofx() -> None:
    assert claiming(SAMPLES / "us-ofxdownload.ofx") == ["ofx"]


@pytest.mark.parametrize(("text", "name"), [(CAMT, "camt053"), (MT940, "mt940")])
def test_statement_formats_are_claimed_only_by_their_importer(
    tmp_path: Path, text: str, name: str
) -> None:
    path = tmp_path / "statement.dat"
    path.write_text(text, encoding="utf-8")
    assert claiming(path) == [name]
