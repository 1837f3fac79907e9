"""The configurable CSV/XLSX/XLS importer: a beangulp `Importer` driven by a `CsvConfig`.

`StatementImporter(config, account)` works from beangulp's CLI and Fava's import page, and
gives beanfirm's own import command the richer `read()` (a `Statement` with the rows it
skipped and why). Each row becomes one transaction:

    2024-01-27 ! "国网电力有限公司" "一网通支付 供电"
      import-id: "fp:0c5c…#1"
      Assets:Bank:CMB                 -3.00 CNY
      Expenses:Uncategorized           3.00 CNY

`postings[0]` is the statement's leg on the configured account; `postings[1]` is the other
leg, on `Expenses:Uncategorized` (money out) or `Income:Uncategorized` (money in), and the
transaction is flagged `!` until categorization replaces that leg (DESIGN.md conventions).
`import-id` is the export's own serial or order number when it has one (`serial#2`, `#3`
for repeats within the file), else `fp:<hash of the normalized row>#<occurrence>`, so that
two identical genuine rows get different ids and re-importing an export gives the same ids.
A balance column yields one `balance` per currency dated the day after the last row.
`deduplicate` does nothing: beangulp's heuristic drops genuine rows, and beanfirm dedups by
import id instead.
"""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

from beancount.core import data
from beancount.core.amount import Amount
from beangulp import Importer

from beanfirm.errors import StatementError
from beanfirm.importers.csvconfig import CsvConfig
from beanfirm.importers.statement import Statement, StatementRow, file_rows, read_statement
from beanfirm.importers.table import find_header, header_columns

UNCATEGORIZED_OUT = "Expenses:Uncategorized"
UNCATEGORIZED_IN = "Income:Uncategorized"


def transaction(row: StatementRow, account: str, filename: str) -> Any:
    """Return the Beancount transaction of one statement row."""
    meta = data.new_metadata(filename, row.line)
    meta["import-id"] = row.import_id
    if row.time is not None:
        meta["time"] = row.time.isoformat()
    if row.counterparty is not None:
        meta["counterparty"] = row.counterparty
    for key, value in row.meta:
        meta[key] = value
    units = Amount(row.number, row.currency)
    other = UNCATEGORIZED_IN if row.number > 0 else UNCATEGORIZED_OUT
    postings = [
        data.Posting(account, units, None, None, None, None),
        data.Posting(other, -units, None, None, None, None),
    ]
    return data.Transaction(
        meta, row.date, "!", row.payee, row.narration, frozenset(), frozenset(), postings
    )


def statement_entries(statement: Statement, account: str) -> list[Any]:
    """Return the transactions and balance assertions of a statement, in date order."""
    entries: list[Any] = [transaction(row, account, statement.filename) for row in statement.rows]
    for closing in statement.balances:
        meta = data.new_metadata(statement.filename, closing.line)
        entries.append(
            data.Balance(
                meta,
                closing.date + datetime.timedelta(days=1),
                account,
                Amount(closing.number, closing.currency),
                None,
                None,
            )
        )
    # Beancount checks a balance at the start of its day, so it reads before that day's rows.
    return sorted(entries, key=lambda entry: (entry.date, not isinstance(entry, data.Balance)))


class StatementImporter(Importer):  # type: ignore[misc] # beangulp is untyped
    """Imports one kind of export (a `CsvConfig`) into one account."""

    def __init__(
        self, config: CsvConfig, account: str, *, period_end: datetime.date | None = None
    ) -> None:
        self.config = config
        self.importer_account = account
        self.period_end = period_end

    @property
    def name(self) -> str:
        """Return the importer's id, e.g. `beanfirm.alipay`."""
        return f"beanfirm.{self.config.name}"

    def identify(self, filepath: str) -> bool:
        """Tell whether the file's header row holds this config's columns."""
        try:
            content = Path(filepath).read_bytes()
            rows = file_rows(content, self.config, filepath)
        except (OSError, StatementError):
            return False
        index = find_header(rows, self.config.column_names())
        if index is None:
            return False
        header = header_columns(rows[index]).keys()
        preamble = "\n".join(",".join(row.cells) for row in rows[:index])
        return all(item in header or item in preamble for item in self.config.identify)

    def account(self, filepath: str) -> str:  # noqa: ARG002 - one account per importer
        """Return the account the entries are booked to."""
        return self.importer_account

    def read(self, filepath: str) -> Statement:
        """Read the export into a Statement (raises StatementError)."""
        try:
            content = Path(filepath).read_bytes()
        except OSError as exc:
            raise StatementError(filepath, None, f"the file cannot be read ({exc}).") from exc
        return read_statement(content, self.config, filepath, self.period_end)

    def date(self, filepath: str) -> datetime.date | None:
        """Return the date of the export's last transaction (its archival date)."""
        rows = self.read(filepath).rows
        return rows[-1].date if rows else None

    def extract(self, filepath: str, existing: list[Any]) -> list[Any]:  # noqa: ARG002
        """Return the entries of the export; `existing` is not consulted."""
        return statement_entries(self.read(filepath), self.importer_account)

    def deduplicate(self, entries: list[Any], existing: list[Any]) -> None:
        """Do nothing: beanfirm dedups by `import-id`, not by beangulp's heuristic."""
