"""The guard every reader passes: each transaction record of the raw file is read or skipped.

A reader that misreads a file's structure (an OFX list left open, a table taken to end at a
note) loses rows without a word. So the transaction records are also counted in the raw file,
cheaply and without the reader's parser: `<STMTTRN>` tags in OFX, `<Ntry>` tags in CAMT.053,
`:61:` fields in MT940. The count must equal the rows read plus the rows skipped with a reason
(less the extra rows a CAMT.053 batch entry is split into), or the file is refused whole.
CSV/XLSX count the table's data rows, and refuse a row with a date and an amount after a note
that ended the table (`beanfirm.importers.csvread`).
"""

from __future__ import annotations

import re

from beanfirm.errors import StatementError
from beanfirm.importers.statement import BankStatement

OFX_TRANSACTION = re.compile(rb"<STMTTRN\s*>", re.IGNORECASE)
CAMT_ENTRY = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?Ntry[\s/>]")
# An indented `:61:` counts too: the reader would take it for the line before's continuation.
MT940_TRANSACTION = re.compile(r"(?:^[ \t]*|\{4:):61:", re.MULTILINE)


def ofx_transactions(data: bytes) -> int:
    """Return the number of `<STMTTRN>` tags in an OFX file."""
    return len(OFX_TRANSACTION.findall(data))


def camt_entries(data: bytes) -> int:
    """Return the number of `<Ntry>` elements in a CAMT.053 file."""
    return len(CAMT_ENTRY.findall(data))


def mt940_transactions(text: str) -> int:
    """Return the number of `:61:` fields in an MT940 file."""
    return len(MT940_TRANSACTION.findall(text))


def check_records(
    statement: BankStatement, counted: int, records: str, *, split: int = 0, line: int | None = None
) -> None:
    """Refuse a statement whose rows read and skipped are not the `counted` records.

    `records` names them (`<STMTTRN> transactions`); `split` is the number of rows beyond the
    first that records were read into (a CAMT.053 batch entry, one row per payment); `line` is
    where a record the reader did not read is, if known.
    """
    read, skipped = len(statement.rows), len(statement.skipped)
    if counted == read + skipped - split:
        return
    batches = f" (less {split} for batch entries read as one row per payment)" if split else ""
    raise StatementError(
        statement.filename,
        line,
        f"the file holds {counted} {records}, but {read} row(s) were read and {skipped} "
        f"skipped with a reason{batches}, so {abs(counted - read - skipped + split)} "
        f"transaction(s) would be {'lost' if counted > read + skipped - split else 'doubled'}. "
        "The file is refused rather than imported in part. Check that it is a complete export "
        "of the kind the account's importer reads and export it again; if it is, the layout is "
        "one beanfirm misreads: report it with the file.",
    )
