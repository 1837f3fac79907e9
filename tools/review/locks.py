"""Locked periods: the digest of a period, the locks of a client, and what a change undid.

A client's locks are `custom "beanfirm-lock"` and `custom "beanfirm-reopen"` directives in
`ledgers/<id>/locks.beancount`, included from its `main.beancount`, which carries the plugin
line `plugin "beanfirm.plugins.locked"` (docs/lock.md, docs/plugins/locked.md). The plugin
keeps each standing lock true on every load; what it cannot see is a lock or the plugin line
taken away, which `lock_regressions` finds by comparing two revisions.
"""

from __future__ import annotations

import datetime
import os
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from beancount.core import data
from beancount.parser import parser

from beanfirm.core import paths
from beanfirm.core.scratch import scratch_folder
from beanfirm.errors import Problem, relative_to
from beanfirm.plugins.locked import LOCKS_FILENAME, MODULE, Lock, standing_locks
from beanfirm.plugins.seal import REOPEN, Seal, Sealer, canonical, counted, entry_hash, seal
from beanfirm.store.ledger import load_until_plugin
from beanfirm.store.registry import REGISTRY_FILENAME, parse_registry

if TYPE_CHECKING:
    from beanfirm.core.beans import Directive
    from beanfirm.store.gitrepo import PracticeRepo

LOCKS = LOCKS_FILENAME
PLUGIN_LINE = f'plugin "{MODULE}"'
INCLUDE_LINE = f'include "{LOCKS}"'
PAGE = "docs/lock.md"
_PLUGIN_RE = re.compile(r'^\s*plugin\s+"' + re.escape(MODULE) + r'"', re.MULTILINE)
_INCLUDE_RE = re.compile(r'^\s*include\s+"' + re.escape(LOCKS) + r'"', re.MULTILINE)


def locks_file(client_id: str) -> str:
    """Return the file of a client's locks: `ledgers/<client>/locks.beancount`."""
    return f"{paths.client_folder(client_id)}/{LOCKS}"


def period_digest(entries: Sequence[Directive], through: datetime.date) -> str:
    """Return the digest (`sha256:<hex>`) of every entry dated on or before `through`."""
    return seal(entries, through).digest


def period_seal(entries: Sequence[Directive], through: datetime.date, root: Path) -> Seal:
    """Return the seal of a loaded ledger through a day; `root` is its main file's folder."""
    return seal(entries, through, str(root))


def has_plugin(main_text: str) -> bool:
    """Tell whether a main.beancount turns the `locked` plugin on."""
    return bool(_PLUGIN_RE.search(main_text))


def includes_locks(main_text: str) -> bool:
    """Tell whether a main.beancount includes locks.beancount."""
    return bool(_INCLUDE_RE.search(main_text))


def read_directives(text: str | None, filename: str) -> list[data.Custom]:
    """Parse the lock and reopen directives of a locks file's text (none when it is absent)."""
    if not text:
        return []
    entries, _errors, _options = parser.parse_string(text, filename)
    return [entry for entry in entries if isinstance(entry, data.Custom)]


def client_locks(text: str | None, filename: str) -> list[Lock]:
    """Return the standing locks of a locks file's text (a reopen lifts its lock)."""
    locks, _problems = standing_locks(list(read_directives(text, filename)))
    return locks


def latest_lock(entries: Sequence[Directive]) -> Lock | None:
    """Return the standing lock that locks the most (the latest day), or None."""
    locks, _problems = standing_locks(entries)
    return max(locks, key=lambda lock: lock.through, default=None)


def locked_through(entries: Sequence[Directive]) -> datetime.date | None:
    """Return the last day the standing locks seal, or None when nothing is locked."""
    lock = latest_lock(entries)
    return lock.through if lock is not None else None


@dataclass(frozen=True)
class LockedChange:
    """How many entries of a locked period a write adds, edits or removes, and their days."""

    entries: int
    first: datetime.date
    last: datetime.date

    @property
    def span(self) -> str:
        """Return the days, `2026-10-05 to 2026-10-29` (one day alone)."""
        return str(self.first) if self.first == self.last else f"{self.first} to {self.last}"


