"""A `csv` account without its config: the error says where the file goes and what it holds."""

from __future__ import annotations

from pathlib import Path

from cli_support import snapshot
from import_support import add_client, import_files, write

LOCAL = "Assets:1002-银行存款:城市银行"
CONFIG = "ledgers/acme/importers/Assets/1002-银行存款/城市银行.yaml"


def test_the_error_names_the_config_path_and_its_content(practice: Path) -> None:
    add_client(practice, accounts=(f"{LOCAL},bank,csv",))
    export = write(practice.parent, "city.csv", "Datum,Betrag,Text\n2024-03-01,100.00,Einzahlung\n")
    before = snapshot(practice)
    for args in ((), ("-n",), ("--account", LOCAL), ("--account", LOCAL, "-n")):
        result = import_files(practice, "acme", str(export), *args)
        assert result.code == 2, (args, result.out, result.err)
        assert result.out == ""
        assert "Traceback" not in result.err
        assert f"its config file is missing: write {CONFIG} (in the practice)" in result.err
        assert "`columns: {date: …, amount: …}` and the `currency`" in result.err
        assert "docs/importers.md, section 'The CSV/XLSX config'" in result.err
        assert snapshot(practice) == before, args
    assert not (practice / "ledgers/acme/importers").exists()
