"""Locked periods stay as they were locked: any change to an entry dated in one is an error.

A lock is a `custom` directive, dated the last day it locks, with the digest of every entry
dated on or before that day (`beanfirm.plugins.seal` says what it covers and how), the staff id
of who locked it, and the digest of each month::

    2026-10-31 custom "beanfirm-lock" "sha256:<hex digest>"
      by: "wang"
      months: "2026-09:37:ab12cd34ef567890 2026-10:41:..."

The plugin recomputes the digest of each standing lock on every load (`bean-check`, Fava,
`beanfirm check`) and reports a `LockedError` on the lock's line when it differs, naming the
months whose entries changed (an entry added, removed, or edited) from the `months:` metadata.
A lock dated before a later one is checked too; an entry dated after every lock is never
affected, nor is an entry moved to another file or a file re-aligned.

A reopen lifts a lock: `custom "beanfirm-reopen" DATE "reason"` with `by:` (a partner), where
DATE is the date of the lock it lifts. It lifts the locks of that date written before it
(`beanfirm lock` and `beanfirm reopen` append to `locks.beancount`), so a later lock of the same
day seals again. That `by:` is a partner is checked by `beanfirm check` and the remote's hook
against clients.yaml (`beanfirm.review.locks.lock_regressions`), which the plugin cannot read;
with `partners` configured, the plugin checks it too.

Where it runs: first of the ledger's plugins, so that it sees the entries as written (and as
Beancount booked them), before any other plugin adds or changes entries.

Configuration (a Python dict literal, every key optional; see docs/plugins/locked.md):
`partners` (a list of staff ids: a reopen by anyone else is an error).
"""

from __future__ import annotations

import datetime
import os
from collections.abc import Sequence
from dataclasses import dataclass

from beancount.core import data

from beanfirm.core.beans import Directive, Entries, Options
from beanfirm.plugins.config import ConfigReader, plugin
from beanfirm.plugins.seal import LOCK, PREFIX, REOPEN, Seal, Sealer, parse_months
from beanfirm.plugins.severity import Finding, LockedError, source_of

__plugins__ = ("locked",)

MODULE = "beanfirm.plugins.locked"
LOCKS_FILENAME = "locks.beancount"  # in the client's folder, included from main.beancount
LOCKS_HEADER = (
    "; Locked periods of this client (docs/lock.md): written by `beanfirm lock` and\n"
    "; `beanfirm reopen`, checked by the `locked` plugin. Do not edit by hand.\n"
)
KEYS = ("partners",)
PAGE = "docs/lock.md"
HEX_DIGITS = 64
CHANGED = " but changed since"  # in the message of a broken lock, and only there


def broken_lock(message: str) -> bool:
    """Tell whether an error's message is the plugin's report of a broken lock."""
    return message.startswith("The books through ") and CHANGED in message


@dataclass(frozen=True)
class Settings:
    """The validated configuration."""

    partners: tuple[str, ...] | None


def read_settings(config: str | None) -> tuple[Settings, list[str]]:
    """Validate the configuration string; return the settings and every problem."""
    reader = ConfigReader(config, KEYS)
    partners = reader.strings("partners", ()) if "partners" in reader.raw else None
    return Settings(partners=partners), reader.problems


@dataclass(frozen=True)
class Lock:
    """A lock directive as written: its date, digest, who locked it, and its months."""

    entry: data.Custom
    digest: str
    by: str

    @property
    def through(self) -> datetime.date:
        """Return the last day the lock locks."""
        return self.entry.date


def written_order(entry: data.Custom) -> tuple[str, int]:
    """Return where a directive is written, to order locks and reopens as they were made."""
    meta = entry.meta or {}
    return str(meta.get("filename", "")), int(meta.get("lineno") or 0)


