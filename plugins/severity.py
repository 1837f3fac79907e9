"""The error types of beanfirm's plugins, with the severity in each type's name.

Beancount knows only errors: whatever a plugin returns is printed by `bean-check`, listed on
Fava's Errors page and makes `bean-check` exit 1. beanfirm tells warnings apart by the name of
the error's type: a type whose name ends in `Warning` is a warning (`beanfirm check` counts it
but still exits 0), anything else is an error (`beanfirm.store.ledger.is_warning`). Fava shows the
type name in the first column of its Errors page, so the severity is visible there too.

Every finding is a `(source, message, entry)` named tuple, like Beancount's own errors:
`source` holds only the `filename` and `lineno` of the offending line. `backlog` marks a finding
that records work left to do (a row still uncategorized after its grace period), which a write
that brings in old rows adds by its nature, as opposed to a mistake (a posting to a heading, a
missing link) that a write must not make (`beanfirm.jobs.clientcheck`).
"""

from __future__ import annotations

import os
from typing import NamedTuple

from beancount.core import data

from beanfirm.core.beans import Directive, Meta


class Finding(NamedTuple):
    """What a plugin found: where, what is wrong and how to fix it, and the entry."""

    source: Meta
    message: str
    entry: Directive | None
    backlog: bool = False  # work left to do (late rows), not a mistake a write may make


class PluginConfigError(Finding):
    """A plugin's configuration string is not valid; the plugin checked nothing."""

    __slots__ = ()


class PluginCrashError(Finding):
    """A plugin failed unexpectedly; a bug to report, not a problem in the ledger."""

    __slots__ = ()


class CategorizedError(Finding):
    """An entry left uncategorized beyond its grace period, or a rule of `categorized`."""

    __slots__ = ()


class CategorizedWarning(Finding):
    """An entry awaiting categorization, still within its grace period."""

    __slots__ = ()


class ReconciledError(Finding):
    """A reconciled account with periods not reconciled, or padded."""

    __slots__ = ()


class ReceivablesError(Finding):
    """An invoice or payment that is inconsistent."""

    __slots__ = ()


class ReceivablesWarning(Finding):
    """A customer above its credit limit (when the configured severity is `warning`)."""

    __slots__ = ()


class DuplicatesError(Finding):
    """A duplicate transaction: the same import-id, or a probable one at severity `error`."""

    __slots__ = ()


class DuplicatesWarning(Finding):
    """A probable duplicate transaction (at the default severity `warning`)."""

    __slots__ = ()


class LockedError(Finding):
    """A locked period that changed since it was locked, or a lock or reopen written wrong."""

    __slots__ = ()


def source_of(meta: Meta | None) -> Meta:
    """Return the `filename` and `lineno` of an entry's or a posting's metadata."""
    if not meta:
        return data.new_metadata("<unknown>", 0)
    return data.new_metadata(meta.get("filename", "<unknown>"), meta.get("lineno", 0))


def location(meta: Meta | None, main_file: str | None) -> str:
    """Return `file:line` for a message, relative to the main file's folder where possible."""
    source = source_of(meta)
    filename = str(source["filename"])
    if main_file and not filename.startswith("<") and not main_file.startswith("<"):
        folder = os.path.dirname(main_file)
        if filename.startswith(folder + os.sep):
            filename = filename[len(folder) + 1 :]
    return f"{filename}:{source['lineno']}"
