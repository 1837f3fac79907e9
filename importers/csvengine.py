"""The configurable CSV/XLSX/XLS importer: a beangulp `Importer` driven by a `CsvConfig`.

`StatementImporter(config, account)` works from beangulp's CLI and Fava's import page, and
gives beanfirm's own import command the richer `read()` (a `BankStatement` with the rows it
skipped and why, and the account number the preamble states). Each row becomes one `!`
transaction with the other leg on `Expenses:Uncategorized` / `Income:Uncategorized`
(`beanfirm.importers.entries`). `import-id` is the export's own serial or order number when it
has one (`serial#2`, `#3` for repeats within the file), else `fp:<hash of the normalized
row>#<occurrence>`, so that two identical genuine rows get different ids and re-importing an
export gives the same ids. A balance column yields one `balance` per currency dated the day
after the last row. `deduplicate` marks the rows the ledger holds by import id
(`beanfirm.importers.importer`).
"""

from __future__ import annotations

import datetime
from dataclasses import replace

from beanfirm.errors import StatementError
from beanfirm.importers.csvconfig import CsvConfig
from beanfirm.importers.csvread import file_rows, read_statement
from beanfirm.importers.entries import (
    UNCATEGORIZED_IN,
    UNCATEGORIZED_OUT,
    statement_entries,
    transaction,
)
from beanfirm.importers.importer import BeanfirmImporter, read_bytes
from beanfirm.importers.statement import BankStatement
from beanfirm.importers.table import find_header, header_columns

__all__ = [
    "UNCATEGORIZED_IN",
    "UNCATEGORIZED_OUT",
    "StatementImporter",
    "statement_entries",
    "transaction",
]


class StatementImporter(BeanfirmImporter):
    """Imports one kind of export (a `CsvConfig`) into one account."""

    def __init__(
        self,
        config: CsvConfig,
        account: str,
        *,
        period_end: datetime.date | None = None,
        number: str | None = None,
        rivals: tuple[str, ...] = (),
    ) -> None:
        super().__init__(account, number=number, rivals=rivals)
        self.config = config
        self.period_end = period_end

    @property
    def format_name(self) -> str:  # type: ignore[override] # the config names the format
        """Return the config's name (`alipay`), the `<format>` of the importer's id."""
        return self.config.name

    def recognises_file(self, filepath: str) -> bool:
        """Tell whether the file's header row holds this config's columns.

        And none of `identify-not`: the columns of another export that has these and more.

        An export without a header row (`fields`) is recognised by reading it: it must give
        at least one row and no error.
        """
        try:
            content = read_bytes(filepath)
            if self.config.fields:  # what the rows hold is read's to judge, not identify's
                config = replace(self.config, running_balance=False)
                return bool(read_statement(content, config, filepath, self.period_end).rows)
            rows = file_rows(content, self.config, filepath)
        except StatementError:
            return False
        index = find_header(rows, self.config.column_names())
        if index is None:
            return False
        header = header_columns(rows[index]).keys()
        if any(item in header for item in self.config.identify_not):
            return False
        preamble = "\n".join(",".join(row.cells) for row in rows[:index])
        return all(item in header or item in preamble for item in self.config.identify)

    def read(self, filepath: str) -> BankStatement:
        """Read the export into a BankStatement (raises StatementError)."""
        return read_statement(read_bytes(filepath), self.config, filepath, self.period_end)
