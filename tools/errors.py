"""The errors beanfirm reports to a user, and the problems it collects along the way.

Domain code raises these; the command line turns them into one paragraph on stderr and an
exit code (1 for findings and ledger errors, 2 for usage and configuration errors). Problems
found in user data (a registry, a ledger) are collected as `Problem` values and reported
together, so that a user sees every mistake at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable

EXIT_FINDINGS = 1
EXIT_USAGE = 2


def batch_exit_code(codes: Iterable[int]) -> int:
    """Return the exit code of a batch: 0 when nothing failed, else its failures' highest code.

    One rule for every command: a failure exits with its error's own code, alone or in a batch
    (a refused write 2 in `import` of ten files as in `reconcile`), so a script reads the code
    the same way whichever command it ran.
    """
    return max(codes, default=0)


@dataclass(frozen=True)
class Problem:
    """One mistake in a file: where it is, what is wrong and what to do."""

    filename: str
    line: int | None
    message: str

    def location(self) -> str:
        """Return `file:line`, or just the file when the line is unknown."""
        return self.filename if self.line is None else f"{self.filename}:{self.line}"

    def __str__(self) -> str:
        return f"{self.location()}: {self.message}"


class BeanfirmError(Exception):
    """A failure to report to the user as one paragraph, never as a traceback."""

    exit_code = EXIT_USAGE

    def __init__(self, message: str, problems: tuple[Problem, ...] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.problems = problems

    def __str__(self) -> str:
        if not self.problems:
            return self.message
        lines = [self.message, *(f"  {problem}" for problem in self.problems)]
        return "\n".join(lines)


class ConfigError(BeanfirmError):
    """The practice's configuration is wrong: the registry, a path, a setting."""


class UsageError(BeanfirmError):
    """The command was called wrongly."""


class LedgerError(BeanfirmError):
    """A ledger does not parse or check."""

    exit_code = EXIT_FINDINGS


class WriteRefusedError(BeanfirmError):
    """A write was refused before anything changed (dirty client, lock held, bad input)."""


def not_utf8(text: str) -> str | None:
    r"""Return text that is not UTF-8 with its bytes shown (as `\xb9`), else None.

    Python hands a name or an argument in another encoding (GBK, in which Chinese Windows names
    files) on as lone surrogates, which every write of them (a commit message, a record, YAML,
    a ledger) fails on half-way: it is refused before anything is written.
    """
    if not any("\udc80" <= char <= "\udcff" for char in text):
        return None
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def relative_to(path: Path | str, root: Path) -> str:
    """Show a path relative to the practice root when it is inside it."""
    return _relative(str(path), str(root))


@lru_cache(maxsize=4096)
def _relative(path: str, root: str) -> str:
    """Resolve once per file: a ledger's thousands of problems name a few dozen files."""
    try:
        return str(Path(path).resolve().relative_to(Path(root).resolve()))
    except ValueError:
        return str(Path(path))


class StatementError(BeanfirmError):
    """A bank or payment export cannot be read: its encoding, layout or a cell in it.

    `filename` and `line` say where; the message says what was expected and what to do.
    """

    def __init__(self, filename: str, line: int | None, message: str) -> None:
        self.filename = filename
        self.line = line
        where = filename if line is None else f"{filename}:{line}"
        super().__init__(f"{where}: {message}")


class DamagedFileError(StatementError):
    """An export that cannot be read as text or as rows, whichever importer reads it.

    Its bytes do not decode, a quote in it is never closed, it is empty, it is no workbook:
    a defect of the file itself, not of its layout, so that every importer that reads such
    files says the same, and the import command reports it once, with its line.
    """


class BackupError(BeanfirmError):
    """A backup cannot be made, or does not decrypt, verify or restore as its manifest says."""

    exit_code = EXIT_FINDINGS