def locked_change(
    root: Path, changes: Mapping[str, bytes | None], through: datetime.date
) -> LockedChange | None:
    """Return what a write does to the entries dated through `through`, None if nothing.

    `changes` are a write's files (practice-relative, None for a file removed); its ledger
    files are parsed as they are under `root` and as the write leaves them, and their entries
    of the period compared by their canonical form (`beanfirm.plugins.seal`), so that what
    the `locked` plugin would report after the write is found before it. An entry edited
    counts once.
    """
    count = 0
    days: list[datetime.date] = []
    for rel, content in sorted(changes.items()):
        if not rel.endswith(".beancount"):
            continue
        path = root / rel
        old = path.read_text(encoding="utf-8") if path.is_file() else ""
        new = content.decode("utf-8") if content is not None else ""
        before = _sealed_forms(old, str(path), through)
        after = _sealed_forms(new, str(path), through)
        added, removed = list((after - before).elements()), list((before - after).elements())
        count += max(len(added), len(removed))
        days += [day for day, _form in added + removed]
    return LockedChange(count, min(days), max(days)) if count else None


def _sealed_forms(
    text: str, filename: str, through: datetime.date
) -> Counter[tuple[datetime.date, str]]:
    entries, _errors, _options = parser.parse_string(text, filename) if text else ([], [], {})
    return Counter(
        (entry.date, canonical(entry))
        for entry in entries
        if entry.date <= through and counted(entry)
    )


def lock_refusal(
    repo: PracticeRepo,
    client_id: str,
    lock: Lock,
    partners: Sequence[str],
    *,
    doing: str,
    change: str,
    instead: str,
) -> str:
    """Say in one paragraph that a write falls in a locked period: whose, since when, what to do.

    `doing` is what was refused (`import oct.csv into huamei`), `change` what it would have
    changed in the period, `instead` what may be done without reopening it.
    """
    since = _locked_on(repo, client_id, lock)
    when = f", since {since}" if since else ""
    names = f" ({' or '.join(partners)})" if partners else ""
    partner = partners[0] if len(partners) == 1 else "PARTNER"
    return (
        f"Refusing to {doing}: the books of {client_id} through {lock.through} are locked (by "
        f"{lock.by}{when}), and {change}. A locked period takes no new or changed entries. "
        f"{instead}; or have a partner{names} reopen the period first, with `beanfirm reopen "
        f"{client_id} --through {lock.through} --reason TEXT --as {partner}` (see "
        "docs/reopen.md), run the command again, and lock the period again with `beanfirm "
        "lock`. Nothing was written."
    )


def _locked_on(repo: PracticeRepo, client_id: str, lock: Lock) -> datetime.date | None:
    """Return the day the commit that wrote a lock was made, if git has it."""
    commit = repo.first_commit_adding(lock.digest, locks_file(client_id))
    if commit is None:
        return None
    records = repo.log_records(f"{commit}^!")
    return records[0].when.date() if records else None


