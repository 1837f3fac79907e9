"""`BeanfirmImporter`: the beangulp `Importer` every beanfirm importer is, and its hooks.

A subclass says how to recognise its files (`recognises`: a `FormatImporter` from their first
bytes, the CSV engine from their header row) and how to read one into a `BankStatement`
(`read`, raising `StatementError` with file:line for anything it cannot read). The rest is
shared, and is what beangulp's command line and Fava's import page call:

- `identify`, `account`, `date` and `filename` never raise: a file that cannot be read, is
  damaged or is something else entirely gives False or None, and the reason is logged (logger
  `beanfirm.importers`: a warning for a file of the format that cannot be read, information
  for one that cannot be opened) and kept in `problems` by path. Fava asks them of every file in its
  `import-dirs`, and one exception would fail its whole import page.
- An importer built with its account's registered `number` claims only a file whose stated
  account number matches it (`accountnumber.claims_number`; `rivals`, the numbers of the
  other accounts configured beside it, let an exact match beat a suffix), so that two accounts
  with the same format each take their own files. A file of the format that states no number,
  or that cannot be read (so `extract` says why), is claimed as before.
- `name` is `beanfirm.<format>:<account>`, one per configured importer, as Fava requires.
- `extract` turns the statement into `!` transactions and balance assertions
  (`beanfirm.importers.entries`); an unreadable file is a beangulp `Error` with file:line.
- `deduplicate` marks, beangulp's way (`__duplicate__` metadata, printed as a comment), each
  transaction whose `import-id` the existing entries already hold on this account (as
  `import-id` or `import-id-2`), and each balance assertion they already hold. beanfirm's
  import command dedups by import id the same way (`beanfirm.ingest.dedup`); beangulp's
  heuristic, which drops genuine rows, is never used.
- `account_number(filepath)` returns the account, card or IBAN the file names, for the import
  command to compare with the client's `number:` in clients.yaml.
"""

from __future__ import annotations

import abc
import datetime
import logging
import os
from pathlib import Path

from beancount.core import data
from beangulp import Importer
from beangulp.exceptions import Error as BeangulpError
from beangulp.extract import DUPLICATE

from beanfirm.core.beans import Entries
from beanfirm.errors import DamagedFileError, StatementError
from beanfirm.importers.accountnumber import claims_number
from beanfirm.importers.entries import statement_entries
from beanfirm.importers.statement import BankStatement

log = logging.getLogger("beanfirm.importers")
ID_KEYS = ("import-id", "import-id-2")


def read_bytes(filepath: str) -> bytes:
    """Return a file's content, or raise StatementError saying why it cannot be read."""
    try:
        return Path(filepath).read_bytes()
    except OSError as exc:
        raise DamagedFileError(filepath, None, f"the file cannot be read ({exc}).") from exc


def _reason(exc: Exception) -> str:
    """Return why a file could not be read, in one line."""
    if isinstance(exc, StatementError):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"