def standing_locks(
    entries: Sequence[Directive], partners: tuple[str, ...] | None = None
) -> tuple[list[Lock], list[Finding]]:
    """Return the locks no reopen lifts, and the problems of lock and reopen directives."""
    directives = sorted(
        (e for e in entries if isinstance(e, data.Custom) and e.type in (LOCK, REOPEN)),
        key=written_order,
    )
    locks: list[Lock] = []
    findings: list[Finding] = []
    for entry in directives:
        if entry.type == LOCK:
            lock, problem = _read_lock(entry)
            if lock is not None:
                locks.append(lock)
            else:
                findings.append(LockedError(source_of(entry.meta), problem, entry))
            continue
        problem = _reopen_problem(entry, partners)
        if problem:
            findings.append(LockedError(source_of(entry.meta), problem, entry))
            continue
        target = entry.values[0].value
        lifted = [lock for lock in locks if lock.through == target]
        if not lifted:
            message = (
                f"This reopen names a lock dated {target} but no lock of that date is written "
                f"before it. Give the date of the lock to reopen (see {PAGE})."
            )
            findings.append(LockedError(source_of(entry.meta), message, entry))
        locks = [lock for lock in locks if lock.through != target]
    return locks, findings


def _read_lock(entry: data.Custom) -> tuple[Lock | None, str]:
    values = [value.value for value in entry.values]
    by = (entry.meta or {}).get("by")
    digest = values[0] if len(values) == 1 else None
    if not (
        isinstance(digest, str)
        and digest.startswith(PREFIX)
        and len(digest) == len(PREFIX) + HEX_DIGITS
    ):
        return None, (
            f'This lock is not in the form `DATE custom "{LOCK}" "sha256:<64 hex digits>"`; '
            f"it locks nothing. Write locks with `beanfirm lock` (see {PAGE})."
        )
    if not isinstance(by, str) or not by:
        return None, (
            f'This lock has no `by: "<staff id>"`; it locks nothing. Write locks with '
            f"`beanfirm lock` (see {PAGE})."
        )
    return Lock(entry, digest, by), ""


def _reopen_problem(entry: data.Custom, partners: tuple[str, ...] | None) -> str:
    values = [value.value for value in entry.values]
    by = (entry.meta or {}).get("by")
    well_formed = (
        len(values) == 2  # noqa: PLR2004 - the lock's date and the reason
        and isinstance(values[0], datetime.date)
        and isinstance(values[1], str)
        and values[1].strip()
        and isinstance(by, str)
        and by
    )
    if not well_formed:
        return (
            f'This reopen is not in the form `DATE custom "{REOPEN}" LOCK-DATE "reason"` with '
            f'`by: "<partner id>"`; it reopens nothing. Write it with `beanfirm reopen` '
            f"(see {PAGE})."
        )
    if partners is not None and by not in partners:
        return (
            f"This reopen is by '{by}', who is not a partner ({', '.join(partners) or 'none'}); "
            f"it reopens nothing. Only a partner may reopen a locked period (see {PAGE})."
        )
    return ""


@plugin(MODULE, read_settings)
def locked(
    entries: Entries, options_map: Options, settings: Settings
) -> tuple[Entries, list[Finding]]:
    """Report each standing lock whose period changed (see the module docstring)."""
    locks, findings = standing_locks(entries, settings.partners)
    if not locks:
        return entries, findings
    main_file = options_map.get("filename")
    root = os.path.dirname(main_file) if main_file and not main_file.startswith("<") else None
    sealer = Sealer(entries, max(lock.through for lock in locks), root)
    for lock in locks:
        sealed = sealer.seal(lock.through)
        if sealed.digest != lock.digest:
            message = changed_message(lock, parse_months(lock.entry.meta.get("months")), sealed)
            findings.append(LockedError(source_of(lock.entry.meta), message, lock.entry))
    return entries, findings


def changed_message(lock: Lock, months: dict[str, tuple[int, str]] | None, sealed: Seal) -> str:
    """Say which months of a locked period changed, and what to do."""
    head = f"The books through {lock.through} are locked (by {lock.by}){CHANGED}"
    tail = (
        "Undo the change, or have a partner reopen the period with `beanfirm reopen CLIENT "
        f"--through {lock.through} --as ID --reason TEXT` (see {PAGE})."
    )
    if months is None:
        return f"{head}; this lock has no `months:` to say where. {tail}"
    now = {month.month: (month.count, month.digest) for month in sealed.months}
    changes = []
    for month in sorted(set(months) | set(now)):
        was_count, was = months.get(month, (0, ""))
        count, digest = now.get(month, (0, ""))
        if count != was_count:
            changes.append(f"{month} holds {count} entries where the lock sealed {was_count}")
        elif not digest.startswith(was):
            changes.append(f"an entry of {month} was edited")
    where = "; ".join(changes) if changes else "the lock's digest does not match its months"
    return f"{head}: {where}. {tail}"
