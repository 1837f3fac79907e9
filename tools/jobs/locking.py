"""Locking a client's books through a day, and reopening them: each one commit, checked.

`lock_period` seals every entry dated on or before the day (`beanfirm.plugins.seal`) into a
`custom "beanfirm-lock"` directive appended to `ledgers/<id>/locks.beancount`; a client whose
main.beancount has no `locked` plugin line or no include of locks.beancount gets them in the
same commit. `reopen_period` appends the `custom "beanfirm-reopen"` that lifts a lock. Both go
through the write path (`beanfirm.store.writes`): validated under the client's lock, written
atomically, checked with the client's plugins (the new lock must hold), one commit authored by
the staff member; on any failure nothing changes.
"""

from __future__ import annotations

import calendar
import datetime
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from beanfirm.core import paths
from beanfirm.core.bulk import collector_paused
from beanfirm.core.journal import quote
from beanfirm.errors import LedgerError, UsageError, WriteRefusedError
from beanfirm.jobs.clientcheck import write_client
from beanfirm.plugins.locked import LOCKS_HEADER, MODULE
from beanfirm.plugins.seal import LOCK, REOPEN, Seal, counted
from beanfirm.review.locks import (
    INCLUDE_LINE,
    LOCKS,
    PAGE,
    PLUGIN_LINE,
    client_locks,
    has_plugin,
    includes_locks,
    locks_file,
    period_seal,
)
from beanfirm.store.approvals import latest_approval
from beanfirm.store.ledger import (
    error_problem,
    ignored_ledger_files,
    is_warning,
    load_ledger,
    load_until_plugin,
)
from beanfirm.store.writes import Planned

if TYPE_CHECKING:
    from collections.abc import Sequence

    from beanfirm.core.beans import Directive
    from beanfirm.store.gitrepo import Author, PracticeRepo
    from beanfirm.store.practice import Practice
    from beanfirm.store.registry import Client, Staff

T = TypeVar("T")
LOCKERS = ("reviewer", "partner")
REOPENERS = ("partner",)
_MONTH = re.compile(r"^\d{4}-\d{2}$")


@dataclass(frozen=True)
class LockResult:
    """A lock or reopen written (or, in a dry run, checked): its directive and the commit."""

    client_id: str
    through: datetime.date
    directive: str
    commit: str | None
    added_plugin: bool


def parse_through(text: str) -> datetime.date:
    """Read `--through`: a day `YYYY-MM-DD`, or a month `YYYY-MM` (its last day)."""
    try:
        if _MONTH.match(text):
            year, month = (int(part) for part in text.split("-"))
            return datetime.date(year, month, calendar.monthrange(year, month)[1])
        return datetime.date.fromisoformat(text)
    except ValueError:
        pass
    msg = (
        f"--through {text!r} is not a date: give the last day to lock as YYYY-MM-DD, or a "
        "month as YYYY-MM (its last day)."
    )
    raise UsageError(msg)


def unapproved_reason(repo: PracticeRepo, client_id: str) -> str | None:
    """Return why the client's latest approval does not cover its last commit (None: it does)."""
    approval = latest_approval(repo, client_id)
    folder = paths.client_folder(client_id)
    if approval is None:
        return "it has never been approved"
    if not repo.is_ancestor(approval.commit, "HEAD"):
        return f"its latest approval ({approval.tag}) is not in the current history"
    if since := len(repo.commits_touching(folder, since=approval.commit)):
        return f"{since} commit{'s' if since > 1 else ''} since its latest approval changed it"
    return None


def refuse_unapproved(repo: PracticeRepo, client_id: str) -> None:
    """Refuse to lock a client with a commit that its latest approval does not cover."""
    reason = unapproved_reason(repo, client_id)
    if reason is None:
        return
    msg = (
        f"Refusing to lock {client_id}: {reason}. A period is locked only once a reviewer has "
        f"approved every change to the client (`beanfirm review`, `beanfirm approve "
        f"{client_id} --as ID`); then lock it again (see {PAGE})."
    )
    raise WriteRefusedError(msg)


def refuse_ignored(repo: PracticeRepo, client_id: str, what: str) -> None:
    """Refuse to lock (`what`) while the client's folder holds git-ignored files its ledger reads.

    A lock seals the books as loaded from the disk; such a file is in no commit, so the lock
    would be broken at HEAD and on every other clone.
    """
    ignored = ignored_ledger_files(repo, client_id)
    if ignored:
        shown = ", ".join(ignored[:5]) + (" …" if len(ignored) > 5 else "")  # noqa: PLR2004
        folder = paths.client_folder(client_id)
        msg = (
            f"Refusing to {what}: {folder}/ holds {len(ignored)} file"
            f"{'s' if len(ignored) > 1 else ''} that git ignores but the ledger reads "
            f"({shown}). A lock seals the committed books, and these are in no commit, so "
            "the lock would be broken on every other clone. Nothing was written. Move them "
            f"out of {folder}/ (or commit them, and have them approved), then run the "
            f"command again (see {PAGE})."
        )
        raise WriteRefusedError(msg)