class BeanfirmImporter(Importer):  # type: ignore[misc] # beangulp is untyped
    """Imports one kind of file into one account of the ledger."""

    format_name = "importer"  # the `<format>` of `name`

    def __init__(
        self, account: str, *, number: str | None = None, rivals: tuple[str, ...] = ()
    ) -> None:
        self.importer_account = account
        self.number = number
        self.rivals = rivals
        self.problems: dict[str, str] = {}  # path -> why identify or date could not read it
        self._last: tuple[tuple[str, int, int], BankStatement] | None = None

    @property
    def name(self) -> str:
        """Return the importer's id: its format and its account, `beanfirm.ofx:Assets:Bank`."""
        return f"beanfirm.{self.format_name}:{self.importer_account}"

    @abc.abstractmethod
    def recognises_file(self, filepath: str) -> bool:
        """Tell whether the file is of this importer's format (may raise on a bad file)."""

    @abc.abstractmethod
    def read(self, filepath: str) -> BankStatement:
        """Read the file into a BankStatement (raises StatementError)."""

    def statement(self, filepath: str) -> BankStatement:
        """Read the file, once for identify, date and extract while it stays the same."""
        info = os.stat(filepath)
        key = (filepath, info.st_mtime_ns, info.st_size)
        if self._last is not None and self._last[0] == key:
            return self._last[1]
        statement = self.read(filepath)
        self._last = (key, statement)
        return statement

    def _problem(self, filepath: str, what: str, exc: Exception, level: int) -> None:
        reason = _reason(exc)
        self.problems[filepath] = reason
        log.log(level, "%s %s %s: %s", self.name, what, filepath, reason)

    def identify(self, filepath: str) -> bool:
        """Tell whether the file is one this importer reads, for its account (never raises)."""
        try:
            if not self.recognises_file(filepath):
                return False
        except Exception as exc:  # noqa: BLE001 - identify never raises (Fava, beangulp)
            # Not a file of this format as far as it can tell: a folder holds all sorts.
            self._problem(filepath, "does not recognise", exc, logging.INFO)
            return False
        if self.number is None:
            return True
        try:
            stated = self.statement(filepath).account_number
        except Exception as exc:  # noqa: BLE001 - claimed, so that extract says why
            self._problem(filepath, "cannot read the account number of", exc, logging.WARNING)
            return True
        return stated is None or claims_number(stated, self.number, self.rivals)

    def account(self, filepath: str) -> str:  # noqa: ARG002 - one account per importer
        """Return the account the entries are booked to."""
        return str(self.importer_account)

    def account_number(self, filepath: str) -> str | None:
        """Return the account, card or IBAN the file states, as written (None if none)."""
        return self.read(filepath).account_number

    def date(self, filepath: str) -> datetime.date | None:
        """Return the statement's last day (its archival date); None if unreadable."""
        try:
            statement = self.statement(filepath)
        except Exception as exc:  # noqa: BLE001 - date never raises (Fava, beangulp)
            self._problem(filepath, "cannot date", exc, logging.WARNING)
            return None
        days = [row.date for row in statement.rows]
        days += [closing.date for closing in statement.balances]
        return max(days, default=None)

    def filename(self, filepath: str) -> str | None:  # noqa: ARG002 - the name is kept
        """Return None: the file keeps its name when archived."""
        return None

    def extract(self, filepath: str, existing: Entries) -> Entries:  # noqa: ARG002
        """Return the entries of the file; `existing` is for `deduplicate`."""
        try:
            statement = self.statement(filepath)
        except (StatementError, OSError) as exc:
            raise BeangulpError(_reason(exc)) from exc
        return statement_entries(statement, str(self.importer_account))

    def deduplicate(self, entries: Entries, existing: Entries) -> None:
        """Mark the entries the existing ones already hold, by import id (module docstring)."""
        account = str(self.importer_account)
        booked: dict[str, data.Transaction] = {}
        balances: dict[tuple[datetime.date, object, str], data.Balance] = {}
        for entry in existing:
            if isinstance(entry, data.Transaction) and entry.meta:
                if any(posting.account == account for posting in entry.postings):
                    for key in ID_KEYS:
                        if key in entry.meta:
                            booked.setdefault(str(entry.meta[key]), entry)
            elif isinstance(entry, data.Balance) and entry.account == account:
                balances.setdefault((entry.date, entry.amount.number, entry.amount.currency), entry)
        for entry in entries:
            import_id = entry.meta.get("import-id")
            if isinstance(entry, data.Transaction) and import_id is not None:
                found: data.Directive | None = booked.get(str(import_id))
            elif isinstance(entry, data.Balance) and entry.account == account:
                found = balances.get((entry.date, entry.amount.number, entry.amount.currency))
            else:
                found = None
            if found is not None:
                entry.meta[DUPLICATE] = found


class FormatImporter(BeanfirmImporter):
    """Imports a file format that its first bytes give away (OFX, CAMT.053, MT940)."""

    head_bytes = 4096  # how much of a file `recognises` is shown

    def recognises_file(self, filepath: str) -> bool:
        """Tell whether the file's first bytes are of this importer's format."""
        with open(filepath, "rb") as handle:
            head = handle.read(self.head_bytes)
        return self.recognises(head)

    @abc.abstractmethod
    def recognises(self, head: bytes) -> bool:
        """Tell whether the first bytes of a file are of this importer's format."""
