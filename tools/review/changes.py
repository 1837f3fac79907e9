"""What changed between two revisions of a practice, per client, in accounting terms.

Only the `.beancount` files that differ between the two revisions are read (their old and new
blobs, from git) and each is parsed on its own: the cost of a diff follows the size of the
change, not of the books. A file belongs to the client whose folder it is in
(`ledgers/<client>/...`); files elsewhere are listed as also changed, not parsed, but for
`clients.yaml`, whose change to each client's entry is told key by key. The balance impact
of a client is its accounts' totals over its changed files, before and after
(`beanfirm.review.entrydiff`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from beanfirm.core.paths import LEDGERS
from beanfirm.errors import BeanfirmError, Problem
from beanfirm.review.entrydiff import (
    AccountImpact,
    EntryChange,
    ParsedFile,
    compare_entries,
    impact_between,
    parse_text,
    place,
)
from beanfirm.review.registrydiff import RegistryTextError, registry_changes
from beanfirm.store.registry import REGISTRY_FILENAME

if TYPE_CHECKING:
    from collections.abc import Sequence

    from beanfirm.store.gitrepo import PracticeRepo

__all__ = ["AccountImpact", "ClientChanges", "Diff", "EntryChange", "changes_between", "diff"]

LEDGER_SUFFIX = ".beancount"


class ChangedFileError(BeanfirmError):
    """A changed ledger file does not parse, so its changes cannot be told."""


@dataclass(frozen=True)
class ClientChanges:
    """One client's changed entries and their balance impact."""

    client: str
    changes: tuple[EntryChange, ...]
    impact: tuple[AccountImpact, ...]
    files: tuple[str, ...] = ()  # the client's changed .beancount files
    # Entries whose postings could not be counted in the impact without the rest of the
    # ledger (a sale of a lot bought elsewhere): `file:line`.
    uncounted: tuple[str, ...] = ()
    # What changed in the client's entry of clients.yaml, a line per key.
    registry: tuple[str, ...] = ()

    @property
    def added(self) -> int:
        """Return how many entries were added."""
        return sum(1 for change in self.changes if change.kind == "added")

    @property
    def removed(self) -> int:
        """Return how many entries were removed."""
        return sum(1 for change in self.changes if change.kind == "removed")

    @property
    def changed(self) -> int:
        """Return how many entries were changed."""
        return sum(1 for change in self.changes if change.kind == "changed")


@dataclass(frozen=True)
class Diff:
    """Every client's changes between two revisions, and the other files that changed."""

    old: str | None  # a commit id; None is the empty tree
    new: str | None  # a commit id; None is the working tree
    clients: tuple[ClientChanges, ...]
    also_changed: tuple[str, ...]  # files outside the clients' ledgers (clients.yaml, code)


def changes_between(
    repo: PracticeRepo, old: str | None, new: str | None, clients: Sequence[str] | None = None
) -> list[ClientChanges]:
    """Return each client's changes from `old` to `new` (None: empty tree / working tree).

    Only clients with a changed `.beancount` file or a changed entry in clients.yaml are
    listed, by id; `clients` narrows them. Raises `ChangedFileError` when a changed file
    does not parse.
    """
    return list(diff(repo, old, new, clients).clients)


def diff(
    repo: PracticeRepo, old: str | None, new: str | None, clients: Sequence[str] | None = None
) -> Diff:
    """Return the changes from `old` to `new` per client, and the other files changed."""
    wanted = None if clients is None else set(clients)
    ledger_files: dict[str, list[str]] = {}
    also: list[str] = []
    for path in repo.paths_changed(old, new):
        client = client_of(path)
        if client is None:
            also.append(path)
        elif path.endswith(LEDGER_SUFFIX) and (wanted is None or client in wanted):
            ledger_files.setdefault(client, []).append(path)
        elif wanted is None or client in wanted:
            also.append(path)
    paths = [path for files in ledger_files.values() for path in files]
    registry_path = REGISTRY_FILENAME if REGISTRY_FILENAME in also else None
    if registry_path is not None:
        paths.append(registry_path)
    before_texts = repo.texts_at(old, paths) if old is not None else dict.fromkeys(paths)
    after_texts = repo.texts_at(new, paths)
    problems: list[Problem] = []
    registry: dict[str, tuple[str, ...]] = {}
    if registry_path is not None:
        try:
            registry = registry_changes(
                before_texts.pop(registry_path), after_texts.pop(registry_path), registry_path
            )
        except RegistryTextError as exc:
            problems.append(exc.problem)
    before, after = _parsed(before_texts), _parsed(after_texts)
    problems += [p for parsed in (*before.values(), *after.values()) for p in parsed.problems]
    if problems:
        shown = tuple(problems[:20])
        more = f" (and {len(problems) - len(shown)} more)" if len(problems) > len(shown) else ""
        msg = (
            f"{len(problems)} syntax error(s) in the changed files{more}, so beanfirm "
            "cannot tell what changed in accounting terms. Fix them (`bean-check` on the "
            "client's main.beancount shows a ledger's too), or read the raw text with "
            "`beanfirm diff --raw`."
        )
        raise ChangedFileError(msg, shown)
    clients_changed = set(ledger_files) | {
        client for client in registry if wanted is None or client in wanted
    }
    result = [
        _client_changes(client, ledger_files.get(client, []), before, after, registry)
        for client in sorted(clients_changed)
    ]
    return Diff(old, new, tuple(result), tuple(also))


def client_of(path: str) -> str | None:
    """Return the client whose folder holds `path` (`ledgers/<client>/...`), or None."""
    parts = path.split("/")
    if len(parts) > 2 and parts[0] == LEDGERS and parts[1]:  # noqa: PLR2004 - ledgers/<id>/file
        return parts[1]
    return None


def _parsed(texts: dict[str, str | None]) -> dict[str, ParsedFile]:
    return {
        path: parse_text(text, path) if text is not None else ParsedFile(path, (), ())
        for path, text in texts.items()
    }


def _client_changes(
    client: str,
    files: list[str],
    before: dict[str, ParsedFile],
    after: dict[str, ParsedFile],
    registry: dict[str, tuple[str, ...]],
) -> ClientChanges:
    old = [(path, entry) for path in files for entry in before[path].entries]
    new = [(path, entry) for path in files for entry in after[path].entries]
    impact, uncounted = impact_between([e for _, e in old], [e for _, e in new])
    changes = compare_entries(old, new)
    # Only an uncounted entry that changed leaves the net impact short.
    changed = {place(e) for c in changes for e in (c.old, c.new) if e is not None}
    shown = tuple(dict.fromkeys(where for where in uncounted if where in changed))
    return ClientChanges(
        client, tuple(changes), impact, tuple(files), shown, registry.get(client, ())
    )