def refuse_before_books(
    entries: Sequence[Directive], through: datetime.date, client_id: str
) -> None:
    """Refuse a lock through a day before the client's first entry (a year typed wrong).

    Such a lock seals nothing; it would stand before the books and every later lock.
    """
    first = min((entry.date for entry in entries if counted(entry)), default=None)
    if first is not None and through >= first:
        return
    begin = (
        f"its books begin on {first} (their first entry)"
        if first is not None
        else "its books have no entry yet"
    )
    msg = (
        f"Refusing to lock {client_id} through {through}: {begin}, so the lock would seal "
        "nothing. Nothing was written. Check the date (a year typed wrong?) and lock a day "
        f"of the books (see {PAGE})."
    )
    raise UsageError(msg)


def refuse_role(staff: Staff, roles: tuple[str, ...], what: str) -> None:
    """Refuse a staff member whose role may not do `what`."""
    if staff.role not in roles:
        msg = (
            f"Refusing to {what}: {staff.id} is a {staff.role}, and only a "
            f"{' or '.join(roles)} may. Ask one to run it with --as THEIR-ID (see {PAGE})."
        )
        raise WriteRefusedError(msg)


def refuse_errors(main: Path, root: Path, client_id: str) -> None:
    """Load the ledger with its plugins; refuse to lock it when it has errors."""
    with collector_paused():
        ledger = load_ledger(main)
    errors = [error_problem(e, root, main) for e in ledger.errors if not is_warning(e)]
    if errors:
        msg = (
            f"Refusing to lock {client_id}: its ledger has {len(errors)} error"
            f"{'s' if len(errors) > 1 else ''}, and only books that check clean are locked. "
            f"Fix them (`beanfirm check {client_id}`), then lock again:"
        )
        raise LedgerError(msg, tuple(errors[:10]))


def with_lock_lines(main_text: str) -> str:
    """Return a main.beancount with the `locked` plugin line and the include of locks.beancount.

    The plugin line goes before the first `plugin` line (the `locked` plugin must see the
    entries before any other plugin changes them), or before the first `include` when there
    is none; the include goes after the last line.
    """
    lines = main_text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    if not has_plugin(main_text):
        plugin = (
            "; Locked periods (docs/lock.md): first of the plugins, so that it sees the\n"
            "; entries as written.\n" + PLUGIN_LINE + "\n\n"
        )
        at = _first_line(lines, "plugin") or _first_line(lines, "include") or len(lines)
        lines.insert(at, plugin)
    if not includes_locks(main_text):
        lines.append(INCLUDE_LINE + "\n")
    return "".join(lines)


def _first_line(lines: list[str], keyword: str) -> int | None:
    for number, line in enumerate(lines):
        if line.split()[:1] == [keyword]:
            above = number  # keep a comment block just above the line with it
            while above > 0 and lines[above - 1].startswith(";"):
                above -= 1
            return above
    return None


def lock_directive(seal: Seal, staff_id: str) -> str:
    """Return the text of a lock directive."""
    return (
        f'{seal.through} custom "{LOCK}" "{seal.digest}"\n'
        f"  by: {quote(staff_id)}\n"
        f"  months: {quote(seal.months_text)}\n"
    )


def reopen_directive(day: datetime.date, through: datetime.date, staff_id: str, reason: str) -> str:
    """Return the text of a reopen directive."""
    return f'{day} custom "{REOPEN}" {through} {quote(reason)}\n  by: {quote(staff_id)}\n'


def _appended(root: Path, rel: str, directive: str) -> bytes:
    path = root / rel
    text = path.read_text(encoding="utf-8") if path.exists() else LOCKS_HEADER
    if text and not text.endswith("\n"):
        text += "\n"
    return (text + "\n" + directive).encode()


def lock_changes(
    root: Path, client_id: str, directive: str
) -> tuple[dict[str, bytes | None], bool]:
    """Return the files a lock writes: the directive appended, main.beancount's lines if missing.

    The flag tells whether main.beancount gets the `locked` plugin line or the include.
    """
    main_rel = paths.main_file(client_id)
    old = (root / main_rel).read_text(encoding="utf-8")
    new = with_lock_lines(old)
    changes: dict[str, bytes | None] = {main_rel: new.encode()} if new != old else {}
    rel = locks_file(client_id)
    changes[rel] = _appended(root, rel, directive)
    return changes, new != old


