"""`BeanfirmImporter`: the beangulp `Importer` every beanfirm importer is, and its hooks.

A subclass says how to recognise its files (`identify`; a `FormatImporter`, whose files their
first bytes give away, says it of those bytes in `recognises`) and how to read one into a
`BankStatement` (`read`, raising `StatementError` with file:line for anything it cannot read).
The rest is shared: `extract` turns the statement into `!` transactions and balance
assertions (`beanfirm.importers.entries`), `date` is the statement's last day, `deduplicate`
does nothing (beangulp's heuristic drops genuine rows; beanfirm dedups by `import-id`), and
`account_number(filepath)` returns the account, card or IBAN the file names, for the import
command to compare with the client's `number:` in clients.yaml.
"""

from __future__ import annotations

import abc
import datetime
from pathlib import Path

from beangulp import Importer

from beanfirm.core.beans import Entries
from beanfirm.errors import StatementError
from beanfirm.importers.entries import statement_entries
from beanfirm.importers.statement import BankStatement


def read_bytes(filepath: str) -> bytes:
    """Return a file's content, or raise StatementError saying why it cannot be read."""
    try:
        return Path(filepath).read_bytes()
    except OSError as exc:
        raise StatementError(filepath, None, f"the file cannot be read ({exc}).") from exc


class BeanfirmImporter(Importer):  # type: ignore[misc] # beangulp is untyped
    """Imports one kind of file into one account of the ledger."""

    def __init__(self, account: str) -> None:
        self.importer_account = account

    @abc.abstractmethod
    def identify(self, filepath: str) -> bool:
        """Tell whether the file is one this importer reads (never raises)."""

    @abc.abstractmethod
    def read(self, filepath: str) -> BankStatement:
        """Read the file into a BankStatement (raises StatementError)."""

    def account(self, filepath: str) -> str:  # noqa: ARG002 - one account per importer
        """Return the account the entries are booked to."""
        return str(self.importer_account)

    def account_number(self, filepath: str) -> str | None:
        """Return the account, card or IBAN the file states, as written (None if none)."""
        return self.read(filepath).account_number

    def date(self, filepath: str) -> datetime.date | None:
        """Return the statement's last day (its archival date)."""
        statement = self.read(filepath)
        days = [row.date for row in statement.rows]
        days += [closing.date for closing in statement.balances]
        return max(days, default=None)

    def extract(self, filepath: str, existing: Entries) -> Entries:  # noqa: ARG002
        """Return the entries of the file; `existing` is not consulted."""
        return statement_entries(self.read(filepath), str(self.importer_account))

    def deduplicate(self, entries: Entries, existing: Entries) -> None:
        """Do nothing: beanfirm dedups by `import-id`, not by beangulp's heuristic."""


class FormatImporter(BeanfirmImporter):
    """Imports a file format that its first bytes give away (OFX, CAMT.053, MT940)."""

    head_bytes = 4096  # how much of a file `recognises` is shown

    def identify(self, filepath: str) -> bool:
        """Tell whether the file's first bytes are of this importer's format (never raises)."""
        try:
            with open(filepath, "rb") as handle:
                head = handle.read(self.head_bytes)
        except OSError:
            return False
        return self.recognises(head)

    @abc.abstractmethod
    def recognises(self, head: bytes) -> bool:
        """Tell whether the first bytes of a file are of this importer's format."""