def lock_regressions(repo: PracticeRepo, client: str, old: str, new: str | None) -> list[Problem]:
    """Return what a change from `old` to `new` (None: the working tree) undid of the locks.

    A lock standing at `old` that is gone or changed at `new` without a reopen by a partner,
    the plugin line or the include of locks.beancount taken out of main.beancount of a client
    with locks, and a new
    reopen by someone who is not a partner. Who is a partner is read from clients.yaml as it
    was at `old`, so that a change cannot make its own partner.
    """
    locks_path, main_path = locks_file(client), paths.main_file(client)
    then = repo.texts_at(old, [main_path, locks_path, REGISTRY_FILENAME])
    now = repo.texts_at(new, [main_path, locks_path])
    old_main, new_main = then[main_path] or "", now[main_path] or ""
    old_directives = read_directives(then[locks_path], locks_path)
    new_directives = read_directives(now[locks_path], locks_path)
    problems: list[Problem] = []
    if old_directives and has_plugin(old_main) and not has_plugin(new_main):
        problems.append(
            Problem(
                main_path,
                None,
                f"the line `{PLUGIN_LINE}` was taken out, so the client's locked periods are "
                f"no longer checked. Put it back (first of the plugin lines; see {PAGE}).",
            )
        )
    if old_directives and not includes_locks(new_main):
        problems.append(
            Problem(
                main_path,
                None,
                f"the line `{INCLUDE_LINE}` was taken out, so the client's locks are no longer "
                f"read. Put it back (see {PAGE}).",
            )
        )
    partners = _partners(repo, then[REGISTRY_FILENAME])
    old_keys = {_key(entry) for entry in old_directives}
    refused: set[tuple[object, ...]] = set()
    for entry in new_directives:
        if entry.type != REOPEN or _key(entry) in old_keys:
            continue
        problem = _reopen_problem(repo, entry, partners, (old, new))
        if problem:
            refused.add(_key(entry))
            problems.append(Problem(locks_path, _line(entry), problem))
    standing_old, _ = standing_locks(list(old_directives))
    permitted = [
        entry
        for entry in new_directives
        if entry.type != REOPEN
        or ((entry.meta or {}).get("by") in partners and _key(entry) not in refused)
    ]
    standing_new, _ = standing_locks(permitted)
    lifted = {_lifted_date(entry) for entry in permitted if entry.type == REOPEN}
    kept = {(lock.through, lock.digest) for lock in standing_new}
    for lock in standing_old:
        if (lock.through, lock.digest) in kept or lock.through in lifted:
            continue
        problems.append(
            Problem(
                locks_path,
                _line(lock.entry),
                f"the lock through {lock.through} (by {lock.by}) was taken out or changed "
                "without a reopen by a partner. Put it back as it was; to change a locked "
                f"period, a partner reopens it first (`beanfirm reopen`, see {PAGE}).",
            )
        )
    return problems


def committed_reopen_problems(repo: PracticeRepo, client: str, at: str = "HEAD") -> list[Problem]:
    """Name each reopen committed at `at` that lifts nothing: not written by the partner it names.

    The check `lock_regressions` makes of a push, made of the history: the commits up to `at`
    that wrote the reopen must count the named partner's own among them (its author's e-mail
    the partner's), the partners read from clients.yaml as it was before the first of them,
    so that the commit cannot make its own partner. A reopen a preparer wrote by hand in a
    partner's name, committed with plain git, is named here (`beanfirm check`, `approve`).
    """
    name = locks_file(client)
    reopens = [
        e for e in read_directives(repo.texts_at(at, [name])[name], name) if e.type == REOPEN
    ]
    problems: list[Problem] = []
    for entry in reopens:
        needle = f'"{REOPEN}" {_lifted_date(entry)}'
        first = repo.first_commit_adding(needle, name, until=at)
        before = repo.first_parent(first) if first is not None else None
        registry = repo.texts_at(before or first or at, [REGISTRY_FILENAME])[REGISTRY_FILENAME]
        problem = _reopen_problem(repo, entry, _partners(repo, registry), (None, at))
        if problem:
            problems.append(Problem(name, _line(entry), problem))
    return problems


def changed_entries(repo: PracticeRepo, client: str) -> list[Problem]:
    """Name the entries of each broken lock's period that differ from what the lock sealed.

    The plugin knows a broken lock's months, not its entries (it keeps only digests). Git
    knows the books as they were locked: the commit that wrote the lock. Both are loaded as
    the plugin sees them and their entries compared by canonical form; an entry in the books
    now that the lock did not seal is named at its own line, one the lock sealed that is gone
    at the lock's line. Costs two loads of the ledger, so it runs only for a client whose lock
    is broken.
    """
    rel = locks_file(client)
    main = repo.root / paths.main_file(client)
    now = load_until_plugin(main, MODULE).entries
    sealer = Sealer(now, datetime.date.max, str(main.parent))
    problems: list[Problem] = []
    for lock in client_locks(repo.texts_at(None, [rel])[rel], rel):
        if sealer.seal(lock.through).digest == lock.digest:
            continue
        commit = repo.first_commit_adding(lock.digest, rel)
        if commit is None:
            continue
        with scratch_folder("lock") as scratch:
            repo.export_at(commit, [paths.client_folder(client)], Path(scratch))
            old_main = Path(scratch) / paths.main_file(client)
            then = load_until_plugin(old_main, MODULE).entries
            problems += _differences(
                lock, commit, (then, str(old_main.parent)), (now, str(main.parent)), repo.root
            )
    return problems