def lock_period(
    practice: Practice,
    repo: PracticeRepo,
    client: Client,
    through: datetime.date,
    *,
    staff: Staff,
    author: Author,
    today: datetime.date | None = None,
    dry_run: bool = False,
) -> LockResult:
    """Lock the client's books through a day, in one commit (raises on any refusal)."""
    refuse_role(staff, LOCKERS, f"lock {client.id}")
    today = today or datetime.date.today()  # noqa: DTZ011 - the firm's calendar day
    if through >= today:  # today is not over either: an entry may still be dated today
        msg = (
            f"Refusing to lock {client.id} through {through}: that day is not over yet "
            f"(today is {today}). Lock a period that has ended."
        )
        raise UsageError(msg)
    root = practice.root
    main = practice.main_file(client.id)
    rel = locks_file(client.id)
    found: dict[str, object] = {}

    def prepare() -> Planned[str]:
        standing = client_locks(repo.texts_at(None, [rel])[rel], rel)
        later = [lock for lock in standing if lock.through >= through]
        if later:
            last = max(later, key=lambda lock: lock.through)
            msg = (
                f"Refusing to lock {client.id} through {through}: it is locked through "
                f"{last.through} already (by {last.by}), and a new lock must be later than "
                f"the standing ones. Lock a later day, or have a partner reopen that lock first "
                f"(`beanfirm reopen`, see {PAGE})."
            )
            raise WriteRefusedError(msg)
        refuse_unapproved(repo, client.id)
        refuse_ignored(repo, client.id, f"lock {client.id}")
        refuse_errors(main, root, client.id)
        with collector_paused():
            seen = load_until_plugin(main, MODULE)
        refuse_before_books(seen.entries, through, client.id)
        seal = period_seal(seen.entries, through, main.parent)
        directive = lock_directive(seal, staff.id)
        changes, added = lock_changes(root, client.id, directive)
        found["added"] = added
        message = (
            f"Lock {client.id} through {through}\n\n"
            f"{staff.id} locks the books of {client.id} through {through}: every entry dated "
            f"on or before it is sealed in {LOCKS} and checked on every load"
            + (" (the `locked` plugin line is added to main.beancount)" if added else "")
            + "."
        )
        return Planned(changes, message, directive)

    written = write_client(practice, repo, client, prepare, author=author, dry_run=dry_run)
    return LockResult(
        client.id, through, written.value, written.commit, added_plugin=bool(found["added"])
    )


def reopen_period(
    practice: Practice,
    repo: PracticeRepo,
    client: Client,
    through: datetime.date,
    *,
    reason: str,
    staff: Staff,
    author: Author,
    today: datetime.date | None = None,
    dry_run: bool = False,
) -> LockResult:
    """Reopen the client's lock through a day, in one commit (raises on any refusal)."""
    refuse_role(staff, REOPENERS, f"reopen {client.id}")
    if not reason.strip():
        msg = "A reopen needs a reason (--reason TEXT): it is kept in the ledger and the audit."
        raise UsageError(msg)
    day = today or datetime.date.today()  # noqa: DTZ011 - the firm's calendar day
    rel = locks_file(client.id)

    def prepare() -> Planned[str]:
        standing = client_locks(repo.texts_at(None, [rel])[rel], rel)
        if through not in {lock.through for lock in standing}:
            shown = ", ".join(str(lock.through) for lock in standing) or "none"
            msg = (
                f"Refusing to reopen {client.id} through {through}: no standing lock has that "
                f"date (standing locks: {shown}). Give the date of the lock to reopen "
                f"(see {PAGE})."
            )
            raise UsageError(msg)
        # A later lock seals this period too (each seals the books through its day): the
        # period is open only once they are all lifted, the latest first.
        later = sorted({lock.through for lock in standing if lock.through > through}, reverse=True)
        said = " ".join(reason.split())
        directive = "\n".join(
            reopen_directive(day, lifted, staff.id, said) for lifted in [*later, through]
        )
        also = (
            f" (and the later lock{'s' if len(later) > 1 else ''} through "
            f"{', '.join(map(str, sorted(later)))}, which seal it too)"
            if later
            else ""
        )
        message = (
            f"Reopen {client.id} through {through}\n\n"
            f"{staff.id} (partner) reopens the books of {client.id} locked through {through}"
            f"{also}: {said}"
        )
        return Planned({rel: _appended(practice.root, rel, directive)}, message, directive)

    written = write_client(practice, repo, client, prepare, author=author, dry_run=dry_run)
    return LockResult(client.id, through, written.value, written.commit, added_plugin=False)
