"""The `import.py` of docs/importers.md, run through beangulp's own command line.

The scripts are taken from the page as written, saved in a temporary folder beside an inbox
of OFX statements of two accounts of one bank, and run with this Python as a user would:
`identify` gives each file to its own account's importer, `extract` reads them, and
`extract -e` against a ledger that holds what was extracted extracts nothing new.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from beangulp_support import BAD_FILES, CHECKING_ID, JANUARY, SAVINGS, ofx

from beanfirm.errors import ConfigError
from beanfirm.ingest.importconfig import practice_importers

PAGE = Path(__file__).resolve().parent.parent / "docs" / "importers.md"
SAVINGS_ID = "000987654321"
OPENS = """\
2025-01-01 open Assets:Bank:Checking USD
2025-01-01 open Assets:Bank:Savings USD
2025-01-01 open Income:Uncategorized
2025-01-01 open Expenses:Uncategorized
"""


def page_script(marker: str) -> str:
    """Return the page's Python block that holds `marker`."""
    text = PAGE.read_text(encoding="utf-8")
    blocks: list[str] = re.findall(r"```python\n(.*?)```", text, re.DOTALL)
    (block,) = [b for b in blocks if marker in b]
    return block


def beangulp(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "import.py", *args],
        cwd=folder,
        capture_output=True,
        text=True,
        check=False,
        env={"PATH": "/usr/bin:/bin", "HOME": str(folder)},
    )


def inbox(folder: Path) -> Path:
    """Write the two accounts' statements into folder/inbox; return the inbox."""
    found = folder / "inbox"
    found.mkdir(parents=True)
    (found / "checking.ofx").write_text(ofx(CHECKING_ID, JANUARY), encoding="cp1252")
    (found / "savings.ofx").write_text(ofx(SAVINGS_ID, SAVINGS), encoding="cp1252")
    return found


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "import.py").write_text(page_script("CONFIG = ["), encoding="utf-8")
    (tmp_path / "importers").mkdir()
    (tmp_path / "importers" / "cmb.yaml").write_text("extends: cmb-debit\n", encoding="utf-8")
    inbox(tmp_path)
    return tmp_path


def identified(output: str) -> dict[str, str]:
    """Return beangulp identify's answer: file name -> importer name."""
    found = re.findall(r"^\* .*/(\S+) \.\.\. OK\n  (\S+)$", output, re.MULTILINE)
    return dict(found)


def transactions(text: str) -> list[str]:
    """Return the dated lines of extracted text that are not commented out."""
    return re.findall(r"^\d{4}-\d\d-\d\d .*$", text, re.MULTILINE)


def test_identify_gives_each_account_its_own_statements(folder: Path) -> None:
    result = beangulp(folder, "identify", "inbox")
    assert result.returncode == 0, result.stderr
    assert identified(result.stdout) == {
        "checking.ofx": "beanfirm.ofx:Assets:Bank:Checking",
        "savings.ofx": "beanfirm.ofx:Assets:Bank:Savings",
    }


def test_extract_e_extracts_nothing_the_ledger_holds(folder: Path) -> None:
    first = beangulp(folder, "extract", "inbox")
    assert first.returncode == 0, first.stderr
    extracted = transactions(first.stdout)
    assert len(extracted) == len(JANUARY) + len(SAVINGS) + 2  # rows, and a balance each
    (folder / "existing.beancount").write_text(OPENS + first.stdout, encoding="utf-8")

    again = beangulp(folder, "extract", "-e", "existing.beancount", "inbox")
    assert again.returncode == 0, again.stderr
    assert transactions(again.stdout) == []
    assert again.stdout.count("; duplicate of ") == len(extracted)
    commented = re.findall(r"^; (\d{4}-\d\d-\d\d .*)$", again.stdout, re.MULTILINE)
    assert commented == extracted

    # A longer statement of the same account: only its new row and balance come out.
    longer = (*JANUARY, ("20250128", "-12.00", "A-0004", "Bookshop"))
    (folder / "inbox" / "checking.ofx").write_text(ofx(CHECKING_ID, longer), encoding="cp1252")
    grown = beangulp(folder, "extract", "-e", "existing.beancount", "inbox")
    assert [" ".join(line.split()) for line in transactions(grown.stdout)] == [
        '2025-01-28 ! "Bookshop" ""',
        "2025-01-29 balance Assets:Bank:Checking 1066.60 USD",
    ]


def test_a_file_that_cannot_be_read_is_an_error_with_its_line(folder: Path) -> None:
    (folder / "inbox" / "truncated.ofx").write_bytes(BAD_FILES["truncated.ofx"])
    (folder / "inbox" / "junk.bin").write_bytes(BAD_FILES["junk.bin"])
    result = beangulp(folder, "extract", "inbox")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "truncated.ofx:" in result.stderr
    assert "is never closed: the file is truncated. Download it again." in result.stderr
    assert len(transactions(result.stdout)) == len(JANUARY) + len(SAVINGS) + 2


REGISTRY = """\
firm:
  name: Test Firm
  staff:
    - {id: ana, name: Ana Partner, email: ana@firm.example, role: partner}
    - {id: bo, name: Bo Preparer, email: bo@firm.example, role: preparer}
clients:
  - id: huamei-retail
    name: Huamei Retail
    classification: {industry: retail, frequency: high, region: shanghai, size: micro}
    preparer: bo
    reviewer: ana
    currency: USD
    accounts:
      - {account: "Assets:Bank:Checking", kind: bank, importer: ofx, number: "000123456789"}
      - {account: "Assets:Bank:Savings", kind: bank, importer: ofx, number: "000987654321"}
"""


def practice(tmp_path: Path, registry: str = REGISTRY) -> Path:
    """A practice with the one client; return the client's folder."""
    (tmp_path / "clients.yaml").write_text(registry, encoding="utf-8")
    client = tmp_path / "ledgers" / "huamei-retail"
    client.mkdir(parents=True)
    (client / "main.beancount").write_text(OPENS, encoding="utf-8")
    return client


def test_a_clients_import_py_takes_its_accounts_from_the_registry(tmp_path: Path) -> None:
    client = practice(tmp_path)
    (client / "import.py").write_text(page_script("practice_importers("), encoding="utf-8")
    inbox(client)
    result = beangulp(client, "identify", "inbox")
    assert result.returncode == 0, result.stderr
    assert identified(result.stdout) == {
        "checking.ofx": "beanfirm.ofx:Assets:Bank:Checking",
        "savings.ofx": "beanfirm.ofx:Assets:Bank:Savings",
    }


def test_a_csv_account_without_its_config_says_where_it_goes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("BEANFIRM_PRACTICE", raising=False)
    registry = REGISTRY + '      - {account: "Assets:Bank:CMB", kind: bank, importer: csv}\n'
    client = practice(tmp_path, registry)
    with pytest.raises(ConfigError) as raised:
        practice_importers("huamei-retail", client / "import.py")
    assert str(raised.value) == (
        "Assets:Bank:CMB of huamei-retail: its config file is missing: write "
        "ledgers/huamei-retail/importers/Assets/Bank/CMB.yaml (in the practice), a YAML file "
        "that names the export's columns by their header text, at least `columns: {date: …, "
        "amount: …}` and the `currency` (docs/importers.md, section 'The CSV/XLSX config'), "
        "and commit it."
    )
