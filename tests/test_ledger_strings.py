"""Every string beanfirm writes into a ledger reads back as written, and keeps the file whole."""

from __future__ import annotations

from pathlib import Path

import pytest
from beancount import loader
from beancount.core import data
from cli_support import snapshot
from import_support import BANK, add_client, cmb, import_files, write

from beanfirm.core.journal import comment, quote

MARCH = "ledgers/acme/journal/2024/03.beancount"
# A quote, a backslash, and newlines that, written raw, would make a blank line and a dated line
# inside the string: where the next import places an entry of that day.
NASTY_NAME = 'cmb "march"\\back\n\n2024-03-20 x\n\nslash.csv'
ARCHIVE = f"documents/Assets/1002-银行存款/招商银行/2024-03-15.{NASTY_NAME}"


@pytest.mark.parametrize(
    "text",
    [
        'a "quoted" word',
        "back\\slash\\",
        "two\nlines\r\nand a\ttab",
        "form\ffeed and back\bspace",
        "\\n is not a newline",
        "中文 \u00e9",
    ],
)
def test_a_quoted_string_reads_back_equal_on_one_line(text: str) -> None:
    ledger = f"2024-01-01 open Assets:Cash\n  note: {quote(text)}\n2024-01-02 open Assets:Bank\n"
    entries, errors, _ = loader.load_string(ledger)
    assert errors == []
    assert [entry.meta.get("note") for entry in entries] == [text, None]
    assert entries[1].meta["lineno"] == 3  # the string took one line
    assert len(quote(text).splitlines()) == 1


def test_characters_the_lexer_cannot_escape_are_replaced_not_written_raw() -> None:
    text = "esc\x1b[31m bell\x07 nul\x00 nel\x85 sep\u2028 end"
    written = quote(text)
    assert written == '"esc\ufffd[31m bell\ufffd nul\ufffd nel\ufffd sep\ufffd end"'
    assert comment("a\nb\x1b") == "a\ufffdb\ufffd"
    entries, errors, _ = loader.load_string(f"2024-01-01 open Assets:Cash\n  note: {written}\n")
    assert errors == []
    assert entries[0].meta["note"] == written[1:-1]


def _balance_statements(folder: Path) -> list[str]:
    entries, errors, _ = loader.load_file(str(folder / "ledgers" / "acme" / "main.beancount"))
    # Uncategorized and unreconciled, as beanfirm's plugins say; Beancount itself finds nothing.
    assert [e for e in errors if not type(e).__module__.startswith("beanfirm.plugins")] == []
    return [e.meta["statement"] for e in entries if isinstance(e, data.Balance)]


def test_an_export_named_with_a_quote_a_backslash_and_a_newline_imports_and_reads_back(
    practice: Path,
) -> None:
    add_client(practice)
    first = write(
        practice.parent,
        NASTY_NAME,
        cmb(
            [
                ("2024-03-01", "100.00", "存入", "某公司", "货款"),
                ("2024-03-15", "-8.00", "消费", "x", "y"),
            ]
        ),
    )
    result = import_files(practice, "acme", str(first), "--account", BANK)
    assert result.code == 0, result.err
    assert _balance_statements(practice) == [ARCHIVE]

    # The next import into the same month file works, and the first one's string is intact.
    second = write(
        practice.parent,
        "cmb-late-march.csv",
        cmb([("2024-03-20", "-2.00", "消费", "z", "w")], opening="92.00"),
    )
    result = import_files(practice, "acme", str(second), "--account", BANK)
    assert result.code == 0, result.err
    assert _balance_statements(practice) == [
        ARCHIVE,
        "documents/Assets/1002-银行存款/招商银行/2024-03-20.cmb-late-march.csv",
    ]
    # A third import of the first file finds every row already there and changes nothing.
    before = snapshot(practice)
    result = import_files(practice, "acme", str(first), "--account", BANK)
    assert result.code == 0, result.err
    assert snapshot(practice) == before
    # The string is on one line, escaped as Beancount's lexer reads it back.
    text = (practice / MARCH).read_text(encoding="utf-8")
    assert '招商银行/2024-03-15.cmb \\"march\\"\\\\back\\n\\n2024-03-20 x\\n\\nslash.csv"\n' in text