def _differences(
    lock: Lock,
    commit: str,
    then: tuple[Sequence[Directive], str],
    now: tuple[Sequence[Directive], str],
    root: Path,
) -> list[Problem]:
    """Compare the entries a lock sealed (`then`) with the books (`now`), each with its folder."""
    old_entries, old_root = then
    new_entries, new_root = now
    sealed = Counter(
        entry_hash(entry, old_root)
        for entry in old_entries
        if entry.date <= lock.through and counted(entry)
    )
    current = [entry for entry in new_entries if entry.date <= lock.through and counted(entry)]
    problems = []
    for entry in current:
        key = entry_hash(entry, new_root)
        if sealed[key]:
            sealed[key] -= 1
            continue
        meta = entry.meta or {}
        problems.append(
            Problem(
                relative_to(str(meta.get("filename", "")), root),
                meta.get("lineno"),
                f"this entry of {entry.date} is not as the lock through {lock.through} (by "
                f"{lock.by}, commit {commit[:10]}) sealed it: added, or edited since.",
            )
        )
    for entry in old_entries:
        key = entry_hash(entry, old_root) if entry.date <= lock.through else b""
        if not sealed[key] or not counted(entry):
            continue
        sealed[key] -= 1
        problems.append(
            Problem(
                relative_to(str((lock.entry.meta or {}).get("filename", "")), root),
                _line(lock.entry),
                f"the entry of {entry.date} that the lock sealed at "
                f"{_sealed_where(entry, old_root)} (commit {commit[:10]}) is gone or edited.",
            )
        )
    return problems


def _sealed_where(entry: Directive, old_root: str) -> str:
    meta = entry.meta or {}
    return f"{os.path.relpath(str(meta.get('filename', '')), old_root)}:{meta.get('lineno')}"


def _reopen_problem(
    repo: PracticeRepo,
    entry: data.Custom,
    partners: dict[str, str],
    span: tuple[str | None, str | None],
) -> str:
    """Say why a new reopen lifts nothing: not by a partner, or not written by that partner.

    Between two commits, the commit that wrote the reopen must be the partner's own (its
    author's e-mail the partner's in clients.yaml): `by:` is only a claim.
    """
    by = (entry.meta or {}).get("by")
    if by not in partners:
        return (
            f"a reopen by '{by}', who is not a partner in {REGISTRY_FILENAME}; only a partner "
            f"may reopen a locked period (`beanfirm reopen`, see {PAGE})."
        )
    old, new = span
    if new is None:
        return ""
    needle = f'"{REOPEN}" {_lifted_date(entry)}'
    authors = repo.authors_adding(needle, str((entry.meta or {}).get("filename", "")), old, new)
    if partners[by] in authors:
        return ""
    return (
        f"a reopen that says it is by '{by}', but the commit that wrote it is not "
        f"{by}'s ({', '.join(sorted(authors)) or 'no commit of this push'}); a partner reopens "
        f"with `beanfirm reopen`, which commits in their name (see {PAGE})."
    )


def _partners(repo: PracticeRepo, text: str | None) -> dict[str, str]:
    """Return each partner's id and e-mail (lower-cased) in a registry's text."""
    if text is None:
        return {}
    registry, _problems = parse_registry(repo.root / REGISTRY_FILENAME, text, check_ledgers=False)
    if registry is None:
        return {}
    return {m.id: m.email.lower() for m in registry.firm.staff if m.role == "partner"}


def _key(entry: data.Custom) -> tuple[object, ...]:
    values = tuple(value.value for value in entry.values)
    return entry.type, entry.date, values, (entry.meta or {}).get("by")


def _lifted_date(entry: data.Custom) -> object:
    return entry.values[0].value if entry.values else None


def _line(entry: data.Custom) -> int | None:
    lineno = (entry.meta or {}).get("lineno")
    return int(lineno) if isinstance(lineno, int) else None
