"""The check of a write to one client: which errors undo a write and which are backlog."""

from __future__ import annotations

from pathlib import Path

from plugin_support import ledger

from beanfirm.jobs.clientcheck import split_errors
from beanfirm.store.ledger import load_ledger

BOOKS = """plugin "beanfirm.plugins.categorized" "{'today': '2026-11-23'}"
""" + ledger(
    """
    2026-01-01 open Assets:Bank
    2026-01-01 open Assets:Bank:CMB
    2026-01-01 open Expenses:Office
    2026-01-01 open Expenses:Uncategorized
    2026-06-02 ! "中国移动" "话费充值"
      Expenses:Uncategorized             100.00 CNY
      Assets:Bank:CMB
    2026-10-03 * "Staples" "Paper"
      Expenses:Office                     50.00 CNY
      Assets:Bank
    """
)


def test_a_late_row_is_backlog_and_a_posting_to_a_heading_undoes_the_write(
    tmp_path: Path,
) -> None:
    main = tmp_path / "main.beancount"
    main.write_text(BOOKS, encoding="utf-8")
    problems, backlog = split_errors(load_ledger(main), tmp_path, main)
    assert [p.line for p in backlog] == [6]
    assert "still uncategorized" in backlog[0].message
    assert [p.line for p in problems] == [11]
    assert "which is a heading" in problems[0].message
