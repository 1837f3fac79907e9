"""Fava's import page with beanfirm's importers: a broken file in `import-dirs` breaks nothing.

Fava asks every importer of its `import-config` to `identify` every file of its `import-dirs`,
then the claiming ones for the file's `account`, `date` and `filename`; one exception from
any of them turned the whole page into an error. The inbox here holds two good statements of
two accounts of one bank (both OFX) beside junk, truncated, undecodable and unreadable files.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from beangulp_support import BAD_FILES, CHECKING_ID, JANUARY, SAVINGS, bad_folder, ofx
from fava.application import create_app

LEDGER = """\
option "title" "Import page"
option "operating_currency" "USD"
2025-01-01 custom "fava-option" "import-config" "import.py"
2025-01-01 custom "fava-option" "import-dirs" "inbox"
2025-01-01 open Assets:Bank:Checking USD
2025-01-01 open Assets:Bank:Savings USD
2025-01-01 open Assets:Alipay CNY
2025-01-01 open Income:Uncategorized
2025-01-01 open Expenses:Uncategorized
"""

IMPORT_CONFIG = """\
from beanfirm.importers.csvengine import StatementImporter
from beanfirm.importers.ofx import OfxImporter
from beanfirm.importers.presets import PRESETS

CONFIG = [
    OfxImporter("Assets:Bank:Checking", number="000123456789", rivals=("000987654321",)),
    OfxImporter("Assets:Bank:Savings", number="000987654321", rivals=("000123456789",)),
    StatementImporter(PRESETS["alipay"], "Assets:Alipay"),
]
"""


def imports(tmp_path: Path) -> list[dict[str, Any]]:
    """Serve the ledger with Fava and return what its import page lists, by file name."""
    app = create_app([str(tmp_path / "main.beancount")], load=True, read_only=False)
    app.testing = True
    client = app.test_client()
    slug = str(client.get("/").headers["Location"]).split("/")[1]
    response = client.get(f"/{slug}/api/imports")
    assert response.status_code == 200, response.get_data(as_text=True)[:2000]
    body = response.get_json()
    assert isinstance(body, dict)
    listed: list[dict[str, Any]] = body["data"]
    return listed


@pytest.fixture
def ledger(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "main.beancount").write_text(LEDGER, encoding="utf-8")
    (tmp_path / "import.py").write_text(IMPORT_CONFIG, encoding="utf-8")
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "checking.ofx").write_text(ofx(CHECKING_ID, JANUARY), encoding="cp1252")
    (inbox / "savings.ofx").write_text(ofx("000987654321", SAVINGS), encoding="cp1252")
    bad_folder(inbox, monkeypatch)
    return tmp_path


def test_the_import_page_lists_the_good_files_beside_broken_ones(ledger: Path) -> None:
    listed = {item["basename"]: item["importers"] for item in imports(ledger)}
    assert sorted(listed) == sorted(["checking.ofx", "savings.ofx", *BAD_FILES])
    assert listed["checking.ofx"] == [
        {
            "importer_name": "beanfirm.ofx:Assets:Bank:Checking",
            "account": "Assets:Bank:Checking",
            "date": "2025-01-21",
            "name": "checking.ofx",
        }
    ]
    assert [i["importer_name"] for i in listed["savings.ofx"]] == [
        "beanfirm.ofx:Assets:Bank:Savings"
    ]
    for name in ("junk.bin", "undecodable.csv", "empty.csv", "unreadable.ofx"):
        assert listed[name] == [], name
    # A truncated OFX states no number either importer can read: both offer it, and
    # extracting it says what is wrong (the file's line) instead of failing the page.
    assert [i["importer_name"] for i in listed["truncated.ofx"]] == [
        "beanfirm.ofx:Assets:Bank:Checking",
        "beanfirm.ofx:Assets:Bank:Savings",
    ]
